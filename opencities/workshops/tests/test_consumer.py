"""The room's websocket (`consumers.py`) through Channels' test communicator and the real ASGI
application: acknowledgements, broadcasts, errors to the sender only, retries, catch-up and
presence."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.urls import reverse

from opencities.asgi import application
from opencities.workshops import controls
from opencities.workshops.models import Note, Operation, StepKind, Workshop

from .conftest import join_as_guest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def empty_channel_layer():
    """Each test starts with a channel layer holding no groups from the last one."""
    in_own_loop(get_channel_layer().flush)


@pytest.fixture
def ethics_workshop(running_workshop) -> Workshop:
    """Running, on the ethics canvas step (boards ``ethics:<section>``)."""
    while running_workshop.current_step.kind != StepKind.ETHICS_CANVAS:
        controls.next_step(running_workshop)
    return running_workshop


@pytest.fixture
def facilitator_browser(editor) -> Client:
    browser = Client()
    browser.force_login(editor)
    return browser


class Tab:
    """A browser tab connected to the room, speaking the protocol."""

    def __init__(self, workshop: Workshop, browser: Client, client_id: str):
        cookie = browser.cookies["sessionid"].value
        self.socket = WebsocketCommunicator(
            application,
            f"/ws/room/{workshop.room}/",
            headers=[(b"cookie", f"sessionid={cookie}".encode()), (b"origin", b"http://localhost")],
        )
        self.client_id, self.seq = client_id, 0
        self.pending: list[dict] = []

    async def open(self, since: int | None = None) -> dict:
        connected, code = await self.socket.connect()
        assert connected, code
        await self.socket.send_json_to({"type": "hello", "since": since})
        return await self.next("welcome")

    async def send(self, op: str, seq: int | None = None, **data) -> int:
        if seq is None:
            self.seq += 1
            seq = self.seq
        await self.socket.send_json_to(
            {"op": op, "client_id": self.client_id, "seq": seq, "data": data}
        )
        return seq

    async def receive(self, timeout: float = 5) -> list[dict]:
        """The messages of the next frame: one, or those of a batch."""
        frame = json.loads(await self.socket.receive_from(timeout=timeout))
        return frame["messages"] if frame["type"] == "batch" else [frame]

    async def next(self, kind: str) -> dict:
        """The next message of a kind; others wait their turn, presence news is left out."""
        while True:
            for message in self.pending:
                if message["type"] == kind:
                    self.pending.remove(message)
                    return message
            self.pending += [m for m in await self.receive() if m["type"] != "presence"]

    async def quiet(self) -> list[dict]:
        """Everything not yet taken (presence news left out), once nothing more arrives."""
        while not await self.socket.receive_nothing(timeout=0.2):
            self.pending += [m for m in await self.receive() if m["type"] != "presence"]
        messages, self.pending = self.pending, []
        return messages

    async def close(self) -> None:
        await self.socket.disconnect()


def in_own_loop(function: Callable[[], Awaitable[object]]) -> object:
    """Run a coroutine function in a thread and event loop of its own.

    The browser tests' Playwright keeps an event loop running in the main thread for the rest
    of the session, and `async_to_sync` refuses to run in a thread that has one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, function()).result()


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    in_own_loop(scenario)


