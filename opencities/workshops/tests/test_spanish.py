"""The workshop pages and the live room's script in Spanish, for a browser that asks for it."""

from datetime import timedelta

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from opencities.asgi import application
from opencities.workshops.models import Participant

from .conftest import join_as_guest
from .test_consumer import in_own_loop

SPANISH = {"accept-language": "es-ES,es;q=0.9"}


@pytest.fixture(autouse=True)
def english_afterwards():
    """A request leaves its language active in the thread, for the tests that follow."""
    yield
    translation.deactivate()


def page(client, address: str) -> str:
    response = client.get(address, headers=SPANISH)
    assert response.status_code == 200
    text = response.content.decode()
    assert '<html lang="es">' in text
    return text


def test_the_workshop_list_is_in_spanish(client, editor, workshop):
    client.force_login(editor)
    project = workshop.project
    text = page(client, reverse("workshops:list", args=[project.workspace.slug, project.pk]))
    assert "Nuevo taller" in text and "New workshop" not in text
    assert "Borrador" in text


def test_the_workshop_page_is_in_spanish(client, editor, workshop):
    client.force_login(editor)
    text = page(client, workshop.get_absolute_url())
    assert "Orden del día" in text and "Agenda" not in text
    assert "Mapa del ecosistema" in text and "Lienzo de ética de datos" in text
    assert "Añadir un paso" in text and "Add a step" not in text


def test_the_join_pages_are_in_spanish(client, open_workshop):
    text = page(client, reverse("workshops:join"))
    assert "Unirse a un taller" in text and "Join a workshop" not in text
    assert "Escriba el código que le ha dado la persona facilitadora." in text
    text = page(client, open_workshop.get_join_url())
    assert "Unirse al taller" in text and "Join the workshop" not in text
    assert "Su nombre" in text


def test_the_room_is_in_spanish_for_a_guest(running_workshop):
    guest = join_as_guest(running_workshop, "Gita")
    text = page(guest, running_workshop.get_room_url())
    assert "Tiempo restante en este paso" in text and "Time left on this step" not in text
    assert "Código de acceso" in text and "Conectados ahora" in text
    assert "Usted es Gita (Invitado/a)" in text


def test_the_room_script_gets_its_words_in_spanish(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    script = client.get(reverse("javascript-catalog")).content.decode()
    # The catalogue writes letters beyond ASCII as JavaScript escapes: "ó" is "\\u00f3".
    assert "Votaci\\u00f3n con puntos" in script
    assert "Puntos por persona" in script
    assert "Paso %(n)s de %(all)s" in script
    assert "le quedan %(left)s de %(all)s puntos" in script
    assert "Se han guardado todos los cambios." in script  # the map editor's words stay too


@pytest.mark.django_db(transaction=True)
def test_the_room_socket_speaks_the_language_of_the_page_and_notes_who_is_here(running_workshop):
    guest = join_as_guest(running_workshop, "Gita")
    participant = Participant.objects.get(workshop=running_workshop, display_name="Gita")
    long_ago = timezone.now() - timedelta(hours=1)
    Participant.objects.filter(pk=participant.pk).update(last_seen=long_ago)
    cookie = f"sessionid={guest.cookies['sessionid'].value}"

    async def scenario():
        socket = WebsocketCommunicator(
            application,
            f"/ws/room/{running_workshop.room}/",
            headers=[
                (b"cookie", cookie.encode()),
                (b"accept-language", b"es-ES,es;q=0.9"),
                (b"origin", b"http://localhost"),
            ],
        )
        connected, _code = await socket.connect()
        assert connected
        await socket.send_json_to({"type": "hello", "since": None})
        while (welcome := await socket.receive_json_from(timeout=5))["type"] != "welcome":
            pass
        await socket.send_json_to({"op": "note.add", "client_id": "t", "seq": 1, "data": {}})
        while (message := await socket.receive_json_from(timeout=5))["type"] != "error":
            pass
        await socket.disconnect()
        return welcome, message

    welcome, error = in_own_loop(scenario)
    titles = [step["title"] for step in welcome["snapshot"]["steps"]]
    assert titles[:3] == ["Mapa del ecosistema", "Lienzo de ética de datos", "Caso de negocio"]
    assert error["message"] == "Falta el campo: board, text."
    participant.refresh_from_db()
    assert participant.last_seen > long_ago
