"""Where nodes go when nobody has put them anywhere yet.

Nodes brought in by an import, a copy or the API have no position, and both the editor and the
pictures drawn on the server need one. Positions a person chose are never changed: a new node
goes near the nodes it is connected to, else into free space beside the drawing. The same map
always gets the same positions, so reloading a page does not reshuffle it.

Units are the editor's (Cytoscape pixels at zoom 1); node centres sit far enough apart for the
label under each node (about 24 characters wide, two lines) not to run into its neighbour's.
"""

import math
from collections import defaultdict, deque
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from functools import cache

import networkx as nx
from django.db import connection, transaction

from .models import EcosystemMap, Node

Point = tuple[float, float]

COLUMN_GAP = 180.0  # between side-by-side nodes: a 24-character label is about 170 px wide
ROW_GAP = 140.0  # between stacked nodes: the node, two label lines under it, and some air
MIN_DISTANCE = 120.0  # no node placed here comes closer than this to any other node
SEPARATION = 1.5  # new groups stand this many gaps away from the drawing, to read as apart
FORCE_DIRECTED_LIMIT = 400  # nodes; beyond this a force-directed layout keeps the editor waiting
SLOT_RINGS = 8  # how far (in gaps) around its neighbours a new node looks for room
SEED = 20240611  # force-directed layouts start from this fixed random state: same map, same look
LANDSCAPE = 1.6  # width / height of the screens and pages a map is shown on


def place_missing(ecosystem_map: EcosystemMap) -> int:
    """Give every node of the map without a position one, and save them; return how many.

    Called whenever the editor or a picture needs positions, so it costs one query when there
    is nothing to do. The positions are saved with one prepared UPDATE run for each node:
    `bulk_update` builds a CASE expression of every row in Python, which takes seconds for a
    map of 5,000 nodes, where this takes milliseconds.
    """
    rows = list(ecosystem_map.nodes.order_by("pk").values_list("pk", "x", "y"))
    fixed = {pk: (x, y) for pk, x, y in rows if x is not None and y is not None}
    if len(fixed) == len(rows):
        return 0
    edges = ecosystem_map.exchanges.order_by("pk").values_list("source_id", "target_id")
    placed = arrange([pk for pk, _, _ in rows], edges, fixed)
    quote = connection.ops.quote_name
    table = quote(Node._meta.db_table)
    x, y, pk = (quote(Node._meta.get_field(name).column) for name in ("x", "y", "id"))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {x} = %s, {y} = %s WHERE {pk} = %s",
            [(px, py, node) for node, (px, py) in placed.items()],
        )
    return len(placed)


def arrange(
    nodes: Sequence[Hashable],
    edges: Iterable[tuple[Hashable, Hashable]],
    fixed: Mapping[Hashable, Point],
) -> dict[Hashable, Point]:
    """Positions for the nodes not in `fixed`, given the edges between all of them.

    Works on plain values, without the database, so it can be tested and timed on its own.
    Nodes connected to positioned ones are put near them, breadth first, so a chain of new
    nodes grows out of the drawing; what finds no room there, and groups connected to nothing
    positioned, are laid out group by group and packed beside the drawing. The order of
    `nodes` and `edges` decides ties, so pass them in a stable order.
    """
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from((a, b) for a, b in edges if a != b)
    placed: dict[Hashable, Point] = {}
    space = _Space(fixed.values())
    for node in _outwards_from(graph, fixed):
        anchors = [
            fixed[n] if n in fixed else placed[n] for n in graph[node] if n in fixed or n in placed
        ]
        if not anchors:
            continue
        target = (
            sum(x for x, _ in anchors) / len(anchors),
            sum(y for _, y in anchors) / len(anchors),
        )
        slot = space.nearest_free(target, SLOT_RINGS)
        if slot is not None:
            placed[node] = slot
            space.add(slot)
    rest = [node for node in nodes if node not in fixed and node not in placed]
    if rest:
        force_directed = graph.number_of_nodes() <= FORCE_DIRECTED_LIMIT
        groups = [
            _spring_group(group) if force_directed else _grid_group(group)
            for group in _components(graph, rest)
        ]
        drawn = [*fixed.values(), *placed.values()]
        placed.update(_pack_beside(drawn, groups))
    return placed


def _outwards_from(graph: nx.Graph, fixed: Mapping[Hashable, Point]) -> Iterator[Hashable]:
    """The unpositioned nodes reachable from positioned ones, nearest first."""
    seen = set(fixed)
    queue = deque(node for node in graph if node in fixed)
    while queue:
        for neighbour in graph[queue.popleft()]:
            if neighbour not in seen:
                seen.add(neighbour)
                queue.append(neighbour)
                yield neighbour


def _components(graph: nx.Graph, nodes: list[Hashable]) -> list[nx.Graph]:
    """The connected groups among `nodes`, biggest first, each as a graph of its own whose
    nodes and edges keep the order of `nodes` and `graph` (networkx views iterate in set order,
    which would make the layout depend on hashing)."""
    order = {node: i for i, node in enumerate(nodes)}
    parts = [
        sorted(part, key=order.__getitem__)
        for part in nx.connected_components(graph.subgraph(nodes))
    ]
    groups = []
    for part in sorted(parts, key=lambda part: (-len(part), order[part[0]])):
        members = set(part)
        group = nx.Graph()
        group.add_nodes_from(part)
        group.add_edges_from((a, b) for a in part for b in graph[a] if b in members)
        groups.append(group)
    return groups


