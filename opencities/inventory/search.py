"""Free-text search over the inventory, shared by the pages, the API and the benchmarks.

Every word of the query must appear somewhere in the record (title, description, keywords,
identifier, steward, system or licence for datasets), in any order and any letter case, so
"bus gtfs" finds "Bus timetables" whose formats or keywords mention GTFS.
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


def search(queryset: QuerySet, query: str, fields: tuple[str, ...]) -> QuerySet:
    for term in split_terms(query):
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": term})
        queryset = queryset.filter(condition)
    return queryset
