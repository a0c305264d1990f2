"""Findings: what an ecosystem map says about a city's data, worked out from the map itself.

This is plain Python on top of the database: no request, no template, no user. The map pages,
the `opencities` command and the API all call `analyse()` (and `compare()` for the difference
between a current and a future state) and present the same `Finding` objects in their own way.

A finding has a kind (`FindingKind`), a severity (`Severity`), a short title, an explanation
written for a city officer rather than a data engineer, and the node and exchange keys it points
at, so a page can highlight them on the drawing.

Words used throughout
---------------------
*Data flow*: an exchange of kind "data". The data it *carries* is the dataset it names; when it
names none but starts or ends at a dataset node, it carries that node's dataset (an arrow from
the "Bus positions" node to an app means the app gets bus positions).

*Holder* of a dataset: its steward, if the steward is on the map; the dataset's own node, if it
is drawn; any node that sends the dataset in an active or a blocked flow (a blocked flow still
starts from someone who has the data); and any node that receives it through an active flow (it
has a copy). A proposed or potential flow does not make its source a holder: it describes a
wish, and the sender may not have the data yet.

*Receives*: a node receives a dataset when it is the target of an active data flow carrying it.
A flow into the dataset's own node (someone contributing to the data) is not receiving it.

*Origin*: where data enters the map rather than being passed on: a steward on the map, a dataset
node, or the sender of an active flow of data it does not itself receive on the map. An
intermediary that passes bus positions on is not an origin of bus positions.

Speed
-----
A map is read with two `values_list` queries (nodes with the datasets they show, exchanges),
and a third for datasets that flows name but no node shows, when there are any; no model
instance is made for a node or an exchange. Everything after that is dictionaries, sets and one
linear-time walk of the graph (see `_single_points_of_failure`). The benchmark map
(`benchmarks/findings.py`: 2,000 actors, 20,000 datasets, 100,000 exchanges, 16,000 findings)
takes about 1.5 seconds and under 200 MB on a busy two-core machine, about 40% of it reading
the rows. A future state of that size is read together with the map it was copied from, to
list the changes; that map is read without the relations the findings need and only the flows
that differ are looked at, so it adds about half as much again (see `analyse` and
docs/performance.md).
"""

from __future__ import annotations

import bisect
import gc
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, NamedTuple

from django.db import models
from django.db.models.functions import Cast
from django.utils import translation
from django.utils.translation import gettext_lazy

from opencities.inventory.models import (
    SPECTRUM_BAND,
    Dataset,
    DatasetStatus,
    PersonalData,
    Spectrum,
)

from .models import BlockReason, EcosystemMap, Exchange, ExchangeKind, FlowStatus, Node, Role


class FindingKind(models.TextChoices):
    UNUSED_DATASET = "unused_dataset", gettext_lazy("Unused data")
    UNIDENTIFIED_DATA = "unidentified_data", gettext_lazy("Unidentified data")
    BLOCKED_FLOWS = "blocked_flows", gettext_lazy("Blocked flows")
    OPPORTUNITY = "opportunity", gettext_lazy("Opportunity")
    SINGLE_POINT_OF_FAILURE = "single_point_of_failure", gettext_lazy("Single point of failure")
    ISOLATED_NODE = "isolated_node", gettext_lazy("Isolated node")
    SPECTRUM_MIX = "spectrum_mix", gettext_lazy("Closed, shared and open data")
    CHANGE = "change", gettext_lazy("Change from the current state")


class Severity(models.TextChoices):
    HIGH = "high", gettext_lazy("High")
    MEDIUM = "medium", gettext_lazy("Medium")
    LOW = "low", gettext_lazy("Low")
    INFO = "info", gettext_lazy("For information")


@dataclass(frozen=True)
class Finding:
    """One thing worth knowing about a map, and the nodes and exchanges it is about."""

    kind: str
    severity: str
    title: str
    explanation: str
    nodes: tuple[int, ...] = ()
    exchanges: tuple[int, ...] = ()
    data: dict = field(default_factory=dict, compare=False)


# Most severe first; within a severity, kinds in the order they are listed above.
SEVERITY_ORDER = {severity: rank for rank, severity in enumerate(Severity.values)}
KIND_ORDER = {kind: rank for rank, kind in enumerate(FindingKind.values)}
# How far along the Data Spectrum a level is, from closed (0) to open (4).
SPECTRUM_RANK = {level: rank for rank, level in enumerate(Spectrum.values)}
# The most people a single point of failure lists by key (the count is always exact).
CUT_OFF_LISTED = 100

# What a city officer could look at, for each reason a flow is blocked.
BLOCK_ADVICE = {
    BlockReason.LEGAL: gettext_lazy(
        "Check which law actually applies: often a data sharing agreement, a clear legal basis "
        "or sharing an aggregated or anonymised version allows the flow."
    ),
    BlockReason.LICENSING: gettext_lazy(
        "Read the licence terms: renegotiating them, or asking the holder to use an open "
        "licence, may be all it takes."
    ),
    BlockReason.TECHNICAL: gettext_lazy(
        "The systems do not connect: an agreed format, a standard or a simple API may fix it."
    ),
    BlockReason.QUALITY: gettext_lazy(
        "The data is not good enough to use: agree what 'good enough' means and who improves it."
    ),
    BlockReason.COST: gettext_lazy(
        "Someone has to pay: weigh the cost against the value the flow would bring, and who "
        "gains from it."
    ),
    BlockReason.SKILLS: gettext_lazy(
        "People lack the skills to provide or use the data: training or a partner may help."
    ),
    BlockReason.TRUST: gettext_lazy(
        "Trust or habit stands in the way: start small, with clear agreements and someone "
        "both sides trust."
    ),
    BlockReason.DATA_UNKNOWN: gettext_lazy(
        "Nobody is sure what data exists or where: finding and recording it comes first."
    ),
}
NO_REASON = ""
REASON_ORDER = {reason: rank for rank, reason in enumerate(BlockReason.values)}
# Plain strings for the loops that run once per exchange (faster to compare than enum members).
DATA = ExchangeKind.DATA.value
ACTIVE, BLOCKED = FlowStatus.ACTIVE.value, FlowStatus.BLOCKED.value
WISHES = {FlowStatus.PROPOSED.value, FlowStatus.POTENTIAL.value}

# Why an actor needs a dataset, as `_opportunities` records it while reading the flows (plain
# English keys, which also fix the order they are listed in) and as a finding says it.
NEED_WORDS = {
    "a potential flow": gettext_lazy("a potential flow"),
    "a proposed flow": gettext_lazy("a proposed flow"),
    "the gap": gettext_lazy("a gap on the map"),
}

KIND_WORDS = {
    ExchangeKind.DATA: gettext_lazy("data"),
    ExchangeKind.MONEY: gettext_lazy("money"),
    ExchangeKind.SERVICE: gettext_lazy("a service"),
    ExchangeKind.INSIGHT: gettext_lazy("insight"),
}


# --- Words -----------------------------------------------------------------------------------

