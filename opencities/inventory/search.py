"""Free-text search over the inventory, shared by the pages, the API and the benchmarks.

Every word of the query must appear somewhere in the record (title, description, keywords,
identifier, formats, system, licence, or the steward's name for datasets), in any order and any
letter case, so "bus gtfs" finds "Bus timetables" whose keywords mention GTFS. A word matches
inside longer words too ("cycl" finds "cycling" and "bicycle").

On SQLite a trigram full-text index (FTS5) answers each word of three or more letters without
reading every row, which keeps a 50,000-dataset search fast; it gives the same answers as the plain
substring match used for shorter words and on other databases. The index is derived data: it is
created, and rebuilt whenever its triggers are missing (a migration that rebuilds the dataset
table drops them), after every `migrate`.
"""

import shlex

from django.db import connections
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

DATASET_SEARCH_FIELDS = (
    "title",
    "description",
    "identifier",
    "keywords",
    "formats",
    "system",
    "licence",
    "steward__name",
)
ACTOR_SEARCH_FIELDS = ("name", "description", "contact", "website", "parent__name")

INDEX = "inventory_dataset_search"
INDEXED_COLUMNS = ("title", "description", "identifier", "keywords", "formats", "system", "licence")
MIN_INDEXED_TERM = 3  # trigrams: shorter words cannot use the index


def split_terms(query: str) -> list[str]:
    """Words of the query; "quoted phrases" stay together."""
    try:
        terms = shlex.split(query)
    except ValueError:  # an unbalanced quote: treat the text as plain words
        terms = query.split()
    return [term for term in terms if term.strip()][:10]


def search(queryset: QuerySet, query: str, fields: tuple[str, ...]) -> QuerySet:
    """Keep the rows in which every word of `query` appears in one of `fields`."""
    for term in split_terms(query):
        queryset = queryset.filter(_substring(term, fields))
    return queryset


def search_datasets(queryset: QuerySet, query: str) -> QuerySet:
    """`search` over datasets, through the full-text index where there is one."""
    indexed = has_index(queryset.db)
    for term in split_terms(query):
        if indexed and len(term) >= MIN_INDEXED_TERM:
            queryset = queryset.filter(_indexed(term))
        else:
            queryset = queryset.filter(_substring(term, DATASET_SEARCH_FIELDS))
    return queryset


def _substring(term: str, fields: tuple[str, ...]) -> Q:
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": term})
    return condition


def _indexed(term: str) -> Q:
    """Datasets whose own text holds `term` (from the index) or whose steward's name does."""
    phrase = '"' + term.replace('"', '""') + '"'
    matches = RawSQL(f"SELECT rowid FROM {INDEX} WHERE {INDEX} MATCH %s", [phrase])
    stewards = RawSQL(
        "SELECT id FROM inventory_actor WHERE name LIKE %s ESCAPE '\\'", [_like(term)]
    )
    return Q(pk__in=matches) | Q(steward_id__in=stewards)


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


_index_present: dict[str, bool] = {}


def has_index(alias: str = "default") -> bool:
    connection = connections[alias]
    if connection.vendor != "sqlite":
        return False
    key = f"{alias}:{connection.settings_dict['NAME']}"
    if key not in _index_present:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [INDEX])
            _index_present[key] = cursor.fetchone() is not None
    return _index_present[key]


def _fts5_available(cursor) -> bool:
    try:
        cursor.execute("CREATE VIRTUAL TABLE temp.fts5_probe USING fts5(x, tokenize='trigram')")
        cursor.execute("DROP TABLE temp.fts5_probe")
    except Exception:  # this SQLite lacks FTS5 or its trigram tokenizer: search by substring
        return False
    return True


def ensure_index(connection) -> bool:
    """Create the dataset search index and its triggers if missing; rebuild it if any trigger
    was missing, since rows may have changed unseen. Returns whether the index is in place."""
    if connection.vendor != "sqlite":
        return False
    columns = ", ".join(INDEXED_COLUMNS)
    new = ", ".join(f"new.{c}" for c in INDEXED_COLUMNS)
    old = ", ".join(f"old.{c}" for c in INDEXED_COLUMNS)
    remove = f"INSERT INTO {INDEX}({INDEX}, rowid, {columns}) VALUES ('delete', old.id, {old});"
    add = f"INSERT INTO {INDEX}(rowid, {columns}) VALUES (new.id, {new});"
    triggers = {
        f"{INDEX}_insert": f"AFTER INSERT ON inventory_dataset BEGIN {add} END",
        f"{INDEX}_delete": f"AFTER DELETE ON inventory_dataset BEGIN {remove} END",
        f"{INDEX}_update": (
            f"AFTER UPDATE OF {columns} ON inventory_dataset BEGIN {remove} {add} END"
        ),
    }
    with connection.cursor() as cursor:
        if not _fts5_available(cursor):
            return False
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {INDEX} USING fts5({columns}, "
            "content='inventory_dataset', content_rowid='id', tokenize='trigram')"
        )
        cursor.execute(
            "SELECT name FROM sqlite_master "
            "WHERE type = 'trigger' AND tbl_name = 'inventory_dataset'"
        )
        present = {name for (name,) in cursor.fetchall()}
        missing = [name for name in triggers if name not in present]
        for name in missing:
            cursor.execute(f"CREATE TRIGGER {name} {triggers[name]}")
        if missing:
            cursor.execute(f"INSERT INTO {INDEX}({INDEX}) VALUES ('rebuild')")
    _index_present.clear()
    return True
