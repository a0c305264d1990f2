"""Fixtures of the workshop tests: a project with a map, a workshop facilitated by the editor,
and browsers (test clients) joining it."""

from datetime import UTC, datetime

import pytest
from django.test import Client

from opencities.maps.models import EcosystemMap
from opencities.projects.models import Project
from opencities.workshops import agenda, controls
from opencities.workshops.models import Workshop

NOON = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)


@pytest.fixture
def project(workspace):
    return Project.objects.create(workspace=workspace, title="Missed bins", challenge="Bins")


@pytest.fixture
def bin_map(project):
    return EcosystemMap.objects.create(project=project, title="Waste data today")


@pytest.fixture
def workshop(project, bin_map, editor) -> Workshop:
    """A draft workshop with the default agenda, facilitated by the editor."""
    return agenda.create_workshop(project, title="Bins workshop", date=NOON, facilitator=editor)


@pytest.fixture
def open_workshop(workshop) -> Workshop:
    controls.open_for_joining(workshop)
    return workshop


@pytest.fixture
def running_workshop(workshop) -> Workshop:
    controls.start(workshop, at=NOON)
    return workshop


def join_as_guest(workshop: Workshop, name: str = "Gita") -> Client:
    """A fresh browser that joined the workshop as a guest."""
    browser = Client()
    response = browser.post(workshop.get_join_url(), {"display_name": name})
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == workshop.get_room_url()
    return browser
