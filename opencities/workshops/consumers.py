"""The websocket of a live workshop room: one connection per browser tab.

The consumer lets the tab in (or not), reads its messages and answers `hello` with the room as
it is. Everything else goes through the tab's `hub.Room` — the workshop's room in this server
process — which writes the operations (`live.py`, in the database thread, several at once),
answers them, and sends the room's changes and presence to every tab. The protocol is
described in docs/workshops.md.
"""

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header

from . import hub, join, live
from .controls import state_of
from .models import Participant, Workshop
from .views import RUN

# Close codes (4000-4999 are the application's): the client does not reconnect after these.
NO_SUCH_ROOM = 4404
NOT_A_PARTICIPANT = 4403


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
    Participant.objects.filter(pk=participant.pk).update(last_seen=timezone.now())
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


class RoomConsumer(AsyncWebsocketConsumer):
    """One browser tab in one workshop room."""

    room: hub.Room | None = None
    connection: hub.Connection | None = None

    async def connect(self) -> None:
        self.workshop, self.sender = await _enter(
            self.scope["url_route"]["kwargs"]["room"], self.scope
        )
        if self.workshop is None or self.sender is None:
            await self.close(code=NO_SUCH_ROOM if self.workshop is None else NOT_A_PARTICIPANT)
            return
        self.language = _language(self.scope)
        await self.accept()
        self.room, self.connection = await hub.enter(
            self.channel_layer, self.workshop, self.channel_name, self.sender, self.language, self
        )

    async def disconnect(self, code: int) -> None:
        if self.room is not None and self.connection is not None:
            room, connection, self.room, self.connection = self.room, self.connection, None, None
            await hub.leave(room, connection)

    async def dispatch(self, message: dict) -> None:
        """A message from the browser goes straight to `receive`: it never touches the
        database here (the room's writer does), and Channels would otherwise first close old
        database connections in the one database thread — a wait in line behind every write
        of the process for every message of every person (benchmarks/workshop_load.py)."""
        if message["type"] == "websocket.receive":
            await self.websocket_receive(message)
            return
        await super().dispatch(message)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None):
        if self.connection is None:
            return
        # Errors, and the names of steps and boards in a snapshot, in the language of the page.
        with translation.override(self.language):
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
            except live.Problem as problem:
                self.connection.put(hub.problem_message(problem, seq))
                return
        self.room.submit(self.connection, request)

    async def hello(self, since: Any) -> None:
        welcome, changes = await _welcome(self.workshop, since)
        if self.connection is None:  # closed meanwhile
            return
        you = {**self.connection.me, "can_run": self.sender.can_run}
        self.connection.put({**welcome, "participants": self.room.participants(), "you": you})
        for change in changes:
            self.connection.put(change)
