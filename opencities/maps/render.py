"""A map as a picture drawn on the server: SVG for reports and slides, PNG where SVG is not taken.

The picture matches the browser editor: nodes centred on their saved positions with the label
under them, straight exchanges with the arrow head at the target, and the colours, shapes and
dash patterns of `style.py`. It is built as an XML tree, so every name a person typed is escaped
by the serialiser; characters XML cannot hold at all are dropped first (see `_clean`).

Text is not measured (there are no font metrics on the server): labels are cut to a number of
characters, and boxes are sized with an average glyph width for DejaVu Sans, a wide font, so
real text is seldom wider than the estimate. The words of the picture (subtitle, tooltips,
legend) are in the active language, so a picture downloaded from a page speaks the page's.
"""

import math
import re
import textwrap
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import cairosvg
from django.utils.translation import gettext

from .layout import place_missing
from .models import BlockReason, EcosystemMap, Exchange, ExchangeKind, FlowStatus, Node
from .style import DATASET_STATUS_STYLES, EXCHANGE_KIND_ARROWS, FLOW_STYLES, NODE_SIZE, NODE_STYLES

Point = tuple[float, float]

FONT = "DejaVu Sans, Arial, sans-serif"
INK = "#1f2933"
MUTED = "#52606d"
PAPER = "#ffffff"
GLYPH_WIDTH = 0.62  # average advance of a DejaVu Sans character, in em
LINE_HEIGHT = 1.25  # em
LABEL_SIZE = 12
LABEL_CHARACTERS = 24  # per line under a node: what fits between nodes placed by layout.py
NARROWEST_LABEL = 10  # characters; labels of nodes standing close together wrap down to this
LABEL_LINES = 2
EDGE_LABEL_SIZE = 11
EDGE_LABEL_CHARACTERS = 22
EDGE_LABEL_LIMIT = 150  # exchanges; on bigger maps edge labels only hide the drawing
TITLE_SIZE = 20
SUBTITLE_SIZE = 13
HEADER_HEIGHT = 88  # title and subtitle above the drawing
MARGIN = 32
LEGEND_GAP = 48  # between the drawing and the legend
LEGEND_ROW = 24
LEGEND_PADDING = 14
LEGEND_SAMPLE = 44  # width of the column of samples in the legend
LINE_WIDTH = 2.0
BORDER_WIDTH = 2.0
PARALLEL_SPREAD = 26.0  # px between exchanges joining the same two nodes, at their middle
ARROW_LENGTH = {"triangle": 12.0, "square": 9.0, "diamond": 14.0, "circle": 10.0}
ARROW_HALF_WIDTH = 6.0
NODE_BORDER_DASH = {"solid": "", "dashed": "6 4", "dotted": "1.5 3"}
MAX_PNG_SIDE = 8000  # px; many viewers and mail servers refuse bigger images
MAX_PNG_PIXELS = 24_000_000  # cairo holds 4 bytes a pixel in memory while drawing
LEGIBLE_TEXT = 6  # px; smaller labels are left out of a PNG

# Characters XML 1.0 cannot carry even escaped (spreadsheet imports bring some in).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def map_as_svg(ecosystem_map: EcosystemMap) -> str:
    """The map as a standalone SVG document: title, drawing and legend.

    Nodes without a position are placed (and saved) first, so the picture and the editor show
    the same layout.
    """
    return _serialise(_Picture(ecosystem_map).svg())


def map_as_png(ecosystem_map: EcosystemMap, scale: float = 2.0) -> bytes:
    """The SVG picture rasterised by cairo at `scale` pixels per map unit (2 for sharp slides).

    The scale is lowered for huge maps so the image stays within MAX_PNG_SIDE and
    MAX_PNG_PIXELS: a 5,000-node map at scale 2 would take gigabytes to draw. Labels that would
    come out too small to read are then left out: cairosvg draws text a glyph at a time, and
    the labels of 5,000 nodes took it over 20 seconds.
    """
    picture = _Picture(ecosystem_map)
    width, height = picture.width, picture.height
    scale = min(
        scale, MAX_PNG_SIDE / max(width, height), math.sqrt(MAX_PNG_PIXELS / width / height)
    )
    svg = picture.svg(labels=LABEL_SIZE * scale >= LEGIBLE_TEXT)
    return cairosvg.svg2png(
        bytestring=_serialise(svg).encode("utf-8"),
        output_width=round(width * scale),
        output_height=round(height * scale),
    )


