"""Writing several operations at once (`live.perform_many`, `operations.batch`) and sending
several messages at once (`hub.Outbox`): the room's two ways of keeping up with many people.
Each operation of a batch must end exactly as it would have on its own."""

import asyncio
import json
import uuid

import pytest

from opencities.canvases.models import Contribution
from opencities.workshops import hub, live, operations
from opencities.workshops.models import Dot, Note, Operation, Participant, ParticipantKind

from .test_consumer import in_own_loop
from .test_live import go_to

SECTION = "ethics:data_sources"


@pytest.fixture
def ethics_workshop(running_workshop):
    go_to(running_workshop, "ethics_canvas")
    return running_workshop


def guest(workshop, name: str) -> live.Sender:
    participant = Participant.objects.create(
        workshop=workshop, display_name=name, kind=ParticipantKind.GUEST
    )
    return live.Sender(participant, can_run=False)


class Tab:
    """A tab's numbered requests, to be written together."""

    def __init__(self, sender: live.Sender):
        self.sender, self.client_id, self.seq = sender, uuid.uuid4().hex, 0

    def __call__(self, op: str, seq: int | None = None, **data):
        if seq is None:
            self.seq += 1
            seq = self.seq
        return (self.sender, live.Request(op, self.client_id, seq, data), "en-gb")


def test_a_batch_answers_each_operation_as_if_it_came_alone(ethics_workshop):
    gita, omar = Tab(guest(ethics_workshop, "Gita")), Tab(guest(ethics_workshop, "Omar"))
    before = ethics_workshop.version
    results = live.perform_many(
        ethics_workshop,
        [
            gita("note.add", board=SECTION, text="Bin lifts"),
            omar("note.add", board="ethics:nowhere", text="Lost"),  # refused
            omar("note.add", board=SECTION, text="Complaints"),
            gita("note.add", seq=1, board=SECTION, text="Bin lifts"),  # resent: answered again
        ],
    )
    first, refused, third, again = results
    assert isinstance(refused, live.Problem) and refused.code == "invalid"
    assert (first.version, third.version) == (before + 1, before + 2)
    assert again.repeated and again.version == first.version and again.payload == first.payload
    assert first.payload["note"]["text"] == "Bin lifts" and first.payload["note"]["id"]
    assert third.payload["note"]["author_name"] == "Omar"

    ethics_workshop.refresh_from_db()
    assert ethics_workshop.version == before + 2
    logged = list(Operation.objects.filter(version__gt=before).values_list("version", "kind"))
    assert logged == [(before + 1, "note.add"), (before + 2, "note.add")]
    notes = {note.text: note for note in Note.objects.all()}
    assert set(notes) == {"Bin lifts", "Complaints"}
    assert notes["Bin lifts"].version == before + 1 and notes["Complaints"].version == before + 2
    # Each note is its section's contribution, written in the same go.
    assert {c.text: c.author_name for c in Contribution.objects.all()} == {
        "Bin lifts": "Gita",
        "Complaints": "Omar",
    }
    assert notes["Bin lifts"].contribution.text == "Bin lifts"


def test_edits_of_one_note_in_a_batch_end_as_the_last_one_says(ethics_workshop):
    gita = Tab(guest(ethics_workshop, "Gita"))
    (added,) = live.perform_many(ethics_workshop, [gita("note.add", board=SECTION, text="One")])
    note_id = added.payload["note"]["id"]
    results = live.perform_many(
        ethics_workshop,
        [
            gita("note.edit", id=note_id, text="Two"),
            gita("note.edit", id=note_id + 999, text="Nowhere"),  # refused: no such note
            gita("note.edit", id=note_id, colour="pink"),
            gita("note.edit", id=note_id, x=40, y=8),
        ],
    )
    assert [getattr(r, "code", None) for r in results] == [None, "not_found", None, None]
    note = Note.objects.get(pk=note_id)
    assert (note.text, note.colour, note.x, note.y) == ("Two", "pink", 40, 8)
    assert note.version == results[-1].version
    assert note.contribution.text == "Two"
    assert results[-1].payload["note"]["text"] == "Two"  # what was broadcast is what is stored


