import csv
import io
from datetime import datetime
from pathlib import Path

import pytest
from django.db import IntegrityError
from openpyxl import Workbook, load_workbook

from opencities.accounts.models import Workspace
from opencities.inventory.models import (
    Actor,
    Dataset,
    Distribution,
    ImportRun,
    Theme,
)
from opencities.inventory.spreadsheet import (
    ACTOR_COLUMNS,
    DATASET_COLUMNS,
    SpreadsheetError,
    apply_plan,
    export_csv,
    export_xlsx,
    read_plan,
    write_template,
)

pytestmark = pytest.mark.django_db

DATASET_HEADER = [
    "identifier",
    "title",
    "steward",
    "themes",
    "keywords",
    "formats",
    "distributions",
    "spectrum",
]


@pytest.fixture
def workspace() -> Workspace:
    return Workspace.objects.create(name="Riverton", slug="riverton")


def write_csv(folder: Path, name: str, rows: list[list[str]], delimiter: str = ",") -> Path:
    path = folder / name
    with path.open("w", newline="", encoding="utf-8") as stream:
        csv.writer(stream, delimiter=delimiter).writerows(rows)
    return path


def write_xlsx(folder: Path, name: str, sheets: dict[str, list[list]]) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = folder / name
    workbook.save(path)
    return path


def import_file(workspace: Workspace, path: Path) -> ImportRun:
    plan = read_plan(workspace, path)
    assert plan.ok, [str(p) for p in plan.problems]
    return apply_plan(plan)


def actions(plan) -> list[tuple[str, str, str]]:
    return [(c.table, c.action, c.label) for c in plan.changes]


def datasets_csv(folder: Path) -> Path:
    return write_csv(
        folder,
        "datasets.csv",
        [
            DATASET_HEADER,
            [
                "bus-stops",
                "Bus stops",
                "Transport Department",
                "Transport; Mobility",
                "bus; stops",
                "csv; geojson",
                "Bus stops (CSV) | https://data.example.org/stops.csv | csv\n"
                "https://data.example.org/stops.geojson",
                "open",
            ],
            [
                "",
                "Bin collections",
                "Waste Team",
                "Waste",
                "bins",
                "CSV",
                "https://data.example.org/bins.csv | CSV",
                "internal",
            ],
        ],
    )


def test_csv_of_datasets_creates_them_with_themes_keywords_distributions_and_steward(
    workspace, tmp_path
):
    transport = Actor.objects.create(workspace=workspace, name="Transport Department")
    Actor.objects.create(workspace=workspace, name="Waste Team")

    run = import_file(workspace, datasets_csv(tmp_path))

    stops = Dataset.objects.get(workspace=workspace, identifier="bus-stops")
    assert stops.steward == transport
    assert sorted(stops.themes.values_list("name", flat=True)) == ["Mobility", "Transport"]
    assert stops.keywords == ["bus", "stops"]
    assert stops.formats == ["CSV", "GEOJSON"]
    assert stops.spectrum == "open"
    assert list(stops.distributions.values_list("title", "url", "format")) == [
        ("Bus stops (CSV)", "https://data.example.org/stops.csv", "CSV"),
        ("", "https://data.example.org/stops.geojson", ""),
    ]
    assert stops.source == "import: datasets.csv"
    assert stops.source_updated is not None
    bins = Dataset.objects.get(workspace=workspace, title="Bin collections")
    assert bins.identifier == "bin-collections"
    assert bins.steward.name == "Waste Team"
    assert list(bins.distributions.values_list("url", "format")) == [
        ("https://data.example.org/bins.csv", "CSV")
    ]
    assert (run.datasets_created, run.datasets_updated) == (2, 0)
    assert (run.actors_created, run.actors_updated) == (0, 0)
    assert (run.filename, run.file_format) == ("datasets.csv", "csv")
    assert Theme.objects.filter(workspace=workspace).count() == 3


