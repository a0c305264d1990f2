"""Bringing a room's notes back: pasted text and spreadsheets planned, checked and applied all
together or not at all."""

import datetime
import io

import pytest
from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from opencities.canvases import paper
from opencities.canvases.models import (
    BusinessCase,
    Contribution,
    ContributionSource,
    EthicsCanvas,
)
from opencities.canvases.sections import BUSINESS_SECTIONS, ETHICS_SECTIONS
from opencities.projects.models import Project

HEADER = ["canvas", "section", "note", "author"]


@pytest.fixture
def project(workspace):
    return Project.objects.create(workspace=workspace, title="Bins", challenge="Missed bins")


def notes_on(project, canvas="ethics"):
    """(section key, text, author name, source) of every note on one of the project's
    canvases, in the order they were added."""
    field = "ethics_section" if canvas == "ethics" else "business_section"
    link = "canvas" if canvas == "ethics" else "case"
    return list(
        Contribution.objects.filter(**{f"{field}__{link}__project": project})
        .order_by("pk")
        .values_list(f"{field}__key", "text", "author_name", "source")
    )


def workbook(path, rows, header=HEADER, sheet="Notes"):
    book = Workbook()
    book.active.title = sheet
    for row in [header, *rows]:
        book.active.append(row)
    book.save(path)
    return path


# Pasted text --------------------------------------------------------------------------------


def test_one_note_per_line_without_bullets_blank_lines_or_carriage_returns():
    text = (
        "- Bin rounds\r\n\r\n  • GPS traces of lorries\r\n* Missed bin reports  \r\n"
        "•Complaints\r\n-5 °C stops the lorries\r\n   \r\n+ Call centre logs"
    )
    assert paper.parse_notes(text) == [
        (1, "Bin rounds"),
        (3, "GPS traces of lorries"),
        (4, "Missed bin reports"),
        (5, "Complaints"),
        (6, "-5 °C stops the lorries"),
        (8, "Call centre logs"),
    ]


def test_pasted_notes_for_one_section_become_room_contributions(project):
    plan = paper.plan_pasted_notes(
        project, "ethics", "- Bin rounds\n- GPS traces", "Room workshop 12 March", "data_sources"
    )
    assert plan.ok and [n.text for n in plan.new] == ["Bin rounds", "GPS traces"]
    assert not EthicsCanvas.objects.filter(project=project).exists()  # planning writes nothing

    held = timezone.make_aware(datetime.datetime(2025, 3, 12, 12))
    assert paper.apply_notes(plan, created=held) == 2

    assert notes_on(project) == [
        ("data_sources", "Bin rounds", "Room workshop 12 March", ContributionSource.ROOM),
        ("data_sources", "GPS traces", "Room workshop 12 March", ContributionSource.ROOM),
    ]
    assert {c.created for c in Contribution.objects.all()} == {held}
    assert EthicsCanvas.objects.get(project=project).sections.count() == len(ETHICS_SECTIONS)


def test_headings_in_the_text_say_which_section_notes_go_to(project):
    text = (
        "# Data sources\n"
        "- Bin rounds\n"
        "Rights around data sources:\n"
        "- Contract with the lorry firm\n"
        "## 15\n"
        "- Ask legal about the contract\n"
        "# limitations\n"
        "- Rounds are a year old"
    )
    plan = paper.plan_pasted_notes(project, "ethics", text, "Room")
    assert plan.ok, plan.problems
    assert [(n.section, n.text, n.line) for n in plan.new] == [
        ("data_sources", "Bin rounds", 2),
        ("rights", "Contract with the lorry firm", 4),
        ("actions", "Ask legal about the contract", 6),
        ("limitations", "Rounds are a year old", 8),
    ]


def test_a_pasted_heading_that_names_no_section_is_a_problem_on_its_line(project):
    text = "A note before any heading\nanother\n# Data sauces\n- Bin rounds\n" + "x" * 4001
    plan = paper.plan_pasted_notes(project, "ethics", text, "Room")
    assert [p.row for p in plan.problems] == [1, 3, 5]
    before, heading, too_long = (p.message for p in plan.problems)
    assert before.startswith("this note, and any other before the first heading, has no section")
    assert heading.startswith("“Data sauces” is not a section of the Data Ethics Canvas")
    assert too_long.startswith("this note is 4001 characters long")
    with pytest.raises(ValueError):
        paper.apply_notes(plan)
    assert not Contribution.objects.exists()


