"""The websocket of a live workshop room: one connection per browser tab.

The consumer only carries messages: who is connected (presence), reading the client's message,
and sending answers and broadcasts. What an operation does is `live.py`, run in a worker thread
because it uses the database. The protocol is described in docs/workshops.md.

Presence works across server processes because it travels through the channel layer too: a
new connection announces itself to the room's group, every other connection answers it
directly, and a closing one says goodbye; each connection keeps the room's list that way, and
a participant is "here" while any of their tabs is.
"""

import contextlib
import json
import time
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import ChannelFull
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header

from . import join, live
from .controls import state_of
from .models import Participant, Workshop
from .views import RUN

# Close codes (4000-4999 are the application's): the client does not reconnect after these.
NO_SUCH_ROOM = 4404
NOT_A_PARTICIPANT = 4403
# Participant.last_seen is written on connecting and then at most this often per connection.
SEEN_EVERY = 60  # seconds


def group_name(workshop: Workshop) -> str:
    return f"workshop-{workshop.pk}"


def _language(scope: dict) -> str:
    """The language the room's page was shown in, as LocaleMiddleware chose it: the switcher's
    cookie, else the browser's Accept-Language, else the default."""
    supported = {code for code, _name in settings.LANGUAGES}

    def variant(code: str) -> str | None:
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            return None

    cookie = scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME)
    if cookie in supported:
        return cookie
    headers = dict(scope.get("headers", []))
    accept = headers.get(b"accept-language", b"").decode("latin-1")
    for code, _quality in parse_accept_lang_header(accept):
        if code != "*" and (found := variant(code)):
            return found
    return settings.LANGUAGE_CODE


@database_sync_to_async
def _enter(room, scope: dict) -> tuple[Workshop | None, live.Sender | None]:
    """The workshop of the room and who this connection is in it (None if not let in), as the
    room page decides: its participants, and its facilitator even before joining."""
    workshop = (
        Workshop.objects.select_related("project__workspace", "facilitator")
        .filter(room=room)
        .first()
    )
    if workshop is None:
        return None, None
    user, session = scope["user"], scope["session"]
    participant = join.participant_for(workshop, user, session)
    if participant is None and user.is_authenticated and user.pk == workshop.facilitator_id:
        participant = join.join_member(workshop, user)
    if participant is None:
        return workshop, None
    return workshop, live.Sender(participant, user.has_perm(RUN, workshop))


@database_sync_to_async
def _welcome(workshop: Workshop, since: Any) -> tuple[dict, list[dict]]:
    """The state of the room now, and the changes a client that saw `since` has missed (or the
    whole room, when it saw nothing or is too far behind)."""
    changes = None
    if isinstance(since, int) and not isinstance(since, bool) and since >= 0:
        changes = live.changes_since(workshop, since)
    workshop.refresh_from_db()
    welcome = {"type": "welcome", "version": workshop.version, "state": state_of(workshop)}
    if changes is None:
        welcome["snapshot"] = live.snapshot(workshop)
        return welcome, []
    return welcome, changes


@database_sync_to_async
def _touch(participant_id: int) -> None:
    """Record that the participant is in the room now (one UPDATE, no signals)."""
    Participant.objects.filter(pk=participant_id).update(last_seen=timezone.now())


@database_sync_to_async
def _perform(workshop: Workshop, sender: live.Sender, request: live.Request):
    return live.perform(workshop, sender, request)