def test_xlsx_with_both_sheets_links_parent_named_further_down_the_sheet(workspace, tmp_path):
    path = write_xlsx(
        tmp_path,
        "inventory.xlsx",
        {
            "actors": [
                ["Name", "Kind", "Sector", "Parent"],
                ["Highways Team", "team", "public", "Transport Department"],
                ["Transport Department", "department", "public", "Riverton Council"],
                ["Riverton Council", "authority", "public", ""],
            ],
            "DATASETS": [
                ["title", "steward"],
                ["Road works", "Highways Team"],
            ],
        },
    )

    plan = read_plan(workspace, path)
    assert plan.ok, [str(p) for p in plan.problems]
    assert plan.file_format == "xlsx"
    assert plan.counts()["actors"]["create"] == 3
    run = apply_plan(plan)

    team = Actor.objects.get(workspace=workspace, name="Highways Team")
    assert team.parent.name == "Transport Department"
    assert team.parent.parent.name == "Riverton Council"
    assert team.parent.parent.parent is None
    assert Dataset.objects.get(workspace=workspace, title="Road works").steward == team
    assert (run.actors_created, run.datasets_created) == (3, 1)


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_written(workspace, tmp_path):
    path = write_csv(
        tmp_path,
        "bad.csv",
        [
            ["title", "spectrum", "distributions"],
            ["Bus stops", "open", "https://data.example.org/stops.csv"],
            ["Parking", "opne", ""],
            ["Potholes", "", "Potholes | not a url | CSV"],
            ["", "open", ""],
        ],
    )

    plan = read_plan(workspace, path)

    assert not plan.ok
    found = {(p.table, p.row, p.column) for p in plan.problems}
    assert found == {
        ("datasets", 3, "spectrum"),
        ("datasets", 4, "distributions"),
        ("datasets", 5, "title"),
    }
    assert str(plan.problems[0]) == (
        "Datasets row 3, column 'spectrum': 'opne' is not a Data Spectrum level; "
        "use one of internal, named, group, public, open."
    )
    assert "not a url" in plan.problems[1].message
    with pytest.raises(ValueError, match="problem"):
        apply_plan(plan)
    assert not Dataset.objects.exists()
    assert not ImportRun.objects.exists()


def test_reimporting_the_same_file_changes_nothing_and_duplicates_nothing(workspace, tmp_path):
    path = datasets_csv(tmp_path)
    import_file(workspace, path)
    first_sources = dict(Dataset.objects.values_list("identifier", "source_updated"))

    plan = read_plan(workspace, path)

    assert {c.action for c in plan.changes} == {"unchanged"}
    run = apply_plan(plan)
    assert (run.datasets_created, run.datasets_updated, run.actors_created) == (0, 0, 0)
    assert Dataset.objects.count() == 2
    assert Actor.objects.count() == 2
    assert Distribution.objects.count() == 3
    assert dict(Dataset.objects.values_list("identifier", "source_updated")) == first_sources


def test_editing_one_cell_gives_one_update_naming_that_field(workspace, tmp_path):
    path = datasets_csv(tmp_path)
    import_file(workspace, path)
    path.write_text(path.read_text().replace("internal", "group"))

    plan = read_plan(workspace, path)

    updates = [c for c in plan.changes if c.action != "unchanged"]
    assert [(c.action, c.label, c.fields) for c in updates] == [
        ("update", "Bin collections", ["spectrum"])
    ]
    run = apply_plan(plan)
    assert run.datasets_updated == 1
    bins = Dataset.objects.get(title="Bin collections")
    assert bins.spectrum == "group"
    assert bins.identifier == "bin-collections"
    assert Dataset.objects.count() == 2


def test_reimport_replaces_distributions_and_themes(workspace, tmp_path):
    path = datasets_csv(tmp_path)
    import_file(workspace, path)
    text = path.read_text()
    text = text.replace("\nhttps://data.example.org/stops.geojson", "")
    text = text.replace("Transport; Mobility", "Transport")
    path.write_text(text)

    plan = read_plan(workspace, path)

    changed = [c for c in plan.changes if c.action == "update"]
    assert [(c.label, c.fields) for c in changed] == [("Bus stops", ["themes", "distributions"])]
    apply_plan(plan)
    stops = Dataset.objects.get(identifier="bus-stops")
    assert list(stops.distributions.values_list("url", flat=True)) == [
        "https://data.example.org/stops.csv"
    ]
    assert list(stops.themes.values_list("name", flat=True)) == ["Transport"]