def test_pasting_the_same_notes_again_adds_only_the_new_ones(project):
    first = paper.plan_pasted_notes(
        project, "business", "Fewer missed bins\nFewer calls", "Room", "problem"
    )
    paper.apply_notes(first)

    again = "Fewer missed bins\nFewer calls\nFewer calls\nCleaner streets"
    plan = paper.plan_pasted_notes(project, "business", again, "Room", "problem")
    assert [n.text for n in plan.already] == ["Fewer missed bins", "Fewer calls"]
    # The same note written twice in the room is two notes: one is there, the other is new.
    assert [n.text for n in plan.new] == ["Fewer calls", "Cleaner streets"]
    assert paper.apply_notes(plan) == 2

    other_author = paper.plan_pasted_notes(project, "business", "Fewer calls", "Table 2", "problem")
    assert len(other_author.new) == 1


def test_a_note_typed_by_a_member_is_not_taken_for_a_room_note(project, editor):
    case = BusinessCase.for_project(project)
    Contribution.objects.create(
        business_section=case.sections.get(key="problem"), text="Fewer calls", author=editor
    )
    plan = paper.plan_pasted_notes(project, "business", "Fewer calls", "", "problem")
    assert len(plan.new) == 1 and not plan.already


# Spreadsheets -------------------------------------------------------------------------------


def test_a_workbook_of_notes_goes_to_both_canvases(project, tmp_path):
    path = workbook(
        tmp_path / "room.xlsx",
        [
            ["ethics", "data_sources", "Bin rounds", "Table 1"],
            ["Data Ethics Canvas", "Rights around data sources", "- Lorry contract", None],
            ["business", "THE PROBLEM", "Missed bins cost €40k a year", "Table 2"],
            [None, None, None, None],
            ["Business case", "12", "Fund a six-month pilot", "Table 2"],
        ],
    )
    plan = paper.plan_notes_file(project, path, default_author="Room workshop 12 March")
    assert plan.ok, plan.problems
    assert [(n.line, n.canvas, n.section) for n in plan.new] == [
        (2, "ethics", "data_sources"),
        (3, "ethics", "rights"),
        (4, "business", "problem"),
        (6, "business", "decision"),
    ]
    assert not Contribution.objects.exists()

    assert paper.apply_notes(plan) == 4

    spreadsheet = ContributionSource.SPREADSHEET
    assert notes_on(project, "ethics") == [
        ("data_sources", "Bin rounds", "Table 1", spreadsheet),
        ("rights", "Lorry contract", "Room workshop 12 March", spreadsheet),
    ]
    assert notes_on(project, "business") == [
        ("problem", "Missed bins cost €40k a year", "Table 2", spreadsheet),
        ("decision", "Fund a six-month pilot", "Table 2", spreadsheet),
    ]
    assert BusinessCase.objects.get(project=project).sections.count() == len(BUSINESS_SECTIONS)


def test_importing_the_same_file_again_adds_nothing(project, tmp_path):
    path = workbook(tmp_path / "room.xlsx", [["ethics", "actions", "Ask legal", "Table 1"]] * 2)
    paper.apply_notes(paper.plan_notes_file(project, path))

    plan = paper.plan_notes_file(project, path)
    assert plan.ok and not plan.new and len(plan.already) == 2
    assert [s.already_there for s in plan.sections()] == [2]
    assert paper.apply_notes(plan) == 0
    assert len(notes_on(project)) == 2


