"""The business case's figures: totals per year and the results a decision maker reads.

One function, `appraise`, over a case's benefit and cost lines; the page, the reports and the
tests all call it, so the figures shown anywhere are the same. The rules, kept simple on purpose
so a team can check them by hand:

- **Undiscounted.** Every year's money counts the same; no discount rate is applied.
- **Year 1 is the first year** of the service (the year money is first spent or saved). A line
  holds one amount per year; years it leaves out count as nothing, amounts beyond the years
  appraised are not counted.
- **Benefits** are all three kinds: cash-releasing (money no longer spent), non-cash (staff
  time or effort saved, valued in money) and social (value to people, valued in money).
  **Costs** are one-off and recurring alike.
- **Net benefit** = all benefits - all costs over the years appraised.
- **Cash-releasing net benefit** = cash-releasing benefits - all costs: what the budget itself
  gains or loses, leaving aside time saved and social value.
- **Payback period**: how long until the money saved and gained has covered the money spent,
  i.e. from when the cumulative net benefit is zero or more and stays so to the last year
  appraised. Within a year, net benefit is taken to arrive evenly, so a year that moves the
  cumulative net from -100 to +300 pays back a quarter of the way through. 0 when the cumulative
  net is never negative; None when it is still negative at the end of the years appraised.
  Rounded to two decimal places.
- **Benefit-cost ratio** = all benefits ÷ all costs (what each unit spent brings back); None when
  there are no costs. Rounded to two decimal places.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import accumulate

from django.utils.translation import gettext_lazy as _

from .models import BenefitKind, BusinessCase, CostKind, MoneyLine

ZERO = Decimal(0)
HUNDREDTHS = Decimal("0.01")


@dataclass(frozen=True)
class Appraisal:
    """A business case's figures over its years appraised; lists hold one value per year."""

    years: int
    currency: str
    benefits_by_kind: dict[str, list[Decimal]]
    costs_by_kind: dict[str, list[Decimal]]
    benefits: list[Decimal]
    costs: list[Decimal]
    net: list[Decimal]
    cumulative: list[Decimal]
    total_benefits: Decimal
    total_costs: Decimal
    net_benefit: Decimal
    cash_net_benefit: Decimal
    payback_years: Decimal | None
    benefit_cost_ratio: Decimal | None

    @property
    def is_empty(self) -> bool:
        """True while no money has been entered, when the results say nothing yet."""
        return self.total_benefits == ZERO and self.total_costs == ZERO


def appraise(case: BusinessCase) -> Appraisal:
    """Add up the case's benefit and cost lines year by year and work out the results."""
    years = case.years
    benefits_by_kind = _by_kind(case.benefits.all(), BenefitKind.values, years)
    costs_by_kind = _by_kind(case.costs.all(), CostKind.values, years)
    benefits = _add_up(benefits_by_kind.values(), years)
    costs = _add_up(costs_by_kind.values(), years)
    net = [b - c for b, c in zip(benefits, costs, strict=True)]
    cumulative = list(accumulate(net))
    total_benefits, total_costs = sum(benefits, ZERO), sum(costs, ZERO)
    return Appraisal(
        years=years,
        currency=case.currency,
        benefits_by_kind=benefits_by_kind,
        costs_by_kind=costs_by_kind,
        benefits=benefits,
        costs=costs,
        net=net,
        cumulative=cumulative,
        total_benefits=total_benefits,
        total_costs=total_costs,
        net_benefit=total_benefits - total_costs,
        cash_net_benefit=sum(benefits_by_kind[BenefitKind.CASH], ZERO) - total_costs,
        payback_years=payback(net),
        benefit_cost_ratio=(
            (total_benefits / total_costs).quantize(HUNDREDTHS, ROUND_HALF_UP)
            if total_costs
            else None
        ),
    )


@dataclass(frozen=True)
class LineFigures:
    """One benefit or cost line over the years appraised, as a table row shows it."""

    line: MoneyLine
    amounts: list[Decimal]
    total: Decimal


def line_figures(lines: Iterable[MoneyLine], years: int) -> list[LineFigures]:
    """Each line's amounts over `years` (missing years as nothing) and their total."""
    rows = []
    for line in lines:
        amounts = line.yearly(years)
        rows.append(LineFigures(line=line, amounts=amounts, total=sum(amounts, ZERO)))
    return rows


@dataclass(frozen=True)
class TotalsRow:
    """A row of the totals table: a kind of benefit or cost, a total, the net or cumulative."""

    label: str
    amounts: list[Decimal]
    total: Decimal | None  # none for the cumulative row: its last year is its total
    role: str  # "kind", "total" or "net", for how the row is drawn


def totals_table(figures: Appraisal) -> list[TotalsRow]:
    """The totals per year as the page and the reports show them, benefits first."""
    rows = [
        TotalsRow(BenefitKind(kind).label, amounts, sum(amounts, ZERO), "kind")
        for kind, amounts in figures.benefits_by_kind.items()
    ]
    rows.append(TotalsRow(_("All benefits"), figures.benefits, figures.total_benefits, "total"))
    rows += [
        TotalsRow(CostKind(kind).label, amounts, sum(amounts, ZERO), "kind")
        for kind, amounts in figures.costs_by_kind.items()
    ]
    rows.append(TotalsRow(_("All costs"), figures.costs, figures.total_costs, "total"))
    rows.append(TotalsRow(_("Net benefit"), figures.net, figures.net_benefit, "net"))
    rows.append(TotalsRow(_("Cumulative net benefit"), figures.cumulative, None, "net"))
    return rows


def payback(net: list[Decimal]) -> Decimal | None:
    """Years until the cumulative net is back to zero for good (see the module's rules)."""
    cumulative = list(accumulate(net))
    negative = [year for year, total in enumerate(cumulative, start=1) if total < ZERO]
    if not negative:
        return ZERO
    last = negative[-1]
    if last == len(net):
        return None
    # The year after the last negative one starts at cumulative[last - 1] < 0 and ends at zero
    # or more; its net benefit arrives evenly through it.
    into_year = -cumulative[last - 1] / net[last]
    return (last + into_year).quantize(HUNDREDTHS, ROUND_HALF_UP)


def _by_kind(lines, kinds: list[str], years: int) -> dict[str, list[Decimal]]:
    """Each kind's amounts per year, every kind present (zeros when it has no line)."""
    totals = {kind: [ZERO] * years for kind in kinds}
    for line in lines:
        totals[line.kind] = [
            a + b for a, b in zip(totals[line.kind], line.yearly(years), strict=True)
        ]
    return totals


def _add_up(rows, years: int) -> list[Decimal]:
    totals = [ZERO] * years
    for row in rows:
        totals = [a + b for a, b in zip(totals, row, strict=True)]
    return totals
