"""CSV and XLSX import and export of a workspace's inventory of actors and datasets.

Most cities keep their first inventory in a spreadsheet, so this is the way in for most of them.
An import happens in two steps. `read_plan` reads the whole file, checks every cell and compares
each row with the workspace, writing nothing, so people see every problem and every change before
they commit to any of it. `apply_plan` then writes the plan in one transaction: an import lands
whole or not at all. Export writes the same layout, so a file can go out, be edited and come back,
and a file that comes back unedited changes nothing.

The layout is described for the people who fill it in by docs/spreadsheet-layout.md.
"""

import csv
import functools
import gc
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from opencities.accounts.models import Workspace

from .models import (
    Actor,
    ActorKind,
    Dataset,
    DatasetStatus,
    Distribution,
    ImportRun,
    PersonalData,
    Sector,
    Spectrum,
    Theme,
    UpdateFrequency,
    unique_identifier,
)

Progress = Callable[[int, int], None]

ACTORS = "actors"
DATASETS = "datasets"

# Rows per INSERT/UPDATE batch and per progress report: big enough that a 50,000-row import
# needs few queries, small enough that a batch's pks fit in one `IN (...)` even on SQLite builds
# limited to 999 parameters a query.
BATCH_SIZE = 900


@dataclass(frozen=True)
class Column:
    """A column of the file. Names (and the codes columns hold) are the file format and the
    same in every language; the help is in the language of whoever reads it."""

    name: str
    required: bool
    help: str
    example: str


ACTOR_COLUMNS: list[Column] = [
    Column(
        "name",
        True,
        gettext_lazy(
            "The organisation, part of one, or group of people. Each name appears once in the "
            "file; a name already in the workspace updates that actor instead of adding a new one."
        ),
        "Transport Department",
    ),
    Column(
        "kind",
        False,
        gettext_lazy("What sort of actor this is. Blank means 'other'."),
        "department",
    ),
    Column(
        "sector",
        False,
        gettext_lazy("Which sector the actor belongs to. Blank means 'public'."),
        "public",
    ),
    Column(
        "parent",
        False,
        gettext_lazy(
            "The name of the organisation this one is part of, e.g. 'Riverton City Council' for "
            "one of its departments. It must be another row of this sheet or an actor already in "
            "the workspace. Blank means it is not part of another actor."
        ),
        "",
    ),
    Column(
        "description",
        False,
        gettext_lazy("What the actor does, in a sentence or two."),
        "Runs buses, roads and parking.",
    ),
    Column(
        "contact",
        False,
        gettext_lazy("Who to ask, e.g. an email address."),
        "transport@riverton.example",
    ),
    Column(
        "website",
        False,
        gettext_lazy("The actor's web site, as a full address starting with https://"),
        "https://www.riverton.example/transport",
    ),
]

DATASET_COLUMNS: list[Column] = [
    Column(
        "identifier",
        False,
        gettext_lazy(
            "A stable short name made of letters, numbers, hyphens and underscores. A row whose "
            "identifier is already in the workspace updates that dataset. Blank: the row updates "
            "the dataset with the same title if there is one, else an identifier is made from the "
            "title."
        ),
        "bus-stops",
    ),
    Column("title", True, gettext_lazy("The name people know the data by."), "Bus stops"),
    Column(
        "description",
        False,
        gettext_lazy("What the data holds and what it is for."),
        "Location and facilities of every bus stop in the city.",
    ),
    Column(
        "steward",
        False,
        gettext_lazy(
            "The name of the actor who looks after the data: a row of the Actors sheet or an actor "
            "already in the workspace. A name found in neither is added as a new actor."
        ),
        "Transport Department",
    ),
    Column(
        "themes",
        False,
        gettext_lazy(
            "Subjects the data is about, separated by semicolons. New themes are added as needed."
        ),
        "Transport; Mobility",
    ),
    Column(
        "keywords",
        False,
        gettext_lazy("Search words, separated by semicolons."),
        "bus; stops; public transport",
    ),
    Column(
        "licence",
        False,
        gettext_lazy("The licence the data is shared under, if any."),
        "OGL-UK-3.0",
    ),
    Column(
        "formats",
        False,
        gettext_lazy(
            "File formats the data comes in, separated by semicolons (written in capitals)."
        ),
        "CSV; GEOJSON",
    ),
    Column(
        "update_frequency",
        False,
        gettext_lazy("How often the data changes. Blank means 'unknown'."),
        "weekly",
    ),
    Column(
        "system", False, gettext_lazy("The system the data lives in."), "Transit asset register"
    ),
    Column(
        "distributions",
        False,
        gettext_lazy(
            "Where to get the data: one per line, each a web address, optionally written as "
            "'Title | https://... | FORMAT'. Replaces the dataset's distributions when re-imported."
        ),
        "Bus stops (CSV) | https://data.riverton.example/bus-stops.csv | CSV",
    ),
    Column(
        "personal_data",
        False,
        gettext_lazy("Whether the data is about people, and how. Blank means 'none'."),
        "none",
    ),
    Column(
        "spectrum",
        False,
        gettext_lazy(
            "Where the data sits on the Data Spectrum, from closed to open. Blank means 'internal'."
        ),
        "open",
    ),
    Column(
        "status",
        False,
        gettext_lazy(
            "'exists' for data the city has; 'gap' for data someone needs that does not exist; "
            "'unidentified' when it exists but nobody knows who holds it. Blank means 'exists'."
        ),
        "exists",
    ),
]

COLUMNS: dict[str, list[Column]] = {ACTORS: ACTOR_COLUMNS, DATASETS: DATASET_COLUMNS}

# Choice columns: the TextChoices they take and how to name one in a message ("is not <noun>").
CHOICE_COLUMNS: dict[str, tuple[type[models.TextChoices], str]] = {
    "kind": (ActorKind, gettext_lazy("a kind of actor")),
    "sector": (Sector, gettext_lazy("a sector")),
    "update_frequency": (UpdateFrequency, gettext_lazy("an update frequency")),
    "personal_data": (PersonalData, gettext_lazy("a personal-data level")),
    "spectrum": (Spectrum, gettext_lazy("a Data Spectrum level")),
    "status": (DatasetStatus, gettext_lazy("a dataset status")),
}

LIST_COLUMNS = {"themes", "keywords", "formats"}

# Longest text each column can hold, from the model fields it fills.
_MAX_LENGTH = {
    ACTORS: {"name": 200, "contact": 300, "website": 500, "parent": 200},
    DATASETS: {
        "identifier": 200,
        "title": 300,
        "steward": 200,
        "licence": 200,
        "system": 200,
    },
}
_THEME_MAX_LENGTH = 100
_DISTRIBUTION_MAX_LENGTH = {"title": 300, "url": 1000, "format": 50}

# Plain model fields a column fills directly (parent, steward, identifier, themes and distributions
# need resolving first).
_ACTOR_FIELDS = ("name", "kind", "sector", "description", "contact", "website")
_DATASET_FIELDS = (
    "title",
    "description",
    "keywords",
    "licence",
    "formats",
    "update_frequency",
    "system",
    "personal_data",
    "spectrum",
    "status",
)


class SpreadsheetError(Exception):
    """The file cannot be read at all, so there are no rows to report problems against."""


@dataclass
class Problem:
    table: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.table.capitalize()
        if self.row is not None:
            where += f" row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


