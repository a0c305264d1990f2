from django.apps import AppConfig


class MapsConfig(AppConfig):
    name = "opencities.maps"
    label = "maps"
    verbose_name = "Data ecosystem maps"
