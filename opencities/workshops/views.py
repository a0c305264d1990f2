"""Workshop pages.

Inside a project (`ProjectMixin`: members read, editors and owners change): the list, a new
workshop, its page for preparing and running it (agenda, state, join link and code,
participants), edit, delete and the summary (also as a print page and a PDF).

At the root, for anyone with the link or code: the join pages and the room. A guest has no
account, so every workspace page still sends them to sign in; the room lets in its own
participants only and answers 404 to everyone else, so a room's address reveals nothing.
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DeleteView, TemplateView

from opencities.accounts.mixins import EDIT
from opencities.maps import style as map_style
from opencities.maps.views import editor_choices
from opencities.projects.mixins import ProjectMixin

from . import agenda, controls, join, summary
from .forms import ControlForm, GuestForm, JoinCodeForm, StepForm, WorkshopForm
from .models import Participant, Step, Workshop, WorkshopState
from .operations import Change, Origin, Refused

RUN = "workshops.run_workshop"

CONFIRMATIONS = {
    "open": gettext_lazy("The workshop is open: the link and the code work now."),
    "start": gettext_lazy("The workshop has started."),
    "next": gettext_lazy("Everyone moved on to the next step."),
    "previous": gettext_lazy("Everyone went back a step."),
    "timer_start": gettext_lazy("The timer is running."),
    "timer_pause": gettext_lazy("The timer is paused."),
    "timer_add": gettext_lazy("Time added."),
    "lock": gettext_lazy("Editing is locked."),
    "unlock": gettext_lazy("Editing is unlocked."),
    "end": gettext_lazy("The workshop has ended; its join code no longer works."),
}


def _sharing(request, workshop: Workshop) -> dict:
    """The link to share and the address to type the code at, both absolute."""
    return {
        "join_url": request.build_absolute_uri(workshop.get_join_url()),
        "join_page_url": request.build_absolute_uri(reverse("workshops:join")),
    }


class WorkshopMixin(ProjectMixin):
    def get_workshop(self) -> Workshop:
        if not hasattr(self, "_workshop"):
            self._workshop = get_object_or_404(
                Workshop.objects.select_related("facilitator", "current_step"),
                pk=self.kwargs["pk"],
                project=self.get_project(),
            )
        return self._workshop

    def get_context_data(self, **kwargs):
        return super().get_context_data(workshop=self.get_workshop(), **kwargs)


class WorkshopListView(ProjectMixin, TemplateView):
    template_name = "workshops/workshop_list.html"

    def get_context_data(self, **kwargs):
        workshops = self.get_project().workshops.select_related("facilitator")
        return super().get_context_data(workshops=workshops, **kwargs)


class WorkshopCreateView(ProjectMixin, TemplateView):
    """A new workshop with the default agenda, facilitated by whoever creates it."""

    permission = EDIT
    template_name = "workshops/workshop_form.html"

    def get(self, request, *args, **kwargs):
        form = WorkshopForm(workspace=self.workspace)
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = WorkshopForm(request.POST, workspace=self.workspace)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        workshop = agenda.create_workshop(
            self.get_project(),
            title=form.cleaned_data["title"],
            date=form.cleaned_data["date"],
            facilitator=request.user,
        )
        messages.success(request, _("Workshop created: shape its agenda, then open it."))
        return redirect(workshop)


class WorkshopUpdateView(WorkshopMixin, TemplateView):
    permission = EDIT
    template_name = "workshops/workshop_form.html"

    def get(self, request, *args, **kwargs):
        form = WorkshopForm(instance=self.get_workshop(), workspace=self.workspace)
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = WorkshopForm(request.POST, instance=self.get_workshop(), workspace=self.workspace)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        # Only the form's fields: the controls may change the workshop's state meanwhile.
        workshop = form.save(commit=False)
        workshop.save(update_fields=[*form.Meta.fields, "updated"])
        messages.success(request, _("Saved “%(title)s”.") % {"title": workshop.title})
        return redirect(workshop)


class WorkshopDeleteView(WorkshopMixin, DeleteView):
    permission = EDIT
    template_name = "workshops/workshop_confirm_delete.html"

    def get_object(self, queryset=None):
        return self.get_workshop()

    def form_valid(self, form):
        messages.success(self.request, _("Deleted “%(title)s”.") % {"title": self.object.title})
        return super().form_valid(form)

    def get_success_url(self):
        return reverse("workshops:list", args=[self.workspace.slug, self.get_project().pk])


class WorkshopDetailView(WorkshopMixin, TemplateView):
    """Prepare and run the workshop: agenda, state, the link and code to share, who joined."""

    template_name = "workshops/workshop_detail.html"

    def get_context_data(self, **kwargs):
        workshop, project = self.get_workshop(), self.get_project()
        bound = kwargs.pop("bound_step_form", None)
        steps = []
        for step in workshop.steps.select_related("map"):
            form = bound if bound is not None and bound.instance.pk == step.pk else None
            form = form or StepForm(instance=step, project=project, auto_id=f"step-{step.pk}-%s")
            steps.append((step, form))
        add_form = bound if bound is not None and bound.instance.pk is None else None
        return super().get_context_data(
            steps=steps,
            add_form=add_form or StepForm(project=project, auto_id="new-step-%s"),
            participants=workshop.participants.all(),
            **_sharing(self.request, workshop),
            can_run=self.request.user.has_perm(RUN, workshop),
            timer=workshop.timer(),
            **kwargs,
        )


class StepView(WorkshopDetailView):
    """Changes to the agenda (editors, POST only); back to the workshop's page after, or the
    page again with the form's errors."""

    permission = EDIT
    http_method_names = ["post"]

    def get_step(self) -> Step:
        return get_object_or_404(Step, pk=self.kwargs["step"], workshop=self.get_workshop())

    def done(self, action: Callable[[], Change]) -> HttpResponse:
        """Make the change; say why if it was refused."""
        try:
            action()
        except Refused as refusal:
            messages.error(self.request, str(refusal))
        return redirect(self.get_workshop().get_absolute_url() + "#agenda")