@dataclass
class Change:
    table: str
    action: str
    label: str
    row: int | None
    fields: list[str] = field(default_factory=list)
    # Why a change has no row of its own, e.g. an actor added because a dataset names it.
    note: str = ""

    def __str__(self) -> str:
        text = f"{self.action} {self.table[:-1]} '{self.label}'"
        if self.fields:
            text += f" ({', '.join(self.fields)})"
        if self.note:
            text += f" ({self.note})"
        return text


# An actor as a row refers to it: the pk of one already in the workspace, or the folded name of
# one the import will create (its pk is only known once it is written).
ActorRef = int | str


@dataclass(slots=True)
class _ActorRow:
    row: int
    key: str
    values: dict[str, Any]
    parent: ActorRef | None = None
    pk: int | None = None
    ok: bool = True
    action: str = "create"
    fields: list[str] = field(default_factory=list)

    @property
    def ref(self) -> ActorRef:
        return self.pk if self.pk is not None else self.key


@dataclass(slots=True)
class _DatasetRow:
    row: int
    identifier: str
    values: dict[str, Any]
    steward: ActorRef | None = None
    themes: list[str] | None = None
    distributions: list[tuple[str, str, str]] | None = None
    pk: int | None = None
    ok: bool = True
    action: str = "create"
    fields: list[str] = field(default_factory=list)


@dataclass
class _PlanState:
    actor_columns: frozenset[str] = frozenset()
    dataset_columns: frozenset[str] = frozenset()
    actors: list[_ActorRow] = field(default_factory=list)
    # Actors named as stewards but found nowhere: folded name -> name as first written.
    steward_actors: dict[str, str] = field(default_factory=dict)
    datasets: list[_DatasetRow] = field(default_factory=list)
    applied: bool = False


