"""Import nodes and exchanges into an existing map from a workbook or a Kumu JSON export.

Maps are often drawn first somewhere else: in a spreadsheet passed round before a workshop, or
in Kumu. This module brings such a file into a map in the same two steps as the inventory
import (opencities/inventory/spreadsheet.py), so people see every problem and every change
before anything is saved. `plan_map_import` reads and checks the whole file against the map and
its workspace, writing nothing; `apply_map_import` then writes the plan in one transaction,
re-checking every record the way the map's own forms do: an import lands whole or not at all.

Both formats become the same entries (one per node and one per exchange, each knowing where in
the file it came from) so one set of rules checks them. An import only ever adds to a map:
nodes, exchanges and roles that the file does not mention stay as they are, and importing the
same file again changes nothing.

The layouts are described for the people who fill them in by docs/map-import.md.
"""

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from opencities.accounts.models import Workspace
from opencities.inventory.models import (
    Actor,
    ActorKind,
    Dataset,
    DatasetStatus,
    Sector,
    Spectrum,
    Technology,
    TechnologyKind,
    unique_identifier,
)
from opencities.inventory.spreadsheet import (
    Column,
    Problem,
    _add_sheet,
    _cell_text,
    _choice_lookup,
    _fold,
    _header_key,
    _rows_cells,
    _Sheet,
    _split_list,
    damaged_workbook,
    empty_header,
    help_sheet,
    not_a_choice,
    repeated_column,
    too_long,
    unknown_column,
    unreadable_workbook,
)

from .models import (
    BlockReason,
    EcosystemMap,
    Exchange,
    ExchangeKind,
    FlowStatus,
    Mechanism,
    Node,
    Role,
)

NODES = "nodes"
EXCHANGES = "exchanges"
ELEMENTS = "elements"
CONNECTIONS = "connections"

NODE_KINDS = ("actor", "dataset", "technology")
_MODELS: dict[str, type[models.Model]] = {
    "actor": Actor,
    "dataset": Dataset,
    "technology": Technology,
}
_NAME_FIELD = {"actor": "name", "dataset": "title", "technology": "name"}
_NAME_LIMIT = {
    kind: _MODELS[kind]._meta.get_field(_NAME_FIELD[kind]).max_length for kind in _MODELS
}

NODE_COLUMNS: list[Column] = [
    Column(
        "type",
        True,
        gettext_lazy(
            "What the node is: actor, dataset or technology (Kumu's words such as organisation, "
            "person, data, app, platform, sensor or service are understood too)."
        ),
        "actor",
    ),
    Column(
        "name",
        True,
        gettext_lazy(
            "The actor's or technology's name, or the dataset's title. A name already in the "
            "inventory (capitals do not matter) puts that record on the map; a new name adds it to "
            "the inventory too. List each node once."
        ),
        "Waste Services",
    ),
    Column(
        "roles",
        False,
        gettext_lazy(
            "Actors only: the roles the actor plays on this map, separated by semicolons. They are "
            "added to the roles the node already has; an import never takes a role away."
        ),
        "steward; decision maker",
    ),
    Column(
        "x",
        False,
        gettext_lazy(
            "Where the node is drawn, across, as a number. Leave x and y empty and the map places "
            "the node itself."
        ),
        "",
    ),
    Column(
        "y",
        False,
        gettext_lazy("Where the node is drawn, down, as a number. Give x and y together."),
        "",
    ),
    Column(
        "description",
        False,
        gettext_lazy(
            "Used only when the import adds the record to the inventory: what the actor does, what "
            "the data holds or what the technology is. Records already in the inventory are left "
            "as they are."
        ),
        "Collects household waste and runs the recycling centres.",
    ),
]

EXCHANGE_COLUMNS: list[Column] = [
    Column(
        "from",
        True,
        gettext_lazy(
            "The node the exchange starts at: a name from the Nodes sheet or a node already on "
            "the map."
        ),
        "Waste Services",
    ),
    Column(
        "to",
        True,
        gettext_lazy("The node the exchange goes to, named the same way."),
        "Report-a-bin app",
    ),
    Column("kind", False, gettext_lazy("What is exchanged. Empty means data."), "data"),
    Column(
        "dataset",
        False,
        gettext_lazy(
            "Data flows only: the title of the data that flows, a dataset of the Nodes sheet, on "
            "the map or in the inventory."
        ),
        "Bin collection rounds",
    ),
    Column(
        "description",
        False,
        gettext_lazy("What is exchanged, in a few words."),
        "Round times for the app",
    ),
    Column(
        "mechanism", False, gettext_lazy("How the data moves. Empty means not recorded."), "api"
    ),
    Column("frequency", False, gettext_lazy("How often it moves, in words."), "daily"),
    Column(
        "access",
        False,
        gettext_lazy("How open the flow is, on the Data Spectrum. Empty means not recorded."),
        "open",
    ),
    Column(
        "status", False, gettext_lazy("Whether the flow happens. Empty means active."), "active"
    ),
    Column(
        "blocked_reasons",
        False,
        gettext_lazy(
            "Why a blocked flow is blocked, separated by semicolons. Required when the status is "
            "blocked, and only then."
        ),
        "",
    ),
    Column("blocked_note", False, gettext_lazy("More about why the flow is blocked."), ""),
]

COLUMNS: dict[str, list[Column]] = {NODES: NODE_COLUMNS, EXCHANGES: EXCHANGE_COLUMNS}

# The words read as each kind of node: the spreadsheet's own, and those common in Kumu maps.
NODE_TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "actor": ("actor", "organisation", "organization", "person", "people", "group"),
    "dataset": ("dataset", "data set", "data"),
    "technology": ("technology", "app", "application", "platform", "sensor", "service", "system"),
}
_NODE_TYPES = {_fold(word): kind for kind, words in NODE_TYPE_WORDS.items() for word in words}

# Words for kinds of exchange besides ExchangeKind's own values and labels.
EXCHANGE_KIND_WORDS: dict[str, tuple[str, ...]] = {
    ExchangeKind.DATA: ("data flow",),
    ExchangeKind.MONEY: ("payment", "funding"),
    ExchangeKind.SERVICE: ("product",),
    ExchangeKind.INSIGHT: ("feedback", "expertise", "knowledge", "intangible value"),
}