class StepAddView(StepView):
    def post(self, request, *args, **kwargs):
        form = StepForm(request.POST, project=self.get_project(), auto_id="new-step-%s")
        if not form.is_valid():
            context = self.get_context_data(bound_step_form=form)
            return self.render_to_response(context, status=400)
        data = form.cleaned_data
        return self.done(
            lambda: agenda.add_step(
                self.get_workshop(),
                data["kind"],
                title=data["title"],
                duration_minutes=data["duration_minutes"],
                map=data["map"],
            )
        )


class StepChangeView(StepView):
    def post(self, request, *args, **kwargs):
        step = self.get_step()
        form = StepForm(
            request.POST, instance=step, project=self.get_project(), auto_id=f"step-{step.pk}-%s"
        )
        if not form.is_valid():
            context = self.get_context_data(bound_step_form=form)
            return self.render_to_response(context, status=400)
        data = form.cleaned_data
        return self.done(
            lambda: agenda.change_step(
                step,
                title=data["title"],
                duration_minutes=data["duration_minutes"],
                map=data["map"],
            )
        )


class StepMoveView(StepView):
    def post(self, request, *args, **kwargs):
        if request.POST.get("direction") not in ("up", "down"):
            return HttpResponseBadRequest(_("Move a step up or down."))
        up = request.POST["direction"] == "up"
        return self.done(lambda: agenda.move_step(self.get_step(), up=up))


class StepRemoveView(StepView):
    def post(self, request, *args, **kwargs):
        return self.done(lambda: agenda.remove_step(self.get_step()))


class SummaryView(WorkshopMixin, TemplateView):
    """What the workshop produced, during or after it."""

    template_name = "workshops/summary.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(summary=summary.build(self.get_workshop()), **kwargs)


class SummaryPrintView(WorkshopMixin, View):
    """The summary as a page to read and print, with a link to the PDF."""

    def get(self, request, *args, **kwargs):
        workshop = self.get_workshop()
        here = [self.workspace.slug, self.get_project().pk, workshop.pk]
        links = [
            (_("Back to the summary"), reverse("workshops:summary", args=here)),
            (_("Download PDF"), reverse("workshops:summary_pdf", args=here)),
        ]
        return HttpResponse(summary.render_html(summary.build(workshop), downloads=links))


class SummaryPdfView(WorkshopMixin, View):
    """The summary as a PDF, named after the project and the workshop's date."""

    def get(self, request, *args, **kwargs):
        workshop = self.get_workshop()
        pdf = summary.render_pdf(summary.build(workshop), base_url=request.build_absolute_uri("/"))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=summary.filename(workshop)
        )
        return response


# --- Joining and the room -------------------------------------------------------------------


def _too_many_codes(request):
    return render(
        request, "workshops/join.html", {"form": JoinCodeForm(), "waiting": True}, status=429
    )


def _unknown_code(request, form: JoinCodeForm):
    join.count_wrong_code(request.session)
    form.is_valid()
    form.add_error(
        "code", _("No workshop has this code. Check it with the facilitator and try again.")
    )
    return render(request, "workshops/join.html", {"form": form}, status=404)


class JoinView(View):
    """Type the code: the way in for someone who has the code but not the link."""

    def get(self, request):
        return render(request, "workshops/join.html", {"form": JoinCodeForm()})

    def post(self, request):
        if join.too_many_wrong_codes(request.session):
            return _too_many_codes(request)
        form = JoinCodeForm(request.POST)
        if not form.is_valid():
            return render(request, "workshops/join.html", {"form": form}, status=400)
        workshop = join.find(form.cleaned_data["code"])
        if workshop is None:
            return _unknown_code(request, form)
        return redirect(workshop.get_join_url())


