"""The live operations (`live.py`) without a websocket: what each does, and what it refuses."""

import json
import uuid

import pytest

from opencities.canvases.models import Contribution
from opencities.inventory.models import Actor
from opencities.maps.models import Exchange, FlowStatus, Node
from opencities.workshops import controls, join, live
from opencities.workshops.models import (
    Dot,
    Note,
    Operation,
    Participant,
    ParticipantKind,
    StepKind,
    Vote,
    VoteState,
    Workshop,
    WorkshopState,
)

from .conftest import NOON


@pytest.fixture
def facilitator(running_workshop, editor) -> live.Sender:
    return live.Sender(join.join_member(running_workshop, editor), can_run=True)


@pytest.fixture
def guest(running_workshop) -> live.Sender:
    participant = Participant.objects.create(
        workshop=running_workshop, display_name="Gita", kind=ParticipantKind.GUEST
    )
    return live.Sender(participant, can_run=False)


class Client:
    """A live client's numbering of its operations."""

    def __init__(self, workshop: Workshop, sender: live.Sender):
        self.workshop, self.sender, self.seq = workshop, sender, 0
        self.client_id = uuid.uuid4().hex  # a browser tab's own id

    def __call__(self, op: str, **data):
        self.seq += 1
        request = live.Request(op, self.client_id, self.seq, data)
        return live.perform(self.workshop, self.sender, request)


def go_to(workshop: Workshop, kind: str) -> None:
    while workshop.current_step.kind != kind:
        controls.next_step(workshop)


def refused(code: str, client: Client, op: str, **data) -> live.Problem:
    """Assert the operation is refused with `code` and nothing is logged."""
    before = Operation.objects.count()
    with pytest.raises(live.Problem) as caught:
        client(op, **data)
    assert caught.value.code == code, str(caught.value)
    assert Operation.objects.count() == before
    return caught.value


# --- Reading messages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("{not json", "malformed"),
        ("[1, 2]", "malformed"),
        (
            json.dumps({"op": "note.add", "client_id": "a", "seq": 1, "pad": "x" * 70_000}),
            "too_large",
        ),
    ],
)
def test_bad_messages_are_refused_before_anything_runs(text, code):
    with pytest.raises(live.Problem) as caught:
        live.read(text)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ({"op": "note.fly", "client_id": "a", "seq": 1}, "unknown_op"),
        ({"op": "note.add", "seq": 1}, "malformed"),
        ({"op": "note.add", "client_id": "a", "seq": 0}, "malformed"),
        ({"op": "note.add", "client_id": "a", "seq": True}, "malformed"),
        ({"op": "note.add", "client_id": "a", "seq": 1, "data": []}, "malformed"),
    ],
)
def test_an_operation_needs_a_known_name_a_client_and_a_sequence(message, code):
    with pytest.raises(live.Problem) as caught:
        live.request_of(message)
    assert caught.value.code == code


# --- Notes --------------------------------------------------------------------------------------


def test_a_note_on_a_canvas_section_is_logged_and_becomes_a_contribution(running_workshop, guest):
    go_to(running_workshop, StepKind.ETHICS_CANVAS)
    change = Client(running_workshop, guest)(
        "note.add", board="ethics:data_sources", text=" Lifts "
    )

    note = Note.objects.get()
    assert change.kind == "note.add" and change.version == running_workshop.version
    assert change.payload["note"] == live.note_as_json(note)
    assert (note.text, note.author, note.version) == ("Lifts", guest.participant, change.version)
    assert Contribution.objects.get().text == "Lifts"


def test_an_edit_changes_only_the_fields_it_names(running_workshop, guest, facilitator):
    go_to(running_workshop, StepKind.ETHICS_CANVAS)
    gita, eddie = Client(running_workshop, guest), Client(running_workshop, facilitator)
    note_id = gita("note.add", board="ethics:data_sources", text="Lifts").payload["note"]["id"]

    eddie("note.edit", id=note_id, colour="pink")
    change = gita("note.edit", id=note_id, text="Lift logs", x=10)

    assert change.payload["note"]["colour"] == "pink"
    assert (change.payload["note"]["text"], change.payload["note"]["x"]) == ("Lift logs", 10.0)
    assert Contribution.objects.get().text == "Lift logs"


def test_a_deleted_note_goes_with_its_contribution_and_cannot_be_edited(running_workshop, guest):
    go_to(running_workshop, StepKind.ETHICS_CANVAS)
    gita = Client(running_workshop, guest)
    note_id = gita("note.add", board="ethics:data_sources", text="Lifts").payload["note"]["id"]

    assert gita("note.delete", id=note_id).payload["note"]["deleted"] is True

    assert not Contribution.objects.exists()
    refused("not_found", gita, "note.edit", id=note_id, text="Back")