def test_a_note_is_acknowledged_to_its_sender_and_broadcast_to_everyone(
    ethics_workshop, facilitator_browser
):
    gita = Tab(ethics_workshop, join_as_guest(ethics_workshop, "Gita"), "gita-tab")
    eddie = Tab(ethics_workshop, facilitator_browser, "eddie-tab")

    async def scenario():
        await gita.open()
        await eddie.open()
        seq = await gita.send("note.add", board="ethics:rights", text="Who may see the logs?")
        ack = await gita.next("ack")
        seen_by_gita, seen_by_eddie = await gita.next("change"), await eddie.next("change")
        assert ack["seq"] == seq and ack["result"]["note"]["text"] == "Who may see the logs?"
        assert seen_by_gita == seen_by_eddie
        assert seen_by_eddie["kind"] == "note.add"
        assert seen_by_eddie["version"] == ack["version"]
        assert seen_by_eddie["payload"] == ack["result"]
        await gita.close()
        await eddie.close()

    run(scenario)
    assert Note.objects.get().text == "Who may see the logs?"


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("{oops", "malformed"),
        (json.dumps({"op": "note.shout", "client_id": "x", "seq": 1}), "unknown_op"),
        (json.dumps({"op": "note.add", "client_id": "x", "seq": 1, "data": {}}), "invalid"),
        (
            json.dumps(
                {
                    "op": "note.add",
                    "client_id": "x",
                    "seq": 1,
                    "data": {"board": "ethics:rights", "text": "x" * 1001},
                }
            ),
            "invalid",
        ),
        (json.dumps({"op": "note.add", "pad": "x" * 70_000}), "too_large"),
        (json.dumps({"op": "control.next", "client_id": "x", "seq": 1}), "forbidden"),
        (
            json.dumps({"op": "note.delete", "client_id": "x", "seq": 1, "data": {"id": 1}}),
            "not_found",
        ),
    ],
)
def test_a_bad_message_is_answered_to_its_sender_only_and_changes_nothing(
    ethics_workshop, facilitator_browser, message, code
):
    gita = Tab(ethics_workshop, join_as_guest(ethics_workshop, "Gita"), "gita-tab")
    eddie = Tab(ethics_workshop, facilitator_browser, "eddie-tab")
    version = ethics_workshop.version

    async def scenario():
        await gita.open()
        await eddie.open()
        await gita.socket.send_to(text_data=message)
        error = await gita.next("error")
        assert error["code"] == code and error["message"]
        assert await eddie.quiet() == []
        assert await gita.quiet() == []
        await gita.close()
        await eddie.close()

    run(scenario)
    ethics_workshop.refresh_from_db()
    assert ethics_workshop.version == version
    assert not Note.objects.exists()


def test_a_resent_operation_is_applied_once_and_acknowledged_the_same(ethics_workshop):
    gita = Tab(ethics_workshop, join_as_guest(ethics_workshop, "Gita"), "gita-tab")

    async def scenario():
        await gita.open()
        await gita.send("note.add", seq=5, board="ethics:rights", text="Once")
        first = await gita.next("ack")
        await gita.next("change")
        await gita.send("note.add", seq=5, board="ethics:rights", text="Once")
        again = await gita.next("ack")
        assert again == first
        assert await gita.quiet() == []  # a repeat is not broadcast again
        await gita.close()

    run(scenario)
    assert Note.objects.count() == 1


def test_a_client_that_comes_back_catches_up_from_the_last_version_it_saw(
    ethics_workshop, facilitator_browser
):
    guest_browser = join_as_guest(ethics_workshop, "Gita")
    gita = Tab(ethics_workshop, guest_browser, "gita-tab")
    eddie = Tab(ethics_workshop, facilitator_browser, "eddie-tab")

    async def scenario():
        welcome = await gita.open()
        seen = welcome["version"]
        assert "snapshot" in welcome  # nothing seen yet: the whole room
        await gita.close()
        await eddie.open()
        await eddie.send("note.add", board="ethics:rights", text="While you were away")
        await eddie.send("control.next")
        answers = [message["type"] for message in await eddie.quiet()]
        assert answers == ["ack", "change", "ack", "change"]
        await eddie.close()

        back = Tab(ethics_workshop, guest_browser, "gita-tab")
        welcome = await back.open(since=seen)
        missed = [await back.next("change"), await back.next("change")]
        assert "snapshot" not in welcome
        assert [m["kind"] for m in missed] == ["note.add", "control.next"]
        assert [m["version"] for m in missed] == [seen + 1, seen + 2]
        assert welcome["version"] == seen + 2
        assert welcome["state"]["current_step"] == missed[1]["payload"]["current_step"]
        await back.close()

    run(scenario)


