"""A dropped connection in a real browser: room.js reconnects by itself, catches up from the
last version it saw, and sends what was made while it was away, each change once.

The server is a real `opencities serve` process (like test_room_browser.py). The first test
kills it with SIGKILL and starts it again on the same port and data folder. The second keeps it
running and cuts the tabs' websockets instead (Playwright passes them through the test), so a
tab can be reloaded while its changes wait, and can lose an acknowledgement on the way back.
The third checks that a tab the browser reports online again connects at once, and only once.
test_reconnect.py checks the server's side with plain websocket clients."""

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, WebSocket, WebSocketRoute, expect

from .live_server import free_port, query, running_workshop, server_env, start_server, stop

pytestmark = pytest.mark.browser

SEEN_WITHIN = 2_000  # milliseconds
# A tab waits 1, 2, 4, 8 s (± 25 %) between failed attempts; the server is down for a few.
BACK_WITHIN = 12_000


class Server:
    """`opencities serve` on a port and data folder of its own, which the test can kill and
    start again on the same port and folder."""

    def __init__(self, home: Path, made: dict):
        self.home = home
        self.made = made
        self.env = server_env(home)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self) -> None:
        self.process = start_server(self.env, self.port)

    def kill(self) -> None:
        stop(self.process, kill=True)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)


