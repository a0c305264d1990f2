"""Editing a section of either canvas — its summary, status and (ethics) checks — and the notes
the team contributes to it. The Data Ethics Canvas and the Business Case pages both draw their
sections with `canvases/_section.html`, whose forms post here.

An htmx request is answered with the section drawn again (`canvases/_section_response.html`:
the section, plus the canvas' progress swapped out of band so the completeness on the page
follows); a plain form post with a redirect back to the section on its canvas page, so every
page works without JavaScript.

Contributions belong to the team: any editor or owner may correct or delete anyone's note — a
workshop held in a room leaves notes typed in by the facilitator under other people's names, and
someone has to tidy them. Nothing extra is recorded when they do; the note keeps its author.
"""

from collections import Counter

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from opencities.accounts.mixins import EDIT
from opencities.projects.mixins import ProjectMixin
from opencities.projects.models import Project

from ..forms import ContributionForm, SectionForm
from ..models import (
    BusinessCase,
    BusinessSection,
    CanvasSection,
    Contribution,
    EthicsCanvas,
    EthicsSection,
    SectionStatus,
)


def canvas_of(kind: str, project: Project) -> EthicsCanvas | BusinessCase:
    """The project's canvas of that kind, made on first use; any other kind is not a page."""
    if kind == "ethics":
        return EthicsCanvas.for_project(project)
    if kind == "business":
        return BusinessCase.for_project(project)
    raise Http404(_("A canvas is “ethics” or “business”."))


def section_url(kind: str, project: Project, key: str) -> str:
    """Where a section sits on its canvas page."""
    name = "canvases:ethics" if kind == "ethics" else "canvases:business"
    return f"{reverse(name, args=[project.workspace.slug, project.pk])}#section-{kind}-{key}"


def progress(sections) -> dict:
    """A canvas' completeness for `canvases/_section_progress.html`: sections complete out of
    how many, as a percentage, and how many sections have each status."""
    sections = list(sections)
    counts = Counter(section.status for section in sections)
    done, total = counts[SectionStatus.COMPLETE], len(sections)
    return {
        "done": done,
        "total": total,
        "percent": round(100 * done / total) if total else 0,
        "counts": [(value, label, counts[value]) for value, label in SectionStatus.choices],
    }


class SectionPartMixin(ProjectMixin):
    """Reading a section takes a viewer, changing it an editor; answers in the htmx way or
    the plain way, see the module's docstring."""

    permission_by_method = {"POST": EDIT}
    template_name = "canvases/_section_response.html"

    def is_htmx(self) -> bool:
        return self.request.headers.get("HX-Request") == "true"

    def answer(self, kind: str, section: CanvasSection, form=None) -> HttpResponse:
        """The section again (htmx) or a redirect to it; a rejected form keeps its errors: in
        the section for htmx (with status 400), as a message otherwise."""
        errors = [e for errs in form.errors.values() for e in errs] if form is not None else []
        if not self.is_htmx():
            if errors:
                messages.error(self.request, " ".join(errors))
            return redirect(section_url(kind, self.get_project(), section.key))
        canvas = section.canvas if kind == "ethics" else section.case
        context = self.get_context_data(
            section=section, kind=kind, errors=errors, progress=progress(canvas.sections.all())
        )
        return self.render_to_response(context, status=400 if errors else 200)


class SectionView(SectionPartMixin, TemplateView):
    """A section of either canvas: GET draws it (htmx) or goes to it on its canvas page; POST
    saves its summary, status and checks."""

    def get_section(self) -> EthicsSection | BusinessSection:
        canvas = canvas_of(self.kwargs["kind"], self.get_project())
        return get_object_or_404(canvas.sections, key=self.kwargs["key"])

    def get(self, request, *args, kind, key, **kwargs):
        return self.answer(kind, self.get_section())

    def post(self, request, *args, kind, key, **kwargs):
        section = self.get_section()
        form = SectionForm(request.POST, section=section)
        if form.is_valid():
            form.save(request.user)
            return self.answer(kind, section)
        return self.answer(kind, section, form)


class ContributionAddView(SectionView):
    http_method_names = ["post"]

    def post(self, request, *args, kind, key, **kwargs):
        section = self.get_section()
        form = ContributionForm(request.POST)
        if form.is_valid():
            contribution = form.save(commit=False)
            setattr(contribution, f"{kind}_section", section)
            contribution.author = request.user
            contribution.save()
        return self.answer(kind, section, form)


class ContributionMixin(SectionPartMixin):
    """A contribution of this project's canvases; one of anywhere else is not found."""

    permission = EDIT
    http_method_names = ["post"]

    def get_contribution(self) -> Contribution:
        project = self.get_project()
        return get_object_or_404(
            Contribution.objects.select_related("ethics_section__canvas", "business_section__case"),
            Q(ethics_section__canvas__project=project) | Q(business_section__case__project=project),
            pk=self.kwargs["pk"],
        )

    @staticmethod
    def placed(contribution: Contribution) -> tuple[str, CanvasSection]:
        """Which canvas the contribution is on, and its section."""
        if contribution.ethics_section_id:
            return "ethics", contribution.ethics_section
        return "business", contribution.business_section


class ContributionEditView(ContributionMixin, TemplateView):
    def post(self, request, *args, **kwargs):
        contribution = self.get_contribution()
        form = ContributionForm(request.POST, instance=contribution)
        if form.is_valid():
            form.save()
        return self.answer(*self.placed(contribution), form)


class ContributionDeleteView(ContributionMixin, TemplateView):
    def post(self, request, *args, **kwargs):
        contribution = self.get_contribution()
        kind, section = self.placed(contribution)
        contribution.delete()
        if not self.is_htmx():
            messages.success(request, _("Note deleted."))
        return self.answer(kind, section)


urlpatterns = [
    path("<str:kind>/sections/<slug:key>/", SectionView.as_view(), name="section"),
    path(
        "<str:kind>/sections/<slug:key>/contributions/",
        ContributionAddView.as_view(),
        name="contribution_add",
    ),
    path("contributions/<int:pk>/edit/", ContributionEditView.as_view(), name="contribution_edit"),
    path(
        "contributions/<int:pk>/delete/",
        ContributionDeleteView.as_view(),
        name="contribution_delete",
    ),
]