def test_two_people_changing_the_same_field_both_see_the_last_accepted_one(
    ethics_workshop, facilitator_browser
):
    gita = Tab(ethics_workshop, join_as_guest(ethics_workshop, "Gita"), "gita-tab")
    eddie = Tab(ethics_workshop, facilitator_browser, "eddie-tab")

    async def scenario():
        await gita.open()
        await eddie.open()
        await gita.send("note.add", board="ethics:rights", text="Draft")
        note = (await gita.next("ack"))["result"]["note"]
        await gita.quiet()
        await eddie.quiet()
        await gita.send("note.edit", id=note["id"], text="Gita's words")
        await eddie.send("note.edit", id=note["id"], text="Eddie's words")
        for tab in (gita, eddie):
            await tab.next("ack")
        seen = {}
        for name, tab in (("gita", gita), ("eddie", eddie)):
            changes = [await tab.next("change"), await tab.next("change")]
            last = max(changes, key=lambda change: change["version"])
            seen[name] = last["payload"]["note"]
        assert seen["gita"] == seen["eddie"]
        await gita.close()
        await eddie.close()
        return seen["gita"]

    run(scenario)
    last = Operation.objects.filter(kind="note.edit").latest("version")
    assert Note.objects.get().text == last.payload["note"]["text"]


def test_presence_counts_people_not_tabs(ethics_workshop, facilitator_browser):
    guest_browser = join_as_guest(ethics_workshop, "Gita")
    first, second = (
        Tab(ethics_workshop, guest_browser, "a"),
        Tab(ethics_workshop, guest_browser, "b"),
    )
    eddie = Tab(ethics_workshop, facilitator_browser, "eddie-tab")

    async def presence(tab: Tab, name: str) -> dict:
        """The next presence news about `name` (a tab also hears of its own arrival)."""
        while True:
            for message in await tab.receive():
                if message["type"] == "presence" and message["participant"]["name"] == name:
                    return message

    async def scenario():
        await eddie.open()
        await first.open()
        joined = await presence(eddie, "Gita")
        assert (joined["event"], joined["participant"]["name"]) == ("join", "Gita")
        assert sorted(p["name"] for p in joined["participants"]) == ["Gita", "eddie"]
        await second.open()
        assert await eddie.socket.receive_nothing(timeout=0.3)  # Gita was here already
        await first.close()
        assert await eddie.socket.receive_nothing(timeout=0.3)  # still here in another tab
        await second.close()
        left = await presence(eddie, "Gita")
        assert (left["event"], [p["name"] for p in left["participants"]]) == ("leave", ["eddie"])
        await eddie.close()

    run(scenario)


def test_only_participants_get_in(ethics_workshop, outsider):
    stranger = Client()
    stranger.force_login(outsider)

    async def scenario():
        socket = WebsocketCommunicator(
            application,
            f"/ws/room/{ethics_workshop.room}/",
            headers=[
                (b"cookie", f"sessionid={stranger.cookies['sessionid'].value}".encode()),
                (b"origin", b"http://localhost"),
            ],
        )
        connected, code = await socket.connect()
        assert not connected and code == 4403
        foreign = WebsocketCommunicator(
            application,
            f"/ws/room/{ethics_workshop.room}/",
            headers=[(b"origin", b"https://evil.example")],
        )
        connected, _code = await foreign.connect()
        assert not connected

    run(scenario)


def test_a_change_made_on_a_page_reaches_the_people_in_the_room(
    ethics_workshop, facilitator_browser
):
    """The facilitator's plain-page controls (no JavaScript) and agenda edits change the
    workshop outside the websocket; the room still hears of them at once."""
    gita = Tab(ethics_workshop, join_as_guest(ethics_workshop, "Gita"), "gita-tab")
    control = reverse("workshops:control", args=[ethics_workshop.room])

    async def scenario():
        welcome = await gita.open()
        post = sync_to_async(facilitator_browser.post)  # a page request, in a worker thread
        response = await post(control, {"action": "timer_start"})
        assert response.status_code == 302
        change = await gita.next("change")
        assert (change["kind"], change["version"]) == (
            "control.timer_start",
            welcome["version"] + 1,
        )
        assert change["payload"]["timer"]["running"] is True
        await gita.close()

    run(scenario)
