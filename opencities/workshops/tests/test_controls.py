"""The facilitator's controls as plain functions: what each changes, when each is refused,
and that every accepted change is one logged version (once, even when sent twice)."""

from datetime import timedelta

import pytest

from opencities.workshops import controls
from opencities.workshops.models import Participant, Vote, VoteState, WorkshopState
from opencities.workshops.operations import Origin, Refused

from .conftest import NOON


def test_open_lets_people_join(workshop):
    change = controls.open_for_joining(workshop)

    assert workshop.state == WorkshopState.OPEN and workshop.is_joinable
    assert change.kind == "control.open"
    assert change.payload == {"state": "open"}
    assert change.version == workshop.version == 1


def test_start_goes_to_the_first_step(open_workshop):
    change = controls.start(open_workshop, at=NOON)

    first = open_workshop.steps.first()
    assert open_workshop.state == WorkshopState.RUNNING
    assert open_workshop.current_step == first
    assert open_workshop.started == NOON
    assert change.payload == {
        "state": "running",
        "started": NOON.isoformat(),
        "current_step": first.pk,
        "timer": {"remaining": 40 * 60, "running": False, "ends_at": None},
    }


def test_next_and_previous_move_everyone_and_reset_the_timer(running_workshop):
    w = running_workshop
    steps = list(w.steps.all())
    controls.timer_start(w, at=NOON)

    change = controls.next_step(w, at=NOON + timedelta(minutes=5))
    assert w.current_step == steps[1]
    assert change.payload == {
        "current_step": steps[1].pk,
        "timer": {"remaining": 30 * 60, "running": False, "ends_at": None},
    }
    controls.next_step(w)
    assert w.current_step == steps[2]
    with pytest.raises(Refused, match="last step"):
        controls.next_step(w)

    controls.previous_step(w)
    controls.previous_step(w)
    assert w.current_step == steps[0]
    with pytest.raises(Refused, match="first step"):
        controls.previous_step(w)


def test_the_timer_controls(running_workshop):
    w = running_workshop
    started = controls.timer_start(w, at=NOON)
    assert started.payload["timer"] == {
        "remaining": 2400,
        "running": True,
        "ends_at": (NOON + timedelta(minutes=40)).isoformat(),
    }
    with pytest.raises(Refused, match="already running"):
        controls.timer_start(w, at=NOON)

    paused = controls.timer_pause(w, at=NOON + timedelta(seconds=100))
    assert paused.payload["timer"] == {"remaining": 2300, "running": False, "ends_at": None}
    with pytest.raises(Refused, match="not running"):
        controls.timer_pause(w, at=NOON)

    added = controls.timer_add(w, 300, at=NOON + timedelta(hours=1))
    assert added.payload["timer"]["remaining"] == 2600
    with pytest.raises(Refused, match="60 minutes"):
        controls.timer_add(w, 3601)
    with pytest.raises(Refused, match="60 minutes"):
        controls.timer_add(w, 0)


def test_a_timer_at_zero_needs_more_time_before_it_starts(running_workshop):
    w = running_workshop
    controls.timer_start(w, at=NOON)
    controls.timer_pause(w, at=NOON + timedelta(hours=1))
    with pytest.raises(Refused, match="add time first"):
        controls.timer_start(w, at=NOON + timedelta(hours=1))
    controls.timer_add(w, 60, at=NOON + timedelta(hours=1))
    controls.timer_start(w, at=NOON + timedelta(hours=1))
    assert w.remaining_seconds(NOON + timedelta(hours=1, seconds=30)) == 30


def test_lock_and_unlock(running_workshop):
    assert controls.lock(running_workshop).payload == {"locked": True}
    assert running_workshop.locked
    with pytest.raises(Refused, match="already locked"):
        controls.lock(running_workshop)
    assert controls.unlock(running_workshop).payload == {"locked": False}
    with pytest.raises(Refused, match="not locked"):
        controls.unlock(running_workshop)


def test_end_stops_everything_and_closes_votes(running_workshop):
    w = running_workshop
    vote = Vote.objects.create(workshop=w, title="Which first?", target="notes")
    controls.timer_start(w, at=NOON)

    change = controls.end(w, at=NOON + timedelta(hours=2))

    assert w.state == WorkshopState.ENDED and not w.is_joinable
    assert w.ended == NOON + timedelta(hours=2)
    assert change.payload["timer"]["running"] is False
    vote.refresh_from_db()
    assert vote.state == VoteState.CLOSED and vote.closed == w.ended
    for control in (controls.start, controls.next_step, controls.lock, controls.end):
        with pytest.raises(Refused, match="ended"):
            control(w)


@pytest.mark.parametrize(
    "control",
    [controls.next_step, controls.previous_step, controls.timer_start, controls.timer_pause],
)
def test_step_and_timer_controls_wait_for_the_start(open_workshop, control):
    with pytest.raises(Refused, match="Start the workshop first"):
        control(open_workshop)


def test_refused_controls_change_nothing(workshop):
    with pytest.raises(Refused):
        controls.next_step(workshop)
    workshop.steps.all().delete()
    with pytest.raises(Refused, match="Add a step"):
        controls.start(workshop)
    controls.open_for_joining(workshop)
    with pytest.raises(Refused, match="Only a draft"):
        controls.open_for_joining(workshop)
    assert workshop.version == 1
    assert list(workshop.operations.values_list("version", "kind")) == [(1, "control.open")]


def test_a_control_sent_twice_is_applied_once(running_workshop):
    w = running_workshop
    guest = Participant.objects.create(workshop=w, display_name="Fac", kind="facilitator")
    origin = Origin(guest, client_id="tab-1", client_seq=7)

    first = controls.next_step(w, origin)
    again = controls.next_step(w, origin)

    assert w.current_step.position == 2  # not 3
    assert again.repeated and not first.repeated
    assert (again.kind, again.payload, again.version) == (first.kind, first.payload, first.version)
    logged = w.operations.get(version=first.version)
    assert (logged.participant, logged.client_id, logged.client_seq) == (guest, "tab-1", 7)
    controls.next_step(w, Origin(guest, client_id="tab-1", client_seq=8))
    assert w.current_step.position == 3


def test_every_change_is_the_next_version(running_workshop):
    w = running_workshop
    controls.lock(w)
    controls.next_step(w)
    controls.end(w)
    assert list(w.operations.values_list("version", "kind")) == [
        (1, "control.start"),
        (2, "control.lock"),
        (3, "control.next"),
        (4, "control.end"),
    ]
    assert w.version == 4


def test_the_state_of_the_room_as_json(running_workshop):
    state = controls.state_of(running_workshop, NOON)
    assert state == {
        "state": "running",
        "current_step": running_workshop.current_step_id,
        "locked": False,
        "timer": {"remaining": 2400, "running": False, "ends_at": None},
        "started": NOON.isoformat(),
        "ended": None,
    }
