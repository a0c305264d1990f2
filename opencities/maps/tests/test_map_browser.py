"""The map's table view in Debian's Chromium: mark a flow blocked and read the finding."""

import pytest
from playwright.sync_api import expect

from opencities.maps.models import EcosystemMap, Exchange, Node
from opencities.projects.models import Project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_block_a_flow_with_a_reason_and_see_the_finding(
    live_server, signed_in, editor, workspace, actor, dataset
):
    project = Project.objects.create(workspace=workspace, title="Buses", challenge="Late buses")
    bus_map = EcosystemMap.objects.create(project=project, title="Bus data today")
    holder = Node.objects.create(map=bus_map, dataset=dataset)
    user = Node.objects.create(map=bus_map, actor=actor, roles=["reuser"])
    Exchange.objects.create(map=bus_map, source=holder, target=user, dataset=dataset)

    page = signed_in(editor)
    page.goto(live_server.url + bus_map.get_absolute_url())
    expect(page.locator("#findings-heading")).to_be_visible()
    expect(page.get_by_text("blocked for legal reasons")).to_have_count(0)

    page.get_by_role(
        "link", name="Edit the exchange from Bus stops to Transport Department"
    ).click()
    page.get_by_label("Status").select_option("blocked")
    page.get_by_role("button", name="Save exchange").click()
    expect(page.get_by_role("alert").or_(page.locator(".errorlist"))).to_contain_text("reason")

    page.get_by_label("Legal").check()
    page.get_by_label("Blocked note").fill("No data sharing agreement yet.")
    page.get_by_role("button", name="Save exchange").click()
    expect(page.get_by_text("1 flow is blocked for legal reasons", exact=True)).to_be_visible()
    flow = Exchange.objects.get()
    assert (flow.status, flow.blocked_reasons) == ("blocked", ["legal"])