class _Picture:
    """A map's picture worked out but not yet written, so its size is known before a PNG's
    scale is chosen."""

    def __init__(self, ecosystem_map: EcosystemMap) -> None:
        place_missing(ecosystem_map)
        nodes = list(ecosystem_map.nodes.select_related("actor", "dataset", "technology"))
        exchanges = list(ecosystem_map.exchanges.select_related("dataset").order_by("pk"))
        self.title = ecosystem_map.title
        self.subtitle = f"{ecosystem_map.get_state_display()} · {ecosystem_map.project.title}"
        header_width = 2 * MARGIN + max(
            _text_width(self.title, TITLE_SIZE), _text_width(self.subtitle, SUBTITLE_SIZE)
        )
        self.drawing = _Drawing(nodes, exchanges) if nodes else None
        self.legend = _Legend()
        if self.drawing is None:
            self.width = math.ceil(max(header_width, 560.0))
            self.height = math.ceil(HEADER_HEIGHT + 120.0)
        else:
            bounds = self.drawing.bounds
            self.width = math.ceil(
                max(header_width, 2 * MARGIN + bounds.width + LEGEND_GAP + self.legend.width)
            )
            self.height = math.ceil(HEADER_HEIGHT + max(bounds.height, self.legend.height) + MARGIN)

    def svg(self, labels: bool = True) -> ET.Element:
        """The SVG document; without `labels`, node and exchange labels are left out (names
        stay in the tooltips)."""
        svg = ET.Element(
            "svg",
            {
                "xmlns": "http://www.w3.org/2000/svg",
                "width": str(self.width),
                "height": str(self.height),
                "viewBox": f"0 0 {self.width} {self.height}",
                "font-family": FONT,
                "role": "img",
            },
        )
        title = f"{self.title}: {self.subtitle}"
        if self.drawing is None:
            title = gettext("%(title)s (empty map)") % {"title": title}
        _add(svg, "title", title)
        _add(svg, "rect", x=0, y=0, width=self.width, height=self.height, fill=PAPER)
        _add(
            svg,
            "text",
            self.title,
            x=MARGIN,
            y=40,
            font_size=TITLE_SIZE,
            font_weight="bold",
            fill=INK,
        )
        _add(svg, "text", self.subtitle, x=MARGIN, y=62, font_size=SUBTITLE_SIZE, fill=MUTED)
        if self.drawing is None:
            self._say_empty(svg)
        else:
            self.drawing.draw(svg, MARGIN, HEADER_HEIGHT, labels)
            self.legend.draw(svg, MARGIN + self.drawing.bounds.width + LEGEND_GAP, HEADER_HEIGHT)
        return svg

    def _say_empty(self, svg: ET.Element) -> None:
        """Say the map is empty, rather than show a blank picture."""
        box = {"fill": "none", "stroke": MUTED, "stroke_dasharray": "6 4", "rx": 8}
        _add(
            svg, "rect", x=MARGIN, y=HEADER_HEIGHT, width=self.width - 2 * MARGIN, height=88, **box
        )
        middle = {"x": self.width / 2, "text_anchor": "middle"}
        _add(
            svg,
            "text",
            gettext("This map is empty."),
            y=HEADER_HEIGHT + 38,
            font_size=16,
            font_weight="bold",
            fill=INK,
            **middle,
        )
        _add(
            svg,
            "text",
            gettext("Add actors, datasets or technologies to draw it."),
            y=HEADER_HEIGHT + 62,
            font_size=SUBTITLE_SIZE,
            fill=MUTED,
            **middle,
        )


# The drawing