def _spring_group(group: nx.Graph) -> dict[Hashable, Point]:
    """A force-directed layout of one connected group, scaled so that a typical exchange is one
    gap long, with the nodes that end up too close to another moved to the nearest free spot."""
    if len(group) == 1:
        return dict.fromkeys(group, (0.0, 0.0))
    raw = nx.spring_layout(group, seed=SEED)
    lengths = sorted(math.dist(raw[a], raw[b]) for a, b in group.edges)
    scale = (COLUMN_GAP + ROW_GAP) / 2 / max(lengths[len(lengths) // 2], 1e-9)
    space = _Space()
    positions = {}
    for node in sorted(group, key=lambda n: -group.degree(n)):
        spot = space.nearest_free((raw[node][0] * scale, raw[node][1] * scale), math.inf)
        assert spot is not None  # an unbounded search always finds room
        positions[node] = spot
        space.add(spot)
    return positions


def _grid_group(group: nx.Graph) -> dict[Hashable, Point]:
    """One connected group on a grid, in breadth-first order from its best-connected node and
    snaking row by row, so neighbours mostly land close together. Linear in the group's size,
    for maps too big for a force-directed layout."""
    start = max(group, key=group.degree)  # the first of the best connected: max keeps ties
    order = [start, *(child for _, child in nx.bfs_edges(group, start))]
    columns = max(1, math.ceil(math.sqrt(len(order) * ROW_GAP / COLUMN_GAP)))
    positions = {}
    for i, node in enumerate(order):
        row, column = divmod(i, columns)
        if row % 2:
            column = columns - 1 - column
        positions[node] = (column * COLUMN_GAP, row * ROW_GAP)
    return positions


def _pack_beside(drawn: list[Point], groups: list[dict[Hashable, Point]]) -> dict[Hashable, Point]:
    """Pack groups in rows (tallest first) into a landscape block, and put the block to the
    right of or below what is already drawn, whichever keeps the whole closer to a screen."""
    boxes = []
    for group in groups:
        xs = [x for x, _ in group.values()]
        ys = [y for _, y in group.values()]
        boxes.append((min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)))
    order = sorted(range(len(groups)), key=lambda i: (-boxes[i][3], -boxes[i][2], i))
    area = sum((w + COLUMN_GAP) * (h + ROW_GAP) for _, _, w, h in boxes)
    row_width = max(max(w for _, _, w, _ in boxes), math.sqrt(area * LANDSCAPE))
    offsets: dict[int, Point] = {}
    x = y = row_height = width = 0.0
    for i in order:
        _, _, w, h = boxes[i]
        if x > 0 and x + w > row_width:
            x, y, row_height = 0.0, y + row_height + ROW_GAP, 0.0
        offsets[i] = (x, y)
        width = max(width, x + w)
        x += w + COLUMN_GAP
        row_height = max(row_height, h)
    height = y + row_height
    origin = _beside(drawn, width, height)
    packed = {}
    for i, group in enumerate(groups):
        left, top, _, _ = boxes[i]
        dx = origin[0] + offsets[i][0] - left
        dy = origin[1] + offsets[i][1] - top
        packed.update({node: (px + dx, py + dy) for node, (px, py) in group.items()})
    return packed


def _beside(drawn: list[Point], width: float, height: float) -> Point:
    """Top left corner for a block of the given size next to the drawn points."""
    if not drawn:
        return (0.0, 0.0)
    left = min(x for x, _ in drawn)
    top = min(y for _, y in drawn)
    right = max(x for x, _ in drawn)
    bottom = max(y for _, y in drawn)
    to_right = (right + SEPARATION * COLUMN_GAP, top)
    below = (left, bottom + SEPARATION * ROW_GAP)

    def off_screen(corner: Point) -> float:
        total_width = max(right, corner[0] + width) - left
        total_height = max(bottom, corner[1] + height) - top
        return abs(math.log((total_width + COLUMN_GAP) / (total_height + ROW_GAP) / LANDSCAPE))

    return min((to_right, below), key=off_screen)


@cache
def _ring(radius: int) -> list[tuple[int, int]]:
    """Grid steps at `radius` gaps from the centre (a square ring), nearest first."""
    steps = [
        (i, j)
        for i in range(-radius, radius + 1)
        for j in range(-radius, radius + 1)
        if max(abs(i), abs(j)) == radius
    ]
    return sorted(steps, key=lambda s: (math.hypot(s[0] * COLUMN_GAP, s[1] * ROW_GAP), s[1], s[0]))


class _Space:
    """The points on a drawing, bucketed in cells of MIN_DISTANCE, to tell in constant time
    whether a spot is free."""

    def __init__(self, points: Iterable[Point] = ()) -> None:
        self._cells: defaultdict[tuple[int, int], list[Point]] = defaultdict(list)
        for point in points:
            self.add(point)

    @staticmethod
    def _cell(point: Point) -> tuple[int, int]:
        return math.floor(point[0] / MIN_DISTANCE), math.floor(point[1] / MIN_DISTANCE)

    def add(self, point: Point) -> None:
        self._cells[self._cell(point)].append(point)

    def is_free(self, point: Point) -> bool:
        column, row = self._cell(point)
        return not any(
            math.dist(point, other) < MIN_DISTANCE
            for i in (-1, 0, 1)
            for j in (-1, 0, 1)
            for other in self._cells.get((column + i, row + j), ())
        )

    def nearest_free(self, target: Point, rings: float) -> Point | None:
        """The free spot nearest `target` on a grid of gaps around it, searching at most
        `rings` gaps out (`math.inf`: until one is found); None when there is no room that close."""
        radius = 0
        while radius <= rings:
            for i, j in _ring(radius):
                spot = (target[0] + i * COLUMN_GAP, target[1] + j * ROW_GAP)
                if self.is_free(spot):
                    return spot
            radius += 1
        return None
