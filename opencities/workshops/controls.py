"""The facilitator's controls: open, start, move between steps, the step timer, lock, end.

Plain functions the room page's forms and the live layer both call. Each one takes the workshop
(plus `at`, the moment it happens, for tests and replays, and the `Origin` of the request), goes
through `operations.apply` — so it bumps `Workshop.version` and is logged — and returns the
`Change` with what changed as plain JSON, ready to broadcast. A control that makes no sense in
the workshop's state raises `Refused` with a message for the facilitator, and changes nothing.

Who may use them is not checked here: callers check ``workshops.run_workshop`` (`rules.py`).
"""

from collections.abc import Callable
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Vote, VoteState, Workshop, WorkshopState
from .operations import SERVER, Change, Origin, Refused, apply

MAX_ADDED_SECONDS = 60 * 60


def state_of(workshop: Workshop, at: datetime | None = None) -> dict:
    """Everything the controls decide, as plain JSON: what a screen needs to draw the room."""
    return {
        "state": workshop.state,
        "current_step": workshop.current_step_id,
        "locked": workshop.locked,
        "timer": workshop.timer(at).as_dict(),
        "started": workshop.started.isoformat() if workshop.started else None,
        "ended": workshop.ended.isoformat() if workshop.ended else None,
    }


def _control(
    workshop: Workshop,
    kind: str,
    change: Callable[[Workshop], list[str]],
    origin: Origin,
    at: datetime | None,
) -> Change:
    """Apply `change`, which updates the locked workshop and returns the fields it changed;
    the payload is those fields' values as `state_of` gives them."""
    at = at or timezone.now()

    def run(current: Workshop) -> dict:
        changed = change(current)
        current.save()
        state = state_of(current, at)
        return {key: state[key] for key in changed}

    return apply(workshop, f"control.{kind}", run, origin)


def _reset_timer(workshop: Workshop) -> None:
    workshop.timer_running_since = None
    workshop.timer_duration = 0
    workshop.timer_remaining = None


def _refuse_if_ended(workshop: Workshop) -> None:
    if workshop.state == WorkshopState.ENDED:
        raise Refused(_("The workshop has ended."))


def _refuse_unless_running(workshop: Workshop) -> None:
    _refuse_if_ended(workshop)
    if workshop.state != WorkshopState.RUNNING:
        raise Refused(_("Start the workshop first."))


def open_for_joining(
    workshop: Workshop, origin: Origin = SERVER, at: datetime | None = None
) -> Change:
    """From draft to open: the join link and code start working."""

    def change(w: Workshop) -> list[str]:
        if w.state != WorkshopState.DRAFT:
            raise Refused(_("Only a draft workshop can be opened for joining."))
        w.state = WorkshopState.OPEN
        return ["state"]

    return _control(workshop, "open", change, origin, at)


def start(workshop: Workshop, origin: Origin = SERVER, at: datetime | None = None) -> Change:
    """Run the workshop from its first step (people can still join)."""
    at = at or timezone.now()

    def change(w: Workshop) -> list[str]:
        _refuse_if_ended(w)
        if w.state == WorkshopState.RUNNING:
            raise Refused(_("The workshop is already running."))
        first = w.steps.first()
        if first is None:
            raise Refused(_("Add a step to the agenda first."))
        w.state, w.started, w.current_step = WorkshopState.RUNNING, at, first
        _reset_timer(w)
        return ["state", "started", "current_step", "timer"]

    return _control(workshop, "start", change, origin, at)


def _move(workshop: Workshop, kind: str, later: bool, origin: Origin, at) -> Change:
    def change(w: Workshop) -> list[str]:
        _refuse_unless_running(w)
        steps = list(w.steps.all())
        ids = [step.pk for step in steps]
        if w.current_step_id in ids:
            index = ids.index(w.current_step_id) + (1 if later else -1)
        else:  # its step was taken off the agenda behind its back (in the admin): start over
            index = 0
        if not 0 <= index < len(steps):
            raise Refused(_("This is the last step.") if later else _("This is the first step."))
        w.current_step = steps[index]
        _reset_timer(w)
        return ["current_step", "timer"]

    return _control(workshop, kind, change, origin, at)