@dataclass
class ImportPlan:
    workspace: Workspace
    filename: str
    file_format: str
    problems: list[Problem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    _state: _PlanState = field(default_factory=_PlanState, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> dict[str, dict[str, int]]:
        counts = {table: {"create": 0, "update": 0, "unchanged": 0} for table in (ACTORS, DATASETS)}
        for change in self.changes:
            counts[change.table][change.action] += 1
        return counts


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Reading or writing tens of thousands of rows allocates millions of small objects, which
    sets off full garbage collections that rescan every row held so far; these rows form no
    reference cycles, so collection waits until the work is done."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# Formula injection --------------------------------------------------------------------------

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets, which
# lets anyone who can name a dataset plant, say, a HYPERLINK to their own site in every export.
# Export puts an apostrophe in front of such text (OWASP's advice for CSV injection) and import
# takes it off again. Text that already starts with apostrophes before one of these characters
# gets one more too, so that every value, "'=x" included, comes back exactly as it went out.
_FORMULA_START = re.compile(r"'*[=+\-@\t\r]")


def _defuse(text: str) -> str:
    """Text as exported: never read as a formula by a spreadsheet program."""
    return "'" + text if _FORMULA_START.match(text) else text


def _restore(text: str) -> str:
    """The text `_defuse` was given: one apostrophe off a cell where it added one."""
    return text[1:] if text[:1] == "'" and _FORMULA_START.match(text, 1) else text


# Reading files ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Sheet:
    """One table as read from the file: header cells and (row number, cells) for each row."""

    table: str
    header: list[str]
    rows: list[tuple[int, list[str]]]


def _cell_text(value: Any) -> str:
    """Spreadsheet cells hold numbers and dates too; give each the text a person would type."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _restore(value.strip())
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


def _header_key(text: str) -> str:
    """'Update frequency ' and 'update_frequency' name the same column."""
    return "_".join(text.replace("\ufeff", "").replace("-", " ").split()).casefold()


def _read_csv(path: Path, filename: str) -> list[_Sheet]:
    data = path.read_bytes()
    if data.startswith(b"PK\x03\x04"):
        raise SpreadsheetError(
            _(
                "%(filename)s is an Excel workbook, not a CSV file: rename it to end in .xlsx, "
                "or save it from your spreadsheet program as 'CSV UTF-8'."
            )
            % {"filename": filename}
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SpreadsheetError(
            _(
                "%(filename)s is not in the UTF-8 encoding: byte 0x%(byte)02x on line %(line)d "
                "cannot be read. Save the file again as 'CSV UTF-8' (in Excel: File > Save As > "
                "CSV UTF-8) and import that."
            )
            % {"filename": filename, "byte": data[exc.start], "line": line}
        ) from exc
    header_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=header_line.count)
    # Read from the bytes: a StringIO of the text would hold it at four bytes a character.
    del text
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    reader = csv.reader(stream, delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    try:
        rows.extend(
            (number, [_restore(cell.strip()) for cell in cells])
            for number, cells in enumerate(reader, 1)
        )
    except csv.Error as exc:
        raise SpreadsheetError(
            _("%(filename)s cannot be read as CSV near line %(line)d: %(error)s.")
            % {"filename": filename, "line": reader.line_num, "error": exc}
        ) from exc
    if not rows or not any(rows[0][1]):
        raise SpreadsheetError(
            _("%(filename)s has no header: row 1 should hold the column names, e.g. '%(names)s'.")
            % {"filename": filename, "names": ",".join(c.name for c in DATASET_COLUMNS[:3])}
        )
    header = rows[0][1]
    return [_Sheet(_csv_table(header, filename), header, rows[1:])]


def _csv_table(header: list[str], filename: str) -> str:
    """A CSV file holds one table; tell which from its column names."""
    keys = {_header_key(cell) for cell in header}
    if "title" in keys:
        return DATASETS
    if "name" in keys:
        return ACTORS
    actor_only = {c.name for c in ACTOR_COLUMNS} - {c.name for c in DATASET_COLUMNS}
    dataset_only = {c.name for c in DATASET_COLUMNS} - {c.name for c in ACTOR_COLUMNS}
    actor_score, dataset_score = len(keys & actor_only), len(keys & dataset_only)
    if dataset_score > actor_score:
        return DATASETS
    if actor_score > dataset_score:
        return ACTORS
    raise SpreadsheetError(
        _(
            "%(filename)s: cannot tell whether this file lists actors or datasets. A file of "
            "datasets needs a 'title' column and a file of actors a 'name' column, in row 1."
        )
        % {"filename": filename}
    )


def unreadable_workbook(filename: str, exc: Exception) -> str:
    return _(
        "%(filename)s cannot be opened as an Excel workbook (.xlsx); it may be damaged or in "
        "another format (%(error)s). Open it in your spreadsheet program and save it again as an "
        "Excel workbook."
    ) % {"filename": filename, "error": f"{type(exc).__name__}: {exc}"}


def damaged_workbook(filename: str, exc: Exception) -> str:
    return _(
        "%(filename)s is damaged and cannot be read (%(error)s). Open it in your spreadsheet "
        "program and save it again as an Excel workbook."
    ) % {"filename": filename, "error": f"{type(exc).__name__}: {exc}"}


def _read_xlsx(path: Path, filename: str) -> list[_Sheet]:
    """Read an Excel workbook with calamine (a Rust reader): openpyxl's pure-Python XML parsing
    took three quarters of a 50,000-row import, calamine a twentieth of it."""
    # Damaged workbooks fail in many ways (zip, XML, the reader's own checks); to the person
    # importing they all mean the same thing.
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise SpreadsheetError(unreadable_workbook(filename, exc)) from exc
    try:
        return _read_workbook(workbook, filename)
    except SpreadsheetError:
        raise
    except Exception as exc:
        raise SpreadsheetError(damaged_workbook(filename, exc)) from exc
    finally:
        workbook.close()


def empty_header(filename: str, sheet: str) -> str:
    return _(
        "%(filename)s, sheet '%(sheet)s': row 1 is empty; it should hold the column names."
    ) % {
        "filename": filename,
        "sheet": sheet,
    }


def _read_workbook(workbook: Any, filename: str) -> list[_Sheet]:
    found: dict[str, str] = {}
    for name in workbook.sheet_names:
        table = name.strip().casefold()
        if table in (ACTORS, DATASETS) and table not in found:
            found[table] = name
    if not found:
        raise SpreadsheetError(
            _(
                "%(filename)s has no sheet called 'Actors' or 'Datasets' (its sheets are: "
                "%(sheets)s). Rename the sheet that holds your data."
            )
            % {"filename": filename, "sheets": ", ".join(workbook.sheet_names)}
        )
    sheets = []
    for table in (ACTORS, DATASETS):
        if table not in found:
            continue
        # skip_empty_area=False keeps leading empty rows, so row numbers match the sheet's.
        values = workbook.get_sheet_by_name(found[table]).to_python(skip_empty_area=False)
        rows = [
            (number, [_cell_text(value) for value in cells])
            for number, cells in enumerate(values, 1)
        ]
        if not any(any(cells) for _number, cells in rows):
            continue
        if not any(rows[0][1]):
            raise SpreadsheetError(empty_header(filename, found[table]))
        sheets.append(_Sheet(table, rows[0][1], rows[1:]))
    if not sheets:
        raise SpreadsheetError(
            _("%(filename)s has no header: the sheets %(sheets)s are empty.")
            % {"filename": filename, "sheets": ", ".join(repr(name) for name in found.values())}
        )
    return sheets


# Checking cells -----------------------------------------------------------------------------


_DASHES = str.maketrans({"\u2014": "-", "\u2013": "-"})


def _fold(text: str) -> str:
    """Compare labels loosely: case, spacing and the kind of dash do not matter."""
    return " ".join(text.translate(_DASHES).split()).casefold()


def _choice_lookup(choices: type[models.TextChoices]) -> dict[str, str]:
    """Codes by the ways people write them: the code, or the label in any of the site's
    languages (English first, so a label that means one thing in English keeps meaning it)."""
    lookup = {}
    for value in choices.values:
        lookup[value] = value
        lookup[_fold(value)] = value
        lookup[_fold(value.replace("_", " "))] = value
    for language in [None, *(code for code, _name in settings.LANGUAGES)]:
        with translation.override(language):
            for value, label in choices.choices:
                lookup.setdefault(_fold(str(label)), value)
    return lookup


_CHOICE_LOOKUPS = {name: _choice_lookup(choices) for name, (choices, _n) in CHOICE_COLUMNS.items()}
_DATASET_DEFAULTS = {name: Dataset._meta.get_field(name).get_default for name in _DATASET_FIELDS}
_JSON_FIELDS = {
    name: field
    for name in _DATASET_FIELDS
    if isinstance(field := Dataset._meta.get_field(name), models.JSONField)
}
_CHOICE_DEFAULTS = {
    name: (Actor if name in ("kind", "sector") else Dataset)._meta.get_field(name).default
    for name in CHOICE_COLUMNS
}
_validate_url = URLValidator()
# A URL is valid when the part up to its path is, and the rest is a path without spaces; the
# second group is exactly the path URLValidator allows after the host.
_URL_PARTS = re.compile(r"([^:/?#\s]+://[^/?#\s]*)([/?#]\S*)?\Z")
# Django's validate_slug rule, compiled here: the validator's lazily compiled pattern costs more
# a call than the match itself, and every dataset row has an identifier.
_SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")
_LIST_SPLIT = {";": re.compile(r"[;\n]"), ",": re.compile(r"[,\n]")}


def _is_url(text: str) -> bool:
    """URLValidator takes tens of microseconds an address, and a catalogue holds tens of
    thousands of addresses on a handful of sites: check each site once, and check in full only
    what the shortcut cannot accept."""
    parts = _URL_PARTS.match(text)
    if parts and len(text) <= _validate_url.max_length and _is_valid_url(parts[1] + "/"):
        return True
    return _is_valid_url(text)


@functools.lru_cache(maxsize=1024)
def _is_valid_url(text: str) -> bool:
    try:
        _validate_url(text)
    except ValidationError:
        return False
    return True


def _split_list(text: str) -> list[str]:
    """Semicolons separate items; commas do too when there is no semicolon, so that
    items written with commas inside them survive a round trip through export."""
    if not text:
        return []
    pattern = _LIST_SPLIT[";" if ";" in text else ","]
    items: list[str] = []
    for part in pattern.split(text):
        item = part.strip()
        if item and item not in items:
            items.append(item)
    return items


class _RowCheck:
    """Turns one row's cells into clean values, noting a Problem for each cell that will not do."""

    def __init__(self, table: str, problems: list[Problem]):
        self.table = table
        self.problems = problems
        self.max_length = _MAX_LENGTH[table]
        self.row = 0
        self.cells: dict[str, str] = {}
        self.ok = True

    def start(self, row: int, cells: dict[str, str]) -> None:
        self.row, self.cells, self.ok = row, cells, True

    def problem(self, column: str | None, message: str) -> None:
        self.problems.append(Problem(self.table, self.row, column, message))
        self.ok = False

    def text(self, column: str) -> str:
        value = self.cells.get(column, "")
        limit = self.max_length.get(column)
        if limit and len(value) > limit:
            self.problem(column, too_long(len(value), limit))
        return value

    def required(self, column: str, what: str) -> str:
        """`what` is "actor" or "dataset"."""
        value = self.text(column)
        if not value:
            message = (
                _("this is empty; every actor needs a %(column)s.")
                if what == "actor"
                else _("this is empty; every dataset needs a %(column)s.")
            )
            self.problem(column, message % {"column": column})
        return value

    def choice(self, column: str) -> str:
        value = self.cells.get(column, "")
        choices, noun = CHOICE_COLUMNS[column]
        if not value:
            return _CHOICE_DEFAULTS[column]
        lookup = _CHOICE_LOOKUPS[column]
        code = lookup.get(value) or lookup.get(_fold(value))
        if code is None:
            self.problem(column, not_a_choice(value, noun, choices.values))
            return value
        return code

    def url(self, column: str) -> str:
        value = self.text(column)
        if value and not _is_url(value):
            self.problem(
                column,
                _("'%(value)s' is not a web address; write it in full, starting with https://")
                % {"value": value},
            )
        return value

    def items(self, column: str) -> list[str]:
        return _split_list(self.cells.get(column, ""))

    def formats(self, column: str) -> list[str]:
        return _split_list(self.cells.get(column, "").upper())

    def themes(self) -> list[str]:
        themes: list[str] = []
        seen: set[str] = set()
        for name in self.items("themes"):
            if len(name) > _THEME_MAX_LENGTH:
                self.problem(
                    "themes",
                    _(
                        "the theme '%(theme)s...' is %(length)d characters long; shorten it to "
                        "%(limit)d or fewer."
                    )
                    % {"theme": name[:40], "length": len(name), "limit": _THEME_MAX_LENGTH},
                )
            elif name.casefold() not in seen:
                seen.add(name.casefold())
                themes.append(name)
        return themes

    def distributions(self) -> list[tuple[str, str, str]]:
        result = []
        for number, line in enumerate(self.cells.get("distributions", "").splitlines(), 1):
            parts = [part.strip() for part in line.split("|")]
            if not any(parts):
                continue
            if len(parts) == 1:
                title, url, fmt = "", parts[0], ""
            elif len(parts) == 2:
                title, url, fmt = ("", *parts) if _is_url(parts[0]) else (*parts, "")
            else:
                title, url, fmt = " | ".join(parts[:-2]), parts[-2], parts[-1]
            if not _is_url(url):
                self.problem(
                    "distributions",
                    _(
                        "line %(line)d: '%(url)s' is not a web address. Put each distribution on "
                        "its own line, as a full address starting with https://, or as "
                        "'Title | https://... | FORMAT'."
                    )
                    % {"line": number, "url": url},
                )
                continue
            for part, value in (("title", title), ("url", url), ("format", fmt)):
                limit = _DISTRIBUTION_MAX_LENGTH[part]
                if len(value) > limit:
                    self.problem(
                        "distributions",
                        _(
                            "line %(line)d: the %(part)s is %(length)d characters long; shorten "
                            "it to %(limit)d or fewer."
                        )
                        % {"line": number, "part": part, "length": len(value), "limit": limit},
                    )
            result.append((title, url, fmt.upper()))
        return result


def too_long(length: int, limit: int) -> str:
    return _("this is %(length)d characters long; shorten it to %(limit)d or fewer.") % {
        "length": length,
        "limit": limit,
    }


def not_a_choice(value: str, noun: str, codes: list[str]) -> str:
    """`noun` names what the column holds, e.g. "a sector"."""
    return _("'%(value)s' is not %(noun)s; use one of %(codes)s.") % {
        "value": value,
        "noun": noun,
        "codes": ", ".join(codes),
    }


def unknown_column(cell: str, expected: str) -> str:
    return _("unknown column '%(column)s'; expected one of %(expected)s. Rename or delete it.") % {
        "column": cell,
        "expected": expected,
    }


def repeated_column(key: str, first: int, second: int) -> str:
    return _(
        "the column '%(column)s' appears twice (columns %(first)d and %(second)d); delete one of "
        "them."
    ) % {"column": key, "first": first, "second": second}


def _map_columns(sheet: _Sheet, problems: list[Problem]) -> dict[str, int] | None:
    """Where each known column is; None when a required column is missing, as then every row
    would only repeat that problem."""
    columns = COLUMNS[sheet.table]
    known = {c.name for c in columns}
    expected = ", ".join(c.name for c in columns)
    positions: dict[str, int] = {}
    for index, cell in enumerate(sheet.header):
        key = _header_key(cell)
        if not key:
            continue
        if key not in known:
            problems.append(Problem(sheet.table, 1, cell, unknown_column(cell, expected)))
        elif key in positions:
            problems.append(
                Problem(sheet.table, 1, cell, repeated_column(key, positions[key] + 1, index + 1))
            )
        else:
            positions[key] = index
    missing = [c.name for c in columns if c.required and c.name not in positions]
    for name in missing:
        problems.append(
            Problem(
                sheet.table,
                1,
                name,
                _("the required column '%(column)s' is missing; add it to row 1.")
                % {"column": name},
            )
        )
    return None if missing else positions


def _rows_cells(
    sheet: _Sheet, positions: dict[str, int], problems: list[Problem]
) -> Iterator[tuple[int, dict[str, str]]]:
    """Each non-empty row as {column: text}, reporting values in columns without a header."""
    width = len(sheet.header)
    unnamed = [i for i, cell in enumerate(sheet.header) if not _header_key(cell)]
    reported: set[int] = set()
    for number, cells in sheet.rows:
        if not any(cells):
            continue
        size = len(cells)
        stray = [i for i in unnamed if i < size and cells[i]]
        stray += [i for i in range(width, size) if cells[i]]
        for index in stray:
            if index not in reported:
                reported.add(index)
                problems.append(
                    Problem(
                        sheet.table,
                        number,
                        None,
                        _(
                            "column %(letter)s holds '%(value)s' but has no name in row 1; give it "
                            "one of the expected names or delete it."
                        )
                        % {"letter": get_column_letter(index + 1), "value": cells[index][:40]},
                    )
                )
        yield number, {name: cells[i] if i < size else "" for name, i in positions.items()}


# Planning -----------------------------------------------------------------------------------


class _WorkspaceActors:
    """The workspace's actors, looked up by name as people write them."""

    def __init__(self, workspace: Workspace):
        self.records: dict[int, dict[str, Any]] = {}
        self.exact: dict[str, int] = {}
        self.folded: dict[str, int] = {}
        fields = ("pk", *_ACTOR_FIELDS, "parent_id")
        for values in Actor.objects.filter(workspace=workspace).order_by("pk").values_list(*fields):
            record = dict(zip(fields, values, strict=True))
            pk = record["pk"]
            self.records[pk] = record
            self.exact.setdefault(record["name"], pk)
            self.folded.setdefault(record["name"].casefold(), pk)

    def find(self, name: str) -> int | None:
        pk = self.exact.get(name)
        return pk if pk is not None else self.folded.get(name.casefold())


class _Planner:
    def __init__(self, plan: ImportPlan, total: int, progress: Progress | None):
        self.state = plan._state
        self.workspace = plan.workspace
        self.problems = plan.problems
        self.actors = _WorkspaceActors(plan.workspace)
        self.file_actors: dict[str, _ActorRow] = {}
        self.total = total
        self.done = 0
        self.progress = progress

    def tick(self) -> None:
        self.done += 1
        if self.progress and self.done % BATCH_SIZE == 0:
            self.progress(self.done, self.total)

    def actor_ref(self, name: str) -> ActorRef | None:
        """An actor named in the file, else one in the workspace, else None."""
        row = self.file_actors.get(name.casefold())
        if row is not None:
            return row.ref
        return self.actors.find(name)

    # Actors

    def plan_actors(self, sheet: _Sheet) -> None:
        positions = _map_columns(sheet, self.problems)
        if positions is None:
            return
        self.state.actor_columns = frozenset(positions)
        check = _RowCheck(ACTORS, self.problems)
        parents: list[tuple[_ActorRow, str]] = []
        for number, cells in _rows_cells(sheet, positions, self.problems):
            check.start(number, cells)
            values = {
                name: self.actor_value(check, name) for name in _ACTOR_FIELDS if name in cells
            }
            name = values["name"]
            row = _ActorRow(number, name.casefold(), values)
            if name:
                earlier = self.file_actors.get(row.key)
                if earlier is not None:
                    check.problem(
                        "name",
                        _("'%(name)s' is already in row %(row)d; list each actor once.")
                        % {"name": name, "row": earlier.row},
                    )
                else:
                    row.pk = self.actors.find(name)
                    self.file_actors[row.key] = row
            if cells.get("parent"):
                parents.append((row, check.text("parent")))
            row.ok = check.ok
            self.state.actors.append(row)
            self.tick()
        self.resolve_parents(parents)
        for row in self.state.actors:
            if row.ok:
                self.compare_actor(row)

    def actor_value(self, check: _RowCheck, name: str) -> Any:
        if name == "name":
            return check.required("name", "actor")
        if name in CHOICE_COLUMNS:
            return check.choice(name)
        if name == "website":
            return check.url(name)
        return check.text(name)

    def resolve_parents(self, parents: list[tuple[_ActorRow, str]]) -> None:
        """Parents may name rows further down the sheet, so they are resolved once all are read."""
        for row, name in parents:
            row.parent = self.actor_ref(name)
            if row.parent is None:
                self.row_problem(
                    ACTORS,
                    row,
                    "parent",
                    _(
                        "'%(name)s' is not in the Actors sheet or in the workspace; add a row for "
                        "it, correct the name, or leave parent blank."
                    )
                    % {"name": name},
                )
        if "parent" not in self.state.actor_columns:
            return
        parent_of: dict[ActorRef, ActorRef | None] = {
            pk: record["parent_id"] for pk, record in self.actors.records.items()
        }
        listed = list(self.file_actors.values())
        for row in listed:
            parent_of[row.ref] = row.parent
        for row in listed:
            if row.parent is not None and self.makes_loop(row.ref, parent_of):
                message = (
                    _(
                        "an actor cannot be its own parent; leave parent blank or name another "
                        "actor."
                    )
                    if row.parent == row.ref
                    else _(
                        "this parent already sits inside this actor, which would make a loop; "
                        "choose another parent or leave it blank."
                    )
                )
                self.row_problem(ACTORS, row, "parent", message)

    @staticmethod
    def makes_loop(start: ActorRef, parent_of: dict[ActorRef, ActorRef | None]) -> bool:
        seen = {start}
        node = parent_of.get(start)
        while node is not None:
            if node == start:
                return True
            if node in seen:
                return False
            seen.add(node)
            node = parent_of.get(node)
        return False

    def row_problem(self, table: str, row: Any, column: str, message: str) -> None:
        self.problems.append(Problem(table, row.row, column, message))
        row.ok = False

    def compare_actor(self, row: _ActorRow) -> None:
        if row.pk is None:
            return
        record = self.actors.records[row.pk]
        row.fields = [name for name, value in row.values.items() if record[name] != value]
        if "parent" in self.state.actor_columns and record["parent_id"] != row.parent:
            row.fields.append("parent")
        order = [c.name for c in ACTOR_COLUMNS]
        row.fields.sort(key=order.index)
        row.action = "update" if row.fields else "unchanged"

    # Datasets

    def plan_datasets(self, sheet: _Sheet) -> None:
        positions = _map_columns(sheet, self.problems)
        if positions is None:
            return
        columns = self.state.dataset_columns = frozenset(positions)
        check = _RowCheck(DATASETS, self.problems)
        for number, cells in _rows_cells(sheet, positions, self.problems):
            check.start(number, cells)
            row = _DatasetRow(number, check.text("identifier"), {})
            if row.identifier and not _SLUG.match(row.identifier):
                check.problem(
                    "identifier",
                    _(
                        "'%(identifier)s' is not a valid identifier; use only letters, numbers, "
                        "hyphens and underscores, e.g. 'bus-stops-2024'."
                    )
                    % {"identifier": row.identifier},
                )
            for name in _DATASET_FIELDS:
                if name in columns:
                    row.values[name] = self.dataset_value(check, name)
            if "steward" in columns:
                row.steward = self.steward_ref(check)
            if "themes" in columns:
                row.themes = check.themes()
            if "distributions" in columns:
                row.distributions = check.distributions()
            row.ok = check.ok
            self.state.datasets.append(row)
            self.tick()
        self.resolve_datasets()

    def dataset_value(self, check: _RowCheck, name: str) -> Any:
        if name == "title":
            return check.required("title", "dataset")
        if name in CHOICE_COLUMNS:
            return check.choice(name)
        if name == "keywords":
            return check.items(name)
        if name == "formats":
            return check.formats(name)
        return check.text(name)

    def steward_ref(self, check: _RowCheck) -> ActorRef | None:
        name = check.text("steward")
        if not name or len(name) > _MAX_LENGTH[DATASETS]["steward"]:
            return None
        ref = self.actor_ref(name)
        if ref is None:
            ref = name.casefold()
            self.state.steward_actors.setdefault(ref, name)
        return ref

    def resolve_datasets(self) -> None:
        """Match each row to a dataset of the workspace, or give it the identifier it will be
        created with. Explicit identifiers are all collected first so that a generated one
        never takes an identifier a later row asks for."""
        existing = _WorkspaceDatasets(self.workspace, self.state.dataset_columns)
        taken = set(existing.by_identifier)
        taken.update(row.identifier for row in self.state.datasets if row.identifier)
        claimed: dict[int | str, int] = {}
        untitled_new: dict[str, int] = {}
        for row in self.state.datasets:
            title = row.values.get("title", "")
            if row.identifier:
                row.pk = existing.by_identifier.get(row.identifier)
            elif title:
                matches = existing.by_title.get(title.casefold(), [])
                if len(matches) > 1:
                    identifiers = ", ".join(existing.records[pk]["identifier"] for pk in matches)
                    self.row_problem(
                        DATASETS,
                        row,
                        "identifier",
                        _(
                            "%(count)d datasets in the workspace are called '%(title)s' "
                            "(%(identifiers)s); fill in the identifier to say which one this row "
                            "is."
                        )
                        % {"count": len(matches), "title": title, "identifiers": identifiers},
                    )
                    continue
                if matches:
                    row.pk = matches[0]
                else:
                    earlier = untitled_new.get(title.casefold())
                    if earlier is not None:
                        self.row_problem(
                            DATASETS,
                            row,
                            "title",
                            _(
                                "row %(row)d has the same title and no identifier either; give "
                                "the rows identifiers so they stay separate datasets."
                            )
                            % {"row": earlier},
                        )
                        continue
                    untitled_new[title.casefold()] = row.row
                    row.identifier = unique_identifier(self.workspace, title, taken)
                    taken.add(row.identifier)
            else:
                continue
            target = row.pk if row.pk is not None else row.identifier
            if target in claimed:
                self.row_problem(
                    DATASETS,
                    row,
                    "identifier" if row.identifier else "title",
                    _("row %(row)d is already about this dataset; list each dataset once.")
                    % {"row": claimed[target]},
                )
            else:
                claimed[target] = row.row
            if row.ok and row.pk is not None:
                self.compare_dataset(row, existing)

    def compare_dataset(self, row: _DatasetRow, existing: "_WorkspaceDatasets") -> None:
        record = existing.records[row.pk]
        fields = []
        for name, value in row.values.items():
            current = record[name]
            if name == "formats":
                current = [item.upper() for item in _as_list(current)]
            if current != value:
                fields.append(name)
        columns = self.state.dataset_columns
        if "steward" in columns and record["steward_id"] != row.steward:
            fields.append("steward")
        if row.themes is not None and existing.themes.get(row.pk, set()) != {
            name.casefold() for name in row.themes
        }:
            fields.append("themes")
        if row.distributions is not None and existing.distributions.get(row.pk, []) != (
            row.distributions
        ):
            fields.append("distributions")
        order = [c.name for c in DATASET_COLUMNS]
        row.fields = sorted(fields, key=order.index)
        row.action = "update" if row.fields else "unchanged"

    def changes(self) -> list[Change]:
        changes = [
            Change(ACTORS, row.action, row.values["name"], row.row, row.fields)
            for row in self.state.actors
            if row.ok
        ]
        first_named: dict[str, int] = {}
        for row in self.state.datasets:
            if isinstance(row.steward, str) and row.steward in self.state.steward_actors:
                first_named.setdefault(row.steward, row.row)
        changes.extend(
            Change(
                ACTORS,
                "create",
                name,
                None,
                [],
                note=_("named as steward in row %(row)d") % {"row": first_named[key]},
            )
            for key, name in self.state.steward_actors.items()
        )
        changes.extend(
            Change(DATASETS, row.action, row.values.get("title", ""), row.row, row.fields)
            for row in self.state.datasets
            if row.ok
        )
        return changes


class _WorkspaceDatasets:
    """The workspace's datasets as plain values, loaded in a few queries for comparison."""

    def __init__(self, workspace: Workspace, columns: frozenset[str]):
        fields = ("pk", "identifier", *_DATASET_FIELDS, "steward_id")
        self.records: dict[int, dict[str, Any]] = {}
        self.by_identifier: dict[str, int] = {}
        self.by_title: dict[str, list[int]] = {}
        datasets = Dataset.objects.filter(workspace=workspace).order_by("pk")
        for values in datasets.values_list(*fields):
            record = dict(zip(fields, values, strict=True))
            self.records[record["pk"]] = record
            self.by_identifier[record["identifier"]] = record["pk"]
            self.by_title.setdefault(record["title"].casefold(), []).append(record["pk"])
        self.themes: dict[int, set[str]] = {}
        if "themes" in columns:
            links = Dataset.themes.through.objects.filter(dataset__workspace=workspace)
            for dataset_id, name in links.values_list("dataset_id", "theme__name"):
                self.themes.setdefault(dataset_id, set()).add(name.casefold())
        self.distributions: dict[int, list[tuple[str, str, str]]] = {}
        if "distributions" in columns:
            distributions = Distribution.objects.filter(dataset__workspace=workspace).order_by(
                "dataset_id", "position", "pk"
            )
            for dataset_id, title, url, fmt in distributions.values_list(
                "dataset_id", "title", "url", "format"
            ):
                self.distributions.setdefault(dataset_id, []).append((title, url, fmt.upper()))


def read_plan(
    workspace: Workspace,
    path: str | Path,
    filename: str | None = None,
    progress: Progress | None = None,
) -> ImportPlan:
    """Read and check the whole file against `workspace` and work out what importing it would
    change, writing nothing, so the person importing can review every problem and change first.

    `filename` is the name the person knows the file by (an upload is often stored under another
    name); its extension, .csv or .xlsx, decides how the file is read.
    """
    path = Path(path)
    filename = filename or path.name
    suffix = Path(filename).suffix.casefold()
    readers = {".csv": _read_csv, ".xlsx": _read_xlsx}
    if suffix not in readers:
        raise SpreadsheetError(
            _(
                "%(filename)s: only CSV (.csv) and Excel (.xlsx) files can be imported. Save the "
                "file from your spreadsheet program as 'CSV UTF-8' or as an Excel workbook."
            )
            % {"filename": filename}
        )
    with _collector_paused():
        sheets = readers[suffix](path, filename)
        plan = ImportPlan(workspace, filename, suffix[1:])
        total = sum(len(sheet.rows) for sheet in sheets)
        planner = _Planner(plan, total, progress)
        for sheet in sheets:
            if sheet.table == ACTORS:
                planner.plan_actors(sheet)
            else:
                planner.plan_datasets(sheet)
        plan.changes = planner.changes()
    if progress:
        progress(total, total)
    return plan


# Applying -----------------------------------------------------------------------------------


def _batches(items: list, size: int = BATCH_SIZE) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert(model: type[models.Model], columns: list[str], rows: list[tuple]) -> None:
    """Insert rows of ready-to-store values with one prepared statement per batch.

    bulk_create spends far longer building SQL for each value than the database spends storing
    it, and a city's catalogue runs to tens of thousands of rows; the caller converts the few
    values that need it (JSON, dates) with the model field's own get_db_prep_save.
    """
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in columns]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        for batch in _batches(rows):
            cursor.executemany(sql, batch)


def _insert_new(
    model: type[models.Model],
    columns: list[str],
    rows: list[tuple],
    workspace: Workspace,
    key: str,
) -> dict[str, int]:
    """Insert records of `workspace` and return {key value: pk} for them, in two queries
    whatever the number of rows. Primary keys only grow, so the new records are those above
    the largest pk before the insert."""
    if not rows:
        return {}
    newest = model.objects.aggregate(newest=models.Max("pk"))["newest"] or 0
    _insert(model, columns, rows)
    return dict(model.objects.filter(workspace=workspace, pk__gt=newest).values_list(key, "pk"))


def _update(model: type[models.Model], columns: list[str], rows: list[tuple]) -> None:
    """Update rows by pk, each tuple holding the new values then the pk; see `_insert` for why
    this is not bulk_update (whose CASE expressions also grow with the batch)."""
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in columns]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(model._meta.db_table),
        ", ".join(f"{quote(f.column)} = %s" for f in fields),
        quote(model._meta.pk.column),
    )
    with connection.cursor() as cursor:
        for batch in _batches(rows):
            cursor.executemany(sql, batch)