@dataclass
class _Box:
    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def overlaps(self, other: "_Box") -> bool:
        return (
            self.left < other.right
            and other.left < self.right
            and self.top < other.bottom
            and other.top < self.bottom
        )

    @staticmethod
    def around(point: Point, width: float, height: float) -> "_Box":
        x, y = point
        return _Box(x - width / 2, y - height / 2, x + width / 2, y + height / 2)

    @staticmethod
    def union(boxes: Iterable["_Box"]) -> "_Box":
        boxes = list(boxes)
        return _Box(
            min(box.left for box in boxes),
            min(box.top for box in boxes),
            max(box.right for box in boxes),
            max(box.bottom for box in boxes),
        )


class _Index:
    """Boxes bucketed in square cells, to find the ones near a box without looking at all of
    them (a map can have thousands of nodes)."""

    CELL = 200.0

    def __init__(self) -> None:
        self._cells: defaultdict[tuple[int, int], list[tuple[_Box, Any]]] = defaultdict(list)

    def _keys(self, box: _Box) -> Iterator[tuple[int, int]]:
        for column in range(
            math.floor(box.left / self.CELL), math.floor(box.right / self.CELL) + 1
        ):
            for row in range(
                math.floor(box.top / self.CELL), math.floor(box.bottom / self.CELL) + 1
            ):
                yield column, row

    def add(self, box: _Box, item: Any = None) -> None:
        for key in self._keys(box):
            self._cells[key].append((box, item))

    def near(self, box: _Box) -> Iterator[tuple[_Box, Any]]:
        """Boxes overlapping `box` (one spanning several cells may come more than once)."""
        for key in self._keys(box):
            for other, item in self._cells.get(key, ()):
                if other.overlaps(box):
                    yield other, item


@dataclass
class _Route:
    """Where an exchange is drawn: a line from `start` to `end`, curved through `control` when
    it shares its two nodes with others, then the arrow head from `end` to `tip`."""

    start: Point
    control: Point | None
    end: Point
    tip: Point
    heading: Point  # unit direction of the arrow head

    def at(self, t: float) -> Point:
        """The point a fraction `t` of the way along the line."""
        (sx, sy), (ex, ey) = self.start, self.tip
        cx, cy = self.control or ((sx + ex) / 2, (sy + ey) / 2)
        return (
            (1 - t) ** 2 * sx + 2 * (1 - t) * t * cx + t**2 * ex,
            (1 - t) ** 2 * sy + 2 * (1 - t) * t * cy + t**2 * ey,
        )


