"""Findings on small maps built in code: each kind is found where it should be, and not where
it should not be."""

import json
import random

import networkx as nx
import pytest
from django.utils.text import slugify

from opencities.inventory.models import Actor, Dataset, DatasetStatus, PersonalData, Spectrum
from opencities.maps.findings import (
    Finding,
    FindingKind,
    Severity,
    _dependants,
    _Map,
    _origins,
    analyse,
    as_dict,
    compare,
)
from opencities.maps.models import (
    BlockReason,
    EcosystemMap,
    Exchange,
    ExchangeKind,
    FlowStatus,
    MapState,
    Node,
    Role,
)
from opencities.projects.models import Project

pytestmark = pytest.mark.django_db


class Drawing:
    """A map being drawn: actors, datasets and flows by name, with the records behind them."""

    def __init__(self, workspace, title="Reliable buses", state=MapState.CURRENT, based_on=None):
        self.workspace = workspace
        project, _ = Project.objects.get_or_create(
            workspace=workspace, title="Reliable buses", defaults={"challenge": "Late buses."}
        )
        self.map = EcosystemMap.objects.create(
            project=project, title=title, state=state, based_on=based_on
        )

    def actor(self, name: str, *roles: str) -> Node:
        actor, _ = Actor.objects.get_or_create(workspace=self.workspace, name=name)
        return Node.objects.create(map=self.map, actor=actor, roles=list(roles))

    def dataset(self, title: str, steward: Node | None = None, **fields) -> Dataset:
        dataset, _ = Dataset.objects.get_or_create(
            workspace=self.workspace,
            identifier=fields.pop("identifier", slugify(title)),
            defaults={"title": title, "steward": steward.actor if steward else None, **fields},
        )
        return dataset

    def node(self, dataset: Dataset) -> Node:
        return Node.objects.create(map=self.map, dataset=dataset)

    def flow(self, source: Node, target: Node, dataset: Dataset | None = None, **fields):
        if fields.get("status") == FlowStatus.BLOCKED:
            fields.setdefault("blocked_reasons", [BlockReason.LEGAL])
        return Exchange.objects.create(
            map=self.map, source=source, target=target, dataset=dataset, **fields
        )

    def findings(self, kind: str | None = None) -> list[Finding]:
        found = analyse(self.map)
        return [f for f in found if kind is None or f.kind == kind]


@pytest.fixture
def drawing(workspace):
    return Drawing(workspace)


def test_unused_dataset(drawing):
    transport = drawing.actor("Transport Department")
    citymapper = drawing.actor("Citymapper")
    positions = drawing.dataset("Bus positions", transport, spectrum=Spectrum.NAMED)
    timetables = drawing.dataset("Timetables", transport, spectrum=Spectrum.OPEN)
    positions_node = drawing.node(positions)
    drawing.flow(transport, positions_node)  # the steward feeds its own data: not a use
    back = drawing.flow(positions_node, transport)  # the steward reading it back: not a use
    drawing.flow(transport, citymapper, timetables)

    unused = drawing.findings(FindingKind.UNUSED_DATASET)

    assert [f.title for f in unused] == ["Bus positions is held but not used"]
    [finding] = unused
    assert finding.severity == Severity.MEDIUM
    assert finding.nodes[0] == positions_node.pk  # the data first, then who holds it
    assert transport.pk in finding.nodes
    assert back.pk in finding.exchanges
    assert "Transport Department" in finding.explanation

    # Once someone other than the steward receives it, it is used.
    drawing.flow(positions_node, citymapper, status=FlowStatus.ACTIVE)
    assert drawing.findings(FindingKind.UNUSED_DATASET) == []


def test_unused_personal_data_kept_internal_is_low(drawing):
    social = drawing.actor("Adult Social Care")
    drawing.node(
        drawing.dataset(
            "Care packages",
            social,
            spectrum=Spectrum.INTERNAL,
            personal_data=PersonalData.SPECIAL,
        )
    )
    [finding] = drawing.findings(FindingKind.UNUSED_DATASET)
    assert finding.severity == Severity.LOW
    assert "may be the right choice" in finding.explanation