class _Writer:
    def __init__(self, plan: ImportPlan, progress: Progress | None):
        self.state = plan._state
        self.workspace = plan.workspace
        now = timezone.now()
        self.now = Dataset._meta.get_field("updated").get_db_prep_save(now, connection)
        self.source = f"import: {plan.filename}"[:300]
        self.progress = progress
        self.new_actor_pks: dict[str, int] = {}
        self.json_values: dict[tuple[str, tuple[str, ...]], Any] = {}
        counts = plan.counts()
        self.total = sum(counts[t]["create"] + counts[t]["update"] for t in counts)
        self.done = 0

    def advance(self, rows: int) -> None:
        self.done += rows
        if self.progress and rows:
            self.progress(self.done, self.total)

    def actor_pk(self, ref: ActorRef | None) -> int | None:
        return self.new_actor_pks[ref] if isinstance(ref, str) else ref

    def write_actors(self) -> None:
        """Parents may point at actors created by this import, so actors are created first and
        every parent is set once all of them have a pk."""
        state = self.state
        created = [row for row in state.actors if row.action == "create"]
        updated = [row for row in state.actors if row.action == "update"]
        columns = ["workspace", *_ACTOR_FIELDS, "source", "source_updated", "created", "updated"]
        defaults = {name: Actor._meta.get_field(name).get_default() for name in _ACTOR_FIELDS}
        named_as_steward = [
            {"name": name, "kind": ActorKind.OTHER, "sector": Sector.PUBLIC}
            for name in state.steward_actors.values()
        ]
        rows = [
            (
                self.workspace.pk,
                *(values.get(name, defaults[name]) for name in _ACTOR_FIELDS),
                self.source,
                self.now,
                self.now,
                self.now,
            )
            for values in [*(row.values for row in created), *named_as_steward]
        ]
        pks = _insert_new(Actor, columns, rows, self.workspace, "name")
        self.new_actor_pks = {name.casefold(): pk for name, pk in pks.items()}
        self.advance(len(rows))

        fields = [name for name in _ACTOR_FIELDS if name in state.actor_columns]
        with_parent = "parent" in state.actor_columns
        if with_parent:
            fields.append("parent")
        _update(
            Actor,
            [*fields, "source", "source_updated", "updated"],
            [
                (
                    *(row.values[name] for name in fields if name != "parent"),
                    *((self.actor_pk(row.parent),) if with_parent else ()),
                    self.source,
                    self.now,
                    self.now,
                    row.pk,
                )
                for row in updated
            ],
        )
        _update(
            Actor,
            ["parent"],
            [
                (self.actor_pk(row.parent), self.new_actor_pks[row.key])
                for row in created
                if row.parent is not None
            ],
        )
        self.advance(len(updated))

    def theme_pks(self) -> dict[str, int]:
        """Folded theme name -> pk for every theme the file names, creating those missing."""
        wanted: dict[str, str] = {}
        for row in self.state.datasets:
            if row.action != "unchanged" and row.themes:
                for name in row.themes:
                    wanted.setdefault(name.casefold(), name)
        if not wanted:
            return {}
        pks: dict[str, int] = {}
        themes = Theme.objects.filter(workspace=self.workspace).order_by("pk")
        for pk, name in themes.values_list("pk", "name"):
            pks.setdefault(name.casefold(), pk)
        missing = [
            Theme(workspace=self.workspace, name=name)
            for key, name in wanted.items()
            if key not in pks
        ]
        Theme.objects.bulk_create(missing, batch_size=BATCH_SIZE)
        pks.update((theme.name.casefold(), theme.pk) for theme in missing)
        return pks

    def dataset_values(self, row: _DatasetRow, names: Sequence[str]) -> list[Any]:
        """The row's values of `names` ready to store, the model default where the file has
        no such column."""
        result = []
        for name in names:
            value = row.values[name] if name in row.values else _DATASET_DEFAULTS[name]()
            if name in _JSON_FIELDS:
                value = self.json_value(name, value)
            result.append(value)
        return result

    def json_value(self, name: str, items: list[str]) -> Any:
        """Lists such as formats repeat from row to row, so each is encoded once."""
        key = (name, tuple(items))
        if key not in self.json_values:
            self.json_values[key] = _JSON_FIELDS[name].get_db_prep_save(items, connection)
        return self.json_values[key]

    def write_datasets(self) -> None:
        state = self.state
        columns = state.dataset_columns
        with_steward = "steward" in columns
        created = [row for row in state.datasets if row.action == "create"]
        updated = [row for row in state.datasets if row.action == "update"]
        theme_pks = self.theme_pks()

        insert_columns = ["workspace", "identifier", "steward", *_DATASET_FIELDS]
        insert_columns += ["source", "source_updated", "created", "updated"]
        rows = [
            (
                self.workspace.pk,
                row.identifier,
                self.actor_pk(row.steward),
                *self.dataset_values(row, _DATASET_FIELDS),
                self.source,
                self.now,
                self.now,
                self.now,
            )
            for row in created
        ]
        pks = _insert_new(Dataset, insert_columns, rows, self.workspace, "identifier")
        for row in created:
            row.pk = pks[row.identifier]
        for batch in _batches(created):
            self.write_links(batch, theme_pks, replace=False)
            self.advance(len(batch))

        fields = [name for name in _DATASET_FIELDS if name in columns]
        update_columns = [*fields, *(["steward"] if with_steward else [])]
        update_columns += ["source", "source_updated", "updated"]
        for batch in _batches(updated):
            rows = [
                (
                    *self.dataset_values(row, fields),
                    *((self.actor_pk(row.steward),) if with_steward else ()),
                    self.source,
                    self.now,
                    self.now,
                    row.pk,
                )
                for row in batch
            ]
            _update(Dataset, update_columns, rows)
            self.write_links(batch, theme_pks, replace=True)
            self.advance(len(batch))

    def write_links(
        self, rows: list[_DatasetRow], theme_pks: dict[str, int], replace: bool
    ) -> None:
        """Themes and distributions of a batch of datasets, replacing the old ones of updated
        datasets only where the file changes them."""
        through = Dataset.themes.through
        theme_rows = [row for row in rows if row.themes is not None]
        distribution_rows = [row for row in rows if row.distributions is not None]
        if replace:
            theme_rows = [row for row in theme_rows if "themes" in row.fields]
            distribution_rows = [row for row in distribution_rows if "distributions" in row.fields]
            if theme_rows:
                through.objects.filter(dataset_id__in=[row.pk for row in theme_rows]).delete()
            if distribution_rows:
                Distribution.objects.filter(
                    dataset_id__in=[row.pk for row in distribution_rows]
                ).delete()
        _insert(
            through,
            ["dataset", "theme"],
            [
                (row.pk, theme_pks[name.casefold()])
                for row in theme_rows
                for name in row.themes or ()
            ],
        )
        _insert(
            Distribution,
            ["dataset", "title", "url", "format", "position"],
            [
                (row.pk, title, url, fmt, position)
                for row in distribution_rows
                for position, (title, url, fmt) in enumerate(row.distributions or ())
            ],
        )