# The translations looked up during one run of `analyse` or `compare` (see `_remembering`):
# a big map makes thousands of findings with the same few sentences, and a lookup in Django's
# catalogues costs about as much as building a finding. One run is in one language.
_TRANSLATED: ContextVar[dict[tuple, str] | None] = ContextVar("_TRANSLATED", default=None)


def gettext(message: str) -> str:
    """`django.utils.translation.gettext`, remembered for the run (see `_TRANSLATED`)."""
    remembered = _TRANSLATED.get()
    if remembered is None:
        return translation.gettext(message)
    found = remembered.get((message,))
    if found is None:
        found = remembered[(message,)] = translation.gettext(message)
    return found


def ngettext(singular: str, plural: str, number: int) -> str:
    """`django.utils.translation.ngettext`, remembered for the run (see `_TRANSLATED`)."""
    remembered = _TRANSLATED.get()
    if remembered is None:
        return translation.ngettext(singular, plural, number)
    key = (singular, plural, number)
    found = remembered.get(key)
    if found is None:
        found = remembered[key] = translation.ngettext(singular, plural, number)
    return found


def _words(lazy: Any) -> str:
    """A lazy translation of this module's dictionaries, remembered for the run by identity (a
    lazy string's hash would translate it first)."""
    remembered = _TRANSLATED.get()
    if remembered is None:
        return str(lazy)
    key = (id(lazy),)
    found = remembered.get(key)
    if found is None:
        found = remembered[key] = str(lazy)
    return found


@contextmanager
def _remembering() -> Iterator[None]:
    """Remember the translations looked up until the end of the block."""
    token = _TRANSLATED.set({})
    try:
        yield
    finally:
        _TRANSLATED.reset(token)


# --- Loading -------------------------------------------------------------------------------


class _Dataset(NamedTuple):
    pk: int
    title: str
    status: str
    spectrum: str
    personal_data: str
    steward_id: int | None


class _Flow(NamedTuple):
    pk: int
    source: int
    target: int
    kind: str
    dataset: int | None  # as recorded on the exchange
    carried: int | None  # the data it carries (see the module's docstring)
    status: str
    access: str
    reasons: tuple[str, ...]


def _json_list(text: str | None) -> tuple[str, ...]:
    """A JSON list column read as text. Most are empty, and decoding 100,000 "[]" one by one
    is a noticeable part of analysing a big map, so only the others are decoded."""
    if not text or text == "[]":
        return ()
    value = json.loads(text)
    return tuple(value) if isinstance(value, list) else ()


class _Map:
    """One map read into plain dictionaries, with the relations every finding needs.

    `relations=False` reads only the nodes, their datasets and the flows, which is all
    `compare` needs: it matches flows by what they connect and never asks who holds or
    receives what, so indexing that for a second big map would be wasted time.
    """

    def __init__(self, map_pk: int, *, relations: bool = True) -> None:
        self.pk = map_pk
        # node pk -> ("actor" | "dataset" | "technology", inventory record pk)
        self.targets: dict[int, tuple[str, int]] = {}
        # node pk -> one number for its inventory record (three kinds of record, so pk * 3 plus
        # 0, 1 or 2): a cheap key to match the flows of two maps on.
        self.records: dict[int, int] = {}
        self.names: dict[int, str] = {}
        self.roles: dict[int, tuple[str, ...]] = {}
        self.actor_node: dict[int, int] = {}  # actor pk -> node pk
        self.dataset_node: dict[int, int] = {}  # dataset pk -> node pk
        self.node_actor: dict[int, int] = {}  # node pk -> actor pk
        self.node_dataset: dict[int, int] = {}  # node pk -> dataset pk
        self.datasets: dict[int, _Dataset] = {}
        self.flows: list[_Flow] = []
        # The relations several findings share (filled by `_relate`).
        self.receivers: dict[int, set[int]] = defaultdict(set)
        self.senders: dict[int, set[int]] = defaultdict(set)
        self.active_data: list[_Flow] = []
        # dataset pk -> its steward's node, for the datasets whose steward is on the map
        self.steward_nodes: dict[int, int] = {}

        self._read_nodes()
        self._read_named_datasets(self._read_flows())
        if relations:
            self._relate()

    def _read_nodes(self) -> None:
        """Who and what is drawn: each node's inventory record, name and roles, and the
        datasets of the dataset nodes, read with them rather than by a query of their own."""
        node_rows = (
            Node.objects.filter(map_id=self.pk)
            .order_by("pk")
            .values_list(
                "pk",
                "actor_id",
                "dataset_id",
                "technology_id",
                Cast("roles", models.TextField()),
                "actor__name",
                "technology__name",
                "dataset__title",  # with dataset_id, the fields of a _Dataset
                "dataset__status",
                "dataset__spectrum",
                "dataset__personal_data",
                "dataset__steward_id",
            )
        )
        for row in node_rows:
            pk, actor_id, dataset_id, technology_id, roles, actor_name, tech_name = row[:7]
            if dataset_id is not None:
                self.datasets[dataset_id] = _Dataset(dataset_id, *row[7:])
            if actor_id is not None:
                self.targets[pk] = ("actor", actor_id)
                self.records[pk] = actor_id * 3
                self.actor_node[actor_id] = pk
                self.node_actor[pk] = actor_id
                self.names[pk] = actor_name
            elif dataset_id is not None:
                self.targets[pk] = ("dataset", dataset_id)
                self.records[pk] = dataset_id * 3 + 1
                self.dataset_node[dataset_id] = pk
                self.node_dataset[pk] = dataset_id
                self.names[pk] = self.datasets[dataset_id].title
            elif technology_id is not None:
                self.targets[pk] = ("technology", technology_id)
                self.records[pk] = technology_id * 3 + 2
                self.names[pk] = tech_name
            else:
                continue  # a node of nothing: the database refuses it, but never trust that
            roles = _json_list(roles)
            if roles:
                self.roles[pk] = roles

    def _read_flows(self) -> set[int | None]:
        """Every exchange, in the order it was made, with the data it carries; returns the
        datasets the exchanges name (all of them: a dataset is on the map once named).

        Plain local names: this loop runs once per exchange, 100,000 times on a big map. The
        same few lists of blocked reasons come back thousands of times, so each distinct one
        is decoded once.
        """
        flow_rows = (
            Exchange.objects.filter(map_id=self.pk)
            .order_by("pk")
            .values_list(
                "pk",
                "source_id",
                "target_id",
                "kind",
                "dataset_id",
                "status",
                "access",
                Cast("blocked_reasons", models.TextField()),
            )
        )
        targets, node_dataset, append = self.targets, self.node_dataset, self.flows.append
        make = _Flow._make
        decoded: dict[str | None, tuple[str, ...]] = {}
        named: set[int | None] = set()
        for pk, source, target, kind, dataset_id, status, access, reasons in flow_rows:
            named.add(dataset_id)
            if source not in targets or target not in targets:
                continue  # an end on another map: the models refuse it, but never trust that
            carried = None
            if kind == DATA:
                carried = dataset_id or node_dataset.get(source) or node_dataset.get(target)
            listed = decoded.get(reasons)
            if listed is None:
                listed = decoded[reasons] = _json_list(reasons)
            append(make((pk, source, target, kind, dataset_id, carried, status, access, listed)))
        return named

    def _read_named_datasets(self, named: set[int | None]) -> None:
        """Add the datasets that flows name but no node shows, then put all in key order.

        The query is made only when there are such datasets (on the benchmark map there are
        none), since it reads the map's exchanges again. It takes subqueries, since a list of
        keys would break SQLite's limit on query parameters on big maps. Key order is the
        order the datasets were always read in, and `_single_points_of_failure` numbers its
        graph in it.
        """
        named.discard(None)
        if named - self.datasets.keys():
            shown = Node.objects.filter(map_id=self.pk, dataset__isnull=False).values("dataset_id")
            named_rows = Exchange.objects.filter(map_id=self.pk, dataset__isnull=False).values(
                "dataset_id"
            )
            dataset_rows = (
                Dataset.objects.filter(pk__in=named_rows)
                .exclude(pk__in=shown)
                .values_list(*_Dataset._fields)
            )
            for row in dataset_rows:
                self.datasets[row[0]] = _Dataset._make(row)
        self.datasets = dict(sorted(self.datasets.items()))

    def _relate(self) -> None:
        """Who sends and who receives each dataset, the active data flows, and the stewards
        on the map: what several findings share."""
        dataset_node, active_data = self.dataset_node, self.active_data
        receivers, senders = self.receivers, self.senders
        for flow in self.flows:
            _, source, target, kind, _, carried, status, _, _ = flow
            if kind != DATA:
                continue
            if status == ACTIVE:
                active_data.append(flow)
            if carried is None:
                continue
            if status == ACTIVE:
                if target != dataset_node.get(carried):
                    receivers[carried].add(target)
                senders[carried].add(source)
            elif status == BLOCKED:
                senders[carried].add(source)

        for dataset in self.datasets.values():
            node = self.actor_node.get(dataset.steward_id) if dataset.steward_id else None
            if node is not None:
                self.steward_nodes[dataset.pk] = node

    def holders(self, dataset_id: int) -> set[int]:
        """Nodes that have the dataset: its steward, its own node, who sends or gets it."""
        found = self.senders.get(dataset_id, set()) | self.receivers.get(dataset_id, set())
        for node in (self.steward_nodes.get(dataset_id), self.dataset_node.get(dataset_id)):
            if node is not None:
                found.add(node)
        return found

    def flow_words(self, flow: _Flow) -> str:
        """e.g. "Bus positions from Transport to Citymapper" or "money from A to B"."""
        if flow.carried is not None:
            what = self.datasets[flow.carried].title
        else:
            what = _words(KIND_WORDS.get(flow.kind, flow.kind))
        return gettext("%(what)s from %(source)s to %(target)s") % {
            "what": what,
            "source": self.names[flow.source],
            "target": self.names[flow.target],
        }


