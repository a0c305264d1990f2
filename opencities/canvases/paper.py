"""Canvases on paper: blank canvases to print for a workshop held in a room, and the room's notes
brought back in afterwards.

Many workshops still happen round a table with a printed canvas and sticky notes. The blank
canvases come from the same section list as the pages (`sections.py`), in the active language,
so a reworded question reaches the paper too. A3 is one poster page; A4 is the same canvas on two
portrait pages, so the boxes keep the size people can write in. Greyscale uses grey tones and
border styles instead of colour, so a photocopy still tells the groups apart.

Notes come back in two ways — pasted text (one note per line) or a spreadsheet — and both go
through the same two steps as the other imports of the toolkit: a plan that reads and checks
everything and writes nothing, shown to the facilitator, and then `apply_notes`, which writes the
whole plan in one transaction or nothing. A note already on the section (same text, same author
name, not typed by a signed-in member) counts as "already there" and is not added again, so
importing the same file twice adds its notes once; the same note written twice in one room is
kept twice.

The layouts are described for the people who fill them in by docs/canvas-notes.md.
"""

import csv
import io
import math
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from opencities.inventory.spreadsheet import (
    Column,
    Problem,
    _add_sheet,
    _cell_text,
    _fold,
    _header_key,
    _rows_cells,
    _Sheet,
)
from opencities.projects.models import Project

from .models import (
    BenefitKind,
    BusinessCase,
    Contribution,
    ContributionSource,
    CostKind,
    EthicsCanvas,
)
from .sections import (
    ANSWERS,
    BUSINESS_SECTIONS,
    ETHICS_GROUPS,
    ETHICS_SECTIONS,
    Section,
)

ETHICS = "ethics"
BUSINESS = "business"
CANVASES = (ETHICS, BUSINESS)
SIZES = ("a3", "a4")
COLOURS = ("colour", "grey")

SECTIONS: dict[str, tuple[Section, ...]] = {ETHICS: ETHICS_SECTIONS, BUSINESS: BUSINESS_SECTIONS}
CANVAS_NAMES = {
    ETHICS: gettext_lazy("Data Ethics Canvas"),
    BUSINESS: gettext_lazy("Business Case Canvas"),
}
_MODELS = {ETHICS: EthicsCanvas, BUSINESS: BusinessCase}
# The contribution's foreign key to each canvas' sections, and that section's link to its canvas.
_SECTION_FIELD = {ETHICS: "ethics_section", BUSINESS: "business_section"}
_CANVAS_FIELD = {ETHICS: "canvas", BUSINESS: "case"}

MAX_NOTE_LENGTH: int = Contribution._meta.get_field("text").max_length
MAX_AUTHOR_LENGTH: int = Contribution._meta.get_field("author_name").max_length


# Blank canvases -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Tone:
    """How one group of boxes looks: greyscale tells groups apart by the border style too."""

    band: str
    band_text: str
    box: str
    border: str
    border_style: str
    border_width: str = "1.2pt"


@dataclass(frozen=True)
class Palette:
    ink: str
    muted: str
    tones: dict[str, Tone]


# Keys of the tones: the ethics groups, and "case" for every box of the business case.
PALETTES: dict[str, Palette] = {
    "colour": Palette(
        ink="#1a1a1a",
        muted="#4a4a4a",
        tones={
            "know": Tone("#1d5f9e", "#ffffff", "#f1f6fb", "#1d5f9e", "solid"),
            "impact": Tone("#b3432b", "#ffffff", "#fcf3f0", "#b3432b", "solid"),
            "engage": Tone("#2b7a4b", "#ffffff", "#f0f7f2", "#2b7a4b", "solid"),
            "process": Tone("#6b4a9b", "#ffffff", "#f5f1fa", "#6b4a9b", "solid"),
            "case": Tone("#0f6e73", "#ffffff", "#eff7f7", "#0f6e73", "solid"),
        },
    ),
    "grey": Palette(
        ink="#1a1a1a",
        muted="#4a4a4a",
        tones={
            "know": Tone("#1a1a1a", "#ffffff", "#ffffff", "#1a1a1a", "solid"),
            "impact": Tone("#4d4d4d", "#ffffff", "#ffffff", "#1a1a1a", "dashed"),
            "engage": Tone("#808080", "#000000", "#ffffff", "#1a1a1a", "dotted", "1.8pt"),
            "process": Tone("#bfbfbf", "#000000", "#ffffff", "#1a1a1a", "double", "2.8pt"),
            "case": Tone("#333333", "#ffffff", "#ffffff", "#1a1a1a", "solid"),
        },
    ),
}