@pytest.fixture
def server(tmp_path: Path, tmp_path_factory) -> Iterator[Server]:
    """The server of a running workshop on its ethics canvas step, with a facilitator and a
    guest (`live_server.RUNNING_WORKSHOP`)."""
    home = tmp_path / "home"
    server = Server(home, running_workshop(home, tmp_path_factory))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def in_the_room(context: BrowserContext, server: Server, session: str) -> Page:
    """A tab of the room for the person with this session, once it is live."""
    context.add_cookies([{"name": "sessionid", "value": session, "url": server.url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(server.url + server.made["room"])
    expect(status(page)).to_have_text("Live")
    return page


def status(page: Page) -> Locator:
    return page.locator("#live-status")


def board(page: Page, server: Server) -> Locator:
    return page.locator(f"section.board[data-board='{server.made['board']}']")


def add_note(page: Page, server: Server, text: str) -> None:
    """Add a note through the board's own form."""
    section = board(page, server)
    section.get_by_label("New note").fill(text)
    section.get_by_role("button", name="Add note").click()


def notes(page: Page, server: Server) -> Locator:
    return board(page, server).locator("li.note .note-text")


# What room.js keeps in sessionStorage for the room: its client id, last sequence and outbox.
KEPT = (
    "JSON.parse(sessionStorage.getItem("
    "`workshop-room:${document.getElementById('live-room').dataset.room}`) || '{}')"
)


def kept_by_the_tab(page: Page) -> dict:
    return page.evaluate(f"() => {KEPT}")


def waiting(page: Page) -> list[tuple[str, str, int, str]]:
    """The tab's outbox as (op, text, seq, client id)."""
    return [
        (o["op"], o["data"]["text"], o["seq"], o["client_id"])
        for o in kept_by_the_tab(page)["outbox"]
    ]


def outbox_emptied(page: Page) -> None:
    page.wait_for_function(f"() => {KEPT}.outbox.length === 0", timeout=SEEN_WITHIN)


def messages(frame: str | bytes) -> list[dict]:
    """The messages of a websocket frame (a batch frame holds several)."""
    message = json.loads(frame)
    return message["messages"] if message.get("type") == "batch" else [message]


class Recorder:
    """The messages a context's tabs sent to the server and received from it, in order."""

    def __init__(self):
        self.sent: list[dict] = []
        self.received: list[dict] = []

    def hellos(self) -> list[int | None]:
        """The `since` of each hello: the last version the tab had applied."""
        return [m["since"] for m in self.sent if m.get("type") == "hello"]

    def welcomes(self) -> list[bool]:
        """For each welcome, whether it brought the whole room (rather than a catch-up)."""
        return ["snapshot" in m for m in self.received if m.get("type") == "welcome"]


class Frames(Recorder):
    """Records what the tabs of a context say on their websockets."""

    def __init__(self, context: BrowserContext):
        super().__init__()
        context.on("page", lambda page: page.on("websocket", self.watch))

    def watch(self, websocket: WebSocket) -> None:
        websocket.on("framesent", lambda frame: self.sent.extend(messages(frame)))
        websocket.on("framereceived", lambda frame: self.received.extend(messages(frame)))


def room_version(home: Path) -> int:
    ((version,),) = query(home, "SELECT version FROM workshops_workshop")
    return version


def logged_notes(home: Path) -> list[tuple[str, int, str]]:
    """Every note added through the room, from the log: (client id, sequence, text)."""
    return query(
        home,
        "SELECT client_id, client_seq, json_extract(payload, '$.note.text') "
        "FROM workshops_operation WHERE kind = 'note.add' ORDER BY version",
    )


def assert_each_once(home: Path, texts: list[str]) -> None:
    """The database holds each of these notes once (and no others), and the log no operation
    of a tab twice."""
    rows = Counter(text for (text,) in query(home, "SELECT text FROM workshops_note"))
    assert rows == Counter(texts)
    pairs = Counter(
        query(home, "SELECT client_id, client_seq FROM workshops_operation WHERE client_id != ''")
    )
    assert [pair for pair, times in pairs.items() if times > 1] == []


def test_a_tab_reconnects_by_itself_and_sends_what_was_made_offline(
    server: Server, new_context: Callable[..., BrowserContext]
):
    context = new_context()
    fiona_frames = Frames(context)
    fiona = in_the_room(context, server, server.made["session"])
    gita = in_the_room(new_context(), server, server.made["guest_session"])
    everyone = (fiona, gita)
    add_note(fiona, server, "Who owns the lift logs?")
    expect(notes(gita, server)).to_have_text(["Who owns the lift logs?"], timeout=SEEN_WITHIN)
    add_note(gita, server, "Ask the drivers")
    online = ["Who owns the lift logs?", "Ask the drivers"]
    for page in everyone:
        expect(notes(page, server)).to_have_text(online, timeout=SEEN_WITHIN)
        page.evaluate("window.neverReloaded = true")

    server.kill()
    seen = room_version(server.home)
    for page in everyone:
        expect(status(page)).to_have_text("Reconnecting…", timeout=SEEN_WITHIN)
        expect(status(page)).to_have_attribute("data-state", "reconnecting")

    # Offline, the guest's notes wait in the outbox (kept in sessionStorage), numbered after
    # her first one; the board shows only what the server accepted.
    add_note(gita, server, "Missed bins on Tuesdays")
    expect(status(gita)).to_have_text("Offline — 1 change waiting")
    add_note(gita, server, "Lifts logged twice")
    expect(status(gita)).to_have_text("Offline — 2 changes waiting")
    expect(status(gita)).to_have_attribute("data-state", "offline")
    client_id = kept_by_the_tab(gita)["clientId"]
    offline = ["Missed bins on Tuesdays", "Lifts logged twice"]
    assert waiting(gita) == [
        ("note.add", offline[0], 2, client_id),
        ("note.add", offline[1], 3, client_id),
    ]
    expect(notes(gita, server)).to_have_text(online)
    expect(status(fiona)).to_have_text("Reconnecting…")

    server.start()
    back = time.monotonic()
    for page in everyone:
        expect(status(page)).to_have_text("Live", timeout=BACK_WITHIN)
    print(f"both tabs live again {time.monotonic() - back:.1f} s after the server came back")
    for page in everyone:
        expect(notes(page, server)).to_have_text(online + offline, timeout=SEEN_WITHIN)
        assert page.evaluate("window.neverReloaded") is True
    outbox_emptied(gita)
    assert kept_by_the_tab(gita)["seq"] == 3
    # The facilitator's tab caught up from the last version it had seen, not from scratch.
    assert fiona_frames.hellos() == [None, seen]
    assert fiona_frames.welcomes() == [True, False]

    assert_each_once(server.home, online + offline)
    fiona_id = kept_by_the_tab(fiona)["clientId"]
    assert logged_notes(server.home) == [
        (fiona_id, 1, online[0]),
        (client_id, 1, online[1]),
        (client_id, 2, offline[0]),
        (client_id, 3, offline[1]),
    ]


class Cable(Recorder):
    """A context's room websockets, passed through the test: it can cut them (the server keeps
    running, the tabs cannot reach it) and lose acknowledgements on their way to the tabs.
    Records what got through."""

    def __init__(self, context: BrowserContext):
        super().__init__()
        self.cut = False
        self.lose_acks = False
        self.open: list[tuple[WebSocketRoute, WebSocketRoute]] = []
        context.route_web_socket("**/ws/room/**", self.route)

    def route(self, tab: WebSocketRoute) -> None:
        if self.cut:
            tab.close()
            return
        to_server = tab.connect_to_server()
        tab.on_message(lambda frame: self.to_server(to_server, frame))
        to_server.on_message(lambda frame: self.to_tab(tab, frame))
        self.open.append((tab, to_server))

    def to_server(self, to_server: WebSocketRoute, frame: str | bytes) -> None:
        self.sent.extend(messages(frame))
        to_server.send(frame)

    def to_tab(self, tab: WebSocketRoute, frame: str | bytes) -> None:
        received = messages(frame)
        passed = [m for m in received if not (self.lose_acks and m.get("type") == "ack")]
        self.received.extend(passed)
        if passed == received:
            tab.send(frame)
        elif passed:
            tab.send(json.dumps({"type": "batch", "messages": passed}))

    def cut_off(self) -> None:
        self.cut = True
        for tab, to_server in self.open:
            to_server.close()
            tab.close()
        self.open.clear()

    def mend(self) -> None:
        self.cut = self.lose_acks = False


def test_changes_waiting_in_a_reloaded_tab_arrive_once(
    server: Server, new_context: Callable[..., BrowserContext]
):
    fiona_context, gita_context = new_context(), new_context()
    fiona_cable, gita_cable = Cable(fiona_context), Cable(gita_context)
    fiona = in_the_room(fiona_context, server, server.made["session"])
    gita = in_the_room(gita_context, server, server.made["guest_session"])
    texts = ["Who owns the lift logs?", "Ask the drivers"]

    # A note the server applies and broadcasts, but whose acknowledgement never reaches the
    # guest's tab: it stays in her outbox, to be sent again with the same number.
    gita_cable.lose_acks = True
    add_note(gita, server, texts[0])
    for page in (fiona, gita):
        expect(notes(page, server)).to_have_text(texts[:1], timeout=SEEN_WITHIN)
    client_id = kept_by_the_tab(gita)["clientId"]
    assert waiting(gita) == [("note.add", texts[0], 1, client_id)]
    seen = room_version(server.home)

    # Both lose the connection; the server keeps running.
    fiona_cable.cut_off()
    gita_cable.cut_off()
    expect(status(fiona)).to_have_text("Reconnecting…", timeout=SEEN_WITHIN)
    expect(status(gita)).to_have_text("Offline — 1 change waiting", timeout=SEEN_WITHIN)
    add_note(gita, server, texts[1])
    expect(status(gita)).to_have_text("Offline — 2 changes waiting")
    before = kept_by_the_tab(gita)
    assert before["seq"] == 2

    # Reloaded while they wait: the page comes from the server, its websocket is still cut,
    # and the outbox is still there, numbers and all.
    gita.reload()
    expect(status(gita)).to_have_text("Offline — 2 changes waiting")
    assert kept_by_the_tab(gita) == before

    gita_cable.mend()
    expect(status(gita)).to_have_text("Live", timeout=BACK_WITHIN)
    expect(notes(gita, server)).to_have_text(texts, timeout=SEEN_WITHIN)
    outbox_emptied(gita)
    # The reloaded tab goes on with the same client id and the next number.
    add_note(gita, server, "Check the depot")
    texts.append("Check the depot")
    expect(notes(gita, server)).to_have_text(texts, timeout=SEEN_WITHIN)
    # The resent first note was answered with its first acknowledgement, not applied again.
    assert_each_once(server.home, texts)
    assert logged_notes(server.home) == [
        (client_id, 1, texts[0]),
        (client_id, 2, texts[1]),
        (client_id, 3, texts[2]),
    ]

    # The facilitator, still cut off, has seen the first note only; back, she catches up.
    expect(notes(fiona, server)).to_have_text(texts[:1])
    fiona_cable.mend()
    expect(status(fiona)).to_have_text("Live", timeout=BACK_WITHIN)
    expect(notes(fiona, server)).to_have_text(texts, timeout=SEEN_WITHIN)
    assert fiona_cable.hellos() == [None, seen]
    assert fiona_cable.welcomes() == [True, False]


def test_back_online_a_tab_reconnects_at_once_and_once(
    server: Server, new_context: Callable[..., BrowserContext]
):
    context = new_context()
    context.clock.install()
    frames = Frames(context)
    sockets: list[WebSocket] = []
    context.on("page", lambda page: page.on("websocket", lambda s: sockets.append(s)))
    fiona = in_the_room(context, server, server.made["session"])
    # The page's clock stands still from here: its next attempt to connect never comes due
    # unless the test moves the clock on.
    fiona.clock.pause_at(fiona.evaluate("Date.now()") + 1)
    server.kill()
    seen = room_version(server.home)
    expect(status(fiona)).to_have_text("Reconnecting…", timeout=SEEN_WITHIN)
    server.start()

    # The browser says it is online again: the tab connects now, not when its attempt is due.
    context.set_offline(True)
    context.set_offline(False)
    expect(status(fiona)).to_have_text("Live", timeout=SEEN_WITHIN)
    # And the attempt that was due does not open a second connection.
    fiona.clock.run_for(60_000)
    fiona.wait_for_timeout(500)
    assert frames.hellos() == [None, seen]
    assert len([socket for socket in sockets if not socket.is_closed()]) == 1
