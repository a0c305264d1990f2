"""Reports of a project for people who will not open the toolkit: the Data Ethics Canvas, the
business case, and the whole-project pack, as a print-ready page, a PDF and a Word document.

`build_report` reads the project once into plain data (`Report`), already worded in the active
language; the HTML template (`canvases/report.html`, which WeasyPrint also turns into the PDF)
and the Word builder both read that, so the three formats cannot disagree on content.

Reading a report never writes to the database: canvases that were never opened are shown with
every section "not started" from the section list in `sections.py`, without creating rows, and
the layout that a map picture works out for unplaced nodes is rolled back (see `_picture`).
"""

import base64
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from typing import Literal

from django.db import transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import (
    get_language,
    gettext,
    gettext_lazy,
    ngettext,
    pgettext,
    pgettext_lazy,
)
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.image.image import Image as DocxImage
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from opencities.accounts.models import display_name
from opencities.maps.findings import FindingKind, Severity
from opencities.maps.models import EcosystemMap, Exchange
from opencities.maps.render import map_as_png, map_as_svg
from opencities.maps.views import findings_of
from opencities.projects.models import Project

from . import feeds
from .figures import Appraisal, appraise
from .models import (
    ActionStatus,
    BenefitKind,
    BusinessCase,
    BusinessSection,
    Contribution,
    CostKind,
    EthicsCanvas,
    EthicsSection,
    Priority,
    SectionStatus,
    completeness,
)
from .sections import ANSWERS, BUSINESS_SECTIONS, ETHICS_GROUPS, ETHICS_SECTIONS, Section

Picture = Literal["svg", "png"]

REPORTS = {
    "pack": gettext_lazy("Project pack"),
    "ethics": gettext_lazy("Data Ethics Canvas"),
    "business": gettext_lazy("Business case"),
}
FORMATS = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# The picture format each output embeds: browsers and WeasyPrint draw SVG sharply at any size;
# Word documents take PNG everywhere, where SVG needs a recent Word.
PICTURES: dict[str, Picture] = {"html": "svg", "pdf": "svg", "docx": "png"}

# Characters XML cannot carry, even escaped: python-docx refuses them, and spreadsheet imports
# bring some in.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A finding's severity in words, as the map pages say it (maps/_severity.html): the findings give
# it as a code with English labels only.
SEVERITY_WORDS = {
    Severity.HIGH: pgettext_lazy("finding severity", "high"),
    Severity.MEDIUM: pgettext_lazy("finding severity", "medium"),
    Severity.LOW: pgettext_lazy("finding severity", "low"),
    Severity.INFO: pgettext_lazy("finding severity", "for information"),
}
# The Exchange relations that naming an exchange ("source → target") reads.
_EXCHANGE_ENDS = tuple(
    f"{end}__{kind}" for end in ("source", "target") for kind in ("actor", "dataset", "technology")
)


@dataclass(frozen=True)
class Fact:
    """A labelled value: a project's stage, a check's answer, a key figure."""

    label: str
    value: str


@dataclass(frozen=True)
class Note:
    """A contribution to a section, with who wrote it and when."""

    text: str
    by: str
    date: str


@dataclass(frozen=True)
class Fed:
    """One entry a business case section shows live from the maps or the ethics canvas;
    `flags` are what must be solved first (a gap, a blocked flow)."""

    title: str
    text: str = ""
    details: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class SectionReport:
    name: str
    status: str  # a SectionStatus value, for styling
    status_label: str
    summary: str
    checks: tuple[Fact, ...] = ()
    notes: tuple[Note, ...] = ()
    datasets: tuple[str, ...] = ()
    flows: tuple[str, ...] = ()
    fed_title: str = ""
    fed: tuple[Fed, ...] = ()


@dataclass(frozen=True)
class GroupReport:
    name: str
    sections: tuple[SectionReport, ...]


@dataclass(frozen=True)
class ActionRow:
    description: str
    owner: str
    priority: str
    due: str
    status: str
    overdue: bool


