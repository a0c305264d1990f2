"""Data ecosystem maps: who and what is in a project's data ecosystem, and what flows between them.

A map belongs to a project and shows either the current state or a desired future state. Its
nodes point at inventory records (actors, datasets, technologies), so the same actor on two maps
is the same actor; the roles an actor plays are kept per map, on the node.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from opencities.inventory.models import Actor, Dataset, Spectrum, Technology
from opencities.projects.models import Project


class MapState(models.TextChoices):
    CURRENT = "current", "Current state"
    FUTURE = "future", "Future state"


class Role(models.TextChoices):
    STEWARD = "steward", "Steward"
    CONTRIBUTOR = "contributor", "Contributor"
    REUSER = "reuser", "Reuser"
    INTERMEDIARY = "intermediary", "Intermediary"
    DECISION_MAKER = "decision_maker", "Decision maker"
    INFLUENCER = "influencer", "Influencer"
    BENEFICIARY = "beneficiary", "Beneficiary or affected party"


class ExchangeKind(models.TextChoices):
    DATA = "data", "Data"
    MONEY = "money", "Money"
    SERVICE = "service", "Service or product"
    INSIGHT = "insight", "Insight, feedback or expertise"


class Mechanism(models.TextChoices):
    API = "api", "API"
    BULK = "bulk", "Bulk file"
    EMAIL = "email", "Email"
    MANUAL = "manual", "Manual"
    PAPER = "paper", "Paper"


class FlowStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    BLOCKED = "blocked", "Blocked"
    PROPOSED = "proposed", "Proposed"
    POTENTIAL = "potential", "Potential"


class BlockReason(models.TextChoices):
    LEGAL = "legal", "Legal"
    LICENSING = "licensing", "Licensing"
    TECHNICAL = "technical", "Technical"
    QUALITY = "quality", "Quality"
    COST = "cost", "Cost"
    SKILLS = "skills", "Skills"
    TRUST = "trust", "Trust or culture"
    DATA_UNKNOWN = "data_unknown", "Data unknown"


class EcosystemMap(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="maps")
    title = models.CharField(max_length=200)
    state = models.CharField(max_length=10, choices=MapState.choices, default=MapState.CURRENT)
    description = models.TextField(blank=True)
    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="futures",
        help_text="The map this one was copied from (a future state starts from the current).",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project", "state", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_state_display().lower()})"

    def get_absolute_url(self) -> str:
        return reverse(
            "maps:map_detail", args=[self.project.workspace.slug, self.project_id, self.pk]
        )

    @property
    def workspace(self):
        return self.project.workspace


class Node(models.Model):
    """An actor, dataset or technology placed on one map, with where it is drawn."""

    map = models.ForeignKey(EcosystemMap, on_delete=models.CASCADE, related_name="nodes")
    actor = models.ForeignKey(
        Actor, null=True, blank=True, on_delete=models.CASCADE, related_name="map_nodes"
    )
    dataset = models.ForeignKey(
        Dataset, null=True, blank=True, on_delete=models.CASCADE, related_name="map_nodes"
    )
    technology = models.ForeignKey(
        Technology, null=True, blank=True, on_delete=models.CASCADE, related_name="map_nodes"
    )
    roles = models.JSONField(default=list, blank=True, help_text="Roles an actor plays here.")
    x = models.FloatField(null=True, blank=True)
    y = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="node_is_one_thing",
                condition=(
                    models.Q(actor__isnull=False, dataset__isnull=True, technology__isnull=True)
                    | models.Q(actor__isnull=True, dataset__isnull=False, technology__isnull=True)
                    | models.Q(actor__isnull=True, dataset__isnull=True, technology__isnull=False)
                ),
            ),
            models.UniqueConstraint(fields=["map", "actor"], name="actor_once_per_map"),
            models.UniqueConstraint(fields=["map", "dataset"], name="dataset_once_per_map"),
            models.UniqueConstraint(fields=["map", "technology"], name="technology_once_per_map"),
        ]

    def __str__(self) -> str:
        return str(self.target)

    @property
    def target(self):
        return self.actor or self.dataset or self.technology

    @property
    def kind(self) -> str:
        if self.actor_id:
            return "actor"
        return "dataset" if self.dataset_id else "technology"

    def clean(self):
        workspace_id = self.map.project.workspace_id
        target = self.target
        if target is not None and target.workspace_id != workspace_id:
            raise ValidationError("A map can only show records of its own workspace.")
        unknown = set(self.roles) - set(Role.values)
        if unknown:
            raise ValidationError({"roles": f"Unknown roles: {', '.join(sorted(unknown))}."})
        if self.roles and not self.actor_id:
            raise ValidationError({"roles": "Only actors play roles on a map."})


class Exchange(models.Model):
    """Something of value passing from one node to another: data, money, a service, insight."""

    map = models.ForeignKey(EcosystemMap, on_delete=models.CASCADE, related_name="exchanges")
    source = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="outgoing")
    target = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="incoming")
    kind = models.CharField(max_length=10, choices=ExchangeKind.choices, default=ExchangeKind.DATA)
    dataset = models.ForeignKey(
        Dataset,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="exchanges",
        help_text="For a data flow: the data that flows.",
    )
    description = models.CharField(max_length=300, blank=True)
    mechanism = models.CharField(max_length=10, choices=Mechanism.choices, blank=True)
    frequency = models.CharField(max_length=100, blank=True)
    access = models.CharField("access level", max_length=20, choices=Spectrum.choices, blank=True)
    status = models.CharField(max_length=10, choices=FlowStatus.choices, default=FlowStatus.ACTIVE)
    blocked_reasons = models.JSONField(default=list, blank=True)
    blocked_note = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.source} → {self.target} ({self.get_kind_display().lower()})"

    def clean(self):
        errors = {}
        if self.source_id and self.target_id:
            if self.source_id == self.target_id:
                errors["target"] = "An exchange goes from one node to another."
            if self.source.map_id != self.map_id or self.target.map_id != self.map_id:
                errors["target"] = "Both ends must be on this map."
        if self.dataset_id and self.dataset.workspace_id != self.map.project.workspace_id:
            errors["dataset"] = "The dataset must belong to this workspace."
        if self.kind != ExchangeKind.DATA and self.dataset_id:
            errors["dataset"] = "Only a data flow names a dataset."
        unknown = set(self.blocked_reasons) - set(BlockReason.values)
        if unknown:
            errors["blocked_reasons"] = f"Unknown reasons: {', '.join(sorted(unknown))}."
        elif self.status == FlowStatus.BLOCKED and not self.blocked_reasons:
            errors["blocked_reasons"] = "Say why the flow is blocked (at least one reason)."
        elif self.status != FlowStatus.BLOCKED and self.blocked_reasons:
            errors["blocked_reasons"] = "Only a blocked flow has reasons for being blocked."
        if errors:
            raise ValidationError(errors)
