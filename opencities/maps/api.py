"""The JSON routes the map editor saves through.

Every change is checked by the same forms and model rules as the table view, inside the
workspace and role checks of `WorkspaceMixin`; a refused change answers 400 with each problem
named by field, and nothing is written. Reading needs the viewer role, changing the editor role.
"""

import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.forms import model_to_dict
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from opencities.accounts.mixins import EDIT, VIEW
from opencities.inventory.models import Actor, Dataset, Technology
from opencities.inventory.search import search

from .exports import exchange_as_json, map_as_json, node_as_json
from .findings import as_dict
from .forms import ExchangeForm, NodeForm
from .models import NODE_KIND_LABELS, EcosystemMap, Exchange, ExchangeKind, FlowStatus, Node, Role
from .views import MapMixin, findings_of

INVENTORY = {
    "actor": (Actor, "name"),
    "dataset": (Dataset, "title"),
    "technology": (Technology, "name"),
}
EXCHANGE_FIELDS = ExchangeForm.Meta.fields
NEW_EXCHANGE = {"kind": ExchangeKind.DATA, "status": FlowStatus.ACTIVE}  # unless the editor says
MAX_POSITIONS = 20_000  # one request may move every node of the largest maps we open


class BadRequest(Exception):
    """A request the editor should not have sent: the message says what is wrong with it."""

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.errors = errors or {}


def refused(message: str, status: int = 400, errors: dict | None = None) -> JsonResponse:
    return JsonResponse({"message": message, "errors": errors or {}}, status=status)


def form_refused(form) -> JsonResponse:
    errors = {field: list(messages) for field, messages in form.errors.items()}
    first = next(iter(errors.values()))[0]
    return refused(first, errors=errors)


class MapApiMixin(MapMixin):
    """JSON in, JSON out: problems (including 403 and 404) come back as JSON for the editor."""

    permission = EDIT
    permission_by_method = {"GET": VIEW}

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except Http404:
            return refused(_("Not found: it may have been deleted, or is not yours to see."), 404)
        except PermissionDenied:
            return refused(_("Your role in this workspace does not allow this change."), 403)
        except BadRequest as problem:
            return refused(str(problem), errors=problem.errors)

    def handle_no_permission(self):
        return refused(_("Your session has ended: sign in again."), 401)

    def body(self, allowed: set[str] | list[str]) -> dict[str, Any]:
        """The request's JSON object, refusing anything else and any field we do not know."""
        try:
            data = json.loads(self.request.body or b"{}")
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise BadRequest(
                _("The request body is not valid JSON (%(error)s).") % {"error": error}
            ) from error
        if not isinstance(data, dict):
            raise BadRequest(_("The request body must be a JSON object."))
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            raise BadRequest(_("Unknown field: %(fields)s.") % {"fields": ", ".join(unknown)})
        return data

    def touched(self) -> None:
        """Mark the map changed, so lists and other tabs can tell it is newer."""
        EcosystemMap.objects.filter(pk=self.get_map().pk).update(updated=timezone.now())

    def get_node(self) -> Node:
        return get_object_or_404(
            Node.objects.select_related("actor", "dataset", "technology"),
            pk=self.kwargs["node"],
            map=self.get_map(),
        )

    def get_exchange(self) -> Exchange:
        return get_object_or_404(
            Exchange.objects.select_related("dataset"),
            pk=self.kwargs["exchange"],
            map=self.get_map(),
        )


class MapApi(MapApiMixin, View):
    """The whole map: its details, nodes and exchanges, and whether this person may edit."""

    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        from .layout import place_missing

        ecosystem_map = self.get_map()
        place_missing(ecosystem_map)
        data = map_as_json(ecosystem_map)
        data["map"]["can_edit"] = request.user.has_perm(EDIT, self.workspace)
        data["map"]["updated"] = ecosystem_map.updated.isoformat()
        return JsonResponse(data)


class FindingsApi(MapApiMixin, View):
    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        findings = findings_of(self.get_map())
        return JsonResponse({"findings": [as_dict(f) for f in findings]})


