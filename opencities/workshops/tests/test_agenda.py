"""Shaping the agenda: add, change, reorder and remove steps, each a logged version."""

import pytest

from opencities.maps.models import EcosystemMap
from opencities.projects.models import Project
from opencities.workshops import agenda, controls
from opencities.workshops.models import Note, StepKind
from opencities.workshops.operations import Refused


def kinds(workshop) -> list[str]:
    return [step.kind for step in workshop.steps.all()]


def positions(workshop) -> list[int]:
    return [step.position for step in workshop.steps.all()]


def test_a_brainstorm_step_is_added_at_the_end(workshop):
    change = agenda.add_step(workshop, StepKind.BRAINSTORM, title="Wild ideas")

    assert kinds(workshop)[-1] == StepKind.BRAINSTORM
    assert positions(workshop) == [1, 2, 3, 4]
    last = workshop.steps.last()
    assert (last.title, last.duration_minutes) == ("Wild ideas", 15)
    assert change.kind == "agenda.add"
    assert [s["title"] for s in change.payload["steps"]][-1] == "Wild ideas"
    assert change.version == workshop.version == 1
    assert workshop.operations.get().payload == change.payload


def test_steps_move_up_and_down_one_place(workshop):
    ethics = workshop.steps.get(kind=StepKind.ETHICS_CANVAS)
    agenda.move_step(ethics, up=True)
    assert kinds(workshop) == ["ethics_canvas", "ecosystem_map", "business_case"]

    agenda.move_step(ethics, up=False)
    agenda.move_step(ethics, up=False)
    assert kinds(workshop) == ["ecosystem_map", "business_case", "ethics_canvas"]
    assert positions(workshop) == [1, 2, 3]
    assert workshop.version == 3


def test_the_first_step_cannot_go_up_nor_the_last_down(workshop):
    first, last = workshop.steps.first(), workshop.steps.last()
    with pytest.raises(Refused, match="first already"):
        agenda.move_step(first, up=True)
    with pytest.raises(Refused, match="last already"):
        agenda.move_step(last, up=False)
    assert workshop.version == 0 and not workshop.operations.exists()


def test_a_removed_step_leaves_no_gap(workshop):
    agenda.remove_step(workshop.steps.get(position=2))

    assert kinds(workshop) == ["ecosystem_map", "business_case"]
    assert positions(workshop) == [1, 2]


def test_the_current_step_and_a_step_with_notes_stay(running_workshop):
    current = running_workshop.current_step
    with pytest.raises(Refused, match="on this step"):
        agenda.remove_step(current)
    noted = running_workshop.steps.get(position=3)
    Note.objects.create(workshop=running_workshop, step=noted, board="business:problem", text="x")
    with pytest.raises(Refused, match="notes"):
        agenda.remove_step(noted)
    assert running_workshop.steps.count() == 3


def test_a_step_changes_title_minutes_and_map(workshop, project):
    other_map = EcosystemMap.objects.create(project=project, title="Waste data tomorrow")
    step = workshop.steps.first()

    agenda.change_step(step, title="Who holds bin data?", duration_minutes=55, map=other_map)

    step.refresh_from_db()
    assert (step.title, step.duration_minutes, step.map) == ("Who holds bin data?", 55, other_map)


def test_refused_step_changes(workshop, project):
    foreign = EcosystemMap.objects.create(
        project=Project.objects.create(workspace=project.workspace, title="Other", challenge="?"),
        title="Someone else's map",
    )
    map_step, ethics = workshop.steps.all()[:2]
    with pytest.raises(Refused, match="this project's maps"):
        agenda.change_step(map_step, title="", duration_minutes=10, map=foreign)
    with pytest.raises(Refused, match="Only an ecosystem map step"):
        agenda.change_step(ethics, title="", duration_minutes=10, map=map_step.map)
    with pytest.raises(Refused, match="between 1 and 600"):
        agenda.change_step(ethics, title="", duration_minutes=601)
    assert workshop.version == 0


def test_an_ended_workshops_agenda_stays_as_it_was(workshop):
    controls.end(workshop)
    with pytest.raises(Refused, match="ended"):
        agenda.add_step(workshop, StepKind.BRAINSTORM)
    with pytest.raises(Refused, match="ended"):
        agenda.move_step(workshop.steps.last(), up=True)
    with pytest.raises(Refused, match="ended"):
        agenda.remove_step(workshop.steps.last())