def fill_workspace(workspace: Workspace) -> None:
    council = Actor.objects.create(
        workspace=workspace, name="Riverton Council", kind="authority", sector="public"
    )
    transport = Actor.objects.create(
        workspace=workspace,
        name="Transport Department",
        kind="department",
        parent=council,
        description="Buses, roads; parking, and more",
        website="https://www.riverton.example/transport",
    )
    Actor.objects.create(workspace=workspace, name="Bike Club", sector="community")
    theme = Theme.objects.create(workspace=workspace, name="Transport")
    stops = Dataset.objects.create(
        workspace=workspace,
        identifier="bus-stops",
        title="Bus stops",
        description="Every stop.\nWith a second line, and = signs.",
        steward=transport,
        keywords=["bus", "stops, shelters"],
        formats=["CSV", "JSON"],
        spectrum="open",
        update_frequency="weekly",
    )
    stops.themes.add(theme)
    Distribution.objects.create(dataset=stops, url="https://data.example.org/a.csv", format="CSV")
    Distribution.objects.create(
        dataset=stops, title="https://mirror.example.org/", url="https://data.example.org/b"
    )
    Distribution.objects.create(
        dataset=stops, title="API", url="https://data.example.org/api", position=2
    )
    Dataset.objects.create(
        workspace=workspace, identifier="formula", title="=SUM(A1:A2)", status="gap"
    )
    Dataset.objects.create(workspace=workspace, identifier="no-steward", title="Orphan data")


@pytest.mark.parametrize("table", ["actors", "datasets"])
def test_csv_export_reads_back_as_unchanged(workspace, tmp_path, table):
    fill_workspace(workspace)
    path = tmp_path / f"{table}.csv"
    with path.open("w", newline="", encoding="utf-8-sig") as stream:
        written = export_csv(workspace, table, stream)

    plan = read_plan(workspace, path)

    assert written == 3
    assert plan.ok, [str(p) for p in plan.problems]
    assert len(plan.changes) == written
    assert {c.action for c in plan.changes} == {"unchanged"}


def test_xlsx_export_reads_back_as_unchanged(workspace, tmp_path):
    fill_workspace(workspace)
    path = tmp_path / "inventory.xlsx"
    with path.open("wb") as stream:
        written = export_xlsx(workspace, stream)

    plan = read_plan(workspace, path)

    assert written == 6
    assert plan.ok, [str(p) for p in plan.problems]
    assert plan.counts() == {
        "actors": {"create": 0, "update": 0, "unchanged": 3},
        "datasets": {"create": 0, "update": 0, "unchanged": 3},
    }


def test_xlsx_export_has_bold_frozen_header_and_keeps_formulas_as_quoted_text(workspace, tmp_path):
    fill_workspace(workspace)
    path = tmp_path / "inventory.xlsx"
    with path.open("wb") as stream:
        export_xlsx(workspace, stream)

    workbook = load_workbook(path)
    sheet = workbook["Datasets"]
    assert [cell.value for cell in sheet[1]] == [c.name for c in DATASET_COLUMNS]
    assert sheet["A1"].font.bold
    assert sheet.freeze_panes == "A2"
    assert workbook["Actors"].freeze_panes == "A2"
    assert sheet["B2"].value == "'=SUM(A1:A2)"
    assert sheet["B2"].data_type == "s"


def test_export_import_into_another_workspace_recreates_the_inventory(workspace, tmp_path):
    fill_workspace(workspace)
    path = tmp_path / "inventory.xlsx"
    with path.open("wb") as stream:
        export_xlsx(workspace, stream)
    other = Workspace.objects.create(name="Lakeside", slug="lakeside")

    import_file(other, path)

    copy = Dataset.objects.get(workspace=other, identifier="bus-stops")
    assert copy.steward.workspace == other
    assert copy.steward.parent.name == "Riverton Council"
    assert copy.keywords == ["bus", "stops, shelters"]
    assert list(copy.distributions.values_list("title", "url", "format")) == [
        ("", "https://data.example.org/a.csv", "CSV"),
        ("https://mirror.example.org/", "https://data.example.org/b", ""),
        ("API", "https://data.example.org/api", ""),
    ]
    assert list(copy.themes.values_list("workspace", flat=True)) == [other.pk]


def test_unknown_column_is_a_problem_on_row_1(workspace, tmp_path):
    path = write_csv(tmp_path, "d.csv", [["Title", " Colour "], ["Bus stops", "red"]])

    plan = read_plan(workspace, path)

    [problem] = plan.problems
    assert (problem.table, problem.row, problem.column) == ("datasets", 1, "Colour")
    assert problem.message.startswith("unknown column 'Colour'; expected one of identifier")


def test_missing_required_column_is_a_problem(workspace, tmp_path):
    path = write_csv(tmp_path, "d.csv", [["identifier", "steward"], ["bus-stops", "Transport"]])

    plan = read_plan(workspace, path)

    assert [(p.table, p.row, p.column) for p in plan.problems] == [("datasets", 1, "title")]
    assert "required column 'title' is missing" in plan.problems[0].message
    assert plan.changes == []