def test_data_received_only_through_a_blocked_or_proposed_flow_is_unused(drawing):
    transport = drawing.actor("Transport Department")
    university = drawing.actor("University")
    positions = drawing.dataset("Bus positions", transport)
    drawing.flow(transport, university, positions, status=FlowStatus.BLOCKED)
    drawing.flow(transport, university, positions, status=FlowStatus.PROPOSED)
    assert [f.data["dataset"] for f in drawing.findings(FindingKind.UNUSED_DATASET)] == [
        positions.pk
    ]


def test_unidentified_data(drawing):
    transport = drawing.actor("Transport Department")
    operator = drawing.actor("Bus Operator")
    unnamed = drawing.flow(operator, transport)  # data, but which?
    mystery = drawing.dataset("Passenger counts", status=DatasetStatus.UNIDENTIFIED)
    counts = drawing.flow(operator, transport, mystery, status=FlowStatus.PROPOSED)
    lost = drawing.node(drawing.dataset("Old survey", status=DatasetStatus.UNIDENTIFIED))

    found = drawing.findings(FindingKind.UNIDENTIFIED_DATA)

    assert {f.exchanges for f in found} == {(unnamed.pk,), (counts.pk,), ()}
    assert all(f.severity == Severity.HIGH for f in found)
    by_flow = {f.exchanges: f for f in found}
    assert by_flow[(unnamed.pk,)].nodes == (operator.pk, transport.pk)
    assert by_flow[(counts.pk,)].data == {"dataset": mystery.pk}
    assert by_flow[()].nodes == (lost.pk,)


def test_identified_data_is_not_unidentified(drawing):
    transport = drawing.actor("Transport Department")
    operator = drawing.actor("Bus Operator")
    positions = drawing.dataset("Bus positions", operator)
    drawing.flow(operator, transport, positions)
    # A flow without a dataset, from a dataset node: the node says what the data is.
    drawing.flow(drawing.node(drawing.dataset("Fares", operator)), transport)
    drawing.flow(operator, transport, kind=ExchangeKind.MONEY)  # not data at all
    assert drawing.findings(FindingKind.UNIDENTIFIED_DATA) == []


def test_blocked_flows_grouped_by_reason(drawing):
    transport = drawing.actor("Transport Department")
    university = drawing.actor("University")
    operator = drawing.actor("Bus Operator")
    positions = drawing.dataset("Bus positions", transport)
    fares = drawing.dataset("Fares", operator)
    first = drawing.flow(transport, university, positions, status=FlowStatus.BLOCKED)
    both = drawing.flow(
        operator,
        university,
        fares,
        status=FlowStatus.BLOCKED,
        blocked_reasons=[BlockReason.LEGAL, BlockReason.COST],
    )
    drawing.flow(transport, operator, positions)  # active: not blocked

    found = drawing.findings(FindingKind.BLOCKED_FLOWS)

    by_reason = {f.data["reason"]: f for f in found}
    assert set(by_reason) == {"legal", "cost"}
    assert by_reason["legal"].exchanges == (first.pk, both.pk)
    assert by_reason["cost"].exchanges == (both.pk,)
    assert by_reason["legal"].severity == Severity.HIGH
    assert "2 flows are blocked for legal reasons" in by_reason["legal"].explanation
    assert "1 flow is blocked for cost reasons" in by_reason["cost"].explanation
    assert [f.data["reason"] for f in found] == ["legal", "cost"]  # in the order of reasons


def test_unblocked_flows_are_not_blocked(drawing):
    transport = drawing.actor("Transport Department")
    university = drawing.actor("University")
    positions = drawing.dataset("Bus positions", transport)
    for status in (FlowStatus.ACTIVE, FlowStatus.PROPOSED, FlowStatus.POTENTIAL):
        drawing.flow(transport, university, positions, status=status)
    assert drawing.findings(FindingKind.BLOCKED_FLOWS) == []


