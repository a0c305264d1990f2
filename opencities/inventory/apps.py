from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "opencities.inventory"
    label = "inventory"
    verbose_name = "Inventory of actors and datasets"
