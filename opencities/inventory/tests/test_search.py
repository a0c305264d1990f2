"""What the search box finds: every word, anywhere in the record, in any letter case."""

import pytest

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


@pytest.mark.parametrize("query,expected", QUERIES.items())
def test_dataset_search_matches_every_word_as_a_substring(datasets, query, expected):
    assert identifiers(search.search_datasets(Dataset.objects.all(), query)) == expected


@pytest.mark.parametrize("query,expected", QUERIES.items())
def test_search_over_the_fields_one_by_one_agrees(datasets, query, expected):
    found = search.search(Dataset.objects.all(), query, search.DATASET_SEARCH_FIELDS)
    assert identifiers(found) == expected


def test_search_text_follows_edits(workspace, datasets):
    dataset = Dataset.objects.get(identifier="bins")
    dataset.title = "Refuse rounds"
    dataset.description = ""
    dataset.save()
    assert identifiers(search.search_datasets(Dataset.objects.all(), "collection")) == []
    assert identifiers(search.search_datasets(Dataset.objects.all(), "refuse")) == ["bins"]
    Dataset.objects.filter(pk=dataset.pk).update(system="Confirm asset register")
    assert identifiers(search.search_datasets(Dataset.objects.all(), "confirm")) == ["bins"]