class _Drawing:
    """Where everything of a map goes, worked out before anything is drawn so the picture can be
    sized to it: node labels wrapped narrower where nodes stand close, exchanges fanned out and
    cut at node borders, and edge labels put where they hide no other text."""

    def __init__(self, nodes: list[Node], exchanges: list[Exchange]) -> None:
        self.nodes = nodes
        self.names = {node.pk: str(node) for node in nodes}
        centres = _Index()
        for node in nodes:
            centres.add(_Box(node.x, node.y, node.x, node.y), node.pk)
        self.labels = {node.pk: self._wrap_label(node, centres) for node in nodes}

        taken = _Index()
        boxes = []
        half = NODE_SIZE / 2
        for node in nodes:
            label = self.labels[node.pk]
            reach = max(half, max(_text_width(line, LABEL_SIZE) for line in label) / 2)
            depth = half + 3 + len(label) * LABEL_SIZE * LINE_HEIGHT
            box = _Box(node.x - reach, node.y - half, node.x + reach, node.y + depth)
            taken.add(box)
            boxes.append(box)

        positions = {node.pk: (node.x, node.y) for node in nodes}
        shapes = {node.pk: NODE_STYLES[node.kind]["shape"] for node in nodes}
        self.routes = [
            (exchange, _route(exchange, bend, positions, shapes))
            for exchange, bend in _bends(exchanges)
        ]
        self.edge_labels: list[tuple[str, Point]] = []
        if len(exchanges) <= EDGE_LABEL_LIMIT:
            for exchange, route in self.routes:
                text = _wrap(_exchange_label(exchange), EDGE_LABEL_CHARACTERS, 1)[0]
                width = _text_width(text, EDGE_LABEL_SIZE) + 4
                for t in (0.5, 0.35, 0.65, 0.2, 0.8):
                    box = _Box.around(route.at(t), width, EDGE_LABEL_SIZE * 1.3)
                    if not any(taken.near(box)):
                        taken.add(box)
                        boxes.append(box)
                        self.edge_labels.append((text, route.at(t)))
                        break
        self.bounds = _Box.union(
            [*boxes, *(_Box.around(route.at(0.5), 0, 0) for _, route in self.routes)]
        )

    def _wrap_label(self, node: Node, centres: _Index) -> list[str]:
        """A node's label in lines narrow enough not to run into the label of a node standing
        beside it (both are centred, so each may take the gap between them less a little air)."""
        band = LABEL_LINES * LABEL_SIZE * LINE_HEIGHT
        reach = _text_width("x" * LABEL_CHARACTERS, LABEL_SIZE)
        beside = _Box(node.x - reach, node.y - band, node.x + reach, node.y + band)
        gaps = [abs(box.left - node.x) for box, pk in centres.near(beside) if pk != node.pk]
        room = min(gaps, default=2 * reach) - 8
        characters = int(room / (LABEL_SIZE * GLYPH_WIDTH))
        return _wrap(
            self.names[node.pk],
            max(NARROWEST_LABEL, min(LABEL_CHARACTERS, characters)),
            LABEL_LINES,
        )

    def draw(self, parent: ET.Element, left: float, top: float, labels: bool) -> None:
        """Exchanges first, their labels over them, nodes over those, and the arrow heads on top,
        so no node label hides where an exchange arrives."""
        shift = f"translate({_n(left - self.bounds.left)} {_n(top - self.bounds.top)})"
        layer = _add(parent, "g", transform=shift)
        lines = _add(layer, "g", class_="exchanges")
        for exchange, route in self.routes:
            _exchange(lines, exchange, route, self.names)
        if labels and self.edge_labels:
            texts = _add(layer, "g", class_="exchange-labels")
            for text, (x, y) in self.edge_labels:
                _label(texts, [text], (x, y + EDGE_LABEL_SIZE * 0.35), EDGE_LABEL_SIZE)
        shapes = _add(layer, "g", class_="nodes")
        for node in self.nodes:
            _node(shapes, node, self.labels[node.pk] if labels else [])
        heads = _add(layer, "g", class_="arrow-heads")
        for exchange, route in self.routes:
            colour = FLOW_STYLES[exchange.status]["color"]
            arrow = EXCHANGE_KIND_ARROWS[exchange.kind]["arrow"]
            _arrow_head(heads, arrow, route.tip, route.heading, colour)


# Nodes


def _node(parent: ET.Element, node: Node, label: list[str]) -> None:
    style = NODE_STYLES[node.kind]
    fill, dash = style["fill"], ""
    if node.dataset_id:
        status = DATASET_STATUS_STYLES[node.dataset.status]
        fill = status["fill"] or fill
        dash = NODE_BORDER_DASH[status["border_style"]]
    group = _add(parent, "g", class_=f"node {node.kind}")
    _add(group, "title", _node_tooltip(node))
    paint = {"stroke": style["border"], "stroke_width": BORDER_WIDTH, "stroke_dasharray": dash}
    _shape(group, style["shape"], (node.x, node.y), NODE_SIZE, fill=fill, **paint)
    if label:
        _label(group, label, (node.x, node.y + NODE_SIZE / 2 + 3 + LABEL_SIZE), LABEL_SIZE, INK)


def _node_tooltip(node: Node) -> str:
    if node.actor_id:
        roles = ", ".join(node.role_labels)
        detail = gettext("Actor: %(roles)s") % {"roles": roles} if roles else gettext("Actor")
    elif node.dataset_id:
        status = node.dataset.get_status_display()
        detail = gettext("Dataset: %(status)s") % {"status": status}
    else:
        kind = node.technology.get_kind_display()
        detail = gettext("Technology: %(kind)s") % {"kind": kind}
    return f"{node}\n{detail}"


