"""What the reports hold: the text read back out of the PDF (pypdf) and the Word document
(python-docx) holds the sections and the team's content; user text is escaped; nothing is written
to the database, not even for a project whose canvases were never opened."""

from datetime import date, timedelta
from io import BytesIO

import docx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from opencities.canvases import reports
from opencities.canvases.models import (
    Action,
    Benefit,
    BusinessCase,
    Contribution,
    Cost,
    EthicsCanvas,
    EthicsSection,
    SectionStatus,
)
from opencities.canvases.sections import BUSINESS_SECTIONS, ETHICS_GROUPS, ETHICS_SECTIONS
from opencities.inventory.models import Actor, Dataset
from opencities.maps.findings import analyse
from opencities.maps.models import EcosystemMap, Exchange, FlowStatus, Node
from opencities.projects.models import Project

pytestmark = pytest.mark.django_db

SUMMARY = "Collection rounds are used only to plan the crews' work."
NOTE = "Crews keep a free-text note for every missed street."
ACTION = "Sign the data sharing agreement with Kestrel"
BENEFIT = "Fewer repeat collection trips"


def make_project(workspace, author=None) -> Project:
    """A project as a team leaves it after a workshop: a map, a started ethics canvas with a
    summary, a note and an overdue action, and a business case with figures."""
    project = Project.objects.create(
        workspace=workspace,
        title="Cut missed bins",
        challenge="Bins are missed twice a week in the east of the city.",
        goal="Halve missed collections within a year.",
        why_data="The causes are already in reports nobody joins up.",
    )
    ecosystem_map = EcosystemMap.objects.create(project=project, title="Waste data today")
    council = Actor.objects.create(workspace=workspace, name="Waste Services")
    contractor = Actor.objects.create(workspace=workspace, name="Kestrel Environmental")
    rounds = Dataset.objects.create(workspace=workspace, identifier="rounds", title="Bin rounds")
    ends = [
        Node.objects.create(map=ecosystem_map, actor=council, x=0, y=0),
        Node.objects.create(map=ecosystem_map, actor=contractor, x=300, y=0),
    ]
    Node.objects.create(map=ecosystem_map, dataset=rounds, x=150, y=150)
    Exchange.objects.create(
        map=ecosystem_map,
        source=ends[0],
        target=ends[1],
        dataset=rounds,
        status=FlowStatus.BLOCKED,
        blocked_reasons=["legal"],
    )
    canvas = EthicsCanvas.for_project(project)
    sources = canvas.sections.get(key="data_sources")
    sources.summary = SUMMARY
    sources.status = SectionStatus.COMPLETE
    sources.checks = {"personal_data": "no"}
    sources.save()
    sources.datasets.add(rounds)
    Contribution.objects.create(ethics_section=sources, text=NOTE, author=author)
    Action.objects.create(
        canvas=canvas, description=ACTION, owner_name="Legal", due=date.today() - timedelta(days=3)
    )
    case = BusinessCase.for_project(project)
    case.years = 3
    case.currency = "GBP"
    case.save()
    Benefit.objects.create(case=case, kind="cash", description=BENEFIT, amounts=[0, 42000, 84000])
    Cost.objects.create(case=case, kind="one_off", description="Sensors", amounts=[50000])
    return project


@pytest.fixture
def project(workspace, editor):
    return make_project(workspace, editor)


def pdf_text(content: bytes) -> str:
    """The text of every page, with runs of white space made one space (lines wrap anywhere)."""
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)
    return " ".join(text.split())


