from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_search_index(sender, using, **kwargs):
    from django.db import connections

    from .search import ensure_index

    ensure_index(connections[using])


class InventoryConfig(AppConfig):
    name = "opencities.inventory"
    label = "inventory"
    verbose_name = "Inventory of actors and datasets"

    def ready(self):
        post_migrate.connect(_ensure_search_index, sender=self)