SUGGESTIONS = 12  # records offered while typing a name


class InventoryApi(MapApiMixin, View):
    """Inventory records to put on the map, best matches first, marking those already on it."""

    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        results = suggestions(self.get_map(), request.GET.get("q", ""), request.GET.get("kind"))
        return JsonResponse({"results": results})


def suggestions(
    ecosystem_map: EcosystemMap, query: str, kind: str | None, *, only_on_map: bool = False
) -> list[dict]:
    """Inventory records of the map's workspace whose name has every word of `query` (of one
    `kind`, or of all), best matches first, each marked if it is on the map already. With
    `only_on_map`, only what the map shows already (its nodes and its flows' datasets): what a
    workshop guest may see of the workspace."""
    query = query.strip()
    kinds = [kind] if kind in INVENTORY else list(INVENTORY)
    on_map = {
        kind: set(
            ecosystem_map.nodes.filter(**{f"{kind}__isnull": False}).values_list(kind, flat=True)
        )
        for kind in kinds
    }
    shown = {kind: set(ids) for kind, ids in on_map.items()}
    if only_on_map and "dataset" in shown:
        named = ecosystem_map.exchanges.filter(dataset__isnull=False)
        shown["dataset"] |= set(named.values_list("dataset", flat=True))
    results = []
    for kind in kinds:
        model, field = INVENTORY[kind]
        records = model.objects.filter(workspace=ecosystem_map.project.workspace_id)
        if only_on_map:
            records = records.filter(pk__in=shown[kind])
        found = search(records, query, (field,)).order_by(field).values_list("pk", field)
        for pk, name in found[:SUGGESTIONS]:
            results.append({"type": kind, "id": pk, "name": name, "on_map": pk in on_map[kind]})
    results.sort(key=lambda r: (not r["name"].lower().startswith(query.lower()), r["name"]))
    return results[:SUGGESTIONS]


class NodesApi(MapApiMixin, View):
    """Put a node on the map: an inventory record by id, or by name (a new name joins the
    inventory, as in the table view)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        data = self.body({"type", "inventory_id", "name", "roles", "x", "y"})
        kind = data.get("type")
        name = data.get("name", "")
        if data.get("inventory_id") is not None and kind in INVENTORY:
            model, field = INVENTORY[kind]
            record = model.objects.filter(
                workspace=self.workspace, pk=_integer(data["inventory_id"], "inventory_id")
            ).first()
            if record is None:
                raise BadRequest(
                    _("No %(kind)s with id %(id)s in this workspace.")
                    % {"kind": NODE_KIND_LABELS[kind].lower(), "id": data["inventory_id"]}
                )
            name = getattr(record, field)
        form = NodeForm(
            {"kind": kind, "existing": name, "roles": data.get("roles") or []},
            ecosystem_map=self.get_map(),
        )
        if not form.is_valid():
            return form_refused(form)
        with transaction.atomic():
            node = form.save()
            node.x, node.y = _position(data)
            node.save(update_fields=["x", "y"])
        self.touched()
        return JsonResponse(node_as_json(node), status=201)


class NodeApi(MapApiMixin, View):
    """Change a node's roles or position, or take it (and its exchanges) off the map."""

    http_method_names = ["patch", "delete"]

    def patch(self, request, *args, **kwargs):
        data = self.body({"roles", "x", "y"})
        node = self.get_node()
        if "roles" in data:
            roles = data["roles"]
            if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
                raise BadRequest(
                    _("roles must be a list of role names."), {"roles": [_("Not a list.")]}
                )
            unknown = sorted(set(roles) - set(Role.values))
            if unknown:
                raise BadRequest(
                    _("Unknown roles: %(roles)s.") % {"roles": ", ".join(unknown)},
                    {"roles": unknown},
                )
            node.roles = [role for role in Role.values if role in roles]
            if node.roles and not node.actor_id:
                raise BadRequest(
                    _("Only actors play roles on a map."), {"roles": [_("Actors only.")]}
                )
        if "x" in data or "y" in data:
            node.x, node.y = _position(data, node)
        node.save()
        self.touched()
        return JsonResponse(node_as_json(node))

    def delete(self, request, *args, **kwargs):
        node = self.get_node()
        touching = Exchange.objects.filter(Q(source=node) | Q(target=node), map=node.map)
        exchanges = [exchange_as_json(e) for e in touching.select_related("dataset")]
        removed = node_as_json(node)
        node.delete()
        self.touched()
        return JsonResponse({"node": removed, "exchanges": exchanges})


