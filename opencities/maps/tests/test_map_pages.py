import pytest
from django.urls import reverse

from opencities.inventory.models import Actor, Dataset, Technology
from opencities.maps.copying import copy_as_future
from opencities.maps.models import EcosystemMap, Exchange, MapState, Node
from opencities.projects.models import Project


@pytest.fixture
def project(workspace):
    return Project.objects.create(workspace=workspace, title="Bins", challenge="Missed bins")


@pytest.fixture
def bin_map(project, actor, dataset):
    ecosystem_map = EcosystemMap.objects.create(project=project, title="Waste data today")
    council = Node.objects.create(map=ecosystem_map, actor=actor, roles=["steward"])
    data = Node.objects.create(map=ecosystem_map, dataset=dataset)
    Exchange.objects.create(map=ecosystem_map, source=data, target=council, dataset=dataset)
    return ecosystem_map


def map_url(name, ecosystem_map, *extra):
    project = ecosystem_map.project
    return reverse(name, args=[project.workspace.slug, project.pk, ecosystem_map.pk, *extra])


def test_adding_a_new_name_creates_its_inventory_record(client, editor, bin_map, workspace):
    client.force_login(editor)
    response = client.post(
        map_url("maps:node_create", bin_map),
        {"kind": "actor", "existing": "Riverside Residents", "roles": ["beneficiary"]},
    )
    assert response.status_code == 302
    actor = Actor.objects.get(workspace=workspace, name="Riverside Residents")
    assert Node.objects.get(map=bin_map, actor=actor).roles == ["beneficiary"]
    client.post(map_url("maps:node_create", bin_map), {"kind": "technology", "existing": "Bin app"})
    assert Technology.objects.filter(workspace=workspace, name="Bin app").exists()


def test_an_existing_record_is_reused_not_duplicated(client, editor, bin_map, workspace):
    client.force_login(editor)
    other = Actor.objects.create(workspace=workspace, name="Waste Contractor")
    client.post(
        map_url("maps:node_create", bin_map), {"kind": "actor", "existing": "waste contractor"}
    )
    assert Node.objects.get(map=bin_map, actor=other)
    assert Actor.objects.filter(workspace=workspace, name__iexact="waste contractor").count() == 1
    response = client.post(
        map_url("maps:node_create", bin_map), {"kind": "actor", "existing": "Waste Contractor"}
    )
    assert response.status_code == 400  # already on the map


def test_roles_only_for_actors(client, editor, bin_map):
    client.force_login(editor)
    response = client.post(
        map_url("maps:node_create", bin_map),
        {"kind": "dataset", "existing": "Fly-tipping reports", "roles": ["reuser"]},
    )
    assert response.status_code == 400
    assert not Dataset.objects.filter(title="Fly-tipping reports").exists()


def test_a_blocked_flow_needs_a_reason(client, editor, bin_map):
    client.force_login(editor)
    council, data = bin_map.nodes.order_by("pk")
    form = {"source": council.pk, "target": data.pk, "kind": "data", "status": "blocked"}
    response = client.post(map_url("maps:exchange_create", bin_map), form)
    assert response.status_code == 400
    assert bin_map.exchanges.count() == 1
    form["blocked_reasons"] = ["legal", "trust"]
    assert client.post(map_url("maps:exchange_create", bin_map), form).status_code == 302
    assert bin_map.exchanges.get(status="blocked").blocked_reasons == ["legal", "trust"]


def test_an_exchange_cannot_use_a_node_of_another_map(client, editor, bin_map, project, actor):
    other_map = EcosystemMap.objects.create(project=project, title="Other")
    stranger = Node.objects.create(map=other_map, actor=actor)
    council = bin_map.nodes.get(actor=actor)
    client.force_login(editor)
    response = client.post(
        map_url("maps:exchange_create", bin_map),
        {"source": council.pk, "target": stranger.pk, "kind": "money", "status": "active"},
    )
    assert response.status_code == 400
    assert bin_map.exchanges.count() == 1


def test_edit_an_exchange_and_remove_a_node(client, editor, bin_map):
    client.force_login(editor)
    exchange = bin_map.exchanges.get()
    data = {
        "source": exchange.source_id,
        "target": exchange.target_id,
        "kind": "data",
        "dataset": exchange.dataset_id,
        "mechanism": "api",
        "status": "active",
        "frequency": "daily",
    }
    assert (
        client.post(map_url("maps:exchange_update", bin_map, exchange.pk), data).status_code == 302
    )
    exchange.refresh_from_db()
    assert (exchange.mechanism, exchange.frequency) == ("api", "daily")
    client.post(map_url("maps:node_delete", bin_map, exchange.source_id))
    assert bin_map.exchanges.count() == 0  # its exchanges went with it


