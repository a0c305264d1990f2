from django import forms
from django.db import models
from django.forms import inlineformset_factory
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Actor, Dataset, Distribution, Theme, unique_identifier


def split_list(text: str) -> list[str]:
    """Items typed as "a, b; c" (commas or semicolons), blanks and repeats dropped."""
    items: list[str] = []
    for raw in text.replace(";", ",").split(","):
        item = raw.strip()
        if item and item.lower() not in {seen.lower() for seen in items}:
            items.append(item)
    return items


def https_urls(field, **kwargs):
    """Form fields for model fields; a URL typed without a scheme is taken to be https."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class ListField(forms.CharField):
    """A list stored as JSON, edited as comma-separated text."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value):
        return split_list(super().to_python(value) or "")


class ActorForm(forms.ModelForm):
    class Meta:
        model = Actor
        formfield_callback = https_urls
        fields = ["name", "kind", "sector", "parent", "description", "contact", "website"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.workspace = self.instance.workspace = workspace
        parents = Actor.objects.filter(workspace=workspace)
        if self.instance.pk:
            parents = parents.exclude(pk__in=self._descendant_ids())
        self.fields["parent"].queryset = parents
        self.fields["parent"].required = False

    def _descendant_ids(self) -> set[int]:
        """This actor and everything under it: choosing one of them as parent would loop."""
        found, frontier = {self.instance.pk}, {self.instance.pk}
        while frontier:
            frontier = (
                set(Actor.objects.filter(parent__in=frontier).values_list("pk", flat=True)) - found
            )
            found |= frontier
        return found

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Actor.objects.filter(workspace=self.workspace, name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                gettext("An actor called “%(name)s” is already in this workspace.") % {"name": name}
            )
        return name


class DatasetForm(forms.ModelForm):
    themes = forms.CharField(
        label=_("Themes"),
        required=False,
        help_text=_("Separate themes with commas, e.g. “Transport, Environment”."),
    )
    keywords = ListField(
        label=_("Keywords"), required=False, help_text=_("Separate keywords with commas.")
    )
    formats = ListField(
        label=_("Formats"), required=False, help_text=_("e.g. “CSV, GeoJSON, API”.")
    )

    class Meta:
        model = Dataset
        fields = [
            "title",
            "identifier",
            "status",
            "description",
            "steward",
            "themes",
            "keywords",
            "licence",
            "formats",
            "update_frequency",
            "system",
            "personal_data",
            "spectrum",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.workspace = self.instance.workspace = workspace
        self.fields["steward"].queryset = Actor.objects.filter(workspace=workspace)
        self.fields["identifier"].required = False
        self.fields["identifier"].help_text = _(
            "Leave blank to make one from the title. Imports match records on it."
        )
        if self.instance.pk:
            self.initial["themes"] = ", ".join(t.name for t in self.instance.themes.all())

    def clean_identifier(self):
        identifier = self.cleaned_data.get("identifier") or ""
        if not identifier:
            return identifier
        clash = Dataset.objects.filter(workspace=self.workspace, identifier=identifier)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                gettext("Another dataset already has the identifier “%(identifier)s”.")
                % {"identifier": identifier}
            )
        return identifier

    def clean_themes(self):
        names = split_list(self.cleaned_data["themes"])
        limit = Theme._meta.get_field("name").max_length
        too_long = [name for name in names if len(name) > limit]
        if too_long:
            raise forms.ValidationError(
                gettext("A theme can be at most %(limit)d characters long: shorten “%(theme)s…”.")
                % {"limit": limit, "theme": too_long[0][:40]}
            )
        return names

    def clean_formats(self):
        return [value.upper() for value in self.cleaned_data["formats"]]

    def _theme(self, name: str) -> Theme:
        """The workspace's theme of that name in any letter case, as imports match them."""
        existing = Theme.objects.filter(workspace=self.workspace, name__iexact=name).first()
        return existing or Theme.objects.create(workspace=self.workspace, name=name)

    def save(self, commit=True):
        dataset = super().save(commit=False)
        dataset.workspace = self.workspace
        if not dataset.identifier:
            dataset.identifier = unique_identifier(self.workspace, dataset.title)
        if commit:
            dataset.save()
            dataset.themes.set([self._theme(name) for name in self.cleaned_data["themes"]])
        return dataset


DistributionFormSet = inlineformset_factory(
    Dataset,
    Distribution,
    fields=["title", "url", "format"],
    formfield_callback=https_urls,
    extra=1,
    can_delete=True,
)


class ClassificationForm(forms.ModelForm):
    """The three fields people most often correct in passing, edited inline on the detail page."""

    class Meta:
        model = Dataset
        fields = ["spectrum", "status", "personal_data"]
