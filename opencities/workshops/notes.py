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


def sync_contribution(note: Note) -> Contribution | None:
    """Make the note's contribution match it: create it when a note lands on a canvas section,
    update its text, section and author after a change, delete it when the note is deleted or
    moved to a board that is no section. Returns the contribution, or None when there is none."""
    with transaction.atomic():
        section = None if note.deleted else section_for(note.workshop.project, note.board)
        contribution = note.contribution
        if section is None:
            if contribution is not None:
                Note.objects.filter(pk=note.pk).update(contribution=None)
                note.contribution = None
                contribution.delete()
            return None
        if contribution is None:
            contribution = Contribution(created=note.created)
        is_ethics = isinstance(section, EthicsSection)
        contribution.ethics_section = section if is_ethics else None
        contribution.business_section = None if is_ethics else section
        contribution.text = note.text
        contribution.source = ContributionSource.WORKSHOP
        author = note.author
        contribution.author = author.user if author else None
        contribution.author_name = author.display_name if author else ""
        contribution.save()
        if note.contribution_id != contribution.pk:
            Note.objects.filter(pk=note.pk).update(contribution=contribution)
            note.contribution = contribution
    return contribution