def test_opportunity_for_a_proposed_flow(drawing):
    transport = drawing.actor("Transport Department")
    citymapper = drawing.actor("Citymapper")
    university = drawing.actor("University")
    positions = drawing.dataset("Bus positions", transport)
    drawing.flow(transport, citymapper, positions)
    wish = drawing.flow(transport, university, positions, status=FlowStatus.POTENTIAL)
    # Citymapper already gets it: a proposal to it is no opportunity.
    drawing.flow(transport, citymapper, positions, status=FlowStatus.PROPOSED)

    [finding] = drawing.findings(FindingKind.OPPORTUNITY)

    assert finding.title == "University could get Bus positions"
    assert finding.severity == Severity.MEDIUM
    # Who has it: the steward, and Citymapper, which gets a copy.
    assert finding.nodes == (university.pk, transport.pk, citymapper.pk)
    assert finding.data["holders"] == [transport.pk, citymapper.pk]
    assert finding.exchanges == (wish.pk,)
    assert "Citymapper and Transport Department hold it" in finding.explanation

    # Once the flow is active there is nothing left to do.
    Exchange.objects.filter(pk=wish.pk).update(status=FlowStatus.ACTIVE)
    assert drawing.findings(FindingKind.OPPORTUNITY) == []


def test_opportunity_for_a_gap_that_exists_elsewhere(drawing):
    council = drawing.actor("Planning Team")
    mall = drawing.actor("Shopping Centre")
    footfall = drawing.dataset("Footfall", mall, spectrum=Spectrum.NAMED)
    footfall_node = drawing.node(footfall)
    gap = drawing.node(
        drawing.dataset("FOOTFALL ", status=DatasetStatus.GAP, identifier="footfall-gap")
    )
    link = drawing.flow(gap, council)

    [finding] = drawing.findings(FindingKind.OPPORTUNITY)

    assert finding.data["dataset"] == footfall.pk
    assert finding.nodes == (council.pk, mall.pk, footfall_node.pk)
    assert finding.exchanges == (link.pk,)
    assert "a gap on the map" in finding.explanation


def test_no_opportunity_when_nobody_on_the_map_holds_the_data(drawing):
    university = drawing.actor("University")
    unknown = drawing.actor("Someone")
    elsewhere = Actor.objects.create(workspace=drawing.workspace, name="Not on this map")
    positions = Dataset.objects.create(
        workspace=drawing.workspace, identifier="pos", title="Bus positions", steward=elsewhere
    )
    drawing.flow(unknown, university, positions, status=FlowStatus.PROPOSED)
    drawing.node(drawing.dataset("Air quality", status=DatasetStatus.GAP))
    assert drawing.findings(FindingKind.OPPORTUNITY) == []


def test_single_point_of_failure(drawing):
    transport = drawing.actor("Transport Department", Role.STEWARD)
    hub = drawing.actor("Data Hub", Role.INTERMEDIARY)
    residents = drawing.actor("Residents", Role.BENEFICIARY)
    university = drawing.actor("University", Role.REUSER)
    positions = drawing.dataset("Bus positions", transport)
    drawing.flow(transport, hub, positions)
    drawing.flow(hub, residents, positions)
    drawing.flow(transport, university, positions)

    found = {f.nodes[0]: f for f in drawing.findings(FindingKind.SINGLE_POINT_OF_FAILURE)}

    assert set(found) == {transport.pk, hub.pk}
    assert found[hub.pk].data["cut_off"] == [residents.pk]
    assert found[hub.pk].severity == Severity.HIGH
    assert "Residents" in found[hub.pk].explanation
    assert found[transport.pk].data["cut_off"] == sorted([residents.pk, university.pk])
    assert found[transport.pk].data["cut_off_count"] == 2

    # A second route to the residents: the hub is no longer the only way.
    drawing.flow(transport, residents, positions)
    found = {f.nodes[0]: f for f in drawing.findings(FindingKind.SINGLE_POINT_OF_FAILURE)}
    assert set(found) == {transport.pk}


def test_single_point_of_failure_is_a_dataset_too(drawing):
    transport = drawing.actor("Transport Department")
    citymapper = drawing.actor("Citymapper")
    moovit = drawing.actor("Moovit")
    feed = drawing.node(drawing.dataset("Timetable feed", transport, spectrum=Spectrum.OPEN))
    drawing.flow(transport, feed)
    drawing.flow(feed, citymapper)
    drawing.flow(feed, moovit)
    # Nobody has a beneficiary or reuser role: everyone receiving data counts.
    found = drawing.findings(FindingKind.SINGLE_POINT_OF_FAILURE)
    assert [f.nodes[0] for f in found] == [feed.pk]
    assert found[0].data["cut_off"] == sorted([citymapper.pk, moovit.pk])


