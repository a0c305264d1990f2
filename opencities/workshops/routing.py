"""Websocket addresses of the live workshop rooms (mounted by `opencities/asgi.py`)."""

from django.urls import path

from .consumers import RoomConsumer

websocket_urlpatterns = [path("ws/room/<uuid:room>/", RoomConsumer.as_asgi())]