# Choice columns: the TextChoices they take and how to name one in a message ("is not <noun>").
CHOICES: dict[str, tuple[type[models.TextChoices], str]] = {
    "kind": (ExchangeKind, gettext_lazy("a kind of exchange")),
    "mechanism": (Mechanism, gettext_lazy("a mechanism")),
    "access": (Spectrum, gettext_lazy("a Data Spectrum level")),
    "status": (FlowStatus, gettext_lazy("a flow status")),
    "roles": (Role, gettext_lazy("a role")),
    "blocked_reasons": (BlockReason, gettext_lazy("a reason for a blocked flow")),
}
LIST_COLUMNS = {"roles", "blocked_reasons"}


def _lookups() -> dict[str, dict[str, str]]:
    """Each choice column's codes by the ways people write them (codes or labels, any case)."""
    lookups = {name: _choice_lookup(choices) for name, (choices, _noun) in CHOICES.items()}
    for kind, words in EXCHANGE_KIND_WORDS.items():
        lookups["kind"].update((_fold(word), str(kind)) for word in words)
    return lookups


_LOOKUPS = _lookups()

_EXCHANGE_FIELDS = (
    "description",
    "mechanism",
    "frequency",
    "access",
    "status",
    "blocked_reasons",
    "blocked_note",
)
_EXCHANGE_DEFAULTS: dict[str, Any] = {
    "description": "",
    "mechanism": "",
    "frequency": "",
    "access": "",
    "status": FlowStatus.ACTIVE.value,
    "blocked_reasons": [],
    "blocked_note": "",
}
_TEXT_LIMIT = {
    name: Exchange._meta.get_field(name).max_length for name in ("description", "frequency")
}

# Kumu spells fields with spaces ("element type"); `_header_key` turns them into these keys.
_KUMU_ELEMENT_FIELDS = {
    "name": ("label", "name"),
    "type": ("element_type", "type"),
    "roles": ("roles",),
    "x": ("x",),
    "y": ("y",),
    "description": ("description",),
}
_KUMU_CONNECTION_FIELDS = {
    "kind": ("connection_type", "type", "kind"),
    **{name: (name,) for name in ("dataset", *_EXCHANGE_FIELDS)},
}


class MapImportError(Exception):
    """The file cannot be read at all, so there are no entries to report problems against."""


@dataclass
class ItemProblem(Problem):
    """A problem with one entry of a Kumu file. Kumu shows neither row numbers nor columns, so
    the entry is named by its position in its list (1 for the first) and by its label."""

    label: str = ""

    def __str__(self) -> str:
        where = f"{self.table[:-1].capitalize()} {self.row}"
        if self.label:
            where += f" ('{self.label}')"
        if self.column:
            where += f", field '{self.column}'"
        return f"{where}: {self.message}"


@dataclass
class MapChange:
    """One thing the import does: `what` is actor, dataset, technology, node or exchange."""

    what: str
    action: str
    label: str
    row: int | None
    fields: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"{self.action} {self.what} '{self.label}'"
        if self.what in NODE_KINDS:
            text += " in the inventory"
        if self.fields:
            text += f" ({', '.join(self.fields)})"
        return text


_PLURAL = {
    "actor": "actors",
    "dataset": "datasets",
    "technology": "technologies",
    "node": "nodes",
    "exchange": "exchanges",
}


@dataclass(eq=False)
class _Entry:
    """One node or exchange as read from the file, before any checking.

    `cells` holds text by column name for the columns the entry has; an absent column leaves an
    existing exchange's field alone. `label` is None for a spreadsheet row and the label of a
    Kumu entry otherwise; `names` gives Kumu's own spelling of a field for messages; `refs` holds
    the elements a Kumu connection names by id, which no name lookup could confuse.
    """

    part: str
    row: int
    cells: dict[str, str]
    label: str | None = None
    names: dict[str, str] = field(default_factory=dict)
    refs: dict[str, "_Entry"] = field(default_factory=dict)

    def column(self, name: str) -> str:
        return self.names.get(name, name)


@dataclass(eq=False)
class _PlannedNode:
    """A node of the map after the import: one the file lists, or one already on the map that an
    exchange of the file names. `record_pk` is None for a record the import creates."""

    kind: str
    name: str
    record_pk: int | None = None
    node_pk: int | None = None
    roles: list[str] = field(default_factory=list)
    x: float | None = None
    y: float | None = None
    description: str = ""
    entry: _Entry | None = None
    action: str = "unchanged"
    fields: list[str] = field(default_factory=list)
    record: models.Model | None = None
    node: Node | None = None


# A dataset as an exchange names it: one in the inventory (its pk) or one the import creates.
_DatasetRef = int | _PlannedNode


@dataclass(eq=False)
class _PlannedExchange:
    """An exchange the file describes, with the values it will have once imported, and the
    exchange of the map it updates, if any."""

    entry: _Entry
    source: _PlannedNode
    target: _PlannedNode
    kind: str
    dataset: _DatasetRef | None
    dataset_name: str
    values: dict[str, Any]
    exchange_pk: int | None = None
    action: str = "create"
    fields: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        what = ExchangeKind(self.kind).label.lower()
        if self.dataset_name:
            what += f": {self.dataset_name}"
        return f"{self.source.name} → {self.target.name} ({what})"


@dataclass
class _PlanState:
    nodes: list[_PlannedNode] = field(default_factory=list)
    exchanges: list[_PlannedExchange] = field(default_factory=list)
    applied: bool = False