def test_same_actor_twice_in_file_is_a_problem(workspace, tmp_path):
    path = write_csv(
        tmp_path,
        "actors.csv",
        [["name", "sector"], ["Bike Club", "community"], ["bike club", "public"]],
    )

    plan = read_plan(workspace, path)

    [problem] = plan.problems
    assert (problem.table, problem.row, problem.column) == ("actors", 3, "name")
    assert "row 2" in problem.message


def test_same_identifier_twice_in_file_is_a_problem(workspace, tmp_path):
    path = write_csv(
        tmp_path, "d.csv", [["identifier", "title"], ["stops", "Bus stops"], ["stops", "Stops"]]
    )

    plan = read_plan(workspace, path)

    assert [(p.row, p.column) for p in plan.problems] == [(3, "identifier")]


@pytest.mark.parametrize("name", ["inventory.txt", "inventory.xls", "inventory"])
def test_file_that_is_not_csv_or_xlsx_is_refused(workspace, tmp_path, name):
    path = tmp_path / name
    path.write_text("title\nBus stops\n")

    with pytest.raises(SpreadsheetError, match="only CSV"):
        read_plan(workspace, path)


def test_corrupt_xlsx_is_refused(workspace, tmp_path):
    path = tmp_path / "inventory.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a workbook")

    with pytest.raises(SpreadsheetError, match="cannot be opened as an Excel workbook"):
        read_plan(workspace, path)


def test_upload_name_decides_format_not_stored_path(workspace, tmp_path):
    path = write_csv(tmp_path, "upload-1234.tmp", [["title"], ["Bus stops"]])

    plan = read_plan(workspace, path, filename="My inventory.CSV")

    assert plan.ok
    assert (plan.filename, plan.file_format) == ("My inventory.CSV", "csv")


def test_latin1_csv_is_refused_with_a_message_about_encoding(workspace, tmp_path):
    path = tmp_path / "datasets.csv"
    path.write_bytes("title\nBus stops\nCafé licences\n".encode("latin-1"))

    with pytest.raises(SpreadsheetError, match=r"UTF-8 encoding.*line 3"):
        read_plan(workspace, path)


def test_empty_csv_is_refused(workspace, tmp_path):
    path = tmp_path / "datasets.csv"
    path.write_bytes(b"\n\n")

    with pytest.raises(SpreadsheetError, match="no header"):
        read_plan(workspace, path)


def test_workbook_without_actors_or_datasets_sheet_is_refused(workspace, tmp_path):
    path = write_xlsx(tmp_path, "book.xlsx", {"Sheet1": [["title"], ["Bus stops"]]})

    with pytest.raises(SpreadsheetError, match="no sheet called 'Actors' or 'Datasets'"):
        read_plan(workspace, path)


def test_semicolon_csv_with_bom_and_loose_headers_is_read(workspace, tmp_path):
    path = tmp_path / "datasets.csv"
    path.write_bytes(
        "Title ; Update frequency;THEMES\r\nCafé licences;Monthly;Licensing\r\n".encode("utf-8-sig")
    )

    import_file(workspace, path)

    dataset = Dataset.objects.get(workspace=workspace)
    assert dataset.title == "Café licences"
    assert dataset.update_frequency == "monthly"
    assert list(dataset.themes.values_list("name", flat=True)) == ["Licensing"]


def test_unknown_steward_is_created_and_listed_in_the_preview(workspace, tmp_path):
    path = write_csv(
        tmp_path,
        "d.csv",
        [["title", "steward"], ["Bus stops", "Bus Company"], ["Timetables", "bus company"]],
    )

    plan = read_plan(workspace, path)

    steward_changes = [c for c in plan.changes if c.table == "actors"]
    assert [(c.action, c.label, c.row) for c in steward_changes] == [
        ("create", "Bus Company", None)
    ]
    assert "named as steward" in str(steward_changes[0])
    run = apply_plan(plan)
    actor = Actor.objects.get(workspace=workspace)
    assert (actor.name, actor.kind, actor.sector) == ("Bus Company", "other", "public")
    assert actor.source == "import: d.csv"
    assert set(Dataset.objects.values_list("steward", flat=True)) == {actor.pk}
    assert run.actors_created == 1


