from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import CreateView, TemplateView

from .forms import AddMemberForm, RoleForm, WorkspaceForm, WorkspaceSettingsForm
from .mixins import MANAGE, WorkspaceMixin
from .models import Membership, Role


@login_required
def home(request):
    """Go straight to the only workspace, or let the person pick one."""
    workspaces = list(request.user.workspaces.order_by("name"))
    if len(workspaces) == 1:
        return redirect(workspaces[0])
    return render(request, "accounts/home.html", {"workspaces": workspaces})


class WorkspaceCreateView(LoginRequiredMixin, CreateView):
    form_class = WorkspaceForm
    template_name = "accounts/workspace_form.html"

    @transaction.atomic
    def form_valid(self, form):
        response = super().form_valid(form)
        Membership.objects.create(workspace=self.object, user=self.request.user, role=Role.OWNER)
        messages.success(
            self.request,
            _("Workspace “%(workspace)s” created. You are its owner.") % {"workspace": self.object},
        )
        return response


class WorkspaceUpdateView(WorkspaceMixin, TemplateView):
    """Owners rename and describe the workspace; its slug stays, as addresses and scripts use it."""

    template_name = "accounts/workspace_form.html"
    permission = MANAGE
    nav = "members"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", WorkspaceSettingsForm(instance=self.workspace))
        return context

    def post(self, request, *args, **kwargs):
        form = WorkspaceSettingsForm(request.POST, instance=self.workspace)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        form.save()
        messages.success(request, _("Workspace details saved."))
        return redirect("members", self.workspace.slug)


class MemberListView(WorkspaceMixin, TemplateView):
    """Everyone may see who is in the workspace; only owners add people."""

    template_name = "accounts/members.html"
    nav = "members"
    permission_by_method = {"POST": MANAGE}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["memberships"] = self.workspace.memberships.select_related("user").order_by(
            "user__username"
        )
        context.setdefault("form", AddMemberForm(workspace=self.workspace))
        context["roles"] = Role.choices
        return context

    def post(self, request, *args, **kwargs):
        form = AddMemberForm(request.POST, workspace=self.workspace)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        user = form.cleaned_data["user"]
        Membership.objects.create(
            workspace=self.workspace, user=user, role=form.cleaned_data["role"]
        )
        role = Role(form.cleaned_data["role"]).label
        messages.success(
            request,
            _("%(username)s added as %(role)s.") % {"username": user.username, "role": role},
        )
        return redirect("members", self.workspace.slug)


def _is_last_owner(membership: Membership) -> bool:
    return (
        membership.role == Role.OWNER
        and not membership.workspace.memberships.filter(role=Role.OWNER)
        .exclude(pk=membership.pk)
        .exists()
    )


class MemberUpdateView(WorkspaceMixin, View):
    permission = MANAGE
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        membership = get_object_or_404(Membership, pk=kwargs["pk"], workspace=self.workspace)
        form = RoleForm(request.POST, instance=membership)
        if not form.is_valid():
            messages.error(request, _("Choose one of the roles: viewer, editor or owner."))
        elif form.cleaned_data["role"] != Role.OWNER and _is_last_owner(
            Membership.objects.get(pk=membership.pk)
        ):
            messages.error(request, _("A workspace needs at least one owner: add another first."))
        else:
            form.save()
            messages.success(
                request,
                _("%(username)s is now %(role)s.")
                % {"username": membership.user.username, "role": membership.get_role_display()},
            )
        return redirect("members", self.workspace.slug)


class MemberRemoveView(WorkspaceMixin, View):
    permission = MANAGE
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        membership = get_object_or_404(Membership, pk=kwargs["pk"], workspace=self.workspace)
        if _is_last_owner(membership):
            messages.error(request, _("A workspace needs at least one owner: add another first."))
        else:
            membership.delete()
            messages.success(
                request,
                _("%(username)s removed from the workspace.")
                % {"username": membership.user.username},
            )
        return redirect("members", self.workspace.slug)
