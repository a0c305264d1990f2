"""ASGI entry point: `opencities serve` and `opencities demo` run this under uvicorn.

Plain HTTP goes to Django; websockets go to the live workshop rooms (`workshops/routing.py`),
signed in through the same session cookie as the pages, from this site's own origin only.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencities.settings")

# Django must be set up before the consumers (and their models) are imported.
django_application = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from opencities.workshops.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