def apply_plan(plan: ImportPlan, user: Any = None, progress: Progress | None = None) -> ImportRun:
    """Write a checked plan to the database, all of it or (on any error) none of it.

    Apply a plan soon after reading it: the plan is a picture of the workspace at that moment,
    and if someone else has since added the same records the whole import fails rather than
    half-landing.
    """
    if not plan.ok:
        raise ValueError(
            f"{plan.filename} has {len(plan.problems)} problem(s); fix them and import it again."
        )
    if plan._state.applied:
        raise ValueError(f"{plan.filename} has already been imported with this plan.")
    counts = plan.counts()
    writer = _Writer(plan, progress)
    with _collector_paused(), transaction.atomic():
        writer.write_actors()
        writer.write_datasets()
        run = ImportRun.objects.create(
            workspace=plan.workspace,
            user=user if user is not None and user.is_authenticated else None,
            filename=plan.filename[:300],
            file_format=plan.file_format,
            actors_created=counts[ACTORS]["create"],
            actors_updated=counts[ACTORS]["update"],
            datasets_created=counts[DATASETS]["create"],
            datasets_updated=counts[DATASETS]["update"],
        )
    plan._state.applied = True
    return run


# Export -------------------------------------------------------------------------------------


def _join(items: Iterable[str]) -> str:
    return "; ".join(items)


