from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import DeleteView, DetailView, TemplateView

from opencities.accounts.mixins import EDIT, WorkspaceMixin

from .forms import ProjectForm
from .models import Project, Stage


class ProjectQuerysetMixin(WorkspaceMixin):
    nav = "projects"

    def get_queryset(self):
        return Project.objects.filter(workspace=self.workspace).select_related("owner")


class ProjectListView(ProjectQuerysetMixin, TemplateView):
    """The portfolio: every project, and a grid of urgency against impact to start from."""

    template_name = "projects/project_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        projects = list(self.get_queryset().order_by("-urgency", "-impact", "title"))
        stage = self.request.GET.get("stage")
        if stage in Stage.values:
            projects = [p for p in projects if p.stage == stage]
        grid = {(u, i): [] for u in range(1, 6) for i in range(1, 6)}
        for project in projects:
            grid[(project.urgency, project.impact)].append(project)
        context.update(
            projects=projects,
            stages=Stage.choices,
            stage=stage,
            grid_rows=[
                (urgency, [(impact, grid[(urgency, impact)]) for impact in range(1, 6)])
                for urgency in range(5, 0, -1)
            ],
        )
        return context


class ProjectDetailView(ProjectQuerysetMixin, DetailView):
    template_name = "projects/project_detail.html"
    context_object_name = "project"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["maps"] = self.object.maps.order_by("state", "title")
        return context


class ProjectFormView(ProjectQuerysetMixin, TemplateView):
    permission = EDIT
    template_name = "projects/project_form.html"

    def get_object(self):
        if "pk" in self.kwargs:
            return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        return None

    def get(self, request, *args, **kwargs):
        project = self.get_object()
        initial = {} if project else {"owner": request.user}
        form = ProjectForm(instance=project, initial=initial, workspace=self.workspace)
        return self.render_to_response(self.get_context_data(form=form, object=project))

    def post(self, request, *args, **kwargs):
        project = self.get_object()
        form = ProjectForm(request.POST, instance=project, workspace=self.workspace)
        if not form.is_valid():
            return self.render_to_response(
                self.get_context_data(form=form, object=project), status=400
            )
        project = form.save()
        messages.success(request, _("Saved “%(name)s”.") % {"name": project.title})
        return redirect(project)


class ProjectCreateView(ProjectFormView):
    pass


class ProjectUpdateView(ProjectFormView):
    pass


class ProjectDeleteView(ProjectQuerysetMixin, DeleteView):
    permission = EDIT
    template_name = "inventory/confirm_delete.html"

    def form_valid(self, form):
        messages.success(
            self.request, _("Deleted “%(name)s” and its maps.") % {"name": self.object}
        )
        return super().form_valid(form)

    def get_success_url(self):
        return reverse("projects:project_list", args=[self.workspace.slug])
