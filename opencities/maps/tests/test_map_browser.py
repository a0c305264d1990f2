"""The map's table view in Debian's Chromium: edit a flow by keyboard alone and read the finding."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from opencities.maps.models import EcosystemMap, Exchange, Node
from opencities.projects.models import Project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_table_view_edits_a_flow_by_keyboard(
    live_server, signed_in, editor, workspace, actor, dataset
):
    project = Project.objects.create(workspace=workspace, title="Buses", challenge="Late buses")
    bus_map = EcosystemMap.objects.create(project=project, title="Bus data today")
    holder = Node.objects.create(map=bus_map, dataset=dataset)
    user = Node.objects.create(map=bus_map, actor=actor, roles=["reuser"])
    Exchange.objects.create(map=bus_map, source=holder, target=user, dataset=dataset)

    page = signed_in(editor)
    page.goto(
        live_server.url + reverse("maps:map_table", args=[workspace.slug, project.pk, bus_map.pk])
    )
    expect(page.locator("#findings-heading")).to_be_visible()
    expect(page.get_by_text("blocked for legal reasons")).to_have_count(0)

    # Keyboard only from here: focus moves with Tab, choices with the arrow keys and Space.
    page.get_by_role(
        "link", name="Edit the exchange from Bus stops to Transport Department"
    ).focus()
    page.keyboard.press("Enter")
    status = page.get_by_label("Status")
    status.focus()
    status.press("End")  # the last status, “Potential”, then up one to “Proposed”…
    status.press("ArrowUp")
    status.press("ArrowUp")  # …and one more to “Blocked”
    assert status.input_value() == "blocked"
    page.get_by_role("button", name="Save exchange").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert").or_(page.locator(".errorlist"))).to_contain_text("reason")

    page.get_by_label("Legal").focus()
    page.keyboard.press("Space")
    page.get_by_label("Blocked note").focus()
    page.keyboard.type("No data sharing agreement yet.")
    page.get_by_role("button", name="Save exchange").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("1 flow is blocked for legal reasons", exact=True)).to_be_visible()
    flow = Exchange.objects.get()
    assert (flow.status, flow.blocked_reasons) == ("blocked", ["legal"])
    assert flow.blocked_note == "No data sharing agreement yet."
