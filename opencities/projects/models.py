"""Projects: a civic challenge the city wants data to help with — open with purpose."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opencities.accounts.models import Workspace


class Stage(models.TextChoices):
    IDEA = "idea", _("Idea")
    EXPLORING = "exploring", _("Exploring")
    PILOT = "pilot", _("Pilot")
    SCALING = "scaling", _("Scaling")
    EMBEDDED = "embedded", _("Embedded")
    RETIRED = "retired", _("Retired")


ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]


class Project(models.Model):
    workspace = models.ForeignKey(
        Workspace,
        on_delete=models.CASCADE,
        related_name="projects",
        db_index=False,
        verbose_name=_("workspace"),
    )
    title = models.CharField(_("title"), max_length=200)
    challenge = models.TextField(
        _("challenge"), help_text=_("The civic problem, in a sentence or two.")
    )
    goal = models.TextField(
        _("goal"), blank=True, help_text=_("What will be different if the project works.")
    )
    why_data = models.TextField(
        _("why we care about this data"),
        blank=True,
        help_text=_("Why data matters to this challenge, in words the public can read."),
    )
    urgency = models.PositiveSmallIntegerField(
        _("urgency"), default=3, validators=ONE_TO_FIVE, help_text=_("1 (can wait) to 5 (urgent).")
    )
    impact = models.PositiveSmallIntegerField(
        _("impact"),
        default=3,
        validators=ONE_TO_FIVE,
        help_text=_("1 (small) to 5 (transformative)."),
    )
    public_good = models.CharField(
        _("area of public good"),
        max_length=100,
        blank=True,
        help_text=_("e.g. health, environment, mobility, housing, safety."),
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.IDEA)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_projects",
        verbose_name=_("owner"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "title"], name="unique_project_title"),
            models.CheckConstraint(
                condition=models.Q(urgency__gte=1, urgency__lte=5), name="urgency_1_to_5"
            ),
            models.CheckConstraint(
                condition=models.Q(impact__gte=1, impact__lte=5), name="impact_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:project_detail", args=[self.workspace.slug, self.pk])

    @property
    def priority(self) -> int:
        """Urgency times impact: where a city should start (1 to 25)."""
        return self.urgency * self.impact
