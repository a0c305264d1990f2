"""The one way a workshop changes: check, write, count, log — in one transaction.

`apply` runs a change on the locked workshop row, adds one to `Workshop.version` and logs an
`Operation` carrying the new version. The facilitator controls (`controls.py`), the agenda
(`agenda.py`) and the live layer's own operations (notes, dots, map edits) all go through it, so
the log holds every accepted change in order: a client that comes back catches up from the
operations after the last version it saw, and an operation sent twice (same client id and
sequence number, e.g. resent after a dropped connection) is answered from the log instead of
being applied again.

Changes can also be written in a batch (`batch`): the live room writes everything its people
sent in the last few milliseconds in one transaction — one lock of the workshop row, one check
for repeats, one insert of the log and one commit for all of them — while every change still runs
in a savepoint of its own, so a refused one leaves the others as they are. Inside a batch,
`apply` joins it.
"""

import contextlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import connections, models, router, transaction
from django.utils import timezone

from .models import Operation, Participant, Workshop
from .wire import announce, change_message

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

    @property
    def key(self) -> tuple[str, int] | None:
        return (self.client_id, self.client_seq) if self.client_id else None


SERVER = Origin()


@dataclass(frozen=True)
class Change:
    """An accepted change: its kind, what changed (plain JSON, as broadcast) and the workshop
    version it made. ``repeated`` when it had been applied before and was only looked up."""

    kind: str
    payload: dict
    version: int
    repeated: bool = False


class Writes:
    """Rows to insert and update at once: new rows by model, in the order the models first
    come (so a row goes in after the rows it points to), rows to update by model and fields,
    and what waits for the new rows' ids."""

    def __init__(self) -> None:
        self.inserts: dict[type[models.Model], list[models.Model]] = {}
        self.updates: dict[tuple[type[models.Model], tuple[str, ...]], dict] = {}
        self.then: list[Callable[[], None]] = []

    def __bool__(self) -> bool:
        return bool(self.inserts or self.updates or self.then)

    def merge(self, other: "Writes") -> None:
        for model, rows in other.inserts.items():
            self.inserts.setdefault(model, []).extend(rows)
        for key, rows in other.updates.items():
            self.updates.setdefault(key, {}).update(rows)
        self.then.extend(other.then)

    def flush(self) -> None:
        for model in _referenced_first(list(self.inserts)):
            _insert_rows(model, self.inserts[model], with_ids=True)
        for (model, fields), rows in self.updates.items():
            _update_rows(model, fields, list(rows.values()))
        for then in self.then:
            then()
        self.__init__()


