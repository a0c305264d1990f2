"""Workspaces (one per city or partnership) and the roles people hold in them."""

from django.conf import settings
from django.core.validators import validate_slug
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def display_name(user) -> str:
    """How a person is named on pages, reports and workshops: their full name, else username."""
    return user.get_full_name() or user.get_username()


class Role(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    EDITOR = "editor", _("Editor")
    OWNER = "owner", _("Owner")


ROLE_RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.OWNER: 3}


class Workspace(models.Model):
    """A city or partnership: every record of the toolkit belongs to exactly one workspace."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("short name"),
        max_length=60,
        unique=True,
        validators=[validate_slug],
        help_text=_("Short name used in addresses and on the command line, e.g. 'riverton'."),
    )
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        related_name="workspaces",
        verbose_name=_("members"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("workspace")
        verbose_name_plural = _("workspaces")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("inventory:dashboard", args=[self.slug])

    def role_of(self, user) -> str | None:
        """The role `user` holds here, or None for a non-member (cached on the user object)."""
        if not user.is_authenticated:
            return None
        cache = user.__dict__.setdefault("_workspace_roles", {})
        if self.pk not in cache:
            cache[self.pk] = (
                Membership.objects.filter(workspace=self, user=user)
                .values_list("role", flat=True)
                .first()
            )
        return cache[self.pk]


class Membership(models.Model):
    workspace = models.ForeignKey(
        Workspace,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("workspace"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.VIEWER)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_user")
        ]
        ordering = ["workspace", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return _("%(user)s — %(role)s in %(workspace)s") % {
            "user": self.user,
            "role": self.get_role_display(),
            "workspace": self.workspace,
        }