@dataclass(frozen=True)
class Table:
    """A table of figures with a label in its first column; `numeric` are the columns of
    amounts (aligned right), `total` an emphasised last row."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[int, ...]
    total: tuple[str, ...] = ()


@dataclass(frozen=True)
class EthicsReport:
    progress: str
    reviews: tuple[Fact, ...]
    groups: tuple[GroupReport, ...]

    @property
    def overview(self) -> list[SectionReport]:
        return [section for group in self.groups for section in group.sections]

    @property
    def started(self) -> bool:
        """Whether anything was written yet; a blank canvas is not spread over a page a group."""
        return any(
            s.status != SectionStatus.NOT_STARTED or s.summary or s.notes for s in self.overview
        )


@dataclass(frozen=True)
class BusinessReport:
    progress: str
    headline: tuple[Fact, ...]  # the problem, the service, the decision asked for
    key_figures: tuple[Fact, ...]
    figures_note: str
    sections: tuple[SectionReport, ...]
    tables: tuple[Table, ...]


@dataclass(frozen=True)
class FindingRow:
    severity: str  # a Severity value, for styling
    severity_label: str
    title: str
    explanation: str


@dataclass(frozen=True)
class MapReport:
    title: str
    heading: str  # "Map: title"
    state: str
    description: str
    picture: str | bytes  # an SVG document, or PNG bytes for Word
    findings: tuple[FindingRow, ...]
    changes: tuple[str, ...]  # a future state's changes from the current one, by title

    @property
    def picture_uri(self) -> str:
        """The picture as a data: URI, so the page, the HTML download and the PDF need no
        other file; in an <img> the map's own styles and ids cannot clash with the page's."""
        if isinstance(self.picture, bytes):
            return "data:image/png;base64," + base64.b64encode(self.picture).decode("ascii")
        svg = base64.b64encode(self.picture.encode("utf-8")).decode("ascii")
        return "data:image/svg+xml;base64," + svg


@dataclass(frozen=True)
class ProjectReport:
    title: str
    workspace: str
    texts: tuple[Fact, ...]  # challenge, goal, why the data
    facts: tuple[Fact, ...]  # stage, urgency, impact…


@dataclass(frozen=True)
class Report:
    """Everything one report shows, worded in the language that was active when it was built."""

    kind: str
    name: str
    language: str
    printed: str
    page_counter: str  # a CSS `content` value: "Page " counter(page) " of " counter(pages)
    page_words: tuple[str, str, str]  # the same words around the two numbers, for Word
    project: ProjectReport
    maps: tuple[MapReport, ...] = ()
    ethics: EthicsReport | None = None
    business: BusinessReport | None = None
    actions: tuple[ActionRow, ...] | None = None

    @property
    def title(self) -> str:
        return f"{self.project.title} — {self.name}"


def build_report(project: Project, kind: str, *, picture: Picture = "svg") -> Report:
    """Read everything report `kind` shows; map pictures come as SVG text or PNG bytes."""
    if kind not in REPORTS:
        raise ValueError(f"No report called {kind!r}: choose one of {', '.join(REPORTS)}.")
    canvas = EthicsCanvas.objects.filter(project=project).first()
    case = BusinessCase.objects.filter(project=project).first()
    ethics = _ethics(canvas) if kind in ("pack", "ethics") else None
    business = _business(project, case) if kind in ("pack", "business") else None
    maps = tuple(_map(m, picture) for m in project.maps.all()) if kind == "pack" else ()
    actions = _actions(canvas) if kind in ("pack", "ethics") else None
    words = _page_words()
    return Report(
        kind=kind,
        name=str(REPORTS[kind]),
        language=get_language() or "en",
        printed=gettext("Printed on {date}").format(date=_date(timezone.localdate())),
        page_counter=page_counter(words),
        page_words=words,
        project=_project(project, canvas, case),
        maps=maps,
        ethics=ethics,
        business=business,
        actions=actions,
    )


def filename(project: Project, kind: str, fmt: str) -> str:
    """A file name that says what the file is: `missed-bin-collections-pack.pdf`."""
    return f"{slugify(project.title) or f'project-{project.pk}'}-{kind}.{fmt}"


def render(report: Report, fmt: str) -> bytes:
    """The report as a file of format `fmt` (html, pdf or docx)."""
    if fmt == "html":
        return render_html(report).encode("utf-8")
    if fmt == "pdf":
        return render_pdf(report)
    if fmt == "docx":
        return render_docx(report)
    raise ValueError(f"No report format {fmt!r}: choose one of {', '.join(FORMATS)}.")


def render_html(report: Report, downloads: Sequence[tuple[str, str]] = ()) -> str:
    """A standalone page (styles inline, map pictures as data: URIs); with `downloads`, a
    toolbar to print and to fetch the other formats, which printing leaves out."""
    return render_to_string("canvases/report.html", {"report": report, "downloads": downloads})


def render_pdf(report: Report) -> bytes:
    """The HTML page laid out by WeasyPrint on A4, with the print styles' running headers."""
    # Imported here: WeasyPrint loads Pango and the fonts on import, which only a PDF needs,
    # and a machine without Pango still serves every other page.
    from weasyprint import HTML

    return HTML(string=render_html(report)).write_pdf()


