"""Start a future-state map from the current one, so the team edits a copy, not the present."""

from django.db import transaction

from .models import EcosystemMap, Exchange, MapState


@transaction.atomic
def copy_as_future(current: EcosystemMap, title: str | None = None) -> EcosystemMap:
    """A new future-state map with the same nodes (roles and places) and exchanges."""
    future = EcosystemMap.objects.create(
        project=current.project,
        title=title or f"{current.title} — future",
        state=MapState.FUTURE,
        description=current.description,
        based_on=current,
    )
    new_node = {}
    for node in current.nodes.all():
        old_pk = node.pk
        node.pk, node.map = None, future
        node.save()
        new_node[old_pk] = node
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