def _shape(parent: ET.Element, shape: str, at: Point, size: float, **paint: str | float) -> None:
    """A node shape as the editor draws it, centred at `at`."""
    x, y = at
    half = size / 2
    if shape == "ellipse":
        _add(parent, "circle", cx=x, cy=y, r=half, **paint)
    elif shape == "diamond":
        corners = [(x, y - half), (x + half, y), (x, y + half), (x - half, y)]
        _add(parent, "polygon", points=_points(corners), **paint)
    else:
        _add(parent, "rect", x=x - half, y=y - half, width=size, height=size, rx=size / 5, **paint)


def _border(shape: str, direction: Point) -> float:
    """How far from a node's centre its border is in a unit `direction`, plus half the border's
    width and a pixel of air, so an arrow stops where the node begins."""
    half = NODE_SIZE / 2
    dx, dy = abs(direction[0]), abs(direction[1])
    if shape == "ellipse":
        reach = half
    elif shape == "diamond":
        reach = half / (dx + dy)
    else:
        reach = half / max(dx, dy)
    return reach + BORDER_WIDTH / 2 + 1


# Exchanges


def _bends(exchanges: list[Exchange]) -> Iterator[tuple[Exchange, float]]:
    """Each exchange with how far its middle is pushed sideways, so exchanges between the same
    two nodes (either way round) fan out instead of drawing on top of each other."""
    pairs: defaultdict[tuple[int, int], list[Exchange]] = defaultdict(list)
    for exchange in exchanges:
        low, high = sorted((exchange.source_id, exchange.target_id))
        pairs[(low, high)].append(exchange)
    for group in pairs.values():
        for i, exchange in enumerate(group):
            bend = (i - (len(group) - 1) / 2) * PARALLEL_SPREAD
            # Sideways is seen from the lower node id, the same for both directions.
            yield exchange, bend if exchange.source_id < exchange.target_id else -bend


def _route(
    exchange: Exchange, bend: float, positions: dict[int, Point], shapes: dict[int, str]
) -> _Route:
    (ax, ay), (bx, by) = positions[exchange.source_id], positions[exchange.target_id]
    across = _unit(bx - ax, by - ay)
    leaving = arriving = across
    control = None
    if bend:
        # A quadratic curve passes half-way to its control point: its middle moves by `bend`.
        middle = ((ax + bx) / 2, (ay + by) / 2)
        control = (middle[0] - across[1] * 2 * bend, middle[1] + across[0] * 2 * bend)
        leaving = _unit(control[0] - ax, control[1] - ay)
        arriving = _unit(bx - control[0], by - control[1])
    out = _border(shapes[exchange.source_id], leaving)
    into = _border(shapes[exchange.target_id], arriving)
    tip = (bx - arriving[0] * into, by - arriving[1] * into)
    head = ARROW_LENGTH[EXCHANGE_KIND_ARROWS[exchange.kind]["arrow"]]
    return _Route(
        start=(ax + leaving[0] * out, ay + leaving[1] * out),
        control=control,
        end=(tip[0] - arriving[0] * head, tip[1] - arriving[1] * head),
        tip=tip,
        heading=arriving,
    )


def _unit(dx: float, dy: float) -> Point:
    length = math.hypot(dx, dy)
    return (dx / length, dy / length) if length else (1.0, 0.0)


def _exchange(parent: ET.Element, exchange: Exchange, route: _Route, names: dict[int, str]) -> None:
    flow = FLOW_STYLES[exchange.status]
    group = _add(parent, "g", class_=f"exchange {exchange.kind} {exchange.status}")
    _add(group, "title", _exchange_tooltip(exchange, names))
    curve = f"Q {_points([route.control])} " if route.control else "L "
    _add(
        group,
        "path",
        d=f"M {_points([route.start])} {curve}{_points([route.end])}",
        fill="none",
        stroke=flow["color"],
        stroke_width=LINE_WIDTH,
        stroke_dasharray=_dash(flow["dash"]),
    )


