"""The project pages in Spanish."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from opencities.projects.models import Project, Stage


@pytest.fixture(autouse=True)
def english_afterwards():
    """A request leaves its language active in the thread, for the tests that follow."""
    yield
    translation.deactivate()


def test_project_list_in_spanish(client, owner, workspace):
    Project.objects.create(
        workspace=workspace, title="Bins", challenge="Missed bins", stage=Stage.PILOT
    )
    client.force_login(owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"

    page = client.get(reverse("projects:project_list", args=[workspace.slug])).content.decode()

    assert "Urgencia e impacto" in page and "Urgency and impact" not in page
    assert "<td>Piloto</td>" in page and "<td>Pilot</td>" not in page
    assert "Nuevo proyecto" in page and "New project" not in page


def test_project_form_in_spanish(client, owner, workspace):
    client.force_login(owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"

    page = client.get(reverse("projects:project_create", args=[workspace.slug])).content.decode()

    assert "Ámbito de interés público" in page and "Area of public good" not in page
    assert "De 1 (puede esperar) a 5 (urgente)." in page