def test_bad_rows_are_named_by_sheet_row_and_column_and_nothing_is_written(project, tmp_path):
    path = workbook(
        tmp_path / "room.xlsx",
        [
            ["ethics", "data_sources", "A good note", ""],
            ["ethics", "data sauces", "Bin rounds", ""],
            ["business", "problem", "   ", ""],
            ["ethics", "risks", "x" * 4001, ""],
            ["poster", "problem", "Fewer calls", ""],
            ["business", "", "Fewer calls", "y" * 121],
        ],
        sheet="Room notes",
    )
    plan = paper.plan_notes_file(project, path)
    assert [(p.table, p.row, p.column) for p in plan.problems] == [
        ("Room notes", 3, "section"),
        ("Room notes", 4, "note"),
        ("Room notes", 5, "section"),
        ("Room notes", 5, "note"),
        ("Room notes", 6, "canvas"),
        ("Room notes", 7, "section"),
        ("Room notes", 7, "author"),
    ]
    messages = [p.message for p in plan.problems]
    assert messages[0].startswith("“data sauces” is not a section of the Data Ethics Canvas")
    assert "4001 characters" in messages[3]
    assert messages[4].startswith("“poster” is not a canvas")
    with pytest.raises(ValueError):
        paper.apply_notes(plan)
    assert not Contribution.objects.exists()


def test_columns_are_checked_before_any_row(project, tmp_path):
    path = workbook(tmp_path / "room.xlsx", [["ethics", "x"]], header=["Canvas", "Notes"])
    plan = paper.plan_notes_file(project, path)
    assert [(p.row, p.column, p.message[:22]) for p in plan.problems] == [
        (1, "Notes", "unknown column “Notes”"),
        (1, "section", "the required column “s"),
        (1, "note", "the required column “n"),
    ]
    assert not plan.new


def test_a_csv_file_with_semicolons_and_a_byte_order_mark(project, tmp_path):
    path = tmp_path / "room.csv"
    path.write_bytes("\ufeffCanvas;Section;Note\nethics;Actions;Ask legal; today\n".encode())
    plan = paper.plan_notes_file(project, path)
    assert plan.problems and plan.problems[0].row == 2  # a stray fourth cell
    path.write_bytes('\ufeffCanvas;Section;Note\nethics;Actions;"Ask legal; today"\n'.encode())
    plan = paper.plan_notes_file(project, path)
    assert plan.ok and [(n.section, n.text) for n in plan.new] == [("actions", "Ask legal; today")]


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("room.txt", b"canvas,section,note", "is not an .xlsx or a .csv file"),
        ("room.xlsx", b"not a workbook", "cannot be opened as an Excel workbook"),
        ("room.csv", "canvas,note\n\xe9".encode("latin-1"), "not in the UTF-8 encoding"),
        ("room.csv", b"\n\n", "row 1"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(project, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(paper.NotesFileError, match=message):
        paper.plan_notes_file(project, path)


def test_the_template_lists_every_section_and_imports_once_filled_in(project, tmp_path):
    binary = io.BytesIO()
    paper.write_notes_template(binary)
    book = load_workbook(io.BytesIO(binary.getvalue()))
    assert book.sheetnames == ["Notes", "Sections", "Help"]
    assert [c.value for c in book["Notes"][1]] == HEADER
    sections = list(book["Sections"].iter_rows(min_row=2, values_only=True))
    assert len(sections) == len(ETHICS_SECTIONS) + len(BUSINESS_SECTIONS)
    assert sections[0][:4] == ("ethics", "data_sources", "Data sources", "1")
    assert sections[-1][:4] == ("business", "decision", "The decision asked for", "12")

    canvas, key = sections[-1][:2]
    book["Notes"].append([canvas, key, "Fund a pilot"])
    book.save(tmp_path / "filled.xlsx")
    plan = paper.plan_notes_file(project, tmp_path / "filled.xlsx")
    assert plan.ok and [(n.section, n.text) for n in plan.new] == [("decision", "Fund a pilot")]


def test_the_guide_lists_every_section_with_its_key_and_number():
    guide = (settings.BASE_DIR.parent / "docs" / "canvas-notes.md").read_text()
    for canvas, sections in paper.SECTIONS.items():
        for number, section in enumerate(sections, 1):
            assert f"| {canvas} | {number} | `{section.key}` | {section.name} |" in guide
