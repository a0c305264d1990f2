"""The workshop's data: join codes, the default agenda, the timer, and what the database
itself refuses."""

import re
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from opencities.workshops import agenda, codes, controls
from opencities.workshops.models import (
    Note,
    Participant,
    ParticipantKind,
    Step,
    StepKind,
    Workshop,
    WorkshopState,
)

from .conftest import NOON


def test_a_join_code_is_eight_unambiguous_characters(workshop):
    assert re.fullmatch(r"[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}", workshop.join_code)
    assert not set("01OIL") & set(codes.ALPHABET)
    assert workshop.display_code == f"{workshop.join_code[:4]}-{workshop.join_code[4:]}"


def test_codes_are_random_and_unique_among_workshops_not_ended(project, editor, monkeypatch):
    first = agenda.create_workshop(project, title="One", date=NOON, facilitator=editor)
    handed_out = iter([first.join_code, first.join_code, "ABCDEFGH"])
    monkeypatch.setattr(codes, "random_code", lambda: next(handed_out))

    second = agenda.create_workshop(project, title="Two", date=NOON, facilitator=editor)

    assert second.join_code == "ABCDEFGH"  # the code in use was drawn twice and skipped
    with pytest.raises(IntegrityError), transaction.atomic():
        Workshop.objects.filter(pk=second.pk).update(join_code=first.join_code)


def test_an_ended_workshops_code_may_be_handed_out_again(project, editor, workshop, monkeypatch):
    controls.end(workshop)
    monkeypatch.setattr(codes, "random_code", lambda: workshop.join_code)

    again = agenda.create_workshop(project, title="Again", date=NOON, facilitator=editor)

    assert again.join_code == workshop.join_code


def test_random_codes_differ():
    assert len({codes.random_code() for _ in range(200)}) == 200


@pytest.mark.parametrize("typed", ["kx7m-q2pa", "KX7MQ2PA", " kx7m q2pa ", "KX7M\u2013Q2PA"])
def test_a_code_is_read_in_any_case_with_or_without_the_dash(typed):
    assert codes.normalise(typed) == "KX7MQ2PA"
    assert codes.is_well_formed(codes.normalise(typed))


@pytest.mark.parametrize("typed", ["KX7MQ2P", "KX7MQ2PAA", "KX7MQ2P0", "KX7MQ2PI"])
def test_a_code_of_the_wrong_length_or_letters_is_not_well_formed(typed):
    assert not codes.is_well_formed(codes.normalise(typed))


def test_a_new_workshop_has_the_default_agenda_on_the_projects_first_map(workshop, bin_map):
    steps = list(workshop.steps.all())
    assert [(s.position, s.kind, s.duration_minutes) for s in steps] == [
        (1, StepKind.ECOSYSTEM_MAP, 40),
        (2, StepKind.ETHICS_CANVAS, 30),
        (3, StepKind.BUSINESS_CASE, 30),
    ]
    assert [s.map for s in steps] == [bin_map, None, None]
    assert [str(s) for s in steps] == ["Ecosystem map", "Data Ethics Canvas", "Business case"]
    assert workshop.state == WorkshopState.DRAFT
    assert workshop.version == 0
    assert workshop.current_step is None


def test_the_timer_counts_down_from_the_step_while_running(running_workshop):
    w = running_workshop
    assert w.remaining_seconds(NOON + timedelta(hours=1)) == 40 * 60  # reset: the whole step

    controls.timer_start(w, at=NOON)
    assert w.remaining_seconds(NOON + timedelta(seconds=90)) == 40 * 60 - 90
    assert w.remaining_seconds(NOON - timedelta(seconds=5)) == 40 * 60  # a clock behind
    assert w.remaining_seconds(NOON + timedelta(hours=2)) == 0
    timer = w.timer(NOON + timedelta(seconds=90))
    assert timer.running and timer.clock == "38:30"
    assert timer.ends_at == NOON + timedelta(minutes=40)


def test_a_paused_timer_stands_still_and_resumes_where_it_was(running_workshop):
    w = running_workshop
    controls.timer_start(w, at=NOON)
    controls.timer_pause(w, at=NOON + timedelta(minutes=10, seconds=5))

    assert w.remaining_seconds(NOON + timedelta(hours=5)) == 30 * 60 - 5
    assert w.timer(NOON).as_dict() == {"remaining": 1795, "running": False, "ends_at": None}

    controls.timer_start(w, at=NOON + timedelta(hours=1))
    assert w.remaining_seconds(NOON + timedelta(hours=1, seconds=95)) == 1795 - 95


def test_added_time_counts_running_or_paused(running_workshop):
    w = running_workshop
    controls.timer_add(w, 60, at=NOON)  # not started: on top of the whole step
    assert w.remaining_seconds(NOON) == 41 * 60
    controls.timer_start(w, at=NOON)
    controls.timer_add(w, 300, at=NOON + timedelta(minutes=1))
    assert w.remaining_seconds(NOON + timedelta(minutes=2)) == 44 * 60


def test_without_a_current_step_there_is_nothing_to_time(workshop):
    assert workshop.remaining_seconds(NOON) is None
    assert workshop.timer(NOON).clock == "—"


def test_a_step_with_notes_stays_but_goes_with_its_workshop(running_workshop):
    step = running_workshop.steps.get(position=2)
    Note.objects.create(workshop=running_workshop, step=step, board="brainstorm", text="Idea")

    with pytest.raises(IntegrityError), transaction.atomic():
        step.delete()
    running_workshop.delete()

    assert not Note.objects.exists() and not Step.objects.exists()


def test_the_database_refuses_a_note_over_1000_characters(running_workshop):
    step = running_workshop.steps.first()
    Note.objects.create(workshop=running_workshop, step=step, board="brainstorm", text="x" * 1000)
    with pytest.raises(IntegrityError), transaction.atomic():
        Note.objects.create(
            workshop=running_workshop, step=step, board="brainstorm", text="x" * 1001
        )


def test_a_person_takes_part_once_per_workshop_but_guests_are_many(workshop, viewer):
    Participant.objects.create(
        workshop=workshop, user=viewer, display_name="Vera", kind=ParticipantKind.MEMBER
    )
    for name in ("Sam", "Sam"):
        Participant.objects.create(workshop=workshop, display_name=name, kind="guest")
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(
            workshop=workshop, user=viewer, display_name="Vera", kind=ParticipantKind.MEMBER
        )