def test_choice_columns_accept_labels(workspace, tmp_path):
    path = write_xlsx(
        tmp_path,
        "inventory.xlsx",
        {
            "Actors": [
                ["name", "sector", "kind"],
                ["Bike Club", "Third sector", "community group"],
            ],
            "Datasets": [
                ["title", "spectrum", "personal_data"],
                ["Bike counts", "open - anyone, open licence", "Aggregated"],
                ["Bike thefts", "Open — anyone, open licence", ""],
            ],
        },
    )

    import_file(workspace, path)

    club = Actor.objects.get(workspace=workspace)
    assert (club.sector, club.kind) == ("third_sector", "community_group")
    assert dict(Dataset.objects.values_list("title", "spectrum")) == {
        "Bike counts": "open",
        "Bike thefts": "open",
    }
    assert Dataset.objects.get(title="Bike thefts").personal_data == "none"


def test_wrong_choice_names_allowed_codes(workspace, tmp_path):
    path = write_csv(tmp_path, "actors.csv", [["name", "sector"], ["Bike Club", "charity"]])

    [problem] = read_plan(workspace, path).problems

    assert str(problem) == (
        "Actors row 2, column 'sector': 'charity' is not a sector; use one of public, private, "
        "third_sector, academia, community."
    )


@pytest.mark.parametrize("table", ["actors", "datasets"])
def test_csv_template_reads_back_without_problems(workspace, tmp_path, table):
    path = tmp_path / f"{table}-template.csv"
    with path.open("w", newline="", encoding="utf-8") as stream:
        write_template("csv", stream, table)

    plan = read_plan(workspace, path)

    assert plan.ok, [str(p) for p in plan.problems]
    assert [c.action for c in plan.changes if c.row is not None] == ["create"]


def test_xlsx_template_reads_back_without_problems_and_has_help(workspace, tmp_path):
    path = tmp_path / "template.xlsx"
    with path.open("wb") as stream:
        write_template("xlsx", stream)

    plan = read_plan(workspace, path)

    assert plan.ok, [str(p) for p in plan.problems]
    assert actions(plan) == [
        ("actors", "create", "Transport Department"),
        ("datasets", "create", "Bus stops"),
    ]
    help_sheet = load_workbook(path)["Help"]
    listed = [row[1] for row in help_sheet.iter_rows(min_row=2, values_only=True)]
    assert listed == [c.name for c in ACTOR_COLUMNS + DATASET_COLUMNS]


def test_xlsx_numbers_and_dates_become_plain_text(workspace, tmp_path):
    path = write_xlsx(
        tmp_path,
        "inventory.xlsx",
        {
            "Datasets": [
                ["identifier", "title", "keywords", "description"],
                [2024, 12.0, 3.5, datetime(2024, 5, 1)],
                [None, None, None, None],
            ]
        },
    )

    import_file(workspace, path)

    dataset = Dataset.objects.get(workspace=workspace)
    assert (dataset.identifier, dataset.title, dataset.keywords) == ("2024", "12", ["3.5"])
    assert dataset.description == "2024-05-01"


def test_blank_identifier_updates_the_dataset_with_that_title(workspace, tmp_path):
    Dataset.objects.create(workspace=workspace, identifier="stops", title="Bus Stops")
    path = write_csv(tmp_path, "d.csv", [["title", "licence"], ["bus stops", "OGL-UK-3.0"]])

    plan = read_plan(workspace, path)

    assert [(c.action, c.fields) for c in plan.changes] == [("update", ["title", "licence"])]
    apply_plan(plan)
    assert list(Dataset.objects.values_list("identifier", "title", "licence")) == [
        ("stops", "bus stops", "OGL-UK-3.0")
    ]


def test_generated_identifiers_avoid_existing_and_later_rows(workspace, tmp_path):
    Dataset.objects.create(workspace=workspace, identifier="bus-stops", title="Old stops")
    path = write_csv(
        tmp_path,
        "d.csv",
        [
            ["identifier", "title"],
            ["", "Bus stops"],
            ["", "Bus  stops!"],
            ["bus-stops-2", "Stops (explicit)"],
        ],
    )

    plan = read_plan(workspace, path)

    assert plan.ok, [str(p) for p in plan.problems]
    apply_plan(plan)
    assert dict(Dataset.objects.values_list("title", "identifier")) == {
        "Old stops": "bus-stops",
        "Bus stops": "bus-stops-3",
        "Bus  stops!": "bus-stops-4",
        "Stops (explicit)": "bus-stops-2",
    }


