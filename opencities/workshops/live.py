"""What the live room's messages do: read a client's message, check it, make the change.

Plain Python the websocket consumer (`consumers.py`) calls from a worker thread, and the tests
call directly. A message names an operation (``note.add``, ``dot.add``, ``control.next``,
``node.move``...); each has one handler here that checks the input and the sender's rights and
changes the database through `operations.apply` — so every accepted change is logged with the
next workshop version, and an operation resent with the same client id and sequence number is
answered from the log instead of being applied again. Anything wrong raises `Problem` with a
code and a message for the sender, and nothing is changed.

The rules (see docs/workshops.md, "How live workshops stay consistent"):

- Notes, dots and map edits need a running workshop; controls follow `controls.py`.
- While the workshop is locked only those who may run it (``workshops.run_workshop``) write.
- Everything is looked up inside the sender's own workshop (notes, votes) or the map of its
  current step (nodes, exchanges): an id from elsewhere is "not found".
- Checks that depend on the workshop's state run inside `operations.apply`, on the row it
  locked, so they hold for the change as it is written.
"""

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Q
from django.forms import model_to_dict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opencities.maps.api import EXCHANGE_FIELDS, NEW_EXCHANGE
from opencities.maps.exports import exchange_as_json, map_as_json, node_as_json
from opencities.maps.forms import ExchangeForm, NodeForm
from opencities.maps.layout import place_missing
from opencities.maps.models import EcosystemMap, Exchange, FlowStatus, Node, Role

from . import controls, notes, operations, votes
from .models import (
    NOTE_MAX_LENGTH,
    Dot,
    Note,
    NoteColour,
    Participant,
    Vote,
    VoteState,
    VoteTarget,
    Workshop,
    WorkshopState,
)
from .operations import Change, Origin, Refused, apply
from .wire import change_message

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 64 * 1024
MAX_CLIENT_ID = 64
MAX_TITLE = 200
# A client further behind than this gets the whole room again instead of every change.
CATCH_UP_LIMIT = 500


class Problem(Exception):
    """A message the server will not act on. ``code`` is for the client's logic, the message
    for the person: ``malformed``, ``too_large``, ``unknown_op``, ``invalid``, ``not_found``,
    ``forbidden`` or ``refused``."""

    def __init__(self, code: str, message: str, errors: dict | None = None):
        super().__init__(message)
        self.code = code
        self.errors = errors or {}


@dataclass(frozen=True)
class Sender:
    """Who sent a message: their participant, and whether they may run the workshop."""

    participant: Participant
    can_run: bool


@dataclass(frozen=True)
class Request:
    """One operation from a client, as read from its message."""

    op: str
    client_id: str
    seq: int
    data: dict