def test_single_point_of_failure_lists_a_hundred_and_counts_all(drawing):
    transport = drawing.actor("Transport Department")
    positions = drawing.dataset("Bus positions", transport)
    people = Actor.objects.bulk_create(
        Actor(workspace=drawing.workspace, name=f"Resident group {i:03}") for i in range(120)
    )
    nodes = Node.objects.bulk_create(
        Node(map=drawing.map, actor=a, roles=[Role.BENEFICIARY]) for a in people
    )
    Exchange.objects.bulk_create(
        Exchange(map=drawing.map, source=transport, target=n, dataset=positions) for n in nodes
    )
    [finding] = drawing.findings(FindingKind.SINGLE_POINT_OF_FAILURE)
    assert finding.nodes[0] == transport.pk
    assert finding.data["cut_off_count"] == 120
    assert finding.data["cut_off"] == sorted(n.pk for n in nodes)[:100]
    assert "and 115 more" in finding.explanation


def test_no_single_point_of_failure_with_two_sources(drawing):
    residents = drawing.actor("Residents", Role.BENEFICIARY)
    for name in ("Transport Department", "Bus Operator"):
        source = drawing.actor(name)
        drawing.flow(source, residents, drawing.dataset(f"{name} timetable", source))
    assert drawing.findings(FindingKind.SINGLE_POINT_OF_FAILURE) == []


def test_single_points_of_failure_match_removing_each_node_in_turn(workspace):
    """The one-pass answer (blocks and cut vertices) equals the slow one: take each node away,
    look at the pieces left, and list who is left with people depending on data but no origin.
    Sparse random maps, so there are many cut vertices and pieces."""
    total = 0
    for seed in range(12):
        total += check_single_points_of_failure(workspace, seed)
    assert total >= 15  # the maps are sparse enough to have some


def check_single_points_of_failure(workspace, seed: int) -> int:
    drawing = busy_drawing(workspace, actors=30, datasets=6, flows=40, seed=seed)
    loaded = _Map(drawing.map.pk)
    graph = nx.Graph((f.source, f.target) for f in loaded.active_data)
    on_map = {n.actor_id: n.pk for n in Node.objects.filter(map=drawing.map, actor__isnull=False)}
    for node in Node.objects.filter(map=drawing.map, dataset__isnull=False).select_related(
        "dataset"
    ):
        if node.dataset.steward_id in on_map:
            graph.add_edge(on_map[node.dataset.steward_id], node.pk)
    dependants, origins = _dependants(loaded), _origins(loaded)
    expected = {}
    for part in nx.connected_components(graph):
        if not origins & part:
            continue
        for node in part:
            cut_off = set()
            for piece in nx.connected_components(graph.subgraph(part - {node})):
                if not origins & piece:
                    cut_off |= dependants & piece
            if cut_off:
                expected[node] = sorted(cut_off)

    found = drawing.findings(FindingKind.SINGLE_POINT_OF_FAILURE)

    assert {f.nodes[0]: f.data["cut_off"] for f in found} == expected, f"seed {seed}"
    counts = [f.data["cut_off_count"] for f in found]
    assert counts == sorted(counts, reverse=True)  # the biggest first
    return len(found)


def test_isolated_node(drawing):
    transport = drawing.actor("Transport Department")
    funder = drawing.actor("Funder")
    drawing.flow(funder, transport, kind=ExchangeKind.MONEY)  # money is an exchange too
    lonely = drawing.actor("Chamber of Commerce")
    lonely_data = drawing.node(drawing.dataset("Parking permits", transport))

    found = drawing.findings(FindingKind.ISOLATED_NODE)

    assert [f.nodes for f in found] == [(lonely.pk,), (lonely_data.pk,)]  # by title
    assert all(f.severity == Severity.LOW for f in found)
    assert found[0].title == "Chamber of Commerce is not connected"


def test_spectrum_mix(drawing):
    transport = drawing.actor("Transport Department")
    university = drawing.actor("University")
    levels = {
        "Bus stops": Spectrum.OPEN,
        "Bus positions": Spectrum.INTERNAL,
        "Fares": Spectrum.NAMED,
        "Depots": Spectrum.GROUP,
    }
    for title, level in levels.items():
        dataset = drawing.dataset(title, transport, spectrum=level)
        drawing.flow(transport, university, dataset)
    stops = Dataset.objects.get(title="Bus stops")
    drawing.node(stops)  # a node and named by a flow: counted once
    drawing.node(drawing.dataset("Crowding", status=DatasetStatus.GAP))
    drawing.node(drawing.dataset("Who rides", status=DatasetStatus.UNIDENTIFIED))

    [mix] = drawing.findings(FindingKind.SPECTRUM_MIX)

    assert mix.severity == Severity.INFO
    assert mix.data == {
        "closed": 1,
        "shared": 2,
        "open": 1,
        "gap": 1,
        "unidentified": 1,
        "total": 6,
    }
    assert "2 shared (33%)" in mix.explanation
    assert "1 open (17%)" in mix.explanation
    assert "1 gap (17%)" in mix.explanation