def test_parent_loop_is_a_problem(workspace, tmp_path):
    path = write_csv(
        tmp_path,
        "actors.csv",
        [["name", "parent"], ["Team A", "Team B"], ["Team B", "Team A"], ["Team C", "Team C"]],
    )

    plan = read_plan(workspace, path)

    assert {(p.row, p.column) for p in plan.problems} == {
        (2, "parent"),
        (3, "parent"),
        (4, "parent"),
    }
    assert "its own parent" in str(plan.problems[-1])


def test_parent_that_exists_nowhere_is_a_problem(workspace, tmp_path):
    path = write_csv(tmp_path, "actors.csv", [["name", "parent"], ["Team A", "Nobody"]])

    [problem] = read_plan(workspace, path).problems

    assert (problem.row, problem.column) == (2, "parent")
    assert "'Nobody'" in problem.message


def test_values_in_a_column_without_header_are_a_problem(workspace, tmp_path):
    path = write_csv(tmp_path, "d.csv", [["title"], ["Bus stops", "stray"]])

    [problem] = read_plan(workspace, path).problems

    assert (problem.row, problem.column) == (2, None)
    assert "column B" in problem.message


def test_empty_rows_are_skipped_and_row_numbers_match_the_sheet(workspace, tmp_path):
    path = write_csv(
        tmp_path, "d.csv", [["title", "spectrum"], ["", ""], ["Bus stops", "open"], [], ["X", "?"]]
    )

    plan = read_plan(workspace, path)

    assert [c.row for c in plan.changes] == [3]
    assert [p.row for p in plan.problems] == [5]


def test_progress_is_reported_up_to_the_total(workspace, tmp_path):
    rows = [["title"]] + [[f"Dataset {i}"] for i in range(2500)]
    path = write_csv(tmp_path, "d.csv", rows)
    reading, writing = [], []

    plan = read_plan(workspace, path, progress=lambda done, total: reading.append((done, total)))
    apply_plan(plan, progress=lambda done, total: writing.append((done, total)))

    assert reading[-1] == (2500, 2500)
    assert len(reading) > 2
    assert writing[-1] == (2500, 2500)
    assert Dataset.objects.count() == 2500


def test_import_does_not_query_per_row(workspace, tmp_path, django_assert_max_num_queries):
    Actor.objects.create(workspace=workspace, name="Transport Department")
    rows = [DATASET_HEADER] + [
        [
            "",
            f"Dataset {i}",
            "Transport Department" if i % 2 else f"Owner {i % 7}",
            f"Theme {i % 5}; Shared",
            "a; b",
            "CSV",
            f"https://data.example.org/{i}.csv\nAPI | https://data.example.org/{i} | JSON",
            "open",
        ]
        for i in range(600)
    ]
    path = write_csv(tmp_path, "d.csv", rows)

    with django_assert_max_num_queries(10):
        plan = read_plan(workspace, path)
    with django_assert_max_num_queries(60):
        apply_plan(plan)

    assert Distribution.objects.count() == 1200
    path.write_text(path.read_text().replace("open", "named"))
    with django_assert_max_num_queries(10):
        plan = read_plan(workspace, path)
    with django_assert_max_num_queries(60):
        apply_plan(plan)
    assert set(Dataset.objects.values_list("spectrum", flat=True)) == {"named"}


def test_plan_gone_stale_fails_whole(workspace, tmp_path):
    path = write_csv(tmp_path, "d.csv", [["identifier", "title"], ["a", "First"], ["b", "Second"]])
    plan = read_plan(workspace, path)
    Dataset.objects.create(workspace=workspace, identifier="b", title="Made meanwhile")

    with pytest.raises(IntegrityError):
        apply_plan(plan)

    assert list(Dataset.objects.values_list("identifier", flat=True)) == ["b"]
    assert not ImportRun.objects.exists()


def test_plan_cannot_be_applied_twice(workspace, tmp_path):
    path = write_csv(tmp_path, "d.csv", [["title"], ["Bus stops"]])
    plan = read_plan(workspace, path)
    apply_plan(plan)

    with pytest.raises(ValueError, match="already been imported"):
        apply_plan(plan)
    assert Dataset.objects.count() == 1


