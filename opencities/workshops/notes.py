"""Boards that take sticky notes, and how a note on a canvas section lands in the project.

Board keys name where a note sits: ``ethics:<section key>`` and ``business:<section key>`` for
the sections of the two canvases (`canvases/sections.py`), ``brainstorm`` for a free board. A
note on a section is that section's `Contribution` too — so everything a workshop adds stays in
the project after it ends — and `sync_contribution` keeps the two in step: the live layer calls
it after every accepted change to a note.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from opencities.canvases.models import (
    BusinessCase,
    BusinessSection,
    Contribution,
    ContributionSource,
    EthicsCanvas,
    EthicsSection,
)
from opencities.canvases.sections import BUSINESS_SECTIONS, ETHICS_SECTIONS
from opencities.projects.models import Project

from .models import Note, Step, StepKind
from .operations import insert_later, memo, update_later

BRAINSTORM = "brainstorm"
ETHICS, BUSINESS = "ethics", "business"

_SECTIONS = {ETHICS: ETHICS_SECTIONS, BUSINESS: BUSINESS_SECTIONS}
_BOARD_PREFIX = {StepKind.ETHICS_CANVAS: ETHICS, StepKind.BUSINESS_CASE: BUSINESS}


def boards_for(step: Step) -> list[tuple[str, str]]:
    """The boards of a step, in order, with their names: a canvas step's sections, a brainstorm
    step's one board, none for a map step (people work on the map itself)."""
    if step.kind == StepKind.BRAINSTORM:
        return [(BRAINSTORM, _("Brainstorm board"))]
    prefix = _BOARD_PREFIX.get(step.kind)
    if prefix is None:
        return []
    return [(f"{prefix}:{section.key}", str(section.name)) for section in _SECTIONS[prefix]]


def has_board(step: Step, board: str) -> bool:
    """Whether `board` is one of the step's boards (`boards_for`, without naming them)."""
    if step.kind == StepKind.BRAINSTORM:
        return board == BRAINSTORM
    prefix = _BOARD_PREFIX.get(step.kind)
    found = _section_key(board)
    return prefix is not None and found is not None and found[0] == prefix


def _section_key(board: str) -> tuple[str, str] | None:
    canvas, _sep, key = board.partition(":")
    if canvas in _SECTIONS and any(section.key == key for section in _SECTIONS[canvas]):
        return canvas, key
    return None


def section_for(project: Project, board: str) -> EthicsSection | BusinessSection | None:
    """The canvas section a board stands for (starting the canvas if the project has not),
    None for a brainstorm board or an unknown key."""
    found = _section_key(board)
    if found is None:
        return None
    canvas, key = found
    if canvas == ETHICS:
        section = EthicsSection.objects.filter(canvas__project=project, key=key).first()
        return section or EthicsCanvas.for_project(project).sections.get(key=key)
    section = BusinessSection.objects.filter(case__project=project, key=key).first()
    return section or BusinessCase.for_project(project).sections.get(key=key)


CONTRIBUTION_SAVED = (
    "ethics_section",
    "business_section",
    "text",
    "source",
    "author",
    "author_name",
)


def match_contribution(note: Note) -> Contribution | None:
    """Make ``note.contribution`` match the note, without saving the note: created or updated
    (and saved, or left to the batch being written: `operations.insert_later`) while the note
    is on a canvas section, None otherwise. Returns the contribution the note no longer has,
    for the caller to delete."""
    section = None
    if not note.deleted and _section_key(note.board) is not None:
        workshop = note.workshop
        section = memo(
            ("section", workshop.project_id, note.board),
            lambda: section_for(workshop.project, note.board),
        )
    contribution = note.contribution
    if section is None:
        note.contribution = None
        return contribution
    if contribution is None:
        contribution = Contribution(created=note.created)
    is_ethics = isinstance(section, EthicsSection)
    contribution.ethics_section = section if is_ethics else None
    contribution.business_section = None if is_ethics else section
    contribution.text = note.text
    contribution.source = ContributionSource.WORKSHOP
    author = note.author
    contribution.author_id = author.user_id if author else None
    contribution.author_name = author.display_name if author else ""
    if contribution.pk is None:
        insert_later(contribution)
    else:
        update_later(contribution, CONTRIBUTION_SAVED)
    note.contribution = contribution
    return None


def sync_contribution(note: Note) -> Contribution | None:
    """Make a saved note's contribution match it: create it when a note lands on a canvas
    section, update its text, section and author after a change, delete it when the note is
    deleted or moved to a board that is no section. Returns the contribution, or None when there
    is none."""
    with transaction.atomic():
        before = note.contribution_id
        dropped = match_contribution(note)
        if note.contribution_id != before:
            Note.objects.filter(pk=note.pk).update(contribution=note.contribution)
        if dropped is not None:
            dropped.delete()
    return note.contribution
