"""Reviews of the Data Ethics Canvas: the whole canvas kept as JSON, and what changed between two.

A snapshot copies what a reader will want to see later — titles and names, not only ids —
because the datasets, flows and people it mentions may be renamed or deleted after it was taken.
Sections and actions are lists, not objects keyed by id, so their order survives databases that
do not keep the order of keys in JSON (PostgreSQL's jsonb).

Plain Python over the database, no request: the review pages, reports and tests call the same
functions.
"""

import difflib
import re
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opencities.maps.models import Exchange

from .models import (
    ActionStatus,
    EthicsCanvas,
    EthicsSection,
    Priority,
    Review,
    SectionStatus,
)
from .sections import ANSWERS, ETHICS_BY_KEY, ETHICS_SECTIONS

VERSION = 1
CLOSED = (ActionStatus.DONE, ActionStatus.DROPPED)
# What drawing a flow in words (`flow_label`) reads: select these with the flows.
FLOW_RELATED = (
    "dataset",
    *(
        f"{end}__{kind}"
        for end in ("source", "target")
        for kind in ("actor", "dataset", "technology")
    ),
)


def take(canvas: EthicsCanvas) -> dict:
    """The canvas as it is now: every section, its contributions and links, and the actions."""
    flows = Exchange.objects.select_related(*FLOW_RELATED)
    sections = canvas.sections.prefetch_related(
        "contributions__author", "datasets", Prefetch("exchanges", queryset=flows)
    )
    by_key = {section.key: section for section in sections}
    return {
        "version": VERSION,
        "next_review": canvas.next_review.isoformat() if canvas.next_review else None,
        "sections": [_section(by_key[s.key]) for s in ETHICS_SECTIONS if s.key in by_key],
        "actions": [_action(action) for action in canvas.actions.select_related("owner")],
    }


def _section(section: EthicsSection) -> dict:
    return {
        "key": section.key,
        "status": section.status,
        "summary": section.summary,
        "checks": dict(section.checks),
        "contributions": [
            {"id": c.pk, "text": c.text, "by": c.by, "created": c.created.isoformat()}
            for c in section.contributions.all()
        ],
        "datasets": sorted(
            ({"id": d.pk, "title": d.title} for d in section.datasets.all()),
            key=lambda d: d["id"],
        ),
        "flows": sorted(
            ({"id": e.pk, "label": flow_label(e)} for e in section.exchanges.all()),
            key=lambda e: e["id"],
        ),
    }


def flow_label(exchange: Exchange) -> str:
    """A data flow in words, e.g. "Bus operator → Transport Department: Bus stops"."""
    label = f"{exchange.source} → {exchange.target}"
    return f"{label}: {exchange.dataset.title}" if exchange.dataset_id else label


def _action(action) -> dict:
    return {
        "id": action.pk,
        "description": action.description,
        "owner": action.owned_by,
        "priority": action.priority,
        "due": action.due.isoformat() if action.due else None,
        "status": action.status,
    }


@transaction.atomic
def record_review(
    canvas: EthicsCanvas, *, user=None, note: str = "", next_review: date | None = None
) -> Review:
    """Keep the canvas as it is now as a review; a new next review date, when given, is set
    first so that the snapshot records it."""
    if next_review is not None:
        canvas.next_review = next_review
        canvas.save(update_fields=["next_review", "updated"])
    return Review.objects.create(canvas=canvas, taken_by=user, note=note, snapshot=take(canvas))


def completeness(snapshot: dict) -> tuple[int, int]:
    """How many sections were complete when the snapshot was taken, out of how many."""
    sections = snapshot.get("sections", [])
    done = sum(1 for s in sections if s.get("status") == SectionStatus.COMPLETE)
    return done, len(sections)


# --- Comparing two snapshots ---------------------------------------------------------------

WORDS = re.compile(r"\s+|[^\s]+")


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """The text changes as runs of ("same" | "removed" | "added", text), word by word, keeping
    spaces and line breaks so the result reads like the summary itself."""
    old, new = WORDS.findall(before), WORDS.findall(after)
    runs: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(("same", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            runs.append(("removed", "".join(old[i1:i2])))
        if j2 > j1:
            runs.append(("added", "".join(new[j1:j2])))
    return runs


@dataclass
class Change:
    """One value that changed, in words: a check's answer, an action's due date…"""

    what: str
    before: str
    after: str


@dataclass
class SectionChanges:
    key: str
    name: str
    status: Change | None = None
    summary: list[tuple[str, str]] | None = None
    checks: list[Change] = field(default_factory=list)
    contributions_added: list[dict] = field(default_factory=list)
    contributions_removed: list[dict] = field(default_factory=list)
    contributions_edited: list[dict] = field(default_factory=list)
    datasets_linked: list[str] = field(default_factory=list)
    datasets_unlinked: list[str] = field(default_factory=list)
    flows_linked: list[str] = field(default_factory=list)
    flows_unlinked: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.status
            or self.summary
            or self.checks
            or self.contributions_added
            or self.contributions_removed
            or self.contributions_edited
            or self.datasets_linked
            or self.datasets_unlinked
            or self.flows_linked
            or self.flows_unlinked
        )


@dataclass
class ActionChanges:
    added: list[dict] = field(default_factory=list)
    closed: list[dict] = field(default_factory=list)
    changed: list[tuple[dict, list[Change]]] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.added or self.closed or self.changed or self.removed)


