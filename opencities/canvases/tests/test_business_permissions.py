"""Who may see and change the business case: every URL of `views/business.py`."""

import pytest
from django.conf import settings
from django.urls import reverse

from opencities.canvases.models import Benefit, BusinessCase, Cost
from opencities.projects.models import Project


@pytest.fixture
def case(workspace):
    project = Project.objects.create(workspace=workspace, title="Bins", challenge="Missed bins")
    case = BusinessCase.for_project(project)
    Benefit.objects.create(case=case, kind="cash", description="Rounds", amounts=["100"])
    Cost.objects.create(case=case, kind="one_off", description="Sensors", amounts=["50"])
    return case


def changes(case: BusinessCase) -> dict[str, dict]:
    """For each URL that changes the case: where it is, and what to post to it."""
    project = case.project
    benefit, cost = case.benefits.get(), case.costs.get()

    def url(name, *extra):
        return reverse(f"canvases:{name}", args=[project.workspace.slug, project.pk, *extra])

    benefit_data = {"kind": "social", "description": "Changed", "year_1": "7"}
    cost_data = {"kind": "recurring", "description": "Changed", "year_1": "7"}
    return {
        url("business_settings"): {"years": 9, "currency": "GBP"},
        url("benefit_add"): benefit_data,
        url("benefit_edit", benefit.pk): benefit_data,
        url("benefit_delete", benefit.pk): {},
        url("cost_add"): cost_data,
        url("cost_edit", cost.pk): cost_data,
        url("cost_delete", cost.pk): {},
    }


def state(case: BusinessCase) -> tuple:
    case.refresh_from_db()
    return (
        case.years,
        case.currency,
        sorted(case.benefits.values_list("kind", "description", "amounts")),
        sorted(case.costs.values_list("kind", "description", "amounts")),
    )


def test_anonymous_people_are_sent_to_sign_in(client, case):
    before = state(case)
    for address, data in [(case.get_absolute_url(), {}), *changes(case).items()]:
        for response in (client.get(address), client.post(address, data)):
            assert response.status_code == 302, address
            assert response["Location"].startswith(reverse(settings.LOGIN_URL)), address
    assert state(case) == before


def test_someone_of_another_city_finds_nothing(client, outsider, case):
    client.force_login(outsider)
    before = state(case)
    for address, data in [(case.get_absolute_url(), {}), *changes(case).items()]:
        assert client.get(address).status_code == 404, address
        assert client.post(address, data).status_code == 404, address
    assert state(case) == before


def test_a_viewer_may_change_nothing(client, viewer, case):
    client.force_login(viewer)
    before = state(case)
    for address, data in changes(case).items():
        assert client.get(address).status_code == 403, address
        assert client.post(address, data).status_code == 403, address
    assert state(case) == before


def test_an_editor_may_change_everything(client, editor, case):
    client.force_login(editor)
    before = state(case)
    for address, data in changes(case).items():
        assert client.get(address).status_code == 200, address
        assert client.post(address, data).status_code == 302, address
    case.refresh_from_db()
    assert case.years == 9
    assert list(case.benefits.values_list("description", flat=True)) == ["Changed"]
    assert list(case.costs.values_list("description", flat=True)) == ["Changed"]
    assert state(case) != before
