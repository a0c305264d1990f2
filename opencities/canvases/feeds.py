"""What the business case shows live from elsewhere in the project.

Three of its sections are fed, each by one function here (`Section.offers` in `sections.py`
names which): the data needed comes from the project's ecosystem maps, the partners from the
actors on those maps, the risks from the ethics canvas. They are read afresh on every view, never
copied, so the case always agrees with the map and the ethics canvas; the team adds its own notes
beside them through the section's contributions.

Plain Python over the database, no request: the page and the reports show the same thing.

A flow *carries* a dataset as in `opencities.maps.findings`: the dataset it names, or, when it
names none, the dataset of the node it starts or ends at.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext

from opencities.inventory.models import Actor, Dataset, DatasetStatus
from opencities.maps.models import (
    BlockReason,
    EcosystemMap,
    Exchange,
    ExchangeKind,
    FlowStatus,
    Node,
    Role,
)
from opencities.projects.models import Project

from .models import EthicsCanvas, EthicsSection

RISK_SECTIONS = ("negative_effects", "minimising")
PLANNED = (FlowStatus.PROPOSED, FlowStatus.POTENTIAL)


@dataclass(frozen=True)
class DataFlow:
    """A data flow on one of the project's maps, as the business case reports it."""

    exchange: Exchange

    @property
    def map(self) -> EcosystemMap:
        return self.exchange.map

    @property
    def is_blocked(self) -> bool:
        return self.exchange.status == FlowStatus.BLOCKED

    @property
    def is_planned(self) -> bool:
        """Proposed or potential: drawn as a wish, not yet flowing."""
        return self.exchange.status in PLANNED

    @property
    def blocked_reasons(self) -> list[str]:
        """Why a blocked flow is blocked, in words."""
        return [BlockReason(reason).label for reason in self.exchange.blocked_reasons]


@dataclass(frozen=True)
class DataNeed:
    """A dataset on the project's maps, with the flows carrying it and what stands in the way."""

    dataset: Dataset
    maps: list[EcosystemMap]
    flows: list[DataFlow]

    @property
    def is_gap(self) -> bool:
        return self.dataset.status == DatasetStatus.GAP

    @property
    def is_unidentified(self) -> bool:
        return self.dataset.status == DatasetStatus.UNIDENTIFIED

    @property
    def blocked(self) -> list[DataFlow]:
        return [flow for flow in self.flows if flow.is_blocked]

    @property
    def planned(self) -> list[DataFlow]:
        return [flow for flow in self.flows if flow.is_planned]

    @property
    def needs_work(self) -> bool:
        """Something must be solved before the service can count on this data."""
        return self.is_gap or self.is_unidentified or bool(self.blocked)


@dataclass(frozen=True)
class Partner:
    """An actor on the project's maps, with the roles it plays on each of them."""

    actor: Actor
    roles_by_map: list[tuple[EcosystemMap, list[str]]]

    @property
    def roles(self) -> list[str]:
        """Every role it plays on any of the maps, in the order roles are listed."""
        played = {role for _map, roles in self.roles_by_map for role in roles}
        return [role for role in Role.values if role in played]

    @property
    def role_labels(self) -> list[str]:
        return [Role(role).label for role in self.roles]


@dataclass(frozen=True)
class PartnerGroup:
    """The partners playing one role ("" for those given no role yet)."""

    role: str
    label: str
    partners: list[Partner]


def data_needed(project: Project) -> list[DataNeed]:
    """Every dataset drawn on, or carried by a data flow of, any of the project's maps, once,
    by title."""
    maps: dict[int, dict[int, EcosystemMap]] = defaultdict(dict)
    flows: dict[int, list[DataFlow]] = defaultdict(list)
    datasets: dict[int, Dataset] = {}
    for node in Node.objects.filter(map__project=project, dataset__isnull=False).select_related(
        "dataset__workspace", "map__project__workspace"
    ):
        datasets[node.dataset_id] = node.dataset
        maps[node.dataset_id][node.map_id] = node.map
    exchanges = (
        Exchange.objects.filter(map__project=project, kind=ExchangeKind.DATA)
        .select_related(
            "map__project__workspace",
            "dataset__workspace",
            *(
                f"{end}__{kind}"
                for end in ("source", "target")
                for kind in ("actor", "dataset__workspace", "technology")
            ),
        )
        .order_by("map__state", "map__title", "pk")
    )
    for exchange in exchanges:
        dataset = exchange.dataset or exchange.source.dataset or exchange.target.dataset
        if dataset is None:
            continue
        datasets.setdefault(dataset.pk, dataset)
        maps[dataset.pk][exchange.map_id] = exchange.map
        flows[dataset.pk].append(DataFlow(exchange))
    return [
        DataNeed(dataset=dataset, maps=list(maps[pk].values()), flows=flows[pk])
        for pk, dataset in sorted(datasets.items(), key=lambda item: item[1].title.casefold())
    ]


def partners(project: Project) -> list[PartnerGroup]:
    """The actors on the project's maps under each role they play (an actor with two roles is
    under both), roles in their usual order, then the actors given no role yet."""
    roles_by_actor: dict[int, list[tuple[EcosystemMap, list[str]]]] = defaultdict(list)
    actors: dict[int, Actor] = {}
    for node in (
        Node.objects.filter(map__project=project, actor__isnull=False)
        .select_related("actor__workspace", "map__project__workspace")
        .order_by("map__state", "map__title", "map__pk")
    ):
        actors[node.actor_id] = node.actor
        roles_by_actor[node.actor_id].append((node.map, node.roles))
    everyone = sorted(
        (Partner(actors[pk], roles_by_actor[pk]) for pk in actors),
        key=lambda partner: partner.actor.name.casefold(),
    )
    groups = [
        PartnerGroup(role, label, [p for p in everyone if role in p.roles])
        for role, label in Role.choices
    ]
    groups.append(
        PartnerGroup("", gettext("No role given yet"), [p for p in everyone if not p.roles])
    )
    return [group for group in groups if group.partners]


def risks(project: Project) -> list[EthicsSection]:
    """The ethics canvas' negative effects and the ways to minimise them, with their notes;
    nothing while the project has no ethics canvas."""
    canvas = EthicsCanvas.objects.filter(project=project).first()
    if canvas is None:
        return []
    sections = {
        section.key: section
        for section in canvas.sections.filter(key__in=RISK_SECTIONS)
        .select_related("canvas__project__workspace")
        .prefetch_related("contributions__author")
    }
    return [sections[key] for key in RISK_SECTIONS if key in sections]
