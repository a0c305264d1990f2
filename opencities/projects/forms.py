from django import forms
from django.utils.translation import gettext as _

from opencities.accounts.models import display_name

from .models import Project


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "title",
            "challenge",
            "goal",
            "why_data",
            "urgency",
            "impact",
            "public_good",
            "stage",
            "owner",
        ]
        widgets = {
            "challenge": forms.Textarea(attrs={"rows": 3}),
            "goal": forms.Textarea(attrs={"rows": 3}),
            "why_data": forms.Textarea(attrs={"rows": 3}),
            "urgency": forms.NumberInput(attrs={"min": 1, "max": 5}),
            "impact": forms.NumberInput(attrs={"min": 1, "max": 5}),
        }

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.workspace = self.instance.workspace = workspace
        self.fields["owner"].queryset = workspace.members.order_by("username")
        self.fields["owner"].label_from_instance = display_name

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        clash = Project.objects.filter(workspace=self.workspace, title__iexact=title)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                _("A project called “%(title)s” already exists here.") % {"title": title}
            )
        return title
