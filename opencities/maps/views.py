from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DeleteView, TemplateView

from opencities.accounts.mixins import EDIT
from opencities.inventory.models import Spectrum
from opencities.projects.mixins import ProjectMixin

from . import style
from .copying import copy_as_future
from .exports import map_as_graphml, map_as_json
from .findings import Finding, analyse
from .forms import ExchangeForm, MapForm, NodeForm, RolesForm
from .models import (
    BlockReason,
    EcosystemMap,
    Exchange,
    ExchangeKind,
    FlowStatus,
    Mechanism,
    Node,
    Role,
)
from .render import map_as_png, map_as_svg


def findings_of(ecosystem_map: EcosystemMap) -> list[Finding]:
    """The map's findings, in the active language (none for a map with nothing on it)."""
    return analyse(ecosystem_map) if ecosystem_map.nodes.exists() else []


def editor_choices() -> dict[str, dict]:
    """The choices the map editor offers, by value: its filters, dialogs and selection panel
    (maps/_editor.html and map-editor.js). The map's own page and a workshop room's map step
    give the same ones."""
    return {
        "roles": dict(Role.choices),
        "kinds": dict(ExchangeKind.choices),
        "statuses": dict(FlowStatus.choices),
        "reasons": dict(BlockReason.choices),
        "mechanisms": dict(Mechanism.choices),
        "access": dict(Spectrum.choices),
        "spectrum": dict(Spectrum.choices),
    }


class MapMixin(ProjectMixin):
    """Maps live inside a project, and projects inside the workspace in the URL."""

    def get_map(self) -> EcosystemMap:
        if not hasattr(self, "_map"):
            self._map = get_object_or_404(
                EcosystemMap.objects.select_related("project__workspace"),
                pk=self.kwargs["pk"],
                project=self.get_project(),
            )
        return self._map


class MapCreateView(MapMixin, TemplateView):
    permission = EDIT
    template_name = "maps/map_form.html"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=MapForm()))

    def post(self, request, *args, **kwargs):
        form = MapForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        ecosystem_map = form.save(commit=False)
        ecosystem_map.project = self.get_project()
        ecosystem_map.save()
        return redirect(ecosystem_map)


class MapUpdateView(MapMixin, TemplateView):
    permission = EDIT
    template_name = "maps/map_form.html"

    def get(self, request, *args, **kwargs):
        form = MapForm(instance=self.get_map())
        return self.render_to_response(self.get_context_data(form=form, map=self.get_map()))

    def post(self, request, *args, **kwargs):
        form = MapForm(request.POST, instance=self.get_map())
        if not form.is_valid():
            context = self.get_context_data(form=form, map=self.get_map())
            return self.render_to_response(context, status=400)
        return redirect(form.save())


class MapDeleteView(MapMixin, DeleteView):
    permission = EDIT
    template_name = "inventory/confirm_delete.html"

    def get_object(self, queryset=None):
        return self.get_map()

    def get_success_url(self):
        return self.get_project().get_absolute_url()


class MapFutureView(MapMixin, View):
    permission = EDIT
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        future = copy_as_future(self.get_map())
        messages.success(
            request,
            _("“%(title)s” starts as a copy of the current state.") % {"title": future.title},
        )
        return redirect(future)


class MapExportView(MapMixin, View):
    """Download the map as a picture (PNG, SVG) or as data (JSON, GraphML); anyone who may read
    the map may download it."""

    def get(self, request, *args, fmt, **kwargs):
        ecosystem_map = self.get_map()
        name = slugify(ecosystem_map.title) or "map"
        if fmt == "json":
            response = JsonResponse(
                map_as_json(ecosystem_map), json_dumps_params={"indent": 2, "ensure_ascii": False}
            )
        elif fmt == "graphml":
            response = HttpResponse(map_as_graphml(ecosystem_map), content_type="application/xml")
        elif fmt == "svg":
            response = HttpResponse(map_as_svg(ecosystem_map), content_type="image/svg+xml")
        elif fmt == "png":
            response = HttpResponse(map_as_png(ecosystem_map), content_type="image/png")
        else:
            raise Http404("Maps download as .png, .svg, .json or .graphml.")
        response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        return response