def test_spectrum_mix_of_an_empty_map(drawing):
    [mix] = drawing.findings(FindingKind.SPECTRUM_MIX)
    assert mix.data["total"] == 0
    assert "no data" in mix.explanation


@pytest.fixture
def two_states(workspace):
    """A current map and a future copy with new nodes: one flow unblocked, one removed, one
    added, one moving from internal to open access."""
    now = Drawing(workspace, "Buses today")
    transport = now.actor("Transport Department")
    citymapper = now.actor("Citymapper")
    university = now.actor("University")
    residents = now.actor("Residents")
    positions = now.dataset("Bus positions", transport, spectrum=Spectrum.INTERNAL)
    timetables = now.dataset("Timetables", transport, spectrum=Spectrum.OPEN)
    current = {
        "blocked": now.flow(
            transport,
            citymapper,
            positions,
            status=FlowStatus.BLOCKED,
            blocked_reasons=[BlockReason.LICENSING],
        ),
        "internal": now.flow(transport, university, positions, access=Spectrum.INTERNAL),
        "dropped": now.flow(university, transport, kind=ExchangeKind.INSIGHT),
        "same": now.flow(transport, residents, timetables),
    }

    then = Drawing(workspace, "Buses tomorrow", MapState.FUTURE, based_on=now.map)
    nodes = {n.actor.name: then.actor(n.actor.name) for n in (transport, citymapper)}
    nodes |= {n.actor.name: then.actor(n.actor.name) for n in (university, residents)}
    t, c, u, r = (nodes[n.actor.name] for n in (transport, citymapper, university, residents))
    future = {
        "unblocked": then.flow(t, c, positions, status=FlowStatus.ACTIVE),
        "opened": then.flow(t, u, positions, access=Spectrum.OPEN),
        "same": then.flow(t, r, timetables),
        "added": then.flow(t, u, timetables),
    }
    return now.map, then.map, current, future


def test_compare_current_and_future(two_states):
    current_map, future_map, current, future = two_states

    changes = compare(current_map, future_map)

    assert all(f.kind == FindingKind.CHANGE and f.severity == Severity.INFO for f in changes)
    by_change = {f.data["change"]: f for f in changes}
    assert [f.data["change"] for f in changes] == ["added", "unblocked", "opened", "removed"]
    assert by_change["added"].exchanges == (future["added"].pk,)
    assert by_change["unblocked"].exchanges == (future["unblocked"].pk,)
    assert by_change["unblocked"].data["was"] == current["blocked"].pk
    assert by_change["opened"].exchanges == (future["opened"].pk,)
    assert by_change["opened"].data["from_access"] == "internal"
    assert by_change["opened"].data["to_access"] == "open"
    assert by_change["removed"].exchanges == (current["dropped"].pk,)
    assert by_change["removed"].data["map"] == current_map.pk
    assert by_change["added"].data["map"] == future_map.pk
    assert "licensing" in by_change["unblocked"].explanation

    # The other way round the same flows read as removed, blocked and closed.
    back = {f.data["change"] for f in compare(future_map, current_map)}
    assert back == {"added", "removed", "blocked", "closed"}


def test_compare_a_map_with_itself_finds_no_change(two_states):
    current_map, future_map, *_ = two_states
    assert compare(current_map, current_map) == []
    assert compare(future_map, future_map) == []


def test_analyse_includes_changes_from_the_map_it_was_copied_from(two_states):
    current_map, future_map, *_ = two_states
    found = analyse(future_map)
    changes = [f for f in found if f.kind == FindingKind.CHANGE]
    assert changes == compare(current_map, future_map)
    assert len(changes) == 4
    assert found[-4:] == changes  # for information, after the map's own findings
    assert not [f for f in analyse(future_map, changes=False) if f.kind == FindingKind.CHANGE]
    assert not [f for f in analyse(current_map) if f.kind == FindingKind.CHANGE]