def docx_text(content: bytes) -> str:
    document = docx.Document(BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return " ".join(" ".join([p.text for p in document.paragraphs] + cells).split())


def make(project: Project, kind: str, fmt: str) -> bytes:
    report = reports.build_report(project, kind, picture=reports.PICTURES[fmt])
    return reports.render(report, fmt)


def test_the_pack_as_pdf_holds_every_section_the_teams_content_the_map_and_its_findings(
    project,
):
    text = pdf_text(make(project, "pack", "pdf"))

    for section in (*ETHICS_SECTIONS, *BUSINESS_SECTIONS):
        assert str(section.name) in text
    for _key, group in ETHICS_GROUPS:
        assert str(group) in text
    for content in (SUMMARY, NOTE, ACTION, BENEFIT, "42,000", "Bins are missed twice a week"):
        assert content in text
    for node in ("Waste Services", "Kestrel Environmental", "Bin rounds"):  # drawn in the SVG
        assert node in text
    finding = analyse(project.maps.get())[0]
    assert finding.title in text


def test_the_pack_as_word_holds_the_same_and_the_map_as_a_picture(project):
    content = make(project, "pack", "docx")
    text = docx_text(content)

    for section in (*ETHICS_SECTIONS, *BUSINESS_SECTIONS):
        assert str(section.name) in text
    for content_text in (SUMMARY, NOTE, ACTION, BENEFIT, "42,000", "Legal"):
        assert content_text in text
    assert analyse(project.maps.get())[0].title in text
    document = docx.Document(BytesIO(content))
    (picture,) = document.inline_shapes
    section = document.sections[0]
    assert picture.width <= section.page_width - section.left_margin - section.right_margin


def test_the_business_case_opens_with_a_page_a_decision_maker_can_read(project):
    case = project.business_case
    case.sections.filter(key="decision").update(summary="Fund a six-month pilot in two wards.")

    first_page = PdfReader(BytesIO(make(project, "business", "pdf"))).pages[0].extract_text()
    first_page = " ".join(first_page.split())

    assert "Fund a six-month pilot in two wards." in first_page
    assert "Bins are missed twice a week" in first_page  # the challenge, while no problem is set
    assert "Net benefit GBP 76,000" in first_page  # 126,000 of benefits less 50,000 of costs
    assert "Payback period 2.10 years" in first_page


def test_the_ethics_report_leaves_the_business_case_and_the_maps_out(project):
    text = docx_text(make(project, "ethics", "docx"))

    assert SUMMARY in text and ACTION in text
    assert BENEFIT not in text
    assert "Waste data today" not in text


def test_user_text_is_escaped_in_the_html_report(project):
    EthicsSection.objects.filter(key="data_sources").update(
        summary='<script>alert("owned")</script>'
    )

    html = reports.render_html(reports.build_report(project, "pack"))

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;" in html


def test_an_overdue_action_stands_out(project):
    html = reports.render_html(reports.build_report(project, "ethics"))

    assert '<tr class="overdue">' in html
    assert "overdue" in docx_text(make(project, "ethics", "docx"))


def test_canvases_never_opened_show_every_section_not_started_and_are_not_created(workspace):
    project = Project.objects.create(workspace=workspace, title="New idea", challenge="Potholes")

    report = reports.build_report(project, "pack")
    html = reports.render_html(report)
    text = docx_text(make(project, "pack", "docx"))

    sections = [*report.ethics.overview, *report.business.sections]
    assert len(sections) == len(ETHICS_SECTIONS) + len(BUSINESS_SECTIONS)
    assert {s.status for s in sections} == {SectionStatus.NOT_STARTED}
    assert "Not started" in html and "Not started" in text
    assert report.actions == ()
    assert not EthicsCanvas.objects.exists()
    assert not BusinessCase.objects.exists()


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx"])
def test_a_report_writes_nothing_to_the_database(project, fmt):
    with CaptureQueriesContext(connection) as queries:
        make(project, "pack", fmt)

    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


def test_the_layout_a_map_picture_works_out_is_not_saved(project):
    Node.objects.update(x=None, y=None)

    reports.build_report(project, "pack")

    assert not Node.objects.filter(x__isnull=False).exists()


def test_the_file_name_says_what_the_file_is(project):
    assert reports.filename(project, "pack", "pdf") == "cut-missed-bins-pack.pdf"


def test_an_unknown_report_is_refused(project):
    with pytest.raises(ValueError, match="summary"):
        reports.build_report(project, "summary")