def _listing(names: Iterable[str], limit: int = 5, total: int | None = None) -> str:
    """Names in a sentence: "A", "A and B", "A, B and C", "A, B, C, D, E and 3 more".

    `total` is how many there are when `names` is only the first of them. Called only when a
    finding is made, so its words are looked up in the active language then."""
    names = list(names)
    total = max(total or 0, len(names))
    if total > limit:
        more = total - limit
        names = [
            *names[:limit],
            ngettext("%(count)s more", "%(count)s more", more) % {"count": more},
        ]
    if len(names) <= 1:
        return "".join(names)
    return gettext("%(items)s and %(last)s") % {"items": ", ".join(names[:-1]), "last": names[-1]}


# --- The findings, one function per kind -----------------------------------------------------


def _is_used(m: _Map, dataset: _Dataset) -> bool:
    """Whether any node but the dataset's steward receives it through an active flow."""
    return any(
        dataset.steward_id is None or m.node_actor.get(node) != dataset.steward_id
        for node in m.receivers.get(dataset.pk, ())
    )


def _flows_carrying(m: _Map, dataset_ids: set[int]) -> dict[int, list[int]]:
    """The data flows that carry each of these datasets, in the order they were made: one
    pass over the flows for the few datasets that need them, which is cheaper than keeping
    a list for every dataset of the map while reading it."""
    found: dict[int, list[int]] = defaultdict(list)
    if dataset_ids:
        for flow in m.flows:
            if flow.carried in dataset_ids:
                found[flow.carried].append(flow.pk)
    return found


def _unused_datasets(m: _Map) -> Iterator[Finding]:
    """Datasets that exist, yet nobody on the map but their steward receives them.

    Every dataset shown as a node or named by a flow is looked at once. It counts as used when
    any node other than its steward (an actor or a technology, such as an app) is the target of
    an active flow carrying it. Keeping data nobody uses costs money and gives nothing back, so
    this is medium; it is low when the data is internal and holds personal or special category
    data, because then not sharing it may well be the right decision.
    """
    sensitive = {PersonalData.PERSONAL, PersonalData.SPECIAL}
    unused = [
        dataset
        for dataset in sorted(m.datasets.values(), key=lambda d: (d.title, d.pk))
        if dataset.status == DatasetStatus.EXISTS and not _is_used(m, dataset)
    ]
    flows_of = _flows_carrying(m, {dataset.pk for dataset in unused})
    for dataset in unused:
        holders = m.holders(dataset.pk)
        own = m.dataset_node.get(dataset.pk)
        nodes = ([own] if own is not None else []) + sorted(holders - {own})
        flows = tuple(flows_of.get(dataset.pk, ()))
        keepers = sorted(m.names[n] for n in holders if n != own)
        words = {"dataset": dataset.title, "holders": _listing(keepers)}
        if dataset.spectrum == Spectrum.INTERNAL and dataset.personal_data in sensitive:
            severity = Severity.LOW
            words["personal_data"] = _words(PersonalData(dataset.personal_data).label).lower()
            if keepers:
                explanation = gettext(
                    "%(dataset)s, held by %(holders)s, is not received by anyone else on this "
                    "map. It is internal and holds %(personal_data)s, so keeping it to its "
                    "steward may be the right choice. Check that this is a decision rather than "
                    "an accident, and whether an aggregated or anonymised version could help "
                    "others without putting people at risk."
                )
            else:
                explanation = gettext(
                    "%(dataset)s is not received by anyone else on this map. It is internal and "
                    "holds %(personal_data)s, so keeping it to its steward may be the right "
                    "choice. Check that this is a decision rather than an accident, and whether "
                    "an aggregated or anonymised version could help others without putting "
                    "people at risk."
                )
        else:
            severity = Severity.MEDIUM
            if keepers:
                explanation = gettext(
                    "%(dataset)s exists, held by %(holders)s, but nobody else on this map "
                    "receives it through an active flow. Data that is kept but not shared costs "
                    "money to look after and gives nothing back: think about who else could use "
                    "it, and whether it could move further toward open on the Data Spectrum."
                )
            else:
                explanation = gettext(
                    "%(dataset)s exists but nobody else on this map receives it through an "
                    "active flow. Data that is kept but not shared costs money to look after and "
                    "gives nothing back: think about who else could use it, and whether it could "
                    "move further toward open on the Data Spectrum."
                )
        yield Finding(
            kind=FindingKind.UNUSED_DATASET,
            severity=severity,
            title=gettext("%(dataset)s is held but not used") % words,
            explanation=explanation % words,
            nodes=tuple(nodes),
            exchanges=flows,
            data={"dataset": dataset.pk, "spectrum": dataset.spectrum},
        )


