"""A workshop's agenda: made with the Open Cities steps, then shaped by the facilitator.

A new workshop walks the method's three steps — map the data ecosystem, work through the ethics,
turn both into a business case — and the facilitator adds, removes and reorders steps, brainstorm
boards included. Changes go through `operations.apply` (each is a version of the workshop, and
the live layer broadcasts the whole agenda in the payload) and are refused once it has ended.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from opencities.maps.models import EcosystemMap
from opencities.projects.models import Project

from .models import Step, StepKind, Workshop, WorkshopState
from .operations import SERVER, Change, Origin, Refused, apply

DEFAULT_MINUTES = {
    StepKind.ECOSYSTEM_MAP: 40,
    StepKind.ETHICS_CANVAS: 30,
    StepKind.BUSINESS_CASE: 30,
    StepKind.BRAINSTORM: 15,
}
DEFAULT_AGENDA = (StepKind.ECOSYSTEM_MAP, StepKind.ETHICS_CANVAS, StepKind.BUSINESS_CASE)


def create_workshop(project: Project, *, title: str, date: datetime, facilitator) -> Workshop:
    """A new draft workshop with the default agenda; its map step works on the project's first
    map (a current state before a future one), if it has any."""
    with transaction.atomic():
        workshop = Workshop.objects.create(
            project=project, title=title, date=date, facilitator=facilitator
        )
        first_map = project.maps.first()
        Step.objects.bulk_create(
            Step(
                workshop=workshop,
                position=position,
                kind=kind,
                duration_minutes=DEFAULT_MINUTES[kind],
                map=first_map if kind == StepKind.ECOSYSTEM_MAP else None,
            )
            for position, kind in enumerate(DEFAULT_AGENDA, start=1)
        )
    return workshop


def agenda_of(workshop: Workshop) -> dict:
    """The agenda as plain JSON: every step in order and which one the workshop is on."""
    return {
        "steps": [step.as_dict() for step in workshop.steps.all()],
        "current_step": workshop.current_step_id,
    }


def _refuse_once_ended(workshop: Workshop) -> None:
    if workshop.state == WorkshopState.ENDED:
        raise Refused(_("The workshop has ended; its agenda stays as it was."))


def _check(workshop: Workshop, kind: str, duration_minutes: int, map: EcosystemMap | None):
    _refuse_once_ended(workshop)
    if not 1 <= duration_minutes <= 600:
        raise Refused(_("A step lasts between 1 and 600 minutes."))
    if map is not None:
        if kind != StepKind.ECOSYSTEM_MAP:
            raise Refused(_("Only an ecosystem map step works on a map."))
        if map.project_id != workshop.project_id:
            raise Refused(_("Choose one of this project's maps."))


def _renumber(workshop: Workshop) -> None:
    for position, step in enumerate(workshop.steps.all(), start=1):
        if step.position != position:
            Step.objects.filter(pk=step.pk).update(position=position)


def add_step(
    workshop: Workshop,
    kind: str,
    *,
    title: str = "",
    duration_minutes: int | None = None,
    map: EcosystemMap | None = None,
    origin: Origin = SERVER,
) -> Change:
    """Add a step at the end of the agenda (its kind's usual length unless told)."""
    minutes = duration_minutes or DEFAULT_MINUTES[kind]

    def change(w: Workshop) -> dict:
        _check(w, kind, minutes, map)
        last = w.steps.aggregate(last=Max("position"))["last"] or 0
        Step.objects.create(
            workshop=w,
            position=last + 1,
            kind=kind,
            title=title,
            duration_minutes=minutes,
            map=map,
        )
        return agenda_of(w)

    return apply(workshop, "agenda.add", change, origin)


def change_step(
    step: Step,
    *,
    title: str,
    duration_minutes: int,
    map: EcosystemMap | None = None,
    origin: Origin = SERVER,
) -> Change:
    """Rename a step, change its length or (for a map step) the map it works on."""

    def change(w: Workshop) -> dict:
        _check(w, step.kind, duration_minutes, map)
        Step.objects.filter(pk=step.pk, workshop=w).update(
            title=title, duration_minutes=duration_minutes, map=map
        )
        return agenda_of(w)

    result = apply(step.workshop, "agenda.change", change, origin)
    step.refresh_from_db()
    return result


def move_step(step: Step, *, up: bool, origin: Origin = SERVER) -> Change:
    """Swap a step with the one before (`up`) or after it."""

    def change(w: Workshop) -> dict:
        _refuse_once_ended(w)
        _renumber(w)
        steps = list(w.steps.all())
        index = [s.pk for s in steps].index(step.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(steps):
            raise Refused(_("The step is first already.") if up else _("The step is last already."))
        Step.objects.filter(pk=steps[index].pk).update(position=steps[other].position)
        Step.objects.filter(pk=steps[other].pk).update(position=steps[index].position)
        return agenda_of(w)

    return apply(step.workshop, "agenda.move", change, origin)


def remove_step(step: Step, *, origin: Origin = SERVER) -> Change:
    """Take a step off the agenda, unless the workshop is on it or people put notes on it."""

    def change(w: Workshop) -> dict:
        _refuse_once_ended(w)
        if w.current_step_id == step.pk:
            raise Refused(_("The workshop is on this step: move to another step first."))
        if step.notes.exists():
            raise Refused(_("People have put notes on this step, so it stays on the agenda."))
        Step.objects.filter(pk=step.pk, workshop=w).delete()
        _renumber(w)
        return agenda_of(w)

    return apply(step.workshop, "agenda.remove", change, origin)