def busy_drawing(workspace, actors: int, datasets: int, flows: int, seed: int = 7) -> Drawing:
    """A generated map: `actors` actor nodes, `datasets` dataset nodes, `flows` exchanges."""
    rng = random.Random(seed)
    drawing = Drawing(workspace, f"Generated {actors}/{datasets}/{flows}")
    roles = [[], [], [Role.REUSER], [Role.BENEFICIARY], [Role.STEWARD]]
    people = Actor.objects.bulk_create(
        Actor(workspace=workspace, name=f"Actor {seed}.{i}") for i in range(actors)
    )
    records = Dataset.objects.bulk_create(
        Dataset(
            workspace=workspace,
            identifier=f"data-{seed}-{i}",
            title=f"Data {seed}.{i}",
            steward=rng.choice(people),
            spectrum=rng.choice(Spectrum.values),
            status=rng.choice(["exists"] * 8 + ["gap", "unidentified"]),
        )
        for i in range(datasets)
    )
    actor_nodes = Node.objects.bulk_create(
        Node(map=drawing.map, actor=a, roles=rng.choice(roles)) for a in people
    )
    data_nodes = Node.objects.bulk_create(Node(map=drawing.map, dataset=d) for d in records)
    everyone = actor_nodes + data_nodes
    exchanges = []
    for _ in range(flows):
        source, target = rng.sample(everyone, 2)
        status = rng.choice(["active"] * 6 + ["blocked", "proposed", "potential"])
        exchanges.append(
            Exchange(
                map=drawing.map,
                source=source,
                target=target,
                dataset=rng.choice(records) if rng.random() < 0.8 else None,
                status=status,
                blocked_reasons=[rng.choice(BlockReason.values)] if status == "blocked" else [],
                access=rng.choice(["", *Spectrum.values]),
            )
        )
    Exchange.objects.bulk_create(exchanges)
    return drawing


def test_queries_are_few_and_fixed(workspace, django_assert_max_num_queries):
    current = busy_drawing(workspace, actors=10, datasets=20, flows=60)
    copy = Drawing(workspace, "Copy", MapState.FUTURE, based_on=current.map)
    for node in Node.objects.filter(map=current.map):
        Node.objects.create(map=copy.map, actor=node.actor, dataset=node.dataset)
    with django_assert_max_num_queries(10):
        found = analyse(copy.map)  # the map and the one it was copied from
    assert found
    with django_assert_max_num_queries(10):
        assert analyse(current.map)


def test_findings_are_ordered_and_stable(workspace):
    drawing = busy_drawing(workspace, actors=30, datasets=60, flows=150)
    found = analyse(drawing.map)
    ranks = [Severity.values.index(f.severity) for f in found]
    assert ranks == sorted(ranks)
    assert found == analyse(drawing.map)
    assert {f.kind for f in found} >= {
        FindingKind.UNUSED_DATASET,
        FindingKind.UNIDENTIFIED_DATA,
        FindingKind.BLOCKED_FLOWS,
        FindingKind.SPECTRUM_MIX,
    }


def test_as_dict_is_json_ready(workspace, two_states):
    drawing = busy_drawing(workspace, actors=30, datasets=60, flows=150)
    _, future_map, *_ = two_states
    for finding in analyse(drawing.map) + analyse(future_map):
        plain = as_dict(finding)
        assert json.loads(json.dumps(plain)) == plain
        assert set(plain) == {
            "kind",
            "kind_label",
            "severity",
            "title",
            "explanation",
            "nodes",
            "exchanges",
            "data",
        }
        assert plain["kind"] in FindingKind.values
        assert plain["severity"] in Severity.values
        assert plain["explanation"]


def test_a_map_of_two_thousand_nodes(workspace):
    drawing = busy_drawing(workspace, actors=400, datasets=1600, flows=8000)
    found = analyse(drawing.map)
    kinds = {f.kind for f in found}
    assert FindingKind.SPECTRUM_MIX in kinds
    assert FindingKind.BLOCKED_FLOWS in kinds
    [mix] = [f for f in found if f.kind == FindingKind.SPECTRUM_MIX]
    assert mix.data["total"] == 1600
