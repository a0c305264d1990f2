"""What a workshop produced, for its summary page, its print page and its PDF.

Who took part; per step, the notes on each board and, for a map step, the nodes and exchanges
the live layer logged as added (`operations.NODE_ADDED`, `EXCHANGE_ADDED`) that are still on the
map; the vote results; and the ethics canvas actions created while the workshop ran.

The print page (`workshops/summary_print.html`) is a standalone document that WeasyPrint also
lays out on A4 for the PDF, as the canvases' reports are (`canvases/reports.py`).
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import get_language, gettext

from opencities.accounts.models import display_name
from opencities.canvases.models import Action
from opencities.canvases.reports import page_counter
from opencities.maps.models import Exchange, Node

from . import notes, votes
from .models import Note, Participant, Step, Vote, Workshop
from .operations import EXCHANGE_ADDED, NODE_ADDED

_NODE_RELATED = ["actor", "dataset", "technology"]


@dataclass
class Board:
    key: str
    name: str
    notes: list[Note] = field(default_factory=list)


@dataclass
class StepSummary:
    step: Step
    boards: list[Board]
    nodes: list[Node]
    exchanges: list[Exchange]

    @property
    def is_empty(self) -> bool:
        return not (self.boards or self.nodes or self.exchanges)


@dataclass
class Summary:
    workshop: Workshop
    participants: list[Participant]
    steps: list[StepSummary]
    votes: list[tuple[Vote, list[tuple[str, str, int]]]]
    actions: list[Action]

    @property
    def facilitator(self) -> str:
        facilitator = self.workshop.facilitator
        return display_name(facilitator) if facilitator is not None else ""


def _added_on_maps(workshop: Workshop) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """The ids of the nodes and of the exchanges the workshop added, by map."""
    nodes: dict[int, set[int]] = defaultdict(set)
    exchanges: dict[int, set[int]] = defaultdict(set)
    added = {NODE_ADDED: nodes, EXCHANGE_ADDED: exchanges}
    logged = workshop.operations.filter(kind__in=list(added)).values_list("kind", "payload")
    for kind, payload in logged:
        if isinstance(payload.get("map"), int) and isinstance(payload.get("id"), int):
            added[kind][payload["map"]].add(payload["id"])
    return nodes, exchanges


def _boards(step: Step, step_notes: list[Note]) -> list[Board]:
    """The step's boards that have notes, in the step's order (boards it no longer has last)."""
    boards = {key: Board(key, name) for key, name in notes.boards_for(step)}
    for note in step_notes:
        boards.setdefault(note.board, Board(note.board, note.board)).notes.append(note)
    return [board for board in boards.values() if board.notes]


def build(workshop: Workshop, now: datetime | None = None) -> Summary:
    nodes_added, exchanges_added = _added_on_maps(workshop)
    by_step: dict[int, list[Note]] = defaultdict(list)
    for note in workshop.notes.filter(deleted=False).select_related("author"):
        by_step[note.step_id].append(note)
    steps = []
    for step in workshop.steps.select_related("map"):
        nodes, exchanges = [], []
        if step.map_id is not None:
            nodes = list(
                Node.objects.filter(
                    map=step.map_id, pk__in=nodes_added.get(step.map_id, ())
                ).select_related(*_NODE_RELATED)
            )
            exchanges = list(
                Exchange.objects.filter(
                    map=step.map_id, pk__in=exchanges_added.get(step.map_id, ())
                ).select_related(
                    *(f"{end}__{kind}" for end in ("source", "target") for kind in _NODE_RELATED)
                )
            )
        steps.append(StepSummary(step, _boards(step, by_step[step.pk]), nodes, exchanges))

    window = workshop.window(now)
    actions = []
    if window is not None:
        actions = list(
            Action.objects.filter(
                canvas__project=workshop.project_id,
                created__gte=window[0],
                created__lte=window[1],
            ).select_related("owner")
        )
    return Summary(
        workshop=workshop,
        participants=list(workshop.participants.select_related("user")),
        steps=steps,
        votes=[(vote, votes.results(vote)) for vote in workshop.votes.all()],
        actions=actions,
    )


def filename(workshop: Workshop) -> str:
    """A file name that says what the file is: `missed-bins-workshop-2025-03-14-summary.pdf`."""
    project = slugify(workshop.project.title) or f"project-{workshop.project_id}"
    day = timezone.localdate(workshop.date).isoformat()
    return f"{project}-workshop-{day}-summary.pdf"


def render_html(summary: Summary, downloads: Sequence[tuple[str, str]] = ()) -> str:
    """The summary as a standalone page in the active language (styles inline); with
    `downloads`, a toolbar to print and to fetch the PDF, which printing leaves out."""
    today = formats.date_format(timezone.localdate(), "DATE_FORMAT")
    return render_to_string(
        "workshops/summary_print.html",
        {
            "summary": summary,
            "workshop": summary.workshop,
            "project": summary.workshop.project,
            "language": get_language() or "en",
            "printed": gettext("Printed on {date}").format(date=today),
            "page_counter": page_counter(),
            "downloads": downloads,
        },
    )


def render_pdf(summary: Summary, base_url: str | None = None) -> bytes:
    """The print page laid out by WeasyPrint on A4; `base_url` (the site's address) makes the
    links to the maps work from the PDF."""
    # Imported here: WeasyPrint loads Pango and the fonts on import, which only a PDF needs.
    from weasyprint import HTML

    return HTML(string=render_html(summary), base_url=base_url).write_pdf()