def _distribution_text(title: str, url: str, fmt: str) -> str:
    """Write a distribution so that reading it back gives the same three parts."""
    if title:
        return f"{title} | {url} | {fmt}".rstrip()
    return f"{url} | {fmt}" if fmt else url


def _as_list(value: Any) -> list[str]:
    """Keywords and formats are JSON; records from other imports may hold a bare string."""
    if isinstance(value, list):
        return [str(item) for item in value]
    return [str(value)] if value else []


def _actor_rows(workspace: Workspace) -> Iterator[list[str]]:
    actors = list(
        Actor.objects.filter(workspace=workspace)
        .order_by("name", "pk")
        .values_list("pk", "parent_id", *_ACTOR_FIELDS)
    )
    names = {pk: values[0] for pk, _parent, *values in actors}
    for _pk, parent_id, name, kind, sector, description, contact, website in actors:
        parent = names.get(parent_id, "") if parent_id else ""
        yield [name, kind, sector, parent, description, contact, website]


def _dataset_rows(workspace: Workspace) -> Iterator[list[str]]:
    stewards = dict(Actor.objects.filter(workspace=workspace).values_list("pk", "name"))
    themes: dict[int, list[str]] = {}
    links = Dataset.themes.through.objects.filter(dataset__workspace=workspace).order_by(
        "theme__name"
    )
    for dataset_id, name in links.values_list("dataset_id", "theme__name"):
        themes.setdefault(dataset_id, []).append(name)
    distributions: dict[int, list[str]] = {}
    for dataset_id, title, url, fmt in (
        Distribution.objects.filter(dataset__workspace=workspace)
        .order_by("dataset_id", "position", "pk")
        .values_list("dataset_id", "title", "url", "format")
    ):
        distributions.setdefault(dataset_id, []).append(_distribution_text(title, url, fmt))
    datasets = (
        Dataset.objects.filter(workspace=workspace)
        .order_by("title", "identifier")
        .values_list("pk", "identifier", "steward_id", *_DATASET_FIELDS)
    )
    for pk, identifier, steward_id, *values in datasets:
        record = dict(zip(_DATASET_FIELDS, values, strict=True))
        yield [
            identifier,
            record["title"],
            record["description"],
            stewards.get(steward_id, "") if steward_id else "",
            _join(themes.get(pk, [])),
            _join(_as_list(record["keywords"])),
            record["licence"],
            _join(_as_list(record["formats"])),
            record["update_frequency"],
            record["system"],
            "\n".join(distributions.get(pk, [])),
            record["personal_data"],
            record["spectrum"],
            record["status"],
        ]