@dataclass(frozen=True)
class PaperSize:
    """A3 holds the canvas on one landscape page; A4 on two portrait pages of half the columns.
    Both are 297 mm tall, so a box is about the same size on either."""

    page: str
    width_mm: int
    height_mm: int
    columns_per_page: int


PAPER_SIZES = {
    "a3": PaperSize("A3 landscape", 420, 297, 4),
    "a4": PaperSize("A4 portrait", 210, 297, 2),
}
# The page's layout in millimetres. Sizes are worked out here rather than left to CSS grid or
# flex layout, which WeasyPrint takes seconds over for a page of nested boxes.
MARGIN_MM = {"top": 9, "side": 9, "bottom": 11}
HEAD_MM = 19
BAND_MM = 7
GAP_MM = 3
FIGURE_YEARS = 5


@dataclass(frozen=True)
class BlankBox:
    number: int
    section: Section
    # Rows of a small table to write figures in, one per kind of benefit or cost.
    figures: tuple[str, ...] = ()


@dataclass(frozen=True)
class BlankColumn:
    title: str
    tone: str
    boxes: tuple[BlankBox, ...]
    # The boxes of a column share the height the page leaves them, whatever their number.
    box_height_mm: float = 0


@dataclass(frozen=True)
class BlankPage:
    columns: list[BlankColumn]
    column_width_mm: float


def _numbered(canvas: str) -> list[BlankBox]:
    figures = {
        "benefits": tuple(str(label) for label in BenefitKind.labels),
        "costs": tuple(str(label) for label in CostKind.labels),
    }
    return [
        BlankBox(number, section, figures.get(section.key, ()))
        for number, section in enumerate(SECTIONS[canvas], 1)
    ]


def blank_columns(canvas: str) -> list[BlankColumn]:
    """The canvas as four columns: one per group for the ethics canvas; for the business case,
    its twelve sections read along three rows of four, in the order of the case."""
    boxes = _numbered(canvas)
    if canvas == ETHICS:
        return [
            BlankColumn(str(name), key, tuple(b for b in boxes if b.section.group == key))
            for key, name in ETHICS_GROUPS
        ]
    return [BlankColumn("", "case", tuple(boxes[start::4])) for start in range(4)]


def _page(columns: list[BlankColumn], paper: PaperSize) -> BlankPage:
    width = paper.width_mm - 2 * MARGIN_MM["side"]
    height = paper.height_mm - MARGIN_MM["top"] - MARGIN_MM["bottom"] - HEAD_MM - GAP_MM
    placed = []
    for column in columns:
        free = height - (BAND_MM + GAP_MM if column.title else 0)
        count = len(column.boxes)
        placed.append(replace(column, box_height_mm=_down((free - (count - 1) * GAP_MM) / count)))
    return BlankPage(placed, _down((width - (len(columns) - 1) * GAP_MM) / len(columns)))


def _down(mm: float) -> float:
    """Round down to a tenth of a millimetre: rounding up could push the last box off the page,
    and WeasyPrint would then leave it out."""
    return math.floor(mm * 10) / 10