def _unidentified_data(m: _Map) -> Iterator[Finding]:
    """Data nobody can name or whose holder is unknown, all high: you cannot govern, improve or
    share what you cannot name.

    One finding for each data flow that carries no known dataset (it names none and neither of
    its ends is a dataset node), and one for each dataset with the status "unidentified", shown
    as a node or named by flows, pointing at its node and at the flows and nodes around it.
    """
    by_dataset: dict[int, list[_Flow]] = defaultdict(list)
    unknown = {pk for pk, d in m.datasets.items() if d.status == DatasetStatus.UNIDENTIFIED}
    kind, severity, names = FindingKind.UNIDENTIFIED_DATA, Severity.HIGH, m.names
    for flow in m.flows:
        if flow.kind != DATA:
            continue
        if flow.carried is None:
            words = {"source": names[flow.source], "target": names[flow.target]}
            yield Finding(
                kind=kind,
                severity=severity,
                title=gettext("Unnamed data from %(source)s to %(target)s") % words,
                explanation=gettext(
                    "Data passes from %(source)s to %(target)s, but the map does not say what "
                    "data it is. Until it is named, nobody can check its quality, its licence "
                    "or whether personal data is involved: find out what it is and record it "
                    "in the inventory."
                )
                % words,
                nodes=(flow.source, flow.target),
                exchanges=(flow.pk,),
                data={"status": flow.status},
            )
        elif flow.carried in unknown:
            by_dataset[flow.carried].append(flow)
    for dataset in sorted(m.datasets.values(), key=lambda d: (d.title, d.pk)):
        if dataset.status != DatasetStatus.UNIDENTIFIED:
            continue
        flows = by_dataset.get(dataset.pk, [])
        own = m.dataset_node.get(dataset.pk)
        around = {n for f in flows for n in (f.source, f.target)} - {own}
        nodes = ([own] if own is not None else []) + sorted(around)
        words = {"dataset": dataset.title, "count": len(flows)}
        if flows:
            explanation = ngettext(
                "%(dataset)s is marked unidentified: it seems to exist, but who holds it is "
                "unknown. It appears in %(count)s flow on this map. Without a known holder "
                "nobody can ask for it, look after it or answer for it: find the holder and "
                "record them as its steward.",
                "%(dataset)s is marked unidentified: it seems to exist, but who holds it is "
                "unknown. It appears in %(count)s flows on this map. Without a known holder "
                "nobody can ask for it, look after it or answer for it: find the holder and "
                "record them as its steward.",
                len(flows),
            )
        else:
            explanation = gettext(
                "%(dataset)s is marked unidentified: it seems to exist, but who holds it is "
                "unknown. Without a known holder nobody can ask for it, look after it or answer "
                "for it: find the holder and record them as its steward."
            )
        yield Finding(
            kind=FindingKind.UNIDENTIFIED_DATA,
            severity=Severity.HIGH,
            title=gettext("Nobody knows who holds %(dataset)s") % words,
            explanation=explanation % words,
            nodes=tuple(nodes),
            exchanges=tuple(f.pk for f in flows),
            data={"dataset": dataset.pk},
        )


def _blocked_flows(m: _Map) -> Iterator[Finding]:
    """Blocked exchanges (of any kind), one high finding per reason, listing every flow blocked
    for it; a flow blocked for two reasons appears under both, since both must be dealt with.
    A blocked flow without a recorded reason is grouped as such, so it is not lost.
    """
    by_reason: dict[str, list[_Flow]] = defaultdict(list)
    for flow in m.flows:
        if flow.status == BLOCKED:
            for reason in flow.reasons or (NO_REASON,):
                by_reason[reason].append(flow)
    for reason in sorted(by_reason, key=lambda r: (REASON_ORDER.get(r, len(REASON_ORDER)), r)):
        flows = by_reason[reason]
        count = len(flows)
        words: dict[str, Any] = {"count": count, "reason": reason}
        if reason in REASON_ORDER:
            words["reason"] = _words(BlockReason(reason).label).lower()
            title = ngettext(
                "%(count)s flow is blocked for %(reason)s reasons",
                "%(count)s flows are blocked for %(reason)s reasons",
                count,
            )
            advice = _words(BLOCK_ADVICE[BlockReason(reason)])
        else:
            if reason:
                title = ngettext(
                    "%(count)s flow is blocked for the reason '%(reason)s'",
                    "%(count)s flows are blocked for the reason '%(reason)s'",
                    count,
                )
            else:
                title = ngettext(
                    "%(count)s flow is blocked with no reason recorded",
                    "%(count)s flows are blocked with no reason recorded",
                    count,
                )
            advice = gettext("Record why each flow is blocked, so the right people can work on it.")
        title %= words
        examples = _listing(m.flow_words(f) for f in flows[:3])
        if count > 3:
            examples = ngettext(
                "%(examples)s, and %(count)s more", "%(examples)s, and %(count)s more", count - 3
            ) % {"examples": examples, "count": count - 3}
        yield Finding(
            kind=FindingKind.BLOCKED_FLOWS,
            severity=Severity.HIGH,
            title=title,
            explanation=gettext("%(title)s: %(examples)s. %(advice)s")
            % {"title": title, "examples": examples, "advice": advice},
            nodes=tuple(sorted({n for f in flows for n in (f.source, f.target)})),
            exchanges=tuple(f.pk for f in flows),
            data={"reason": reason, "count": len(flows)},
        )


def _normal_title(title: str) -> str:
    return " ".join(title.casefold().split())