def render_docx(report: Report) -> bytes:
    """The report as a Word document: headings, paragraphs, tables, maps as pictures."""
    return _Word(report).save()


# --- Reading the project -------------------------------------------------------------------------


def _project(
    project: Project, canvas: EthicsCanvas | None, case: BusinessCase | None
) -> ProjectReport:
    texts = [
        (gettext("The challenge"), project.challenge),
        (gettext("The goal"), project.goal),
        (gettext("Why we care about this data"), project.why_data),
    ]
    complete = SectionStatus.COMPLETE
    ethics_done = canvas.sections.filter(status=complete).count() if canvas else 0
    business_done = case.sections.filter(status=complete).count() if case else 0
    facts = [
        (gettext("Stage"), project.get_stage_display()),
        (gettext("Urgency"), gettext("{n} of 5").format(n=project.urgency)),
        (gettext("Impact"), gettext("{n} of 5").format(n=project.impact)),
        (gettext("Area of public good"), project.public_good),
        (gettext("Project lead"), display_name(project.owner) if project.owner_id else ""),
        (gettext("Data Ethics Canvas"), _progress(ethics_done, len(ETHICS_SECTIONS))),
        (gettext("Business case"), _progress(business_done, len(BUSINESS_SECTIONS))),
    ]
    return ProjectReport(
        title=_plain(project.title),
        workspace=_plain(project.workspace.name),
        texts=tuple(Fact(label, _plain(text)) for label, text in texts if text),
        facts=tuple(Fact(label, _plain(value)) for label, value in facts if value),
    )


def _ethics(canvas: EthicsCanvas | None) -> EthicsReport:
    rows = {}
    reviews: list[Fact] = []
    if canvas is not None:
        rows = {
            row.key: row
            for row in canvas.sections.prefetch_related(
                Prefetch("contributions", Contribution.objects.select_related("author")),
                "datasets",
                Prefetch("exchanges", Exchange.objects.select_related("dataset", *_EXCHANGE_ENDS)),
            )
        }
        last = canvas.reviews.first()
        if last is not None:
            reviews.append(Fact(gettext("Last review"), _date(last.taken)))
        if canvas.next_review:
            reviews.append(Fact(gettext("Next review"), _date(canvas.next_review)))
    sections = {spec.key: _ethics_section(spec, rows.get(spec.key)) for spec in ETHICS_SECTIONS}
    return EthicsReport(
        progress=_progress(*completeness(sections.values())),
        reviews=tuple(reviews),
        groups=tuple(
            GroupReport(
                str(name), tuple(sections[s.key] for s in ETHICS_SECTIONS if s.group == group)
            )
            for group, name in ETHICS_GROUPS
        ),
    )


def _ethics_section(spec: Section, row: EthicsSection | None) -> SectionReport:
    """A section of the ethics canvas with its checks' answers and the data it concerns."""
    answers = row.checks if row else {}
    checks = tuple(
        Fact(str(check.question), str(ANSWERS.get(answers.get(check.key), gettext("Not answered"))))
        for check in spec.checks
    )
    if row is None:
        return _section(spec, None, checks=checks)
    return _section(
        spec,
        row,
        checks=checks,
        datasets=tuple(sorted((_plain(d.title) for d in row.datasets.all()), key=str.casefold)),
        flows=tuple(_exchange(exchange) for exchange in row.exchanges.all()),
    )


def _business(project: Project, case: BusinessCase | None) -> BusinessReport:
    rows = {}
    if case is not None:
        rows = {
            row.key: row
            for row in case.sections.prefetch_related(
                Prefetch("contributions", Contribution.objects.select_related("author"))
            )
        }
    fed = {
        "datasets": (gettext("From the project's maps"), _data_needed(project)),
        "partners": (gettext("From the project's maps"), _partners(project)),
        "risks": (gettext("From the Data Ethics Canvas"), _risks(project)),
    }
    sections = {}
    for spec in BUSINESS_SECTIONS:
        fed_title, entries = fed.get(spec.offers, ("", ()))
        sections[spec.key] = _section(spec, rows.get(spec.key), fed_title=fed_title, fed=entries)
    problem = sections["problem"].summary or (
        gettext("{challenge} (the project's challenge)").format(challenge=_plain(project.challenge))
        if project.challenge
        else ""
    )
    headline = (
        Fact(sections["problem"].name, problem),
        Fact(sections["service"].name, sections["service"].summary),
        Fact(sections["decision"].name, sections["decision"].summary),
    )
    appraisal = appraise(case) if case is not None else None
    if appraisal is None or appraisal.is_empty:
        return BusinessReport(
            progress=_progress(*completeness(sections.values())),
            headline=headline,
            key_figures=(),
            figures_note=gettext("No benefits or costs have been entered yet."),
            sections=tuple(sections.values()),
            tables=(),
        )
    money = _Money(appraisal, case)
    return BusinessReport(
        progress=_progress(*completeness(sections.values())),
        headline=headline,
        key_figures=money.key_figures(),
        figures_note=ngettext(
            "Amounts in {currency} over {years} year, not discounted; year 1 is the service's "
            "first year.",
            "Amounts in {currency} over {years} years, not discounted; year 1 is the service's "
            "first year.",
            appraisal.years,
        ).format(currency=appraisal.currency, years=appraisal.years),
        sections=tuple(sections.values()),
        tables=(money.by_year(), *money.lines()),
    )


