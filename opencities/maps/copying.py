"""Start a future-state map from the current one, so the team edits a copy, not the present."""

from django.db import transaction
from django.utils.translation import gettext as _

from .models import EcosystemMap, Exchange, MapState, Node


@transaction.atomic
def copy_as_future(current: EcosystemMap, title: str | None = None) -> EcosystemMap:
    """A new future-state map with the same nodes (roles and places) and exchanges."""
    future = EcosystemMap.objects.create(
        project=current.project,
        title=title or _("%(title)s — future") % {"title": current.title},
        state=MapState.FUTURE,
        description=current.description,
        based_on=current,
    )
    old_nodes = list(current.nodes.all())
    copies = Node.objects.bulk_create(
        Node(
            map=future,
            actor_id=n.actor_id,
            dataset_id=n.dataset_id,
            technology_id=n.technology_id,
            roles=n.roles,
            x=n.x,
            y=n.y,
        )
        for n in old_nodes
    )
    new_node = {old.pk: copy for old, copy in zip(old_nodes, copies, strict=True)}
    Exchange.objects.bulk_create(
        Exchange(
            map=future,
            source=new_node[e.source_id],
            target=new_node[e.target_id],
            kind=e.kind,
            dataset_id=e.dataset_id,
            description=e.description,
            mechanism=e.mechanism,
            frequency=e.frequency,
            access=e.access,
            status=e.status,
            blocked_reasons=e.blocked_reasons,
            blocked_note=e.blocked_note,
        )
        for e in current.exchanges.all()
    )
    return future
