"""The Data Ethics Canvas and the Business Case Canvas of a project.

Each project has at most one of each, created on first visit with one row per section (see
`sections.py` for what the sections are). A section holds the team's summary, its status and its
contributions — notes from several people, typed on the page, pasted in after a workshop held in
a room, imported from a spreadsheet, or (later) placed as sticky notes in a live workshop.
"""

from decimal import Decimal
from typing import Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opencities.accounts.models import display_name
from opencities.inventory.models import Dataset
from opencities.maps.models import Exchange, ExchangeKind
from opencities.projects.models import Project

from .sections import ANSWERS, BUSINESS_SECTIONS, ETHICS_SECTIONS, Check, Section


class SectionStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    FOR_REVIEW = "for_review", _("For review")
    COMPLETE = "complete", _("Complete")


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNSURE = "unsure", _("Unsure")


class CanvasSection(models.Model):
    """What the two canvases' sections share: a summary, a status, who changed it last."""

    key = models.CharField(_("section"), max_length=40)
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=SectionStatus.choices, default=SectionStatus.NOT_STARTED
    )
    updated = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("updated by"),
    )

    # For templates that draw a section's form (canvases/_section.html): the choice to offer.
    status_choices = SectionStatus.choices

    class Meta:
        abstract = True

    @property
    def is_complete(self) -> bool:
        return self.status == SectionStatus.COMPLETE


def completeness(sections) -> tuple[int, int]:
    """How many sections are complete, out of how many."""
    sections = list(sections)
    return sum(1 for s in sections if s.status == SectionStatus.COMPLETE), len(sections)


class SectionedCanvas:
    """What both canvases do with their sections (`specs`, in canvas order): made together with
    the canvas on first use, read in canvas order, counted for completeness."""

    specs: tuple[Section, ...] = ()

    @classmethod
    def for_project(cls, project: Project) -> Self:
        """The project's canvas with all its sections, made on first use."""
        canvas, _created = cls.objects.get_or_create(project=project)
        sections = canvas.sections
        missing = {s.key for s in cls.specs} - set(sections.values_list("key", flat=True))
        sections.model.objects.bulk_create(
            sections.model(key=s.key, **{sections.field.name: canvas})
            for s in cls.specs
            if s.key in missing
        )
        return canvas

    def ordered_sections(self) -> list:
        order = {s.key: i for i, s in enumerate(self.specs)}
        return sorted(self.sections.all(), key=lambda s: order.get(s.key, len(order)))

    def completeness(self) -> tuple[int, int]:
        return completeness(self.sections.all())