def _section(
    spec: Section,
    row: EthicsSection | BusinessSection | None,
    *,
    checks: tuple[Fact, ...] = (),
    datasets: tuple[str, ...] = (),
    flows: tuple[str, ...] = (),
    fed_title: str = "",
    fed: tuple[Fed, ...] = (),
) -> SectionReport:
    """A section of either canvas; `row` is None for a section never opened."""
    status = SectionStatus(row.status) if row else SectionStatus.NOT_STARTED
    notes = (
        tuple(Note(_plain(c.text), _plain(c.by), _date(c.created)) for c in row.contributions.all())
        if row
        else ()
    )
    return SectionReport(
        name=str(spec.name),
        status=status.value,
        status_label=str(status.label),
        summary=_plain(row.summary) if row else "",
        checks=checks,
        notes=notes,
        datasets=datasets,
        flows=flows,
        fed_title=fed_title if fed else "",
        fed=fed,
    )


def _data_needed(project: Project) -> tuple[Fed, ...]:
    entries = []
    for need in feeds.data_needed(project):
        flags = []
        if need.is_gap:
            flags.append(gettext("A gap: this data does not exist yet."))
        if need.is_unidentified:
            flags.append(gettext("Unidentified: nobody knows yet who holds this data."))
        for flow in need.blocked:
            flags.append(
                gettext("Blocked flow: {flow} ({reasons}).").format(
                    flow=_exchange(flow.exchange),
                    reasons=", ".join(str(r) for r in flow.blocked_reasons),
                )
            )
        planned = [_exchange(flow.exchange) for flow in need.planned]
        entries.append(
            Fed(
                title=_plain(need.dataset.title),
                text=gettext("On {maps}").format(
                    maps=", ".join(_plain(m.title) for m in need.maps)
                ),
                details=tuple(gettext("Planned flow: {flow}").format(flow=f) for f in planned),
                flags=tuple(flags),
            )
        )
    return tuple(entries)


def _partners(project: Project) -> tuple[Fed, ...]:
    return tuple(
        Fed(
            title=str(group.label),
            text=", ".join(_plain(partner.actor.name) for partner in group.partners),
        )
        for group in feeds.partners(project)
    )


def _risks(project: Project) -> tuple[Fed, ...]:
    return tuple(
        Fed(
            title=str(row.spec.name),
            text=_plain(row.summary),
            details=tuple(_plain(c.text) for c in row.contributions.all()),
        )
        for row in feeds.risks(project)
        if row.summary or row.contributions.all()
    )


def _actions(canvas: EthicsCanvas | None) -> tuple[ActionRow, ...]:
    if canvas is None:
        return ()
    today = timezone.localdate()
    actions = sorted(
        canvas.actions.select_related("owner"), key=lambda a: (a.due is None, a.due, a.pk)
    )
    return tuple(
        ActionRow(
            description=_plain(action.description),
            owner=_plain(action.owned_by),
            priority=str(Priority(action.priority).label),
            due=_date(action.due) if action.due else "",
            status=str(ActionStatus(action.status).label),
            overdue=action.is_overdue(today),
        )
        for action in actions
    )


def _map(ecosystem_map: EcosystemMap, picture: Picture) -> MapReport:
    """A map's picture and findings. A future state's changes are listed by title only: their
    explanations say the title again at length, and took three pages for a demo map.

    The findings are worked out as the map pages do (`findings_of`), in the active language,
    so a report in another language has them in that language too."""
    findings = findings_of(ecosystem_map)
    return MapReport(
        title=_plain(ecosystem_map.title),
        heading=gettext("Map: {title}").format(title=_plain(ecosystem_map.title)),
        state=str(ecosystem_map.get_state_display()),
        description=_plain(ecosystem_map.description),
        picture=_picture(ecosystem_map, picture),
        findings=tuple(
            FindingRow(
                severity=finding.severity,
                severity_label=str(SEVERITY_WORDS.get(finding.severity, finding.severity)),
                title=_plain(finding.title),
                explanation=_plain(finding.explanation),
            )
            for finding in findings
            if finding.kind != FindingKind.CHANGE
        ),
        changes=tuple(_plain(f.title) for f in findings if f.kind == FindingKind.CHANGE),
    )