def _opportunities(m: _Map) -> Iterator[Finding]:
    """Someone needs data that is already on the map, held by someone else, but does not get it.

    An actor needs a dataset when a proposed or potential data flow to it carries the dataset,
    or when any exchange links it to a gap node (data that is needed but missing). For a need
    of existing data, that dataset is looked for; for a gap, any dataset of the map with the
    same title (ignoring letter case and spacing) that exists - the gap itself never does. It
    is an opportunity when the data has a holder on the map other than the actor, and no active
    flow already brings it to the actor (nor is the actor its steward or a holder). Reusing
    what exists is usually cheaper and quicker than collecting it again: medium.
    """
    needs: dict[tuple[int, int], dict[int, str]] = defaultdict(dict)  # -> {exchange: why}
    gaps = {
        node: dataset_id
        for node, dataset_id in m.node_dataset.items()
        if m.datasets[dataset_id].status == DatasetStatus.GAP
    }
    actors = m.node_actor
    for pk, source, target, kind, _, carried, status, _, _ in m.flows:
        if status in WISHES and kind == DATA and carried is not None and target in actors:
            needs[(target, carried)][pk] = f"a {status} flow"
        if gaps:
            if source in gaps and target in actors:
                needs[(target, gaps[source])].setdefault(pk, "the gap")
            if target in gaps and source in actors:
                needs[(source, gaps[target])].setdefault(pk, "the gap")

    existing_by_title: dict[str, list[int]] = defaultdict(list)
    for dataset in m.datasets.values():
        if dataset.status == DatasetStatus.EXISTS:
            existing_by_title[_normal_title(dataset.title)].append(dataset.pk)

    found: dict[tuple[int, int], dict[int, str]] = defaultdict(dict)
    for (actor_node, wanted), reasons in needs.items():
        dataset = m.datasets[wanted]
        if dataset.status == DatasetStatus.EXISTS:
            candidates = [wanted]
        elif dataset.status == DatasetStatus.GAP:
            candidates = existing_by_title.get(_normal_title(dataset.title), [])
        else:
            candidates = []
        for candidate in candidates:
            found[(actor_node, candidate)].update(reasons)

    def by_names(item: tuple[tuple[int, int], dict[int, str]]) -> tuple:
        (actor_node, dataset_id), _ = item
        return (m.names[actor_node], m.datasets[dataset_id].title, actor_node, dataset_id)

    for (actor_node, dataset_id), reasons in sorted(found.items(), key=by_names):
        dataset = m.datasets[dataset_id]
        holders = m.holders(dataset_id)
        if actor_node in holders or m.node_actor[actor_node] == dataset.steward_id:
            continue  # it has the data already
        others = holders - {actor_node}
        if not others:
            continue
        own = m.dataset_node.get(dataset_id)
        keepers = sorted(m.names[n] for n in others if n != own)
        whys = sorted(set(reasons.values()))
        words = {
            "actor": m.names[actor_node],
            "dataset": dataset.title,
            "why": _listing(_words(NEED_WORDS.get(w, w)) for w in whys),
            "holders": _listing(keepers),
        }
        if not keepers:
            explanation = gettext(
                "%(actor)s needs %(dataset)s (%(why)s), and the data already exists: it is on "
                "the map. No active flow brings it to %(actor)s yet. Reusing data that exists "
                "is usually cheaper and quicker than collecting it again: talk to the holder "
                "about what it would take."
            )
        elif len(others) == 1:
            explanation = gettext(
                "%(actor)s needs %(dataset)s (%(why)s), and the data already exists: "
                "%(holders)s holds it. No active flow brings it to %(actor)s yet. Reusing data "
                "that exists is usually cheaper and quicker than collecting it again: talk to "
                "the holder about what it would take."
            )
        else:
            explanation = ngettext(
                "%(actor)s needs %(dataset)s (%(why)s), and the data already exists: "
                "%(holders)s holds it. No active flow brings it to %(actor)s yet. Reusing data "
                "that exists is usually cheaper and quicker than collecting it again: talk to "
                "the holders about what it would take.",
                "%(actor)s needs %(dataset)s (%(why)s), and the data already exists: "
                "%(holders)s hold it. No active flow brings it to %(actor)s yet. Reusing data "
                "that exists is usually cheaper and quicker than collecting it again: talk to "
                "the holders about what it would take.",
                len(keepers),
            )
        nodes = [actor_node, *sorted(others - {own})]
        if own is not None:
            nodes.append(own)
        yield Finding(
            kind=FindingKind.OPPORTUNITY,
            severity=Severity.MEDIUM,
            title=gettext("%(actor)s could get %(dataset)s") % words,
            explanation=explanation % words,
            nodes=tuple(nodes),
            exchanges=tuple(sorted(reasons)),
            data={"dataset": dataset_id, "holders": sorted(others)},
        )


def _dependants(m: _Map) -> set[int]:
    """Who must keep getting data: actors with the role beneficiary or reuser; when no actor on
    the map has either role, every actor that receives data through an active flow."""
    wanted = {Role.BENEFICIARY, Role.REUSER}
    chosen = {node for node, roles in m.roles.items() if wanted.intersection(roles)}
    if chosen:
        return {node for node in chosen if node in m.node_actor}
    return {f.target for f in m.active_data if f.target in m.node_actor}


def _origins(m: _Map) -> set[int]:
    """Where data enters the map (see the module's docstring)."""
    found = set(m.dataset_node.values())
    found.update(m.steward_nodes.values())
    receivers, nobody = m.receivers, frozenset()
    for flow in m.active_data:  # local names: 70,000 flows on a big map
        if flow.carried is None or flow.source not in receivers.get(flow.carried, nobody):
            found.add(flow.source)
    return found


def _data_graph(m: _Map) -> tuple[list[int], list[set[int]]]:
    """The graph `_single_points_of_failure` walks: node pks numbered from 0 in the order they
    first appear, and each number's neighbours. Numbers rather than pks, so the walk can keep
    its figures in lists; the order is fixed, so the same map is always walked the same way."""
    pks: list[int] = []  # number -> node pk
    index: dict[int, int] = {}
    adjacency: list[set[int]] = []
    links = [(f.source, f.target) for f in m.active_data if f.source != f.target]
    links += (
        (steward, m.dataset_node[dataset_id])
        for dataset_id, steward in m.steward_nodes.items()
        if dataset_id in m.dataset_node
    )
    for a, b in links:
        i = index.get(a)
        if i is None:
            i = index[a] = len(pks)
            pks.append(a)
            adjacency.append(set())
        j = index.get(b)
        if j is None:
            j = index[b] = len(pks)
            pks.append(b)
            adjacency.append(set())
        adjacency[i].add(j)
        adjacency[j].add(i)
    return pks, adjacency


class _Walk(NamedTuple):
    """What one depth-first walk of the data graph found, by node number.

    first[v]: v's number in walk order; extent[v]: the size of v's subtree, so the subtree is
    [first, first + extent); root_of[v]: where the walk of v's part started; sub_dependants[v],
    sub_origins[v]: how many of each v's subtree holds; separated[v]: v's children whose
    subtree has no edge back above v, so they are cut loose when v goes.
    """

    first: list[int]
    extent: list[int]
    root_of: list[int]
    sub_dependants: list[int]
    sub_origins: list[int]
    separated: dict[int, list[int]]


def _walk(adjacency: list[set[int]], dependants: set[int], origins: set[int]) -> _Walk:
    """Walk every part of the graph depth first, without recursion (a big map is deeper than
    Python's stack), and fold each subtree's figures into its parent as the walk leaves it.
    low[v] is the smallest number reachable from v's subtree by one edge back."""
    size = len(adjacency)
    first = [-1] * size
    low = [0] * size
    parent = [-1] * size
    extent = [1] * size
    root_of = [0] * size
    sub_dependants = [1 if v in dependants else 0 for v in range(size)]
    sub_origins = [1 if v in origins else 0 for v in range(size)]
    separated: dict[int, list[int]] = defaultdict(list)
    walked = 0
    for root in range(size):
        if first[root] != -1:
            continue
        first[root] = low[root] = walked
        root_of[root] = root
        walked += 1
        stack = [(root, iter(adjacency[root]))]
        while stack:
            v, neighbours = stack[-1]
            for w in neighbours:
                if first[w] == -1:
                    parent[w], root_of[w] = v, root
                    first[w] = low[w] = walked
                    walked += 1
                    stack.append((w, iter(adjacency[w])))
                    break
                if w != parent[v] and first[w] < low[v]:
                    low[v] = first[w]
            else:  # every neighbour of v done: fold v's subtree into its parent
                stack.pop()
                u = parent[v]
                if u != -1:
                    low[u] = min(low[u], low[v])
                    extent[u] += extent[v]
                    sub_dependants[u] += sub_dependants[v]
                    sub_origins[u] += sub_origins[v]
                    if low[v] >= first[u]:
                        separated[u].append(v)
    return _Walk(first, extent, root_of, sub_dependants, sub_origins, dict(separated))


