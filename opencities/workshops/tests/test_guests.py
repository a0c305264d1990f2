"""A guest reads and adds to their workshop, and nothing else: no workspace page, no other room,
and their name is shown as text wherever it appears."""

from django.conf import settings
from django.urls import reverse

from opencities.workshops import agenda, controls
from opencities.workshops.models import Note

from .conftest import NOON, join_as_guest

SCRIPT_NAME = '<script>alert("hi")</script><b>Gita</b>'


def workspace_pages(workshop) -> list[str]:
    project = workshop.project
    ws = project.workspace.slug
    return [
        reverse("inventory:dashboard", args=[ws]),
        reverse("inventory:dataset_list", args=[ws]),
        reverse("projects:project_list", args=[ws]),
        project.get_absolute_url(),
        reverse("canvases:ethics", args=[ws, project.pk]),
        reverse("workshops:list", args=[ws, project.pk]),
        workshop.get_absolute_url(),
        reverse("workshops:summary", args=[ws, project.pk, workshop.pk]),
        reverse("members", args=[ws]),
    ]


def test_a_guest_is_sent_to_sign_in_from_every_workspace_page(open_workshop):
    guest = join_as_guest(open_workshop)
    for address in workspace_pages(open_workshop):
        response = guest.get(address)
        assert response.status_code == 302, address
        assert response["Location"].startswith(reverse(settings.LOGIN_URL)), address
        assert "Testford" not in response.content.decode()


def test_a_guest_cannot_enter_another_workshops_room(open_workshop, project, editor):
    other = agenda.create_workshop(project, title="Secret", date=NOON, facilitator=editor)
    controls.open_for_joining(other)
    guest = join_as_guest(open_workshop)

    response = guest.get(other.get_room_url())

    assert response.status_code == 404
    assert "Secret" not in response.content.decode()
    assert guest.post(other.get_room_url() + "control/", {"action": "end"}).status_code == 404
    other.refresh_from_db()
    assert other.state == "open"


def test_a_guest_cannot_use_the_controls(running_workshop):
    guest = join_as_guest(running_workshop)
    response = guest.post(
        reverse("workshops:control", args=[running_workshop.room]), {"action": "next"}
    )
    assert response.status_code == 403
    running_workshop.refresh_from_db()
    assert running_workshop.current_step.position == 1
    assert "Facilitator controls" not in guest.get(running_workshop.get_room_url()).content.decode()


def test_a_room_is_not_found_by_anyone_who_has_not_joined(client, outsider, open_workshop):
    assert client.get(open_workshop.get_room_url()).status_code == 404
    client.force_login(outsider)
    assert client.get(open_workshop.get_room_url()).status_code == 404


def test_a_guests_name_is_escaped_everywhere(client, editor, running_workshop):
    join_as_guest(running_workshop, SCRIPT_NAME)
    guest = running_workshop.participants.get()
    Note.objects.create(
        workshop=running_workshop,
        step=running_workshop.steps.get(position=2),
        board="ethics:reasons",
        text="<img src=x onerror=alert(1)>",
        author=guest,
    )
    client.force_login(editor)
    project = running_workshop.project
    pages = [
        running_workshop.get_room_url(),
        running_workshop.get_absolute_url(),
        reverse(
            "workshops:summary", args=[project.workspace.slug, project.pk, running_workshop.pk]
        ),
    ]
    for address in pages:
        page = client.get(address).content.decode()
        assert "&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt;&lt;b&gt;Gita&lt;/b&gt;" in page
        assert "<script>alert" not in page and "<b>Gita" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
