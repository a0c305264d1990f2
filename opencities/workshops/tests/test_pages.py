"""The workshop pages at work: create, prepare, run from the room, read the summary."""

from datetime import timedelta

from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from opencities.canvases.models import Action, EthicsCanvas
from opencities.inventory.models import Actor
from opencities.maps.models import Node
from opencities.workshops import controls
from opencities.workshops.models import Dot, Note, Participant, Vote, Workshop
from opencities.workshops.notes import sync_contribution
from opencities.workshops.operations import EXCHANGE_ADDED, NODE_ADDED, apply
from opencities.workshops.views import CONFIRMATIONS

from .conftest import join_as_guest


def url(workshop: Workshop, name: str, *extra) -> str:
    project = workshop.project
    return reverse(f"workshops:{name}", args=[project.workspace.slug, project.pk, *extra])


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_new_workshop_is_facilitated_by_its_creator(client, owner, project):
    client.force_login(owner)
    address = reverse("workshops:create", args=[project.workspace.slug, project.pk])
    page = client.get(address).content.decode()
    assert 'name="facilitator"' not in page

    response = client.post(address, {"title": "Bins live", "date": "2025-05-02T09:30"})

    workshop = Workshop.objects.get()
    assert response["Location"] == workshop.get_absolute_url()
    assert (workshop.facilitator, workshop.state) == (owner, "draft")
    assert timezone.localtime(workshop.date).strftime("%Y-%m-%d %H:%M") == "2025-05-02 09:30"
    assert workshop.steps.count() == 3


def test_a_workshop_needs_a_title_and_a_date(client, owner, project):
    client.force_login(owner)
    address = reverse("workshops:create", args=[project.workspace.slug, project.pk])
    assert client.post(address, {"title": "", "date": "tomorrow"}).status_code == 400
    assert not Workshop.objects.exists()


def test_only_editors_and_owners_may_facilitate(client, people, workshop):
    client.force_login(people["owner"])
    page = client.get(url(workshop, "edit", workshop.pk)).content.decode()
    assert "eddie" in page and "olive" in page and "vera" not in page

    data = {"title": "Bins", "date": "2025-05-02T09:30", "facilitator": people["viewer"].pk}
    assert client.post(url(workshop, "edit", workshop.pk), data).status_code == 400
    data["facilitator"] = people["owner"].pk
    client.post(url(workshop, "edit", workshop.pk), data)
    workshop.refresh_from_db()
    assert workshop.facilitator == people["owner"]


def test_the_page_shows_the_code_large_and_the_absolute_link(client, editor, workshop):
    client.force_login(editor)
    page = client.get(workshop.get_absolute_url()).content.decode()
    assert f'<p class="join-code" id="join-code">{workshop.display_code}</p>' in page
    assert f'value="http://testserver/join/{workshop.join_code}/"' in page
    assert "http://testserver/join/" in page
    assert "work once you open the workshop" in page


def test_the_project_page_snippet_lists_workshops(workshop):
    html = render_to_string(
        "workshops/_project_workshops.html", {"project": workshop.project, "can_edit": True}
    )
    assert workshop.title in html and "Draft" in html and "New workshop" in html
    assert workshop.get_absolute_url() in html


def test_steps_are_added_changed_moved_and_removed_from_the_page(client, editor, workshop):
    client.force_login(editor)
    response = client.post(
        url(workshop, "step_add", workshop.pk),
        {"kind": "brainstorm", "title": "Parking lot", "duration_minutes": "10"},
    )
    assert response["Location"] == workshop.get_absolute_url() + "#agenda"
    brainstorm = workshop.steps.last()
    assert (brainstorm.title, brainstorm.duration_minutes) == ("Parking lot", 10)

    client.post(url(workshop, "step_move", workshop.pk, brainstorm.pk), {"direction": "up"})
    assert [s.kind for s in workshop.steps.all()][2] == "brainstorm"

    client.post(
        url(workshop, "step_edit", workshop.pk, brainstorm.pk),
        {"title": "Ideas", "duration_minutes": "12"},
    )
    brainstorm.refresh_from_db()
    assert (brainstorm.title, brainstorm.duration_minutes, brainstorm.kind) == (
        "Ideas",
        12,
        "brainstorm",
    )

    client.post(url(workshop, "step_remove", workshop.pk, brainstorm.pk))
    assert workshop.steps.count() == 3
    assert workshop.operations.count() == 4

    client.post(url(workshop, "step_add", workshop.pk), {"kind": "brainstorm", "title": ""})
    assert workshop.steps.last().duration_minutes == 15  # the usual length of a brainstorm


