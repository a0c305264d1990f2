"""What the live room sends, as text: shared by the room (`hub.py`) and by changes made outside
it (`operations.apply` from a page), which announce themselves to the room's group."""

import json
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

log = logging.getLogger(__name__)


def encode(message: dict) -> str:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


def group_name(workshop_pk: int) -> str:
    """The channel-layer group of a workshop's rooms (one member per server process)."""
    return f"workshop-{workshop_pk}"


def change_message(version: int, kind: str, payload: dict, by: int | None) -> dict:
    return {"type": "change", "version": version, "kind": kind, "payload": payload, "by": by}


def changes_event(encoded: list[str]) -> dict:
    """The channel-layer event carrying changes, each encoded once, to every process's room."""
    return {"type": "room.changes", "changes": ",".join(encoded), "count": len(encoded)}


def announce(workshop_pk: int, message: dict) -> None:
    """Send one change made outside the room (a page, a command) to the people in it.

    From synchronous code only. Where this thread already runs an event loop (a test driving
    a browser), there is no room to tell: the change waits in the log, and tabs fetch it with
    the next change they see after it."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group_name(workshop_pk), changes_event([encode(message)]))
    except RuntimeError as error:  # "You cannot use AsyncToSync in the same thread as..."
        log.debug("change of workshop %s not announced: %s", workshop_pk, error)
