"""Forms of the canvases: what a section, a contribution, an action or a review accepts.

The section forms are drawn by hand in `canvases/_section.html` (one include serves both
canvases, in a loop); these classes check and save what comes back.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opencities.accounts.models import Workspace, display_name

from .models import Action, Answer, Contribution, EthicsCanvas, EthicsSection, SectionStatus

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SectionForm(forms.Form):
    """A section's summary and status, and, for an ethics section, the answers to its checks
    (fields named ``check_<key>``; an empty answer means not answered yet)."""

    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea)
    status = forms.ChoiceField(label=_("Status"), choices=SectionStatus.choices)

    def __init__(self, *args, section, **kwargs):
        super().__init__(*args, **kwargs)
        self.section = section
        for check in section.spec.checks:
            self.fields[f"check_{check.key}"] = forms.ChoiceField(
                label=check.question,
                choices=[("", _("Not answered")), *Answer.choices],
                required=False,
            )

    def save(self, user) -> None:
        section = self.section
        section.summary = self.cleaned_data["summary"].strip()
        section.status = self.cleaned_data["status"]
        section.updated_by = user
        if section.spec.checks:
            section.checks = {
                check.key: answer
                for check in section.spec.checks
                if (answer := self.cleaned_data[f"check_{check.key}"])
            }
        section.save()


class ContributionForm(forms.ModelForm):
    class Meta:
        model = Contribution
        fields = ["text"]


class DatasetLinkForm(forms.Form):
    """Link one or more datasets to a section; only this workspace's datasets are accepted."""

    relation = "datasets"  # the field, and the section's many-to-many it fills
    datasets = forms.ModelMultipleChoiceField(queryset=None)

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["datasets"].queryset = workspace.datasets.all()


class FlowLinkForm(forms.Form):
    """Link one or more data flows to a section; only the project's own maps' flows count."""

    relation = "exchanges"
    exchanges = forms.ModelMultipleChoiceField(queryset=None)

    def __init__(self, *args, canvas: EthicsCanvas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exchanges"].queryset = canvas.map_flows()


def link_form(section: EthicsSection, data=None) -> DatasetLinkForm | FlowLinkForm | None:
    """The form that links what the section offers from the maps; None when it offers nothing."""
    if section.spec.offers == "datasets":
        return DatasetLinkForm(data, workspace=section.canvas.project.workspace)
    if section.spec.offers == "flows":
        return FlowLinkForm(data, canvas=section.canvas)
    return None


class NextReviewForm(forms.ModelForm):
    class Meta:
        model = EthicsCanvas
        fields = ["next_review"]
        widgets = {"next_review": DATE_INPUT}
        help_texts = {"next_review": _("Leave it empty when no review is planned.")}


class ActionForm(forms.ModelForm):
    """An action's owner is a member of the workspace or, for someone without an account here,
    a typed name — not both."""

    class Meta:
        model = Action
        fields = ["description", "owner", "owner_name", "priority", "due", "status"]
        widgets = {"due": DATE_INPUT}

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        owner.queryset = get_user_model().objects.filter(workspaces=workspace).order_by("username")
        owner.label_from_instance = display_name
        owner.empty_label = _("Nobody in the workspace")
        owner.help_text = _("A member of the workspace…")
        self.fields["owner_name"].help_text = _(
            "…or the name of someone without an account here, e.g. a partner's officer."
        )

    def clean(self):
        data = super().clean()
        if data.get("owner") and data.get("owner_name"):
            self.add_error("owner_name", _("Choose a member or type a name, not both."))
        return data


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        help_text=_("What this review was for, e.g. “before the pilot starts”."),
    )
    next_review = forms.DateField(
        label=_("Next review"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Optional: set the date of the next review at the same time."),
    )


NOW = "now"


class CompareForm(forms.Form):
    """Two reviews to compare, or a review and the canvas as it is now."""

    # In context: a data flow's "From" and "To" on the maps name its ends, not two moments.
    a = forms.ChoiceField(label=pgettext_lazy("comparing reviews", "From"))
    b = forms.ChoiceField(label=pgettext_lazy("comparing reviews", "To"))

    def __init__(self, *args, reviews, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(r.pk), review_label(r)) for r in reviews]
        choices.append((NOW, _("The canvas now")))
        self.fields["a"].choices = self.fields["b"].choices = choices


def review_label(review) -> str:
    taken = date_format(timezone.localtime(review.taken), "j M Y, H:i")
    return f"{taken} — {review.note}" if review.note else taken