def _may_cut_off(walk: _Walk, origins: set[int]) -> Iterator[int]:
    """The nodes worth a closer look, in a part of the map that has an origin: those with a
    subtree cut loose without them, and the one origin of a part. Taking away any other node
    leaves the rest of its part in one piece, with an origin still in it, so it cuts nobody
    off; skipping those is most of the nodes of a big map."""
    separated, root_of, sub_origins = walk.separated, walk.root_of, walk.sub_origins
    for v, root in enumerate(root_of):
        origins_in_part = sub_origins[root]
        if not origins_in_part:
            continue  # this part of the map never had an origin of data
        if v in separated or (origins_in_part == 1 and v in origins):
            yield v


def _cut_off(
    walk: _Walk, v: int, own_dependant: int, own_origin: int
) -> tuple[int, list[tuple[int, int]]]:
    """How many dependants would be left with no origin if v went, and the ranges of walk
    numbers they are in. Each child cut loose is a piece; the rest of the part, without v, is
    one more."""
    first, extent, root = walk.first, walk.extent, walk.root_of[v]
    count = 0
    ranges: list[tuple[int, int]] = []
    rest_dependants = walk.sub_dependants[root] - own_dependant
    rest_origins = walk.sub_origins[root] - own_origin
    loose = sorted(walk.separated.get(v, ()), key=first.__getitem__)
    for child in loose:
        rest_dependants -= walk.sub_dependants[child]
        rest_origins -= walk.sub_origins[child]
        if walk.sub_dependants[child] and not walk.sub_origins[child]:
            count += walk.sub_dependants[child]
            ranges.append((first[child], first[child] + extent[child]))
    if rest_dependants and not rest_origins:
        count += rest_dependants
        edge = first[root]
        for child in loose:  # the part's range with the loose subtrees taken out
            ranges.append((edge, first[child]))
            edge = first[child] + extent[child]
        ranges.append((edge, first[root] + extent[root]))
    return count, ranges


def _single_points_of_failure(m: _Map) -> Iterator[Finding]:
    """Nodes whose loss would leave people with no source of data at all, all high.

    The graph: active data flows, without their direction (data that reaches you over any path
    counts), plus a link from each dataset node to its steward when both are drawn. Take a node
    away and the part of the map it was in may fall into pieces; a piece that still holds
    people who depend on data (`_dependants`) but no origin of data (`_origins`) is cut off.
    A node is blamed only where its part of the map had an origin to begin with. Two kinds of
    node can cut anyone off: cut vertices (articulation points), and the one origin of a part.

    One depth-first walk finds them all (Tarjan's low-link method). Numbering nodes in the order
    the walk reaches them makes every subtree of the walk a range of numbers; a child whose
    subtree has no edge back above the node becomes a piece of its own when the node goes, and
    everything else in the part (minus the node) is one more piece. Counting dependants and
    origins per subtree then says, for every node at once, what each piece would contain. That
    is linear in the size of the map and exact for this definition, so no sampling is needed at
    any size. networkx's biconnected components give the same answer (the tests check the walk
    against networkx, taking each node away in turn) but took twice as long on a big map.
    """
    pks, adjacency = _data_graph(m)
    index = {pk: v for v, pk in enumerate(pks)}
    dependants = {index[pk] for pk in _dependants(m) if pk in index}
    if not dependants:
        return
    origins = {index[pk] for pk in _origins(m) if pk in index}
    walk = _walk(adjacency, dependants, origins)

    # Dependants in walk order, to list the members of a piece (a few ranges) by bisection.
    ranked = sorted((walk.first[v], pks[v]) for v in dependants)
    ranked_first = [number for number, _ in ranked]

    def members(ranges: list[tuple[int, int]], leave_out: int) -> list[int]:
        """The dependants numbered in these ranges, but `leave_out`, up to CUT_OFF_LISTED."""
        listed: list[int] = []
        for start, end in ranges:
            at = bisect.bisect_left(ranked_first, start)
            stop = min(bisect.bisect_left(ranked_first, end), at + CUT_OFF_LISTED + 1)
            listed += (pk for _, pk in ranked[at:stop] if pk != leave_out)
        return listed[:CUT_OFF_LISTED]

    found: list[Finding] = []
    for v in _may_cut_off(walk, origins):
        count, ranges = _cut_off(walk, v, int(v in dependants), int(v in origins))
        if not count:
            continue
        node = pks[v]
        listed = sorted(members(ranges, node))
        words = {
            "name": m.names[node],
            "count": count,
            "names": _listing(sorted(m.names[n] for n in listed), total=count),
        }
        found.append(
            Finding(
                kind=FindingKind.SINGLE_POINT_OF_FAILURE,
                severity=Severity.HIGH,
                title=ngettext(
                    "Losing %(name)s would cut %(count)s actor off from data",
                    "Losing %(name)s would cut %(count)s actors off from data",
                    count,
                )
                % words,
                explanation=ngettext(
                    "Every path by which %(names)s gets data runs through %(name)s. If "
                    "%(name)s stopped, closed or changed its systems, that actor would be left "
                    "with no source of data on this map. Consider a second route, an open copy "
                    "of the data, or an agreement that keeps the flow going.",
                    "Every path by which %(names)s get data runs through %(name)s. If "
                    "%(name)s stopped, closed or changed its systems, they would be left with "
                    "no source of data on this map. Consider a second route, an open copy of "
                    "the data, or an agreement that keeps the flow going.",
                    count,
                )
                % words,
                nodes=(node, *listed),
                data={"cut_off": listed, "cut_off_count": count},
            )
        )
    # The ones that would cut off most people first.
    found.sort(key=lambda f: (-f.data["cut_off_count"], m.names[f.nodes[0]], f.nodes[0]))
    yield from found


# What an isolated node's finding says, for each kind of node.
ISOLATED_EXPLANATION = {
    "actor": gettext_lazy(
        "%(name)s is on the map but nothing flows to or from it: no data, money, service or "
        "insight. Either a link is missing from the map, or it is not part of this ecosystem "
        "yet. Ask who this actor works with, or take it off the map to keep it readable."
    ),
    "dataset": gettext_lazy(
        "%(name)s is on the map but nothing flows to or from it: no data, money, service or "
        "insight. Either a link is missing from the map, or it is not part of this ecosystem "
        "yet. Ask who holds and who uses this data, or take it off the map to keep it readable."
    ),
    "technology": gettext_lazy(
        "%(name)s is on the map but nothing flows to or from it: no data, money, service or "
        "insight. Either a link is missing from the map, or it is not part of this ecosystem "
        "yet. Ask who runs and who uses it, or take it off the map to keep it readable."
    ),
}


