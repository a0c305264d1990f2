"""The JSON routes the map editor saves through: what they accept, what they refuse, and that a
refusal changes nothing."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from opencities.inventory.models import Actor, Dataset
from opencities.maps.models import EcosystemMap, Exchange, Node
from opencities.projects.models import Project


@pytest.fixture
def project(workspace):
    return Project.objects.create(workspace=workspace, title="Bins", challenge="Missed bins")


@pytest.fixture
def bin_map(project, actor, dataset):
    ecosystem_map = EcosystemMap.objects.create(project=project, title="Waste data today")
    council = Node.objects.create(map=ecosystem_map, actor=actor, roles=["steward"], x=0, y=0)
    data = Node.objects.create(map=ecosystem_map, dataset=dataset, x=200, y=0)
    Exchange.objects.create(map=ecosystem_map, source=data, target=council, dataset=dataset)
    return ecosystem_map


def api(name, ecosystem_map, *extra):
    project = ecosystem_map.project
    return reverse(name, args=[project.workspace.slug, project.pk, ecosystem_map.pk, *extra])


def send(client, method, url, body=None):
    payload = body if isinstance(body, str | bytes) else json.dumps(body or {})
    return getattr(client, method)(url, payload, content_type="application/json")


def snapshot(ecosystem_map):
    """Everything a refused change must leave as it was."""
    return (
        list(Node.objects.filter(map=ecosystem_map).values().order_by("pk")),
        list(Exchange.objects.filter(map=ecosystem_map).values().order_by("pk")),
        Actor.objects.count(),
        Dataset.objects.count(),
    )


def test_the_map_loads_with_every_node_placed(client, viewer, bin_map, workspace):
    unplaced = Node.objects.create(
        map=bin_map, actor=Actor.objects.create(workspace=workspace, name="Crews")
    )
    client.force_login(viewer)
    data = client.get(api("maps:api_map", bin_map)).json()
    assert data["map"]["can_edit"] is False
    assert {n["name"] for n in data["nodes"]} == {"Transport Department", "Bus stops", "Crews"}
    assert all(n["x"] is not None and n["y"] is not None for n in data["nodes"])
    unplaced.refresh_from_db()
    assert unplaced.x is not None  # saved, so the next visit and the pictures agree
    assert data["exchanges"][0]["dataset"] == "Bus stops"


def test_every_route_checks_workspace_and_role(client, people, bin_map):
    node = bin_map.nodes.get(actor__isnull=False)
    exchange = bin_map.exchanges.get()
    reads = [
        api("maps:api_map", bin_map),
        api("maps:api_findings", bin_map),
        api("maps:api_inventory", bin_map),
    ]
    changes = [
        ("post", api("maps:api_nodes", bin_map), {"type": "actor", "name": "New"}),
        ("patch", api("maps:api_node", bin_map, node.pk), {"x": 5}),
        ("delete", api("maps:api_node", bin_map, node.pk), None),
        (
            "post",
            api("maps:api_positions", bin_map),
            {"positions": [{"id": node.pk, "x": 1, "y": 1}]},
        ),
        ("post", api("maps:api_exchanges", bin_map), {"source": node.pk, "target": node.pk}),
        ("patch", api("maps:api_exchange", bin_map, exchange.pk), {"status": "proposed"}),
        ("delete", api("maps:api_exchange", bin_map, exchange.pk), None),
    ]
    before = snapshot(bin_map)
    anonymous = Client()
    for url in reads:
        assert anonymous.get(url).status_code == 401
    for method, url, body in changes:
        assert send(anonymous, method, url, body).status_code == 401

    client.force_login(people["outsider"])
    for url in reads:
        assert client.get(url).status_code == 404
    for method, url, body in changes:
        assert send(client, method, url, body).status_code == 404

    client.force_login(people["viewer"])
    for url in reads:
        assert client.get(url).status_code == 200
    for method, url, body in changes:
        response = send(client, method, url, body)
        assert response.status_code == 403
        assert "role" in response.json()["message"]
    assert snapshot(bin_map) == before


def test_a_forged_request_without_the_csrf_token_is_refused(editor, bin_map):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    before = snapshot(bin_map)
    response = send(client, "post", api("maps:api_nodes", bin_map), {"type": "actor", "name": "X"})
    assert response.status_code == 403
    assert snapshot(bin_map) == before


def test_add_a_node_from_the_inventory_or_by_a_new_name(client, editor, bin_map, workspace):
    client.force_login(editor)
    crews = Actor.objects.create(workspace=workspace, name="Collection crews")
    response = send(
        client,
        "post",
        api("maps:api_nodes", bin_map),
        {"type": "actor", "inventory_id": crews.pk, "roles": ["reuser"], "x": 10.5, "y": -4},
    )
    assert response.status_code == 201
    node = Node.objects.get(map=bin_map, actor=crews)
    assert (node.roles, node.x, node.y) == (["reuser"], 10.5, -4.0)
    assert response.json()["id"] == node.pk

    response = send(
        client,
        "post",
        api("maps:api_nodes", bin_map),
        {"type": "technology", "name": "Bin sensors"},
    )
    assert response.status_code == 201
    assert workspace.technologies.filter(name="Bin sensors").exists()


def test_a_refused_node_says_why_and_changes_nothing(client, editor, bin_map, other_workspace):
    client.force_login(editor)
    foreign = Actor.objects.create(workspace=other_workspace, name="Elsewhere Council")
    before = snapshot(bin_map)
    cases = [
        ({"type": "actor", "inventory_id": foreign.pk}, f"No actor with id {foreign.pk}"),
        ({"type": "actor", "name": "Transport Department"}, "already on this map"),
        ({"type": "dataset", "name": "Fly-tipping", "roles": ["reuser"]}, "Only actors"),
        ({"type": "actor", "name": "Someone", "x": "left"}, "x must be a number"),
        ({"type": "actor", "name": "Someone", "colour": "red"}, "Unknown field: colour"),
        ({"type": "planet", "name": "Mars"}, "planet"),
        ({"type": "actor", "inventory_id": "7"}, "whole number"),
    ]
    for body, message in cases:
        response = send(client, "post", api("maps:api_nodes", bin_map), body)
        assert response.status_code == 400, body
        assert message in response.json()["message"] + json.dumps(response.json()["errors"]), body
    response = send(client, "post", api("maps:api_nodes", bin_map), "{not json")
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["message"]
    assert snapshot(bin_map) == before


def test_change_roles_and_position_of_a_node(client, editor, bin_map):
    client.force_login(editor)
    node = bin_map.nodes.get(actor__isnull=False)
    url = api("maps:api_node", bin_map, node.pk)
    response = send(client, "patch", url, {"roles": ["reuser", "steward"], "x": 33})
    assert response.status_code == 200
    node.refresh_from_db()
    assert (node.roles, node.x, node.y) == (["steward", "reuser"], 33.0, 0.0)
    before = snapshot(bin_map)
    assert send(client, "patch", url, {"roles": ["king"]}).status_code == 400
    assert send(client, "patch", url, {"roles": "steward"}).status_code == 400
    assert send(client, "patch", url, {"y": float("inf")}).status_code == 400
    dataset_node = bin_map.nodes.get(dataset__isnull=False)
    response = send(
        client, "patch", api("maps:api_node", bin_map, dataset_node.pk), {"roles": ["steward"]}
    )
    assert response.status_code == 400
    assert snapshot(bin_map) == before


def test_positions_are_saved_together_or_not_at_all(client, editor, bin_map, project, actor):
    client.force_login(editor)
    first, second = bin_map.nodes.order_by("pk")
    url = api("maps:api_positions", bin_map)
    positions = [{"id": first.pk, "x": 1, "y": 2}, {"id": second.pk, "x": 3, "y": 4}]
    assert send(client, "post", url, {"positions": positions}).json() == {"saved": 2}
    assert list(bin_map.nodes.order_by("pk").values_list("x", "y")) == [(1, 2), (3, 4)]

    elsewhere = EcosystemMap.objects.create(project=project, title="Another map")
    stranger = Node.objects.create(map=elsewhere, actor=actor, x=0, y=0)
    before = snapshot(bin_map)
    positions = [{"id": first.pk, "x": 50, "y": 50}, {"id": stranger.pk, "x": 9, "y": 9}]
    response = send(client, "post", url, {"positions": positions})
    assert response.status_code == 400
    assert str(stranger.pk) in response.json()["message"]
    assert snapshot(bin_map) == before
    stranger.refresh_from_db()
    assert (stranger.x, stranger.y) == (0, 0)
    assert send(client, "post", url, {"positions": [{"id": first.pk, "x": 1}]}).status_code == 400


def test_draw_block_and_remove_a_flow(client, editor, bin_map, workspace):
    client.force_login(editor)
    council = bin_map.nodes.get(actor__isnull=False)
    residents = Node.objects.create(
        map=bin_map, actor=Actor.objects.create(workspace=workspace, name="Residents"), x=5, y=5
    )
    dataset = bin_map.nodes.get(dataset__isnull=False).dataset
    url = api("maps:api_exchanges", bin_map)
    flow = {
        "source": council.pk,
        "target": residents.pk,
        "dataset": dataset.pk,
        "status": "blocked",
    }
    before = snapshot(bin_map)
    response = send(client, "post", url, flow)
    assert response.status_code == 400
    assert "blocked_reasons" in response.json()["errors"]
    assert snapshot(bin_map) == before

    response = send(
        client, "post", url, {**flow, "blocked_reasons": ["legal"], "blocked_note": "No DSA"}
    )
    assert response.status_code == 201
    exchange = Exchange.objects.get(pk=response.json()["id"])
    assert (exchange.status, exchange.blocked_reasons, exchange.dataset) == (
        "blocked",
        ["legal"],
        dataset,
    )

    findings = client.get(api("maps:api_findings", bin_map)).json()["findings"]
    blocked = [f for f in findings if f["kind"] == "blocked_flows"]
    assert blocked and exchange.pk in blocked[0]["exchanges"]
    assert {council.pk, residents.pk} <= set(blocked[0]["nodes"])

    change = api("maps:api_exchange", bin_map, exchange.pk)
    response = send(
        client, "patch", change, {"status": "active", "blocked_reasons": [], "blocked_note": ""}
    )
    assert response.status_code == 200
    exchange.refresh_from_db()
    assert (exchange.status, exchange.blocked_reasons, exchange.mechanism) == ("active", [], "")
    assert (
        send(client, "patch", change, {"kind": "money"}).status_code == 400
    )  # money names no dataset
    assert send(client, "patch", change, {"source": 10**9}).status_code == 400

    assert send(client, "delete", change).json()["exchange"]["id"] == exchange.pk
    assert not Exchange.objects.filter(pk=exchange.pk).exists()
    assert send(client, "delete", change).status_code == 404


def test_removing_a_node_returns_what_undo_needs(client, editor, bin_map):
    client.force_login(editor)
    node = bin_map.nodes.get(actor__isnull=False)
    response = send(client, "delete", api("maps:api_node", bin_map, node.pk))
    data = response.json()
    assert data["node"]["roles"] == ["steward"] and data["node"]["inventory_id"] == node.actor_id
    assert [e["target"] for e in data["exchanges"]] == [node.pk]
    assert not bin_map.exchanges.exists()


def test_inventory_search_marks_what_is_on_the_map(
    client, viewer, bin_map, workspace, other_workspace
):
    Actor.objects.create(workspace=workspace, name="Transit Authority")
    Actor.objects.create(workspace=other_workspace, name="Transit Elsewhere")
    client.force_login(viewer)
    results = client.get(
        api("maps:api_inventory", bin_map), {"q": "trans", "kind": "actor"}
    ).json()["results"]
    assert [(r["name"], r["on_map"]) for r in results] == [
        ("Transit Authority", False),
        ("Transport Department", True),
    ]
