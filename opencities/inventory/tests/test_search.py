"""Search gives the same answers through the SQLite full-text index and without it."""

import pytest
from django.db import connection

from opencities.inventory import search
from opencities.inventory.models import Actor, Dataset


@pytest.fixture
def datasets(workspace):
    waste = Actor.objects.create(workspace=workspace, name="Waste & Street Services")
    rows = [
        ("bins", "Bin collection rounds", "Which streets are collected on which day.", ["waste"]),
        ("bikes", "Cycle hire docks", "Docking stations of the bicycle scheme.", ["cycling"]),
        ("air", "Air quality", "NO2 readings, 100% of sensors.", ["pollution", "air"]),
        ("tips", "Fly-tipping reports", "Reports of dumped_rubbish from residents.", []),
    ]
    for identifier, title, description, keywords in rows:
        Dataset.objects.create(
            workspace=workspace,
            identifier=identifier,
            title=title,
            description=description,
            keywords=keywords,
            steward=waste if identifier in {"bins", "tips"} else None,
        )


QUERIES = {
    "cycl": ["bikes"],  # inside a longer word, and in "bicycle"
    "BIN COLLECTION": ["bins"],  # any letter case; every word must match
    '"collection rounds"': ["bins"],  # a quoted phrase
    "street": ["bins", "tips"],  # "streets" in a description, and the steward's name
    "waste &": ["bins", "tips"],  # a short word falls back to a plain substring match
    "no2": ["air"],
    "100%": ["air"],  # % is a character, not a wildcard
    "ed_r": ["tips"],  # so is _
    'say "hello': [],  # an unbalanced quote
    "pollution air": ["air"],  # keywords
    "nothing-like-this": [],
}


def identifiers(queryset) -> list[str]:
    return sorted(queryset.values_list("identifier", flat=True))


def test_the_test_database_has_the_index(db):
    assert search.has_index()


@pytest.mark.parametrize("query,expected", QUERIES.items())
def test_search_through_the_index(datasets, query, expected):
    assert identifiers(search.search_datasets(Dataset.objects.all(), query)) == expected


@pytest.mark.parametrize("query,expected", QUERIES.items())
def test_search_without_the_index_agrees(datasets, monkeypatch, query, expected):
    monkeypatch.setattr(search, "has_index", lambda alias="default": False)
    assert identifiers(search.search_datasets(Dataset.objects.all(), query)) == expected


def test_the_index_follows_edits_and_deletions(workspace, datasets):
    dataset = Dataset.objects.get(identifier="bins")
    dataset.title = "Refuse rounds"
    dataset.description = ""
    dataset.save()
    assert identifiers(search.search_datasets(Dataset.objects.all(), "collection")) == []
    assert identifiers(search.search_datasets(Dataset.objects.all(), "refuse")) == ["bins"]
    dataset.delete()
    assert identifiers(search.search_datasets(Dataset.objects.all(), "refuse")) == []


def test_missing_triggers_are_recreated_and_the_index_rebuilt(workspace, datasets):
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {search.INDEX}_update")
    Dataset.objects.filter(identifier="air").update(title="Atmosphere monitoring")
    assert search.ensure_index(connection)
    found = search.search_datasets(Dataset.objects.all(), "atmosphere")
    assert identifiers(found) == ["air"]
