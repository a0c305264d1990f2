"""The business case's figures on the page: years and currency, benefit and cost lines."""

from decimal import Decimal

import pytest
from django.urls import reverse

from opencities.canvases.figures import appraise
from opencities.canvases.models import Benefit, BusinessCase, Cost
from opencities.projects.models import Project


@pytest.fixture
def project(workspace):
    return Project.objects.create(workspace=workspace, title="Bins", challenge="Missed bins")


@pytest.fixture
def case(project):
    return BusinessCase.for_project(project)


def url(name: str, project: Project, *extra) -> str:
    return reverse(name, args=[project.workspace.slug, project.pk, *extra])


def line_data(kind: str, description: str, *amounts, note: str = "") -> dict:
    data = {"kind": kind, "description": description, "note": note}
    data.update({f"year_{year}": amount for year, amount in enumerate(amounts, start=1)})
    return data


def test_an_editor_adds_a_benefit_with_an_amount_for_each_year(client, editor, case, project):
    client.force_login(editor)
    data = line_data("cash", "Fewer rounds", "1200", "1 500.50", "", "0", "300", note="Fleet")

    response = client.post(url("canvases:benefit_add", project), data)

    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url() + "#figures"
    benefit = case.benefits.get()
    assert (benefit.kind, benefit.description, benefit.note) == ("cash", "Fewer rounds", "Fleet")
    assert benefit.amounts == ["1200", "1500.50", "0", "0", "300"]


def test_a_form_has_one_box_per_year_appraised_and_no_more(client, editor, case, project):
    case.years = 2
    case.save()
    client.force_login(editor)

    form = client.get(url("canvases:cost_add", project)).content.decode()
    client.post(url("canvases:cost_add", project), line_data("one_off", "Sensors", 10, 20, 30))

    assert 'name="year_2"' in form and 'name="year_3"' not in form
    assert case.costs.get().amounts == ["10", "20"]  # the forged third year is not taken


@pytest.mark.parametrize(
    "typed,problem",
    [
        ("-5", "“Sensors”, year 2: amounts are zero or more"),
        ("lots", "“Sensors”, year 2: “lots” is not a number"),
        ("€100", "“Sensors”, year 2: “€100” is not a number"),
        ("1e3", "“Sensors”, year 2: “1e3” is not a number"),
        ("NaN", "“Sensors”, year 2: “NaN” is not a number"),
        ("10.505", "“Sensors”, year 2: use at most two decimal places"),
        ("9999999999999", "“Sensors”, year 2: that is more than a trillion"),
    ],
)
def test_a_wrong_amount_is_named_by_line_and_year(client, editor, case, project, typed, problem):
    client.force_login(editor)

    response = client.post(
        url("canvases:cost_add", project), line_data("one_off", "Sensors", 1, typed)
    )

    assert response.status_code == 400
    assert problem in response.content.decode()
    assert not case.costs.exists()


def test_a_line_without_a_description_still_says_which_year(client, editor, case, project):
    client.force_login(editor)

    response = client.post(url("canvases:benefit_add", project), line_data("social", "", "x"))

    page = response.content.decode()
    assert response.status_code == 400
    assert "“this benefit”, year 1: “x” is not a number" in page
    assert "Description: This field is required." in page


def test_editing_a_line_keeps_amounts_beyond_the_years_appraised(client, editor, case, project):
    cost = Cost.objects.create(
        case=case, kind="recurring", description="Support", amounts=["1", "2", "3", "4", "5", "6"]
    )
    case.years = 3
    case.save()
    client.force_login(editor)

    form = client.get(url("canvases:cost_edit", project, cost.pk)).content.decode()
    response = client.post(
        url("canvases:cost_edit", project, cost.pk), line_data("recurring", "Support", 7, 8, 9)
    )

    assert 'value="3"' in form and 'name="year_4"' not in form
    assert response.status_code == 302
    cost.refresh_from_db()
    assert cost.amounts == ["7", "8", "9", "4", "5", "6"]


def test_deleting_a_line(client, editor, case, project):
    benefit = Benefit.objects.create(case=case, kind="cash", description="Fuel", amounts=[5])
    client.force_login(editor)

    confirm = client.get(url("canvases:benefit_delete", project, benefit.pk))
    response = client.post(url("canvases:benefit_delete", project, benefit.pk))

    assert "Delete the benefit “Fuel”?" in confirm.content.decode()
    assert response.status_code == 302
    assert not case.benefits.exists()


def test_years_and_currency_can_be_changed(client, editor, case, project):
    client.force_login(editor)

    response = client.post(
        url("canvases:business_settings", project), {"years": 10, "currency": "gbp"}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.years, case.currency) == (10, "GBP")


@pytest.mark.parametrize(
    "data,problem",
    [
        ({"years": 16, "currency": "EUR"}, "less than or equal to 15"),
        ({"years": 0, "currency": "EUR"}, "greater than or equal to 1"),
        ({"years": 5, "currency": "euros"}, "three-letter code"),
    ],
)
def test_wrong_years_or_currency_are_refused(client, editor, case, project, data, problem):
    client.force_login(editor)

    response = client.post(url("canvases:business_settings", project), data)

    assert response.status_code == 400
    assert problem in response.content.decode()
    case.refresh_from_db()
    assert (case.years, case.currency) == (5, "EUR")


def test_a_line_of_another_project_is_not_found_and_not_changed(client, editor, workspace, project):
    BusinessCase.for_project(project)
    theirs = Project.objects.create(workspace=workspace, title="Buses", challenge="Late buses")
    other_case = BusinessCase.for_project(theirs)
    cost = Cost.objects.create(case=other_case, kind="one_off", description="Depot", amounts=[9])
    client.force_login(editor)

    edit = url("canvases:cost_edit", project, cost.pk)
    delete = url("canvases:cost_delete", project, cost.pk)
    assert client.get(edit).status_code == 404
    assert client.post(edit, line_data("one_off", "Hacked", 1)).status_code == 404
    assert client.post(delete).status_code == 404
    # nor as a benefit of this project, with the same number
    assert client.post(url("canvases:benefit_delete", project, cost.pk)).status_code == 404
    cost.refresh_from_db()
    assert (cost.description, cost.amounts) == ("Depot", [9])


def test_user_text_is_escaped_on_the_line_pages(client, editor, case, project):
    benefit = Benefit.objects.create(
        case=case, kind="social", description="<script>alert(1)</script>", amounts=[1]
    )
    client.force_login(editor)

    for name in ("canvases:benefit_edit", "canvases:benefit_delete"):
        page = client.get(url(name, project, benefit.pk)).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_amounts_reach_the_figures(client, editor, case, project):
    client.force_login(editor)
    client.post(url("canvases:cost_add", project), line_data("one_off", "Sensors", 1000))
    client.post(url("canvases:benefit_add", project), line_data("cash", "Rounds", 400, 400, 400))

    figures = appraise(case)
    assert figures.net_benefit == Decimal(200)
    assert figures.payback_years == Decimal("2.50")