@dataclass
class MapImportPlan:
    """What importing a file into a map would do, and every problem that stops it."""

    ecosystem_map: EcosystemMap
    filename: str
    file_format: str
    problems: list[Problem] = field(default_factory=list)
    changes: list[MapChange] = field(default_factory=list)
    _state: _PlanState = field(default_factory=_PlanState, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> dict[str, dict[str, int]]:
        """Create, update and unchanged for inventory records, nodes and exchanges; a record
        already in the inventory that the file puts on the map counts as unchanged."""
        counts = {table: {"create": 0, "update": 0, "unchanged": 0} for table in _PLURAL.values()}
        for change in self.changes:
            counts[_PLURAL[change.what]][change.action] += 1
        return counts

    def summary(self) -> str:
        return ", ".join(
            f"{table}: {c['create']} new, {c['update']} updated, {c['unchanged']} unchanged"
            for table, c in self.counts().items()
        )


@dataclass(frozen=True)
class MapImportSummary:
    """What `apply_map_import` wrote."""

    records_created: int
    nodes_created: int
    nodes_updated: int
    exchanges_created: int
    exchanges_updated: int

    def __str__(self) -> str:
        return gettext(
            "%(nodes_created)d nodes added and %(nodes_updated)d updated, "
            "%(exchanges_created)d exchanges added and %(exchanges_updated)d updated, "
            "%(records_created)d new inventory records"
        ) % {
            "nodes_created": self.nodes_created,
            "nodes_updated": self.nodes_updated,
            "exchanges_created": self.exchanges_created,
            "exchanges_updated": self.exchanges_updated,
            "records_created": self.records_created,
        }


# Reading workbooks --------------------------------------------------------------------------


def _read_workbook(path: Path, filename: str) -> dict[str, _Sheet | None]:
    """The Nodes and Exchanges sheets, None for one that is entirely empty. Both must be there:
    a misspelt sheet name must not quietly import nothing from it."""
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # damaged workbooks fail in many ways, all meaning the same
        raise MapImportError(unreadable_workbook(filename, exc)) from exc
    try:
        found: dict[str, str] = {}
        for name in workbook.sheet_names:
            table = name.strip().casefold()
            if table in COLUMNS and table not in found:
                found[table] = name
        missing = [table.capitalize() for table in COLUMNS if table not in found]
        if missing:
            raise MapImportError(
                gettext(
                    "%(filename)s has no sheet called %(missing)s (its sheets are: %(sheets)s). "
                    "A map workbook needs a 'Nodes' and an 'Exchanges' sheet; a sheet with "
                    "nothing to import may hold just its header row."
                )
                % {
                    "filename": filename,
                    "missing": _either(repr(m) for m in missing),
                    "sheets": ", ".join(workbook.sheet_names),
                }
            )
        sheets: dict[str, _Sheet | None] = {}
        for table, name in found.items():
            # skip_empty_area=False keeps leading empty rows, so row numbers match the sheet's.
            values = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            rows = [
                (number, [_cell_text(value) for value in cells])
                for number, cells in enumerate(values, 1)
            ]
            if not any(any(cells) for _, cells in rows):
                sheets[table] = None
                continue
            if not any(rows[0][1]):
                raise MapImportError(empty_header(filename, name))
            sheets[table] = _Sheet(table, rows[0][1], rows[1:])
    except MapImportError:
        raise
    except Exception as exc:
        raise MapImportError(damaged_workbook(filename, exc)) from exc
    finally:
        workbook.close()
    if not any(sheets.values()):
        raise MapImportError(
            gettext("%(filename)s: the sheets 'Nodes' and 'Exchanges' are both empty.")
            % {"filename": filename}
        )
    return sheets


def _map_columns(sheet: _Sheet, problems: list[Problem]) -> dict[str, int] | None:
    """Where each column is; None when a required column is missing, as then every row would
    only repeat that problem. A column the import does not know is a problem, since it is often
    a misspelling of one it does."""
    columns = COLUMNS[sheet.table]
    known = {c.name for c in columns}
    expected = ", ".join(c.name for c in columns)
    positions: dict[str, int] = {}
    for index, cell in enumerate(sheet.header):
        key = _header_key(cell)
        if not key:
            continue
        if key not in known:
            message = unknown_column(cell, expected)
        elif key in positions:
            message = repeated_column(key, positions[key] + 1, index + 1)
        else:
            positions[key] = index
            continue
        problems.append(Problem(sheet.table, 1, cell, message))
    missing = [c.name for c in columns if c.required and c.name not in positions]
    for name in missing:
        problems.append(
            Problem(
                sheet.table,
                1,
                name,
                gettext("the required column '%(column)s' is missing; add it.") % {"column": name},
            )
        )
    return None if missing else positions


def _sheet_entries(sheet: _Sheet | None, problems: list[Problem]) -> list[_Entry] | None:
    if sheet is None:
        return []
    positions = _map_columns(sheet, problems)
    if positions is None:
        return None
    return [
        _Entry(sheet.table, number, cells)
        for number, cells in _rows_cells(sheet, positions, problems)
    ]


# Reading Kumu JSON --------------------------------------------------------------------------


def _json_text(value: Any) -> str:
    """Kumu stores numbers as numbers and tags as lists; the checks read text, as from a cell."""
    if isinstance(value, list):
        return "; ".join(_json_text(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return _cell_text(value)


def _kumu_fields(item: dict[str, Any]) -> dict[str, tuple[str, Any]]:
    """An entry's fields by key, as written (flat) or inside 'attributes' (Kumu's blueprint
    export); a field written both ways is taken from outside."""
    fields: dict[str, tuple[str, Any]] = {}
    attributes = item.get("attributes")
    for source in (item, attributes if isinstance(attributes, dict) else {}):
        for key, value in source.items():
            if key != "attributes":
                fields.setdefault(_header_key(str(key)), (str(key), value))
    return fields


def _kumu_entry(
    part: str, row: int, fields: dict[str, tuple[str, Any]], wanted: dict[str, tuple[str, ...]]
) -> _Entry:
    entry = _Entry(part, row, {}, label="")
    for name, keys in wanted.items():
        for key in keys:
            if key in fields:
                written, value = fields[key]
                entry.cells[name] = _json_text(value)
                entry.names[name] = written
                break
        else:
            entry.names[name] = keys[0].replace("_", " ")
    return entry


def _read_kumu(
    path: Path, filename: str, problems: list[Problem]
) -> tuple[list[_Entry], list[_Entry]]:
    try:
        document = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise MapImportError(
            gettext("%(filename)s is not in the UTF-8 encoding: %(error)s.")
            % {"filename": filename, "error": exc}
        ) from exc
    except json.JSONDecodeError as exc:
        raise MapImportError(
            gettext(
                "%(filename)s is not valid JSON: %(error)s at line %(line)d, column %(column)d. "
                "Export the map from Kumu as JSON again and import that file."
            )
            % {"filename": filename, "error": exc.msg, "line": exc.lineno, "column": exc.colno}
        ) from exc
    if not isinstance(document, dict) or not {ELEMENTS, CONNECTIONS} & document.keys():
        raise MapImportError(
            gettext(
                "%(filename)s is not a Kumu export: expected a JSON object with an 'elements' "
                "list and a 'connections' list."
            )
            % {"filename": filename}
        )
    lists = {}
    for part in (ELEMENTS, CONNECTIONS):
        lists[part] = document.get(part) or []
        if not isinstance(lists[part], list):
            raise MapImportError(
                gettext("%(filename)s: '%(part)s' should be a list of objects.")
                % {"filename": filename, "part": part}
            )
    elements, ids = _kumu_elements(lists[ELEMENTS], problems)
    return elements, _kumu_connections(lists[CONNECTIONS], ids, problems)


def _kumu_elements(
    items: list[Any], problems: list[Problem]
) -> tuple[list[_Entry], dict[str, _Entry]]:
    """The elements, and those with an id by their id, so connections can name them by it."""
    elements: list[_Entry] = []
    ids: dict[str, _Entry] = {}
    for index, item in enumerate(items, 1):
        if not isinstance(item, dict):
            problems.append(
                ItemProblem(
                    ELEMENTS,
                    index,
                    None,
                    gettext("this is not an object with a label and a type."),
                )
            )
            continue
        fields = _kumu_fields(item)
        entry = _kumu_entry(ELEMENTS, index, fields, _KUMU_ELEMENT_FIELDS)
        entry.label = entry.cells.get("name", "")
        id_field = next((key for key in ("_id", "id") if key in fields), None)
        if id_field is not None:
            key = _json_text(fields[id_field][1])
            if key in ids:
                problems.append(
                    ItemProblem(
                        ELEMENTS,
                        index,
                        fields[id_field][0],
                        gettext(
                            "the id '%(id)s' is also the id of element %(element)d; give each "
                            "element its own id."
                        )
                        % {"id": key, "element": ids[key].row},
                        label=entry.label,
                    )
                )
                continue
            ids[key] = entry
        elements.append(entry)
    return elements, ids


def _kumu_connections(
    items: list[Any], ids: dict[str, _Entry], problems: list[Problem]
) -> list[_Entry]:
    """Connections as exchanges; a mutual one (arrows at both ends) is an exchange each way."""
    entries = []
    for index, item in enumerate(items, 1):
        if not isinstance(item, dict):
            problems.append(
                ItemProblem(
                    CONNECTIONS, index, None, gettext("this is not an object with from and to.")
                )
            )
            continue
        fields = _kumu_fields(item)
        entry = _kumu_entry(CONNECTIONS, index, fields, _KUMU_CONNECTION_FIELDS)
        for end in ("from", "to"):
            entry.names[end] = end
            text = _json_text(fields[end][1]) if end in fields else ""
            element = ids.get(text) if text else None
            if element is not None:
                entry.refs[end] = element
                text = element.cells.get("name", "")
            if text or end in fields:
                entry.cells[end] = text
        label = _json_text(fields["label"][1]) if "label" in fields else ""
        entry.label = label or f"{entry.cells.get('from', '?')} → {entry.cells.get('to', '?')}"
        direction = _fold(_json_text(fields["direction"][1])) if "direction" in fields else ""
        if direction not in ("", "directed", "mutual"):
            problems.append(
                ItemProblem(
                    CONNECTIONS,
                    index,
                    fields["direction"][0],
                    gettext(
                        "an exchange goes one way, so the direction '%(direction)s' cannot be "
                        "imported; make the connection directed (or mutual, for one exchange each "
                        "way)."
                    )
                    % {"direction": direction},
                    label=entry.label,
                )
            )
            continue
        entries.append(entry)
        if direction == "mutual":
            # The way back keeps Kumu's names for the ends, so its problems read as the way
            # there's, and are reported once.
            names = {**entry.names, "from": "to", "to": "from"}
            back = _Entry(CONNECTIONS, index, dict(entry.cells), entry.label, names)
            for end, other in (("from", "to"), ("to", "from")):
                back.cells.pop(end, None)
                if other in entry.cells:
                    back.cells[end] = entry.cells[other]
                if other in entry.refs:
                    back.refs[end] = entry.refs[other]
            entries.append(back)
    return entries


# Checking entries ---------------------------------------------------------------------------


class _Check:
    """Turns one entry's text into clean values, noting a Problem for each that will not do."""

    def __init__(self, entry: _Entry, problems: list[Problem]):
        self.entry = entry
        self.problems = problems
        self.ok = True
        self.bad: set[str] = set()  # columns with a problem

    def problem(self, column: str, message: str) -> None:
        self.bad.add(column)
        entry = self.entry
        name = entry.column(column)
        if entry.label is None:
            self.problems.append(Problem(entry.part, entry.row, name, message))
        else:
            self.problems.append(ItemProblem(entry.part, entry.row, name, message, entry.label))
        self.ok = False

    def text(self, column: str, limit: int | None = None) -> str:
        value = self.entry.cells.get(column, "")
        if limit and len(value) > limit:
            self.problem(column, too_long(len(value), limit))
        return value

    def required(self, column: str, message: str) -> str:
        """The column's text; `message` says what to do when it is empty."""
        value = self.text(column)
        if not value:
            self.problem(column, message)
        return value

    def node_kind(self) -> str | None:
        value = self.required(
            "type",
            gettext("this is empty; say whether this is an actor, a dataset or a technology."),
        )
        kind = _NODE_TYPES.get(_fold(value)) if value else None
        if value and kind is None:
            others = ", ".join(w for words in NODE_TYPE_WORDS.values() for w in words[1:])
            self.problem(
                "type",
                gettext(
                    "'%(value)s' is not a type of node; use actor, dataset or technology (or one "
                    "of %(others)s)."
                )
                % {"value": value, "others": others},
            )
        return kind

    def choice(self, column: str, default: str) -> str:
        value = self.entry.cells.get(column, "")
        if not value:
            return default
        code = self._code(column, value)
        return code if code is not None else value

    def choices(self, column: str) -> list[str]:
        codes: list[str] = []
        for value in _split_list(self.entry.cells.get(column, "")):
            code = self._code(column, value)
            if code is not None and code not in codes:
                codes.append(code)
        return codes

    def _code(self, column: str, value: str) -> str | None:
        lookup = _LOOKUPS[column]
        code = lookup.get(value) or lookup.get(_fold(value))
        if code is None:
            choices, noun = CHOICES[column]
            self.problem(column, not_a_choice(value, noun, choices.values))
        return code

    def number(self, column: str) -> float | None:
        value = self.entry.cells.get(column, "")
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            self.problem(
                column,
                gettext("'%(value)s' is not a number; write it in figures, e.g. 120.5.")
                % {"value": value},
            )
            return None
        return number

    def position(self) -> tuple[float | None, float | None]:
        x, y = self.number("x"), self.number("y")
        cells = self.entry.cells
        for given, missing in (("x", "y"), ("y", "x")):
            if cells.get(given) and not cells.get(missing):
                self.problem(
                    missing,
                    gettext(
                        "%(given)s is given but %(missing)s is empty; give both to place the "
                        "node, or neither to let the map place it."
                    )
                    % {"given": given, "missing": missing},
                )
        return x, y


# Kinds of node and of exchange with their article, for messages ("this is a dataset").
_A_NODE = {
    "actor": gettext_lazy("an actor"),
    "dataset": gettext_lazy("a dataset"),
    "technology": gettext_lazy("a technology"),
}
_AN_EXCHANGE = {
    ExchangeKind.DATA: gettext_lazy("a data exchange"),
    ExchangeKind.MONEY: gettext_lazy("a money exchange"),
    ExchangeKind.SERVICE: gettext_lazy("a service exchange"),
    ExchangeKind.INSIGHT: gettext_lazy("an insight exchange"),
}
_RECORDS = {
    "actor": gettext_lazy("actors"),
    "dataset": gettext_lazy("datasets"),
    "technology": gettext_lazy("technologies"),
}


def _either(items: Iterable[str]) -> str:
    """'a', 'b' or 'c'."""
    *first, last = items
    if not first:
        return last
    return gettext("%(items)s or %(last)s") % {"items": ", ".join(first), "last": last}


def _both(items: Iterable[str]) -> str:
    """'a', 'b' and 'c'."""
    *first, last = items
    if not first:
        return last
    return gettext("%(items)s and %(last)s") % {"items": ", ".join(first), "last": last}


# Planning -----------------------------------------------------------------------------------


class _Inventory:
    """The workspace's actors, datasets and technologies, looked up by name as people write
    them (capitals, spacing and the kind of dash do not matter)."""

    def __init__(self, workspace: Workspace):
        self.names: dict[str, dict[int, str]] = {}
        self.by_name: dict[str, dict[str, list[int]]] = {}
        for kind, model in _MODELS.items():
            names = dict(
                model.objects.filter(workspace=workspace).values_list("pk", _NAME_FIELD[kind])
            )
            self.names[kind] = names
            index: dict[str, list[int]] = {}
            for pk, name in sorted(names.items()):
                index.setdefault(_fold(name), []).append(pk)
            self.by_name[kind] = index


class _Planner:
    def __init__(self, plan: MapImportPlan, nodes_where: str):
        self.plan = plan
        self.problems = plan.problems
        self.nodes_where = nodes_where
        self.inventory = _Inventory(plan.ecosystem_map.project.workspace)
        self.map_nodes: dict[tuple[str, int], _PlannedNode] = {}
        fields = ("pk", "actor_id", "dataset_id", "technology_id", "roles", "x", "y")
        for pk, actor, dataset, technology, roles, x, y in Node.objects.filter(
            map=plan.ecosystem_map
        ).values_list(*fields):
            kind, record = next(
                (k, r) for k, r in zip(NODE_KINDS, (actor, dataset, technology), strict=True) if r
            )
            self.map_nodes[kind, record] = _PlannedNode(
                kind,
                self.inventory.names[kind][record],
                record_pk=record,
                node_pk=pk,
                roles=list(roles),
                x=x,
                y=y,
            )
        self.file_nodes: dict[tuple[str, str], _PlannedNode] = {}
        self.entry_nodes: dict[_Entry, _PlannedNode] = {}
        # Folded names of nodes whose entries have problems: an exchange naming one is not
        # reported again as naming an unknown node.
        self.broken: set[str] = set()
        self.by_name: dict[str, list[_PlannedNode]] = {}
        self.existing: dict[tuple[int, int, str, int | None], dict[str, Any]] = {}
        self.planned: dict[tuple, _PlannedExchange] = {}

    # Nodes

    def plan_node(self, entry: _Entry) -> None:
        check = _Check(entry, self.problems)
        kind = check.node_kind()
        empty = (
            gettext("this is empty; every node needs a %(column)s.")
            if entry.label is None
            else gettext("this is empty; every element needs a %(column)s.")
        )
        name = check.required("name", empty % {"column": entry.column("name")})
        roles = check.choices("roles")
        x, y = check.position()
        description = check.text("description")
        if kind:
            name = check.text("name", _NAME_LIMIT[kind]) if name else name
            if roles and kind != "actor":
                check.problem(
                    "roles",
                    gettext(
                        "only actors play roles on a map, and this is %(kind)s; clear the roles "
                        "or change the type."
                    )
                    % {"kind": _A_NODE[kind]},
                )
        if kind and name and check.ok:
            planned = self.place(check, kind, name)
            if planned is not None:
                planned.entry, planned.description = entry, description
                self.compare_node(planned, roles, x, y)
                self.file_nodes[kind, _fold(name)] = planned
                self.entry_nodes[entry] = planned
                self.plan._state.nodes.append(planned)
                return
        if name:
            self.broken.add(_fold(name))

    def place(self, check: _Check, kind: str, name: str) -> _PlannedNode | None:
        """The node this entry describes: one already on the map, or a new one."""
        earlier = self.file_nodes.get((kind, _fold(name)))
        if earlier is not None:
            check.problem(
                "name",
                gettext("'%(name)s' is already listed as %(where)s; list each node once.")
                % {"name": name, "where": self.where(earlier.entry)},
            )
            return None
        record = self.find_record(check, kind, name, "name")
        if not check.ok:
            return None
        if record is None:
            return _PlannedNode(kind, name, action="create")
        return self.map_nodes.get((kind, record)) or _PlannedNode(
            kind, self.inventory.names[kind][record], record_pk=record, action="create"
        )

    def find_record(self, check: _Check, kind: str, name: str, column: str) -> int | None:
        """The inventory record `name` means: the only one of that name, the one already on
        this map, or the one spelt exactly so. None when there is none, and it will be created."""
        candidates = self.inventory.by_name[kind].get(_fold(name), [])
        if len(candidates) <= 1:
            return candidates[0] if candidates else None
        for narrowed in (
            [pk for pk in candidates if (kind, pk) in self.map_nodes],
            [pk for pk in candidates if self.inventory.names[kind][pk] == name],
        ):
            if len(narrowed) == 1:
                return narrowed[0]
        check.problem(
            column,
            gettext(
                "%(count)d %(records)s in the inventory are called '%(name)s'; rename all but one "
                "of them in the inventory, or put the one you mean on the map first."
            )
            % {"count": len(candidates), "records": _RECORDS[kind], "name": name},
        )
        return None

    def compare_node(
        self, planned: _PlannedNode, roles: list[str], x: float | None, y: float | None
    ) -> None:
        """Roles are merged into the node's and a position replaces its, so importing the same
        file again, or one that leaves them out, takes nothing away."""
        fields = []
        added = [role for role in roles if role not in planned.roles]
        if added:
            planned.roles = [*planned.roles, *added]
            fields.append("roles")
        if x is not None and (x, y) != (planned.x, planned.y):
            planned.x, planned.y = x, y
            fields.append("position")
        if planned.node_pk is not None:
            planned.fields = fields
            planned.action = "update" if fields else "unchanged"

    def index_names(self) -> None:
        for planned in [*self.map_nodes.values(), *self.plan._state.nodes]:
            nodes = self.by_name.setdefault(_fold(planned.name), [])
            if planned not in nodes:
                nodes.append(planned)

    def where(self, entry: _Entry, with_sheet: bool = False) -> str:
        """An entry as its reader finds it: a row (of which sheet, when told from another),
        or a Kumu element or connection by its position."""
        if entry.label is None and with_sheet:
            return gettext("row %(row)d of the %(sheet)s sheet") % {
                "row": entry.row,
                "sheet": entry.part.capitalize(),
            }
        if entry.label is None:
            return gettext("row %(row)d") % {"row": entry.row}
        if entry.part == ELEMENTS:
            return gettext("element %(number)d") % {"number": entry.row}
        return gettext("connection %(number)d") % {"number": entry.row}

    def described(self, node: _PlannedNode) -> str:
        """A node and where it comes from, to tell apart nodes of one name."""
        if node.entry is None:
            return gettext("%(node)s on the map") % {"node": _A_NODE[node.kind]}
        return gettext("%(node)s in %(where)s") % {
            "node": _A_NODE[node.kind],
            "where": self.where(node.entry, with_sheet=True),
        }

    # Exchanges

    def load_exchanges(self) -> None:
        fields = ("pk", "source_id", "target_id", "kind", "dataset_id", *_EXCHANGE_FIELDS)
        exchanges = Exchange.objects.filter(map=self.plan.ecosystem_map).order_by("pk")
        for pk, source, target, kind, dataset, *values in exchanges.values_list(*fields):
            record = dict(zip(_EXCHANGE_FIELDS, values, strict=True))
            record["pk"] = pk
            self.existing.setdefault((source, target, kind, dataset), record)

    def plan_exchange(self, entry: _Entry) -> None:
        check = _Check(entry, self.problems)
        source = self.node_ref(check, "from")
        target = self.node_ref(check, "to")
        kind = check.choice("kind", ExchangeKind.DATA.value)
        dataset = self.dataset_ref(check, kind)
        values = self.exchange_values(check)
        if source is not None and source is target:
            check.problem(
                "to", gettext("an exchange goes from one node to another, not to itself.")
            )
        if not check.ok or source is None or target is None:
            return
        key = (source, target, kind, dataset)
        earlier = self.planned.get(key)
        if earlier is not None:
            check.problem(
                "to",
                gettext(
                    "%(where)s already describes this exchange (same from, to, kind and dataset); "
                    "list each exchange once."
                )
                % {"where": self.where(earlier.entry)},
            )
            return
        planned = _PlannedExchange(
            entry, source, target, kind, dataset, check.text("dataset"), values
        )
        existing = None
        if source.node_pk and target.node_pk and not isinstance(dataset, _PlannedNode):
            existing = self.existing.get((source.node_pk, target.node_pk, kind, dataset))
        final = {**(existing or _EXCHANGE_DEFAULTS), **values}
        if final["status"] != FlowStatus.BLOCKED and "blocked_reasons" not in values:
            final["blocked_reasons"] = []  # unblocking a flow clears why it was blocked
        if not check.bad & {"status", "blocked_reasons"}:
            self.check_blocked(check, final)
        if not check.ok:
            return
        planned.values = {name: final[name] for name in _EXCHANGE_FIELDS}
        if existing is not None:
            planned.exchange_pk = existing["pk"]
            planned.fields = [n for n in _EXCHANGE_FIELDS if existing[n] != final[n]]
            planned.action = "update" if planned.fields else "unchanged"
        self.planned[key] = planned
        self.plan._state.exchanges.append(planned)

    def node_ref(self, check: _Check, column: str) -> _PlannedNode | None:
        entry = check.entry
        if column in entry.refs:
            planned = self.entry_nodes.get(entry.refs[column])
            if planned is None:  # the element's own problems are reported already
                check.ok = False
            return planned
        empty = (
            gettext("this is empty; name the node the exchange goes from.")
            if column == "from"
            else gettext("this is empty; name the node the exchange goes to.")
        )
        name = check.required(column, empty)
        if not name:
            return None
        nodes = self.by_name.get(_fold(name), [])
        if len(nodes) == 1:
            return nodes[0]
        if not nodes:
            if _fold(name) in self.broken:
                check.ok = False
            else:
                check.problem(
                    column,
                    gettext(
                        "'%(name)s' is not in %(where)s or on the map; add it to %(where)s, or "
                        "correct the name."
                    )
                    % {"name": name, "where": self.nodes_where},
                )
            return None
        check.problem(
            column,
            gettext(
                "'%(name)s' is the name of %(nodes)s, so this exchange cannot tell which one it "
                "means; rename one of them."
            )
            % {"name": name, "nodes": _both(self.described(node) for node in nodes)},
        )
        return None

    def dataset_ref(self, check: _Check, kind: str) -> _DatasetRef | None:
        name = check.text("dataset")
        if not name:
            return None
        if kind != ExchangeKind.DATA:
            if "kind" not in check.bad:
                check.problem(
                    "dataset",
                    gettext(
                        "only a data flow names a dataset, and this is %(exchange)s; clear the "
                        "dataset or make the kind data."
                    )
                    % {"exchange": _AN_EXCHANGE[kind]},
                )
            return None
        nodes = [n for n in self.by_name.get(_fold(name), []) if n.kind == "dataset"]
        if len(nodes) == 1:
            node = nodes[0]
            return node.record_pk if node.record_pk is not None else node
        record = self.find_record(check, "dataset", name, "dataset")
        if record is None and _fold(name) in self.broken:
            check.ok = False  # named by a node entry with problems of its own
        elif record is None and check.ok:
            check.problem(
                "dataset",
                gettext(
                    "there is no dataset called '%(name)s' in %(where)s, on the map or in the "
                    "inventory; add it to %(where)s as a dataset, or correct the title."
                )
                % {"name": name, "where": self.nodes_where},
            )
        return record

    def exchange_values(self, check: _Check) -> dict[str, Any]:
        """The fields the entry gives; an empty cell means the field's default, like an empty
        cell of the inventory import."""
        cells = check.entry.cells
        values: dict[str, Any] = {}
        for name in _EXCHANGE_FIELDS:
            if name not in cells:
                continue
            if name in ("mechanism", "access", "status"):
                values[name] = check.choice(name, _EXCHANGE_DEFAULTS[name])
            elif name == "blocked_reasons":
                values[name] = check.choices(name)
            else:
                values[name] = check.text(name, _TEXT_LIMIT.get(name))
        return values

    def check_blocked(self, check: _Check, final: dict[str, Any]) -> None:
        blocked = final["status"] == FlowStatus.BLOCKED
        if blocked and not final["blocked_reasons"]:
            check.problem(
                "blocked_reasons",
                gettext("the flow is blocked but no reason is given; add one or more of %(codes)s.")
                % {"codes": ", ".join(BlockReason.values)},
            )
        elif not blocked and final["blocked_reasons"]:
            check.problem(
                "blocked_reasons",
                gettext(
                    "reasons for being blocked are given but the status is '%(status)s'; make "
                    "the status blocked, or clear the reasons."
                )
                % {"status": final["status"]},
            )

    # The plan

    def changes(self) -> list[MapChange]:
        changes: list[MapChange] = []
        for planned in self.plan._state.nodes:
            row = planned.entry.row if planned.entry else None
            record_action = "unchanged" if planned.record_pk is not None else "create"
            changes.append(MapChange(planned.kind, record_action, planned.name, row))
            changes.append(MapChange("node", planned.action, planned.name, row, planned.fields))
        changes.extend(
            MapChange("exchange", e.action, e.label, e.entry.row, e.fields)
            for e in self.plan._state.exchanges
        )
        return changes


def plan_map_import(
    ecosystem_map: EcosystemMap, path: str | Path, filename: str | None = None
) -> MapImportPlan:
    """Read and check the whole file against `ecosystem_map` and work out what importing it
    would change, writing nothing, so the person importing can review every problem and change.

    `filename` is the name the person knows the file by (an upload is stored under another
    name); its extension decides how the file is read: .xlsx as a workbook with a Nodes and an
    Exchanges sheet, .json as a Kumu export. Raises MapImportError for a file that cannot be
    read at all.
    """
    path = Path(path)
    filename = filename or path.name
    suffix = Path(filename).suffix.casefold()
    problems: list[Problem] = []
    if suffix == ".xlsx":
        sheets = _read_workbook(path, filename)
        nodes = _sheet_entries(sheets[NODES], problems)
        # Without a usable Nodes sheet every exchange would only report unknown nodes.
        exchanges = _sheet_entries(sheets[EXCHANGES], problems) if nodes is not None else []
        nodes_where = gettext("the Nodes sheet")
    elif suffix == ".json":
        nodes, exchanges = _read_kumu(path, filename, problems)
        nodes_where = gettext("the file's elements")
    else:
        raise MapImportError(
            gettext(
                "%(filename)s: a map imports from an Excel workbook (.xlsx) with a Nodes and an "
                "Exchanges sheet, or from a Kumu JSON export (.json)."
            )
            % {"filename": filename}
        )
    plan = MapImportPlan(ecosystem_map, filename, suffix[1:], problems)
    planner = _Planner(plan, nodes_where)
    for entry in nodes or []:
        planner.plan_node(entry)
    planner.index_names()
    planner.load_exchanges()
    for entry in exchanges or []:
        planner.plan_exchange(entry)
    plan.changes = planner.changes()
    # Reading and checking find problems in different passes; people fix them top to bottom.
    problems.sort(key=lambda p: (p.table in (EXCHANGES, CONNECTIONS), p.row or 0))
    seen: set[str] = set()
    plan.problems = [p for p in problems if not (str(p) in seen or seen.add(str(p)))]
    return plan


# Applying -----------------------------------------------------------------------------------


def _still_there(found: dict[int, Any], pk: int, what: str) -> Any:
    """A record the plan counts on; one deleted since is a change the plan could not see."""
    if pk not in found:
        raise ValidationError(f"{what} has been deleted meanwhile")
    return found[pk]


class _Writer:
    """Writes a plan with the models' own checks (full_clean), as the map's forms do."""

    def __init__(self, plan: MapImportPlan):
        self.plan = plan
        self.map = plan.ecosystem_map
        self.workspace = self.map.project.workspace
        self.source = f"map import: {plan.filename}"[:300]
        self.now = timezone.now()
        self.records_created = 0

    def new_record(self, planned: _PlannedNode) -> models.Model:
        common = {
            "workspace": self.workspace,
            "description": planned.description,
            "source": self.source,
            "source_updated": self.now,
        }
        if planned.kind == "actor":
            record = Actor(name=planned.name, kind=ActorKind.OTHER, sector=Sector.PUBLIC, **common)
        elif planned.kind == "dataset":
            record = Dataset(
                title=planned.name,
                identifier=unique_identifier(self.workspace, planned.name),
                status=DatasetStatus.EXISTS,
                **common,
            )
        else:
            record = Technology(name=planned.name, kind=TechnologyKind.OTHER, **common)
        record.full_clean()
        record.save()
        self.records_created += 1
        return record

    def write_nodes(self) -> None:
        state = self.plan._state
        wanted: dict[str, list[int]] = {kind: [] for kind in NODE_KINDS}
        for planned in state.nodes:
            if planned.record_pk is not None:
                wanted[planned.kind].append(planned.record_pk)
        records = {kind: _MODELS[kind].objects.in_bulk(pks) for kind, pks in wanted.items() if pks}
        nodes = Node.objects.filter(map=self.map).in_bulk()
        for planned in state.nodes:
            if planned.record_pk is None:
                planned.record = self.new_record(planned)
            else:
                found = records[planned.kind]
                planned.record = _still_there(found, planned.record_pk, f"'{planned.name}'")
        ends = [node for e in state.exchanges for node in (e.source, e.target)]
        for planned in [*state.nodes, *ends]:
            if planned.node is not None:
                continue
            if planned.node_pk is None:
                planned.node = Node(map=self.map, **{planned.kind: planned.record})
            else:
                planned.node = _still_there(nodes, planned.node_pk, f"the node '{planned.name}'")
                planned.node.map = self.map
            if planned.action == "unchanged":
                continue
            planned.node.roles, planned.node.x, planned.node.y = planned.roles, planned.x, planned.y
            planned.node.full_clean()
            planned.node.save()

    def write_exchanges(self) -> None:
        state = self.plan._state
        named = [e.dataset for e in state.exchanges if isinstance(e.dataset, int)]
        datasets = Dataset.objects.in_bulk(named)
        changed = [e for e in state.exchanges if e.action != "unchanged"]
        existing = Exchange.objects.in_bulk([e.exchange_pk for e in changed if e.exchange_pk])
        for planned in changed:
            if planned.exchange_pk is None:
                exchange = Exchange(map=self.map, kind=planned.kind)
                exchange.source, exchange.target = planned.source.node, planned.target.node
                if isinstance(planned.dataset, _PlannedNode):
                    exchange.dataset = planned.dataset.record
                elif planned.dataset is not None:
                    what = f"the dataset '{planned.dataset_name}'"
                    exchange.dataset = _still_there(datasets, planned.dataset, what)
            else:
                what = f"the exchange {planned.label}"
                exchange = _still_there(existing, planned.exchange_pk, what)
                exchange.map = self.map
            for name, value in planned.values.items():
                setattr(exchange, name, value)
            exchange.full_clean()
            exchange.save()

    def summary(self) -> MapImportSummary:
        counts = self.plan.counts()
        return MapImportSummary(
            records_created=self.records_created,
            nodes_created=counts["nodes"]["create"],
            nodes_updated=counts["nodes"]["update"],
            exchanges_created=counts["exchanges"]["create"],
            exchanges_updated=counts["exchanges"]["update"],
        )


def apply_map_import(plan: MapImportPlan) -> MapImportSummary:
    """Write a checked plan to the map and the inventory, all of it or (on any error) none.

    Apply a plan soon after making it: it is a picture of the map at that moment, and if the
    map or the inventory has changed so that a record no longer passes its checks, nothing is
    written and MapImportError says why.
    """
    if not plan.ok:
        raise ValueError(
            f"{plan.filename} has {len(plan.problems)} problem(s); fix them and import it again."
        )
    if plan._state.applied:
        raise ValueError(f"{plan.filename} has already been imported with this plan.")
    writer = _Writer(plan)
    try:
        with transaction.atomic():
            writer.write_nodes()
            writer.write_exchanges()
    except ValidationError as exc:
        raise MapImportError(
            f"Nothing was imported: the map or the inventory changed after {plan.filename} was "
            f"checked ({'; '.join(exc.messages)}). Check the file again."
        ) from exc
    plan._state.applied = True
    return writer.summary()


# Template -----------------------------------------------------------------------------------

_EXAMPLE_NODES = [
    [
        "actor",
        "Waste Services",
        "steward; decision maker",
        "",
        "",
        "Collects household waste and runs the recycling centres.",
    ],
    ["dataset", "Bin collection rounds", "", "", "", "Which street is collected on which day."],
    ["technology", "Report-a-bin app", "", "", "", "Residents report missed bins with it."],
    ["actor", "Residents", "beneficiary; contributor", "", "", ""],
]
_EXAMPLE_EXCHANGES = [
    [
        "Waste Services",
        "Report-a-bin app",
        "data",
        "Bin collection rounds",
        "Round times for the app",
        "api",
        "daily",
        "open",
        "active",
        "",
        "",
    ],
    ["Waste Services", "Residents", "service", "", "Bin collection", "", "weekly", "", "", "", ""],
    [
        "Report-a-bin app",
        "Waste Services",
        "data",
        "",
        "Missed-bin reports",
        "email",
        "",
        "",
        "blocked",
        "technical",
        "Reports arrive as emails and are typed in by hand.",
    ],
]


def allowed_values(column: Column) -> str:
    """What a column accepts, in words, for the Help sheet and the import page."""
    if column.name == "type":
        return "; ".join(f"{kind}: {', '.join(words)}" for kind, words in NODE_TYPE_WORDS.items())
    if column.name in CHOICES:
        choices, _noun = CHOICES[column.name]
        listed = "; ".join(f"{value} = {label}" for value, label in choices.choices)
        if column.name in LIST_COLUMNS:
            text = gettext("The code or the label (several, separated by semicolons): %(choices)s")
        else:
            text = gettext("The code or the label: %(choices)s")
        return text % {"choices": listed}
    if column.name in ("x", "y"):
        return gettext("A number")
    return gettext("Any text")


def write_map_template(stream: BinaryIO) -> None:
    """A workbook in the import layout: the Nodes and Exchanges sheets with example rows that
    import as they are, and a Help sheet explaining each column."""
    workbook = Workbook(write_only=True)
    for table, rows in ((NODES, _EXAMPLE_NODES), (EXCHANGES, _EXAMPLE_EXCHANGES)):
        columns = COLUMNS[table]
        widths = [40 if c.name in ("description", "blocked_note") else 22 for c in columns]
        _add_sheet(workbook, table.capitalize(), [c.name for c in columns], rows, widths)
    help_sheet(workbook, COLUMNS, [12, 18, 10, 60, 80, 30], allowed_values)
    workbook.save(stream)