def test_a_note_longer_than_1000_characters_is_refused(running_workshop, guest):
    go_to(running_workshop, StepKind.ETHICS_CANVAS)
    problem = refused(
        "invalid",
        Client(running_workshop, guest),
        "note.add",
        board="ethics:rights",
        text="x" * 1001,
    )
    assert "1000" in str(problem)
    assert not Note.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"board": "ethics:rights"},
        {"board": "ethics:rights", "text": "   "},
        {"board": "ethics:rights", "text": "Hi", "colour": "tartan"},
        {"board": "ethics:rights", "text": "Hi", "x": "left"},
        {"board": "ethics:rights", "text": "Hi", "author": 1},
        {"board": "business:benefits", "text": "Not this step's board"},
    ],
)
def test_bad_note_input_changes_nothing(running_workshop, guest, data):
    go_to(running_workshop, StepKind.ETHICS_CANVAS)
    refused("invalid", Client(running_workshop, guest), "note.add", **data)
    assert not Note.objects.exists()


def test_a_guest_cannot_touch_another_workshops_note(running_workshop, guest, project, editor):
    other = Workshop.objects.create(project=project, title="Other", date=NOON)
    other_note = Note.objects.create(
        workshop=other, step=running_workshop.steps.first(), board="brainstorm", text="Theirs"
    )

    gita = Client(running_workshop, guest)
    refused("not_found", gita, "note.edit", id=other_note.pk, text="Mine")
    refused("not_found", gita, "note.delete", id=other_note.pk)

    other_note.refresh_from_db()
    assert (other_note.text, other_note.deleted) == ("Theirs", False)


def test_notes_wait_for_the_workshop_to_start_and_stop_when_it_ends(workshop, editor):
    sender = live.Sender(join.join_member(workshop, editor), can_run=True)
    refused("refused", Client(workshop, sender), "note.add", board="brainstorm", text="Early")
    controls.start(workshop)
    controls.end(workshop)
    refused("refused", Client(workshop, sender), "note.add", board="brainstorm", text="Late")


def test_while_locked_only_who_runs_the_workshop_writes(running_workshop, guest, facilitator):
    go_to(running_workshop, StepKind.ETHICS_CANVAS)
    controls.lock(running_workshop)

    problem = refused(
        "forbidden", Client(running_workshop, guest), "note.add", board="ethics:rights", text="Hi"
    )
    assert "locked" in str(problem)
    Client(running_workshop, facilitator)("note.add", board="ethics:rights", text="Hi")
    assert Note.objects.count() == 1


def test_a_retried_operation_is_applied_once(running_workshop, guest):
    go_to(running_workshop, StepKind.ETHICS_CANVAS)
    request = live.Request("note.add", "tab-1", 7, {"board": "ethics:rights", "text": "Once"})

    first = live.perform(running_workshop, guest, request)
    again = live.perform(running_workshop, guest, request)

    assert Note.objects.count() == 1
    assert again.repeated and (again.version, again.payload) == (first.version, first.payload)


# --- Votes --------------------------------------------------------------------------------------


@pytest.fixture
def notes_vote(running_workshop, facilitator, guest):
    go_to(running_workshop, StepKind.ETHICS_CANVAS)
    gita = Client(running_workshop, guest)
    ids = [
        gita("note.add", board="ethics:rights", text=text).payload["note"]["id"]
        for text in ("Alpha", "Beta")
    ]
    vote = Client(running_workshop, facilitator)(
        "vote.open", title="Which first?", target="notes", dots=2
    ).payload["vote"]
    return vote["id"], ids


def test_dots_are_counted_and_ranked_up_to_the_dots_per_person(
    running_workshop, guest, facilitator, notes_vote
):
    vote, (alpha, beta) = notes_vote
    gita, eddie = Client(running_workshop, guest), Client(running_workshop, facilitator)

    gita("dot.add", vote=vote, target=str(beta))
    gita("dot.add", vote=vote, target=str(beta))
    change = eddie("dot.add", vote=vote, target=str(alpha))

    assert [(r["label"], r["dots"]) for r in change.payload["vote"]["results"]] == [
        ("Beta", 2),
        ("Alpha", 1),
    ]
    assert change.payload["vote"]["spent"] == {
        str(guest.participant.pk): 2,
        str(facilitator.participant.pk): 1,
    }
    problem = refused("refused", gita, "dot.add", vote=vote, target=str(alpha))
    assert "all your 2 dots" in str(problem)

    change = gita("dot.remove", vote=vote, target=str(beta))
    assert change.payload["vote"]["results"][0]["dots"] == 1
    refused("not_found", gita, "dot.remove", vote=vote, target=str(alpha))


def test_a_dot_goes_only_on_something_of_the_vote(running_workshop, guest, notes_vote, project):
    vote, _ids = notes_vote
    other = Workshop.objects.create(project=project, title="Other", date=NOON)
    elsewhere = Note.objects.create(
        workshop=other, step=running_workshop.steps.first(), board="brainstorm", text="No"
    )
    refused(
        "not_found", Client(running_workshop, guest), "dot.add", vote=vote, target=str(elsewhere.pk)
    )
    assert not Dot.objects.exists()


