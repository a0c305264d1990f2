"""The business case's figures, checked against sums worked out by hand."""

from decimal import Decimal

import pytest

from opencities.canvases.figures import appraise, payback
from opencities.canvases.models import Benefit, BusinessCase, Cost
from opencities.projects.models import Project


@pytest.fixture
def case(workspace):
    project = Project.objects.create(workspace=workspace, title="Bins", challenge="Missed bins")
    return BusinessCase.for_project(project)


def D(*values) -> list[Decimal]:
    return [Decimal(str(v)) for v in values]


def test_a_case_that_pays_back_in_the_middle_of_year_two(case):
    case.years = 3
    case.save()
    Cost.objects.create(case=case, kind="one_off", description="Sensors", amounts=["1000"])
    Cost.objects.create(case=case, kind="recurring", description="Support", amounts=[100] * 3)
    Benefit.objects.create(case=case, kind="cash", description="Fewer rounds", amounts=[300] * 3)
    Benefit.objects.create(case=case, kind="non_cash", description="Calls", amounts=["0", "500"])
    Benefit.objects.create(case=case, kind="social", description="Cleaner", amounts=["200.50"])

    figures = appraise(case)

    assert figures.years == 3 and figures.currency == "EUR"
    assert figures.benefits_by_kind == {
        "cash": D(300, 300, 300),
        "non_cash": D(0, 500, 0),
        "social": D("200.50", 0, 0),
    }
    assert figures.costs_by_kind == {"one_off": D(1000, 0, 0), "recurring": D(100, 100, 100)}
    assert figures.benefits == D("500.50", 800, 300)
    assert figures.costs == D(1100, 100, 100)
    assert figures.net == D("-599.50", 700, 200)
    assert figures.cumulative == D("-599.50", "100.50", "300.50")
    assert figures.total_benefits == Decimal("1600.50")
    assert figures.total_costs == Decimal("1300")
    assert figures.net_benefit == Decimal("300.50")
    assert figures.cash_net_benefit == Decimal("-400")  # 900 of cash against 1300 spent
    # Year 2 starts 599.50 down and nets 700: 599.50 / 700 = 0.856… of the way through.
    assert figures.payback_years == Decimal("1.86")
    assert figures.benefit_cost_ratio == Decimal("1.23")  # 1600.50 / 1300 = 1.2311…


def test_a_case_that_never_pays_back(case):
    case.years = 2
    case.save()
    Cost.objects.create(case=case, kind="one_off", description="Platform", amounts=[5000])
    Benefit.objects.create(case=case, kind="cash", description="Licences", amounts=[1000, 1000])

    figures = appraise(case)

    assert figures.cumulative == D(-4000, -3000)
    assert figures.net_benefit == Decimal(-3000)
    assert figures.payback_years is None
    assert figures.benefit_cost_ratio == Decimal("0.40")


def test_without_costs_there_is_no_ratio_and_payback_is_immediate(case):
    Benefit.objects.create(case=case, kind="social", description="Safer streets", amounts=[10])

    figures = appraise(case)

    assert figures.total_costs == 0
    assert figures.benefit_cost_ratio is None
    assert figures.payback_years == 0
    assert figures.net_benefit == figures.total_benefits == Decimal(10)
    assert not figures.is_empty


def test_missing_years_count_as_nothing_and_extra_years_are_left_out(case):
    case.years = 4
    case.save()
    Benefit.objects.create(case=case, kind="cash", description="Short", amounts=[100])
    Cost.objects.create(case=case, kind="recurring", description="Long", amounts=[10] * 6)

    figures = appraise(case)

    assert figures.benefits == D(100, 0, 0, 0)
    assert figures.costs == D(10, 10, 10, 10)  # years 5 and 6 are outside the appraisal
    assert figures.total_costs == Decimal(40)
    assert figures.cumulative == D(90, 80, 70, 60)


def test_an_empty_case_has_all_kinds_at_zero(case):
    figures = appraise(case)

    assert figures.is_empty
    assert figures.benefits_by_kind == {
        kind: D(*[0] * 5) for kind in ("cash", "non_cash", "social")
    }
    assert figures.net == D(*[0] * 5)
    assert figures.benefit_cost_ratio is None


def test_payback_counts_from_when_the_case_stays_in_credit():
    # In credit after year 1, back under in year 3, in credit for good a third into year 4.
    assert payback(D(100, -50, -100, 150)) == Decimal("3.33")
    assert payback(D(-100, 100)) == Decimal("2.00")  # exactly even at the end of year 2
    assert payback(D(0, 0)) == 0
    assert payback(D(100, -200)) is None
