"""The Data Ethics Canvas of a project: its page, the links from its sections to the datasets
and data flows on the project's maps, its actions, and its reviews (dated snapshots compared
with `snapshots.py`).

Sections themselves are edited through `views/sections.py`, shared with the business case.
"""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from opencities.accounts.mixins import EDIT
from opencities.maps.models import Exchange
from opencities.projects.mixins import ProjectMixin

from .. import snapshots
from ..forms import (
    NOW,
    ActionForm,
    CompareForm,
    NextReviewForm,
    ReviewForm,
    link_form,
    review_label,
)
from ..models import Action, EthicsCanvas, EthicsSection, Review
from ..sections import ethics_groups
from .sections import progress, section_url

# Content some sections show after their summary (the `extra_template` of canvases/_section.html).
EXTRAS = {
    "data_sources": "canvases/_section_links.html",
    "sharing": "canvases/_section_links.html",
    "actions": "canvases/_section_actions.html",
}


class EthicsMixin(ProjectMixin):
    def get_canvas(self) -> EthicsCanvas:
        if not hasattr(self, "_canvas"):
            self._canvas = EthicsCanvas.for_project(self.get_project())
        return self._canvas

    def get_context_data(self, **kwargs):
        return super().get_context_data(canvas=self.get_canvas(), **kwargs)

    def back(self, anchor: str = "") -> str:
        return self.get_canvas().get_absolute_url() + (f"#{anchor}" if anchor else "")


class EthicsCanvasView(EthicsMixin, TemplateView):
    """The canvas: fifteen sections under their four groups, how complete it is, when it is
    reviewed next, and the actions (open ones, or all with ``?actions=all``)."""

    template_name = "canvases/ethics.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        canvas = self.get_canvas()
        flows = Exchange.objects.select_related("map", *snapshots.FLOW_RELATED)
        sections = {
            section.key: section
            for section in canvas.sections.select_related("updated_by").prefetch_related(
                "contributions__author", "datasets", Prefetch("exchanges", flows)
            )
        }
        show_all = self.request.GET.get("actions") == "all"
        actions = list(canvas.actions.select_related("owner"))
        open_actions = [action for action in actions if action.is_open]
        context.update(
            groups=[
                (key, name, [(sections[s.key], EXTRAS.get(s.key, "")) for s in specs])
                for key, name, specs in ethics_groups()
            ],
            progress=progress(sections.values()),
            show_all_actions=show_all,
            actions=actions if show_all else open_actions,
            open_count=len(open_actions),
            overdue_count=sum(1 for action in open_actions if action.is_overdue()),
            dataset_offers=canvas.map_datasets().exclude(
                pk__in=[d.pk for d in sections["data_sources"].datasets.all()]
            ),
            flow_offers=canvas.map_flows()
            .select_related("map", *snapshots.FLOW_RELATED)
            .exclude(pk__in=[e.pk for e in sections["sharing"].exchanges.all()]),
            next_review_form=NextReviewForm(instance=canvas),
            latest_review=canvas.reviews.first(),
        )
        return context


class NextReviewView(EthicsMixin, View):
    permission = EDIT
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = NextReviewForm(request.POST, instance=self.get_canvas())
        if form.is_valid():
            form.save()
            messages.success(request, _("Next review date saved."))
        else:
            messages.error(request, _("The next review date must be a date, e.g. 2025-03-31."))
        return redirect(self.back("next-review"))


class SectionLinkView(EthicsMixin, View):
    """Link datasets ("data sources") or data flows ("sharing data with others") to the section,
    one or several at once; with ``unlink`` set, take them off again. Anything not of this
    workspace, or not on this project's maps for flows, is refused whole (400)."""

    permission = EDIT
    http_method_names = ["post"]
    unlink = False

    def post(self, request, *args, key, **kwargs):
        section = get_object_or_404(EthicsSection, canvas=self.get_canvas(), key=key)
        form = link_form(section, request.POST)
        if form is None:
            return HttpResponseBadRequest(_("This section does not link datasets or flows."))
        if not form.is_valid():
            return HttpResponseBadRequest(_("Choose datasets or flows of this project."))
        items, links = form.cleaned_data[form.relation], getattr(section, form.relation)
        names = ", ".join(map(str, items))
        if self.unlink:
            links.remove(*items)
            text = ngettext("Unlinked: %s.", "Unlinked: %s.", len(items))
        else:
            links.add(*items)
            text = ngettext("Linked: %s.", "Linked: %s.", len(items))
        messages.success(request, text % names)
        return redirect(section_url("ethics", self.get_project(), key))