def _isolated_nodes(m: _Map) -> Iterator[Finding]:
    """Nodes with no exchange of any kind, in or out: low, since it is usually a missing link
    or something that does not belong on this map (yet)."""
    linked = set(map(attrgetter("source"), m.flows))
    linked.update(map(attrgetter("target"), m.flows))
    # Only the few isolated nodes are sorted, not every node of the map.
    isolated = [item for item in m.targets.items() if item[0] not in linked]
    for node, (kind, _) in sorted(isolated, key=lambda item: (m.names[item[0]], item)):
        words = {"name": m.names[node]}
        yield Finding(
            kind=FindingKind.ISOLATED_NODE,
            severity=Severity.LOW,
            title=gettext("%(name)s is not connected") % words,
            explanation=_words(ISOLATED_EXPLANATION[kind]) % words,
            nodes=(node,),
            data={"node_kind": kind},
        )


def _spectrum_part(key: str, count: int, percent: int) -> str:
    """One item of the list in `_spectrum_mix`, e.g. "3 closed (25%)"."""
    if key == "closed":
        text = ngettext(
            "%(count)s closed (%(percent)s%%)", "%(count)s closed (%(percent)s%%)", count
        )
    elif key == "shared":
        text = ngettext(
            "%(count)s shared (%(percent)s%%)", "%(count)s shared (%(percent)s%%)", count
        )
    elif key == "open":
        text = ngettext("%(count)s open (%(percent)s%%)", "%(count)s open (%(percent)s%%)", count)
    elif key == "gap":
        text = ngettext("%(count)s gap (%(percent)s%%)", "%(count)s gaps (%(percent)s%%)", count)
    else:
        text = ngettext(
            "%(count)s unidentified (%(percent)s%%)",
            "%(count)s unidentified (%(percent)s%%)",
            count,
        )
    return text % {"count": count, "percent": percent}


def _spectrum_mix(m: _Map) -> Iterator[Finding]:
    """One finding for information: how much of the map's data is closed, shared or open.

    Each dataset is counted once, whether it is drawn as a node, named by flows or both.
    Existing datasets are counted by their band on the Data Spectrum; gaps and unidentified
    datasets are counted apart, since their access level means little yet.
    """
    counts = {"closed": 0, "shared": 0, "open": 0, "gap": 0, "unidentified": 0}
    for dataset in m.datasets.values():
        if dataset.status == DatasetStatus.EXISTS:
            counts[SPECTRUM_BAND.get(dataset.spectrum, "closed")] += 1
        elif dataset.status in counts:
            counts[dataset.status] += 1
    total = sum(counts.values())
    if total:
        # The three bands always, so a zero shows; gaps and unidentified data only if any.
        parts = [
            _spectrum_part(key, counts[key], round(100 * counts[key] / total))
            for key in ("closed", "shared", "open", "gap", "unidentified")
            if counts[key] or key in ("closed", "shared", "open")
        ]
        explanation = ngettext(
            "Of the %(count)s dataset on this map, %(parts)s. Closed data can be used only by "
            "the people who hold it; shared data by the people or groups it is shared with; open "
            "data by anyone. Moving data toward open, where that is safe, lets more people use "
            "it.",
            "Of the %(count)s datasets on this map, %(parts)s. Closed data can be used only by "
            "the people who hold it; shared data by the people or groups it is shared with; open "
            "data by anyone. Moving data toward open, where that is safe, lets more people use "
            "it.",
            total,
        ) % {"count": total, "parts": _listing(parts, limit=5)}
    else:
        explanation = gettext(
            "There is no data on this map yet: add the datasets the flows are about."
        )
    yield Finding(
        kind=FindingKind.SPECTRUM_MIX,
        severity=Severity.INFO,
        title=gettext("Closed, shared and open data on this map"),
        explanation=explanation,
        data={**counts, "total": total},
    )


ANALYSES = (
    _unused_datasets,
    _unidentified_data,
    _blocked_flows,
    _opportunities,
    _single_points_of_failure,
    _isolated_nodes,
    _spectrum_mix,
)


def _ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Most severe first, then by kind; within a kind, the order its analysis chose (the sort is
    stable), e.g. blocked reasons in their usual order and the biggest single point of failure
    first. Every analysis orders by names and keys, so the same map gives the same list."""
    return sorted(
        findings,
        key=lambda f: (
            SEVERITY_ORDER.get(f.severity, len(SEVERITY_ORDER)),
            KIND_ORDER.get(f.kind, len(KIND_ORDER)),
        ),
    )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a map is analysed.

    Reading a big map makes a few hundred thousand small objects (rows, tuples, sets), none of
    them in reference cycles, and the collector would walk them over and over as they pile up:
    on the benchmark map that was a quarter of the time. Everything is freed by reference
    counting as usual; the collector is switched back on afterwards, if it was on before.
    Free the maps before that: objects made while it was paused are all new to it, and its
    first pass once back on would walk every one still alive.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def analyse(ecosystem_map: EcosystemMap, *, changes: bool = True) -> list[Finding]:
    """All findings of one map, most severe first, in a stable order.

    When the map was copied from another (`based_on`, as a future state is from the current),
    the changes since that map (`compare`) are added at the end, for information, so a future
    state's findings say what it changes. That reads a second map, only its nodes and flows,
    which adds about half as much time again on a big one; pass `changes=False` to leave them
    out (a map with no `based_on` has none).
    """
    with _collector_paused(), _remembering():
        return _ordered(_findings(ecosystem_map, changes=changes))


def _findings(ecosystem_map: EcosystemMap, *, changes: bool) -> list[Finding]:
    """The findings of `analyse`, unordered.

    A function of its own so that the maps it reads are freed as it returns, while the
    collector is still paused (see `_collector_paused`). The map it was copied from is read
    without the relations, since `_changes` needs only its flows.
    """
    loaded = _Map(ecosystem_map.pk)
    findings = [finding for analysis in ANALYSES for finding in analysis(loaded)]
    if changes and ecosystem_map.based_on_id is not None:
        findings += _changes(_Map(ecosystem_map.based_on_id, relations=False), loaded)
    return findings


# --- Current against future --------------------------------------------------------------------

CHANGE_ORDER = ("added", "activated", "unblocked", "opened", "removed", "blocked", "closed")


def _access(m: _Map, flow: _Flow) -> str | None:
    """The flow's access level; when not recorded, the level of the dataset it carries."""
    if flow.access:
        return flow.access
    if flow.carried is not None:
        return m.datasets[flow.carried].spectrum
    return None


def _by_what_they_connect(m: _Map) -> tuple[dict[tuple, _Flow], dict[tuple, list[_Flow]]]:
    """The map's flows by what they connect (the inventory records at both ends, the kind of
    exchange and the dataset it names): the first made of each, and any later ones, last made
    first so that `pop()` takes the next. Nearly every flow is the only one of its kind, so
    keeping a flow rather than a list for each saves making a list per flow."""
    first: dict[tuple, _Flow] = {}
    later: dict[tuple, list[_Flow]] = defaultdict(list)
    records = m.records
    for flow in m.flows:
        _, source, target, kind, dataset, _, _, _, _ = flow  # faster than four attributes
        key = (records[source], records[target], kind, dataset)
        if first.setdefault(key, flow) is not flow:
            later[key].append(flow)
    for flows in later.values():
        flows.reverse()
    return first, later