class JoinCodeView(View):
    """From the link or the code: a guest picks a display name, a member of the workspace joins
    as themselves with one click; someone who joined already goes straight to the room."""

    def dispatch(self, request, code):
        if join.too_many_wrong_codes(request.session):
            return _too_many_codes(request)
        self.workshop = join.find(code)
        if self.workshop is None:
            return _unknown_code(request, JoinCodeForm({"code": code}))
        if not self.workshop.is_joinable:
            return self.closed(request)
        if join.participant_for(self.workshop, request.user, request.session) is not None:
            return redirect(self.workshop.get_room_url())
        self.member = join.is_member(self.workshop, request.user)
        return super().dispatch(request, code)

    def closed(self, request):
        ended = self.workshop.state == WorkshopState.ENDED
        context = {
            "workshop": self.workshop,
            "ended": ended,
            "member": join.is_member(self.workshop, request.user),
            "can_run": request.user.has_perm(RUN, self.workshop),
        }
        return render(request, "workshops/join_closed.html", context, status=410 if ended else 200)

    def page(self, request, form: GuestForm | None, status: int = 200):
        context = {"workshop": self.workshop, "member": self.member, "form": form}
        return render(request, "workshops/join_name.html", context, status=status)

    def get(self, request, code):
        return self.page(request, None if self.member else GuestForm())

    def post(self, request, code):
        if self.member:
            join.join_member(self.workshop, request.user)
            return redirect(self.workshop.get_room_url())
        form = GuestForm(request.POST)
        if not form.is_valid():
            return self.page(request, form, status=400)
        request.session.cycle_key()  # a new session id now that it lets someone in
        join.join_guest(self.workshop, form.cleaned_data["display_name"], request.session)
        return redirect(self.workshop.get_room_url())


def _room_workshop(room) -> Workshop:
    return get_object_or_404(
        Workshop.objects.select_related("project__workspace", "current_step", "facilitator"),
        room=room,
    )


class RoomView(TemplateView):
    """The room: agenda with the current step, timer, participants and, for whoever may run the
    workshop, its controls. The live layer replaces the body with its own client."""

    template_name = "workshops/room.html"

    def dispatch(self, request, room):
        self.workshop = _room_workshop(room)
        self.participant = join.participant_for(self.workshop, request.user, request.session)
        if self.participant is None:
            if request.user.is_authenticated and request.user.pk == self.workshop.facilitator_id:
                self.participant = join.join_member(self.workshop, request.user)
            elif join.is_member(self.workshop, request.user):
                return redirect(self.workshop.get_join_url())
            else:
                raise Http404(_("No such workshop room."))
        Participant.objects.filter(pk=self.participant.pk).update(last_seen=timezone.now())
        return super().dispatch(request, room)

    def get_context_data(self, **kwargs):
        workshop = self.workshop
        can_run = self.request.user.has_perm(RUN, workshop)
        return super().get_context_data(
            workshop=workshop,
            participant=self.participant,
            steps=workshop.steps.all(),
            participants=workshop.participants.all(),
            timer=workshop.timer(),
            can_run=can_run,
            **_sharing(self.request, workshop),
            member=join.is_member(workshop, self.request.user),
            # The map editor, mounted by room.js on a map step; it loads its scripts then.
            map_style=map_style.as_json(),
            # The editor's choices as on the map's page; it saves through the websocket here.
            editor_config=editor_choices(),
            room_config={
                "findings": reverse("workshops:room_map_findings", args=[workshop.room]),
                "inventory": reverse("workshops:room_map_inventory", args=[workshop.room]),
                "editorScripts": [
                    static(name)
                    for name in (
                        "vendor/cytoscape/cytoscape.min.js",
                        "vendor/cytoscape-fcose/layout-base.js",
                        "vendor/cytoscape-fcose/cose-base.js",
                        "vendor/cytoscape-fcose/cytoscape-fcose.js",
                        "opencities/map-editor.js",
                    )
                ],
            },
            **kwargs,
        )


class ControlView(View):
    """The facilitator's controls as plain forms (``action`` is a name of `controls.ACTIONS`;
    ``seconds`` for timer_add; ``next`` where to go back to, the room by default)."""

    http_method_names = ["post"]

    def post(self, request, room):
        workshop = _room_workshop(room)
        participant = join.participant_for(workshop, request.user, request.session)
        if not request.user.has_perm(RUN, workshop):
            if participant is not None or join.is_member(workshop, request.user):
                raise PermissionDenied(_("Only the facilitator and editors run the workshop."))
            raise Http404(_("No such workshop room."))
        form = ControlForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest(_("Unknown control, or time to add out of range."))
        action = form.cleaned_data["action"]
        extra = {"seconds": form.cleaned_data["seconds"] or 60} if action == "timer_add" else {}
        try:
            controls.ACTIONS[action](workshop, origin=Origin(participant), **extra)
        except Refused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, CONFIRMATIONS[action])
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = workshop.get_room_url()
        return redirect(back)