def _picture(ecosystem_map: EcosystemMap, picture: Picture) -> str | bytes:
    """The map's picture, leaving the database as it was.

    Drawing places the nodes that have no position yet and saves them, so that the editor
    shows the same layout. A report is a read, and may be made by a viewer: the placing is
    undone here. The placing is deterministic, so the editor later saves the same positions.
    """
    with transaction.atomic():
        drawn = map_as_svg(ecosystem_map) if picture == "svg" else map_as_png(ecosystem_map)
        transaction.set_rollback(True)
    return drawn


class _Money:
    """The business case's figures worded for the report: amounts grouped, in its currency."""

    def __init__(self, appraisal: Appraisal, case: BusinessCase) -> None:
        self.appraisal = appraisal
        self.benefit_lines = list(case.benefits.all())
        self.cost_lines = list(case.costs.all())
        every = [
            amount
            for line in (*self.benefit_lines, *self.cost_lines)
            for amount in line.yearly(appraisal.years)
        ]
        # Cents only when some amount has them, so whole-number cases stay easy to read.
        self.places = 0 if all(v == v.to_integral_value() for v in every) else 2

    def amount(self, value: Decimal) -> str:
        return formats.number_format(
            value, decimal_pos=self.places, use_l10n=True, force_grouping=True
        )

    def money(self, value: Decimal) -> str:
        return f"{self.appraisal.currency} {self.amount(value)}"

    def key_figures(self) -> tuple[Fact, ...]:
        a = self.appraisal
        if a.payback_years is None:
            payback = ngettext(
                "Not within the {years} year appraised",
                "Not within the {years} years appraised",
                a.years,
            ).format(years=a.years)
        elif a.payback_years == 0:
            payback = gettext("From the start: the benefits always cover the costs")
        else:
            # Whole years without decimals, as on the page ("1 year", "3 years"); a fraction
            # ("2.50 years") takes the plural in English and Spanish alike.
            whole = a.payback_years == a.payback_years.to_integral_value()
            payback = ngettext(
                "{years} year", "{years} years", int(a.payback_years) if whole else 2
            ).format(years=formats.number_format(a.payback_years, decimal_pos=0 if whole else 2))
        ratio = (
            formats.number_format(a.benefit_cost_ratio, decimal_pos=2)
            if a.benefit_cost_ratio is not None
            else gettext("None: no costs entered")
        )
        return (
            Fact(gettext("Total benefits"), self.money(a.total_benefits)),
            Fact(gettext("Total costs"), self.money(a.total_costs)),
            Fact(gettext("Net benefit"), self.money(a.net_benefit)),
            Fact(gettext("Cash-releasing net benefit"), self.money(a.cash_net_benefit)),
            Fact(gettext("Payback period"), payback),
            Fact(gettext("Benefit-cost ratio"), ratio),
        )

    def by_year(self) -> Table:
        """Years as rows, so fifteen years fit a portrait page as well as three."""
        a = self.appraisal
        benefit_kinds = [str(BenefitKind(k).label) for k in a.benefits_by_kind]
        cost_kinds = [str(CostKind(k).label) for k in a.costs_by_kind]
        columns = [
            *a.benefits_by_kind.values(),
            a.benefits,
            *a.costs_by_kind.values(),
            a.costs,
            a.net,
        ]
        rows = tuple(
            (
                gettext("Year {n}").format(n=year + 1),
                *(self.amount(column[year]) for column in columns),
                self.amount(a.cumulative[year]),
            )
            for year in range(a.years)
        )
        total = (
            gettext("Total"),
            *(self.amount(sum(column, Decimal(0))) for column in columns),
            "",
        )
        return Table(
            caption=gettext("Benefits and costs by year ({currency})").format(currency=a.currency),
            header=(
                gettext("Year"),
                *benefit_kinds,
                gettext("All benefits"),
                *cost_kinds,
                gettext("All costs"),
                gettext("Net benefit"),
                gettext("Cumulative net benefit"),
            ),
            rows=rows,
            numeric=tuple(range(1, len(columns) + 2)),
            total=total,
        )

    def lines(self) -> tuple[Table, ...]:
        """The benefit and the cost lines as entered, with how each was estimated."""
        years = self.appraisal.years
        header = (
            gettext("Description"),
            gettext("Kind"),
            gettext("Total ({currency})").format(currency=self.appraisal.currency),
            gettext("How it was estimated"),
        )
        tables = []
        for caption, lines, kinds in (
            (gettext("Benefits"), self.benefit_lines, BenefitKind),
            (gettext("Costs"), self.cost_lines, CostKind),
        ):
            if lines:
                rows = tuple(
                    (
                        _plain(line.description),
                        str(kinds(line.kind).label),
                        self.amount(sum(line.yearly(years), Decimal(0))),
                        _plain(line.note),
                    )
                    for line in lines
                )
                tables.append(Table(caption=caption, header=header, rows=rows, numeric=(2,)))
        return tuple(tables)