@dataclass
class Comparison:
    sections: list[SectionChanges]
    actions: ActionChanges
    next_review: Change | None = None

    @property
    def changed_sections(self) -> list[SectionChanges]:
        return [s for s in self.sections if s.changed]

    @property
    def unchanged_sections(self) -> list[SectionChanges]:
        return [s for s in self.sections if not s.changed]

    @property
    def any(self) -> bool:
        return bool(self.changed_sections or self.actions.any or self.next_review)


EMPTY_SECTION = {
    "status": SectionStatus.NOT_STARTED,
    "summary": "",
    "checks": {},
    "contributions": [],
    "datasets": [],
    "flows": [],
}


def compare(before: dict, after: dict) -> Comparison:
    """What changed from snapshot `before` to snapshot `after`, section by section in canvas
    order, then the actions. A section missing from one side counts as not started and empty."""
    old = {s["key"]: s for s in before.get("sections", [])}
    new = {s["key"]: s for s in after.get("sections", [])}
    keys = dict.fromkeys([*(s.key for s in ETHICS_SECTIONS), *old, *new])
    sections = [
        _compare_section(key, old.get(key, {}), new.get(key, {}))
        for key in keys
        if key in old or key in new
    ]
    next_review = None
    if before.get("next_review") != after.get("next_review"):
        next_review = Change(
            str(_("Next review")),
            before.get("next_review") or str(_("not set")),
            after.get("next_review") or str(_("not set")),
        )
    return Comparison(
        sections=sections,
        actions=_compare_actions(before.get("actions", []), after.get("actions", [])),
        next_review=next_review,
    )


def _compare_section(key: str, old: dict, new: dict) -> SectionChanges:
    new = {**EMPTY_SECTION, **new}
    old = {**EMPTY_SECTION, **old}
    spec = ETHICS_BY_KEY.get(key)
    changes = SectionChanges(key=key, name=str(spec.name) if spec else key)
    if old["status"] != new["status"]:
        changes.status = Change(
            str(_("Status")),
            _choice(SectionStatus, old["status"]),
            _choice(SectionStatus, new["status"]),
        )
    if old["summary"] != new["summary"]:
        changes.summary = word_diff(old["summary"], new["summary"])
    questions = {check.key: str(check.question) for check in (spec.checks if spec else ())}
    for check_key in dict.fromkeys([*questions, *old["checks"], *new["checks"]]):
        before, after = old["checks"].get(check_key, ""), new["checks"].get(check_key, "")
        if before != after:
            changes.checks.append(
                Change(questions.get(check_key, check_key), _answer(before), _answer(after))
            )
    old_notes = {c["id"]: c for c in old["contributions"]}
    new_notes = {c["id"]: c for c in new["contributions"]}
    changes.contributions_added = [c for i, c in new_notes.items() if i not in old_notes]
    changes.contributions_removed = [c for i, c in old_notes.items() if i not in new_notes]
    changes.contributions_edited = [
        {**c, "diff": word_diff(old_notes[i]["text"], c["text"])}
        for i, c in new_notes.items()
        if i in old_notes and old_notes[i]["text"] != c["text"]
    ]
    changes.datasets_linked, changes.datasets_unlinked = _links(
        old["datasets"], new["datasets"], "title"
    )
    changes.flows_linked, changes.flows_unlinked = _links(old["flows"], new["flows"], "label")
    return changes


def _links(old: list[dict], new: list[dict], label: str) -> tuple[list[str], list[str]]:
    """The titles of what was linked and unlinked between two lists of links."""
    old_ids, new_ids = {d["id"] for d in old}, {d["id"] for d in new}
    return (
        [d[label] for d in new if d["id"] not in old_ids],
        [d[label] for d in old if d["id"] not in new_ids],
    )


ACTION_FIELDS = {
    "description": _("Description"),
    "owner": pgettext_lazy("action", "Owner"),
    "priority": _("Priority"),
    "due": _("Due date"),
    "status": _("Status"),
}


def _compare_actions(old: list[dict], new: list[dict]) -> ActionChanges:
    """Actions added, closed (done or dropped since), otherwise changed, and removed."""
    before = {a["id"]: a for a in old}
    changes = ActionChanges()
    for action in new:
        previous = before.pop(action["id"], None)
        if previous is None:
            changes.added.append(action)
            continue
        if action["status"] in CLOSED and previous["status"] not in CLOSED:
            changes.closed.append(action)
            continue
        changed = [
            Change(
                str(label), _action_value(name, previous[name]), _action_value(name, action[name])
            )
            for name, label in ACTION_FIELDS.items()
            if previous.get(name) != action.get(name)
        ]
        if changed:
            changes.changed.append((action, changed))
    changes.removed = list(before.values())
    return changes


def _action_value(name: str, value) -> str:
    if name == "status":
        return _choice(ActionStatus, value)
    if name == "priority":
        return _choice(Priority, value)
    return str(value) if value else "—"


def _choice(choices, value: str) -> str:
    """A stored choice in words; a value no longer offered shows as it was stored."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _answer(value: str) -> str:
    return str(ANSWERS.get(value, _("Not answered")))
