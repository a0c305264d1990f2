"""Joining a workshop: finding it from a code, who someone is in it, and slowing down guessers.

A member of the workspace joins as themselves; anyone else — a partner, a resident, someone
signed in to another city — joins as a guest with only a display name. A guest has no account:
the browser session holds the id of their participant, under a key per workshop, and that is all
that lets them in. The pages and the live layer both find the participant with
`participant_for(workshop, user, session)`.
"""

from datetime import datetime, timedelta

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from opencities.accounts.models import display_name

from . import codes
from .models import DISPLAY_NAME_MAX_LENGTH, Participant, ParticipantKind, Workshop, WorkshopState

# Wrong codes a browser session may try before it has to wait.
MAX_WRONG_CODES = 5
WRONG_CODE_WINDOW = timedelta(minutes=10)
_WRONG_CODES_KEY = "workshops:wrong-codes"


def session_key(workshop: Workshop) -> str:
    """Where a browser session keeps its guest participant's id for this workshop."""
    return f"workshops:participant:{workshop.pk}"


def find(typed: str) -> Workshop | None:
    """The workshop a code (as typed) belongs to: the one not ended if there is one, otherwise
    the latest that ended with it (so people hear it has ended), or None."""
    code = codes.normalise(typed)
    if not codes.is_well_formed(code):
        return None
    ended_last = Case(
        When(state=WorkshopState.ENDED, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return (
        Workshop.objects.filter(join_code=code)
        .select_related("project__workspace")
        .order_by(ended_last.asc(), "-ended", "-pk")
        .first()
    )


def is_member(workshop: Workshop, user) -> bool:
    """Whether `user` holds any role in the workshop's workspace."""
    return workshop.project.workspace.role_of(user) is not None


def participant_for(workshop: Workshop, user, session) -> Participant | None:
    """Who this person is in the workshop: the participant of their account if they joined
    signed in, else the guest their browser session joined as, else None."""
    if user.is_authenticated:
        own = workshop.participants.filter(user=user).first()
        if own is not None:
            return own
    guest_pk = session.get(session_key(workshop))
    if guest_pk is None:
        return None
    return workshop.participants.filter(pk=guest_pk, kind=ParticipantKind.GUEST).first()


def join_member(workshop: Workshop, user, at: datetime | None = None) -> Participant:
    """Add a signed-in person as themselves (the facilitator as facilitator); joining twice
    gives the same participant."""
    at = at or timezone.now()
    participant, created = Participant.objects.get_or_create(
        workshop=workshop,
        user=user,
        defaults={
            "display_name": display_name(user)[:DISPLAY_NAME_MAX_LENGTH],
            "kind": (
                ParticipantKind.FACILITATOR
                if user.pk == workshop.facilitator_id
                else ParticipantKind.MEMBER
            ),
            "joined": at,
            "last_seen": at,
        },
    )
    if not created:
        participant.last_seen = at
        participant.save(update_fields=["last_seen"])
    return participant


def join_guest(
    workshop: Workshop, display_name: str, session, at: datetime | None = None
) -> Participant:
    """Add a guest under `display_name` (already checked by the form) and bind it to the
    browser session."""
    at = at or timezone.now()
    participant = Participant.objects.create(
        workshop=workshop,
        display_name=display_name,
        kind=ParticipantKind.GUEST,
        joined=at,
        last_seen=at,
    )
    session[session_key(workshop)] = participant.pk
    return participant


def _recent_wrong_codes(session, at: datetime) -> list[float]:
    since = (at - WRONG_CODE_WINDOW).timestamp()
    return [t for t in session.get(_WRONG_CODES_KEY, []) if t > since]


def too_many_wrong_codes(session, at: datetime | None = None) -> bool:
    """Whether this browser session tried too many wrong codes lately and must wait."""
    return len(_recent_wrong_codes(session, at or timezone.now())) >= MAX_WRONG_CODES


def count_wrong_code(session, at: datetime | None = None) -> None:
    at = at or timezone.now()
    session[_WRONG_CODES_KEY] = [*_recent_wrong_codes(session, at), at.timestamp()]