def test_future_state_starts_as_a_copy(bin_map):
    future = copy_as_future(bin_map)
    assert future.state == MapState.FUTURE and future.based_on == bin_map
    assert future.nodes.count() == bin_map.nodes.count()
    copied = future.exchanges.get()
    assert copied.source.map == future and copied.dataset == bin_map.exchanges.get().dataset
    steward = future.nodes.get(actor=bin_map.nodes.get(actor__isnull=False).actor)
    assert steward.roles == ["steward"]


@pytest.mark.parametrize(
    "who,read,edit,changes",
    [
        ("anonymous", 302, 302, False),
        ("outsider", 404, 404, False),
        ("viewer", 200, 403, False),
        ("editor", 200, 302, True),
    ],
)
def test_who_may_see_and_change_a_map(client, people, bin_map, who, read, edit, changes):
    if who != "anonymous":
        client.force_login(people[who])
    assert client.get(bin_map.get_absolute_url()).status_code == read
    assert client.get(map_url("maps:map_table", bin_map)).status_code == read
    node = bin_map.nodes.first()
    before = bin_map.nodes.count()
    response = client.post(map_url("maps:node_delete", bin_map, node.pk))
    assert response.status_code == edit
    assert bin_map.nodes.count() == (before - 1 if changes else before)


def test_a_map_of_another_workspace_is_not_found(client, editor, other_workspace, workspace):
    theirs = Project.objects.create(workspace=other_workspace, title="Theirs", challenge="x")
    their_map = EcosystemMap.objects.create(project=theirs, title="Secret map")
    client.force_login(editor)
    url = reverse("maps:map_detail", args=[workspace.slug, theirs.pk, their_map.pk])
    assert client.get(url).status_code == 404


def test_analyse_command_prints_findings_and_json(bin_map, capsys):
    import json

    from opencities.cli import main

    Node.objects.create(
        map=bin_map, actor=Actor.objects.create(workspace=bin_map.workspace, name="Loner")
    )
    assert main(["analyse", "--workspace", "testford", "--map", str(bin_map.pk)]) == 0
    out = capsys.readouterr().out
    assert "Loner" in out
    assert main(["analyse", "--workspace", "testford", "--map", str(bin_map.pk), "--json"]) == 0
    kinds = {f["kind"] for f in json.loads(capsys.readouterr().out)}
    assert "isolated_node" in kinds
    assert main(["analyse", "--workspace", "elsewhere", "--map", str(bin_map.pk)]) == 2


def test_map_downloads_as_json_and_graphml(client, viewer, bin_map):
    import io

    import networkx as nx

    client.force_login(viewer)
    data = client.get(map_url("maps:map_export", bin_map, "json")).json()
    assert data["map"]["title"] == "Waste data today"
    assert {n["name"] for n in data["nodes"]} == {"Transport Department", "Bus stops"}
    [flow] = data["exchanges"]
    assert (flow["dataset"], flow["status"]) == ("Bus stops", "active")

    response = client.get(map_url("maps:map_export", bin_map, "graphml"))
    assert 'filename="waste-data-today.graphml"' in response["Content-Disposition"]
    graph = nx.read_graphml(io.BytesIO(response.content), force_multigraph=True)
    assert graph.number_of_nodes() == 2 and graph.number_of_edges() == 1
    assert {graph.nodes[n]["type"] for n in graph} == {"actor", "dataset"}
    assert client.get(map_url("maps:map_export", bin_map, "pdf")).status_code == 404


def test_outsiders_cannot_download_a_map(client, outsider, bin_map):
    client.force_login(outsider)
    assert client.get(map_url("maps:map_export", bin_map, "json")).status_code == 404