def blank_pages(canvas: str, size: str) -> list[BlankPage]:
    """The columns on each page: all four on A3, two and two on A4. On A4 the business case is
    read along rows of two, so its six first sections come on the first page."""
    paper = PAPER_SIZES[size]
    per_page = paper.columns_per_page
    if canvas == BUSINESS and per_page == 2:
        boxes = _numbered(canvas)
        pages = [
            [BlankColumn("", "case", tuple(boxes[half + start : half + 6 : 2])) for start in (0, 1)]
            for half in (0, 6)
        ]
    else:
        columns = blank_columns(canvas)
        pages = [columns[start : start + per_page] for start in range(0, len(columns), per_page)]
    return [_page(columns, paper) for columns in pages]


def _check_choice(canvas: str, size: str, colour: str) -> None:
    if canvas not in CANVASES or size not in SIZES or colour not in COLOURS:
        raise ValueError(
            f"no blank canvas {canvas}-{size}-{colour}: the canvas is one of {CANVASES}, the "
            f"size one of {SIZES} and the colour one of {COLOURS}."
        )


def blank_canvas_html(canvas: str, size: str, colour: str, project: Project) -> str:
    """The HTML WeasyPrint turns into the blank canvas, in the active language."""
    _check_choice(canvas, size, colour)
    return render_to_string(
        "canvases/blank.html",
        {
            "canvas_name": CANVAS_NAMES[canvas],
            "project": project,
            "paper": PAPER_SIZES[size],
            "margin": MARGIN_MM,
            "head_mm": HEAD_MM,
            "band_mm": BAND_MM,
            "gap_mm": GAP_MM,
            "palette": PALETTES[colour],
            "pages": blank_pages(canvas, size),
            "answers": list(ANSWERS.values()),
            "years": range(1, FIGURE_YEARS + 1),
        },
    )


def blank_canvas_pdf(canvas: str, size: str, colour: str, project: Project) -> bytes:
    """The blank canvas as a PDF to print for a workshop held in a room."""
    # Loading WeasyPrint loads Pango and Cairo, which only the PDFs need: not at start-up.
    from weasyprint import HTML

    html = blank_canvas_html(canvas, size, colour, project)
    return HTML(string=html).write_pdf()


def blank_canvas_filename(canvas: str, size: str, colour: str) -> str:
    _check_choice(canvas, size, colour)
    name = "data-ethics-canvas" if canvas == ETHICS else "business-case-canvas"
    return f"{name}-{size}-{colour}.pdf"


# Notes to bring back in ---------------------------------------------------------------------


@dataclass(frozen=True)
class Note:
    """One note to add to a section; `line` is the line of the pasted text or the row of the
    sheet it came from."""

    canvas: str
    section: str
    text: str
    author_name: str
    line: int


@dataclass
class PlannedSection:
    """What a plan adds to one section, for the preview."""

    canvas: str
    number: int
    section: Section
    new: list[Note] = field(default_factory=list)
    already_there: int = 0

    @property
    def canvas_name(self) -> str:
        return str(CANVAS_NAMES[self.canvas])


@dataclass
class NotesPlan:
    """What bringing notes back would add to the project's canvases, and every problem that
    stops it. Notes in `already` are on their section already and are not added again."""

    project: Project
    source: str
    problems: list[Problem] = field(default_factory=list)
    new: list[Note] = field(default_factory=list)
    already: list[Note] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def sections(self) -> list[PlannedSection]:
        """The sections the notes go to, in canvas order."""
        planned = {
            (canvas, section.key): PlannedSection(canvas, number, section)
            for canvas in CANVASES
            for number, section in enumerate(SECTIONS[canvas], 1)
        }
        for note in self.new:
            planned[note.canvas, note.section].new.append(note)
        for note in self.already:
            planned[note.canvas, note.section].already_there += 1
        return [p for p in planned.values() if p.new or p.already_there]


# Dashes, asterisks and plus signs are bullets only before a space ("-5 °C" is a note); the
# round and square bullets word processors put in front of list items are bullets anyway.
_BULLET = re.compile(
    r"(?:[-*+\u2013\u2014](?=\s|$)|[\u2022\u00b7\u2023\u25e6\u25aa\u25cf\u25cb\u25a0\u25a1])\s*"
)
_HASH_HEADING = re.compile(r"#+\s*(.*)")


