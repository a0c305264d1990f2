"""The one place where pages and actions check workspace membership and role.

A non-member gets 404 (the workspace's existence is not disclosed); a member without the
needed role gets 403 and nothing is changed.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from .models import Role, Workspace

VIEW = "accounts.view_workspace"
EDIT = "accounts.edit_workspace"
MANAGE = "accounts.manage_workspace"


class WorkspaceMixin(LoginRequiredMixin):
    """Resolve ``<slug:workspace>`` from the URL and enforce ``permission`` on it.

    Set ``permission`` for the whole view, or ``permission_by_method`` (e.g. ``{"POST": EDIT}``)
    where reading and changing need different roles.
    """

    permission = VIEW
    permission_by_method: dict[str, str] = {}
    nav = ""  # which item of the workspace navigation to mark as the current page

    def required_permission(self) -> str:
        return self.permission_by_method.get(self.request.method, self.permission)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.workspace = get_object_or_404(Workspace, slug=kwargs["workspace"])
        self.role = self.workspace.role_of(request.user)
        if self.role is None:
            raise Http404(_("No such workspace."))
        if not request.user.has_perm(self.required_permission(), self.workspace):
            raise PermissionDenied(_("Your role in this workspace does not allow this."))
        request.workspace = self.workspace
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["workspace"] = self.workspace
        context["role"] = self.role
        context["role_label"] = Role(self.role).label
        context["nav"] = self.nav
        context["can_edit"] = self.request.user.has_perm(EDIT, self.workspace)
        context["can_manage"] = self.request.user.has_perm(MANAGE, self.workspace)
        return context