class EthicsCanvas(SectionedCanvas, models.Model):
    specs = ETHICS_SECTIONS

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="ethics_canvas", verbose_name=_("project")
    )
    next_review = models.DateField(_("next review"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("data ethics canvas")
        verbose_name_plural = _("data ethics canvases")

    def __str__(self) -> str:
        return str(_("Data Ethics Canvas of “{project}”").format(project=self.project))

    def get_absolute_url(self) -> str:
        return reverse("canvases:ethics", args=[self.project.workspace.slug, self.project_id])

    def is_review_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.next_review is not None and self.next_review < today

    def map_datasets(self) -> models.QuerySet[Dataset]:
        """The datasets on the project's maps, as nodes or as what a flow carries: what "data
        sources" offers to link with one click."""
        project = self.project
        on_maps = models.Q(map_nodes__map__project=project) | models.Q(
            exchanges__map__project=project
        )
        return (
            Dataset.objects.filter(on_maps, workspace=project.workspace_id)
            .distinct()
            .order_by("title", "pk")
        )

    def map_flows(self) -> models.QuerySet[Exchange]:
        """The data flows on the project's maps: what "sharing data with others" offers."""
        return Exchange.objects.filter(map__project=self.project, kind=ExchangeKind.DATA).order_by(
            "map__title", "pk"
        )


class EthicsSection(CanvasSection):
    canvas = models.ForeignKey(
        EthicsCanvas,
        on_delete=models.CASCADE,
        related_name="sections",
        verbose_name=_("data ethics canvas"),
    )
    checks = models.JSONField(
        _("checks"),
        default=dict,
        blank=True,
        help_text=_("Answers to the section's checks: key → yes/no/unsure."),
    )
    datasets = models.ManyToManyField(
        Dataset, blank=True, related_name="ethics_sections", verbose_name=_("datasets")
    )
    exchanges = models.ManyToManyField(
        Exchange, blank=True, related_name="ethics_sections", verbose_name=_("data flows")
    )

    class Meta:
        verbose_name = _("ethics canvas section")
        verbose_name_plural = _("ethics canvas sections")
        constraints = [
            models.UniqueConstraint(fields=["canvas", "key"], name="one_ethics_section_per_key")
        ]

    def __str__(self) -> str:
        return str(self.spec.name)

    # For templates that draw the checks' radio buttons (canvases/_section.html).
    answer_choices = Answer.choices

    @property
    def spec(self) -> Section:
        from .sections import ETHICS_BY_KEY

        return ETHICS_BY_KEY[self.key]

    def check_answers(self) -> list[tuple[Check, str, str]]:
        """The section's checks in order, each with its answer ("" when not answered yet) and
        the answer in words."""
        answers = []
        for check in self.spec.checks:
            answer = self.checks.get(check.key, "")
            answers.append((check, answer, ANSWERS.get(answer, _("Not answered"))))
        return answers

    def clean(self):
        allowed = {check.key for check in self.spec.checks}
        unknown = set(self.checks) - allowed
        if unknown:
            raise ValidationError({"checks": _("Unknown checks: %s.") % ", ".join(sorted(unknown))})
        wrong = {k for k, v in self.checks.items() if v not in Answer.values}
        if wrong:
            raise ValidationError({"checks": _("Answer yes, no or unsure.")})


class BusinessCase(SectionedCanvas, models.Model):
    specs = BUSINESS_SECTIONS

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="business_case", verbose_name=_("project")
    )
    years = models.PositiveSmallIntegerField(
        _("years appraised"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(15)],
        help_text=_("How many years the benefits and costs are counted over (1 to 15)."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("business case")
        verbose_name_plural = _("business cases")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(years__gte=1, years__lte=15), name="business_case_years_1_to_15"
            )
        ]

    def __str__(self) -> str:
        return str(_("Business case of “{project}”").format(project=self.project))

    def get_absolute_url(self) -> str:
        return reverse("canvases:business", args=[self.project.workspace.slug, self.project_id])


class BusinessSection(CanvasSection):
    case = models.ForeignKey(
        BusinessCase,
        on_delete=models.CASCADE,
        related_name="sections",
        verbose_name=_("business case"),
    )

    class Meta:
        verbose_name = _("business case section")
        verbose_name_plural = _("business case sections")
        constraints = [
            models.UniqueConstraint(fields=["case", "key"], name="one_business_section_per_key")
        ]

    def __str__(self) -> str:
        return str(self.spec.name)

    @property
    def spec(self) -> Section:
        from .sections import BUSINESS_BY_KEY

        return BUSINESS_BY_KEY[self.key]


class ContributionSource(models.TextChoices):
    TYPED = "typed", _("Typed on the page")
    ROOM = "room", _("From a workshop held in a room")
    SPREADSHEET = "spreadsheet", _("Imported from a spreadsheet")
    WORKSHOP = "workshop", _("From a live workshop")


class Contribution(models.Model):
    """One person's note on a section of either canvas."""

    ethics_section = models.ForeignKey(
        EthicsSection,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="contributions",
        verbose_name=_("ethics canvas section"),
    )
    business_section = models.ForeignKey(
        BusinessSection,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="contributions",
        verbose_name=_("business case section"),
    )
    text = models.TextField(_("note"), max_length=4000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    author_name = models.CharField(
        _("author name"),
        max_length=120,
        blank=True,
        help_text=_("Who wrote it, when they have no account here (a guest or a room's note)."),
    )
    source = models.CharField(
        _("source"),
        max_length=20,
        choices=ContributionSource.choices,
        default=ContributionSource.TYPED,
    )
    created = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["created", "pk"]
        constraints = [
            models.CheckConstraint(
                name="contribution_on_one_section",
                condition=(
                    models.Q(ethics_section__isnull=False, business_section__isnull=True)
                    | models.Q(ethics_section__isnull=True, business_section__isnull=False)
                ),
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def by(self) -> str:
        """The name to show for whoever wrote it."""
        if self.author_id:
            return display_name(self.author)
        return self.author_name or str(_("Unknown"))


class Priority(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class Action(models.Model):
    """Something the team agreed to do, from the ethics canvas (or, later, a workshop)."""

    canvas = models.ForeignKey(
        EthicsCanvas,
        on_delete=models.CASCADE,
        related_name="actions",
        verbose_name=_("data ethics canvas"),
    )
    description = models.CharField(_("description"), max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="canvas_actions",
        verbose_name=pgettext_lazy("action", "owner"),
    )
    owner_name = models.CharField(
        _("owner (no account)"),
        max_length=120,
        blank=True,
        help_text=_("For someone outside the workspace, e.g. a partner's officer."),
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM
    )
    due = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return self.description

    @property
    def is_open(self) -> bool:
        return self.status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.due is not None and self.due < today

    @property
    def owned_by(self) -> str:
        if self.owner_id:
            return display_name(self.owner)
        return self.owner_name


class Review(models.Model):
    """A dated snapshot of the whole ethics canvas, to compare with any other."""

    canvas = models.ForeignKey(
        EthicsCanvas,
        on_delete=models.CASCADE,
        related_name="reviews",
        verbose_name=_("data ethics canvas"),
    )
    taken = models.DateTimeField(_("taken"), default=timezone.now)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("taken by"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    snapshot = models.JSONField(_("snapshot"), default=dict)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-taken", "-pk"]

    def __str__(self) -> str:
        return str(_("Review of {date}")).format(date=self.taken.date().isoformat())


class BenefitKind(models.TextChoices):
    CASH = "cash", _("Cash-releasing")
    NON_CASH = "non_cash", _("Non-cash (time or effort saved)")
    SOCIAL = "social", _("Social")


class CostKind(models.TextChoices):
    ONE_OFF = "one_off", _("One-off")
    RECURRING = "recurring", _("Recurring")


class MoneyLine(models.Model):
    """A benefit or a cost of the business case, as an amount for each year appraised."""

    description = models.CharField(_("description"), max_length=300)
    amounts = models.JSONField(
        _("amounts"),
        default=list,
        help_text=_("One amount per year, as decimal strings, year 1 first."),
    )
    note = models.CharField(_("how it was estimated"), max_length=500, blank=True)

    class Meta:
        abstract = True
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.description

    def yearly(self, years: int) -> list[Decimal]:
        """The amounts for `years` years: missing years count as nothing."""
        values = [Decimal(str(v)) for v in self.amounts[:years]]
        return values + [Decimal(0)] * (years - len(values))

    def clean(self):
        try:
            values = [Decimal(str(v)) for v in self.amounts]
        except (ArithmeticError, ValueError, TypeError) as error:
            raise ValidationError({"amounts": _("Each year's amount must be a number.")}) from error
        if any(not v.is_finite() or v < 0 for v in values):
            raise ValidationError({"amounts": _("Amounts are zero or more.")})


class Benefit(MoneyLine):
    case = models.ForeignKey(
        BusinessCase,
        on_delete=models.CASCADE,
        related_name="benefits",
        verbose_name=_("business case"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=BenefitKind.choices)

    class Meta(MoneyLine.Meta):
        verbose_name = _("benefit")
        verbose_name_plural = _("benefits")


class Cost(MoneyLine):
    case = models.ForeignKey(
        BusinessCase,
        on_delete=models.CASCADE,
        related_name="costs",
        verbose_name=_("business case"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CostKind.choices)

    class Meta(MoneyLine.Meta):
        verbose_name = _("cost")
        verbose_name_plural = _("costs")
