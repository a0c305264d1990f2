"""Projects: a civic challenge the city wants data to help with — open with purpose."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from opencities.accounts.models import Workspace


class Stage(models.TextChoices):
    IDEA = "idea", "Idea"
    EXPLORING = "exploring", "Exploring"
    PILOT = "pilot", "Pilot"
    SCALING = "scaling", "Scaling"
    EMBEDDED = "embedded", "Embedded"
    RETIRED = "retired", "Retired"


ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]


class Project(models.Model):
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="projects", db_index=False
    )
    title = models.CharField(max_length=200)
    challenge = models.TextField(help_text="The civic problem, in a sentence or two.")
    goal = models.TextField(blank=True, help_text="What will be different if the project works.")
    why_data = models.TextField(
        "why we care about this data",
        blank=True,
        help_text="Why data matters to this challenge, in words the public can read.",
    )
    urgency = models.PositiveSmallIntegerField(
        default=3, validators=ONE_TO_FIVE, help_text="1 (can wait) to 5 (urgent)."
    )
    impact = models.PositiveSmallIntegerField(
        default=3, validators=ONE_TO_FIVE, help_text="1 (small) to 5 (transformative)."
    )
    public_good = models.CharField(
        "area of public good",
        max_length=100,
        blank=True,
        help_text="e.g. health, environment, mobility, housing, safety.",
    )
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.IDEA)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_projects",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
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
