"""The drawing editor in Debian's Chromium: draw, block, undo, drag, reload."""

import pytest
from playwright.sync_api import expect

from opencities.inventory.models import Actor
from opencities.maps.models import EcosystemMap, Exchange, Node
from opencities.projects.models import Project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_actors(workspace, actor, dataset):
    project = Project.objects.create(workspace=workspace, title="Buses", challenge="Late buses")
    bus_map = EcosystemMap.objects.create(project=project, title="Bus data today")
    operator = Actor.objects.create(workspace=workspace, name="Riverton Buses")
    Node.objects.create(map=bus_map, actor=operator, roles=["steward"], x=0, y=0)
    Node.objects.create(map=bus_map, actor=actor, roles=["reuser"], x=400, y=0)
    return bus_map


def open_editor(page, url):
    page.goto(url)
    expect(page.locator("#map-editor")).to_have_attribute("data-state", "ready")


def node_point(page, node: Node) -> tuple[float, float]:
    """Where a node is drawn on the screen, for clicking and dragging it."""
    box = page.locator("#map-canvas").bounding_box()
    point = page.evaluate(
        "(id) => window.mapEditor.cy.getElementById(id).renderedPosition()", f"n{node.pk}"
    )
    return box["x"] + point["x"], box["y"] + point["y"]


def model_position(page, node: Node) -> dict:
    return page.evaluate("(id) => window.mapEditor.cy.getElementById(id).position()", f"n{node.pk}")


def test_draw_a_blocked_data_flow_see_the_finding_and_keep_the_layout(
    live_server, signed_in, editor, two_actors, dataset
):
    operator, department = two_actors.nodes.order_by("pk")
    page = signed_in(editor)
    open_editor(page, live_server.url + two_actors.get_absolute_url())
    expect(page.locator("#findings-list")).not_to_contain_text("blocked")

    page.get_by_role("button", name="Connect two nodes").click()
    page.mouse.click(*node_point(page, operator))
    page.mouse.click(*node_point(page, department))
    dialog = page.get_by_role("dialog", name="New exchange")
    expect(dialog).to_contain_text("From “Riverton Buses” to “Transport Department”")
    dialog.get_by_label("Dataset").fill(dataset.title)
    dialog.get_by_label("Status").select_option("blocked")
    dialog.get_by_label("Legal").check()
    dialog.get_by_label("Blocked note").fill("No data sharing agreement yet.")
    dialog.get_by_role("button", name="Save exchange").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#findings-list")).to_contain_text("1 flow is blocked for legal reasons")
    flow = Exchange.objects.get()
    assert (flow.source, flow.target, flow.dataset) == (operator, department, dataset)
    assert (flow.status, flow.blocked_reasons) == ("blocked", ["legal"])

    # Clicking the finding highlights the flow it is about.
    page.get_by_role("button", name="1 flow is blocked for legal reasons").click()
    assert page.evaluate(f"window.mapEditor.cy.getElementById('e{flow.pk}').hasClass('highlight')")
    page.get_by_role("button", name="1 flow is blocked for legal reasons").click()

    x, y = node_point(page, department)
    with page.expect_response(lambda r: r.url.endswith("/api/positions/")) as saved:
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + 40, y + 60, steps=8)
        page.mouse.up()
    assert saved.value.ok
    expect(page.locator("#map-saved")).to_have_text("All changes saved.")
    department.refresh_from_db()
    dragged = (department.x, department.y)
    assert dragged != (400, 0)

    page.reload()
    open_editor(page, live_server.url + two_actors.get_absolute_url())
    assert model_position(page, department) == {"x": dragged[0], "y": dragged[1]}
    assert model_position(page, operator) == {"x": 0, "y": 0}
    expect(page.locator("#findings-list")).to_contain_text("1 flow is blocked for legal reasons")


def test_add_a_new_actor_then_undo_and_redo(live_server, signed_in, editor, two_actors, workspace):
    page = signed_in(editor)
    open_editor(page, live_server.url + two_actors.get_absolute_url())
    page.get_by_role("button", name="Add to the map").click()
    dialog = page.get_by_role("dialog", name="Add to the map")
    dialog.get_by_label("Name").fill("Northbank Residents")
    dialog.get_by_label("Beneficiary or affected party").check()
    dialog.get_by_role("button", name="Add").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#selection-body")).to_contain_text("Northbank Residents")
    actor = Actor.objects.get(workspace=workspace, name="Northbank Residents")
    assert Node.objects.get(map=two_actors, actor=actor).roles == ["beneficiary"]

    page.get_by_role("button", name="Undo").click()
    expect(page.locator("#map-status")).to_have_text("Undone: adding “Northbank Residents”.")
    assert not Node.objects.filter(map=two_actors, actor=actor).exists()
    page.keyboard.press("Control+Shift+Z")
    expect(page.locator("#map-status")).to_have_text("Redone: adding “Northbank Residents”.")
    node = Node.objects.get(map=two_actors, actor=actor)
    assert node.roles == ["beneficiary"] and node.x is not None
    assert page.evaluate(f"window.mapEditor.cy.getElementById('n{node.pk}').length") == 1


def test_a_viewer_sees_the_drawing_but_no_tools(live_server, signed_in, viewer, two_actors):
    page = signed_in(viewer)
    open_editor(page, live_server.url + two_actors.get_absolute_url())
    expect(page.get_by_role("button", name="Show all")).to_be_visible()
    expect(page.get_by_role("button", name="Add to the map")).to_have_count(0)
    expect(page.get_by_role("button", name="Connect two nodes")).to_have_count(0)
    assert page.evaluate("window.mapEditor.cy.autoungrabify()") is True