_ROWS = {ACTORS: _actor_rows, DATASETS: _dataset_rows}


def _check_table(table: str) -> None:
    if table not in COLUMNS:
        raise ValueError(f"unknown table {table!r}; use 'actors' or 'datasets'.")


def export_csv(workspace: Workspace, table: str, stream: TextIO) -> int:
    """Write one table in the import layout and return the number of rows written.

    Excel only reads accented letters in a CSV file right when it starts with a byte order mark,
    so open `stream` with encoding 'utf-8-sig' (and newline='') for files meant for Excel.
    """
    _check_table(table)
    writer = csv.writer(stream)
    writer.writerow([c.name for c in COLUMNS[table]])
    written = 0
    for row in _ROWS[table](workspace):
        writer.writerow([_defuse(value) for value in row])
        written += 1
    return written


# A carriage return, and text that looks like one of the _xHHHH_ codes workbooks write control
# characters as, would not read back as written; so they are written as such codes themselves.
_XLSX_CODED = re.compile(r"\r|_(?=x[0-9A-Fa-f]{4}_)")
_XLSX_CODES = {"\r": "_x000D_", "_": "_x005F_"}


def _xlsx_value(sheet: Any, value: str) -> Any:
    """Text as a spreadsheet cell: never a formula (nor an error such as #N/A), and without the
    control characters that make Excel refuse the whole file."""
    if not value:
        return None
    value = _defuse(ILLEGAL_CHARACTERS_RE.sub("", value))
    if "\r" in value or "_x" in value:
        value = _XLSX_CODED.sub(lambda match: _XLSX_CODES[match[0]], value)
    if value[:1] == "'" or value in ERROR_CODES:
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        return cell
    return value