def map_urls(bin_map):
    """Every map URL, with what a POST to it would send when it changes something."""
    project = bin_map.project
    council = bin_map.nodes.get(actor__isnull=False)
    data = bin_map.nodes.get(dataset__isnull=False)
    exchange = bin_map.exchanges.get()
    new_flow = {"source": council.pk, "target": data.pk, "kind": "money", "status": "active"}
    return [
        (
            reverse("maps:map_create", args=[project.workspace.slug, project.pk]),
            {"title": "M2", "state": "current"},
        ),
        (map_url("maps:map_update", bin_map), {"title": "Renamed", "state": "current"}),
        (map_url("maps:map_future", bin_map), {}),
        (map_url("maps:node_create", bin_map), {"kind": "actor", "existing": "Newcomer"}),
        (map_url("maps:node_update", bin_map, council.pk), {"roles": ["reuser"]}),
        (map_url("maps:exchange_create", bin_map), new_flow),
        (map_url("maps:exchange_update", bin_map, exchange.pk), {**new_flow, "kind": "service"}),
        (map_url("maps:exchange_delete", bin_map, exchange.pk), {}),
        (map_url("maps:map_delete", bin_map), {}),
    ]


def snapshot(bin_map):
    return (
        EcosystemMap.objects.count(),
        list(EcosystemMap.objects.values_list("title", flat=True).order_by("pk")),
        list(Node.objects.values_list("pk", "roles").order_by("pk")),
        list(Exchange.objects.values_list("pk", "kind").order_by("pk")),
    )


@pytest.mark.parametrize("who,status", [("anonymous", 302), ("outsider", 404), ("viewer", 403)])
def test_no_map_url_changes_anything_for_people_without_the_right(
    client, people, bin_map, who, status
):
    if who != "anonymous":
        client.force_login(people[who])
    before = snapshot(bin_map)
    for url, data in map_urls(bin_map):
        response = client.post(url, data)
        assert response.status_code == status, url
        if status == 302:
            assert reverse("login") in response["Location"]
    assert snapshot(bin_map) == before


def test_every_map_url_works_for_an_editor(client, editor, bin_map):
    client.force_login(editor)
    for url, data in map_urls(bin_map):
        assert client.post(url, data).status_code == 302, url
    assert not EcosystemMap.objects.filter(pk=bin_map.pk).exists()  # the last one deleted it
    assert EcosystemMap.objects.filter(title="M2").exists()


def test_the_drawing_and_the_table_show_the_same_map(client, viewer, editor, bin_map):
    client.force_login(viewer)
    drawing = client.get(bin_map.get_absolute_url()).content.decode()
    assert 'id="map-canvas"' in drawing and "map-editor.js" in drawing
    assert "Add to the map" not in drawing  # a viewer gets no tools
    assert map_url("maps:api_map", bin_map) in drawing
    table = client.get(map_url("maps:map_table", bin_map)).content.decode()
    assert "Transport Department" in table and "Bus stops" in table
    client.force_login(editor)
    assert "Add to the map" in client.get(bin_map.get_absolute_url()).content.decode()


def test_map_downloads_as_pictures(client, viewer, bin_map):
    import xml.etree.ElementTree as ET

    client.force_login(viewer)
    response = client.get(map_url("maps:map_export", bin_map, "svg"))
    assert response["Content-Type"] == "image/svg+xml"
    assert 'filename="waste-data-today.svg"' in response["Content-Disposition"]
    text = "".join(ET.fromstring(response.content).itertext())
    assert "Transport Department" in text and "Bus stops" in text
    response = client.get(map_url("maps:map_export", bin_map, "png"))
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_the_whole_map_json_says_what_each_node_and_exchange_says(bin_map, workspace):
    """The map is read as rows for speed; each entry must equal the one-object JSON the API
    returns after a change, or the editor would draw the same thing two ways."""
    from opencities.inventory.models import Technology
    from opencities.maps import exports

    council = bin_map.nodes.get(actor__isnull=False)
    app = Node.objects.create(
        map=bin_map, technology=Technology.objects.create(workspace=workspace, name="App")
    )
    Exchange.objects.create(
        map=bin_map, source=council, target=app, kind="money", status="blocked",
        blocked_reasons=["cost"], blocked_note="No budget",
    )  # fmt: skip
    nodes = bin_map.nodes.select_related("actor", "dataset", "technology").order_by("pk")
    exchanges = bin_map.exchanges.select_related("dataset").order_by("pk")
    data = exports.map_as_json(bin_map)
    assert data["nodes"] == [exports.node_as_json(n) for n in nodes]
    assert data["exchanges"] == [exports.exchange_as_json(e) for e in exchanges]
    assert {n["type"] for n in data["nodes"]} == {"actor", "dataset", "technology"}