def clean_note(line: str) -> str:
    """A line as a note: without the spaces around it and a bullet in front ("- ", "• ", "* ")."""
    line = line.strip()
    bullet = _BULLET.match(line)
    return line[bullet.end() :].strip() if bullet else line


def parse_notes(text: str) -> list[tuple[int, str]]:
    """Each note of pasted text with its line number: one note per line, skipping blank lines."""
    notes = []
    for number, line in enumerate(text.splitlines(), 1):
        note = clean_note(line)
        if note:
            notes.append((number, note))
    return notes


def _section_names(canvas: str) -> dict[str, str]:
    """Section keys by the names people write: the name in English and in the active language,
    with or without the number printed on the blank canvas."""
    names: dict[str, str] = {}
    for language in ("en", translation.get_language() or "en"):
        with translation.override(language):
            for number, section in enumerate(SECTIONS[canvas], 1):
                name = _fold(str(section.name))
                for written in (name, f"{number} {name}", f"{number}. {name}"):
                    names[written] = section.key
    return names


def section_lookup(canvas: str) -> dict[str, str]:
    """Section keys by everything that names a section: its key (underscores or spaces), its
    name in English or the active language, and its number on the blank canvas."""
    lookup = _section_names(canvas)
    for number, section in enumerate(SECTIONS[canvas], 1):
        lookup[section.key] = section.key
        lookup[_fold(section.key.replace("_", " "))] = section.key
        lookup[str(number)] = section.key
    return lookup


def canvas_lookup() -> dict[str, str]:
    """Canvases by the ways people write them: their key, or their name in English or the
    active language, with or without "canvas"."""
    lookup = {canvas: canvas for canvas in CANVASES}
    for language in ("en", translation.get_language() or "en"):
        with translation.override(language):
            for canvas in CANVASES:
                name = _fold(str(CANVAS_NAMES[canvas]))
                lookup[name] = canvas
                lookup[name.removesuffix(" canvas")] = canvas
    return lookup


def _find(lookup: dict[str, str], text: str) -> str | None:
    return lookup.get(text) or lookup.get(_fold(text))


def _sort_existing(plan: NotesPlan, notes: list[Note]) -> None:
    """Split notes into new ones and ones already on their section. Each note already there
    stands for one existing contribution, so a note written twice in a room is added twice."""
    existing: Counter[tuple[str, str, str, str]] = Counter()
    for canvas in {note.canvas for note in notes}:
        section_field = _SECTION_FIELD[canvas]
        rows = Contribution.objects.filter(
            **{f"{section_field}__{_CANVAS_FIELD[canvas]}__project": plan.project},
            author__isnull=True,
        ).values_list(f"{section_field}__key", "author_name", "text")
        existing.update((canvas, *row) for row in rows)
    for note in notes:
        key = (note.canvas, note.section, note.author_name, note.text)
        if existing[key]:
            existing[key] -= 1
            plan.already.append(note)
        else:
            plan.new.append(note)