def test_a_note_deleted_earlier_in_a_batch_takes_no_dot_later_in_it(ethics_workshop, editor):
    from opencities.workshops import join

    facilitator = Tab(live.Sender(join.join_member(ethics_workshop, editor), can_run=True))
    gita = Tab(guest(ethics_workshop, "Gita"))
    (added,) = live.perform_many(ethics_workshop, [gita("note.add", board=SECTION, text="Bins")])
    note_id = added.payload["note"]["id"]
    (opened,) = live.perform_many(
        ethics_workshop, [facilitator("vote.open", title="Most?", target="notes", dots=2)]
    )
    vote_id = opened.payload["vote"]["id"]
    deleted, dotted = live.perform_many(
        ethics_workshop,
        [
            gita("note.delete", id=note_id),
            facilitator("dot.add", vote=vote_id, target=str(note_id)),
        ],
    )
    assert deleted.payload["note"]["deleted"] is True
    assert isinstance(dotted, live.Problem) and dotted.code == "not_found"
    assert not Dot.objects.exists()
    assert Note.objects.get(pk=note_id).deleted
    assert not Contribution.objects.exists()


def test_a_batch_that_fails_writes_nothing(ethics_workshop, monkeypatch):
    gita = Tab(guest(ethics_workshop, "Gita"))
    before = ethics_workshop.version

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(operations, "_insert_rows", broken)  # writing the log, at the very end
    with pytest.raises(RuntimeError):
        live.perform_many(ethics_workshop, [gita("note.add", board=SECTION, text="Lost")])
    ethics_workshop.refresh_from_db()
    assert ethics_workshop.version == before
    assert not Note.objects.exists() and not Contribution.objects.exists()


class Socket:
    """What a connection sends, frame by frame."""

    def __init__(self, delay: float = 0):
        self.frames: list[str] = []
        self.closed_with: int | None = None
        self.delay = delay

    async def send(self, text_data=None, bytes_data=None):
        await asyncio.sleep(self.delay)
        self.frames.append(text_data)

    async def close(self, code=None, reason=None):
        self.closed_with = code


def test_messages_waiting_for_a_connection_go_as_one_batch_frame_in_order():
    async def scenario():
        socket = Socket()
        outbox = hub.Outbox(socket)
        outbox.put(hub.encode({"type": "ack", "seq": 1}))
        outbox.put('{"type":"change","version":7},{"type":"change","version":8}', count=2)
        await asyncio.sleep(0.01)
        outbox.put(hub.encode({"type": "ack", "seq": 2}))  # alone: sent as it is
        await asyncio.sleep(0.01)
        outbox.stop()
        return socket.frames

    first, second = in_own_loop(scenario)
    assert json.loads(first) == {
        "type": "batch",
        "messages": [
            {"type": "ack", "seq": 1},
            {"type": "change", "version": 7},
            {"type": "change", "version": 8},
        ],
    }
    assert json.loads(second) == {"type": "ack", "seq": 2}


def test_a_connection_too_far_behind_is_closed_to_catch_up(monkeypatch):
    monkeypatch.setattr(hub, "MAX_BEHIND", 10)

    async def scenario():
        socket = Socket(delay=0.5)  # a slow network: the first frame is still on its way
        outbox = hub.Outbox(socket)
        outbox.put(hub.encode({"type": "change", "version": 1}))
        await asyncio.sleep(0.01)
        for version in range(2, 14):
            outbox.put(hub.encode({"type": "change", "version": version}))
        await asyncio.sleep(0.01)
        outbox.stop()
        return socket

    socket = in_own_loop(scenario)
    assert socket.closed_with == hub.FELL_BEHIND
