"""Joining: from the code or the link, as a guest with a name or as a member with one click."""

from django.test import Client
from django.urls import reverse

from opencities.workshops import controls, join
from opencities.workshops.models import Participant, ParticipantKind

from .conftest import join_as_guest


def test_the_code_form_takes_the_code_in_any_case_with_or_without_dash(client, open_workshop):
    typed = open_workshop.display_code.lower()
    response = client.post(reverse("workshops:join"), {"code": f" {typed} "})
    assert response.status_code == 302
    assert response["Location"] == open_workshop.get_join_url()

    response = client.get(reverse("workshops:join_code", args=[typed]))
    assert response.status_code == 200
    assert "Join “Bins workshop”" in response.content.decode()


def test_a_guest_picks_a_name_and_enters_the_room(open_workshop):
    browser = Client()
    page = browser.get(open_workshop.get_join_url()).content.decode()
    assert 'name="display_name"' in page

    response = browser.post(open_workshop.get_join_url(), {"display_name": "  Gita   P  "})

    assert response["Location"] == open_workshop.get_room_url()
    guest = Participant.objects.get()
    assert (guest.display_name, guest.kind, guest.user) == ("Gita P", ParticipantKind.GUEST, None)
    assert browser.session[join.session_key(open_workshop)] == guest.pk
    room = browser.get(open_workshop.get_room_url())
    assert room.status_code == 200
    assert "You are Gita P (Guest)" in room.content.decode()
    # Coming back to the link goes straight to the room, as the same guest.
    assert browser.get(open_workshop.get_join_url())["Location"] == open_workshop.get_room_url()
    assert Participant.objects.count() == 1


def test_a_guest_needs_a_name_of_at_most_60_characters(client, open_workshop):
    for name in ("", "   ", "x" * 61):
        response = client.post(open_workshop.get_join_url(), {"display_name": name})
        assert response.status_code == 400, name
    assert not Participant.objects.exists()
    join_as_guest(open_workshop, "x" * 60)


def test_a_member_joins_as_themselves_with_one_click(client, open_workshop, viewer):
    viewer.first_name, viewer.last_name = "Vera", "Vance"
    viewer.save()
    client.force_login(viewer)
    page = client.get(open_workshop.get_join_url()).content.decode()
    assert "You will take part as Vera Vance" in page
    assert 'name="display_name"' not in page

    response = client.post(open_workshop.get_join_url())

    assert response["Location"] == open_workshop.get_room_url()
    member = Participant.objects.get()
    assert (member.user, member.kind, member.display_name) == (viewer, "member", "Vera Vance")
    client.post(open_workshop.get_join_url())
    assert Participant.objects.count() == 1


def test_the_facilitator_joins_as_facilitator(client, open_workshop, editor):
    client.force_login(editor)
    client.post(open_workshop.get_join_url())
    assert Participant.objects.get().kind == ParticipantKind.FACILITATOR


def test_someone_signed_in_to_another_city_joins_as_a_guest(client, open_workshop, outsider):
    client.force_login(outsider)
    assert 'name="display_name"' in client.get(open_workshop.get_join_url()).content.decode()
    client.post(open_workshop.get_join_url(), {"display_name": "Otto"})
    guest = Participant.objects.get()
    assert (guest.kind, guest.user) == ("guest", None)
    assert client.get(open_workshop.get_room_url()).status_code == 200


def test_people_join_a_running_workshop_too(running_workshop):
    join_as_guest(running_workshop)


def test_an_unknown_code_says_so(client, open_workshop):
    response = client.post(reverse("workshops:join"), {"code": "ZZZZ-ZZZZ"})
    assert response.status_code == 404
    assert "No workshop has this code" in response.content.decode()
    response = client.get(reverse("workshops:join_code", args=["nonsense"]))
    assert response.status_code == 404
    assert "No workshop has this code" in response.content.decode()


def test_a_draft_workshop_is_not_open_yet(client, workshop):
    response = client.post(workshop.get_join_url(), {"display_name": "Early"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "This workshop is not open yet" in page
    assert "Bins workshop" not in page
    assert not Participant.objects.exists()


def test_an_ended_workshop_has_ended_and_its_code_stops_working(client, open_workshop):
    guest = join_as_guest(open_workshop)
    controls.end(open_workshop)

    for browser in (client, guest):
        response = browser.get(open_workshop.get_join_url())
        assert response.status_code == 410
        assert "This workshop has ended" in response.content.decode()
    response = client.post(reverse("workshops:join"), {"code": open_workshop.join_code})
    assert client.get(response["Location"]).status_code == 410
    assert Participant.objects.count() == 1


def test_wrong_codes_are_limited_per_browser(client, open_workshop):
    for attempt in range(join.MAX_WRONG_CODES):
        response = client.post(reverse("workshops:join"), {"code": f"ZZZZZZZ{attempt + 2}"})
        assert response.status_code == 404

    for response in (
        client.post(reverse("workshops:join"), {"code": open_workshop.join_code}),
        client.get(open_workshop.get_join_url()),
    ):
        assert response.status_code == 429
        assert "Too many wrong codes" in response.content.decode()
    # Another browser is not held up.
    join_as_guest(open_workshop)


def test_wrong_codes_count_for_a_while_only(open_workshop):
    session: dict = {}
    start = open_workshop.date
    for _ in range(join.MAX_WRONG_CODES):
        join.count_wrong_code(session, at=start)
    assert join.too_many_wrong_codes(session, at=start)
    later = start + join.WRONG_CODE_WINDOW
    assert not join.too_many_wrong_codes(session, at=later)
    join.count_wrong_code(session, at=later)
    assert len(session["workshops:wrong-codes"]) == 1


def test_joining_gives_the_browser_a_new_session_id(open_workshop):
    browser = Client()
    browser.get(open_workshop.get_join_url())
    browser.session.save()
    before = browser.session.session_key
    browser.post(open_workshop.get_join_url(), {"display_name": "Gita"})
    assert browser.session.session_key != before
