from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from .models import Membership, Role, Workspace


class WorkspaceForm(forms.ModelForm):
    class Meta:
        model = Workspace
        fields = ["name", "slug", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class WorkspaceSettingsForm(forms.ModelForm):
    class Meta:
        model = Workspace
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class AddMemberForm(forms.Form):
    user = forms.CharField(
        label="Username or email",
        max_length=254,
        help_text="The person needs an account first (`opencities createuser`).",
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.workspace = workspace

    def clean_user(self):
        value = self.cleaned_data["user"].strip()
        users = get_user_model().objects.filter(Q(username__iexact=value) | Q(email__iexact=value))
        if users.count() != 1:
            raise forms.ValidationError(
                f"No single account has the username or email “{value}”. "
                "Check the spelling, or ask an administrator to create the account."
            )
        user = users.get()
        if Membership.objects.filter(workspace=self.workspace, user=user).exists():
            raise forms.ValidationError(f"{user.username} is already a member of this workspace.")
        return user


class RoleForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role"]
