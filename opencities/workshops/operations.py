"""The one way a workshop changes: check, write, count, log — in one transaction.

`apply` locks the workshop row, runs the change, bumps `Workshop.version` and writes an
`Operation` carrying the new version. The facilitator controls (`controls.py`), the agenda
(`agenda.py`) and the live layer's own operations (notes, dots, map edits) all go through it, so
the log holds every accepted change in order: a client that comes back catches up from the
operations after the last version it saw, and an operation sent twice (same client id and
sequence number, e.g. resent after a dropped connection) is answered from the log instead of
being applied again.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import Operation, Participant, Workshop

# Kinds the live layer logs for map edits, with ``{"map": <map id>, "id": <node or exchange id>}``
# in the payload: the summary lists the nodes and exchanges a workshop added from them.
NODE_ADDED = "node.add"
EXCHANGE_ADDED = "exchange.add"


class Refused(ValueError):
    """A change that cannot be made as asked; the message says why, in words for the person
    who asked. Nothing was changed."""


@dataclass(frozen=True)
class Origin:
    """Who asked for a change and, for a live client, which of its operations this is."""

    participant: Participant | None = None
    client_id: str = ""
    client_seq: int = 0


SERVER = Origin()


@dataclass(frozen=True)
class Change:
    """An accepted change: its kind, what changed (plain JSON, as broadcast) and the workshop
    version it made. ``repeated`` when it had been applied before and was only looked up."""

    kind: str
    payload: dict
    version: int
    repeated: bool = False


def apply(
    workshop: Workshop,
    kind: str,
    change: Callable[[Workshop], dict],
    origin: Origin = SERVER,
) -> Change:
    """Run ``change(locked_workshop)`` and record it as the next version of the workshop.

    `change` gets a fresh copy of the workshop, read after taking the write lock, makes its
    changes (saving whatever it changes, the workshop included) and returns the payload to log
    and broadcast; it raises `Refused` to change nothing. `workshop` is refreshed afterwards.
    """
    with transaction.atomic():
        current = Workshop.objects.select_for_update().get(pk=workshop.pk)
        if origin.client_id:
            done = Operation.objects.filter(
                workshop=current, client_id=origin.client_id, client_seq=origin.client_seq
            ).first()
            if done is not None:
                return Change(done.kind, done.payload, done.version, repeated=True)
        payload = change(current)
        current.version += 1
        Workshop.objects.filter(pk=current.pk).update(
            version=current.version, updated=timezone.now()
        )
        Operation.objects.create(
            workshop=current,
            version=current.version,
            participant=origin.participant,
            client_id=origin.client_id,
            client_seq=origin.client_seq,
            kind=kind,
            payload=payload,
        )
    workshop.refresh_from_db()
    return Change(kind, payload, current.version)