def test_only_the_facilitator_opens_and_closes_votes(
    running_workshop, guest, facilitator, notes_vote
):
    vote, (alpha, _beta) = notes_vote
    gita = Client(running_workshop, guest)
    refused("forbidden", gita, "vote.open", title="Mine", target="notes")
    refused("forbidden", gita, "vote.close", vote=vote)

    change = Client(running_workshop, facilitator)("vote.close", vote=vote)

    assert change.payload["vote"]["state"] == VoteState.CLOSED
    refused("refused", gita, "dot.add", vote=vote, target=str(alpha))


@pytest.mark.parametrize(
    "data",
    [
        {"title": "", "target": "notes"},
        {"title": "Q", "target": "x"},
        {"title": "Q", "target": "notes", "dots": 21},
    ],
)
def test_a_vote_needs_a_question_a_target_and_1_to_20_dots(running_workshop, facilitator, data):
    refused("invalid", Client(running_workshop, facilitator), "vote.open", **data)
    assert not Vote.objects.exists()


def test_a_blocked_flow_vote_takes_dots_on_the_projects_blocked_flows(
    running_workshop, guest, facilitator, bin_map, workspace
):
    a, b = (
        Node.objects.create(map=bin_map, actor=Actor.objects.create(workspace=workspace, name=n))
        for n in ("Depot", "Council")
    )
    flow = Exchange.objects.create(map=bin_map, source=a, target=b, status=FlowStatus.BLOCKED)
    active = Exchange.objects.create(map=bin_map, source=b, target=a)
    vote = Client(running_workshop, facilitator)("vote.open", title="Q", target="blocked_flows")
    gita = Client(running_workshop, guest)

    gita("dot.add", vote=vote.payload["vote"]["id"], target=str(flow.pk))
    refused("not_found", gita, "dot.add", vote=vote.payload["vote"]["id"], target=str(active.pk))


# --- Controls -----------------------------------------------------------------------------------


@pytest.mark.parametrize("action", list(controls.ACTIONS))
def test_every_control_is_for_who_runs_the_workshop_only(running_workshop, guest, action):
    problem = refused("forbidden", Client(running_workshop, guest), f"control.{action}")
    assert "facilitator" in str(problem)


def test_controls_move_everyone_and_keep_the_timer(running_workshop, facilitator):
    eddie = Client(running_workshop, facilitator)

    moved = eddie("control.next")
    added = eddie("control.timer_add", seconds=120)

    second = running_workshop.steps.all()[1]
    assert moved.kind == "control.next" and moved.payload["current_step"] == second.pk
    assert added.payload["timer"]["remaining"] == second.duration_minutes * 60 + 120
    assert eddie("control.end").payload["state"] == WorkshopState.ENDED
    refused("refused", eddie, "control.next")
    refused("invalid", eddie, "control.lock", seconds=3)


# --- The map of the current step ----------------------------------------------------------------


def test_map_edits_go_through_the_map_editors_checks(running_workshop, guest, bin_map):
    gita = Client(running_workshop, guest)

    depot = gita("node.add", kind="actor", name="Depot", roles=["steward"], x=5, y=6)
    council = gita("node.add", kind="actor", name="Council")
    refused("invalid", gita, "node.add", kind="actor", name="depot")  # already on the map
    flow = gita("exchange.add", source=depot.payload["id"], target=council.payload["id"])
    gita(
        "exchange.edit",
        id=flow.payload["id"],
        status="blocked",
        blocked_reasons=["legal"],
        blocked_note="No contract",
    )
    gita("node.move", id=depot.payload["id"], x=100, y=-20)
    gita("node.edit", id=depot.payload["id"], roles=[])

    assert depot.kind == "node.add" and depot.payload["map"] == bin_map.pk
    assert flow.kind == "exchange.add" and flow.payload["map"] == bin_map.pk
    node = Node.objects.get(pk=depot.payload["id"])
    assert (node.x, node.y, node.roles) == (100.0, -20.0, [])
    exchange = Exchange.objects.get()
    assert (exchange.status, exchange.blocked_note) == ("blocked", "No contract")
    assert exchange.kind == "data"  # untouched by the edit

    removed = gita("node.delete", id=depot.payload["id"])
    assert removed.payload["exchanges"] == [flow.payload["id"]]
    assert not Exchange.objects.exists()


def test_map_edits_need_a_map_step_and_this_maps_ids(running_workshop, guest, project, workspace):
    other_map = project.maps.create(title="Elsewhere")
    foreign = Node.objects.create(
        map=other_map, actor=Actor.objects.create(workspace=workspace, name="Far")
    )
    gita = Client(running_workshop, guest)
    refused("not_found", gita, "node.move", id=foreign.pk, x=1, y=1)
    refused("not_found", gita, "node.delete", id=foreign.pk)
    refused("invalid", gita, "exchange.add", source=foreign.pk, target=foreign.pk)

    go_to(running_workshop, StepKind.ETHICS_CANVAS)
    problem = refused("refused", gita, "node.add", kind="actor", name="Depot")
    assert "no map" in str(problem)
    assert Node.objects.count() == 1