def test_a_wrong_step_is_shown_again_with_what_is_wrong(client, editor, workshop, bin_map):
    client.force_login(editor)
    response = client.post(
        url(workshop, "step_add", workshop.pk),
        {"kind": "ethics_canvas", "duration_minutes": "601", "map": bin_map.pk},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Only an ecosystem map step works on a map." in page
    assert "600" in page
    assert workshop.steps.count() == 3

    response = client.post(
        url(workshop, "step_move", workshop.pk, workshop.steps.first().pk),
        {"direction": "sideways"},
    )
    assert response.status_code == 400


def test_a_refused_agenda_change_is_explained(client, editor, running_workshop):
    client.force_login(editor)
    response = client.post(
        url(running_workshop, "step_remove", running_workshop.pk, running_workshop.current_step_id)
    )
    assert response.status_code == 302
    assert messages_of(response) == ["The workshop is on this step: move to another step first."]
    assert running_workshop.steps.count() == 3


def test_the_facilitator_runs_the_workshop_from_the_room(client, editor, workshop):
    client.force_login(editor)
    control = reverse("workshops:control", args=[workshop.room])
    room = workshop.get_room_url()

    for action in ("open", "start", "timer_start", "timer_pause", "next", "lock"):
        response = client.post(control, {"action": action}, follow=True)
        assert response.redirect_chain == [(room, 302)]
        assert [(m.tags, m.message) for m in response.context["messages"]] == [
            ("success", CONFIRMATIONS[action])
        ], action
    client.post(control, {"action": "timer_add", "seconds": "300"})

    workshop.refresh_from_db()
    assert workshop.state == "running" and workshop.locked
    assert workshop.current_step.position == 2
    assert workshop.remaining_seconds(timezone.now()) == 35 * 60
    page = client.get(room).content.decode()
    assert 'aria-current="step"' in page and "Editing is locked by the facilitator" in page
    assert "Unlock editing" in page and "Start the timer" in page

    response = client.post(control, {"action": "end", "next": workshop.get_absolute_url()})
    assert response["Location"] == workshop.get_absolute_url()
    workshop.refresh_from_db()
    assert workshop.state == "ended"


def test_a_refused_control_is_explained_and_a_bad_one_refused(client, editor, workshop):
    client.force_login(editor)
    control = reverse("workshops:control", args=[workshop.room])
    response = client.post(control, {"action": "next"})
    assert messages_of(response) == ["Start the workshop first."]
    assert client.post(control, {"action": "explode"}).status_code == 400
    assert client.post(control, {"action": "timer_add", "seconds": "99999"}).status_code == 400
    assert workshop.operations.count() == 0


def test_controls_do_not_send_people_to_another_site(client, editor, workshop):
    client.force_login(editor)
    response = client.post(
        reverse("workshops:control", args=[workshop.room]),
        {"action": "open", "next": "https://evil.example/"},
    )
    assert response["Location"] == workshop.get_room_url()


def test_a_workshop_is_deleted_but_its_notes_stay_on_the_canvas(client, editor, running_workshop):
    note = Note.objects.create(
        workshop=running_workshop,
        step=running_workshop.steps.get(position=2),
        board="ethics:reasons",
        text="Fewer missed bins",
    )
    sync_contribution(note)
    client.force_login(editor)
    response = client.post(url(running_workshop, "delete", running_workshop.pk))
    assert response["Location"] == url(running_workshop, "list")
    assert not Workshop.objects.exists()
    section = EthicsCanvas.objects.get().sections.get(key="reasons")
    assert [c.text for c in section.contributions.all()] == ["Fewer missed bins"]


def test_the_summary_lists_people_notes_map_additions_votes_and_actions(
    client, editor, running_workshop, bin_map, workspace
):
    w = running_workshop
    guest = join_as_guest(w, "Gita")
    gita = Participant.objects.get(display_name="Gita")
    ethics_step = w.steps.get(position=2)
    Note.objects.create(workshop=w, step=ethics_step, board="ethics:reasons", text="Fewer misses")
    Note.objects.create(
        workshop=w, step=ethics_step, board="ethics:reasons", text="Gone", deleted=True
    )
    actor = Actor.objects.create(workspace=workspace, name="Depot crew", sector="public")
    node = Node.objects.create(map=bin_map, actor=actor)
    Node.objects.create(
        map=bin_map, actor=Actor.objects.create(workspace=workspace, name="Before", sector="public")
    )
    apply(w, NODE_ADDED, lambda _w: {"map": bin_map.pk, "id": node.pk})
    apply(w, EXCHANGE_ADDED, lambda _w: {"map": bin_map.pk, "id": 999_999})  # deleted since
    vote = Vote.objects.create(workshop=w, title="What first?", target="notes")
    Dot.objects.create(vote=vote, participant=gita, target_key=str(w.notes.first().pk))
    canvas = EthicsCanvas.for_project(w.project)
    Action.objects.create(canvas=canvas, description="Ask the depot")
    earlier = Action.objects.create(canvas=canvas, description="Older action")
    Action.objects.filter(pk=earlier.pk).update(created=w.started - timedelta(days=1))

    client.force_login(editor)
    page = client.get(url(w, "summary", w.pk)).content.decode()

    assert "Gita" in page and "Guest" in page
    assert "Reasons for using data" in page and "Fewer misses" in page and "Gone" not in page
    assert "Depot crew" in page and "Before" not in page
    assert "What first?" in page
    assert "Ask the depot" in page and "Older action" not in page
    assert guest.get(url(w, "summary", w.pk)).status_code == 302
    controls.end(w)
    assert "Ask the depot" in client.get(url(w, "summary", w.pk)).content.decode()