def _arrow_head(parent: ET.Element, arrow: str, tip: Point, heading: Point, colour: str) -> None:
    """The head that tells the kind of exchange, its point at `tip`, facing `heading`."""
    length, half = ARROW_LENGTH[arrow], ARROW_HALF_WIDTH

    def at(back: float, side: float) -> Point:
        return (
            tip[0] - heading[0] * back - heading[1] * side,
            tip[1] - heading[1] * back + heading[0] * side,
        )

    if arrow == "circle":
        centre = at(length / 2, 0)
        _add(parent, "circle", cx=centre[0], cy=centre[1], r=length / 2, fill=colour)
        return
    side = length / 2 if arrow == "square" else half
    corners = {
        "triangle": [at(0, 0), at(length, side), at(length, -side)],
        "square": [at(0, -side), at(0, side), at(length, side), at(length, -side)],
        "diamond": [at(0, 0), at(length / 2, side), at(length, 0), at(length / 2, -side)],
    }[arrow]
    _add(parent, "polygon", points=_points(corners), fill=colour)


def _exchange_label(exchange: Exchange) -> str:
    if exchange.kind == ExchangeKind.DATA and exchange.dataset_id:
        return exchange.dataset.title
    return exchange.get_kind_display()


def _exchange_tooltip(exchange: Exchange, names: dict[int, str]) -> str:
    what = exchange.get_kind_display()
    if exchange.dataset_id:
        what += f": {exchange.dataset.title}"
    status = exchange.get_status_display()
    if exchange.status == FlowStatus.BLOCKED and exchange.blocked_reasons:
        reasons = ", ".join(
            str(BlockReason(reason).label).lower()
            for reason in exchange.blocked_reasons
            if reason in BlockReason.values
        )
        status += f" ({reasons})"
    lines = [f"{names[exchange.source_id]} → {names[exchange.target_id]}", what, status]
    return "\n".join([*lines, exchange.description] if exchange.description else lines)


def _dash(steps: list[int]) -> str:
    return " ".join(str(step) for step in steps)


# The legend

_Sample = Callable[[ET.Element, Point], None]


class _Legend:
    """The key to the picture: node types, gap and unidentified datasets, flow statuses and
    exchange kinds, each with a sample drawn the way the map draws it."""

    def __init__(self) -> None:
        dataset = NODE_STYLES["dataset"]
        nodes = [
            (str(style["label"]), _node_sample(style["shape"], style["fill"], style["border"], ""))
            for style in NODE_STYLES.values()
        ]
        hollow = [
            (
                str(status["label"]),
                _node_sample(
                    dataset["shape"],
                    status["fill"],
                    dataset["border"],
                    NODE_BORDER_DASH[status["border_style"]],
                ),
            )
            for status in DATASET_STATUS_STYLES.values()
            if status["fill"]
        ]
        self.sections: list[tuple[str, list[tuple[str, _Sample]]]] = [
            (gettext("Nodes"), nodes + hollow),
            (
                gettext("Flow status"),
                [(str(flow["label"]), _line_sample(flow)) for flow in FLOW_STYLES.values()],
            ),
            (
                gettext("Exchange kind"),
                [
                    (str(kind["label"]), _arrow_sample(kind["arrow"]))
                    for kind in EXCHANGE_KIND_ARROWS.values()
                ],
            ),
        ]
        longest = max(
            _text_width(label, LABEL_SIZE) for _, entries in self.sections for label, _ in entries
        )
        self.width = 2 * LEGEND_PADDING + LEGEND_SAMPLE + 10 + longest
        rows = sum(len(entries) + 1 for _, entries in self.sections)
        self.height = 2 * LEGEND_PADDING + rows * LEGEND_ROW + (len(self.sections) - 1) * 8

    def draw(self, parent: ET.Element, left: float, top: float) -> None:
        group = _add(parent, "g", class_="legend")
        _add(
            group,
            "rect",
            x=left,
            y=top,
            width=self.width,
            height=self.height,
            rx=6,
            fill="#f8fafc",
            stroke="#cbd2d9",
        )
        x, y = left + LEGEND_PADDING, top + LEGEND_PADDING
        for heading, entries in self.sections:
            _add(
                group,
                "text",
                heading,
                x=x,
                y=y + LEGEND_ROW * 0.7,
                font_size=13,
                font_weight="bold",
                fill=INK,
            )
            y += LEGEND_ROW
            for label, sample in entries:
                middle = y + LEGEND_ROW / 2
                sample(group, (x + LEGEND_SAMPLE / 2, middle))
                _add(
                    group,
                    "text",
                    label,
                    x=x + LEGEND_SAMPLE + 10,
                    y=middle + LABEL_SIZE * 0.35,
                    font_size=LABEL_SIZE,
                    fill=INK,
                )
                y += LEGEND_ROW
            y += 8