def plan_pasted_notes(
    project: Project, canvas: str, text: str, author_name: str, section: str = ""
) -> NotesPlan:
    """Plan the notes pasted for one canvas, writing nothing.

    With `section`, every line is a note on that section. Without, headings in the text say
    where the notes below them go: a line starting with "#", or a line that is just a
    section's name (a colon after it allowed).
    """
    plan = NotesPlan(project, ContributionSource.ROOM)
    lookup = section_lookup(canvas)
    names = _section_names(canvas)
    example = SECTIONS[canvas][0].name
    # None before the first heading; "" under a heading that names no section (reported once).
    current: str | None = section or None
    orphans_reported = False
    notes: list[Note] = []

    def problem(number: int, message: str) -> None:
        plan.problems.append(Problem(_("pasted notes"), number, None, message))

    for number, line in parse_notes(text):
        hashed = _HASH_HEADING.fullmatch(line)
        if not section and (hashed or _fold(line.removesuffix(":")) in names):
            heading = (hashed[1] if hashed else line).strip().removesuffix(":").strip()
            current = _find(lookup, heading) or ""
            if not current:
                problem(
                    number,
                    _(
                        "“%(heading)s” is not a section of the %(canvas)s; write a section's "
                        "name after the #, such as “%(example)s”."
                    )
                    % {"heading": heading, "canvas": CANVAS_NAMES[canvas], "example": example},
                )
        elif len(line) > MAX_NOTE_LENGTH:
            problem(number, _too_long(line))
        elif current is None and not orphans_reported:
            orphans_reported = True
            problem(
                number,
                _(
                    "this note, and any other before the first heading, has no section; put a "
                    "heading such as “# %(example)s” above it, or choose the section."
                )
                % {"example": example},
            )
        elif current:
            notes.append(Note(canvas, current, line, author_name, number))
    _sort_existing(plan, notes)
    return plan


def _too_long(text: str) -> str:
    return _(
        "this note is %(length)d characters long; shorten it to %(limit)d or fewer, or split "
        "it in two."
    ) % {"length": len(text), "limit": MAX_NOTE_LENGTH}


# Spreadsheets of notes


class NotesFileError(Exception):
    """The file cannot be read at all, so there are no rows to report problems against."""


NOTES_SHEET = "Notes"
NOTE_COLUMNS: list[Column] = [
    Column(
        "canvas",
        True,
        gettext_lazy(
            "Which canvas the note is for: ethics (the Data Ethics Canvas) or business (the "
            "Business Case Canvas). The canvas' name is understood too."
        ),
        "ethics",
    ),
    Column(
        "section",
        True,
        gettext_lazy(
            "The section of that canvas: its key or its name, as in the Sections sheet, in "
            "any capitals, or its number on the printed canvas."
        ),
        "data_sources",
    ),
    Column(
        "note",
        True,
        gettext_lazy("The note, as written in the room: one note per row, up to 4000 characters."),
        gettext_lazy("Bin lorry GPS traces show where each round went"),
    ),
    Column(
        "author",
        False,
        gettext_lazy(
            "Who wrote it or where it comes from, up to 120 characters. Empty: the name given "
            "when uploading the file, if any."
        ),
        gettext_lazy("Table 2, workshop of 12 March"),
    ),
]