# --- Wording -------------------------------------------------------------------------------------


def _plain(text: object) -> str:
    """Text without the characters XML cannot carry; labels may come as lazy translations."""
    return _NOT_XML.sub("", str(text)) if text else ""


def _date(value: date | datetime) -> str:
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return formats.date_format(value, "DATE_FORMAT")


def _progress(done: int, total: int) -> str:
    return gettext("{done} of {total} sections complete").format(done=done, total=total)


def _exchange(exchange: Exchange) -> str:
    """An exchange named by its ends, and the data it carries when it names some."""
    name = _plain(str(exchange))
    return f"{name}: {_plain(exchange.dataset.title)}" if exchange.dataset_id else name


def _page_words() -> tuple[str, str, str]:
    """The words before, between and after the two page numbers, from one translatable phrase
    so a translator can reorder them."""
    phrase = gettext("Page {page} of {pages}")
    before, _, rest = phrase.partition("{page}")
    between, _, after = rest.partition("{pages}")
    return before, between, after


def page_counter(words: tuple[str, str, str] | None = None) -> str:
    """The page numbers ("Page 2 of 7") as a CSS `content` value for a print page's footer."""
    before, between, after = words or _page_words()
    return (
        f"{_css_string(before)} counter(page) {_css_string(between)} counter(pages) "
        f"{_css_string(after)}"
    )


def _css_string(text: str) -> str:
    """`text` as a quoted CSS string, every character that could end it (or the <style>
    element) escaped."""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text) + '"'


# --- Word ----------------------------------------------------------------------------------------

HIGHLIGHT = RGBColor(0xB4, 0x23, 0x18)  # overdue actions, flagged data: the print page's red
MUTED = RGBColor(0x52, 0x60, 0x6D)
MARGIN_MM = 20
TEXT_MM = 210 - 2 * MARGIN_MM  # the width of the text on an A4 page
MAX_PICTURE_HEIGHT = Mm(170)  # leaves room on the page for the map's heading and first findings


