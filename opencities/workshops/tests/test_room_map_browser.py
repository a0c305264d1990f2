"""The map step of a live workshop in three Chromium windows against the real ASGI server: the
map editor in the room, saving through the websocket, and everyone's drawing following within
two seconds; then dot votes on the map's blocked flows and opportunities.

Like test_room_browser.py, the server runs as a subprocess (`opencities serve`) with its own
data folder, prepared by a script in the same environment."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from .live_server import PROJECT, prepare, query, running_server, server_env

pytestmark = pytest.mark.browser

SEEN_WITHIN = 2_000  # milliseconds

# A running workshop on its map step. The map: the waste team holds the bin lift data that
# transport needs, through a blocked flow (so also an opportunity), and sends reports to the
# council through an active one.
SETUP = (
    PROJECT
    + """
from opencities.inventory.models import Actor, Dataset
from opencities.maps.models import EcosystemMap, Exchange, Node

bins = EcosystemMap.objects.create(project=project, title="Waste data")

def node(name, x, y):
    actor = Actor.objects.create(workspace=workspace, name=name, sector="public")
    return Node.objects.create(map=bins, actor=actor, x=x, y=y)

waste, transport = node("Waste team", 0, 0), node("Transport", 320, 0)
council = node("Council", 160, 240)
lifts = Dataset.objects.create(
    workspace=workspace, identifier="lifts", title="Bin lifts", steward=waste.actor
)
blocked = Exchange.objects.create(
    map=bins, source=waste, target=transport, dataset=lifts, status="blocked",
    blocked_reasons=["legal"],
)
Exchange.objects.create(map=bins, source=waste, target=transport, dataset=lifts, status="proposed")
reports = Exchange.objects.create(map=bins, source=waste, target=council, kind="service")
workshop = agenda.create_workshop(
    project, title="Bins workshop", date=datetime.now(UTC), facilitator=fac
)
controls.open_for_joining(workshop)
controls.start(workshop)
browser = Client()
browser.force_login(fac)
print(json.dumps({
    "room": workshop.get_room_url(),
    "code": workshop.join_code,
    "session": browser.cookies["sessionid"].value,
    "map": bins.pk,
    "waste": waste.pk,
    "transport": transport.pk,
    "blocked": blocked.pk,
    "reports": reports.pk,
}))
"""
)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> tuple[Path, dict]:
    """A data folder with SETUP made in it, once for this file (migrating takes seconds)."""
    home = tmp_path_factory.mktemp("room-map") / "home"
    return home, prepare(server_env(home), SETUP)


@pytest.fixture
def server(prepared, tmp_path: Path) -> Iterator[tuple[str, dict, Path]]:
    """The real server on a free port with a copy of the prepared data, what the setup script
    made, and the data folder."""
    template, made = prepared
    home = tmp_path / "home"
    shutil.copytree(template, home)
    with running_server(server_env(home)) as url:
        yield url, made, home


def window(browser: Browser) -> Page:
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.set_default_timeout(10_000)
    return page


def on_the_map(page: Page) -> None:
    """The room is live and its map editor drawn."""
    expect(page.locator("#live-status")).to_have_text("Live")
    expect(page.locator("#map-editor")).to_have_attribute("data-state", "ready")


def join_as_guest(browser: Browser, url: str, code: str, name: str) -> Page:
    page = window(browser)
    page.goto(f"{url}/join/{code}/")
    page.locator("main input[name=display_name]").fill(name)
    page.get_by_role("button", name="Join the workshop").click()
    on_the_map(page)
    return page


def position(page: Page, node: int) -> dict:
    return page.evaluate("(id) => window.mapEditor.cy.getElementById(id).position()", f"n{node}")


def positions(page: Page) -> dict[str, list[float]]:
    return page.evaluate(
        "() => Object.fromEntries(window.mapEditor.cy.nodes().map("
        "(n) => [n.id(), [n.position().x, n.position().y]]))"
    )


def wait_for_node(page: Page, name: str, shown: bool) -> None:
    page.wait_for_function(
        "([name, shown]) => window.mapEditor.cy.nodes().some((n) => n.data('label') === name)"
        " === shown",
        arg=[name, shown],
        timeout=SEEN_WITHIN,
    )


def wait_for_position(page: Page, node: int, point: dict) -> None:
    page.wait_for_function(
        """([id, x, y]) => {
            const p = window.mapEditor.cy.getElementById(id).position();
            return Math.abs(p.x - x) < 0.5 && Math.abs(p.y - y) < 0.5;
        }""",
        arg=[f"n{node}", point["x"], point["y"]],
        timeout=SEEN_WITHIN,
    )


def test_the_map_step_is_drawn_and_edited_live_by_everyone(server, browser: Browser):
    url, made, home = server
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_cookies([{"name": "sessionid", "value": made["session"], "url": url}])
    fiona = context.new_page()
    fiona.set_default_timeout(10_000)
    fiona.goto(url + made["room"])
    on_the_map(fiona)
    gita = join_as_guest(browser, url, made["code"], "Gita")
    hamid = join_as_guest(browser, url, made["code"], "Hamid")
    everyone = (fiona, gita, hamid)
    assert fiona.evaluate("window.mapEditor.cy.nodes().length") == 3

    # A guest adds a node on the drawing; the others' graphs have it.
    gita.get_by_role("button", name="Add to the map").click()
    dialog = gita.get_by_role("dialog", name="Add to the map")
    dialog.get_by_label("Name").fill("Street sweepers")
    dialog.get_by_role("button", name="Add", exact=True).click()
    expect(dialog).to_be_hidden()
    for page in (fiona, hamid):
        wait_for_node(page, "Street sweepers", shown=True)
    # Her undo and redo go through the room too.
    gita.get_by_role("button", name="Undo").click()
    for page in (fiona, hamid):
        wait_for_node(page, "Street sweepers", shown=False)
    gita.get_by_role("button", name="Redo").click()
    for page in (fiona, hamid):
        wait_for_node(page, "Street sweepers", shown=True)
    assert query(home, "SELECT count(*) FROM maps_node WHERE map_id = ?", made["map"]) == [(4,)]

    # The facilitator drags a node; the guests see it where she dropped it, and what a guest
    # had selected stays selected.
    gita.evaluate(
        "(id) => { window.mapEditor.cy.getElementById(id).select(); }", "n" + str(made["transport"])
    )
    expect(gita.locator("#selection-body h3")).to_have_text("Transport")
    box = fiona.locator("#map-canvas").bounding_box()
    at = fiona.evaluate(
        "(id) => window.mapEditor.cy.getElementById(id).renderedPosition()", f"n{made['waste']}"
    )
    x, y = box["x"] + at["x"], box["y"] + at["y"]
    fiona.mouse.move(x, y)
    fiona.mouse.down()
    fiona.mouse.move(x + 60, y + 80, steps=8)
    fiona.mouse.up()
    expect(fiona.locator("#map-saved")).to_have_text("All changes saved.")
    dropped = position(fiona, made["waste"])
    assert dropped != {"x": 0, "y": 0}
    for page in (gita, hamid):
        wait_for_position(page, made["waste"], dropped)
    assert gita.evaluate("window.mapEditor.cy.$(':selected').map((n) => n.id())") == [
        f"n{made['transport']}"
    ]
    expect(gita.locator("#selection-body h3")).to_have_text("Transport")

    # Arranging the whole map moves every node in one operation, for everyone.
    fiona.get_by_role("button", name="Arrange automatically").click()
    expect(fiona.locator("#map-status")).to_have_text(
        "Map arranged and saved. Undo puts everything back."
    )
    arranged = positions(fiona)
    for page in (gita, hamid):
        for key, (x, y) in arranged.items():
            wait_for_position(page, int(key[1:]), {"x": x, "y": y})
    assert query(home, "SELECT count(*) FROM workshops_operation WHERE kind = 'nodes.move'") == [
        (1,)
    ]

    # A guest removes an exchange; it disappears for the others.
    reports = f"e{made['reports']}"
    hamid.evaluate("(id) => { window.mapEditor.cy.getElementById(id).select(); }", reports)
    hamid.locator("#selection-body").get_by_role("button", name="Remove exchange").click()
    expect(hamid.locator("#map-status")).to_have_text("Removed. Undo brings it back.")
    for page in everyone:
        page.wait_for_function(
            "(id) => window.mapEditor.cy.getElementById(id).empty()",
            arg=reports,
            timeout=SEEN_WITHIN,
        )
    assert query(home, "SELECT count(*) FROM maps_exchange WHERE id = ?", made["reports"]) == [(0,)]

    # Locked: the guests' drawing is read-only, the facilitator still edits.
    fiona.get_by_role("button", name="Lock editing").click()
    for page in (gita, hamid):
        expect(page.get_by_role("button", name="Add to the map")).to_be_hidden()
        page.wait_for_function("() => window.mapEditor.cy.autoungrabify()", timeout=SEEN_WITHIN)
    expect(fiona.get_by_role("button", name="Add to the map")).to_be_visible()
    assert fiona.evaluate("window.mapEditor.cy.autoungrabify()") is False
    fiona.get_by_role("button", name="Unlock editing").click()
    expect(gita.get_by_role("button", name="Add to the map")).to_be_visible()


def test_dot_votes_on_the_maps_blocked_flows_and_opportunities(server, browser: Browser):
    url, made, _home = server
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_cookies([{"name": "sessionid", "value": made["session"], "url": url}])
    fiona = context.new_page()
    fiona.set_default_timeout(10_000)
    fiona.goto(url + made["room"])
    on_the_map(fiona)
    gita = join_as_guest(browser, url, made["code"], "Gita")

    votes = fiona.locator("#live-votes")
    votes.get_by_label("Vote on").select_option("blocked_flows")
    votes.get_by_role("button", name="Open the vote").click()
    flow = gita.locator(f".vote-candidates li[data-target='{made['blocked']}']")
    expect(flow).to_contain_text("Waste team → Transport: Bin lifts")
    expect(gita.locator(".vote-candidates li")).to_have_count(1)  # the one blocked flow
    flow.get_by_role("button", name="+ dot").click()
    expect(fiona.locator(".vote-results li").first).to_have_text(
        "Waste team → Transport (data) — 1 dot", timeout=SEEN_WITHIN
    )
    expect(flow.locator(".dot-count")).to_have_text("1 dot")
    flow.get_by_role("button", name="\N{MINUS SIGN} dot").click()
    expect(fiona.locator(".vote-results li")).to_have_count(0, timeout=SEEN_WITHIN)
    votes.get_by_role("button", name="Close the vote").click()
    expect(gita.locator(".vote-candidates")).to_have_count(0, timeout=SEEN_WITHIN)

    votes.get_by_label("Vote on").select_option("opportunities")
    votes.get_by_role("button", name="Open the vote").click()
    opportunity = gita.locator(".vote-candidates li").filter(
        has_text="Transport could get Bin lifts"
    )
    opportunity.get_by_role("button", name="+ dot").click()
    expect(fiona.locator(".vote-results li").first).to_have_text(
        "Transport could get Bin lifts — 1 dot", timeout=SEEN_WITHIN
    )
