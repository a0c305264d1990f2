"""One live workshop room inside one server process: its connections, the people here, the
writer and the fan-out.

A room can hold hundreds of people, each making a change every few seconds. Two costs grow
with the square of the room's size when every connection works alone: sending each change to
each connection through the channel layer (a queue hop and a JSON encoding per person per
change), and writing each change in a transaction of its own while the others wait. So each
server process keeps one `Room` per workshop with people connected to it:

- **Writing.** Connections put the operations they read in the room's queue. One writer task
  takes everything queued (up to `MAX_BATCH`) and writes it in one transaction
  (`live.perform_many`: each operation checked on its own and in a savepoint of its own, so a
  refused one leaves the others as they are). Then it answers each sender (`ack` or `error`)
  and publishes the accepted changes, each encoded to JSON once, to the room's group in one
  channel-layer message.
- **Fan-out.** The room is in its group with one channel per process. What arrives there —
  changes written here or by another process, people joining and leaving — is collected and,
  at most every `spacing()` seconds, passed to every local connection as one piece of text.
- **One outbox per connection.** A task per connection sends what is queued for it, several
  messages as one frame (``{"type": "batch", "messages": [...]}``), so a slow network holds
  up that person only. A connection more than `MAX_BEHIND` messages behind is closed with
  `FELL_BEHIND`; the browser reconnects and catches up from the last version it applied.
- **Presence.** The rooms of all processes tell each other, through the group, which
  connections they hold: a room announces a new connection, the others answer with theirs, a
  closing connection says goodbye. Someone is here while any of their tabs is.

Each event loop has its own rooms (`room_for`), and a room stops when its last connection
leaves.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from channels.exceptions import ChannelFull
from django.db import connections
from django.utils import translation

from . import live
from .models import Workshop
from .wire import change_message, changes_event, encode, group_name

log = logging.getLogger(__name__)

MAX_BATCH = 256  # operations written in one transaction
MAX_BEHIND = 5000  # messages waiting for one connection before it is closed
FELL_BEHIND = 4008  # close code: the browser reconnects and catches up
SEEN_EVERY = 60.0  # seconds between updates of a participant's last_seen
# The fan-out waits this long per local connection between two sends, at most MAX_SPACING:
# nothing in a small room (4 ms for 20 people), and fewer, fuller frames in a big one.
SPACING_PER_CONNECTION = 0.0002
MAX_SPACING = 0.1


class Socket(Protocol):
    """What a room needs of a connection's consumer."""

    async def send(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Send one websocket text frame."""

    async def close(self, code: int | None = None, reason: str | None = None) -> None:
        """Close the websocket."""


class Outbox:
    """What waits to be sent to one connection, sent by a task of its own in arrival order."""

    def __init__(self, socket: Socket):
        self.socket = socket
        self.pieces: list[str] = []  # encoded messages, or several joined by commas
        self.count = 0  # messages in `pieces`
        self.ready = asyncio.Event()
        self.closed = False
        self.task = asyncio.create_task(self._run())

    def put(self, piece: str, count: int = 1) -> None:
        if self.closed:
            return
        self.pieces.append(piece)
        self.count += count
        if self.count > MAX_BEHIND:
            # Too far behind to catch up by sending everything: start it again from its version.
            self.pieces, self.count, self.closed = [], 0, True
            self.closing = asyncio.create_task(self.socket.close(code=FELL_BEHIND))
            return
        self.ready.set()

    async def _run(self) -> None:
        while not self.closed:
            await self.ready.wait()
            self.ready.clear()
            pieces, count = self.pieces, self.count
            self.pieces, self.count = [], 0
            if not pieces:
                continue
            if count == 1:
                frame = pieces[0]
            else:
                frame = '{"type":"batch","messages":[' + ",".join(pieces) + "]}"
            try:
                await self.socket.send(text_data=frame)
            except Exception:  # the connection went away; its disconnect stops this task
                log.debug("could not send to a room connection", exc_info=True)
                return

    def stop(self) -> None:
        self.closed = True
        self.task.cancel()


@dataclass(eq=False)
class Connection:
    """One browser tab in the room, in this process."""

    key: str  # unique across processes: the consumer's channel name
    sender: live.Sender
    language: str
    me: dict  # the participant as presence shows them
    outbox: Outbox

    def put(self, message: dict) -> None:
        self.outbox.put(encode(message))


@dataclass
class _Work:
    connection: Connection
    request: live.Request


@dataclass
class _Presence:
    """The last presence event not yet sent to the local connections."""

    event: str
    participant: dict


@dataclass(eq=False)
class Room:
    workshop: Workshop
    layer: Any  # the channel layer
    group: str = ""
    channel: str = ""
    local: dict[str, Connection] = field(default_factory=dict)
    everyone: dict[str, dict] = field(default_factory=dict)  # connection key -> participant
    queue: list[_Work] = field(default_factory=list)
    started: asyncio.Event = field(default_factory=asyncio.Event)
    stopped: bool = False
    # What the next flush sends every local connection: changes (encoded, joined by commas)
    # and the last news of who is here.
    _pending: list[str] = field(default_factory=list, init=False)
    _pending_count: int = field(default=0, init=False)
    _presence: _Presence | None = field(default=None, init=False)
    _flush_at: asyncio.TimerHandle | None = field(default=None, init=False)
    _last_flush: float = field(default=0.0, init=False)
    _seen: dict[int, float] = field(default_factory=dict, init=False)  # participant -> when
    _work: asyncio.Event = field(default_factory=asyncio.Event, init=False)

    # --- Life ---------------------------------------------------------------------------------

    async def start(self) -> None:
        self.group = group_name(self.workshop.pk)
        self.channel = await self.layer.new_channel()
        await self.layer.group_add(self.group, self.channel)
        self._listener = asyncio.create_task(self._listen())
        self._writer = asyncio.create_task(self._write())
        self.started.set()

    async def stop(self) -> None:
        """Leave the group; the writer finishes what is queued first."""
        self.stopped = True
        self._listener.cancel()
        if self._flush_at is not None:
            self._flush_at.cancel()
        self._work.set()
        with contextlib.suppress(Exception):
            await self.layer.group_discard(self.group, self.channel)

    # --- Connections and presence -------------------------------------------------------------

    async def add(self, key: str, sender: live.Sender, language: str, socket: Socket) -> Connection:
        me = live.participant_as_json(sender.participant)
        connection = Connection(key, sender, language, me, Outbox(socket))
        self.local[key] = connection
        self._arrived({key: me})
        await self._publish({"type": "presence.join", "hub": self.channel, "conns": {key: me}})
        return connection

    async def remove(self, connection: Connection) -> None:
        connection.outbox.stop()
        self.local.pop(connection.key, None)
        self._left([connection.key])
        await self._publish(
            {"type": "presence.leave", "hub": self.channel, "conns": [connection.key]}
        )

    def participants(self) -> list[dict]:
        """Who is here now, once each, with how many tabs they have open."""
        people: dict[int, dict] = {}
        for participant in self.everyone.values():
            entry = people.setdefault(participant["id"], {**participant, "tabs": 0})
            entry["tabs"] += 1
        return sorted(people.values(), key=lambda p: (p["name"].casefold(), p["id"]))

    def _arrived(self, conns: dict[str, dict], event: str = "join") -> None:
        ids = {p["id"] for p in self.everyone.values()}
        self.everyone.update(conns)
        for participant in conns.values():
            if participant["id"] not in ids:
                self._presence_changed(event, participant)

    def _left(self, keys: list[str]) -> None:
        gone = [self.everyone.pop(key) for key in keys if key in self.everyone]
        ids = {p["id"] for p in self.everyone.values()}
        for participant in gone:
            if participant["id"] not in ids:
                self._presence_changed("leave", participant)

    def _presence_changed(self, event: str, participant: dict) -> None:
        self._presence = _Presence(event, participant)
        self._schedule()

    # --- Operations ---------------------------------------------------------------------------

    def submit(self, connection: Connection, request: live.Request) -> None:
        """Queue an operation for the writer; its sender is answered once it is written."""
        self.queue.append(_Work(connection, request))
        self._work.set()

    async def _write(self) -> None:
        while True:
            await self._work.wait()
            self._work.clear()
            while self.queue:
                work, self.queue = self.queue[:MAX_BATCH], self.queue[MAX_BATCH:]
                try:
                    await self._write_batch(work)
                except Exception:  # e.g. the channel layer unreachable: keep writing the rest
                    log.exception("room %s: a batch was written but not all sent", self.group)
            if self.stopped:
                return

    async def _write_batch(self, work: list[_Work]) -> None:
        now = time.monotonic()
        touch = set()
        for item in work:
            participant = item.connection.sender.participant.pk
            if now - self._seen.get(participant, 0.0) >= SEEN_EVERY:
                self._seen[participant] = now
                touch.add(participant)
        requests = [(w.connection.sender, w.request, w.connection.language) for w in work]
        try:
            results = await _perform_many(self.workshop, requests, touch)
        except Exception:
            log.exception(
                "writing %d operations of workshop %s failed", len(work), self.workshop.pk
            )
            results = [None] * len(work)
        changes = []
        for item, result in zip(work, results, strict=True):
            connection, seq = item.connection, item.request.seq
            if result is None:  # the whole lot failed: nothing of it was written
                with translation.override(connection.language):
                    result = live.server_problem()
            if isinstance(result, live.Problem):
                connection.put(problem_message(result, seq))
            else:
                if not result.repeated:  # the first time it was applied, it was broadcast
                    by = connection.sender.participant.pk
                    changes.append(
                        encode(change_message(result.version, result.kind, result.payload, by))
                    )
                connection.put(
                    {"type": "ack", "seq": seq, "version": result.version, "result": result.payload}
                )
        if changes:
            await self._publish(changes_event(changes))

    # --- The group ----------------------------------------------------------------------------

    async def _publish(self, message: dict) -> None:
        try:
            await self.layer.group_send(self.group, message)
        except ChannelFull:  # the in-memory layer drops silently; channels_redis may raise
            log.warning("room %s: the channel layer refused a message", self.group)

    async def _listen(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except Exception:  # Redis gone for a moment: try again, and say so once a second
                log.exception("room %s cannot hear its group", self.group)
                await asyncio.sleep(1)
                continue
            try:
                await self._heard(message)
            except Exception:
                log.exception("room %s could not handle %s", self.group, message.get("type"))

    async def _heard(self, message: dict) -> None:
        kind = message.get("type")
        if kind == "room.changes":
            self._pending.append(message["changes"])
            self._pending_count += message["count"]
            self._schedule()
        elif kind == "presence.join" and message["hub"] != self.channel:
            self._arrived(message["conns"])
            mine = {key: c.me for key, c in self.local.items()}
            if mine:
                with contextlib.suppress(ChannelFull):
                    await self.layer.send(message["hub"], {"type": "presence.here", "conns": mine})
        elif kind == "presence.here":
            self._arrived(message["conns"], "here")
        elif kind == "presence.leave" and message["hub"] != self.channel:
            self._left(message["conns"])

    # --- Fan-out ------------------------------------------------------------------------------

    def spacing(self) -> float:
        return min(MAX_SPACING, SPACING_PER_CONNECTION * len(self.local))

    def _schedule(self) -> None:
        if self._flush_at is not None or self.stopped:
            return
        loop = asyncio.get_running_loop()
        delay = max(0.0, self._last_flush + self.spacing() - loop.time())
        self._flush_at = loop.call_later(delay, self._flush)

    def _flush(self) -> None:
        self._flush_at = None
        self._last_flush = asyncio.get_running_loop().time()
        pieces, count = self._pending, self._pending_count
        self._pending, self._pending_count = [], 0
        if self._presence is not None:
            news, self._presence = self._presence, None
            pieces.append(
                encode(
                    {
                        "type": "presence",
                        "event": news.event,
                        "participant": news.participant,
                        "participants": self.participants(),
                    }
                )
            )
            count += 1
        if not pieces:
            return
        piece = ",".join(pieces)
        for connection in self.local.values():
            connection.outbox.put(piece, count)


def problem_message(problem: live.Problem, seq: Any) -> dict:
    return {
        "type": "error",
        "seq": seq,
        "code": problem.code,
        "message": str(problem),
        "errors": problem.errors,
    }


# The rooms of this process write in one thread of their own, which keeps its database
# connection from one batch to the next. Channels' database thread opens and closes one around
# every call (as CONN_MAX_AGE = 0 asks of requests): in a room of 20, where most batches hold one
# change, that was a fifth of the server's CPU.
_writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live-writer")


async def _perform_many(workshop: Workshop, requests: list, touch: set[int]) -> list:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_writer, _write, workshop, requests, touch)


def _write(workshop: Workshop, requests: list, touch: set[int]) -> list:
    try:
        return live.perform_many(workshop, requests, touch)
    except Exception:
        connections.close_all()  # the next batch starts with a new connection
        raise


# --- The rooms of this process -----------------------------------------------------------------

_rooms: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, Room]] = (
    weakref.WeakKeyDictionary()
)


async def enter(
    layer: Any, workshop: Workshop, key: str, sender: live.Sender, language: str, socket: Socket
) -> tuple[Room, Connection]:
    """Add a connection to the workshop's room in this process, starting the room if needed."""
    rooms = _rooms.setdefault(asyncio.get_running_loop(), {})
    room = rooms.get(workshop.pk)
    if room is None or room.stopped:
        room = rooms[workshop.pk] = Room(workshop, layer)
        await room.start()
    else:
        await room.started.wait()
    return room, await room.add(key, sender, language, socket)


async def leave(room: Room, connection: Connection) -> None:
    """Take a connection out of its room; the last one out stops the room."""
    await room.remove(connection)
    if not room.local and not room.stopped:
        rooms = _rooms.get(asyncio.get_running_loop(), {})
        if rooms.get(room.workshop.pk) is room:
            del rooms[room.workshop.pk]
        await room.stop()
