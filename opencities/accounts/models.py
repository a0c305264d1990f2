"""Workspaces (one per city or partnership) and the roles people hold in them."""

from django.conf import settings
from django.core.validators import validate_slug
from django.db import models
from django.urls import reverse


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    EDITOR = "editor", "Editor"
    OWNER = "owner", "Owner"


ROLE_RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.OWNER: 3}


class Workspace(models.Model):
    """A city or partnership: every record of the toolkit belongs to exactly one workspace."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=60,
        unique=True,
        validators=[validate_slug],
        help_text="Short name used in addresses and on the command line, e.g. 'riverton'.",
    )
    description = models.TextField(blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="workspaces"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

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
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_user")
        ]
        ordering = ["workspace", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} in {self.workspace}"