def _node_sample(shape: str, fill: str, border: str, dash: str) -> _Sample:
    def draw(parent: ET.Element, at: Point) -> None:
        _shape(
            parent,
            shape,
            at,
            18,
            fill=fill,
            stroke=border,
            stroke_width=BORDER_WIDTH,
            stroke_dasharray=dash,
        )

    return draw


def _line_sample(flow: dict[str, Any]) -> _Sample:
    def draw(parent: ET.Element, at: Point) -> None:
        x, y = at
        _add(
            parent,
            "line",
            x1=x - LEGEND_SAMPLE / 2,
            y1=y,
            x2=x + LEGEND_SAMPLE / 2,
            y2=y,
            stroke=flow["color"],
            stroke_width=LINE_WIDTH,
            stroke_dasharray=_dash(flow["dash"]),
        )

    return draw


def _arrow_sample(arrow: str) -> _Sample:
    def draw(parent: ET.Element, at: Point) -> None:
        x, y = at
        colour = FLOW_STYLES["active"]["color"]
        tip = x + LEGEND_SAMPLE / 2
        _add(
            parent,
            "line",
            x1=x - LEGEND_SAMPLE / 2,
            y1=y,
            x2=tip - ARROW_LENGTH[arrow],
            y2=y,
            stroke=colour,
            stroke_width=LINE_WIDTH,
        )
        _arrow_head(parent, arrow, (tip, y), (1.0, 0.0), colour)

    return draw


# Writing the document


def _label(
    parent: ET.Element, lines: list[str], at: Point, size: float, colour: str = MUTED
) -> None:
    """Centred lines of text over a white halo, readable where they cross a line (cairo ignores
    paint-order, so the halo is a copy of the text drawn first)."""
    group = _add(parent, "g", font_size=size, text_anchor="middle")
    halo = {"stroke": PAPER, "stroke_width": 3.0, "stroke_linejoin": "round", "aria_hidden": "true"}
    for paint in ({"fill": PAPER, **halo}, {"fill": colour}):
        text = _add(group, "text", x=at[0], y=at[1], **paint)
        for i, line in enumerate(lines):
            _add(text, "tspan", line, x=at[0], dy=f"{LINE_HEIGHT if i else 0}em")


def _add(
    parent: ET.Element, tag: str, content: str | None = None, **attributes: str | float
) -> ET.Element:
    """A child element with `content` as its text. `stroke_width=2` is written
    stroke-width="2", `class_` is class, and an empty value leaves the attribute out."""
    element = ET.SubElement(
        parent,
        tag,
        {
            name.rstrip("_").replace("_", "-"): _n(value)
            if isinstance(value, float)
            else str(value)
            for name, value in attributes.items()
            if value != ""
        },
    )
    if content is not None:
        element.text = _clean(content)
    return element


def _serialise(svg: ET.Element) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(svg, encoding="unicode")


def _clean(text: str) -> str:
    """Text without the control characters XML cannot carry; escaping is the serialiser's job."""
    return _NOT_XML.sub("", text)


def _n(value: float) -> str:
    """A coordinate to a tenth of a pixel, without a trailing ".0", to keep files small."""
    text = f"{value:.1f}"
    return text.removesuffix(".0")


def _points(points: Iterable[Point]) -> str:
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in points)


def _text_width(text: str, size: float) -> float:
    return len(text) * size * GLYPH_WIDTH


def _wrap(text: str, characters: int, lines: int) -> list[str]:
    """Text broken into at most `lines` lines of `characters`, the last cut with an ellipsis."""
    words = " ".join(_clean(text).split())
    wrapped = textwrap.wrap(
        words, characters, max_lines=lines, placeholder="…", break_long_words=True
    )
    return wrapped or [""]
