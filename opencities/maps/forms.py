from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opencities.inventory.models import (
    Actor,
    ActorKind,
    Dataset,
    DatasetStatus,
    Sector,
    Technology,
    TechnologyKind,
    unique_identifier,
)

from .models import NODE_KIND_LABELS, BlockReason, EcosystemMap, Exchange, Node, Role


class MapForm(forms.ModelForm):
    class Meta:
        model = EcosystemMap
        fields = ["title", "state", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class NodeForm(forms.Form):
    """Put an inventory record on the map, or create one from here (it joins the inventory)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=NODE_KIND_LABELS)
    existing = forms.CharField(
        label=_("Name"),
        max_length=300,
        help_text=_("An actor, dataset or technology of the inventory, or a new name to add one."),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, ecosystem_map: EcosystemMap, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.map = ecosystem_map
        self.workspace = ecosystem_map.project.workspace

    def clean(self):
        data = super().clean()
        kind, name = data.get("kind"), (data.get("existing") or "").strip()
        if not kind or not name:
            return data
        if data.get("roles") and kind != "actor":
            self.add_error("roles", gettext("Only actors play roles on a map."))
        model = {"actor": Actor, "dataset": Dataset, "technology": Technology}[kind]
        field = "title" if kind == "dataset" else "name"
        record = model.objects.filter(
            workspace=self.workspace, **{f"{field}__iexact": name}
        ).first()
        if record and Node.objects.filter(map=self.map, **{kind: record}).exists():
            self.add_error(
                "existing", gettext("“%(name)s” is already on this map.") % {"name": record}
            )
        data["record"], data["name"] = record, name
        return data

    def save(self) -> Node:
        kind, record, name = (self.cleaned_data[k] for k in ("kind", "record", "name"))
        if record is None:
            record = self._create(kind, name)
        return Node.objects.create(map=self.map, roles=self.cleaned_data["roles"], **{kind: record})

    def _create(self, kind: str, name: str):
        source = f"map: {self.map.title}"
        if kind == "actor":
            return Actor.objects.create(
                workspace=self.workspace,
                name=name,
                kind=ActorKind.OTHER,
                sector=Sector.PUBLIC,
                source=source,
            )
        if kind == "dataset":
            return Dataset.objects.create(
                workspace=self.workspace,
                title=name,
                identifier=unique_identifier(self.workspace, name),
                status=DatasetStatus.EXISTS,
                source=source,
            )
        return Technology.objects.create(
            workspace=self.workspace, name=name, kind=TechnologyKind.OTHER, source=source
        )


class RolesForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Node
        fields = ["roles"]


class ExchangeForm(forms.ModelForm):
    blocked_reasons = forms.MultipleChoiceField(
        label=_("Why it is blocked"),
        choices=BlockReason.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Exchange
        fields = [
            "source",
            "target",
            "kind",
            "dataset",
            "description",
            "mechanism",
            "frequency",
            "access",
            "status",
            "blocked_reasons",
            "blocked_note",
        ]
        labels = {"source": _("From"), "target": _("To")}
        widgets = {"blocked_note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, ecosystem_map: EcosystemMap, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.instance.map = ecosystem_map
        nodes = ecosystem_map.nodes.select_related("actor", "dataset", "technology")
        for name in ("source", "target"):
            self.fields[name].queryset = nodes
        self.fields["dataset"].queryset = Dataset.objects.filter(
            workspace=ecosystem_map.project.workspace
        ).only("title")
