"""Pictures of a map drawn on the server: well-formed SVG whatever the names hold, the styles of
the editor, a legend beside the drawing, and a PNG of the size asked for."""

import re
import struct
import xml.etree.ElementTree as ET

import pytest

from opencities.inventory.models import Actor, Dataset, DatasetStatus, Technology
from opencities.maps import render
from opencities.maps.models import (
    BlockReason,
    EcosystemMap,
    Exchange,
    ExchangeKind,
    FlowStatus,
    MapState,
    Node,
)
from opencities.maps.render import map_as_png, map_as_svg
from opencities.maps.style import (
    DATASET_STATUS_STYLES,
    EXCHANGE_KIND_ARROWS,
    FLOW_STYLES,
    NODE_SIZE,
    NODE_STYLES,
)
from opencities.projects.models import Project

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def ecosystem_map(workspace):
    project = Project.objects.create(workspace=workspace, title="Bins", challenge="Missed bins")
    return EcosystemMap.objects.create(project=project, title="Waste data today")


def actor_node(ecosystem_map, name, x=None, y=None, **fields):
    actor = Actor.objects.create(workspace=ecosystem_map.project.workspace, name=name)
    return Node.objects.create(map=ecosystem_map, actor=actor, x=x, y=y, **fields)


def dataset_node(ecosystem_map, title, status=DatasetStatus.EXISTS, x=None, y=None):
    dataset = Dataset.objects.create(
        workspace=ecosystem_map.project.workspace,
        identifier=title.lower(),
        title=title,
        status=status,
    )
    return Node.objects.create(map=ecosystem_map, dataset=dataset, x=x, y=y)


@pytest.fixture
def bin_map(ecosystem_map):
    """Every kind of node, status and exchange, positioned like a small map in the editor."""
    council = actor_node(ecosystem_map, "Waste Services", 0, 0, roles=["steward"])
    contractor = actor_node(ecosystem_map, "Kestrel Environmental", 400, 0)
    residents = actor_node(ecosystem_map, "Riverton residents", 0, 300)
    rounds = dataset_node(ecosystem_map, "Collection rounds", x=200, y=-200)
    causes = dataset_node(ecosystem_map, "Missed bin causes", DatasetStatus.GAP, 400, 300)
    sensors = dataset_node(ecosystem_map, "Bin fill levels", DatasetStatus.UNIDENTIFIED, 200, 450)
    app = Technology.objects.create(workspace=ecosystem_map.project.workspace, name="Report It")
    portal = Node.objects.create(map=ecosystem_map, technology=app, x=-250, y=150)
    exchanges = [
        (council, contractor, ExchangeKind.DATA, FlowStatus.ACTIVE, rounds.dataset),
        (contractor, council, ExchangeKind.MONEY, FlowStatus.BLOCKED, None),
        (residents, portal, ExchangeKind.SERVICE, FlowStatus.PROPOSED, None),
        (contractor, causes, ExchangeKind.INSIGHT, FlowStatus.POTENTIAL, None),
        (sensors, residents, ExchangeKind.DATA, FlowStatus.ACTIVE, sensors.dataset),
    ]
    for source, target, kind, status, dataset in exchanges:
        Exchange.objects.create(
            map=ecosystem_map,
            source=source,
            target=target,
            kind=kind,
            status=status,
            dataset=dataset,
            blocked_reasons=[BlockReason.COST] if status == FlowStatus.BLOCKED else [],
        )
    return ecosystem_map


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg.encode("utf-8"))


def with_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [el for el in root.iter() if name in el.get("class", "").split()]


def titled(root: ET.Element, classes: str) -> dict[str, ET.Element]:
    """The groups of the given class by the first line of their tooltip."""
    return {
        group.find(f"{SVG}title").text.splitlines()[0]: group for group in with_class(root, classes)
    }


