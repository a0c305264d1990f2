"""The JSON routes the room's map editor reads (`room_api.py`): the current map's findings and
inventory suggestions, for the room's participants only, and for a guest nothing of the
workspace beyond the map."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from opencities.inventory.models import Actor, Dataset
from opencities.maps.findings import FindingKind, analyse
from opencities.maps.models import Exchange, FlowStatus, Node
from opencities.workshops import agenda, controls, join
from opencities.workshops.votes import opportunity_key

from .conftest import NOON, join_as_guest

ROUTES = ["workshops:room_map_findings", "workshops:room_map_inventory"]


def address(name: str, workshop) -> str:
    return reverse(name, args=[workshop.room])


@pytest.fixture
def needs_lifts(bin_map, workspace):
    """Transport needs the bin lift data the waste team holds: a blocked flow, an opportunity;
    and a dataset of the inventory that is not on the map."""
    waste = Actor.objects.create(workspace=workspace, name="Waste team", sector="public")
    transport = Actor.objects.create(workspace=workspace, name="Transport", sector="public")
    lifts = Dataset.objects.create(
        workspace=workspace, identifier="lifts", title="Bin lifts", steward=waste
    )
    Dataset.objects.create(workspace=workspace, identifier="budget", title="Bin budget")
    waste_node = Node.objects.create(map=bin_map, actor=waste)
    transport_node = Node.objects.create(map=bin_map, actor=transport)
    for status in (FlowStatus.BLOCKED, FlowStatus.PROPOSED):
        Exchange.objects.create(
            map=bin_map, source=waste_node, target=transport_node, dataset=lifts, status=status
        )
    return bin_map


def test_a_guest_reads_the_findings_of_the_current_map(running_workshop, needs_lifts):
    guest = join_as_guest(running_workshop)
    answer = guest.get(address("workshops:room_map_findings", running_workshop))

    assert answer.status_code == 200
    data = answer.json()
    assert data["map"] == needs_lifts.pk
    kinds = [finding["kind"] for finding in data["findings"]]
    assert FindingKind.BLOCKED_FLOWS in kinds
    [opportunity] = [f for f in analyse(needs_lifts) if f.kind == FindingKind.OPPORTUNITY]
    [listed] = [f for f in data["findings"] if f["kind"] == FindingKind.OPPORTUNITY]
    assert listed["key"] == opportunity_key(needs_lifts.pk, opportunity)
    assert listed["title"] == "Transport could get Bin lifts"
    assert all("key" not in f for f in data["findings"] if f["kind"] != FindingKind.OPPORTUNITY)


def test_a_step_without_a_map_has_no_findings(running_workshop, needs_lifts):
    guest = join_as_guest(running_workshop)
    controls.next_step(running_workshop)
    for name in ROUTES:
        data = guest.get(address(name, running_workshop)).json()
        assert data.get("findings", data.get("results")) == []


def test_a_guest_is_offered_only_what_is_on_the_map(running_workshop, needs_lifts):
    guest = join_as_guest(running_workshop)
    route = address("workshops:room_map_inventory", running_workshop)

    datasets = guest.get(route, {"q": "bin", "kind": "dataset"}).json()["results"]
    actors = guest.get(route, {"q": "", "kind": "actor"}).json()["results"]

    assert [(r["name"], r["on_map"]) for r in datasets] == [("Bin lifts", False)]
    assert sorted(r["name"] for r in actors) == ["Transport", "Waste team"]


def test_a_member_is_offered_the_whole_inventory(running_workshop, needs_lifts, editor):
    browser = Client()
    browser.force_login(editor)
    join.join_member(running_workshop, editor)
    route = address("workshops:room_map_inventory", running_workshop)

    datasets = browser.get(route, {"q": "bin", "kind": "dataset"}).json()["results"]

    assert [r["name"] for r in datasets] == ["Bin budget", "Bin lifts"]


def test_the_facilitator_reads_before_joining(running_workshop, needs_lifts, editor):
    browser = Client()
    browser.force_login(editor)
    answer = browser.get(address("workshops:room_map_findings", running_workshop))
    assert answer.status_code == 200 and answer.json()["map"] == needs_lifts.pk


@pytest.mark.parametrize("name", ROUTES)
def test_anyone_who_has_not_joined_gets_404(
    running_workshop, needs_lifts, project, viewer, outsider, editor, name
):
    other = agenda.create_workshop(project, title="Other", date=NOON, facilitator=editor)
    controls.open_for_joining(other)
    guest_elsewhere = join_as_guest(other, "Ines")
    anonymous = Client()
    strangers = [anonymous, guest_elsewhere]
    for user in (viewer, outsider):  # a member not in the room, someone of another city
        browser = Client()
        browser.force_login(user)
        strangers.append(browser)

    for browser in strangers:
        answer = browser.get(address(name, running_workshop), {"q": "bin"})
        assert answer.status_code == 404
        assert "Bin" not in answer.content.decode()
    unknown = reverse(name, args=[uuid.uuid4()])
    assert join_as_guest(running_workshop).get(unknown).status_code == 404
