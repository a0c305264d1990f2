"""The workshop summary as a print page and a PDF: what they hold (the PDF's text read back with
pypdf), who may have them, and in which language."""

from datetime import date
from io import BytesIO

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from opencities.canvases.models import Action, EthicsCanvas
from opencities.inventory.models import Actor
from opencities.maps.models import Node
from opencities.workshops import controls, join
from opencities.workshops.models import Dot, Note, Participant, Vote, Workshop
from opencities.workshops.operations import NODE_ADDED, apply

from .conftest import join_as_guest

SPANISH = {"accept-language": "es-ES,es;q=0.9"}


@pytest.fixture(autouse=True)
def english_afterwards():
    """A request leaves its language active in the thread, for the tests that follow."""
    yield
    translation.deactivate()


@pytest.fixture
def guest(running_workshop) -> Client:
    """Gita's browser: she joined as a guest, with no account."""
    return join_as_guest(running_workshop, "Gita")


@pytest.fixture
def held(running_workshop, guest, editor, viewer, bin_map, workspace) -> Workshop:
    """A workshop that ran: the facilitator, a member and a guest took part; Gita put a note on
    the ethics canvas, a node was added to the map, a closed vote ranked the note, and an
    action was agreed. Nothing was added in the business case step."""
    w = running_workshop
    join.join_member(w, editor)
    join.join_member(w, viewer)
    gita = Participant.objects.get(workshop=w, display_name="Gita")
    note = Note.objects.create(
        workshop=w,
        step=w.steps.get(position=2),
        board="ethics:reasons",
        text="Fewer missed bins on Fridays",
        author=gita,
    )
    depot = Actor.objects.create(workspace=workspace, name="Depot crew", sector="public")
    node = Node.objects.create(map=bin_map, actor=depot)
    apply(w, NODE_ADDED, lambda _w: {"map": bin_map.pk, "id": node.pk})
    vote = Vote.objects.create(
        workshop=w, title="Which reason matters most?", target="notes", state="closed"
    )
    for voter in Participant.objects.filter(workshop=w, kind__in=["guest", "member"]):
        Dot.objects.create(vote=vote, participant=voter, target_key=str(note.pk))
    Action.objects.create(
        canvas=EthicsCanvas.for_project(w.project),
        description="Ask the depot for last year's round sheets",
        owner_name="Priya Shah",
        due=date(2025, 4, 30),
        priority="high",
    )
    return w


def address(workshop: Workshop, name: str) -> str:
    project = workshop.project
    return reverse(f"workshops:{name}", args=[project.workspace.slug, project.pk, workshop.pk])


def pdf_text(content: bytes) -> str:
    """The text of every page, with runs of white space made one space (lines wrap anywhere)."""
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)
    return " ".join(text.split())


def test_the_pdf_holds_people_notes_map_additions_votes_and_actions(client, viewer, held):
    client.force_login(viewer)

    response = client.get(address(held, "summary_pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="missed-bins-workshop-2025-03-14-summary.pdf"'
    )
    text = pdf_text(response.content)
    assert "Summary of “Bins workshop”" in text and "Missed bins" in text
    assert "Date 14 Mar 2025, 12:00" in text and "Facilitator eddie" in text
    assert "State Running (so far)" in text
    assert "3 participants" in text
    for person in ("Gita Guest", "eddie Facilitator", "vera Member"):
        assert person in text
    assert "1. Ecosystem map Added to the map Waste data today: Depot crew (Actor)" in text
    assert "Reasons for using data Fewer missed bins on Fridays — Gita" in text
    assert "3. Business case Nothing added in this step." in text
    assert "Which reason matters most? Closed Notes Dots Fewer missed bins on Fridays 2" in text
    assert "Ask the depot for last year's round sheets Priya Shah 30 Apr 2025 High Open" in text
    assert "Page 1 of 1" in text


def test_a_workshop_that_produced_nothing_says_so(client, viewer, workshop):
    client.force_login(viewer)

    text = pdf_text(client.get(address(workshop, "summary_pdf")).content)

    assert "State Draft (so far)" in text
    assert "Nobody joined." in text
    assert text.count("Nothing added in this step.") == 3
    assert "No vote was held." in text
    assert "No action was added to the Data Ethics Canvas while the workshop ran." in text


def test_an_ended_workshop_is_summed_up_as_final_with_what_it_agreed(client, viewer, held):
    controls.end(held)
    client.force_login(viewer)

    text = pdf_text(client.get(address(held, "summary_pdf")).content)

    assert "State Ended" in text and "so far" not in text
    assert "Ask the depot for last year's round sheets" in text


def test_the_summary_links_its_print_page_which_links_the_pdf(client, viewer, held):
    client.force_login(viewer)

    summary_page = client.get(address(held, "summary")).content.decode()
    response = client.get(address(held, "summary_print"))

    assert f'href="{address(held, "summary_print")}"' in summary_page
    assert f'href="{address(held, "summary_pdf")}"' in summary_page
    assert response.status_code == 200
    page = response.content.decode()
    assert 'onclick="window.print()"' in page
    assert f'href="{address(held, "summary_pdf")}"' in page
    assert f'href="{address(held, "summary")}"' in page
    assert "Fewer missed bins on Fridays" in page and "Priya Shah" in page


def test_someone_of_another_city_gets_neither_page_nor_pdf(client, outsider, held):
    client.force_login(outsider)

    for name in ("summary_print", "summary_pdf"):
        response = client.get(address(held, name))
        assert response.status_code == 404, name
        assert not response.content.startswith(b"%PDF"), name


def test_a_guest_of_the_workshop_is_sent_to_sign_in(guest, held):
    for name in ("summary_print", "summary_pdf"):
        response = guest.get(address(held, name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse(settings.LOGIN_URL)), name
        assert not response.content.startswith(b"%PDF"), name


def test_what_people_typed_is_escaped_on_the_print_page(client, viewer, held):
    Note.objects.filter(workshop=held).update(text="<script>alert('note')</script>")
    Participant.objects.filter(display_name="Gita").update(display_name="<b>Gita</b>")
    Vote.objects.filter(workshop=held).update(title="<img src=x onerror=alert(1)>")
    client.force_login(viewer)

    page = client.get(address(held, "summary_print")).content.decode()

    assert "<script" not in page and "<b>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&#x27;note&#x27;)&lt;/script&gt;" in page
    assert "&lt;b&gt;Gita&lt;/b&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_the_print_page_and_the_pdf_speak_the_browsers_language(client, viewer, held):
    client.force_login(viewer)

    page = client.get(address(held, "summary_print"), headers=SPANISH).content.decode()
    text = pdf_text(client.get(address(held, "summary_pdf"), headers=SPANISH).content)

    assert '<html lang="es">' in page
    for heading in ("Quién participó", "Qué se añadió, paso a paso", "Votaciones"):
        assert heading in page and heading in text
    assert "Who took part" not in page and "Who took part" not in text
    assert "Resumen de «Bins workshop»" in text and "Acciones acordadas" in text
    assert "Gita Invitado/a" in text and "3 participantes" in text
    assert "Página 1 de 1" in text and "Page 1 of 1" not in text
