"""What dot-voting counts, and the results ranked.

A dot's ``target_key`` names what it was placed on, by the vote's target:

- notes: the note's id, e.g. ``"42"`` (a note of the same workshop);
- blocked flows: the exchange's id, e.g. ``"7"`` (a flow on one of the project's maps);
- opportunities: ``"<map id>:<actor node id>:<dataset id>"`` (`opportunity_key`), as the
  map's findings (`maps/findings.py`) name an opportunity: who could get which data.
"""

from django.db.models import Count
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from opencities.maps.findings import Finding, FindingKind, analyse
from opencities.maps.models import EcosystemMap, Exchange

from .models import Note, Vote, VoteTarget

LABEL_LENGTH = 80


def opportunity_key(map_id: int, finding: Finding) -> str:
    """The key of an opportunity finding: the map, the actor who needs the data, the data."""
    return f"{map_id}:{finding.nodes[0]}:{finding.data['dataset']}"


def _ids(keys: list[str]) -> list[int]:
    return [int(key) for key in keys if key.isdigit()]


def _note_labels(vote: Vote, keys: list[str]) -> dict[str, str]:
    notes = Note.objects.filter(workshop=vote.workshop_id, pk__in=_ids(keys))
    return {str(pk): text for pk, text in notes.values_list("pk", "text")}


def _flow_labels(vote: Vote, keys: list[str]) -> dict[str, str]:
    ends = ["actor", "dataset", "technology"]
    flows = Exchange.objects.filter(
        map__project=vote.workshop.project_id, pk__in=_ids(keys)
    ).select_related(*(f"{end}__{kind}" for end in ("source", "target") for kind in ends))
    return {str(flow.pk): str(flow) for flow in flows}


def _opportunity_labels(vote: Vote, keys: list[str]) -> dict[str, str]:
    map_ids = {int(key.split(":")[0]) for key in keys if key.split(":")[0].isdigit()}
    labels = {}
    for ecosystem_map in EcosystemMap.objects.filter(
        project=vote.workshop.project_id, pk__in=map_ids
    ):
        for finding in analyse(ecosystem_map, changes=False):
            if finding.kind == FindingKind.OPPORTUNITY:
                labels[opportunity_key(ecosystem_map.pk, finding)] = finding.title
    return labels


_LABELS = {
    VoteTarget.NOTES: _note_labels,
    VoteTarget.BLOCKED_FLOWS: _flow_labels,
    VoteTarget.OPPORTUNITIES: _opportunity_labels,
}


def results(vote: Vote) -> list[tuple[str, str, int]]:
    """Every target that got a dot, as (target key, what it is in words, dots), most dots
    first; ties in the order of their names. Something removed since keeps its dots."""
    counts = list(
        vote.dots.values("target_key").annotate(dots=Count("pk")).values_list("target_key", "dots")
    )
    labels = _LABELS[vote.target](vote, [key for key, _count in counts])
    ranked = [
        (key, Truncator(labels.get(key) or _("(removed since)")).chars(LABEL_LENGTH), dots)
        for key, dots in counts
    ]
    return sorted(ranked, key=lambda row: (-row[2], row[1].casefold(), row[0]))
