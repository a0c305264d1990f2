"""Live workshops: a project's agenda of timed steps, the people taking part, their sticky notes,
dot votes, and the log of every accepted change.

Built for a live layer (websockets) that changes these rows from many browsers at once, and for
the plain pages that run the same workshop without JavaScript:

- The database is the single source of truth. Every accepted change goes through
  `operations.apply`, which bumps `Workshop.version` by one and writes an `Operation` with that
  version in the same transaction. A client that reconnects asks for the operations after the
  last version it saw; a retried operation (same client id and sequence number) is found in the
  log and not applied twice.
- Notes follow "last writer wins, per field": an operation carries only the fields it changes
  (text, colour, position, board), the server applies them in the order it accepts them and
  stamps `Note.version` with the workshop version of that change; the full note is broadcast, so
  every screen ends up with the same note. A deleted note stays as a row (`deleted`) so
  catch-up and the summary know it went; an edit of a deleted note is refused.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencities.canvases.models import Contribution
from opencities.maps.models import EcosystemMap
from opencities.projects.models import Project

from . import codes

NOTE_MAX_LENGTH = 1000
DISPLAY_NAME_MAX_LENGTH = 60


class WorkshopState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for joining")
    RUNNING = "running", _("Running")
    ENDED = "ended", _("Ended")


# People may join (from the link or the code) only in these states.
JOINABLE = (WorkshopState.OPEN, WorkshopState.RUNNING)


@dataclass(frozen=True)
class Timer:
    """The step timer as everyone should see it at one moment."""

    remaining: int | None  # seconds left; None when there is no step to time
    running: bool
    ends_at: datetime | None  # while running: when it reaches zero

    @property
    def clock(self) -> str:
        """Minutes and seconds left, e.g. ``12:05``; a dash when there is nothing to time."""
        if self.remaining is None:
            return "—"
        return f"{self.remaining // 60}:{self.remaining % 60:02d}"

    def as_dict(self) -> dict:
        return {
            "remaining": self.remaining,
            "running": self.running,
            "ends_at": self.ends_at.isoformat() if self.ends_at else None,
        }


class Workshop(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="workshops", verbose_name=_("project")
    )
    title = models.CharField(_("title"), max_length=200)
    date = models.DateTimeField(_("date and time"))
    state = models.CharField(
        _("state"), max_length=10, choices=WorkshopState.choices, default=WorkshopState.DRAFT
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="facilitated_workshops",
        verbose_name=_("facilitator"),
        help_text=_("An editor or owner of the workspace, who runs the workshop."),
    )
    room = models.UUIDField(_("room"), default=uuid.uuid4, unique=True, editable=False)
    join_code = models.CharField(_("join code"), max_length=codes.LENGTH, editable=False)
    current_step = models.ForeignKey(
        "Step",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("current step"),
    )
    locked = models.BooleanField(
        _("editing locked"),
        default=False,
        help_text=_(
            "While locked, only the facilitator and editors of the workspace change things."
        ),
    )
    timer_running_since = models.DateTimeField(_("timer running since"), null=True, blank=True)
    timer_duration = models.PositiveIntegerField(
        _("timer seconds"), default=0, help_text=_("Seconds on the timer when it last started.")
    )
    timer_remaining = models.PositiveIntegerField(
        _("seconds left when paused"),
        null=True,
        blank=True,
        help_text=_("Empty when the timer is reset to the whole step."),
    )
    started = models.DateTimeField(_("started"), null=True, blank=True)
    ended = models.DateTimeField(_("ended"), null=True, blank=True)
    version = models.PositiveBigIntegerField(
        _("version"), default=0, help_text=_("Counts every accepted change.")
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        indexes = [models.Index(fields=["join_code"], name="workshop_join_code")]
        constraints = [
            # An ended workshop's code may be handed out again: it no longer works.
            models.UniqueConstraint(
                fields=["join_code"],
                condition=~models.Q(state="ended"),
                name="join_code_unique_while_not_ended",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.join_code:
            self.join_code = self._unused_code()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(
            "workshops:detail", args=[self.project.workspace.slug, self.project_id, self.pk]
        )

    def get_room_url(self) -> str:
        return reverse("workshops:room", args=[self.room])

    def get_join_url(self) -> str:
        """The link to share (a path: make it absolute with the request)."""
        return reverse("workshops:join_code", args=[self.join_code])

    @staticmethod
    def _unused_code() -> str:
        while True:
            code = codes.random_code()
            in_use = Workshop.objects.filter(join_code=code).exclude(state=WorkshopState.ENDED)
            if not in_use.exists():
                return code

    @property
    def display_code(self) -> str:
        return codes.display(self.join_code)

    @property
    def is_joinable(self) -> bool:
        return self.state in JOINABLE

    def remaining_seconds(self, at: datetime) -> int | None:
        """Seconds left on the step timer at `at`: counting down while running, frozen while
        paused, the whole step after a reset, None when no step is current."""
        if self.timer_running_since is not None:
            elapsed = max(0, int((at - self.timer_running_since).total_seconds()))
            return max(0, self.timer_duration - elapsed)
        if self.timer_remaining is not None:
            return self.timer_remaining
        if self.current_step is not None:
            return self.current_step.duration_minutes * 60
        return None

    def timer(self, at: datetime | None = None) -> Timer:
        at = at or timezone.now()
        running = self.timer_running_since is not None
        ends_at = None
        if running:
            ends_at = self.timer_running_since + timedelta(seconds=self.timer_duration)
        return Timer(self.remaining_seconds(at), running, ends_at)

    def window(self, now: datetime | None = None) -> tuple[datetime, datetime] | None:
        """From when to when the workshop ran (until now while it runs), None before it
        started: what the summary counts as added "during the workshop"."""
        if self.started is None:
            return None
        return self.started, self.ended or now or timezone.now()


class StepKind(models.TextChoices):
    ECOSYSTEM_MAP = "ecosystem_map", _("Ecosystem map")
    ETHICS_CANVAS = "ethics_canvas", _("Data Ethics Canvas")
    BUSINESS_CASE = "business_case", _("Business case")
    BRAINSTORM = "brainstorm", _("Brainstorm board")


class Step(models.Model):
    """One timed part of the agenda. Positions count from 1 and are kept without gaps."""

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="steps", verbose_name=_("workshop")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=20, choices=StepKind.choices)
    title = models.CharField(
        _("title"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty to call the step by its kind, e.g. “Business case”."),
    )
    duration_minutes = models.PositiveSmallIntegerField(_("minutes"), default=30)
    map = models.ForeignKey(
        EcosystemMap,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="workshop_steps",
        verbose_name=_("map"),
        help_text=_("For a map step: which map of the project the group works on."),
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        indexes = [models.Index(fields=["workshop", "position"], name="step_order")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=1, duration_minutes__lte=600),
                name="step_1_to_600_minutes",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="ecosystem_map") | models.Q(map__isnull=True),
                name="only_map_steps_have_a_map",
            ),
        ]

    def __str__(self) -> str:
        return str(self.display_title)

    @property
    def display_title(self) -> str:
        return self.title or self.get_kind_display()

    @property
    def is_map_step(self) -> bool:
        return self.kind == StepKind.ECOSYSTEM_MAP

    def as_dict(self) -> dict:
        return {
            "id": self.pk,
            "position": self.position,
            "kind": self.kind,
            "title": str(self.display_title),
            "duration_minutes": self.duration_minutes,
            "map": self.map_id,
        }


class ParticipantKind(models.TextChoices):
    FACILITATOR = "facilitator", _("Facilitator")
    MEMBER = "member", _("Member")
    GUEST = "guest", _("Guest")


class Participant(models.Model):
    """Someone in the workshop: the facilitator, a member of the workspace signed in as
    themselves, or a guest known only by a display name and bound to one browser session."""

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="participants", verbose_name=_("workshop")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="workshop_participations",
        verbose_name=_("person"),
    )
    display_name = models.CharField(_("display name"), max_length=DISPLAY_NAME_MAX_LENGTH)
    kind = models.CharField(_("kind"), max_length=12, choices=ParticipantKind.choices)
    joined = models.DateTimeField(_("joined"), default=timezone.now)
    last_seen = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        ordering = ["joined", "pk"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "user"],
                condition=models.Q(user__isnull=False),
                name="one_participant_per_person",
            )
        ]

    def __str__(self) -> str:
        return self.display_name


class NoteColour(models.TextChoices):
    YELLOW = "yellow", _("Yellow")
    PINK = "pink", _("Pink")
    BLUE = "blue", _("Blue")
    GREEN = "green", _("Green")
    ORANGE = "orange", _("Orange")
    PURPLE = "purple", _("Purple")


class Note(models.Model):
    """A sticky note on a board of a step: a canvas section (``ethics:data_sources``,
    ``business:benefits``) or a brainstorm board (``brainstorm``); see `notes.py`.

    A note on a canvas section is also that section's `Contribution` (`notes.sync_contribution`).
    """

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="notes", verbose_name=_("workshop")
    )
    # RESTRICT: a step with notes is not removed from the agenda, but goes with its workshop.
    step = models.ForeignKey(
        Step, on_delete=models.RESTRICT, related_name="notes", verbose_name=_("step")
    )
    board = models.CharField(_("board"), max_length=60)
    text = models.TextField(_("text"), max_length=NOTE_MAX_LENGTH)
    colour = models.CharField(
        _("colour"), max_length=10, choices=NoteColour.choices, default=NoteColour.YELLOW
    )
    x = models.FloatField(default=0)
    y = models.FloatField(default=0)
    author = models.ForeignKey(
        Participant,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notes",
        verbose_name=_("author"),
    )
    deleted = models.BooleanField(_("deleted"), default=False)
    version = models.PositiveBigIntegerField(
        _("version"), default=0, help_text=_("The workshop's version when the note last changed.")
    )
    contribution = models.OneToOneField(
        Contribution,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="workshop_note",
        verbose_name=_("contribution"),
    )
    created = models.DateTimeField(_("created"), default=timezone.now)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        indexes = [
            models.Index(fields=["workshop", "version"], name="note_catch_up"),
            models.Index(fields=["step", "board"], name="note_board"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), NOTE_MAX_LENGTH),
                name="note_at_most_1000_characters",
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]


class VoteTarget(models.TextChoices):
    NOTES = "notes", _("Notes")
    BLOCKED_FLOWS = "blocked_flows", _("Blocked flows")
    OPPORTUNITIES = "opportunities", _("Opportunities")


class VoteState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Vote(models.Model):
    """Dot-voting: each participant places up to `dots_per_person` dots on notes, blocked flows
    or opportunities; `votes.results` ranks them. Results are kept after the vote closes."""

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="votes", verbose_name=_("workshop")
    )
    step = models.ForeignKey(
        Step,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="votes",
        verbose_name=_("step"),
    )
    title = models.CharField(_("question"), max_length=200)
    target = models.CharField(_("vote on"), max_length=20, choices=VoteTarget.choices)
    dots_per_person = models.PositiveSmallIntegerField(_("dots per person"), default=3)
    state = models.CharField(
        _("state"), max_length=10, choices=VoteState.choices, default=VoteState.OPEN
    )
    created = models.DateTimeField(_("created"), default=timezone.now)
    closed = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(dots_per_person__gte=1, dots_per_person__lte=20),
                name="vote_1_to_20_dots",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Dot(models.Model):
    """One dot placed by one participant. The same target may get several dots from one person.

    ``target_key`` is a note id, an exchange id or an opportunity key (see `votes.py`)."""

    vote = models.ForeignKey(
        Vote, on_delete=models.CASCADE, related_name="dots", verbose_name=_("vote")
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="dots", verbose_name=_("participant")
    )
    target_key = models.CharField(_("target"), max_length=100)
    created = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("dot")
        verbose_name_plural = _("dots")
        indexes = [
            models.Index(fields=["vote", "target_key"], name="dot_tally"),
            models.Index(fields=["vote", "participant"], name="dot_spent"),
        ]

    def __str__(self) -> str:
        return self.target_key


class Operation(models.Model):
    """One accepted change, in order: the log a reconnecting client catches up from, and the
    record that makes a retried operation (same client id and sequence) apply only once.

    Written by `operations.apply` only. Changes made by the server itself (or from a plain page
    without a client id) have an empty ``client_id`` and are never taken for a retry."""

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="operations", verbose_name=_("workshop")
    )
    version = models.PositiveBigIntegerField(_("version"))
    participant = models.ForeignKey(
        Participant,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="operations",
        verbose_name=_("participant"),
    )
    client_id = models.CharField(_("client"), max_length=64, blank=True)
    client_seq = models.PositiveBigIntegerField(_("client sequence"), default=0)
    kind = models.CharField(_("kind"), max_length=40)
    payload = models.JSONField(_("payload"), default=dict)
    created = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["workshop", "version"]
        verbose_name = _("operation")
        verbose_name_plural = _("operations")
        constraints = [
            # Also the index for catch-up: the operations of a workshop after a version.
            models.UniqueConstraint(
                fields=["workshop", "version"], name="one_operation_per_version"
            ),
            models.UniqueConstraint(
                fields=["workshop", "client_id", "client_seq"],
                condition=~models.Q(client_id=""),
                name="client_operation_applied_once",
            ),
        ]
        indexes = [
            models.Index(fields=["workshop", "kind"], name="operation_kind"),
            # Looking up retries: the unique constraint's index is partial, and SQLite does not
            # use a partial index for a query whose values are parameters.
            models.Index(fields=["workshop", "client_id", "client_seq"], name="operation_client"),
        ]

    def __str__(self) -> str:
        return f"{self.workshop_id} v{self.version} {self.kind}"
