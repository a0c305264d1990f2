"""Filters for the actor and dataset lists (query string in, queryset out)."""

import django_filters
from django import forms
from django.db.models import Q

from .models import (
    Actor,
    ActorKind,
    Dataset,
    DatasetStatus,
    PersonalData,
    Sector,
    Spectrum,
    Theme,
)
from .search import ACTOR_SEARCH_FIELDS, DATASET_SEARCH_FIELDS, search


class WorkspaceFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label="Search")

    search_fields: tuple[str, ...] = ()

    def __init__(self, data=None, queryset=None, *, workspace, **kwargs):
        self.workspace = workspace
        super().__init__(data, queryset, **kwargs)

    def filter_search(self, queryset, name, value):
        return search(queryset, value, self.search_fields)


class DatasetFilterSet(WorkspaceFilterSet):
    search_fields = DATASET_SEARCH_FIELDS

    steward = django_filters.ModelChoiceFilter(queryset=Actor.objects.none(), label="Steward")
    sector = django_filters.ChoiceFilter(
        field_name="steward__sector", choices=Sector.choices, label="Steward's sector"
    )
    theme = django_filters.ModelChoiceFilter(
        field_name="themes", queryset=Theme.objects.none(), label="Theme"
    )
    spectrum = django_filters.MultipleChoiceFilter(
        choices=Spectrum.choices,
        label="Data Spectrum",
        widget=forms.CheckboxSelectMultiple,
    )
    status = django_filters.ChoiceFilter(choices=DatasetStatus.choices, label="Status")
    personal_data = django_filters.ChoiceFilter(choices=PersonalData.choices, label="Personal data")
    sort = django_filters.OrderingFilter(
        fields=(
            ("title", "title"),
            ("updated", "updated"),
            ("steward__name", "steward"),
            ("spectrum", "spectrum"),
            ("status", "status"),
        ),
        field_labels={"updated": "Last changed"},
        label="Sort by",
    )

    class Meta:
        model = Dataset
        fields = []

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, workspace=workspace, **kwargs)
        self.filters["steward"].queryset = Actor.objects.filter(
            workspace=workspace, stewarded_datasets__isnull=False
        ).distinct()
        self.filters["theme"].queryset = Theme.objects.filter(workspace=workspace)


class ActorFilterSet(WorkspaceFilterSet):
    search_fields = ACTOR_SEARCH_FIELDS

    sector = django_filters.ChoiceFilter(choices=Sector.choices, label="Sector")
    kind = django_filters.ChoiceFilter(choices=ActorKind.choices, label="Kind")
    parent = django_filters.ModelChoiceFilter(
        queryset=Actor.objects.none(), label="Part of", method="filter_parent"
    )
    sort = django_filters.OrderingFilter(
        fields=(("name", "name"), ("sector", "sector"), ("kind", "kind"), ("updated", "updated")),
        field_labels={"updated": "Last changed"},
        label="Sort by",
    )

    class Meta:
        model = Actor
        fields = []

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, workspace=workspace, **kwargs)
        self.filters["parent"].queryset = Actor.objects.filter(
            workspace=workspace, children__isnull=False
        ).distinct()

    def filter_parent(self, queryset, name, value):
        return queryset.filter(Q(parent=value) | Q(pk=value.pk))
