"""Who may see and change workshops: every URL, for each kind of person."""

import pytest
from django.conf import settings
from django.urls import reverse

from opencities.workshops.models import Participant, Workshop


def url(workshop: Workshop, name: str, *extra) -> str:
    project = workshop.project
    return reverse(f"workshops:{name}", args=[project.workspace.slug, project.pk, *extra])


def readings(workshop: Workshop) -> list[str]:
    return [
        url(workshop, "list"),
        url(workshop, "detail", workshop.pk),
        url(workshop, "summary", workshop.pk),
    ]


def changes(workshop: Workshop) -> dict[str, dict]:
    """For each project-level URL that changes something: what to post to it."""
    first, last = workshop.steps.first(), workshop.steps.last()
    return {
        url(workshop, "create"): {"title": "Another", "date": "2025-04-01T10:00"},
        url(workshop, "edit", workshop.pk): {
            "title": "Renamed",
            "date": "2025-04-01T10:00",
            "facilitator": workshop.facilitator_id,
        },
        url(workshop, "step_add", workshop.pk): {"kind": "brainstorm", "duration_minutes": 10},
        url(workshop, "step_edit", workshop.pk, first.pk): {"title": "Map", "duration_minutes": 5},
        url(workshop, "step_move", workshop.pk, first.pk): {"direction": "down"},
        url(workshop, "step_remove", workshop.pk, last.pk): {},
        url(workshop, "delete", workshop.pk): {},
    }


def state(workshop: Workshop) -> tuple:
    return (
        list(Workshop.objects.values_list("pk", "title", "version")),
        list(workshop.steps.values_list("pk", "title", "position", "duration_minutes")),
    )


def test_anonymous_people_are_sent_to_sign_in(client, workshop):
    before = state(workshop)
    for address in [*readings(workshop), *changes(workshop)]:
        for response in (client.get(address), client.post(address, {})):
            assert response.status_code == 302, address
            assert response["Location"].startswith(reverse(settings.LOGIN_URL)), address
    assert state(workshop) == before


def test_someone_of_another_city_finds_nothing(client, outsider, workshop):
    client.force_login(outsider)
    before = state(workshop)
    for address in readings(workshop):
        assert client.get(address).status_code == 404, address
    for address, data in changes(workshop).items():
        assert client.get(address).status_code == 404, address
        assert client.post(address, data).status_code == 404, address
    assert state(workshop) == before


def test_a_viewer_reads_but_changes_nothing(client, viewer, workshop):
    client.force_login(viewer)
    before = state(workshop)
    for address in readings(workshop):
        assert client.get(address).status_code == 200, address
    for address, data in changes(workshop).items():
        assert client.get(address).status_code == 403, address
        assert client.post(address, data).status_code == 403, address
    assert state(workshop) == before


@pytest.mark.parametrize("role", ["editor", "owner"])
def test_editors_and_owners_change_everything(client, people, workshop, role):
    client.force_login(people[role])
    for address in readings(workshop):
        assert client.get(address).status_code == 200, address
    for address, data in changes(workshop).items():
        response = client.post(address, data)
        assert response.status_code == 302, (address, response.content.decode()[:2000])
    assert list(Workshop.objects.values_list("title", flat=True)) == ["Another"]


# --- The room and its controls --------------------------------------------------------------


def control(client, workshop: Workshop, action: str = "open"):
    return client.post(reverse("workshops:control", args=[workshop.room]), {"action": action})


def test_anonymous_people_and_outsiders_find_no_room(client, outsider, workshop):
    for who in (None, outsider):
        if who:
            client.force_login(who)
        assert client.get(workshop.get_room_url()).status_code == 404
        assert control(client, workshop).status_code == 404
        assert client.get(reverse("workshops:control", args=[workshop.room])).status_code == 405
    workshop.refresh_from_db()
    assert workshop.state == "draft"


def test_a_viewer_may_not_use_the_controls(client, viewer, workshop):
    client.force_login(viewer)
    assert control(client, workshop).status_code == 403
    workshop.refresh_from_db()
    assert workshop.state == "draft"


def test_a_member_who_has_not_joined_is_sent_to_join(client, viewer, workshop):
    client.force_login(viewer)
    response = client.get(workshop.get_room_url())
    assert response.status_code == 302
    assert response["Location"] == workshop.get_join_url()


@pytest.mark.parametrize("role", ["editor", "owner"])
def test_the_facilitator_and_other_editors_use_the_controls(client, people, workshop, role):
    client.force_login(people[role])
    response = control(client, workshop)
    assert response.status_code == 302
    assert response["Location"] == workshop.get_room_url()
    workshop.refresh_from_db()
    assert workshop.state == "open"


def test_the_facilitator_enters_the_room_without_joining(client, editor, workshop):
    client.force_login(editor)
    assert client.get(workshop.get_room_url()).status_code == 200
    assert Participant.objects.get().kind == "facilitator"
