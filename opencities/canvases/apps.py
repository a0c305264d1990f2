from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CanvasesConfig(AppConfig):
    name = "opencities.canvases"
    label = "canvases"
    verbose_name = _("Canvases")
