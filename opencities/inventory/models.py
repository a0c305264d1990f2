"""The inventory: the actors in a city's data ecosystem, and what data exists or is missing."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opencities.accounts.models import Workspace


class Sector(models.TextChoices):
    PUBLIC = "public", _("Public sector")
    PRIVATE = "private", _("Private sector")
    THIRD_SECTOR = "third_sector", _("Third sector")
    ACADEMIA = "academia", _("Academia")
    COMMUNITY = "community", _("Community and citizens")


class ActorKind(models.TextChoices):
    AUTHORITY = "authority", _("City authority")
    DEPARTMENT = "department", _("Department")
    TEAM = "team", _("Team")
    PUBLIC_BODY = "public_body", _("Other public body")
    COMPANY = "company", _("Company")
    CHARITY = "charity", _("Charity or voluntary organisation")
    UNIVERSITY = "university", _("University or research institute")
    COMMUNITY_GROUP = "community_group", _("Community group")
    CITIZENS = "citizens", _("Citizens as a group")
    OTHER = "other", _("Other")


class Spectrum(models.TextChoices):
    """The Data Spectrum, from closed to open, with the three kinds of shared access."""

    INTERNAL = "internal", _("Closed — internal access")
    NAMED = "named", _("Shared — named access")
    GROUP = "group", _("Shared — group-based access")
    PUBLIC = "public", _("Shared — public access with restrictions")
    OPEN = "open", _("Open — anyone, open licence")


SPECTRUM_BAND = {
    Spectrum.INTERNAL: "closed",
    Spectrum.NAMED: "shared",
    Spectrum.GROUP: "shared",
    Spectrum.PUBLIC: "shared",
    Spectrum.OPEN: "open",
}


class PersonalData(models.TextChoices):
    NONE = "none", _("No personal data")
    AGGREGATED = "aggregated", _("Aggregated")
    PSEUDONYMISED = "pseudonymised", _("Pseudonymised")
    PERSONAL = "personal", _("Personal data")
    SPECIAL = "special", _("Special category personal data")


class DatasetStatus(models.TextChoices):
    EXISTS = "exists", _("Exists")
    GAP = "gap", _("Gap — needed but missing")
    UNIDENTIFIED = "unidentified", _("Unidentified — holder unknown")


class UpdateFrequency(models.TextChoices):
    CONTINUOUS = "continuous", _("Continuous / real time")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    ANNUAL = "annual", _("Annual")
    IRREGULAR = "irregular", _("Irregular")
    NEVER = "never", _("Never (one-off)")
    UNKNOWN = "unknown", pgettext_lazy("update frequency", "Unknown")


class Provenance(models.Model):
    """Where a record came from and when, kept so re-imports update rather than duplicate."""

    source = models.CharField(
        _("source"),
        max_length=300,
        blank=True,
        help_text=_("Where this record came from, e.g. a file name."),
    )
    source_updated = models.DateTimeField(_("source updated"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Actor(Provenance):
    """An organisation, part of one, or a group of people that collects, shares or uses data."""

    # Every index of this table starts with the workspace, so the key needs none of its own.
    workspace = models.ForeignKey(
        Workspace,
        on_delete=models.CASCADE,
        related_name="actors",
        db_index=False,
        verbose_name=_("workspace"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=ActorKind.choices, default=ActorKind.OTHER
    )
    sector = models.CharField(
        _("sector"), max_length=20, choices=Sector.choices, default=Sector.PUBLIC
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        verbose_name=_("parent"),
        help_text=_("The organisation this one is part of, e.g. the department a team sits in."),
    )
    description = models.TextField(_("description"), blank=True)
    contact = models.CharField(_("contact"), max_length=300, blank=True)
    website = models.URLField(_("website"), max_length=500, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("actor")
        verbose_name_plural = _("actors")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="unique_actor_name")
        ]
        indexes = [models.Index(fields=["workspace", "sector"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("inventory:actor_detail", args=[self.workspace.slug, self.pk])

    def clean(self):
        if self.parent_id and self.parent.workspace_id != self.workspace_id:
            raise ValidationError(
                {"parent": _("The parent must be an actor of the same workspace.")}
            )

    def ancestors(self) -> list["Actor"]:
        """Parents from the nearest up, stopping at a cycle rather than looping."""
        chain, seen, node = [], {self.pk}, self.parent
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain


class Theme(models.Model):
    # Every index of this table starts with the workspace, so the key needs none of its own.
    workspace = models.ForeignKey(
        Workspace,
        on_delete=models.CASCADE,
        related_name="themes",
        db_index=False,
        verbose_name=_("workspace"),
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="unique_theme_name")
        ]

    def __str__(self) -> str:
        return self.name


SEARCHED_FIELDS = ("title", "description", "identifier", "keywords", "formats", "system", "licence")


class Dataset(Provenance):
    """Data that exists, is needed but missing (a gap), or exists with an unknown holder."""

    # Every index of this table starts with the workspace, so the key needs none of its own.
    workspace = models.ForeignKey(
        Workspace,
        on_delete=models.CASCADE,
        related_name="datasets",
        db_index=False,
        verbose_name=_("workspace"),
    )
    identifier = models.SlugField(
        _("identifier"),
        max_length=200,
        db_index=False,  # the unique (workspace, identifier) constraint is the index
        help_text=_("Stable short name, unique in the workspace; imports match records on it."),
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    steward = models.ForeignKey(
        Actor,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stewarded_datasets",
        verbose_name=_("steward"),
        help_text=_("The actor that looks after this data."),
    )
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="datasets", verbose_name=_("themes")
    )
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    licence = models.CharField(_("licence"), max_length=200, blank=True)
    formats = models.JSONField(_("formats"), default=list, blank=True)
    update_frequency = models.CharField(
        _("update frequency"),
        max_length=20,
        choices=UpdateFrequency.choices,
        default=UpdateFrequency.UNKNOWN,
    )
    system = models.CharField(
        _("system"), max_length=200, blank=True, help_text=_("The system the data lives in.")
    )
    personal_data = models.CharField(
        _("personal data"), max_length=20, choices=PersonalData.choices, default=PersonalData.NONE
    )
    spectrum = models.CharField(
        _("Data Spectrum level"),
        max_length=20,
        choices=Spectrum.choices,
        default=Spectrum.INTERNAL,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=DatasetStatus.choices, default=DatasetStatus.EXISTS
    )
    # All the dataset's own searchable text in one column, kept by the database itself, so a
    # search reads one column per row instead of seven (see search.py).
    search_text = models.GeneratedField(
        expression=Concat(
            *(
                part
                for name in SEARCHED_FIELDS
                for part in (Coalesce(Cast(name, models.TextField()), Value("")), Value("\n"))
            ),
            output_field=models.TextField(),
        ),
        output_field=models.TextField(),
        db_persist=True,
        editable=False,
    )

    class Meta:
        ordering = ["title"]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "identifier"], name="unique_dataset_identifier"
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "title"]),
            models.Index(fields=["workspace", "spectrum"]),
            models.Index(fields=["workspace", "status"]),
            models.Index(fields=["workspace", "updated"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("inventory:dataset_detail", args=[self.workspace.slug, self.pk])

    def clean(self):
        if self.steward_id and self.steward.workspace_id != self.workspace_id:
            raise ValidationError(
                {"steward": _("The steward must be an actor of the same workspace.")}
            )

    @property
    def spectrum_band(self) -> str:
        """closed, shared or open: the three broad bands of the Data Spectrum."""
        return SPECTRUM_BAND[self.spectrum]


def unique_identifier(workspace: Workspace, title: str, taken: set[str] | None = None) -> str:
    """A slug for `title` not yet used by a dataset of `workspace` (nor in `taken`)."""
    base = slugify(title)[:180] or "dataset"
    if taken is None:
        taken = set(
            Dataset.objects.filter(workspace=workspace, identifier__startswith=base).values_list(
                "identifier", flat=True
            )
        )
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


class Distribution(models.Model):
    """One way to get a dataset: a download or an API, with its format."""

    dataset = models.ForeignKey(
        Dataset,
        on_delete=models.CASCADE,
        related_name="distributions",
        verbose_name=_("dataset"),
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    url = models.URLField(_("URL"), max_length=1000)
    format = models.CharField(_("format"), max_length=50, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")

    def __str__(self) -> str:
        return self.title or self.url


class TechnologyKind(models.TextChoices):
    APP = "app", _("App")
    PLATFORM = "platform", _("Platform")
    SENSOR = "sensor", _("Sensor or device")
    SERVICE = "service", _("Service")
    OTHER = "other", _("Other")


class Technology(Provenance):
    """An app, platform, sensor network or service that data passes through."""

    workspace = models.ForeignKey(
        Workspace,
        on_delete=models.CASCADE,
        related_name="technologies",
        db_index=False,
        verbose_name=_("workspace"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=TechnologyKind.choices, default=TechnologyKind.PLATFORM
    )
    description = models.TextField(_("description"), blank=True)
    operator = models.ForeignKey(
        Actor,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="technologies",
        verbose_name=_("operator"),
        help_text=_("Who runs it."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("technology")
        verbose_name_plural = _("technologies")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="unique_technology_name")
        ]

    def __str__(self) -> str:
        return self.name


class ImportRun(models.Model):
    """A record of one import: who brought which file in, when, and what it changed."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="imports", verbose_name=_("workspace")
    )
    user = models.ForeignKey(
        "auth.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    filename = models.CharField(_("file name"), max_length=300)
    file_format = models.CharField(_("file format"), max_length=10)
    actors_created = models.PositiveIntegerField(_("actors created"), default=0)
    actors_updated = models.PositiveIntegerField(_("actors updated"), default=0)
    datasets_created = models.PositiveIntegerField(_("datasets created"), default=0)
    datasets_updated = models.PositiveIntegerField(_("datasets updated"), default=0)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.filename} ({self.created:%Y-%m-%d %H:%M})"
