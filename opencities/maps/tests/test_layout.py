"""Placing nodes that have no position: everyone gets one, nobody who had one moves, the same
map always comes out the same, nodes keep their distance, and big maps are placed fast."""

import math
import random
import time

import pytest

from opencities.inventory.models import Actor
from opencities.maps.layout import (
    COLUMN_GAP,
    FORCE_DIRECTED_LIMIT,
    MIN_DISTANCE,
    ROW_GAP,
    arrange,
    place_missing,
)
from opencities.maps.models import EcosystemMap, Exchange, Node
from opencities.projects.models import Project

NEXT_TO = math.hypot(COLUMN_GAP, ROW_GAP)  # the farthest of the spots right around a node


@pytest.fixture
def ecosystem_map(workspace):
    project = Project.objects.create(workspace=workspace, title="Bins", challenge="Missed bins")
    return EcosystemMap.objects.create(project=project, title="Waste data today")


def add_nodes(ecosystem_map, count, positions=None):
    """`count` actor nodes, at the given positions or none."""
    start = Actor.objects.count()
    actors = Actor.objects.bulk_create(
        Actor(workspace=ecosystem_map.project.workspace, name=f"Actor {start + i}")
        for i in range(count)
    )
    positions = positions or [(None, None)] * count
    return Node.objects.bulk_create(
        Node(map=ecosystem_map, actor=actor, x=x, y=y)
        for actor, (x, y) in zip(actors, positions, strict=True)
    )


def connect(ecosystem_map, pairs):
    Exchange.objects.bulk_create(
        Exchange(map=ecosystem_map, source=source, target=target) for source, target in pairs
    )


def closest_pair(points):
    """The smallest distance between two of the points (a sweep along x, so big maps are
    checked in reasonable time)."""
    points = sorted(points)
    closest = math.inf
    for i, (x, y) in enumerate(points):
        for other_x, other_y in points[i + 1 :]:
            if other_x - x >= closest:
                break
            closest = min(closest, math.dist((x, y), (other_x, other_y)))
    return closest


def random_graph(size, edges, seed=1):
    chance = random.Random(seed)
    return list(range(size)), [tuple(chance.sample(range(size), 2)) for _ in range(edges)]


@pytest.mark.django_db
def test_every_node_without_a_position_gets_one(ecosystem_map):
    nodes = add_nodes(ecosystem_map, 6)
    connect(ecosystem_map, [(nodes[0], nodes[1]), (nodes[1], nodes[2]), (nodes[3], nodes[4])])

    assert place_missing(ecosystem_map) == 6

    placed = list(ecosystem_map.nodes.values_list("x", "y"))
    assert all(x is not None and y is not None for x, y in placed)
    assert closest_pair(placed) >= MIN_DISTANCE
    assert place_missing(ecosystem_map) == 0


@pytest.mark.django_db
def test_a_node_with_only_one_coordinate_is_placed_again(ecosystem_map):
    [node] = add_nodes(ecosystem_map, 1, [(250.0, None)])
    assert place_missing(ecosystem_map) == 1
    node.refresh_from_db()
    assert node.y is not None


@pytest.mark.django_db
def test_positioned_nodes_stay_where_they_are(ecosystem_map):
    kept = add_nodes(ecosystem_map, 3, [(0.0, 0.0), (400.0, 0.0), (800.0, 300.0)])
    new = add_nodes(ecosystem_map, 3)
    connect(ecosystem_map, [(kept[0], new[0]), (new[1], kept[2]), (kept[1], kept[2])])

    assert place_missing(ecosystem_map) == 3

    for node in kept:
        before = (node.x, node.y)
        node.refresh_from_db()
        assert (node.x, node.y) == before
    for node in new:
        node.refresh_from_db()
    # Connected newcomers land right next to the node they connect to.
    assert math.dist((new[0].x, new[0].y), (0, 0)) <= NEXT_TO
    assert math.dist((new[1].x, new[1].y), (800, 300)) <= NEXT_TO
    # The one connected to nothing goes beside the drawing, not into it.
    assert new[2].x > 800 or new[2].y > 300
    everything = ecosystem_map.nodes.values_list("x", "y")
    assert closest_pair(everything) >= MIN_DISTANCE


