"""Pages that live inside a project: maps, canvases, reports and (later) workshops."""

from django.shortcuts import get_object_or_404

from opencities.accounts.mixins import WorkspaceMixin

from .models import Project


class ProjectMixin(WorkspaceMixin):
    """Resolve ``<int:project>`` inside the workspace of the URL (404 for another workspace's
    project) on top of the workspace and role checks, and put it in the template context."""

    nav = "projects"

    def get_project(self) -> Project:
        if not hasattr(self, "_project"):
            self._project = get_object_or_404(
                Project.objects.select_related("owner", "workspace"),
                pk=self.kwargs["project"],
                workspace=self.workspace,
            )
        return self._project

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["project"] = self.get_project()
        return context
