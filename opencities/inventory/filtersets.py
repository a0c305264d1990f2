"""Filters for the actor and dataset lists (query string in, queryset out)."""

from html import escape

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

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
from .search import ACTOR_SEARCH_FIELDS, search, search_datasets


class QuickSelect(forms.Select):
    """A <select> drawn in one pass: a city with thousands of actors would otherwise spend
    longer rendering one template per option than running the whole search."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        selected = "" if value is None else str(value)
        options = "".join(
            f'<option value="{escape(str(key))}"'
            f"{' selected' if str(key) == selected else ''}>{escape(str(label))}</option>"
            for key, label in self.choices
        )
        return mark_safe(f"<select{flatatt(attrs)}>{options}</select>")


def ordering(fields: tuple[tuple[str, str], ...], labels: dict[str, str]):
    """Sorting by `fields` ((field, parameter) pairs), both directions named in the page's
    language by `labels` (by parameter): django-filter would word the descending ones once, in
    whatever language is active when this module is imported."""
    field_labels = {}
    for field, param in fields:
        field_labels[field] = labels[param]
        field_labels[f"-{param}"] = format_lazy(_("{} (descending)"), labels[param])
    return django_filters.OrderingFilter(
        fields=fields, field_labels=field_labels, label=_("Sort by")
    )


class WorkspaceFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))

    search_fields: tuple[str, ...] = ()

    def __init__(self, data=None, queryset=None, *, workspace, **kwargs):
        self.workspace = workspace
        super().__init__(data, queryset, **kwargs)

    def filter_search(self, queryset, name, value):
        return search(queryset, value, self.search_fields)


class DatasetFilterSet(WorkspaceFilterSet):
    def filter_search(self, queryset, name, value):
        return search_datasets(queryset, value)

    steward = django_filters.ChoiceFilter(label=_("Steward"), widget=QuickSelect, distinct=False)
    sector = django_filters.ChoiceFilter(
        field_name="steward__sector", choices=Sector.choices, label=_("Steward's sector")
    )
    # One theme joins each dataset at most once, so no DISTINCT (which would make the count
    # compare every column of every row).
    theme = django_filters.ChoiceFilter(field_name="themes", label=_("Theme"), distinct=False)
    spectrum = django_filters.MultipleChoiceFilter(
        choices=Spectrum.choices,
        label=_("Data Spectrum"),
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    status = django_filters.ChoiceFilter(choices=DatasetStatus.choices, label=_("Status"))
    personal_data = django_filters.MultipleChoiceFilter(
        choices=PersonalData.choices,
        label=_("Personal data"),
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    sort = ordering(
        (
            ("title", "title"),
            ("updated", "updated"),
            ("steward__name", "steward"),
            ("spectrum", "spectrum"),
            ("status", "status"),
        ),
        {
            "title": _("Title"),
            "updated": _("Last changed"),
            "steward": _("Steward"),
            "spectrum": _("Data Spectrum"),
            "status": _("Status"),
        },
    )

    class Meta:
        model = Dataset
        fields = []

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, workspace=workspace, **kwargs)
        # Probing the steward index once per actor is far cheaper than reading every dataset.
        stewards = Actor.objects.filter(workspace=workspace).filter(
            Exists(Dataset.objects.filter(steward=OuterRef("pk")))
        )
        themes = Theme.objects.filter(workspace=workspace)
        # Choices as callables: read only when the form is drawn or a value is checked, and not
        # deep-copied (with their thousands of options) each time a form is built.
        self.filters["steward"].extra["choices"] = lambda: stewards.values_list("pk", "name")
        self.filters["theme"].extra["choices"] = lambda: themes.values_list("pk", "name")


class ActorFilterSet(WorkspaceFilterSet):
    search_fields = ACTOR_SEARCH_FIELDS

    sector = django_filters.ChoiceFilter(choices=Sector.choices, label=_("Sector"))
    kind = django_filters.ChoiceFilter(choices=ActorKind.choices, label=_("Kind"))
    parent = django_filters.ModelChoiceFilter(
        queryset=Actor.objects.none(), label=_("Part of"), method="filter_parent"
    )
    sort = ordering(
        (("name", "name"), ("sector", "sector"), ("kind", "kind"), ("updated", "updated")),
        {"name": _("Name"), "sector": _("Sector"), "kind": _("Kind"), "updated": _("Last changed")},
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
