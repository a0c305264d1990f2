"""Forms of the workshop pages: the workshop, its steps, the join code, a guest's name, and the
facilitator's controls."""

import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from opencities.accounts.models import Role, Workspace, display_name
from opencities.projects.models import Project

from . import codes
from .controls import ACTIONS, MAX_ADDED_SECONDS
from .models import DISPLAY_NAME_MAX_LENGTH, Step, StepKind, Workshop

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class WorkshopForm(forms.ModelForm):
    """Title and date; when changing a workshop, also who facilitates it (an editor or owner;
    a new workshop is facilitated by whoever creates it)."""

    class Meta:
        model = Workshop
        fields = ["title", "date", "facilitator"]
        widgets = {"date": DATETIME_INPUT}

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        if self.instance.pk is None:
            del self.fields["facilitator"]
        else:
            self.fields["facilitator"].queryset = (
                get_user_model()
                .objects.filter(
                    memberships__workspace=workspace,
                    memberships__role__in=[Role.EDITOR, Role.OWNER],
                )
                .order_by("username")
            )
            self.fields["facilitator"].label_from_instance = display_name


class StepForm(forms.ModelForm):
    """A step to add (with its kind) or to change (its kind stays)."""

    class Meta:
        model = Step
        fields = ["kind", "title", "duration_minutes", "map"]
        widgets = {"duration_minutes": forms.NumberInput(attrs={"min": 1, "max": 600})}

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        if self.instance.pk is not None:
            del self.fields["kind"]
        else:
            duration = self.fields["duration_minutes"]
            duration.required, duration.initial = False, None
            duration.help_text = _("Leave empty for the usual length of its kind.")
        self.fields["duration_minutes"].validators += [
            MinValueValidator(1),
            MaxValueValidator(600),
        ]
        self.fields["map"].queryset = project.maps.all()
        self.fields["map"].empty_label = _("No map yet")

    def clean(self):
        data = super().clean()
        kind = data.get("kind", self.instance.kind)
        if data.get("map") is not None and kind != StepKind.ECOSYSTEM_MAP:
            self.add_error("map", _("Only an ecosystem map step works on a map."))
        return data


class JoinCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Workshop code"),
        max_length=20,
        help_text=_(
            "Eight letters and numbers, e.g. KX7M-Q2PA. Capitals and the dash are optional."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        return codes.normalise(self.cleaned_data["code"])


class GuestForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your name"),
        max_length=DISPLAY_NAME_MAX_LENGTH,
        help_text=_("Shown to everyone in the workshop next to what you add."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )

    def clean_display_name(self) -> str:
        name = " ".join(self.cleaned_data["display_name"].split())
        if not name or re.search(r"[\x00-\x1f\x7f]", name):
            raise forms.ValidationError(_("Type the name people should see, in plain letters."))
        return name


class ControlForm(forms.Form):
    action = forms.ChoiceField(choices=[(name, name) for name in ACTIONS])
    seconds = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ADDED_SECONDS, initial=60
    )