def test_import_touches_only_its_workspace(workspace, tmp_path):
    other = Workspace.objects.create(name="Lakeside", slug="lakeside")
    Dataset.objects.create(workspace=other, identifier="bus-stops", title="Bus stops")
    Actor.objects.create(workspace=other, name="Transport Department")

    import_file(workspace, datasets_csv(tmp_path))

    assert Dataset.objects.filter(workspace=workspace).count() == 2
    assert Actor.objects.filter(workspace=workspace).count() == 2
    assert Dataset.objects.get(workspace=other).source == ""


def test_export_csv_counts_rows_and_uses_import_header(workspace):
    fill_workspace(workspace)
    stream = io.StringIO()

    written = export_csv(workspace, "actors", stream)

    lines = list(csv.reader(io.StringIO(stream.getvalue())))
    assert written == 3
    assert lines[0] == [c.name for c in ACTOR_COLUMNS]
    assert lines[3][:4] == ["Transport Department", "department", "public", "Riverton Council"]


def test_actor_reimport_updates_parent_and_provenance(workspace, tmp_path):
    council = Actor.objects.create(workspace=workspace, name="Riverton Council")
    Actor.objects.create(workspace=workspace, name="Highways Team", source="typed in")
    path = write_csv(
        tmp_path,
        "actors.csv",
        [["name", "parent", "sector"], ["highways team", "riverton council", "Public sector"]],
    )

    plan = read_plan(workspace, path)

    assert [(c.action, c.label, c.fields) for c in plan.changes] == [
        ("update", "highways team", ["name", "parent"])
    ]
    run = apply_plan(plan)
    team = Actor.objects.get(name="highways team")
    assert team.parent == council
    assert team.source == "import: actors.csv"
    assert (run.actors_created, run.actors_updated) == (0, 1)
    assert Actor.objects.count() == 2


def test_column_given_twice_is_a_problem(workspace, tmp_path):
    path = write_csv(tmp_path, "d.csv", [["title", "Title"], ["Bus stops", "Stops"]])

    [problem] = read_plan(workspace, path).problems

    assert (problem.row, problem.column) == (1, "Title")
    assert "appears twice" in problem.message


HYPERLINK = '=HYPERLINK("https://evil.example","Click")'


def export_to(workspace: Workspace, folder: Path, fmt: str) -> Path:
    """Export the workspace's datasets (CSV) or whole inventory (XLSX) to a real file."""
    if fmt == "csv":
        path = folder / "datasets.csv"
        with path.open("w", newline="", encoding="utf-8-sig") as stream:
            export_csv(workspace, "datasets", stream)
    else:
        path = folder / "inventory.xlsx"
        with path.open("wb") as stream:
            export_xlsx(workspace, stream)
    return path


def exported_csv_titles(workspace: Workspace, folder: Path) -> list[str]:
    path = export_to(workspace, folder, "csv")
    with path.open(newline="", encoding="utf-8-sig") as stream:
        return [row[1] for row in list(csv.reader(stream))[1:]]


def test_csv_export_puts_an_apostrophe_before_a_formula_title(workspace, tmp_path):
    Dataset.objects.create(workspace=workspace, identifier="evil", title=HYPERLINK)

    assert exported_csv_titles(workspace, tmp_path) == ["'" + HYPERLINK]


def test_xlsx_export_writes_a_formula_title_as_a_string_with_an_apostrophe(workspace, tmp_path):
    Dataset.objects.create(workspace=workspace, identifier="evil", title=HYPERLINK)
    path = export_to(workspace, tmp_path, "xlsx")

    cell = load_workbook(path)["Datasets"]["B2"]

    assert cell.data_type == "s"
    assert cell.value == "'" + HYPERLINK


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_title_reimports_without_its_apostrophe(workspace, tmp_path, fmt):
    Dataset.objects.create(workspace=workspace, identifier="evil", title=HYPERLINK)
    path = export_to(workspace, tmp_path, fmt)
    other = Workspace.objects.create(name="Lakeside", slug="lakeside")

    assert {c.action for c in read_plan(workspace, path).changes} == {"unchanged"}
    import_file(other, path)
    assert Dataset.objects.get(workspace=other).title == HYPERLINK


# Each character a spreadsheet program takes as the start of a formula, and text that looks
# like the quoting export adds.
FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r", "'=", "''-"]