class ActionFormView(EthicsMixin, TemplateView):
    """Add an action (no ``pk`` in the URL) or change one; the owner is picked among the
    workspace's members or typed as a name."""

    permission = EDIT
    template_name = "canvases/ethics_action_form.html"

    def get_action(self) -> Action | None:
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(Action, pk=self.kwargs["pk"], canvas=self.get_canvas())

    def get_form(self, data=None) -> ActionForm:
        return ActionForm(data, instance=self.get_action(), workspace=self.workspace)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        action = form.save(commit=False)
        action.canvas = self.get_canvas()
        action.save()
        messages.success(request, _("Action saved: %s") % action.description)
        return redirect(self.back("section-ethics-actions"))


class ActionDeleteView(EthicsMixin, View):
    permission = EDIT
    http_method_names = ["post"]

    def post(self, request, *args, pk, **kwargs):
        action = get_object_or_404(Action, pk=pk, canvas=self.get_canvas())
        action.delete()
        messages.success(request, _("Action deleted: %s") % action.description)
        return redirect(self.back("section-ethics-actions"))


class ReviewListView(EthicsMixin, TemplateView):
    """The canvas' reviews, newest first, with a form to take one and a form to compare two."""

    template_name = "canvases/ethics_reviews.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reviews = list(self.get_canvas().reviews.select_related("taken_by"))
        context.update(
            reviews=[(review, *snapshots.completeness(review.snapshot)) for review in reviews],
            review_form=kwargs.get("review_form") or ReviewForm(),
            compare_form=CompareForm(initial=default_pair(reviews), reviews=reviews),
        )
        return context


class ReviewCreateView(ReviewListView):
    """Take a snapshot of the canvas as it is now (editors), optionally with a note and the
    date of the next review."""

    permission = EDIT
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = ReviewForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(review_form=form), status=400)
        review = snapshots.record_review(self.get_canvas(), user=request.user, **form.cleaned_data)
        messages.success(request, _("Snapshot taken: %s.") % review_label(review))
        return redirect("canvases:review_list", self.workspace.slug, self.get_project().pk)


def default_pair(reviews: list[Review]) -> dict:
    """What to compare when nobody chose: the latest two reviews, or the only one with now."""
    if len(reviews) >= 2:
        return {"a": str(reviews[1].pk), "b": str(reviews[0].pk)}
    if reviews:
        return {"a": str(reviews[0].pk), "b": NOW}
    return {}


class ReviewCompareView(EthicsMixin, TemplateView):
    """What changed between two reviews (``?a=<id>&b=<id>``), or between a review and the canvas
    now (``b=now``); the latest two by default."""

    template_name = "canvases/ethics_compare.html"

    def get(self, request, *args, **kwargs):
        canvas = self.get_canvas()
        reviews = {str(r.pk): r for r in canvas.reviews.select_related("taken_by")}
        chosen = request.GET if "a" in request.GET else default_pair(list(reviews.values()))
        form = CompareForm(chosen or None, reviews=reviews.values())
        context = self.get_context_data(form=form, has_reviews=bool(reviews))
        if not chosen:
            return self.render_to_response(context)
        if not form.is_valid():
            return self.render_to_response(context, status=400)
        a, b = form.cleaned_data["a"], form.cleaned_data["b"]
        now = snapshots.take(canvas) if NOW in (a, b) else None
        context.update(
            comparison=snapshots.compare(
                now if a == NOW else reviews[a].snapshot, now if b == NOW else reviews[b].snapshot
            ),
            label_a=_("the canvas now") if a == NOW else review_label(reviews[a]),
            label_b=_("the canvas now") if b == NOW else review_label(reviews[b]),
        )
        return self.render_to_response(context)


urlpatterns = [
    path("ethics/", EthicsCanvasView.as_view(), name="ethics"),
    path("ethics/next-review/", NextReviewView.as_view(), name="ethics_next_review"),
    path("ethics/sections/<slug:key>/link/", SectionLinkView.as_view(), name="ethics_link"),
    path(
        "ethics/sections/<slug:key>/unlink/",
        SectionLinkView.as_view(unlink=True),
        name="ethics_unlink",
    ),
    path("ethics/actions/new/", ActionFormView.as_view(), name="action_create"),
    path("ethics/actions/<int:pk>/edit/", ActionFormView.as_view(), name="action_update"),
    path("ethics/actions/<int:pk>/delete/", ActionDeleteView.as_view(), name="action_delete"),
    path("ethics/reviews/", ReviewListView.as_view(), name="review_list"),
    path("ethics/reviews/new/", ReviewCreateView.as_view(), name="review_create"),
    path("ethics/reviews/compare/", ReviewCompareView.as_view(), name="review_compare"),
]
