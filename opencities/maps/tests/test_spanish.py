"""The ecosystem map pages, pictures and editor routes in Spanish."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from opencities.maps.models import EcosystemMap, Exchange, FlowStatus, Node
from opencities.maps.render import map_as_svg
from opencities.projects.models import Project


@pytest.fixture
def bin_map(workspace, actor, dataset):
    project = Project.objects.create(workspace=workspace, title="Bins", challenge="Missed bins")
    ecosystem_map = EcosystemMap.objects.create(project=project, title="Waste data today")
    council = Node.objects.create(map=ecosystem_map, actor=actor, roles=["steward"])
    data = Node.objects.create(map=ecosystem_map, dataset=dataset)
    Exchange.objects.create(
        map=ecosystem_map,
        source=data,
        target=council,
        dataset=dataset,
        status=FlowStatus.BLOCKED,
        blocked_reasons=["technical"],
    )
    return ecosystem_map


@pytest.fixture
def spanish(client, editor):
    client.force_login(editor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    yield client
    translation.deactivate()  # a request leaves its language active in the thread


def map_url(name, ecosystem_map):
    project = ecosystem_map.project
    return reverse(name, args=[project.workspace.slug, project.pk, ecosystem_map.pk])


def test_map_table_in_spanish(spanish, bin_map):
    response = spanish.get(map_url("maps:map_table", bin_map))
    page = response.content.decode()

    assert "Quién y qué está en el mapa (2)" in page and "Who and what is on the map" not in page
    assert "<td>Conjunto de datos" in page  # the type of a node
    assert "Custodio" in page and "Steward" not in page  # roles by their label
    assert "Bloqueado: Técnico" in page and "Blocked:" not in page
    assert "Situación actual" in page and "Current state" not in page
    blocked = [f.title for f in response.context["findings"] if f.kind == "blocked_flows"]
    assert blocked and "bloqueado" in blocked[0] and "blocked" not in blocked[0]  # whole Spanish


def test_map_drawing_page_in_spanish_loads_the_catalogue_before_the_editor(spanish, bin_map):
    page = spanish.get(map_url("maps:map_detail", bin_map)).content.decode()

    assert "Conectar dos nodos" in page and "Connect two nodes" not in page
    assert "Ordenar automáticamente" in page and "Arrange automatically" not in page
    assert "Flujo: Bloqueado" in page  # the legend
    scripts = re.findall(r'<script src="([^"]+)"', page)
    catalogue = scripts.index(reverse("javascript-catalog"))
    assert catalogue < next(i for i, src in enumerate(scripts) if "map-editor.js" in src)
    assert '"blocked": "Bloqueado"' in page  # the editor's labels, given as JSON


def test_map_picture_in_the_language_it_is_asked_in(bin_map):
    with translation.override("es"):
        spanish = map_as_svg(bin_map)
    english = map_as_svg(bin_map)

    assert "Estado del flujo" in spanish and "Flow status" not in spanish
    assert "Flow status" in english and "Estado del flujo" not in english


def test_editor_routes_refuse_in_spanish(spanish, bin_map):
    response = spanish.post(
        map_url("maps:api_nodes", bin_map), "[]", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["message"] == "El cuerpo de la petición debe ser un objeto JSON."