def translation(root: ET.Element) -> tuple[float, float]:
    [layer] = [g for g in root.iter(f"{SVG}g") if g.get("transform")]
    dx, dy = re.fullmatch(r"translate\((\S+) (\S+)\)", layer.get("transform")).groups()
    return float(dx), float(dy)


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which always comes first."""
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def test_svg_parses_and_names_every_node(bin_map):
    root = parse(map_as_svg(bin_map))

    assert root.tag == f"{SVG}svg"
    nodes = titled(root, "node")
    assert set(nodes) == {str(node) for node in bin_map.nodes.all()}
    label = "".join(nodes["Kestrel Environmental"].find(f"{SVG}g/{SVG}text").itertext())
    assert label == "Kestrel Environmental"
    title = "".join(root.find(f"{SVG}text").itertext())
    assert title == "Waste data today"
    assert "Current state" in "".join(root.itertext())


def test_names_with_markup_characters_are_escaped(ecosystem_map):
    name = "A & B <x> \"quoted\" 'single'"
    actor_node(ecosystem_map, name, 0, 0)
    actor_node(ecosystem_map, "Report\x0b It", 300, 0)  # a vertical tab, as spreadsheets have
    ecosystem_map.title = "Bins & <bags>"
    ecosystem_map.save()

    svg = map_as_svg(ecosystem_map)

    assert "A &amp; B &lt;x&gt;" in svg
    root = parse(svg)
    assert set(titled(root, "node")) == {name, "Report It"}
    assert root.find(f"{SVG}title").text.startswith("Bins & <bags>")


def test_state_is_in_the_title(ecosystem_map):
    ecosystem_map.state = MapState.FUTURE
    ecosystem_map.save()
    actor_node(ecosystem_map, "Waste Services", 0, 0)

    root = parse(map_as_svg(ecosystem_map))

    assert "Future state" in root.find(f"{SVG}title").text


def test_flows_are_coloured_and_dashed_by_status(bin_map):
    root = parse(map_as_svg(bin_map))

    for status, style in FLOW_STYLES.items():
        for group in with_class(root, status):
            path = group.find(f"{SVG}path")
            assert path.get("stroke") == style["color"]
            assert path.get("stroke-dasharray") == (
                " ".join(str(step) for step in style["dash"]) or None
            )
    [blocked] = with_class(root, "blocked")
    assert blocked.find(f"{SVG}path").get("stroke") == "#c0392b"
    assert "Blocked (cost)" in blocked.find(f"{SVG}title").text


def test_arrow_heads_are_shaped_by_kind_and_coloured_by_status(bin_map):
    root = parse(map_as_svg(bin_map))
    [heads] = with_class(root, "arrow-heads")
    shapes = [(head.tag.removeprefix(SVG), head.get("fill")) for head in heads]

    # In the order of the exchanges: data, money (blocked), service, insight, data.
    assert [tag for tag, _ in shapes] == ["polygon", "polygon", "polygon", "circle", "polygon"]
    assert shapes[1][1] == FLOW_STYLES["blocked"]["color"]
    assert [len(head.get("points", "").split()) for head in heads] == [3, 4, 4, 0, 3]


def test_datasets_that_are_gaps_or_unidentified_are_hollow_and_dashed(bin_map):
    nodes = titled(parse(map_as_svg(bin_map)), "dataset")

    existing = nodes["Collection rounds"].find(f"{SVG}rect")
    gap = nodes["Missed bin causes"].find(f"{SVG}rect")
    unidentified = nodes["Bin fill levels"].find(f"{SVG}rect")
    assert existing.get("fill") == NODE_STYLES["dataset"]["fill"]
    assert existing.get("stroke-dasharray") is None
    assert gap.get("fill") == unidentified.get("fill") == DATASET_STATUS_STYLES["gap"]["fill"]
    assert gap.get("stroke-dasharray") == render.NODE_BORDER_DASH["dashed"]
    assert unidentified.get("stroke-dasharray") == render.NODE_BORDER_DASH["dotted"]


def test_node_shapes_follow_their_type(bin_map):
    nodes = titled(parse(map_as_svg(bin_map)), "node")

    assert nodes["Waste Services"].find(f"{SVG}circle") is not None
    assert nodes["Collection rounds"].find(f"{SVG}rect") is not None
    assert nodes["Report It"].find(f"{SVG}polygon") is not None
    assert "Steward" in nodes["Waste Services"].find(f"{SVG}title").text


def test_legend_explains_every_style_beside_the_drawing(bin_map):
    root = parse(map_as_svg(bin_map))
    [legend] = with_class(root, "legend")
    entries = {text.text for text in legend.iter(f"{SVG}text")}

    for styles in (NODE_STYLES, FLOW_STYLES, EXCHANGE_KIND_ARROWS):
        assert {style["label"] for style in styles.values()} <= entries
    assert DATASET_STATUS_STYLES["gap"]["label"] in entries
    assert DATASET_STATUS_STYLES["unidentified"]["label"] in entries

    box = legend.find(f"{SVG}rect")
    dx, _ = translation(root)
    rightmost = max(node.x for node in bin_map.nodes.all()) + dx + NODE_SIZE / 2
    assert float(box.get("x")) > rightmost
    assert float(box.get("x")) + float(box.get("width")) <= float(root.get("width"))


def test_picture_is_sized_to_the_drawing(bin_map):
    root = parse(map_as_svg(bin_map))
    width, height = float(root.get("width")), float(root.get("height"))
    dx, dy = translation(root)

    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    for node in bin_map.nodes.all():
        assert NODE_SIZE / 2 < node.x + dx < width - NODE_SIZE / 2
        assert NODE_SIZE / 2 < node.y + dy < height - NODE_SIZE / 2
    assert width < 1200 and height < 900  # no wasted space around a small map


def test_exchanges_end_at_the_node_border(ecosystem_map):
    source = actor_node(ecosystem_map, "Waste Services", 0, 0)
    target = actor_node(ecosystem_map, "Kestrel Environmental", 300, 0)
    Exchange.objects.create(map=ecosystem_map, source=source, target=target)

    root = parse(map_as_svg(ecosystem_map))

    [exchange] = with_class(root, "exchange")
    start, end = re.fullmatch(r"M (\S+),0 L (\S+),0", exchange.find(f"{SVG}path").get("d")).groups()
    [heads] = with_class(root, "arrow-heads")
    tip = heads[0].get("points").split()[0]
    border = NODE_SIZE / 2 + render.BORDER_WIDTH / 2 + 1
    assert float(start) == border
    assert tip == f"{300 - border:.0f},0"
    assert float(end) == 300 - border - render.ARROW_LENGTH["triangle"]


def test_exchanges_between_the_same_nodes_do_not_overlap(ecosystem_map):
    council = actor_node(ecosystem_map, "Waste Services", 0, 0)
    contractor = actor_node(ecosystem_map, "Kestrel Environmental", 400, 0)
    for source, target, kind in [
        (council, contractor, ExchangeKind.DATA),
        (contractor, council, ExchangeKind.MONEY),
        (council, contractor, ExchangeKind.SERVICE),
    ]:
        Exchange.objects.create(map=ecosystem_map, source=source, target=target, kind=kind)

    paths = [
        g.find(f"{SVG}path").get("d")
        for g in with_class(parse(map_as_svg(ecosystem_map)), "exchange")
    ]

    assert len(set(paths)) == 3
    assert sum(" Q " in path for path in paths) == 2  # fanned out around a straight middle one


def test_edge_labels_name_the_data_on_small_maps_only(ecosystem_map):
    council = actor_node(ecosystem_map, "Waste Services", 0, 0)
    contractor = actor_node(ecosystem_map, "Kestrel Environmental", 600, 0)
    rounds = Dataset.objects.create(
        workspace=ecosystem_map.project.workspace, identifier="rounds", title="Collection rounds"
    )
    Exchange.objects.create(map=ecosystem_map, source=council, target=contractor, dataset=rounds)
    Exchange.objects.create(
        map=ecosystem_map, source=contractor, target=council, kind=ExchangeKind.MONEY
    )

    [labels] = with_class(parse(map_as_svg(ecosystem_map)), "exchange-labels")
    assert {"".join(text.itertext()) for text in labels.iter(f"{SVG}text")} == {
        "Collection rounds",
        "Money",
    }

    Exchange.objects.bulk_create(
        Exchange(map=ecosystem_map, source=council, target=contractor)
        for _ in range(render.EDGE_LABEL_LIMIT)
    )
    assert with_class(parse(map_as_svg(ecosystem_map)), "exchange-labels") == []


def test_long_names_are_wrapped_on_two_lines_and_cut(ecosystem_map):
    name = "Riverton and Vale Combined Transport Authority Strategic Data and Insight Unit"
    actor_node(ecosystem_map, name, 0, 0)

    [node] = with_class(parse(map_as_svg(ecosystem_map)), "node")

    assert node.find(f"{SVG}title").text.startswith(name)
    lines = [tspan.text for tspan in node.find(f"{SVG}g/{SVG}text")]
    assert len(lines) == 2
    assert all(len(line) <= render.LABEL_CHARACTERS for line in lines)
    assert lines[0] == "Riverton and Vale"
    assert lines[1].endswith("…")


def test_labels_of_nodes_side_by_side_are_narrower(ecosystem_map):
    actor_node(ecosystem_map, "Data and Insight Team", 0, 0)
    actor_node(ecosystem_map, "Bin day live tracker", 110, 0)

    for node in with_class(parse(map_as_svg(ecosystem_map)), "node"):
        lines = [tspan.text for tspan in node.find(f"{SVG}g/{SVG}text")]
        assert len(lines) == 2
        assert all(render._text_width(line, render.LABEL_SIZE) <= 110 - 8 for line in lines)


def test_nodes_without_a_position_are_placed_first(ecosystem_map):
    nodes = [actor_node(ecosystem_map, name) for name in ("Waste Services", "Kestrel", "Residents")]
    Exchange.objects.create(map=ecosystem_map, source=nodes[0], target=nodes[1])

    root = parse(map_as_svg(ecosystem_map))

    assert not ecosystem_map.nodes.filter(x__isnull=True).exists()
    assert len(with_class(root, "node")) == 3


def test_an_empty_map_says_it_is_empty(ecosystem_map):
    root = parse(map_as_svg(ecosystem_map))

    assert "This map is empty." in "".join(root.itertext())
    assert with_class(root, "legend") == []
    assert png_size(map_as_png(ecosystem_map, scale=1)) == (
        int(root.get("width")),
        int(root.get("height")),
    )


@pytest.mark.parametrize("scale", [1.0, 2.0, 1.5])
def test_png_is_the_svg_at_the_scale_asked(bin_map, scale):
    root = parse(map_as_svg(bin_map))

    png = map_as_png(bin_map, scale=scale)

    assert png_size(png) == (
        round(int(root.get("width")) * scale),
        round(int(root.get("height")) * scale),
    )


def test_png_of_a_huge_map_is_scaled_down(bin_map, monkeypatch):
    monkeypatch.setattr(render, "MAX_PNG_SIDE", 400)
    width, height = png_size(map_as_png(bin_map, scale=2.0))
    assert max(width, height) == 400
