from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Membership, Role, Workspace


class WorkspaceForm(forms.ModelForm):
    class Meta:
        model = Workspace
        fields = ["name", "slug", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_slug(self):
        """Addresses and scripts use the slug: "Riverton" and "riverton" must not both exist."""
        slug = self.cleaned_data["slug"].lower()
        if Workspace.objects.filter(slug=slug).exists():
            raise forms.ValidationError(
                gettext("The short name “%(slug)s” is taken: choose another.") % {"slug": slug}
            )
        return slug


class WorkspaceSettingsForm(forms.ModelForm):
    class Meta:
        model = Workspace
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class AddMemberForm(forms.Form):
    """People are added by their exact email address, which the owner must already know, so
    the form cannot be used to look up other people's accounts."""

    user = forms.EmailField(
        label=_("Email address"),
        help_text=_(
            "The address of the person's account. They need an account first "
            "(an administrator creates it with `opencities createuser`)."
        ),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.workspace = workspace

    def clean_user(self):
        value = self.cleaned_data["user"].strip()
        users = get_user_model().objects.filter(email__iexact=value)
        if users.count() != 1:
            raise forms.ValidationError(
                gettext(
                    "No single account has the email address “%(email)s”. Check the spelling, "
                    "or ask an administrator to create the account."
                )
                % {"email": value}
            )
        user = users.get()
        if Membership.objects.filter(workspace=self.workspace, user=user).exists():
            raise forms.ValidationError(
                gettext("%(username)s is already a member of this workspace.")
                % {"username": user.username}
            )
        return user


class RoleForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role"]