class _Word:
    """Builds the Word document of a report, part by part in the order of the print page."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.doc = Document()
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(MARGIN_MM)
        section.top_margin = section.bottom_margin = Mm(MARGIN_MM)
        styles = self.doc.styles
        styles["Normal"].font.name = "Calibri"
        styles["Normal"].font.size = Pt(10.5)
        properties = self.doc.core_properties
        properties.title = report.title
        properties.language = report.language
        properties.subject = report.name
        self._running_heads(section)

    def save(self) -> bytes:
        report = self.report
        self.cover()
        if report.kind == "pack":
            self.project()
            for ecosystem_map in report.maps:
                self.map(ecosystem_map)
        if report.ethics is not None:
            self.ethics(report.ethics)
        if report.business is not None:
            self.business(report.business)
        if report.actions is not None:
            self.actions(report.actions)
        stream = BytesIO()
        self.doc.save(stream)
        return stream.getvalue()

    # Parts, as in the template.

    def cover(self) -> None:
        report = self.report
        self.doc.add_paragraph(report.name, style="Subtitle")
        self.doc.add_heading(report.project.title, level=0)
        self.paragraph(f"{report.project.workspace} · {report.printed}", muted=True)

    def project(self) -> None:
        project = self.report.project
        self.heading(gettext("The project"), level=1)
        for fact in project.texts:
            self.doc.add_heading(fact.label, level=2)
            self.text(fact.value)
        self.facts(project.facts)

    def map(self, ecosystem_map: MapReport) -> None:
        self.heading(ecosystem_map.heading, level=1, new_page=True)
        self.paragraph(ecosystem_map.state, muted=True)
        if ecosystem_map.description:
            self.text(ecosystem_map.description)
        self.picture(ecosystem_map)
        self.doc.add_heading(gettext("Findings"), level=2)
        if not ecosystem_map.findings and not ecosystem_map.changes:
            self.paragraph(gettext("Nothing stands out on this map."), muted=True)
        for finding in ecosystem_map.findings:
            paragraph = self.doc.add_paragraph(style="List Bullet")
            paragraph.add_run(finding.title).bold = True
            paragraph.add_run(f" ({finding.severity_label})").font.color.rgb = MUTED
            paragraph.add_run().add_break()
            paragraph.add_run(finding.explanation)
        if ecosystem_map.changes:
            self.doc.add_heading(gettext("Changes from the current state"), level=2)
            for change in ecosystem_map.changes:
                self.doc.add_paragraph(change, style="List Bullet")

    def ethics(self, ethics: EthicsReport) -> None:
        pack = self.report.kind == "pack"
        title = gettext("Data Ethics Canvas") if pack else pgettext("report", "Overview")
        self.heading(title, level=1, new_page=pack)
        self.paragraph(ethics.progress, muted=True)
        self.facts(ethics.reviews)
        self.paragraph(gettext("Sections at a glance"), bold=True)
        header = (gettext("Section"), gettext("Status"), gettext("Notes"))
        table = self.table(header, widths=(TEXT_MM - 55, 35, 20))
        for section in ethics.overview:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = section.name, section.status_label
            cells[2].text = str(len(section.notes))
            cells[2].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for group in ethics.groups:
            self.heading(group.name, level=2, new_page=ethics.started)
            for section in group.sections:
                self.section(section, level=3)

    def business(self, business: BusinessReport) -> None:
        pack = self.report.kind == "pack"
        self.heading(
            gettext("Business case") if pack else gettext("Summary"), level=1, new_page=pack
        )
        self.paragraph(business.progress, muted=True)
        for fact in business.headline:
            self.doc.add_heading(fact.label, level=2)
            self.text(fact.value or gettext("Not written yet."), muted=not fact.value)
        self.doc.add_heading(gettext("Key figures"), level=2)
        self.paragraph(business.figures_note, muted=True)
        self.facts(business.key_figures)
        self.heading(gettext("The business case in full"), level=1, new_page=True)
        for section in business.sections:
            self.section(section, level=2)
        if business.tables:
            self.heading(gettext("Figures"), level=1, new_page=True)
            self.paragraph(business.figures_note, muted=True)
            for table in business.tables:
                self.figures(table)

    def actions(self, actions: tuple[ActionRow, ...]) -> None:
        self.heading(gettext("Actions"), level=1, new_page=self.report.kind == "pack")
        if not actions:
            self.paragraph(gettext("No actions have been agreed yet."), muted=True)
            return
        header = (
            gettext("Action"),
            pgettext("action", "Owner"),
            gettext("Priority"),
            gettext("Due"),
            gettext("Status"),
        )
        table = self.table(header, widths=(70, 32, 20, 28, 20))
        for action in actions:
            cells = table.add_row().cells
            due = action.due or "—"
            if action.overdue:
                due = gettext("{date} (overdue)").format(date=due)
            for cell, value in zip(
                cells,
                (action.description, action.owner or "—", action.priority, due, action.status),
                strict=True,
            ):
                cell.text = value
            if action.overdue:
                for run in cells[3].paragraphs[0].runs:
                    run.bold = True
                    run.font.color.rgb = HIGHLIGHT

    # Pieces.

    def section(self, section: SectionReport, level: int) -> None:
        self.heading(section.name, level=level)
        self.paragraph(section.status_label, muted=True)
        if section.summary:
            self.text(section.summary)
        elif section.status != SectionStatus.NOT_STARTED:
            self.paragraph(gettext("No summary yet."), muted=True)
        self.facts(section.checks)
        for label, items in (
            (gettext("Datasets"), section.datasets),
            (gettext("Data flows"), section.flows),
        ):
            if items:
                self.paragraph(label, bold=True)
                for item in items:
                    self.doc.add_paragraph(item, style="List Bullet")
        if section.fed:
            self.paragraph(section.fed_title, bold=True)
            for entry in section.fed:
                paragraph = self.doc.add_paragraph(style="List Bullet")
                paragraph.add_run(entry.title).bold = True
                if entry.text:
                    paragraph.add_run(f": {entry.text}")
                for flag in entry.flags:
                    run = paragraph.add_run(f"\n{flag}")
                    run.font.color.rgb = HIGHLIGHT
                for detail in entry.details:
                    paragraph.add_run(f"\n{detail}")
        if section.notes:
            self.paragraph(gettext("Notes"), bold=True)
            for note in section.notes:
                paragraph = self.doc.add_paragraph(style="List Bullet")
                self.lines(paragraph, note.text)
                paragraph.add_run(f" — {note.by}, {note.date}").font.color.rgb = MUTED

    def picture(self, ecosystem_map: MapReport) -> None:
        """The map as wide as the text, or smaller when it is tall."""
        if not isinstance(ecosystem_map.picture, bytes):
            raise TypeError("Word takes maps as PNG: build the report with picture='png'.")
        image = DocxImage.from_blob(ecosystem_map.picture)
        height = int(Mm(TEXT_MM) * image.px_height / image.px_width)
        size = (
            {"width": Mm(TEXT_MM)}
            if height <= MAX_PICTURE_HEIGHT
            else {"height": MAX_PICTURE_HEIGHT}
        )
        self.doc.add_picture(BytesIO(ecosystem_map.picture), **size)
        self.doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        # Word reads the picture's description aloud; the drawing holds the map's title.
        self.doc.inline_shapes[-1]._inline.docPr.set("descr", ecosystem_map.heading)

    def figures(self, figures: Table) -> None:
        by_year = len(figures.numeric) > 1  # ten narrow columns of amounts
        self.paragraph(figures.caption, bold=True)
        first = 16 if by_year else 50
        rest = (TEXT_MM - first) / (len(figures.header) - 1)
        table = self.table(figures.header, widths=(first, *[rest] * (len(figures.header) - 1)))
        for values in (*figures.rows, *((figures.total,) if figures.total else ())):
            cells = table.add_row().cells
            for index, (cell, value) in enumerate(zip(cells, values, strict=True)):
                cell.text = value
                if index in figures.numeric:
                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if figures.total:
            for cell in table.rows[-1].cells:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
        if by_year:
            for row in table.rows:
                for cell in row.cells:
                    for run in cell.paragraphs[0].runs:
                        run.font.size = Pt(7.5)
        self.doc.add_paragraph()

    def facts(self, facts: Iterable[Fact]) -> None:
        facts = list(facts)
        if not facts:
            return
        table = self.doc.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for fact in facts:
            cells = table.add_row().cells
            cells[0].text = fact.label
            cells[0].paragraphs[0].runs[0].bold = True
            cells[1].text = fact.value
        self._widths(table, (60, TEXT_MM - 60))
        self.doc.add_paragraph()

    def table(self, header: Sequence[str], widths: Sequence[float]):
        """A table with a bold header row repeated on every page, columns `widths` mm wide;
        the caller adds the rows."""
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, label in zip(table.rows[0].cells, header, strict=True):
            cell.text = label
            cell.paragraphs[0].runs[0].bold = True
        self._repeat_header(table.rows[0])
        self._widths(table, widths)
        return table

    def heading(self, text: str, level: int, new_page: bool = False) -> None:
        heading = self.doc.add_heading(text, level=level)
        heading.paragraph_format.page_break_before = new_page

    def paragraph(self, text: str, muted: bool = False, bold: bool = False) -> None:
        run = self.doc.add_paragraph().add_run(text)
        run.bold = bold
        if muted:
            run.font.color.rgb = MUTED

    def text(self, text: str, muted: bool = False) -> None:
        """Text a person typed: a paragraph per blank-line-separated block, its lines kept."""
        for block in re.split(r"\n\s*\n", text.strip()):
            paragraph = self.doc.add_paragraph()
            self.lines(paragraph, block)
            if muted:
                for run in paragraph.runs:
                    run.font.color.rgb = MUTED

    @staticmethod
    def lines(paragraph, text: str) -> None:
        for number, line in enumerate(text.strip().splitlines()):
            if number:
                paragraph.add_run().add_break()
            paragraph.add_run(line)

    def _running_heads(self, section) -> None:
        """The project and report in the page header, "Page 2 of 7" in the footer."""
        for style in ("Header", "Footer"):
            self.doc.styles[style].font.size = Pt(8)
            self.doc.styles[style].font.color.rgb = MUTED
        section.header.paragraphs[0].text = self.report.title
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        before, between, after = self.report.page_words
        footer.add_run(before)
        self._field(footer, "PAGE")
        footer.add_run(between)
        self._field(footer, "NUMPAGES")
        footer.add_run(after)

    @staticmethod
    def _field(paragraph, instruction: str) -> None:
        """A field Word fills in when it lays the page out, such as the page number."""
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), instruction)
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "1"
        run.append(text)
        field.append(run)
        paragraph._p.append(field)

    @staticmethod
    def _widths(table, widths: Sequence[float]) -> None:
        """Fix the columns' widths (mm): Word reads them from the cells, LibreOffice from the
        table's grid."""
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Mm(width)
            for cell in column.cells:
                cell.width = Mm(width)

    @staticmethod
    def _repeat_header(row) -> None:
        """Repeat the table's header row on every page it runs over."""
        properties = row._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        properties.append(repeat)