def read(text: str) -> dict:
    """The JSON object in a websocket message, refusing oversized and malformed ones."""
    if len(text.encode()) > MAX_MESSAGE_BYTES:
        raise Problem(
            "too_large",
            _("The message is larger than %(limit)d KB.") % {"limit": MAX_MESSAGE_BYTES // 1024},
        )
    try:
        message = json.loads(text)
    except json.JSONDecodeError as error:
        raise Problem(
            "malformed", _("The message is not valid JSON (%(e)s).") % {"e": error}
        ) from None
    if not isinstance(message, dict):
        raise Problem("malformed", _("The message must be a JSON object."))
    return message


def request_of(message: dict) -> Request:
    """The operation a client message asks for: ``op``, ``client_id``, ``seq`` and ``data``."""
    op, client_id, seq = message.get("op"), message.get("client_id"), message.get("seq")
    data = message.get("data", {})
    if not isinstance(op, str) or op not in OPERATIONS:
        raise Problem("unknown_op", _("Unknown operation: %(op)s.") % {"op": op})
    if not isinstance(client_id, str) or not 1 <= len(client_id) <= MAX_CLIENT_ID:
        raise Problem("malformed", _("client_id must be a text of 1 to 64 characters."))
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise Problem("malformed", _("seq must be a whole number from 1 up."))
    if not isinstance(data, dict):
        raise Problem("malformed", _("data must be a JSON object."))
    return Request(op, client_id, seq, data)


def perform(workshop: Workshop, sender: Sender, request: Request) -> Change:
    """Check and make the change a request asks for; `Problem` says why not."""
    origin = Origin(sender.participant, request.client_id, request.seq)
    try:
        return OPERATIONS[request.op](workshop, sender, request.data, origin)
    except Refused as refusal:
        raise Problem("refused", str(refusal)) from None


def server_problem() -> Problem:
    """What the sender hears when the server failed to write their change (nothing of it was)."""
    return Problem("server", _("The server could not save this change: try again."))


def perform_many(
    workshop: Workshop, work: list[tuple[Sender, Request, str]], seen: Iterable[int] = ()
) -> list:
    """Make the changes of several requests (each with the language to answer in) in one
    transaction, in order; each is checked and applied as `perform` would on its own, and a
    refused one changes nothing. Returns, for each, its `Change` or the `Problem`. The
    participants in `seen` are recorded as here now, in the same transaction."""
    results: list[Change | Problem] = []
    keys = [(request.client_id, request.seq) for _sender, request, _language in work]
    with operations.batch(workshop, keys, deferrable=NOTE_OPERATIONS):
        if seen:
            Participant.objects.filter(pk__in=list(seen)).update(last_seen=timezone.now())
        named = {
            pk
            for _sender, request, _language in work
            if request.op in ("note.edit", "note.delete")
            and isinstance(pk := request.data.get("id"), int)
            and not isinstance(pk, bool)
        }
        if named:
            found = _notes(workshop, named)
            for pk in named:
                operations.memo(("note", pk), lambda pk=pk: found.get(pk))
        for sender, request, language in work:
            with translation.override(language):
                try:
                    results.append(perform(workshop, sender, request))
                except Problem as problem:
                    results.append(problem)
                except Exception:  # a fault of ours: that change is rolled back, not the rest
                    log.exception("operation %s of workshop %s failed", request.op, workshop.pk)
                    results.append(server_problem())
    return results


# --- Input ------------------------------------------------------------------------------------


def _only(data: dict, allowed: set[str], required: set[str] = frozenset()) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise Problem("invalid", _("Unknown field: %(f)s.") % {"f": ", ".join(unknown)})
    missing = sorted(required - set(data))
    if missing:
        raise Problem("invalid", _("Missing field: %(f)s.") % {"f": ", ".join(missing)})


def _id(data: dict, field: str = "id") -> int:
    value = data.get(field)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Problem("invalid", _("%(f)s must be a whole number.") % {"f": field})
    return value


def _number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not -1e7 < value < 1e7:
        raise Problem("invalid", _("%(f)s must be a number.") % {"f": field})
    return float(value)


def _text(value: Any, field: str, limit: int, blank: bool = False) -> str:
    if not isinstance(value, str):
        raise Problem("invalid", _("%(f)s must be text.") % {"f": field})
    value = value.strip()
    if not value and not blank:
        raise Problem("invalid", _("%(f)s cannot be empty.") % {"f": field})
    if len(value) > limit:
        raise Problem(
            "invalid",
            _("%(f)s is longer than %(limit)d characters: shorten it.")
            % {"f": field, "limit": limit},
        )
    return value


def _form_problem(form: forms.BaseForm) -> Problem:
    errors = {field: [str(e) for e in messages] for field, messages in form.errors.items()}
    field, messages = next(iter(errors.items()))
    message = messages[0] if field == "__all__" else f"{field}: {messages[0]}"
    return Problem("invalid", message, errors)


# --- Rights -----------------------------------------------------------------------------------


def _may_write(workshop: Workshop, sender: Sender) -> None:
    """Whether the sender may add or change things now (checked on the locked row)."""
    if workshop.state != WorkshopState.RUNNING:
        message = (
            _("The workshop has ended.")
            if workshop.state == WorkshopState.ENDED
            else _("The workshop has not started yet.")
        )
        raise Problem("refused", message)
    if workshop.locked and not sender.can_run:
        raise Problem("forbidden", _("The facilitator has locked editing for now."))


def _must_run(sender: Sender) -> None:
    if not sender.can_run:
        raise Problem("forbidden", _("Only the facilitator and editors run the workshop."))


# --- As JSON ----------------------------------------------------------------------------------


def note_as_json(note: Note) -> dict:
    return {
        "id": note.pk,
        "step": note.step_id,
        "board": note.board,
        "text": note.text,
        "colour": note.colour,
        "x": note.x,
        "y": note.y,
        "author": note.author_id,
        "author_name": note.author.display_name if note.author else "",
        "deleted": note.deleted,
        "version": note.version,
    }


def vote_as_json(vote: Vote) -> dict:
    """The vote with its ranked results and how many dots each participant has placed."""
    spent: dict[str, int] = {}
    for participant_id in vote.dots.values_list("participant_id", flat=True):
        spent[str(participant_id)] = spent.get(str(participant_id), 0) + 1
    return {
        "id": vote.pk,
        "step": vote.step_id,
        "title": vote.title,
        "target": vote.target,
        "dots_per_person": vote.dots_per_person,
        "state": vote.state,
        "results": [
            {"target": key, "label": label, "dots": dots}
            for key, label, dots in votes.results(vote)
        ],
        "spent": spent,
    }


def participant_as_json(participant: Participant) -> dict:
    return {"id": participant.pk, "name": participant.display_name, "kind": participant.kind}


def snapshot(workshop: Workshop) -> dict:
    """The whole room as a client draws it: the controls' state, the agenda with each step's
    boards, the notes, the votes and the map of the current step."""
    workshop.refresh_from_db()
    steps = []
    for step in workshop.steps.all():
        steps.append(
            {**step.as_dict(), "boards": [[key, str(name)] for key, name in notes.boards_for(step)]}
        )
    current = workshop.current_step
    ecosystem_map = current.map if current is not None and current.map_id else None
    return {
        "version": workshop.version,
        "state": controls.state_of(workshop),
        "steps": steps,
        "notes": [
            note_as_json(n) for n in workshop.notes.filter(deleted=False).select_related("author")
        ],
        "votes": [vote_as_json(v) for v in workshop.votes.all()],
        "map": _map_as_json(ecosystem_map) if ecosystem_map else None,
    }


def _map_as_json(ecosystem_map: EcosystemMap) -> dict:
    """The map as the editor loads it, nodes without a position placed (and kept) first, as
    the map's own page does, so every screen and picture starts from the same layout."""
    place_missing(ecosystem_map)
    return map_as_json(ecosystem_map)


def changes_since(workshop: Workshop, since: int) -> list[dict] | None:
    """The logged changes after version `since`, as broadcast; None when the client is too far
    behind (or ahead: the database was replaced) to catch up change by change."""
    current = Workshop.objects.values_list("version", flat=True).get(pk=workshop.pk)
    if since > current or current - since > CATCH_UP_LIMIT:
        return None
    return [
        change_message(v, kind, payload, by)
        for v, kind, payload, by in workshop.operations.filter(version__gt=since)
        .order_by("version")
        .values_list("version", "kind", "payload", "participant_id")
    ]


# --- Notes ------------------------------------------------------------------------------------

NOTE_FIELDS = {"text", "colour", "x", "y"}


def _note_fields(data: dict) -> dict:
    fields: dict[str, Any] = {}
    if "text" in data:
        fields["text"] = _text(data["text"], "text", NOTE_MAX_LENGTH)
    if "colour" in data:
        if data["colour"] not in NoteColour.values:
            raise Problem("invalid", _("Unknown colour: %(c)s.") % {"c": data["colour"]})
        fields["colour"] = data["colour"]
    for axis in ("x", "y"):
        if axis in data:
            fields[axis] = _number(data[axis], axis)
    return fields


def _notes(workshop: Workshop, ids: Iterable[int]) -> dict[int, Note]:
    notes_ = Note.objects.select_related("author", "contribution").filter(
        workshop=workshop, pk__in=list(ids), deleted=False
    )
    return {note.pk: note for note in notes_}


def _note(workshop: Workshop, data: dict) -> Note:
    pk = _id(data)
    # A batch reads the notes its operations name at once (`perform_many`).
    note = operations.memo(("note", pk), lambda: _notes(workshop, [pk]).get(pk))
    if note is None or note.deleted:
        raise Problem("not_found", _("No such note in this workshop: it may have been deleted."))
    note.workshop = workshop
    return note


NOTE_SAVED = ("text", "colour", "x", "y", "deleted", "version", "contribution", "updated")
# Note changes write their rows with the rest of their batch (`operations.insert_later`).
NOTE_OPERATIONS = frozenset({"note.add", "note.edit", "note.delete"})


def _saved_note(note: Note, version: int) -> dict:
    """Stamp the note with the version this change makes, save it and its contribution (with
    the other rows of the batch); the payload has the note as saved."""
    note.version = version
    note.updated = timezone.now()
    dropped = notes.match_contribution(note)
    if dropped is not None:
        dropped.delete()
    if note.pk is not None:
        operations.update_later(note, NOTE_SAVED)
        return {"note": note_as_json(note)}
    payload: dict = {}
    operations.insert_later(note, then=lambda: payload.update(note=note_as_json(note)))
    return payload


def note_add(workshop: Workshop, sender: Sender, data: dict, origin: Origin) -> Change:
    """A note on a board of the current step (``board``, ``text``; ``colour``, ``x``, ``y``)."""
    _only(data, {"board", *NOTE_FIELDS}, {"board", "text"})
    fields = _note_fields(data)

    def change(w: Workshop) -> dict:
        _may_write(w, sender)
        step = w.current_step
        if step is None or not notes.has_board(step, data["board"]):
            raise Problem(
                "invalid", _("This step has no board called %(b)s.") % {"b": data["board"]}
            )
        note = Note(workshop=w, step=step, board=data["board"], author=sender.participant, **fields)
        return _saved_note(note, w.version + 1)

    return apply(workshop, "note.add", change, origin)


def note_edit(workshop: Workshop, sender: Sender, data: dict, origin: Origin) -> Change:
    """Change some of a note's fields; the others stay as they are (last writer wins, per
    field)."""
    _only(data, {"id", *NOTE_FIELDS}, {"id"})
    fields = _note_fields(data)
    if not fields:
        raise Problem("invalid", _("Say what to change: text, colour, x or y."))

    def change(w: Workshop) -> dict:
        _may_write(w, sender)
        note = _note(w, data)
        for name, value in fields.items():
            setattr(note, name, value)
        return _saved_note(note, w.version + 1)

    return apply(workshop, "note.edit", change, origin)


def note_delete(workshop: Workshop, sender: Sender, data: dict, origin: Origin) -> Change:
    _only(data, {"id"}, {"id"})

    def change(w: Workshop) -> dict:
        _may_write(w, sender)
        note = _note(w, data)
        note.deleted = True
        return _saved_note(note, w.version + 1)

    return apply(workshop, "note.delete", change, origin)


# --- Votes ------------------------------------------------------------------------------------


def _vote(workshop: Workshop, data: dict, field: str = "vote") -> Vote:
    vote = Vote.objects.filter(workshop=workshop, pk=_id(data, field)).first()
    if vote is None:
        raise Problem("not_found", _("No such vote in this workshop."))
    if vote.state != VoteState.OPEN:
        raise Problem("refused", _("This vote is closed."))
    return vote


def vote_open(workshop: Workshop, sender: Sender, data: dict, origin: Origin) -> Change:
    """The facilitator opens a vote (``title``, ``target``, ``dots`` per person)."""
    _must_run(sender)
    _only(data, {"title", "target", "dots"}, {"title", "target"})
    title = _text(data["title"], "title", MAX_TITLE)
    if data["target"] not in VoteTarget.values:
        raise Problem("invalid", _("A vote is on notes, blocked flows or opportunities."))
    dots = data.get("dots", 3)
    if isinstance(dots, bool) or not isinstance(dots, int) or not 1 <= dots <= 20:
        raise Problem("invalid", _("Give each person 1 to 20 dots."))

    def change(w: Workshop) -> dict:
        _may_write(w, sender)
        vote = Vote.objects.create(
            workshop=w,
            step=w.current_step,
            title=title,
            target=data["target"],
            dots_per_person=dots,
        )
        return {"vote": vote_as_json(vote)}

    return apply(workshop, "vote.open", change, origin)


def vote_close(workshop: Workshop, sender: Sender, data: dict, origin: Origin) -> Change:
    """Close a vote; its results are kept."""
    _must_run(sender)
    _only(data, {"vote"}, {"vote"})

    def change(w: Workshop) -> dict:
        vote = _vote(w, data)
        vote.state, vote.closed = VoteState.CLOSED, timezone.now()
        vote.save()
        return {"vote": vote_as_json(vote)}

    return apply(workshop, "vote.close", change, origin)


def _check_target(vote: Vote, target: str) -> None:
    """A dot goes on something the vote is about, in this workshop or its project."""
    workshop = vote.workshop
    if vote.target == VoteTarget.NOTES:
        found = target.isdigit() and workshop.notes.filter(pk=int(target), deleted=False).exists()
    elif vote.target == VoteTarget.BLOCKED_FLOWS:
        found = (
            target.isdigit()
            and Exchange.objects.filter(
                pk=int(target), map__project=workshop.project_id, status=FlowStatus.BLOCKED
            ).exists()
        )
    else:
        map_id = target.split(":")[0]
        found = (
            map_id.isdigit()
            and EcosystemMap.objects.filter(pk=int(map_id), project=workshop.project_id).exists()
        )
    if not found:
        raise Problem("not_found", _("There is nothing to vote for called %(t)s.") % {"t": target})


def _dot_input(data: dict) -> str:
    _only(data, {"vote", "target"}, {"vote", "target"})
    return _text(data["target"], "target", 100)


def dot_add(workshop: Workshop, sender: Sender, data: dict, origin: Origin) -> Change:
    """Place one dot (``vote``, ``target``), up to the vote's dots per person."""
    target = _dot_input(data)

    def change(w: Workshop) -> dict:
        _may_write(w, sender)
        vote = _vote(w, data)
        _check_target(vote, target)
        if vote.dots.filter(participant=sender.participant).count() >= vote.dots_per_person:
            raise Problem(
                "refused",
                _("You have placed all your %(n)d dots: take one back to place it elsewhere.")
                % {"n": vote.dots_per_person},
            )
        Dot.objects.create(vote=vote, participant=sender.participant, target_key=target)
        return {"vote": vote_as_json(vote)}

    return apply(workshop, "dot.add", change, origin)


def dot_remove(workshop: Workshop, sender: Sender, data: dict, origin: Origin) -> Change:
    """Take back one of your own dots from a target."""
    target = _dot_input(data)

    def change(w: Workshop) -> dict:
        _may_write(w, sender)
        vote = _vote(w, data)
        dot = vote.dots.filter(participant=sender.participant, target_key=target).last()
        if dot is None:
            raise Problem("not_found", _("You have no dot there."))
        dot.delete()
        return {"vote": vote_as_json(vote)}

    return apply(workshop, "dot.remove", change, origin)


# --- Facilitator controls ---------------------------------------------------------------------


def _control(action: str) -> Callable[[Workshop, Sender, dict, Origin], Change]:
    def run(workshop: Workshop, sender: Sender, data: dict, origin: Origin) -> Change:
        _must_run(sender)
        extra = {}
        if action == "timer_add":
            _only(data, {"seconds"})
            seconds = data.get("seconds", 60)
            if isinstance(seconds, bool) or not isinstance(seconds, int):
                raise Problem("invalid", _("seconds must be a whole number."))
            extra["seconds"] = seconds
        else:
            _only(data, set())
        return controls.ACTIONS[action](workshop, origin=origin, **extra)

    run.__doc__ = f"The facilitator's control {action!r} (`controls.ACTIONS`)."
    return run


# --- The map of the current step --------------------------------------------------------------


def _map(workshop: Workshop) -> EcosystemMap:
    step = workshop.current_step
    if step is None or step.map_id is None:
        raise Problem("refused", _("The current step has no map to work on."))
    return EcosystemMap.objects.select_related("project__workspace").get(pk=step.map_id)


def _touched(ecosystem_map: EcosystemMap) -> None:
    EcosystemMap.objects.filter(pk=ecosystem_map.pk).update(updated=timezone.now())


def _node(ecosystem_map: EcosystemMap, data: dict) -> Node:
    node = (
        Node.objects.select_related("actor", "dataset", "technology")
        .filter(map=ecosystem_map, pk=_id(data))
        .first()
    )
    if node is None:
        raise Problem("not_found", _("No such node on this map: it may have been removed."))
    return node


def _exchange(ecosystem_map: EcosystemMap, data: dict) -> Exchange:
    exchange = (
        Exchange.objects.select_related("dataset").filter(map=ecosystem_map, pk=_id(data)).first()
    )
    if exchange is None:
        raise Problem("not_found", _("No such exchange on this map: it may have been removed."))
    return exchange


def _map_change(
    workshop: Workshop,
    sender: Sender,
    kind: str,
    origin: Origin,
    edit: Callable[..., dict],
    data: dict,
) -> Change:
    """Run ``edit(map)`` on the current step's map; it returns what to add to the payload.

    ``map`` in the data names the map the sender was looking at (the room sends it): if the
    workshop has moved to another step meanwhile, the change is refused instead of landing on
    a map nobody meant."""
    meant = _id(data, "map") if "map" in data else None

    def change(w: Workshop) -> dict:
        _may_write(w, sender)
        ecosystem_map = _map(w)
        if meant is not None and meant != ecosystem_map.pk:
            raise Problem(
                "refused",
                _("The workshop has moved on to another step: this change was for another map."),
            )
        payload = {"map": ecosystem_map.pk, **edit(ecosystem_map)}
        _touched(ecosystem_map)
        return payload

    return apply(workshop, kind, change, origin)


def node_add(workshop: Workshop, sender: Sender, data: dict, origin: Origin) -> Change:
    """Put an actor, dataset or technology on the map by name (``kind``, ``name``; ``roles``,
    ``x``, ``y``), checked by the same form as the map editor: a new name joins the inventory."""
    _only(data, {"kind", "name", "roles", "x", "y", "map"}, {"kind", "name"})
    point = [_number(data[axis], axis) if axis in data else None for axis in ("x", "y")]

    def edit(ecosystem_map: EcosystemMap) -> dict:
        form = NodeForm(
            {"kind": data["kind"], "existing": data["name"], "roles": data.get("roles") or []},
            ecosystem_map=ecosystem_map,
        )
        if not form.is_valid():
            raise _form_problem(form)
        node = form.save()
        node.x, node.y = point
        node.save(update_fields=["x", "y"])
        return {"id": node.pk, "node": node_as_json(node)}

    return _map_change(workshop, sender, "node.add", origin, edit, data)


def node_move(workshop: Workshop, sender: Sender, data: dict, origin: Origin) -> Change:
    _only(data, {"id", "x", "y", "map"}, {"id", "x", "y"})
    x, y = _number(data["x"], "x"), _number(data["y"], "y")

    def edit(ecosystem_map: EcosystemMap) -> dict:
        node = _node(ecosystem_map, data)
        node.x, node.y = x, y
        node.save(update_fields=["x", "y"])
        return {"id": node.pk, "node": node_as_json(node)}

    return _map_change(workshop, sender, "node.move", origin, edit, data)


# One message moves at most this many nodes (about 40 bytes each, under MAX_MESSAGE_BYTES); the
# editor sends an automatic layout of a bigger map in several.
MAX_MOVES = 1000


def nodes_move(workshop: Workshop, sender: Sender, data: dict, origin: Origin) -> Change:
    """Move several nodes at once (``positions``: a list of ``{id, x, y}``), as after dragging a
    selection or arranging the map: one change, all of them or none."""
    _only(data, {"positions", "map"}, {"positions"})
    positions = data["positions"]
    if not isinstance(positions, list) or not 1 <= len(positions) <= MAX_MOVES:
        raise Problem(
            "invalid",
            _("positions must be a list of 1 to %(limit)d nodes, each with id, x and y.")
            % {"limit": MAX_MOVES},
        )
    wanted: dict[int, tuple[float, float]] = {}
    for number, entry in enumerate(positions, start=1):
        if not isinstance(entry, dict) or set(entry) != {"id", "x", "y"}:
            raise Problem(
                "invalid",
                _("Position %(number)d must have exactly id, x and y.") % {"number": number},
            )
        wanted[_id(entry)] = (_number(entry["x"], "x"), _number(entry["y"], "y"))

    def edit(ecosystem_map: EcosystemMap) -> dict:
        nodes = list(Node.objects.filter(map=ecosystem_map, pk__in=wanted).only("pk", "x", "y"))
        if len(nodes) != len(wanted):
            raise Problem("not_found", _("No such node on this map: it may have been removed."))
        for node in nodes:
            node.x, node.y = wanted[node.pk]
        Node.objects.bulk_update(nodes, ["x", "y"], batch_size=500)
        return {"positions": [{"id": pk, "x": x, "y": y} for pk, (x, y) in wanted.items()]}

    return _map_change(workshop, sender, "nodes.move", origin, edit, data)


def node_edit(workshop: Workshop, sender: Sender, data: dict, origin: Origin) -> Change:
    """Change an actor's roles on the map."""
    _only(data, {"id", "roles", "map"}, {"id", "roles"})
    roles = data["roles"]
    if not isinstance(roles, list) or not set(roles) <= set(Role.values):
        raise Problem("invalid", _("roles must be a list of role names."))

    def edit(ecosystem_map: EcosystemMap) -> dict:
        node = _node(ecosystem_map, data)
        if roles and not node.actor_id:
            raise Problem("invalid", _("Only actors play roles on a map."))
        node.roles = [role for role in Role.values if role in roles]
        node.save(update_fields=["roles"])
        return {"id": node.pk, "node": node_as_json(node)}

    return _map_change(workshop, sender, "node.edit", origin, edit, data)


def node_delete(workshop: Workshop, sender: Sender, data: dict, origin: Origin) -> Change:
    """Take a node off the map, with the exchanges it is part of."""
    _only(data, {"id", "map"}, {"id"})

    def edit(ecosystem_map: EcosystemMap) -> dict:
        node = _node(ecosystem_map, data)
        touching = Exchange.objects.filter(Q(source=node) | Q(target=node), map=ecosystem_map)
        exchanges = list(touching.values_list("pk", flat=True))
        removed = node.pk
        node.delete()
        return {"id": removed, "exchanges": exchanges}

    return _map_change(workshop, sender, "node.delete", origin, edit, data)


def _exchange_form(data: dict, ecosystem_map: EcosystemMap, exchange: Exchange | None = None):
    form = ExchangeForm(
        {key: ("" if value is None else value) for key, value in data.items()},
        instance=exchange,
        ecosystem_map=ecosystem_map,
    )
    if not form.is_valid():
        raise _form_problem(form)
    return form.save()


def exchange_add(workshop: Workshop, sender: Sender, data: dict, origin: Origin) -> Change:
    """A flow between two nodes of the map, checked by the map editor's form."""
    _only(data, {*EXCHANGE_FIELDS, "map"}, {"source", "target"})

    def edit(ecosystem_map: EcosystemMap) -> dict:
        fields = {key: value for key, value in data.items() if key != "map"}
        exchange = _exchange_form({**NEW_EXCHANGE, **fields}, ecosystem_map)
        return {"id": exchange.pk, "exchange": exchange_as_json(exchange)}

    return _map_change(workshop, sender, "exchange.add", origin, edit, data)


def exchange_edit(workshop: Workshop, sender: Sender, data: dict, origin: Origin) -> Change:
    """Change some fields of an exchange; the others stay (last writer wins, per field)."""
    _only(data, {"id", *EXCHANGE_FIELDS, "map"}, {"id"})
    fields = {key: value for key, value in data.items() if key not in ("id", "map")}

    def edit(ecosystem_map: EcosystemMap) -> dict:
        exchange = _exchange(ecosystem_map, data)
        current = model_to_dict(exchange, fields=EXCHANGE_FIELDS)
        exchange = _exchange_form({**current, **fields}, ecosystem_map, exchange)
        return {"id": exchange.pk, "exchange": exchange_as_json(exchange)}

    return _map_change(workshop, sender, "exchange.edit", origin, edit, data)


def exchange_delete(workshop: Workshop, sender: Sender, data: dict, origin: Origin) -> Change:
    _only(data, {"id", "map"}, {"id"})

    def edit(ecosystem_map: EcosystemMap) -> dict:
        exchange = _exchange(ecosystem_map, data)
        removed = exchange.pk
        exchange.delete()
        return {"id": removed}

    return _map_change(workshop, sender, "exchange.delete", origin, edit, data)


Handler = Callable[[Workshop, Sender, dict, Origin], Change]

OPERATIONS: dict[str, Handler] = {
    "note.add": note_add,
    "note.edit": note_edit,
    "note.delete": note_delete,
    "vote.open": vote_open,
    "vote.close": vote_close,
    "dot.add": dot_add,
    "dot.remove": dot_remove,
    "node.add": node_add,
    "node.move": node_move,
    "nodes.move": nodes_move,
    "node.edit": node_edit,
    "node.delete": node_delete,
    "exchange.add": exchange_add,
    "exchange.edit": exchange_edit,
    "exchange.delete": exchange_delete,
    **{f"control.{action}": _control(action) for action in controls.ACTIONS},
}
