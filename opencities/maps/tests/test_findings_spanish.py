"""Findings follow the active language: whole Spanish sentences in Spanish, English by default."""

import pytest
from django.utils import translation

from opencities.maps.findings import FindingKind
from opencities.maps.models import BlockReason, FlowStatus
from opencities.maps.tests.test_findings import Drawing
from opencities.maps.views import findings_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawing(workspace):
    drawing = Drawing(workspace)
    transport = drawing.actor("Transport Department")
    university = drawing.actor("University")
    positions = drawing.dataset("Bus positions", transport)
    drawing.flow(
        transport,
        university,
        positions,
        status=FlowStatus.BLOCKED,
        blocked_reasons=[BlockReason.TECHNICAL],
    )
    drawing.actor("Chamber of Commerce")  # nothing flows to or from it
    return drawing


def by_kind(findings, kind):
    return [f for f in findings if f.kind == kind]


def test_findings_are_in_spanish_when_spanish_is_active(drawing):
    with translation.override("es"):
        findings = findings_of(drawing.map)

    [blocked] = by_kind(findings, FindingKind.BLOCKED_FLOWS)
    assert blocked.title.startswith("1 flujo está bloqueado")
    assert "1 flow is blocked" not in blocked.title
    assert "Bus positions de Transport Department a University" in blocked.explanation
    assert "Los sistemas no se conectan" in blocked.explanation
    [isolated] = by_kind(findings, FindingKind.ISOLATED_NODE)
    assert isolated.title == "Chamber of Commerce no está conectado"
    assert "Pregunte con quién trabaja este actor" in isolated.explanation
    assert "is not connected" not in isolated.title
    assert "is on the map" not in isolated.explanation


def test_findings_are_in_english_by_default(drawing):
    findings = findings_of(drawing.map)

    [blocked] = by_kind(findings, FindingKind.BLOCKED_FLOWS)
    assert blocked.title == "1 flow is blocked for technical reasons"
    assert blocked.explanation.startswith(
        "1 flow is blocked for technical reasons: Bus positions from Transport Department to "
        "University. The systems do not connect"
    )
    [isolated] = by_kind(findings, FindingKind.ISOLATED_NODE)
    assert isolated.title == "Chamber of Commerce is not connected"
