"""Importing a workbook or a Kumu export into a map: the plan, the all-or-nothing apply, the
upload page and the `import-map` command."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from opencities.cli import main
from opencities.inventory.models import Actor, Dataset, Technology
from opencities.maps.importing import (
    EXCHANGE_COLUMNS,
    NODE_COLUMNS,
    ItemProblem,
    MapImportError,
    apply_map_import,
    plan_map_import,
    write_map_template,
)
from opencities.maps.models import EcosystemMap, Exchange, Node
from opencities.projects.models import Project

NODE_HEADER = ["type", "name", "roles", "x", "y"]
EXCHANGE_HEADER = [
    "from",
    "to",
    "kind",
    "dataset",
    "description",
    "mechanism",
    "status",
    "blocked_reasons",
]
NODES = [
    ["actor", "Waste Services", "steward; Decision maker", "10", "20"],
    ["dataset", "Bin collection rounds", "", "", ""],
    ["technology", "Report-a-bin app", "", "", ""],
    ["Person", "Residents", "beneficiary", "", ""],
    ["actor", "Recycling charity", "", "", ""],
]
EXCHANGES = [
    ["Waste Services", "Report-a-bin app", "data", "Bin collection rounds", "", "API", "", ""],
    ["Residents", "waste services", "money", "", "Council tax", "", "active", ""],
    ["Report-a-bin app", "Waste Services", "data", "", "Reports", "email", "Blocked", "Technical"],
]


@pytest.fixture
def project(workspace):
    return Project.objects.create(workspace=workspace, title="Bins", challenge="Missed bins")


@pytest.fixture
def bin_map(project, actor, dataset):
    """A map holding the Transport Department (a steward) and Bus stops, with a flow between."""
    ecosystem_map = EcosystemMap.objects.create(project=project, title="Waste data today")
    council = Node.objects.create(map=ecosystem_map, actor=actor, roles=["steward"])
    data = Node.objects.create(map=ecosystem_map, dataset=dataset)
    Exchange.objects.create(map=ecosystem_map, source=data, target=council, dataset=dataset)
    return ecosystem_map


def workbook(path, nodes=NODES, exchanges=EXCHANGES, node_header=None, exchange_header=None):
    book = Workbook()
    sheet = book.active
    sheet.title = "Nodes"
    for row in [node_header or NODE_HEADER, *nodes]:
        sheet.append(row)
    sheet = book.create_sheet("Exchanges")
    for row in [exchange_header or EXCHANGE_HEADER, *exchanges]:
        sheet.append(row)
    book.save(path)
    return path


def counts():
    """Rows of every table an import may write to."""
    return tuple(model.objects.count() for model in (Actor, Dataset, Technology, Node, Exchange))


def map_url(name, ecosystem_map, *extra):
    project = ecosystem_map.project
    return reverse(name, args=[project.workspace.slug, project.pk, ecosystem_map.pk, *extra])


# Workbooks ----------------------------------------------------------------------------------


def test_a_valid_workbook_adds_nodes_exchanges_and_inventory_records(bin_map, tmp_path):
    plan = plan_map_import(bin_map, workbook(tmp_path / "map.xlsx"))
    assert plan.ok, plan.problems
    assert plan.counts()["actors"]["create"] == 3
    assert plan.counts()["nodes"] == {"create": 5, "update": 0, "unchanged": 0}
    assert "create technology 'Report-a-bin app' in the inventory" in map(str, plan.changes)
    assert Node.objects.filter(map=bin_map).count() == 2  # planning writes nothing

    summary = apply_map_import(plan)

    assert (summary.nodes_created, summary.exchanges_created, summary.records_created) == (5, 3, 5)
    workspace = bin_map.workspace
    waste = Actor.objects.get(workspace=workspace, name="Waste Services")
    assert waste.source == "map import: map.xlsx"
    node = Node.objects.get(map=bin_map, actor=waste)
    assert (node.roles, node.x, node.y) == (["steward", "decision_maker"], 10, 20)
    residents = Node.objects.get(map=bin_map, actor__name="Residents")
    assert (residents.roles, residents.x, residents.y) == (["beneficiary"], None, None)
    rounds = Dataset.objects.get(workspace=workspace, title="Bin collection rounds")
    assert rounds.identifier == "bin-collection-rounds"
    flow = Exchange.objects.get(map=bin_map, dataset=rounds)
    assert (flow.source.actor, flow.target.technology.name, flow.mechanism) == (
        waste,
        "Report-a-bin app",
        "api",
    )
    blocked = Exchange.objects.get(map=bin_map, status="blocked")
    assert blocked.blocked_reasons == ["technical"]
    assert Exchange.objects.get(map=bin_map, kind="money").description == "Council tax"


def test_importing_the_same_file_again_changes_nothing(bin_map, tmp_path):
    path = workbook(tmp_path / "map.xlsx")
    apply_map_import(plan_map_import(bin_map, path))
    before = counts()
    updated = list(Exchange.objects.values_list("updated", flat=True).order_by("pk"))

    again = plan_map_import(bin_map, path)

    assert again.ok
    assert {c.action for c in again.changes} == {"unchanged"}
    summary = apply_map_import(again)
    assert (summary.nodes_created, summary.nodes_updated, summary.exchanges_updated) == (0, 0, 0)
    assert counts() == before
    assert list(Exchange.objects.values_list("updated", flat=True).order_by("pk")) == updated


def test_a_node_already_on_the_map_is_updated_not_duplicated(bin_map, tmp_path, actor):
    nodes = [["actor", "transport department", "reuser", "5", "6"]]
    exchanges = [["Bus stops", "Transport Department", "data", "Bus stops", "", "", "", ""]]
    plan = plan_map_import(bin_map, workbook(tmp_path / "map.xlsx", nodes, exchanges))

    assert plan.ok, plan.problems
    [update] = [c for c in plan.changes if c.action == "update"]
    assert (update.what, update.fields) == ("node", ["roles", "position"])
    apply_map_import(plan)

    node = Node.objects.get(map=bin_map, actor=actor)
    assert (node.roles, node.x, node.y) == (["steward", "reuser"], 5, 6)  # roles merged
    assert Node.objects.filter(map=bin_map).count() == 2
    assert Actor.objects.filter(name__iexact="transport department").count() == 1
    assert Exchange.objects.filter(map=bin_map).count() == 1  # the same flow, matched


def test_an_exchange_on_the_map_is_updated_by_the_columns_the_file_has(bin_map, tmp_path):
    header = ["from", "to", "dataset", "status", "blocked_reasons"]
    rows = [["Bus stops", "Transport Department", "Bus stops", "blocked", "legal; trust"]]
    plan = plan_map_import(bin_map, workbook(tmp_path / "a.xlsx", [], rows, None, header))
    [change] = plan.changes
    assert (change.action, change.fields) == ("update", ["status", "blocked_reasons"])
    apply_map_import(plan)
    flow = Exchange.objects.get(map=bin_map)
    assert (flow.status, flow.blocked_reasons) == ("blocked", ["legal", "trust"])

    unblock = [["Bus stops", "Transport Department", "Bus stops", "active"]]
    header = ["from", "to", "dataset", "status"]
    apply_map_import(
        plan_map_import(bin_map, workbook(tmp_path / "b.xlsx", [], unblock, None, header))
    )
    flow.refresh_from_db()
    assert (flow.status, flow.blocked_reasons) == ("active", [])


BAD_ROWS = [
    # (sheet, row to replace, new row, column, words in the message)
    ("exchanges", 0, ["Waste Servces", "Residents", "money"], "from", "not in the Nodes sheet"),
    (
        "exchanges",
        0,
        ["Waste Services", "Residents", "data", "Bin rounds"],
        "dataset",
        "no dataset",
    ),
    (
        "exchanges",
        0,
        ["Waste Services", "Residents", "data", "", "", "", "blocked", ""],
        "blocked_reasons",
        "no reason",
    ),
    (
        "exchanges",
        0,
        ["Waste Services", "Residents", "data", "", "", "", "active", "legal"],
        "blocked_reasons",
        "status is 'active'",
    ),
    (
        "exchanges",
        0,
        ["Waste Services", "Residents", "money", "Bin collection rounds"],
        "dataset",
        "only a data flow",
    ),
    ("exchanges", 0, ["Waste Services", "Waste Services", "insight"], "to", "not to itself"),
    ("exchanges", 0, ["Waste Services", "Residents", "gossip"], "kind", "not a kind of exchange"),
    ("nodes", 0, ["actor", "Waste Services", "", "left", "20"], "x", "not a number"),
    ("nodes", 0, ["actor", "Waste Services", "", "10", ""], "y", "give both"),
    ("nodes", 1, ["dataset", "Bin collection rounds", "reuser"], "roles", "only actors"),
    ("nodes", 1, ["dataset", "Bin collection rounds", "", "", ""], "roles", None),
    ("nodes", 2, ["building", "Report-a-bin app"], "type", "not a type of node"),
    ("nodes", 4, ["actor", "waste  services"], "name", "already listed as row 2"),
    ("nodes", 4, ["actor", ""], "name", "empty"),
]


@pytest.mark.parametrize("sheet,index,row,column,words", BAD_ROWS)
def test_one_bad_row_is_reported_by_sheet_row_and_column_and_nothing_is_written(
    bin_map, tmp_path, sheet, index, row, column, words
):
    tables = {"nodes": [list(r) for r in NODES], "exchanges": [list(r) for r in EXCHANGES]}
    tables[sheet][index] = row
    plan = plan_map_import(bin_map, workbook(tmp_path / "map.xlsx", **tables))
    if words is None:  # a control: the same row without the mistake is fine
        assert plan.ok, plan.problems
        return
    before = counts()
    [problem] = plan.problems
    assert (problem.table, problem.row, problem.column) == (sheet, index + 2, column)
    assert words in problem.message
    with pytest.raises(ValueError, match="problem"):
        apply_map_import(plan)
    assert counts() == before


def test_a_name_shared_by_two_kinds_of_node_is_ambiguous_in_an_exchange(bin_map, tmp_path):
    nodes = [["actor", "Bus stops"]]  # Bus stops is a dataset on the map already
    exchanges = [["Bus stops", "Transport Department", "insight"]]
    plan = plan_map_import(bin_map, workbook(tmp_path / "map.xlsx", nodes, exchanges))
    [problem] = plan.problems
    assert (problem.table, problem.row, problem.column) == ("exchanges", 2, "from")
    assert "a dataset on the map and an actor in row 2 of the Nodes sheet" in problem.message


def test_an_unknown_column_and_a_missing_one_are_problems_of_row_1(bin_map, tmp_path):
    path = workbook(
        tmp_path / "map.xlsx",
        [["actor", "Someone", "blue"]],
        [],
        node_header=["Type", " Name ", "colour"],
        exchange_header=["from"],
    )
    problems = plan_map_import(bin_map, path).problems
    assert [(p.table, p.row, p.column) for p in problems] == [
        ("nodes", 1, "colour"),
        ("exchanges", 1, "to"),
    ]
    assert "unknown column 'colour'" in problems[0].message


def test_a_workbook_without_an_exchanges_sheet_is_refused_clearly(bin_map, tmp_path):
    book = Workbook()
    book.active.title = "Nodes"
    book.create_sheet("Flows")
    book.save(tmp_path / "map.xlsx")
    with pytest.raises(MapImportError, match=r"no sheet called 'Exchanges'.*Nodes, Flows"):
        plan_map_import(bin_map, tmp_path / "map.xlsx")


def test_a_file_that_is_not_a_workbook_is_refused_clearly(bin_map, tmp_path):
    path = tmp_path / "map.xlsx"
    path.write_text("type,name\nactor,Someone\n")
    with pytest.raises(MapImportError, match="cannot be opened as an Excel workbook"):
        plan_map_import(bin_map, path)
    with pytest.raises(MapImportError, match=r"\(\.xlsx\).*\(\.json\)"):
        plan_map_import(bin_map, path, "map.csv")


def test_the_template_imports_as_it_is(bin_map, tmp_path):
    path = tmp_path / "template.xlsx"
    with path.open("wb") as stream:
        write_map_template(stream)
    sheets = load_workbook(path).sheetnames
    assert sheets == ["Nodes", "Exchanges", "Help"]
    help_rows = list(load_workbook(path)["Help"].values)
    assert len(help_rows) == 1 + len(NODE_COLUMNS) + len(EXCHANGE_COLUMNS)
    plan = plan_map_import(bin_map, path)
    assert plan.ok, plan.problems
    assert plan.counts()["exchanges"]["create"] == 3


def test_a_map_changed_after_the_check_makes_the_whole_import_fail(bin_map, tmp_path):
    exchanges = [*EXCHANGES, ["Waste Services", "Bus stops", "insight", "", "", "", "", ""]]
    plan = plan_map_import(bin_map, workbook(tmp_path / "map.xlsx", exchanges=exchanges))
    assert plan.ok, plan.problems
    Node.objects.get(map=bin_map, dataset__title="Bus stops").delete()
    before = counts()

    with pytest.raises(MapImportError, match="Bus stops' has been deleted"):
        apply_map_import(plan)

    assert counts() == before
    assert not Actor.objects.filter(name="Waste Services").exists()


# Kumu ---------------------------------------------------------------------------------------


def kumu(path, document):
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_a_flat_kumu_export_is_imported(bin_map, tmp_path):
    document = {
        "elements": [
            {"label": "Waste Services", "type": "Organization", "description": "Bins."},
            {"label": "Bin sensors", "type": "Sensor"},
            {"label": "Fill levels", "type": "Data"},
        ],
        "connections": [
            {
                "from": "Bin sensors",
                "to": "Waste Services",
                "type": "Data",
                "dataset": "Fill levels",
            },
            {"from": "Waste Services", "to": "Transport Department", "type": "Feedback"},
            {
                "from": "Waste Services",
                "to": "Bin sensors",
                "type": "payment",
                "direction": "mutual",
            },
        ],
    }
    plan = plan_map_import(bin_map, kumu(tmp_path / "kumu.json", document))
    assert plan.ok, plan.problems
    apply_map_import(plan)

    waste = Actor.objects.get(name="Waste Services")
    assert waste.description == "Bins."
    assert Technology.objects.filter(name="Bin sensors").exists()
    kinds = sorted(Exchange.objects.filter(map=bin_map).values_list("kind", flat=True))
    assert kinds == ["data", "data", "insight", "money", "money"]
    money = Exchange.objects.filter(map=bin_map, kind="money")
    assert {(e.source.target.name, e.target.target.name) for e in money} == {
        ("Waste Services", "Bin sensors"),
        ("Bin sensors", "Waste Services"),
    }


def test_a_nested_kumu_blueprint_is_imported_with_ids_and_status(bin_map, tmp_path):
    document = {
        "elements": [
            {"_id": "elem-1", "attributes": {"label": "Residents", "element type": "Person"}},
            {"_id": "elem-2", "attributes": {"label": "Bus stops", "element type": "Dataset"}},
        ],
        "connections": [
            {
                "_id": "conn-1",
                "from": "elem-2",
                "to": "elem-1",
                "direction": "directed",
                "attributes": {
                    "connection type": "data",
                    "status": "Blocked",
                    "blocked reasons": ["Licensing", "cost"],
                    "blocked note": "The licence forbids reuse.",
                },
            }
        ],
    }
    plan = plan_map_import(bin_map, kumu(tmp_path / "blueprint.json", document))
    assert plan.ok, plan.problems
    assert plan.counts()["datasets"] == {"create": 0, "update": 0, "unchanged": 1}
    apply_map_import(plan)
    flow = Exchange.objects.get(map=bin_map, target__actor__name="Residents")
    assert flow.source.dataset.title == "Bus stops"
    assert (flow.status, flow.blocked_reasons) == ("blocked", ["licensing", "cost"])
    assert flow.blocked_note == "The licence forbids reuse."
    assert Node.objects.filter(map=bin_map).count() == 3  # Bus stops was already on the map

    assert {c.action for c in plan_map_import(bin_map, tmp_path / "blueprint.json").changes} == {
        "unchanged"
    }


def test_kumu_problems_name_the_element_or_connection_by_position_and_label(bin_map, tmp_path):
    document = {
        "elements": [
            {"label": "Waste Services", "type": "Organization"},
            {"label": "Town hall", "type": "Building"},
        ],
        "connections": [
            {"from": "Waste Services", "to": "Nowhere"},
            {"from": "Waste Services", "to": "Transport Department", "direction": "undirected"},
        ],
    }
    problems = plan_map_import(bin_map, kumu(tmp_path / "kumu.json", document)).problems
    assert all(isinstance(p, ItemProblem) for p in problems)
    assert [str(p).split(":")[0] for p in problems] == [
        "Element 2 ('Town hall'), field 'type'",
        "Connection 1 ('Waste Services → Nowhere'), field 'to'",
        "Connection 2 ('Waste Services → Transport Department'), field 'direction'",
    ]
    assert "'Building' is not a type of node" in problems[0].message


def test_a_mutual_connection_with_a_problem_is_reported_once(bin_map, tmp_path):
    document = {
        "elements": [{"label": "Waste Services", "type": "actor"}],
        "connections": [{"from": "Waste Services", "to": "Nowhere", "direction": "mutual"}],
    }
    [problem] = plan_map_import(bin_map, kumu(tmp_path / "kumu.json", document)).problems
    assert (problem.table, problem.row, problem.column) == ("connections", 1, "to")


def test_malformed_json_is_refused_clearly(bin_map, tmp_path):
    path = tmp_path / "kumu.json"
    path.write_text('{"elements": [{"label": "A",}]}')
    with pytest.raises(MapImportError, match=r"not valid JSON.*line 1, column"):
        plan_map_import(bin_map, path)
    with pytest.raises(MapImportError, match="not a Kumu export"):
        plan_map_import(bin_map, kumu(path, [1, 2]))


# Pages --------------------------------------------------------------------------------------


def upload(client, ecosystem_map, name, content):
    return client.post(
        map_url("maps:map_import", ecosystem_map), {"file": SimpleUploadedFile(name, content)}
    )


def workbook_bytes(tmp_path, **tables):
    return workbook(tmp_path / "upload.xlsx", **tables).read_bytes()


def test_upload_preview_then_import(client, editor, bin_map, tmp_path):
    client.force_login(editor)
    assert client.get(map_url("maps:map_import", bin_map)).status_code == 200
    response = upload(client, bin_map, "map.xlsx", workbook_bytes(tmp_path))
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.context["plan"].ok
    assert preview.context["counts"]["nodes"]["create"] == 5
    assert "Import map.xlsx" in preview.content.decode()
    assert Node.objects.filter(map=bin_map).count() == 2  # previewing writes nothing

    done = client.post(response["Location"])

    assert done["Location"] == bin_map.get_absolute_url()
    assert Node.objects.filter(map=bin_map).count() == 7
    assert not any((tmp_path / "uploads").iterdir())  # the upload is gone once imported


def test_a_bad_file_shows_its_problems_and_cannot_be_imported(client, editor, bin_map, tmp_path):
    client.force_login(editor)
    exchanges = [["Waste Services", "Nobody", "data"]]
    location = upload(client, bin_map, "map.xlsx", workbook_bytes(tmp_path, exchanges=exchanges))[
        "Location"
    ]
    preview = client.get(location)
    [problem] = preview.context["problems"]
    assert (problem.table, problem.row, problem.column) == ("exchanges", 2, "to")
    assert "Import map.xlsx" not in preview.content.decode()
    before = counts()
    client.post(location)
    assert counts() == before


def test_an_unreadable_file_is_explained_and_a_wrong_type_refused(client, editor, bin_map):
    client.force_login(editor)
    location = upload(client, bin_map, "kumu.json", b"{not json")["Location"]
    assert "not valid JSON" in client.get(location).content.decode()
    response = upload(client, bin_map, "map.csv", b"type,name\n")
    assert response.status_code == 400
    assert "not an .xlsx or a .json file" in response.content.decode()


def test_the_template_downloads_for_an_editor(client, editor, bin_map):
    client.force_login(editor)
    response = client.get(map_url("maps:map_import_template", bin_map))
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["Nodes", "Exchanges", "Help"]


@pytest.mark.parametrize("who,status", [("anonymous", 302), ("outsider", 404), ("viewer", 403)])
def test_people_without_the_right_cannot_import(client, people, bin_map, tmp_path, who, status):
    if who != "anonymous":
        client.force_login(people[who])
    before = counts()
    for url in (map_url("maps:map_import", bin_map), map_url("maps:map_import_template", bin_map)):
        response = client.get(url)
        assert response.status_code == status, url
        if status == 302:
            assert reverse("login") in response["Location"]
    assert upload(client, bin_map, "map.xlsx", workbook_bytes(tmp_path)).status_code == status
    assert counts() == before


def test_an_upload_cannot_be_applied_to_another_map_or_workspace(
    client, editor, bin_map, other_workspace, tmp_path
):
    theirs = Project.objects.create(workspace=other_workspace, title="Theirs", challenge="x")
    their_map = EcosystemMap.objects.create(project=theirs, title="Their map")
    client.force_login(editor)
    # Their map through our workspace's address, and through theirs.
    forged = reverse("maps:map_import", args=["testford", theirs.pk, their_map.pk])
    content = workbook_bytes(tmp_path)
    assert client.post(forged, {"file": SimpleUploadedFile("m.xlsx", content)}).status_code == 404
    assert upload(client, their_map, "m.xlsx", content).status_code == 404

    location = upload(client, bin_map, "m.xlsx", content)["Location"]
    token = location.rstrip("/").rsplit("/", 1)[1]
    other_map = EcosystemMap.objects.create(project=bin_map.project, title="Another map")
    before = counts()
    for url in (
        reverse("maps:map_import_preview", args=["testford", theirs.pk, their_map.pk, token]),
        map_url("maps:map_import_preview", their_map, token),
        map_url("maps:map_import_preview", other_map, token),
    ):
        assert client.post(url).status_code == 404, url
    assert counts() == before


# Command line -------------------------------------------------------------------------------


def test_import_map_command_checks_then_imports(bin_map, tmp_path, capsys):
    path = str(workbook(tmp_path / "map.xlsx"))
    args = ["import-map", path, "--workspace", "testford", "--map", str(bin_map.pk)]

    assert main([*args, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "create node 'Waste Services'" in out
    assert "Dry run: nothing was written" in out
    assert Node.objects.filter(map=bin_map).count() == 2

    assert main(args) == 0
    assert "nodes: 5 new" in capsys.readouterr().out
    assert Node.objects.filter(map=bin_map).count() == 7


def test_import_map_command_prints_every_problem_and_writes_nothing(bin_map, tmp_path, capsys):
    exchanges = [["Nobody", "Waste Services", "data"], ["Waste Services", "Residents", "cake"]]
    path = str(workbook(tmp_path / "map.xlsx", exchanges=exchanges))
    before = counts()
    code = main(["import-map", path, "--workspace", "testford", "--map", str(bin_map.pk)])
    assert code == 1
    err = capsys.readouterr().err
    assert "2 problem(s); nothing was imported" in err
    assert "Exchanges row 2, column 'from'" in err
    assert "Exchanges row 3, column 'kind'" in err
    assert counts() == before
    assert main(["import-map", path, "--workspace", "elsewhere", "--map", str(bin_map.pk)]) == 2