class PositionsApi(MapApiMixin, View):
    """Save where many nodes are drawn at once: after a drag of several, or an automatic layout."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        positions = self.body({"positions"}).get("positions")
        if not isinstance(positions, list) or len(positions) > MAX_POSITIONS:
            raise BadRequest(
                _("positions must be a list of at most %(limit)d entries.")
                % {"limit": MAX_POSITIONS}
            )
        wanted: dict[int, tuple[float, float]] = {}
        for index, entry in enumerate(positions):
            if not isinstance(entry, dict) or set(entry) != {"id", "x", "y"}:
                raise BadRequest(
                    _("Position %(number)d must have exactly id, x and y.") % {"number": index + 1}
                )
            wanted[_integer(entry["id"], "id")] = _position(entry)
        nodes = list(self.get_map().nodes.filter(pk__in=wanted).only("pk", "x", "y"))
        missing = sorted(set(wanted) - {node.pk for node in nodes})
        if missing:
            raise BadRequest(
                _("Not on this map: node %(nodes)s.") % {"nodes": ", ".join(map(str, missing[:10]))}
            )
        for node in nodes:
            node.x, node.y = wanted[node.pk]
        Node.objects.bulk_update(nodes, ["x", "y"], batch_size=500)
        self.touched()
        return JsonResponse({"saved": len(nodes)})


class ExchangesApi(MapApiMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        data = {**NEW_EXCHANGE, **self.body(EXCHANGE_FIELDS)}
        form = ExchangeForm(_form_data(data), ecosystem_map=self.get_map())
        if not form.is_valid():
            return form_refused(form)
        exchange = form.save()
        self.touched()
        return JsonResponse(exchange_as_json(exchange), status=201)


class ExchangeApi(MapApiMixin, View):
    http_method_names = ["patch", "delete"]

    def patch(self, request, *args, **kwargs):
        exchange = self.get_exchange()
        data = {**model_to_dict(exchange, fields=EXCHANGE_FIELDS), **self.body(EXCHANGE_FIELDS)}
        form = ExchangeForm(_form_data(data), instance=exchange, ecosystem_map=self.get_map())
        if not form.is_valid():
            return form_refused(form)
        exchange = form.save()
        self.touched()
        return JsonResponse(exchange_as_json(exchange))

    def delete(self, request, *args, **kwargs):
        exchange = self.get_exchange()
        removed = exchange_as_json(exchange)
        exchange.delete()
        self.touched()
        return JsonResponse({"exchange": removed})


def _integer(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(
            _("%(field)s must be a whole number.") % {"field": field},
            {field: [_("Not a whole number.")]},
        )
    return value


def _position(data: dict[str, Any], node: Node | None = None) -> tuple[float | None, float | None]:
    """x and y from the request (either may be left out when changing a node)."""
    point = []
    for axis in ("x", "y"):
        value = data.get(axis, getattr(node, axis) if node else None)
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not -1e7 < value < 1e7  # also refuses NaN and infinity
        ):
            raise BadRequest(
                _("%(axis)s must be a number.") % {"axis": axis}, {axis: [_("Not a number.")]}
            )
        point.append(None if value is None else float(value))
    return point[0], point[1]


def _form_data(data: dict[str, Any]) -> dict[str, Any]:
    """JSON values as a form reads them: missing optional text as empty, lists kept as lists."""
    return {key: ("" if value is None else value) for key, value in data.items()}
