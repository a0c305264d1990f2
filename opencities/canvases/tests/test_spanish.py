"""The canvases in Spanish: the pages, the blank canvas to print and the reports come out in
Spanish for a Spanish browser, with the team's own words left as they were written.

A request made by the test client leaves its language active in the thread; the fixture below
puts English back for the tests that follow."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from opencities.canvases import reports
from opencities.canvases.models import BusinessCase, EthicsCanvas, SectionStatus
from opencities.canvases.sections import BUSINESS_SECTIONS, ETHICS_GROUPS, ETHICS_SECTIONS
from opencities.maps.findings import FindingKind
from opencities.maps.views import findings_of

from .test_reports import ACTION, NOTE, SUMMARY, docx_text, make_project, pdf_text

pytestmark = pytest.mark.django_db

SPANISH = {"accept-language": "es-ES,es;q=0.9"}


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    translation.deactivate()


@pytest.fixture
def project(workspace, editor):
    return make_project(workspace, editor)


def in_spanish(texts) -> list[str]:
    with translation.override("es"):
        return [str(text) for text in texts]


def in_english(texts) -> list[str]:
    with translation.override("en"):
        return [str(text) for text in texts]


def url(name: str, project, *args) -> str:
    return reverse(f"canvases:{name}", args=[project.workspace.slug, project.pk, *args])


def test_every_section_name_and_question_has_its_own_spanish_words():
    specs = (*ETHICS_SECTIONS, *BUSINESS_SECTIONS)
    texts = [
        text
        for spec in specs
        for text in (spec.name, spec.help, *spec.questions, *(c.question for c in spec.checks))
    ]
    texts += [name for _key, name in ETHICS_GROUPS]
    for spanish, english in zip(in_spanish(texts), in_english(texts), strict=True):
        assert spanish != english, english


def test_the_ethics_canvas_page_is_in_spanish(client, editor, project):
    client.force_login(editor)

    page = client.get(url("ethics", project), headers=SPANISH).content.decode()

    assert '<html lang="es">' in page
    for spanish in (
        "Lienzo de ética de datos",
        "Conozca sus datos",
        "Fuentes de datos",
        "Efectos negativos en las personas",
        "¿Qué conjuntos de datos utilizará el proyecto y quién tiene cada uno hoy?",
        "¿Intervienen datos personales?",
        "Sin empezar",
        "Completada",
        "1 de 15 secciones completadas",
        "Notas del equipo",
        "Próxima revisión",
        "Acciones acordadas",
        "vencida",
    ):
        assert spanish in page, spanish
    for english in (
        "Data Ethics Canvas",
        "Know your data",
        "Data sources",
        "Which datasets will the project use",
        "Is personal data involved?",
        "Not started",
        "sections complete",
        "Notes from the team",
        "Next review",
        "overdue</strong>",
    ):
        assert english not in page, english
    # The team's words are theirs: shown as written.
    assert SUMMARY.replace("'", "&#x27;") in page and NOTE in page and ACTION in page


def test_the_business_case_page_is_in_spanish(client, viewer, project):
    client.force_login(viewer)

    page = client.get(url("business", project), headers=SPANISH).content.decode()

    assert '<html lang="es">' in page
    for spanish in (
        "Caso de negocio",
        "El problema",
        "¿Qué falla hoy, a quién afecta y cuánto cuesta?",
        "La decisión que se solicita",
        "Sin empezar",
        "Cifras",
        "Beneficio neto acumulado",
        "Periodo de recuperación",
        "Beneficios y costes a lo largo de <strong>3 años</strong>",
        "Con ahorro de caja",
        "Del Lienzo de ética de datos",
    ):
        assert spanish in page, spanish
    for english in (
        "Business case",
        "The problem",
        "What is going wrong today",
        "The decision asked for",
        "Not started",
        "Cumulative net benefit",
        "Payback period",
        "Cash-releasing",
        "From the Data Ethics Canvas",
    ):
        assert english not in page, english


def test_a_single_year_is_singular_in_both_languages(client, viewer, project):
    case = BusinessCase.objects.get(project=project)
    case.years = 1
    case.save()
    client.force_login(viewer)

    english = client.get(url("business", project)).content.decode()
    spanish = client.get(url("business", project), headers=SPANISH).content.decode()

    assert "Benefits and costs over <strong>1 year</strong>" in english
    assert "Beneficios y costes a lo largo de <strong>1 año</strong>" in spanish


def test_the_paper_page_is_in_spanish(client, editor, project):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    client.force_login(editor)

    page = client.get(url("paper", project)).content.decode()

    for spanish in (
        "Lienzos en papel",
        "Lienzos en blanco para imprimir",
        "Lienzo de ética de datos",
        "Lienzo del caso de negocio",
        "A3, en color",
        "A4, en escala de grises",
        "Importar notas de una hoja de cálculo",
    ):
        assert spanish in page, spanish
    for english in ("Canvases on paper", "Business Case Canvas", "greyscale", "Template workbook"):
        assert english not in page, english


def test_the_blank_ethics_canvas_prints_in_spanish(client, viewer, project):
    client.force_login(viewer)

    response = client.get(url("blank", project, "ethics", "a4", "colour"), headers=SPANISH)

    assert response.status_code == 200
    text = pdf_text(response.content)
    for name in in_spanish(s.name for s in ETHICS_SECTIONS):
        assert name in text, name
    for group in in_spanish(name for _key, name in ETHICS_GROUPS):  # printed in capitals
        assert group.upper() in text, group
    for spanish in ("Lienzo de ética de datos", "¿Intervienen datos personales?", "No lo sé"):
        assert spanish in text, spanish
    for english in ("Data sources", "KNOW YOUR DATA", "Is personal data involved?", "Unsure"):
        assert english not in text, english


def test_the_ethics_report_pdf_is_in_spanish_with_the_teams_words_as_written(
    client, viewer, project
):
    client.force_login(viewer)

    response = client.get(url("report_download", project, "ethics", "pdf"), headers=SPANISH)

    assert response.status_code == 200
    text = pdf_text(response.content)
    for name in in_spanish(s.name for s in ETHICS_SECTIONS):
        assert name in text, name
    for spanish in ("Visión general", "Las secciones de un vistazo", "Completada", "Página 1 de"):
        assert spanish in text, spanish
    for content in (SUMMARY, NOTE, ACTION):
        assert content in text, content
    for english in ("Overview", "Sections at a glance", "Data sources", "Page 1 of"):
        assert english not in text, english


def test_the_ethics_report_in_word_is_in_spanish_too(client, viewer, project):
    client.force_login(viewer)

    response = client.get(url("report_download", project, "ethics", "docx"), headers=SPANISH)

    assert response.status_code == 200
    text = docx_text(response.content)
    for name in in_spanish(s.name for s in ETHICS_SECTIONS):
        assert name in text, name
    for spanish in ("Visión general", "Responsable", "Fecha límite", "Sin responder"):
        assert spanish in text, spanish
    for content in (SUMMARY, NOTE, ACTION):
        assert content in text, content
    for english in ("Overview", "Sections at a glance", "Owner", "Not answered"):
        assert english not in text, english


def test_a_spanish_pack_has_spanish_headings_and_spanish_findings(client, viewer, project):
    """The findings follow the reader's language, like the rest of the report."""
    with translation.override("es"):
        findings = findings_of(project.maps.get())
    assert findings
    client.force_login(viewer)

    page = client.get(url("report", project, "pack"), headers=SPANISH).content.decode()

    assert "<h3>Hallazgos</h3>" in page and "Findings" not in page
    for finding in findings:
        if finding.kind != FindingKind.CHANGE:
            assert escape(finding.title) in page and escape(finding.explanation) in page


def test_the_canvas_statuses_and_answers_are_spanish_in_the_report(project):
    canvas = EthicsCanvas.objects.get(project=project)
    assert canvas.sections.get(key="data_sources").status == SectionStatus.COMPLETE

    with translation.override("es"):
        report = reports.build_report(project, "ethics")
    sources = report.ethics.overview[0]
    assert (sources.name, sources.status_label) == ("Fuentes de datos", "Completada")
    assert [(c.label, c.value) for c in sources.checks] == [
        ("¿Intervienen datos personales?", "No"),
        ("¿Hay datos sensibles (salud, origen étnico, creencias…)?", "Sin responder"),
    ]