def _differing(current: _Map, future: _Map) -> Iterator[tuple[_Flow | None, _Flow | None]]:
    """The flows of both maps matched as `compare` explains, as pairs (was, now) that may have
    changed; None stands for the missing side of a flow that only one map has.

    A pair with the same status and access is left out, which on a future map is nearly every
    pair: two matched flows connect the same records and name the same dataset, so they carry
    the same data, and their access levels can only differ if their recorded access does.

    Only the future's flows are grouped: the current's are taken in the order they were made,
    each with the first future flow of its kind not matched yet, which pairs them in the same
    order as grouping both would, for half the work.
    """
    first, later = _by_what_they_connect(future)
    records = current.records
    for was in current.flows:
        _, source, target, kind, dataset, _, status, access, _ = was
        key = (records[source], records[target], kind, dataset)
        now = first.pop(key, None)
        if now is not None and later.get(key):
            first[key] = later[key].pop()  # the next flow of its kind is first in line now
        if now is None or now.status != status or now.access != access:
            yield was, now
    for now in first.values():
        yield None, now
    for flows in later.values():
        yield from ((None, now) for now in flows)


def _changes(current: _Map, future: _Map) -> list[Finding]:
    """What changes from one map to the other, flow by flow (see `compare`).

    Only the pairs of flows that may have changed are looked at (`_differing`), so the words
    are put together for the flows that changed and no others.
    """
    findings: list[Finding] = []

    def change(kind: str, m: _Map, flow: _Flow, title: str, text: str, **extra: Any) -> None:
        findings.append(
            Finding(
                kind=FindingKind.CHANGE,
                severity=Severity.INFO,
                title=title,
                explanation=text,
                nodes=(flow.source, flow.target),
                exchanges=(flow.pk,),
                data={"change": kind, "map": m.pk, **extra},
            )
        )

    def level_words(level: str) -> str:
        return _words(Spectrum(level).label).lower()

    def status_words(status: str) -> str:
        return _words(FlowStatus(status).label).lower() if status in FlowStatus.values else status

    # The findings are sorted at the end, so the order of the pairs does not matter.
    for was, now in _differing(current, future):
        if was is None:
            words = {"flow": future.flow_words(now), "status": status_words(now.status)}
            change(
                "added",
                future,
                now,
                gettext("New flow: %(flow)s") % words,
                gettext("The future state adds a %(status)s flow of %(flow)s.") % words,
            )
            continue
        if now is None:
            words = {"flow": current.flow_words(was)}
            change(
                "removed",
                current,
                was,
                gettext("Flow dropped: %(flow)s") % words,
                gettext(
                    "The flow of %(flow)s is not in the future state. Check that nobody still "
                    "relies on it."
                )
                % words,
            )
            continue
        if was.status != now.status:
            words = {
                "flow": future.flow_words(now),
                "was": status_words(was.status),
                "now": status_words(now.status),
            }
            statuses = {"from_status": was.status, "to_status": now.status, "was": was.pk}
            if was.status == BLOCKED:
                known = [r for r in was.reasons if r in REASON_ORDER]
                words["reasons"] = _listing(_words(BlockReason(r).label).lower() for r in known)
                if words["reasons"]:
                    text = gettext(
                        "The flow of %(flow)s, blocked today (%(reasons)s reasons), is %(now)s "
                        "in the future state."
                    )
                else:
                    text = gettext(
                        "The flow of %(flow)s, blocked today (unrecorded reasons), is %(now)s in "
                        "the future state."
                    )
                change(
                    "unblocked",
                    future,
                    now,
                    gettext("Unblocked: %(flow)s") % words,
                    text % words,
                    **statuses,
                )
            elif now.status == BLOCKED:
                change(
                    "blocked",
                    future,
                    now,
                    gettext("Blocked: %(flow)s") % words,
                    gettext("The flow of %(flow)s, %(was)s today, is blocked in the future state.")
                    % words,
                    **statuses,
                )
            elif now.status == ACTIVE:
                change(
                    "activated",
                    future,
                    now,
                    gettext("Now active: %(flow)s") % words,
                    gettext("The flow of %(flow)s, %(was)s today, is active in the future state.")
                    % words,
                    **statuses,
                )
        if now.kind != DATA:
            continue
        level_was, level_now = _access(current, was), _access(future, now)
        if level_was == level_now or level_was not in SPECTRUM_RANK:
            continue
        if level_now not in SPECTRUM_RANK:
            continue
        opened = SPECTRUM_RANK[level_now] > SPECTRUM_RANK[level_was]
        words = {
            "flow": future.flow_words(now),
            "was": level_words(level_was),
            "now": level_words(level_now),
        }
        if opened:
            title = gettext("More open: %(flow)s")
            text = gettext(
                "The flow of %(flow)s moves toward open on the Data Spectrum, from %(was)s to "
                "%(now)s."
            )
        else:
            title = gettext("Less open: %(flow)s")
            text = gettext(
                "The flow of %(flow)s moves toward closed on the Data Spectrum, from %(was)s to "
                "%(now)s."
            )
        change(
            "opened" if opened else "closed",
            future,
            now,
            title % words,
            text % words,
            from_access=level_was,
            to_access=level_now,
            was=was.pk,
        )

    rank = {kind: position for position, kind in enumerate(CHANGE_ORDER)}
    findings.sort(key=lambda f: (rank[f.data["change"]], f.title, f.nodes, f.exchanges))
    return findings


def compare(current: EcosystemMap, future: EcosystemMap) -> list[Finding]:
    """What changes from the current state to the future, as findings of kind CHANGE.

    A future map is a copy with new node rows, so flows are matched on what they connect rather
    than on keys: the inventory records at both ends (actor, dataset or technology), the kind
    of exchange and the dataset it names. Several flows with the same match are paired in the
    order they were made. Each change points at the flow on the map where it can be seen: the
    future map, except for a removed flow, which only the current map has (`data["map"]`).

    The changes, in this order: flows added; flows that become active (from proposed or
    potential); flows unblocked (blocked now, not blocked in the future); data opened (the
    flow's access level moves toward open on the Data Spectrum; a flow without an access level
    is taken at its dataset's level); flows removed; flows newly blocked; data closed.
    A dataset's own level is kept on the dataset, which both maps share, so dataset nodes are
    not compared. All are for information: whether a change is good is for people to judge.
    """
    with _collector_paused(), _remembering():
        return _changes(_Map(current.pk, relations=False), _Map(future.pk, relations=False))


def as_dict(finding: Finding) -> dict[str, Any]:
    """The finding as plain JSON types, for `opencities analyse --json` and the API."""
    data = json.loads(json.dumps(finding.data, default=list))  # sets and tuples become lists
    return {
        "kind": str(finding.kind),
        "kind_label": str(FindingKind(finding.kind).label),
        "severity": str(finding.severity),
        "title": finding.title,
        "explanation": finding.explanation,
        "nodes": list(finding.nodes),
        "exchanges": list(finding.exchanges),
        "data": data,
    }