@pytest.mark.django_db
def test_a_map_with_every_position_set_costs_one_query(ecosystem_map, django_assert_num_queries):
    add_nodes(ecosystem_map, 2, [(0.0, 0.0), (200.0, 0.0)])
    with django_assert_num_queries(1):
        assert place_missing(ecosystem_map) == 0


@pytest.mark.django_db
def test_the_same_map_is_always_placed_the_same_way(ecosystem_map):
    nodes = add_nodes(ecosystem_map, 12)
    connect(ecosystem_map, [(nodes[i], nodes[(i * 5 + 1) % 12]) for i in range(12)])
    place_missing(ecosystem_map)
    first = list(ecosystem_map.nodes.order_by("pk").values_list("x", "y"))

    ecosystem_map.nodes.update(x=None, y=None)
    place_missing(ecosystem_map)

    assert list(ecosystem_map.nodes.order_by("pk").values_list("x", "y")) == first


@pytest.mark.parametrize("size", [60, FORCE_DIRECTED_LIMIT + 100])
def test_arrange_is_deterministic_and_keeps_distance(size):
    """Both the force-directed layout (small maps) and the grid (big ones)."""
    nodes, edges = random_graph(size, size)
    first = arrange(nodes, edges, {})
    assert arrange(nodes, edges, {}) == first
    assert set(first) == set(nodes)
    assert closest_pair(first.values()) >= MIN_DISTANCE


def test_new_nodes_keep_their_distance_from_a_crowded_drawing():
    nodes, edges = random_graph(150, 200, seed=7)
    chance = random.Random(7)
    # Two thirds already drawn, some of them closer together than the layout would put them.
    fixed = {node: (chance.uniform(0, 900), chance.uniform(0, 700)) for node in nodes[:100]}

    placed = arrange(nodes, edges, fixed)

    assert set(placed) == set(nodes[100:])
    for node, spot in placed.items():
        others = [other for key, other in [*fixed.items(), *placed.items()] if key != node]
        assert min(math.dist(spot, other) for other in others) >= MIN_DISTANCE


def test_groups_connected_to_nothing_drawn_go_beside_the_drawing():
    fixed = {"a": (0.0, 0.0), "b": (300.0, 200.0)}
    nodes = ["a", "b", "c", "d", "e"]
    placed = arrange(nodes, [("c", "d")], fixed)

    for x, y in placed.values():
        assert x > 300 or y > 200
    assert math.dist(placed["c"], placed["d"]) < 2 * NEXT_TO  # a group stays together


@pytest.mark.django_db
def test_five_thousand_nodes_are_placed_in_well_under_a_second(ecosystem_map):
    nodes = add_nodes(ecosystem_map, 5000)
    chance = random.Random(3)
    connect(ecosystem_map, [tuple(chance.sample(nodes, 2)) for _ in range(5000)])

    started = time.perf_counter()
    assert place_missing(ecosystem_map) == 5000
    # Generous for a busy CI machine; it takes about a third of a second on two cores.
    assert time.perf_counter() - started < 2

    placed = list(ecosystem_map.nodes.values_list("x", "y"))
    assert all(x is not None for x, _ in placed)
    assert closest_pair(placed) >= MIN_DISTANCE


def test_a_few_new_nodes_on_a_big_drawing_land_near_their_neighbours():
    nodes, edges = random_graph(3000, 0)
    drawn = arrange(nodes, edges, {})
    newcomers = ["new 1", "new 2"]
    placed = arrange([*nodes, *newcomers], [(0, "new 1"), ("new 1", "new 2")], drawn)

    assert set(placed) == set(newcomers)
    assert math.dist(placed["new 1"], drawn[0]) <= 3 * NEXT_TO
    assert math.dist(placed["new 2"], placed["new 1"]) <= 3 * NEXT_TO
    assert closest_pair([*drawn.values(), *placed.values()]) >= MIN_DISTANCE


def test_a_new_node_with_no_room_near_its_neighbour_goes_beside_the_drawing():
    crowd = {(i, j): (i * COLUMN_GAP, j * ROW_GAP) for i in range(-10, 11) for j in range(-10, 11)}
    placed = arrange([*crowd, "new"], [((0, 0), "new")], crowd)

    x, y = placed["new"]
    assert x > 10 * COLUMN_GAP or y > 10 * ROW_GAP
