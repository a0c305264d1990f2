"""Free-text search over the inventory, shared by the pages, the API and the benchmarks.

Every word of the query must appear somewhere in the record (title, description, keywords,
identifier, formats, system, licence or the steward's name for datasets), in any order and any
letter case, and inside longer words too, so "bus gtfs" finds "Bus timetables" whose keywords
mention GTFS, and "cycl" finds "bicycle".

A dataset's own text is kept by the database in one generated column (`Dataset.search_text`), so
a search reads one column a row; the steward's name is checked against the short actor table.
At 50,000 datasets that is about as fast as a bare LIKE over title and description
(docs/performance.md).
"""

import shlex

from django.db.models import Q, QuerySet

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


def split_terms(query: str) -> list[str]:
    """Words of the query; "quoted phrases" stay together."""
    try:
        terms = shlex.split(query)
    except ValueError:  # an unbalanced quote: treat the text as plain words
        terms = query.split()
    return [term for term in terms if term.strip()][:10]


def search_datasets(queryset: QuerySet, query: str) -> QuerySet:
    """Keep the datasets in which every word of `query` appears (see the module's docstring)."""
    from .models import Actor

    for term in split_terms(query):
        stewards = Actor.objects.filter(name__icontains=term).values("pk")
        queryset = queryset.filter(Q(search_text__icontains=term) | Q(steward__in=stewards))
    return queryset


def search(queryset: QuerySet, query: str, fields: tuple[str, ...]) -> QuerySet:
    for term in split_terms(query):
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": term})
        queryset = queryset.filter(condition)
    return queryset