def _add_sheet(
    workbook: Workbook, title: str, header: list[str], rows: Iterable[list[str]], widths: list[int]
) -> int:
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, name)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    written = 0
    for row in rows:
        sheet.append([_xlsx_value(sheet, value) for value in row])
        written += 1
    return written


def _widths(columns: list[Column]) -> list[int]:
    wide = {"description": 50, "distributions": 60, "title": 40, "name": 30}
    return [wide.get(c.name, 20) for c in columns]


def export_xlsx(workspace: Workspace, stream: BinaryIO) -> int:
    """Write both tables as the sheets 'Actors' and 'Datasets' of one workbook, in the import
    layout, and return the number of rows written (headers not counted)."""
    workbook = Workbook(write_only=True)
    written = 0
    for table in (ACTORS, DATASETS):
        columns = COLUMNS[table]
        written += _add_sheet(
            workbook,
            table.capitalize(),
            [c.name for c in columns],
            _ROWS[table](workspace),
            _widths(columns),
        )
    workbook.save(stream)
    return written


def allowed_values(column: Column) -> str:
    """What a column accepts, in words, for the Help sheet and the documentation."""
    if column.name in CHOICE_COLUMNS:
        choices, _noun = CHOICE_COLUMNS[column.name]
        listed = "; ".join(f"{value} = {label}" for value, label in choices.choices)
        return _("The code or the label: %(choices)s") % {"choices": listed}
    if column.name in LIST_COLUMNS:
        return _("A list separated by semicolons")
    if column.name == "distributions":
        return _("Web addresses, one per line, each optionally as 'Title | URL | FORMAT'")
    if column.name == "website":
        return _("A web address starting with http:// or https://")
    if column.name == "identifier":
        return _("Letters, numbers, hyphens and underscores")
    return _("Any text")


def help_sheet(
    workbook: Workbook,
    columns: dict[str, list[Column]],
    widths: list[int],
    allowed: Callable[[Column], str] = allowed_values,
) -> None:
    """The Help sheet of a template: each column of each sheet explained, in the reader's
    language (the import never reads this sheet), with `allowed` saying what a column takes."""
    rows = [
        [
            sheet.capitalize(),
            c.name,
            _("yes") if c.required else _("no"),
            allowed(c),
            str(c.help),
            c.example,
        ]
        for sheet, sheet_columns in columns.items()
        for c in sheet_columns
    ]
    header = [
        _("sheet"),
        _("column"),
        _("required"),
        _("allowed values"),
        _("what to write"),
        _("example"),
    ]
    _add_sheet(workbook, _("Help"), header, rows, widths)


def write_template(fmt: str, stream: TextIO | BinaryIO, table: str = "datasets") -> None:
    """An empty file in the import layout with one example row, to fill in and import.

    A CSV template holds one table (`table`); an XLSX template holds both tables plus a 'Help'
    sheet explaining each column.
    """
    _check_table(table)
    if fmt == "csv":
        writer = csv.writer(stream)
        writer.writerow([c.name for c in COLUMNS[table]])
        writer.writerow([_defuse(c.example) for c in COLUMNS[table]])
        return
    if fmt != "xlsx":
        raise ValueError(f"unknown template format {fmt!r}; use 'csv' or 'xlsx'.")
    workbook = Workbook(write_only=True)
    for name in (ACTORS, DATASETS):
        columns = COLUMNS[name]
        _add_sheet(
            workbook,
            name.capitalize(),
            [c.name for c in columns],
            [[c.example for c in columns]],
            _widths(columns),
        )
    help_sheet(workbook, COLUMNS, [12, 20, 10, 60, 80, 40])
    workbook.save(stream)