class MapDetailView(MapMixin, TemplateView):
    """The map drawn: the editor loads the map through the API (see `api.py` and
    `static/opencities/map-editor.js`); without JavaScript the page points to the table view."""

    template_name = "maps/map_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ecosystem_map = self.get_map()
        args = [self.workspace.slug, ecosystem_map.project_id, ecosystem_map.pk]
        context.update(
            map=ecosystem_map,
            map_style=style.as_json(),
            editor_config={"api": reverse("maps:api_map", args=args), **editor_choices()},
        )
        return context


class MapTableView(MapMixin, TemplateView):
    """The map as tables: its nodes and exchanges, every field reachable by keyboard."""

    template_name = "maps/map_table.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ecosystem_map = self.get_map()
        nodes = ecosystem_map.nodes.select_related("actor", "dataset", "technology")
        exchanges = ecosystem_map.exchanges.select_related(
            "source__actor",
            "source__dataset",
            "source__technology",
            "target__actor",
            "target__dataset",
            "target__technology",
            "dataset",
        )
        context.update(
            map=ecosystem_map,
            roles=Role.choices,
            findings=findings_of(ecosystem_map),
            nodes=nodes,
            exchanges=exchanges,
            node_form=kwargs.get("node_form") or NodeForm(ecosystem_map=ecosystem_map),
            exchange_form=kwargs.get("exchange_form") or ExchangeForm(ecosystem_map=ecosystem_map),
        )
        return context


class MapPartMixin(MapMixin):
    """Changes to a part of a map: editors only, and back to the map afterwards."""

    permission = EDIT
    http_method_names = ["get", "post"]

    def back(self):
        map_ = self.get_map()
        return redirect("maps:map_table", self.workspace.slug, map_.project_id, map_.pk)

    def invalid(self, **forms):
        """The map page again, with the rejected form and its errors in place."""
        return self.render_to_response(self.get_context_data(**forms), status=400)


class NodeCreateView(MapPartMixin, MapTableView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = NodeForm(request.POST, ecosystem_map=self.get_map())
        if not form.is_valid():
            return self.invalid(node_form=form)
        with transaction.atomic():
            node = form.save()
        messages.success(request, _("Added “%(name)s” to the map.") % {"name": node})
        return self.back()


class NodeUpdateView(MapPartMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        node = get_object_or_404(Node, pk=kwargs["node"], map=self.get_map())
        form = RolesForm(request.POST, instance=node)
        if form.is_valid():
            form.save()
            messages.success(request, _("Roles of “%(name)s” saved.") % {"name": node})
        else:
            messages.error(request, "; ".join(e for errs in form.errors.values() for e in errs))
        return self.back()


class NodeDeleteView(MapPartMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        node = get_object_or_404(Node, pk=kwargs["node"], map=self.get_map())
        node.delete()
        messages.success(
            request, _("Took “%(name)s” and its exchanges off the map.") % {"name": node}
        )
        return self.back()


class ExchangeCreateView(MapPartMixin, MapTableView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = ExchangeForm(request.POST, ecosystem_map=self.get_map())
        if not form.is_valid():
            return self.invalid(exchange_form=form)
        form.save()
        messages.success(request, _("Exchange added."))
        return self.back()


class ExchangeUpdateView(MapPartMixin, TemplateView):
    template_name = "maps/exchange_form.html"

    def get_exchange(self) -> Exchange:
        return get_object_or_404(Exchange, pk=self.kwargs["exchange"], map=self.get_map())

    def get(self, request, *args, **kwargs):
        form = ExchangeForm(instance=self.get_exchange(), ecosystem_map=self.get_map())
        return self.render_to_response(self.get_context_data(form=form, map=self.get_map()))

    def post(self, request, *args, **kwargs):
        form = ExchangeForm(
            request.POST, instance=self.get_exchange(), ecosystem_map=self.get_map()
        )
        if not form.is_valid():
            context = self.get_context_data(form=form, map=self.get_map())
            return self.render_to_response(context, status=400)
        form.save()
        messages.success(request, _("Exchange saved."))
        return self.back()


class ExchangeDeleteView(MapPartMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        get_object_or_404(Exchange, pk=kwargs["exchange"], map=self.get_map()).delete()
        messages.success(request, _("Exchange removed."))
        return self.back()