class RoomConsumer(AsyncWebsocketConsumer):
    """One browser tab in one workshop room."""

    async def connect(self) -> None:
        self.workshop, self.sender = await _enter(
            self.scope["url_route"]["kwargs"]["room"], self.scope
        )
        self.group = None
        if self.workshop is None or self.sender is None:
            await self.close(code=NO_SUCH_ROOM if self.workshop is None else NOT_A_PARTICIPANT)
            return
        self.me = live.participant_as_json(self.sender.participant)
        self.here: dict[str, dict] = {self.channel_name: self.me}
        self.group = group_name(self.workshop)
        self.language = _language(self.scope)
        self.seen_at = 0.0
        await self.seen()
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.channel_layer.group_send(
            self.group,
            {"type": "presence.join", "channel": self.channel_name, "participant": self.me},
        )

    async def disconnect(self, code: int) -> None:
        if self.group is None:
            return
        await self.channel_layer.group_discard(self.group, self.channel_name)
        await self.channel_layer.group_send(
            self.group,
            {"type": "presence.leave", "channel": self.channel_name, "participant": self.me},
        )

    async def send_json(self, content: dict) -> None:
        await self.send(text_data=json.dumps(content))

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None):
        # Errors, and the names of steps and boards in a snapshot, in the language of the page.
        with translation.override(self.language):
            await self._receive(text_data)

    async def _receive(self, text_data: str | None) -> None:
        seq = None
        try:
            if text_data is None:
                raise live.Problem("malformed", _("Send messages as JSON text."))
            message = live.read(text_data)
            seq = message.get("seq")
            if message.get("type") == "hello":
                await self.hello(message.get("since"))
                return
            request = live.request_of(message)
            change = await _perform(self.workshop, self.sender, request)
        except live.Problem as problem:
            await self.send_json(
                {
                    "type": "error",
                    "seq": seq,
                    "code": problem.code,
                    "message": str(problem),
                    "errors": problem.errors,
                }
            )
            return
        await self.seen()
        await self.send_json(
            {"type": "ack", "seq": request.seq, "version": change.version, "result": change.payload}
        )
        if not change.repeated:  # the first time it was applied, it was broadcast
            await self.channel_layer.group_send(
                self.group,
                {
                    "type": "room.change",
                    "change": {
                        "type": "change",
                        "version": change.version,
                        "kind": change.kind,
                        "payload": change.payload,
                        "by": self.sender.participant.pk,
                    },
                },
            )

    async def seen(self) -> None:
        """Update the participant's last_seen on connecting and after an accepted operation,
        at most once every SEEN_EVERY seconds for this connection."""
        now = time.monotonic()
        if self.seen_at and now - self.seen_at < SEEN_EVERY:
            return
        self.seen_at = now
        await _touch(self.sender.participant.pk)

    async def hello(self, since: Any) -> None:
        welcome, changes = await _welcome(self.workshop, since)
        await self.send_json({**welcome, "participants": self.participants(), "you": self.you()})
        for change in changes:
            await self.send_json(change)

    def you(self) -> dict:
        return {**self.me, "can_run": self.sender.can_run}

    def participants(self) -> list[dict]:
        """Who is here now, once each, with how many tabs they have open."""
        people: dict[int, dict] = {}
        for participant in self.here.values():
            entry = people.setdefault(participant["id"], {**participant, "tabs": 0})
            entry["tabs"] += 1
        return sorted(people.values(), key=lambda p: (p["name"].casefold(), p["id"]))

    # --- Messages from the room's group -------------------------------------------------------

    async def dispatch(self, message: dict) -> None:
        """Group events (`room.*`, `presence.*`) go straight to their handler: they never use
        the database, and Channels would otherwise close old database connections first, which
        waits in the one database thread behind every write of the room — one wait per person
        for each change (benchmarks/workshop_load.py: p95 about 40% lower without it)."""
        if message["type"].startswith(("room.", "presence.")):
            handler = getattr(self, get_handler_name(message), None)
            if handler is not None:
                await handler(message)
                return
        await super().dispatch(message)

    async def room_change(self, event: dict) -> None:
        await self.send_json(event["change"])

    async def presence_join(self, event: dict) -> None:
        if event["channel"] == self.channel_name:
            return
        with contextlib.suppress(ChannelFull):  # a newcomer swamped by a big room: it will
            await self.channel_layer.send(  # still see this person's next change and leave
                event["channel"],
                {"type": "presence.here", "channel": self.channel_name, "participant": self.me},
            )
        await self._seen(event, "join")

    async def presence_here(self, event: dict) -> None:
        await self._seen(event, "here")

    async def _seen(self, event: dict, kind: str) -> None:
        ids = {p["id"] for p in self.here.values()}
        self.here[event["channel"]] = event["participant"]
        if event["participant"]["id"] not in ids:
            await self._presence(kind, event["participant"])

    async def presence_leave(self, event: dict) -> None:
        if self.here.pop(event["channel"], None) is None:
            return
        if event["participant"]["id"] not in {p["id"] for p in self.here.values()}:
            await self._presence("leave", event["participant"])

    async def _presence(self, event: str, participant: dict) -> None:
        await self.send_json(
            {
                "type": "presence",
                "event": event,
                "participant": participant,
                "participants": self.participants(),
            }
        )
