"""ASGI entry point: `opencities serve` and `opencities demo` run this under uvicorn."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencities.settings")

application = get_asgi_application()
