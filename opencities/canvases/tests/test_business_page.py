"""The business case page: its twelve sections, what it shows live from elsewhere, its figures."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opencities.canvases.models import Benefit, BusinessCase, Contribution, Cost, EthicsCanvas
from opencities.canvases.sections import BUSINESS_SECTIONS
from opencities.inventory.models import Actor, Dataset, DatasetStatus
from opencities.maps.models import EcosystemMap, Exchange, Node
from opencities.projects.models import Project


@pytest.fixture
def project(workspace):
    return Project.objects.create(workspace=workspace, title="Bins", challenge="Missed bins")


def page_of(client, project: Project) -> str:
    response = client.get(reverse("canvases:business", args=[project.workspace.slug, project.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_the_twelve_sections_in_order(client, viewer, project):
    client.force_login(viewer)

    page = page_of(client, project)

    ids = re.findall(r'<article class="card canvas-section" id="section-business-([a-z_]+)"', page)
    assert ids == [section.key for section in BUSINESS_SECTIONS]
    assert BusinessCase.objects.get(project=project).sections.count() == 12
    assert "0 of 12 sections complete" in page
    assert 'id="figures"' in page and "No benefits entered yet." in page
    assert "Add a benefit" not in page  # a viewer reads, but cannot change


def test_completeness_counts_complete_sections(client, viewer, project):
    case = BusinessCase.for_project(project)
    case.sections.filter(key__in=["problem", "people", "decision"]).update(status="complete")
    case.sections.filter(key="service").update(status="for_review")
    client.force_login(viewer)

    assert "3 of 12 sections complete" in page_of(client, project)


def test_fed_sections_show_the_maps_and_the_ethics_canvas_live(
    client, viewer, project, workspace, actor, dataset
):
    ecosystem_map = EcosystemMap.objects.create(project=project, title="Waste today")
    council = Node.objects.create(map=ecosystem_map, actor=actor, roles=["steward"])
    gap = Dataset.objects.create(
        workspace=workspace, identifier="lifts", title="Bin lifts", status=DatasetStatus.GAP
    )
    Node.objects.create(map=ecosystem_map, dataset=gap)
    data = Node.objects.create(map=ecosystem_map, dataset=dataset)
    Exchange.objects.create(
        map=ecosystem_map,
        source=data,
        target=council,
        status="blocked",
        blocked_reasons=["licensing"],
    )
    harms = EthicsCanvas.for_project(project).sections.get(key="negative_effects")
    Contribution.objects.create(ethics_section=harms, text="Crews feel watched", author_name="Ann")
    client.force_login(viewer)

    page = page_of(client, project)

    data_section = section_of(page, "data_needed")
    assert "Bin lifts" in data_section and "Gap: needed but missing" in data_section
    assert "Bus stops" in data_section and "because of: Licensing" in data_section
    partners = section_of(page, "partners")
    assert "Steward" in partners and "Transport Department" in partners
    risks = section_of(page, "risks")
    assert "Negative effects on people" in risks and "Crews feel watched" in risks
    assert "Minimising negative effects" in risks


def test_without_an_ethics_canvas_the_risks_say_so(client, viewer, project):
    client.force_login(viewer)

    risks = section_of(page_of(client, project), "risks")

    assert "The Data Ethics Canvas has not been started" in risks
    assert not EthicsCanvas.objects.filter(project=project).exists()


def test_the_figures_panel_shows_lines_totals_and_results(client, editor, project):
    case = BusinessCase.for_project(project)
    case.years = 3
    case.save()
    Cost.objects.create(case=case, kind="one_off", description="Sensors", amounts=["1000"])
    Benefit.objects.create(
        case=case, kind="cash", description="Fewer rounds", amounts=["400"] * 3, note="Fleet log"
    )
    client.force_login(editor)

    page = page_of(client, project)

    figures = page[page.index('id="figures"') :]
    assert "Fewer rounds" in figures and "Fleet log" in figures and "Sensors" in figures
    assert "Cumulative net benefit" in figures
    assert "-600" in figures  # year 1: 400 - 1,000
    assert "EUR 200" in figures  # net benefit over the three years
    assert "2.50 years" in figures  # payback half way through year 3
    assert "1.20" in figures  # benefit-cost ratio 1,200 / 1,000
    assert "Add a benefit" in figures and "Add a cost" in figures


def test_user_text_on_the_page_is_escaped(client, viewer, project, workspace):
    case = BusinessCase.for_project(project)
    Benefit.objects.create(case=case, kind="cash", description="<b>bold</b>", amounts=[1])
    bad = Dataset.objects.create(workspace=workspace, identifier="x", title="<i>data</i>")
    Node.objects.create(map=EcosystemMap.objects.create(project=project, title="M"), dataset=bad)
    client.force_login(viewer)

    page = page_of(client, project)

    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "<i>data</i>" not in page and "&lt;i&gt;data&lt;/i&gt;" in page


def section_of(page: str, key: str) -> str:
    """The HTML of one section's card on the page."""
    start = page.index(f'id="section-business-{key}"')
    return page[start : page.index("</article>", start)]


def test_the_page_reads_the_same_number_of_queries_however_much_it_shows(
    client, viewer, project, workspace
):
    """Each dataset, actor, flow and line shown must not cost queries of its own."""
    case = BusinessCase.for_project(project)
    ecosystem_map = EcosystemMap.objects.create(project=project, title="Waste today")
    client.force_login(viewer)

    def add_one(n: int) -> None:
        actor = Actor.objects.create(workspace=workspace, name=f"Actor {n}")
        data = Dataset.objects.create(workspace=workspace, identifier=f"d{n}", title=f"Data {n}")
        node = Node.objects.create(map=ecosystem_map, actor=actor, roles=["reuser"])
        source = Node.objects.create(map=ecosystem_map, dataset=data)
        Exchange.objects.create(
            map=ecosystem_map,
            source=source,
            target=node,
            status="blocked",
            blocked_reasons=["cost"],
        )
        Benefit.objects.create(case=case, kind="cash", description=f"B{n}", amounts=[n])
        Cost.objects.create(case=case, kind="one_off", description=f"C{n}", amounts=[n])

    add_one(1)
    with CaptureQueriesContext(connection) as one:
        page_of(client, project)
    add_one(2)
    add_one(3)
    with CaptureQueriesContext(connection) as three:
        assert "Data 3" in page_of(client, project)

    assert len(three) == len(one)