def _update_rows(model: type[models.Model], names: tuple[str, ...], rows: list) -> None:
    """Save these fields of the rows with one statement run for every row.

    The same as ``row.save(update_fields=names)`` for each, without building the statement
    again each time (nor `bulk_update`'s CASE expressions, slower still): the room writes
    hundreds of notes a second this way."""
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(meta.db_table),
        ", ".join(f"{quote(field.column)} = %s" for field in fields),
        quote(meta.pk.column),
    )
    params = [
        [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields]
        + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _insert_rows(model: type[models.Model], rows: list, with_ids: bool = False) -> None:
    """Insert new rows with one statement run for every row (as `_update_rows`; `bulk_create`
    builds one statement holding every value, slower to build than to run). `with_ids` gives
    each row its new id, which SQLite tells row by row; other databases use `bulk_create`."""
    connection = connections[router.db_for_write(model)]
    if with_ids and connection.vendor != "sqlite":
        model.objects.bulk_create(rows)
        return
    quote = connection.ops.quote_name
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    params = []
    for row in rows:
        row._prepare_related_fields_for_save(operation_name="bulk_create")  # ids of new targets
        params.append(
            [field.get_db_prep_save(field.pre_save(row, True), connection) for field in fields]
        )
    with connection.cursor() as cursor:
        if not with_ids:
            cursor.executemany(sql, params)
            return
        for row, values in zip(rows, params, strict=True):
            cursor.execute(sql, values)
            row.pk = cursor.lastrowid
            row._state.adding, row._state.db = False, connection.alias


def _referenced_first(waiting: list[type[models.Model]]) -> list[type[models.Model]]:
    """The models in an order where each comes after the others it points to."""
    ordered: list[type[models.Model]] = []
    while waiting:
        for model in waiting:
            targets = {f.related_model for f in model._meta.concrete_fields if f.is_relation}
            if not targets & (set(waiting) - {model}):
                break
        else:  # pointing at each other: no order helps, keep theirs
            return ordered + waiting
        ordered.append(model)
        waiting = [other for other in waiting if other is not model]
    return ordered


class Batch:
    """Changes to one workshop written in one transaction, on its locked row.

    Made by `batch`; `apply` inside it runs each change in a savepoint, counts the version in
    memory and keeps the log entries until the batch ends, when they are inserted at once and
    the workshop's version is written. Changes of the kinds in `deferrable` may leave their
    own rows to `insert_later` and `update_later`, written at once before any other kind of
    change runs and when the batch ends."""

    def __init__(
        self, workshop_pk: int, keys: Iterable[tuple[str, int]], deferrable: frozenset[str]
    ):
        self.pk = workshop_pk
        self.workshop = Workshop.objects.select_for_update().get(pk=workshop_pk)
        self.version = self.workshop.version
        self.logged: list[Operation] = []
        self.done = _logged_already(workshop_pk, list(keys))
        self.memo: dict[Any, Any] = {}
        self.deferrable = deferrable
        self.writes = Writes()  # of the changes accepted so far
        self.staged: Writes | None = None  # of the deferrable change running now

    def apply(self, kind: str, change: Callable[[Workshop], dict], origin: Origin) -> Change:
        key = origin.key
        if key is not None and key in self.done:
            done = self.done[key]
            return Change(done.kind, done.payload, done.version, repeated=True)
        if kind not in self.deferrable:
            self.writes.flush()  # it reads the database: let it see every change before it
        self.workshop.version = self.version
        deferring = kind in self.deferrable
        self.staged = Writes() if deferring else None
        try:
            # A deferrable change leaves its writes for later: refused, it has nothing to undo.
            with contextlib.nullcontext() if deferring else transaction.atomic():
                payload = change(self.workshop)
        except BaseException:
            # The savepoint is rolled back; forget what the change set on the row in memory too
            # (after writing what the changes before it left for later: they were read from
            # the memo, which is cleared).
            self.staged = None
            self.writes.flush()
            self.workshop = Workshop.objects.get(pk=self.pk)
            self.memo.clear()
            raise
        if self.staged is not None:
            self.writes.merge(self.staged)
            self.staged = None
        self.version += 1
        operation = Operation(
            workshop_id=self.pk,
            version=self.version,
            participant=origin.participant,
            client_id=origin.client_id,
            client_seq=origin.client_seq,
            kind=kind,
            payload=payload,
            created=timezone.now(),
        )
        self.logged.append(operation)
        if key is not None:
            self.done[key] = operation
        return Change(kind, payload, self.version)

    def finish(self) -> None:
        self.writes.flush()
        if not self.logged:
            return
        _insert_rows(Operation, self.logged)
        Workshop.objects.filter(pk=self.pk).update(version=self.version, updated=timezone.now())


_current: ContextVar[Batch | None] = ContextVar("workshop_batch", default=None)


def _logged_already(workshop_pk: int, keys: list[tuple[str, int]]) -> dict:
    """The operations of `keys` (client id, sequence) the log already holds, by key."""
    if not keys:
        return {}
    wanted = set(keys)
    candidates = (
        Operation.objects.filter(
            workshop=workshop_pk,
            client_id__in={client for client, _seq in wanted},
            client_seq__in={seq for _client, seq in wanted},
        )
        .only("kind", "payload", "version", "client_id", "client_seq")
        .order_by()
    )
    return {
        (op.client_id, op.client_seq): op
        for op in candidates
        if (op.client_id, op.client_seq) in wanted
    }


@contextmanager
def batch(
    workshop: Workshop,
    keys: Iterable[tuple[str, int]] = (),
    deferrable: Iterable[str] = (),
) -> Iterator[Batch]:
    """Write the changes `apply` makes inside the block in one transaction.

    `keys` are the (client id, sequence) of the client operations to come, looked up in the
    log at once; changes of the kinds in `deferrable` may write their rows later, all at once
    (`insert_later`, `update_later`). An exception out of the block writes nothing at all."""
    with transaction.atomic():
        current = Batch(workshop.pk, keys, frozenset(deferrable))
        token = _current.set(current)
        try:
            yield current
        finally:
            _current.reset(token)
        current.finish()


def insert_later(row: models.Model, then: Callable[[], None] | None = None) -> None:
    """Insert a new row (and then run `then`) with the other rows of the batch at its end, or
    now when no batch of deferrable changes is being written."""
    current = _current.get()
    if current is None or current.staged is None:
        row.save(force_insert=True)
        if then is not None:
            then()
        return
    current.staged.inserts.setdefault(type(row), []).append(row)
    if then is not None:
        current.staged.then.append(then)


def update_later(row: models.Model, fields: Iterable[str]) -> None:
    """Save these fields of a row with the other rows of the batch, or now (see `insert_later`).
    A row still waiting to be inserted is inserted with its values then."""
    current = _current.get()
    fields = tuple(fields)
    if current is None or current.staged is None:
        row.save(update_fields=fields)
        return
    if row.pk is None:
        return
    current.staged.updates.setdefault((type(row), fields), {})[row.pk] = row


def memo(key: Any, compute: Callable[[], Any]) -> Any:
    """``compute()``, kept for the rest of the batch when one is being written (a lookup many
    changes of one batch make, like the canvas section behind a board)."""
    current = _current.get()
    if current is None:
        return compute()
    if key not in current.memo:
        current.memo[key] = compute()
    return current.memo[key]


def apply(
    workshop: Workshop,
    kind: str,
    change: Callable[[Workshop], dict],
    origin: Origin = SERVER,
) -> Change:
    """Run ``change(locked_workshop)`` and record it as the next version of the workshop.

    `change` gets the workshop as read after taking the write lock, makes its changes (saving
    whatever it changes, the workshop included) and returns the payload to log and broadcast;
    it raises (`Refused`, or the caller's own error) to change nothing. Outside a batch (a
    page, a command, a test) the change is a transaction of its own, announced to the
    workshop's live room once committed, and `workshop` is refreshed afterwards.
    """
    current = _current.get()
    if current is not None and current.pk == workshop.pk:
        return current.apply(kind, change, origin)
    with batch(workshop, [origin.key] if origin.key else []) as single:
        result = single.apply(kind, change, origin)
        by = origin.participant.pk if origin.participant else None
        message = change_message(result.version, result.kind, result.payload, by)
        if not result.repeated:  # tell the people in the room, once it is written
            transaction.on_commit(lambda: announce(workshop.pk, message))
    workshop.refresh_from_db()
    return result
