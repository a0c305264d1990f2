"""The JSON routes the map editor reads in a workshop room: the findings of the current step's
map, and inventory records to name on it.

A guest has no account, so the map's own routes (`maps/api.py`, workspace members only) are
closed to them; these answer the room's participants instead, found as the room page finds them
(`join.participant_for`), and 404 to everyone else. They only read: every change to the map goes
through the room's websocket (`live.py`).

A guest reaches nothing else of the workspace: their inventory suggestions are the records
already on the map. Members of the workspace, who may read the whole inventory anyway, get
suggestions from all of it, as in the map editor.
"""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import View

from opencities.maps.api import suggestions
from opencities.maps.findings import FindingKind, as_dict
from opencities.maps.models import EcosystemMap
from opencities.maps.views import findings_of

from . import join, votes
from .models import Participant, ParticipantKind, Workshop


def not_found() -> JsonResponse:
    return JsonResponse({"message": _("No such workshop room."), "errors": {}}, status=404)


class RoomApi(View):
    """A participant of the room (or its facilitator) reading its current map; 404 otherwise."""

    http_method_names = ["get"]

    def dispatch(self, request, room):
        self.workshop = (
            Workshop.objects.select_related("project__workspace", "current_step__map")
            .filter(room=room)
            .first()
        )
        if self.workshop is None:
            return not_found()
        self.participant = join.participant_for(self.workshop, request.user, request.session)
        facilitator = (
            request.user.is_authenticated and request.user.pk == self.workshop.facilitator_id
        )
        if self.participant is None and not facilitator:
            return not_found()
        step = self.workshop.current_step
        self.map: EcosystemMap | None = step.map if step is not None else None
        return super().dispatch(request, room)

    def member(self) -> bool:
        """Whether the person reads as a member of the workspace, not as a guest."""
        participant: Participant | None = self.participant
        if participant is not None and participant.kind == ParticipantKind.GUEST:
            return False
        return join.is_member(self.workshop, self.request.user)


class RoomFindingsApi(RoomApi):
    """The findings of the current step's map, as the map editor shows them; an opportunity
    also carries its `key`, what a dot on it names (`votes.opportunity_key`)."""

    def get(self, request, room):
        if self.map is None:
            return JsonResponse({"map": None, "findings": []})
        findings = []
        for finding in findings_of(self.map):
            entry = as_dict(finding)
            if finding.kind == FindingKind.OPPORTUNITY:
                entry["key"] = votes.opportunity_key(self.map.pk, finding)
            findings.append(entry)
        return JsonResponse({"map": self.map.pk, "findings": findings})


class RoomInventoryApi(RoomApi):
    """Records to name on the current map (``q``, ``kind``), best matches first: from the
    whole inventory for members, from what is on the map already for guests."""

    def get(self, request, room):
        if self.map is None:
            return JsonResponse({"results": []})
        results = suggestions(
            self.map,
            request.GET.get("q", ""),
            request.GET.get("kind"),
            only_on_map=not self.member(),
        )
        return JsonResponse({"results": results})
