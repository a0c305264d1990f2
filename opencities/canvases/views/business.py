"""Pages of the Business Case Canvas: the case with its twelve sections and its figures.

The sections themselves are edited through the views shared with the ethics canvas (the
`canvases/_section.html` include posts to them); this module owns the case page, the years and
currency it is appraised over, and its benefit and cost lines. Every page works without
JavaScript: forms post, then redirect back to the case's figures.
"""

from django.contrib import messages
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext, ngettext
from django.views.generic import TemplateView

from opencities.accounts.mixins import EDIT
from opencities.projects.mixins import ProjectMixin

from .. import feeds
from ..business_forms import BenefitForm, BusinessCaseSettingsForm, CostForm, MoneyLineForm
from ..figures import appraise, line_figures, totals_table
from ..models import Benefit, BusinessCase, BusinessSection, Contribution, Cost, MoneyLine
from .sections import progress


class BusinessCaseMixin(ProjectMixin):
    def get_case(self) -> BusinessCase:
        """The project's case, made with its sections on first visit, as the canvas is one
        per project and always there to fill in."""
        if not hasattr(self, "_case"):
            self._case = BusinessCase.for_project(self.get_project())
        return self._case

    def figures_url(self) -> str:
        return self.get_case().get_absolute_url() + "#figures"


class BusinessCaseView(BusinessCaseMixin, TemplateView):
    template_name = "canvases/business_case.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case = self.get_case()
        project = self.get_project()
        prefetch_related_objects(
            [case],
            Prefetch(
                "sections",
                BusinessSection.objects.select_related("updated_by").prefetch_related(
                    Prefetch("contributions", Contribution.objects.select_related("author"))
                ),
            ),
            "benefits",
            "costs",
        )
        figures = appraise(case)
        context.update(
            case=case,
            sections=case.ordered_sections(),
            progress=progress(case.sections.all()),
            data_needed=feeds.data_needed(project),
            partners=feeds.partners(project),
            risks=feeds.risks(project),
            figures=figures,
            totals=totals_table(figures),
            year_numbers=range(1, case.years + 1),
            benefit_lines=line_figures(case.benefits.all(), case.years),
            cost_lines=line_figures(case.costs.all(), case.years),
            settings_form=BusinessCaseSettingsForm(instance=case),
        )
        return context


class BusinessSettingsView(BusinessCaseMixin, TemplateView):
    """Change the years appraised and the currency; lines keep the amounts of years no longer
    counted, so appraising over fewer years and back loses nothing."""

    permission = EDIT
    template_name = "canvases/business_settings.html"

    def get(self, request, *args, **kwargs):
        form = BusinessCaseSettingsForm(instance=self.get_case())
        return self.render_to_response(self.get_context_data(form=form, case=self.get_case()))

    def post(self, request, *args, **kwargs):
        form = BusinessCaseSettingsForm(request.POST, instance=self.get_case())
        if not form.is_valid():
            context = self.get_context_data(form=form, case=self.get_case())
            return self.render_to_response(context, status=400)
        case = form.save()
        messages.success(
            request,
            ngettext(
                "Figures now appraised over %(years)d year, in %(currency)s.",
                "Figures now appraised over %(years)d years, in %(currency)s.",
                case.years,
            )
            % {"years": case.years, "currency": case.currency},
        )
        return HttpResponseRedirect(self.figures_url())


class MoneyLineMixin(BusinessCaseMixin):
    """Benefit and cost lines are handled alike; `as_view(model=…, form_class=…)` says which."""

    permission = EDIT
    model: type[MoneyLine] = Benefit
    form_class: type[MoneyLineForm] = BenefitForm

    def get_line(self) -> MoneyLine:
        """The line of this case only: a line of another project's case is not found."""
        return get_object_or_404(self.model, pk=self.kwargs["pk"], case=self.get_case())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(case=self.get_case(), is_benefit=self.model is Benefit)
        return context


class MoneyLineFormView(MoneyLineMixin, TemplateView):
    """Add a line (no `pk` in the URL) or change one."""

    template_name = "canvases/business_line_form.html"

    def get_form(self, data=None) -> MoneyLineForm:
        case = self.get_case()
        line = self.get_line() if "pk" in self.kwargs else self.model(case=case)
        return self.form_class(data, instance=line, years=case.years)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        adding = form.instance.pk is None
        line = form.save()
        messages.success(request, self.saved_message(line, adding))
        return HttpResponseRedirect(self.figures_url())

    def saved_message(self, line: MoneyLine, adding: bool) -> str:
        if self.model is Benefit:
            text = (
                gettext("Benefit “%(line)s” added.")
                if adding
                else gettext("Benefit “%(line)s” saved.")
            )
        else:
            text = (
                gettext("Cost “%(line)s” added.") if adding else gettext("Cost “%(line)s” saved.")
            )
        return text % {"line": line.description}


class MoneyLineDeleteView(MoneyLineMixin, TemplateView):
    template_name = "canvases/business_line_confirm_delete.html"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(line=self.get_line()))

    def post(self, request, *args, **kwargs):
        line = self.get_line()
        line.delete()
        text = (
            gettext("Benefit “%(line)s” deleted.")
            if self.model is Benefit
            else gettext("Cost “%(line)s” deleted.")
        )
        messages.success(request, text % {"line": line.description})
        return HttpResponseRedirect(self.figures_url())


def line_urls(kind: str, model: type[MoneyLine], form_class: type[MoneyLineForm]) -> list:
    """The add, edit and delete URLs of one kind of line (benefits or costs)."""
    plural = f"business-case/{kind}s"
    return [
        path(
            f"{plural}/new/",
            MoneyLineFormView.as_view(model=model, form_class=form_class),
            name=f"{kind}_add",
        ),
        path(
            f"{plural}/<int:pk>/edit/",
            MoneyLineFormView.as_view(model=model, form_class=form_class),
            name=f"{kind}_edit",
        ),
        path(
            f"{plural}/<int:pk>/delete/",
            MoneyLineDeleteView.as_view(model=model, form_class=form_class),
            name=f"{kind}_delete",
        ),
    ]


urlpatterns = [
    path("business-case/", BusinessCaseView.as_view(), name="business"),
    path("business-case/settings/", BusinessSettingsView.as_view(), name="business_settings"),
    *line_urls("benefit", Benefit, BenefitForm),
    *line_urls("cost", Cost, CostForm),
]
