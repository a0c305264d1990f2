"""The map editor's own words in Spanish, from Django's JavaScript catalogue, in Chromium."""

import pytest
from playwright.sync_api import expect

from opencities.maps.models import EcosystemMap, Node
from opencities.projects.models import Project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_editor_speaks_the_language_chosen_in_the_footer(live_server, signed_in, editor, actor):
    project = Project.objects.create(workspace=actor.workspace, title="Bins", challenge="Bins")
    bin_map = EcosystemMap.objects.create(project=project, title="Bins today")
    Node.objects.create(map=bin_map, actor=actor, x=0, y=0)
    page = signed_in(editor)
    page.goto(live_server.url + bin_map.get_absolute_url())

    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change language").click()

    expect(page.locator("#map-editor")).to_have_attribute("data-state", "ready")
    assert page.url == live_server.url + bin_map.get_absolute_url()
    expect(page.locator("#tool-undo")).to_have_attribute("title", "Nada que deshacer")
    page.get_by_role("button", name="Añadir al mapa").click()
    dialog = page.get_by_role("dialog", name="Añadir al mapa")
    dialog.get_by_role("button", name="Añadir").click()
    expect(dialog).to_contain_text("Indique un nombre: elija uno del inventario")