def _read_csv(path: Path, filename: str) -> _Sheet:
    """The rows of a CSV file, as the inventory's import reads them: UTF-8, and a comma,
    semicolon or tab between cells, whichever row 1 uses most."""
    data = path.read_bytes()
    if data.startswith(b"PK\x03\x04"):
        raise NotesFileError(
            _(
                "%(file)s is an Excel workbook, not a CSV file: rename it to end in .xlsx, or "
                "save it from your spreadsheet program as “CSV UTF-8”."
            )
            % {"file": filename}
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotesFileError(
            _(
                "%(file)s is not in the UTF-8 encoding (line %(line)d cannot be read). Save it "
                "again as “CSV UTF-8” and upload that."
            )
            % {"file": filename, "line": data.count(b"\n", 0, exc.start) + 1}
        ) from exc
    header_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = [
            (number, [_cell_text(cell) for cell in cells]) for number, cells in enumerate(reader, 1)
        ]
    except csv.Error as exc:
        raise NotesFileError(
            _("%(file)s cannot be read as CSV near line %(line)d: %(error)s.")
            % {"file": filename, "line": reader.line_num, "error": exc}
        ) from exc
    return _sheet(filename, rows, filename)


def _read_xlsx(path: Path, filename: str) -> _Sheet:
    """The Notes sheet of a workbook, or its first sheet when none is called Notes, so that a
    workbook of someone's own making with one sheet imports too."""
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # damaged workbooks fail in many ways, all meaning the same
        raise NotesFileError(
            _(
                "%(file)s cannot be opened as an Excel workbook (.xlsx); it may be damaged or in "
                "another format. Open it in your spreadsheet program and save it again as an "
                "Excel workbook."
            )
            % {"file": filename}
        ) from exc
    try:
        names = workbook.sheet_names
        name = next((n for n in names if n.strip().casefold() == "notes"), names[0])
        # skip_empty_area=False keeps leading empty rows, so row numbers match the sheet's.
        values = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        rows = [
            (number, [_cell_text(value) for value in cells])
            for number, cells in enumerate(values, 1)
        ]
    except Exception as exc:
        raise NotesFileError(
            _(
                "%(file)s is damaged and cannot be read. Open it in your spreadsheet program "
                "and save it again as an Excel workbook."
            )
            % {"file": filename}
        ) from exc
    finally:
        workbook.close()
    return _sheet(name, rows, filename)


def _sheet(name: str, rows: list[tuple[int, list[str]]], filename: str) -> _Sheet:
    if not rows or not any(rows[0][1]):
        raise NotesFileError(
            _(
                "%(file)s: row 1 of “%(sheet)s” is empty; it should hold the column names "
                "canvas, section, note and author."
            )
            % {"file": filename, "sheet": name}
        )
    return _Sheet(name, rows[0][1], rows[1:])


def _map_columns(sheet: _Sheet, problems: list[Problem]) -> dict[str, int] | None:
    """Where each column is; None when a required one is missing, as then every row would only
    repeat that problem. An unknown column is a problem: it is often a misspelt known one."""
    known = {c.name for c in NOTE_COLUMNS}
    expected = ", ".join(c.name for c in NOTE_COLUMNS)
    positions: dict[str, int] = {}
    for index, cell in enumerate(sheet.header):
        key = _header_key(cell)
        if not key:
            continue
        if key not in known:
            message = _(
                "unknown column “%(column)s”; expected one of %(expected)s. Rename or delete it."
            ) % {"column": cell, "expected": expected}
        elif key in positions:
            message = _(
                "the column “%(column)s” appears twice (columns %(first)d and %(second)d); "
                "delete one of them."
            ) % {"column": key, "first": positions[key] + 1, "second": index + 1}
        else:
            positions[key] = index
            continue
        problems.append(Problem(sheet.table, 1, cell, message))
    missing = [c.name for c in NOTE_COLUMNS if c.required and c.name not in positions]
    for name in missing:
        problems.append(
            Problem(
                sheet.table,
                1,
                name,
                _("the required column “%(column)s” is missing; add it to row 1.")
                % {"column": name},
            )
        )
    return None if missing else positions


def plan_notes_file(
    project: Project, path: str | Path, filename: str | None = None, default_author: str = ""
) -> NotesPlan:
    """Plan importing a spreadsheet of notes (.xlsx or .csv) into the project's canvases,
    writing nothing. Raises NotesFileError for a file that cannot be read at all."""
    path = Path(path)
    filename = filename or path.name
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        sheet = _read_csv(path, filename)
    elif suffix == ".xlsx":
        sheet = _read_xlsx(path, filename)
    else:
        raise NotesFileError(_("%(file)s is not an .xlsx or a .csv file.") % {"file": filename})
    plan = NotesPlan(project, ContributionSource.SPREADSHEET)
    positions = _map_columns(sheet, plan.problems)
    if positions is None:
        return plan
    canvases = canvas_lookup()
    sections = {canvas: section_lookup(canvas) for canvas in CANVASES}
    notes: list[Note] = []
    for row, cells in _rows_cells(sheet, positions, plan.problems):
        note = _check_row(sheet.table, row, cells, canvases, sections, default_author, plan)
        if note is not None:
            notes.append(note)
    _sort_existing(plan, notes)
    return plan


def _check_row(
    table: str,
    row: int,
    cells: dict[str, str],
    canvases: dict[str, str],
    sections: dict[str, dict[str, str]],
    default_author: str,
    plan: NotesPlan,
) -> Note | None:
    """The row's note, or None after noting a problem for each cell that will not do."""
    found = len(plan.problems)

    def problem(column: str, message: str) -> None:
        plan.problems.append(Problem(table, row, column, message))

    written = cells["canvas"]
    canvas = _find(canvases, written) if written else None
    if not written:
        problem("canvas", _("this is empty; write ethics or business."))
    elif canvas is None:
        problem(
            "canvas",
            _(
                "“%(value)s” is not a canvas; write ethics (the Data Ethics Canvas) or business "
                "(the Business Case Canvas)."
            )
            % {"value": written},
        )
    section = None
    if not cells["section"]:
        problem("section", _("this is empty; write the section's key or name."))
    elif canvas is not None:
        section = _find(sections[canvas], cells["section"])
        if section is None:
            problem(
                "section",
                _(
                    "“%(value)s” is not a section of the %(canvas)s; write its key or its name, "
                    "as listed in the Sections sheet of the template."
                )
                % {"value": cells["section"], "canvas": CANVAS_NAMES[canvas]},
            )
    text = clean_note(cells["note"])
    if not text:
        problem("note", _("this is empty; write the note, or delete the row."))
    elif len(text) > MAX_NOTE_LENGTH:
        problem("note", _too_long(text))
    author = cells.get("author", "") or default_author
    if len(author) > MAX_AUTHOR_LENGTH:
        problem(
            "author",
            _("this is %(length)d characters long; shorten it to %(limit)d or fewer.")
            % {"length": len(author), "limit": MAX_AUTHOR_LENGTH},
        )
    if len(plan.problems) > found or canvas is None or section is None:
        return None
    return Note(canvas, section, text, author, row)


def apply_notes(plan: NotesPlan, created: datetime | None = None) -> int:
    """Add the plan's new notes as contributions, in one transaction: all of them or none.
    Starts a canvas the project has not opened yet. Returns how many notes were added."""
    if not plan.ok:
        raise ValueError("a plan with problems cannot be applied; show its problems instead.")
    created = created or timezone.now()
    contributions = []
    with transaction.atomic():
        for canvas in CANVASES:
            notes = [note for note in plan.new if note.canvas == canvas]
            if not notes:
                continue
            by_key = {s.key: s for s in _MODELS[canvas].for_project(plan.project).sections.all()}
            contributions += [
                Contribution(
                    **{_SECTION_FIELD[canvas]: by_key[note.section]},
                    text=note.text,
                    author_name=note.author_name,
                    source=plan.source,
                    created=created,
                )
                for note in notes
            ]
        Contribution.objects.bulk_create(contributions)
    return len(contributions)


def write_notes_template(stream: BinaryIO) -> None:
    """A workbook to type a room's notes into: an empty Notes sheet, every section of both
    canvases with its key, name and number on the Sections sheet, and a Help sheet."""
    workbook = Workbook(write_only=True)
    _add_sheet(workbook, NOTES_SHEET, [c.name for c in NOTE_COLUMNS], [], [12, 24, 80, 30])
    section_rows = [
        [
            canvas,
            section.key,
            str(section.name),
            str(number),
            " ".join(str(question) for question in section.questions),
        ]
        for canvas in CANVASES
        for number, section in enumerate(SECTIONS[canvas], 1)
    ]
    _add_sheet(
        workbook,
        _("Sections"),
        ["canvas", "section", _("name"), _("number on the printed canvas"), _("questions")],
        section_rows,
        [12, 20, 36, 12, 100],
    )
    help_rows = [
        [c.name, _("yes") if c.required else _("no"), str(c.help), str(c.example)]
        for c in NOTE_COLUMNS
    ]
    _add_sheet(
        workbook,
        _("Help"),
        [_("column"), _("required"), _("what to write"), _("example")],
        help_rows,
        [12, 10, 90, 40],
    )
    workbook.save(stream)
