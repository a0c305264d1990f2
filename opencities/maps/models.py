"""Data ecosystem maps: who and what is in a project's data ecosystem, and what flows between them.

A map belongs to a project and shows either the current state or a desired future state. Its
nodes point at inventory records (actors, datasets, technologies), so the same actor on two maps
is the same actor; the roles an actor plays are kept per map, on the node.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opencities.inventory.models import Actor, Dataset, Spectrum, Technology
from opencities.projects.models import Project


class MapState(models.TextChoices):
    CURRENT = "current", _("Current state")
    FUTURE = "future", _("Future state")


class Role(models.TextChoices):
    STEWARD = "steward", _("Steward")
    CONTRIBUTOR = "contributor", _("Contributor")
    REUSER = "reuser", _("Reuser")
    INTERMEDIARY = "intermediary", _("Intermediary")
    DECISION_MAKER = "decision_maker", _("Decision maker")
    INFLUENCER = "influencer", _("Influencer")
    BENEFICIARY = "beneficiary", _("Beneficiary or affected party")


class ExchangeKind(models.TextChoices):
    DATA = "data", _("Data")
    MONEY = "money", _("Money")
    SERVICE = "service", _("Service or product")
    INSIGHT = "insight", _("Insight, feedback or expertise")


class Mechanism(models.TextChoices):
    API = "api", _("API")
    BULK = "bulk", _("Bulk file")
    EMAIL = "email", _("Email")
    MANUAL = "manual", _("Manual")
    PAPER = "paper", _("Paper")


class FlowStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    BLOCKED = "blocked", _("Blocked")
    PROPOSED = "proposed", _("Proposed")
    POTENTIAL = "potential", _("Potential")


class BlockReason(models.TextChoices):
    LEGAL = "legal", _("Legal")
    LICENSING = "licensing", _("Licensing")
    TECHNICAL = "technical", _("Technical")
    QUALITY = "quality", _("Quality")
    COST = "cost", _("Cost")
    SKILLS = "skills", _("Skills")
    TRUST = "trust", _("Trust or culture")
    DATA_UNKNOWN = "data_unknown", _("Data unknown")


# What each kind of node is called (Node.kind gives the key).
NODE_KIND_LABELS = {
    "actor": _("Actor"),
    "dataset": _("Dataset"),
    "technology": _("Technology"),
}


class EcosystemMap(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="maps", verbose_name=_("project")
    )
    title = models.CharField(_("title"), max_length=200)
    state = models.CharField(
        _("state"), max_length=10, choices=MapState.choices, default=MapState.CURRENT
    )
    description = models.TextField(_("description"), blank=True)
    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="futures",
        verbose_name=_("based on"),
        help_text=_("The map this one was copied from (a future state starts from the current)."),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["project", "state", "title"]
        verbose_name = _("data ecosystem map")
        verbose_name_plural = _("data ecosystem maps")

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

    map = models.ForeignKey(
        EcosystemMap, on_delete=models.CASCADE, related_name="nodes", verbose_name=_("map")
    )
    actor = models.ForeignKey(
        Actor,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="map_nodes",
        verbose_name=_("actor"),
    )
    dataset = models.ForeignKey(
        Dataset,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="map_nodes",
        verbose_name=_("dataset"),
    )
    technology = models.ForeignKey(
        Technology,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="map_nodes",
        verbose_name=_("technology"),
    )
    roles = models.JSONField(
        _("roles"), default=list, blank=True, help_text=_("Roles an actor plays here.")
    )
    x = models.FloatField(null=True, blank=True)
    y = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("node")
        verbose_name_plural = _("nodes")
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

    @property
    def kind_label(self) -> str:
        """What the node is, in words: Actor, Dataset or Technology."""
        return NODE_KIND_LABELS[self.kind]

    @property
    def role_labels(self) -> list[str]:
        """The roles played here, in words and in the order roles are listed."""
        return [str(label) for value, label in Role.choices if value in self.roles]

    def clean(self):
        workspace_id = self.map.project.workspace_id
        target = self.target
        if target is not None and target.workspace_id != workspace_id:
            raise ValidationError(_("A map can only show records of its own workspace."))
        unknown = set(self.roles) - set(Role.values)
        if unknown:
            raise ValidationError(
                {"roles": _("Unknown roles: %(roles)s.") % {"roles": ", ".join(sorted(unknown))}}
            )
        if self.roles and not self.actor_id:
            raise ValidationError({"roles": _("Only actors play roles on a map.")})


class Exchange(models.Model):
    """Something of value passing from one node to another: data, money, a service, insight."""

    map = models.ForeignKey(
        EcosystemMap, on_delete=models.CASCADE, related_name="exchanges", verbose_name=_("map")
    )
    source = models.ForeignKey(
        Node, on_delete=models.CASCADE, related_name="outgoing", verbose_name=_("from")
    )
    target = models.ForeignKey(
        Node, on_delete=models.CASCADE, related_name="incoming", verbose_name=_("to")
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=ExchangeKind.choices, default=ExchangeKind.DATA
    )
    dataset = models.ForeignKey(
        Dataset,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="exchanges",
        verbose_name=_("dataset"),
        help_text=_("For a data flow: the data that flows."),
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    mechanism = models.CharField(
        _("mechanism"), max_length=10, choices=Mechanism.choices, blank=True
    )
    frequency = models.CharField(_("frequency"), max_length=100, blank=True)
    access = models.CharField(
        _("access level"), max_length=20, choices=Spectrum.choices, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=FlowStatus.choices, default=FlowStatus.ACTIVE
    )
    blocked_reasons = models.JSONField(_("blocked reasons"), default=list, blank=True)
    blocked_note = models.TextField(_("blocked note"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("exchange")
        verbose_name_plural = _("exchanges")

    def __str__(self) -> str:
        return f"{self.source} → {self.target} ({self.get_kind_display().lower()})"

    @property
    def blocked_reason_labels(self) -> list[str]:
        """Why the flow is blocked, in words and in the order reasons are listed."""
        return [str(label) for value, label in BlockReason.choices if value in self.blocked_reasons]

    def clean(self):
        errors = {}
        if self.source_id and self.target_id:
            if self.source_id == self.target_id:
                errors["target"] = _("An exchange goes from one node to another.")
            if self.source.map_id != self.map_id or self.target.map_id != self.map_id:
                errors["target"] = _("Both ends must be on this map.")
        if self.dataset_id and self.dataset.workspace_id != self.map.project.workspace_id:
            errors["dataset"] = _("The dataset must belong to this workspace.")
        if self.kind != ExchangeKind.DATA and self.dataset_id:
            errors["dataset"] = _("Only a data flow names a dataset.")
        unknown = set(self.blocked_reasons) - set(BlockReason.values)
        if unknown:
            errors["blocked_reasons"] = _("Unknown reasons: %(reasons)s.") % {
                "reasons": ", ".join(sorted(unknown))
            }
        elif self.status == FlowStatus.BLOCKED and not self.blocked_reasons:
            errors["blocked_reasons"] = _("Say why the flow is blocked (at least one reason).")
        elif self.status != FlowStatus.BLOCKED and self.blocked_reasons:
            errors["blocked_reasons"] = _("Only a blocked flow has reasons for being blocked.")
        if errors:
            raise ValidationError(errors)