def fill_with_formula_like_text(workspace: Workspace) -> dict[str, tuple[str, str, str]]:
    """Datasets, and their stewards, whose text starts like a formula: identifier -> (title,
    description, licence)."""
    expected = {}
    for number, start in enumerate(FORMULA_STARTS):
        steward = Actor.objects.create(
            workspace=workspace,
            name=f"{start}Team {number}",
            description=f"{start} bullet point",
            contact=f"{start}44 20 7946 000{number}",
        )
        expected[f"d{number}"] = (f"{start}Title {number}", f"{start} bullet", f"{start}CC")
        Dataset.objects.create(
            workspace=workspace,
            identifier=f"d{number}",
            title=expected[f"d{number}"][0],
            description=expected[f"d{number}"][1],
            licence=expected[f"d{number}"][2],
            system="-5",
            steward=steward,
        )
    return expected


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_text_starting_with_formula_characters_round_trips_unchanged(workspace, tmp_path, fmt):
    expected = fill_with_formula_like_text(workspace)
    path = export_to(workspace, tmp_path, fmt)

    plan = read_plan(workspace, path)

    assert plan.ok, [str(p) for p in plan.problems]
    assert {c.action for c in plan.changes} == {"unchanged"}
    assert len(plan.changes) == len(FORMULA_STARTS) * (2 if fmt == "xlsx" else 1)
    other = Workspace.objects.create(name="Lakeside", slug="lakeside")
    import_file(other, path)
    copies = Dataset.objects.filter(workspace=other)
    assert {d.identifier: (d.title, d.description, d.licence) for d in copies} == expected
    assert {d.system for d in copies} == {"-5"}
    assert {d.steward.name for d in copies} == {
        f"{start}Team {number}" for number, start in enumerate(FORMULA_STARTS)
    }


def test_xlsx_export_quotes_every_text_cell_that_starts_like_a_formula(workspace, tmp_path):
    fill_with_formula_like_text(workspace)
    path = export_to(workspace, tmp_path, "xlsx")

    workbook = load_workbook(path)
    cells = [
        cell
        for sheet in (workbook["Actors"], workbook["Datasets"])
        for row in sheet.iter_rows(min_row=2)
        for cell in row
        if cell.value is not None
    ]

    assert {cell.data_type for cell in cells} == {"s"}
    formula_like = [cell.value for cell in cells if cell.value[:1] in "=+-@\t\r"]
    assert formula_like == []


def test_title_starting_with_an_apostrophe_and_a_letter_is_left_alone(workspace, tmp_path):
    title = "'Tis the season data"
    Dataset.objects.create(workspace=workspace, identifier="tis", title=title)

    assert exported_csv_titles(workspace, tmp_path) == [title]
    xlsx = export_to(workspace, tmp_path, "xlsx")
    assert load_workbook(xlsx)["Datasets"]["B2"].value == title
    for path in (tmp_path / "datasets.csv", xlsx):
        assert {c.action for c in read_plan(workspace, path).changes} == {"unchanged"}
    typed = write_csv(tmp_path, "typed.csv", [["identifier", "title"], ["typed", title]])
    other = Workspace.objects.create(name="Lakeside", slug="lakeside")
    import_file(other, typed)
    assert Dataset.objects.get(workspace=other).title == title


def test_import_takes_one_apostrophe_off_before_a_formula_character_only(workspace, tmp_path):
    path = write_csv(
        tmp_path,
        "typed.csv",
        [
            ["identifier", "title", "description"],
            ["a", "'=SUM(1;2)", "'- bullet"],
            ["b", "''+two", "'plain"],
            ["c", "it's = fine", "'"],
        ],
    )

    import_file(workspace, path)

    assert list(Dataset.objects.order_by("identifier").values_list("title", "description")) == [
        ("=SUM(1;2)", "- bullet"),
        ("'+two", "'plain"),
        ("it's = fine", "'"),
    ]


def test_xlsx_round_trips_error_codes_carriage_returns_and_escape_lookalikes(workspace, tmp_path):
    values = {
        "na": ("#N/A", "Line one\r\nline two"),
        "code": ("Report_x000D_2024", "_x005F_ and _x0041_"),
    }
    for identifier, (title, description) in values.items():
        Dataset.objects.create(
            workspace=workspace, identifier=identifier, title=title, description=description
        )
    path = export_to(workspace, tmp_path, "xlsx")

    assert {c.action for c in read_plan(workspace, path).changes} == {"unchanged"}
    other = Workspace.objects.create(name="Lakeside", slug="lakeside")
    import_file(other, path)
    copies = Dataset.objects.filter(workspace=other)
    assert {d.identifier: (d.title, d.description) for d in copies} == values