def next_step(workshop: Workshop, origin: Origin = SERVER, at: datetime | None = None) -> Change:
    """Move everyone to the next step of the agenda, its timer reset to the step's length."""
    return _move(workshop, "next", True, origin, at)


def previous_step(
    workshop: Workshop, origin: Origin = SERVER, at: datetime | None = None
) -> Change:
    """Move everyone back one step, its timer reset to the step's length."""
    return _move(workshop, "previous", False, origin, at)


def timer_start(workshop: Workshop, origin: Origin = SERVER, at: datetime | None = None) -> Change:
    """Start the step timer, or carry on from where it was paused."""
    at = at or timezone.now()

    def change(w: Workshop) -> list[str]:
        _refuse_unless_running(w)
        if w.timer_running_since is not None:
            raise Refused(_("The timer is already running."))
        remaining = w.remaining_seconds(at)
        if not remaining:
            raise Refused(_("No time is left on the timer: add time first."))
        w.timer_running_since, w.timer_duration, w.timer_remaining = at, remaining, None
        return ["timer"]

    return _control(workshop, "timer_start", change, origin, at)


def timer_pause(workshop: Workshop, origin: Origin = SERVER, at: datetime | None = None) -> Change:
    """Stop the timer where it is."""
    at = at or timezone.now()

    def change(w: Workshop) -> list[str]:
        _refuse_unless_running(w)
        if w.timer_running_since is None:
            raise Refused(_("The timer is not running."))
        w.timer_remaining = w.remaining_seconds(at)
        w.timer_running_since, w.timer_duration = None, 0
        return ["timer"]

    return _control(workshop, "timer_pause", change, origin, at)


def timer_add(
    workshop: Workshop, seconds: int = 60, origin: Origin = SERVER, at: datetime | None = None
) -> Change:
    """Give the step more time (1 second to an hour at once), running or paused."""
    at = at or timezone.now()

    def change(w: Workshop) -> list[str]:
        _refuse_unless_running(w)
        if not 1 <= seconds <= MAX_ADDED_SECONDS:
            raise Refused(_("Add between 1 second and 60 minutes at a time."))
        if w.timer_running_since is not None:
            w.timer_duration += seconds
        else:
            w.timer_remaining = (w.remaining_seconds(at) or 0) + seconds
        return ["timer"]

    return _control(workshop, "timer_add", change, origin, at)


def _locking(workshop: Workshop, locked: bool, origin: Origin, at) -> Change:
    def change(w: Workshop) -> list[str]:
        _refuse_if_ended(w)
        if w.locked == locked:
            raise Refused(
                _("Editing is already locked.") if locked else _("Editing is not locked.")
            )
        w.locked = locked
        return ["locked"]

    return _control(workshop, "lock" if locked else "unlock", change, origin, at)


def lock(workshop: Workshop, origin: Origin = SERVER, at: datetime | None = None) -> Change:
    """Stop participants from changing anything (the facilitator and editors still can)."""
    return _locking(workshop, True, origin, at)


def unlock(workshop: Workshop, origin: Origin = SERVER, at: datetime | None = None) -> Change:
    return _locking(workshop, False, origin, at)


def end(workshop: Workshop, origin: Origin = SERVER, at: datetime | None = None) -> Change:
    """End the workshop: the join code stops working, the timer stops, open votes close with
    their results kept. An ended workshop cannot be started again."""
    at = at or timezone.now()

    def change(w: Workshop) -> list[str]:
        _refuse_if_ended(w)
        w.state, w.ended = WorkshopState.ENDED, at
        _reset_timer(w)
        Vote.objects.filter(workshop=w, state=VoteState.OPEN).update(
            state=VoteState.CLOSED, closed=at
        )
        return ["state", "ended", "timer"]

    return _control(workshop, "end", change, origin, at)


# The controls by the name the room's forms and the live layer's messages use. `timer_add`
# takes the seconds to add as well.
ACTIONS: dict[str, Callable[..., Change]] = {
    "open": open_for_joining,
    "start": start,
    "next": next_step,
    "previous": previous_step,
    "timer_start": timer_start,
    "timer_pause": timer_pause,
    "timer_add": timer_add,
    "lock": lock,
    "unlock": unlock,
    "end": end,
}
