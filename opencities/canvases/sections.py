"""The sections of the two canvases, in the order a team works through them.

Section names and groups of the Data Ethics Canvas are facts of the Open Cities method; the
guiding questions, help text and checks are ours, written for city staff. The business case
sections follow the usual outline of a public-sector case for a data-enabled service.

Everything here is plain data read by the pages, the reports, the blank printable canvases and
the tests; the database stores only a section's `key`, so a reworded question never needs a
migration.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Check:
    """A yes / no / unsure question a section asks, e.g. whether personal data is involved."""

    key: str
    question: str


@dataclass(frozen=True)
class Section:
    key: str
    name: str
    group: str
    questions: tuple[str, ...]
    help: str
    checks: tuple[Check, ...] = ()
    # What the section can take from the project's maps with one click (ethics canvas), or which
    # content it shows live from elsewhere (business case): "datasets", "flows", "partners",
    # "risks" or "" for none.
    offers: str = ""


ANSWERS = {"yes": _("Yes"), "no": _("No"), "unsure": _("Unsure")}

ETHICS_GROUPS: tuple[tuple[str, str], ...] = (
    ("know", _("Know your data")),
    ("impact", _("Explore the impact")),
    ("engage", _("Plan the engagement")),
    ("process", _("Integrate into process")),
)

ETHICS_SECTIONS: tuple[Section, ...] = (
    Section(
        key="data_sources",
        name=_("Data sources"),
        group="know",
        questions=(
            _("Which datasets will the project use, and who holds each one today?"),
            _("How was each dataset collected, and for what purpose at the time?"),
            _("Does any of it describe people, directly or once it is combined?"),
        ),
        help=_(
            "List every source, including data you only plan to ask for. The datasets already "
            "on this project's maps can be added with one click."
        ),
        checks=(
            Check("personal_data", _("Is personal data involved?")),
            Check("special_data", _("Is any of it sensitive (health, ethnicity, beliefs…)?")),
        ),
        offers="datasets",
    ),
    Section(
        key="rights",
        name=_("Rights around data sources"),
        group="know",
        questions=(
            _("Who owns each dataset, and what do its licence or contract allow?"),
            _(
                "Did the people the data is about agree to this use, or is there another "
                "lawful basis?"
            ),
            _("Are there third-party rights, such as a supplier's database rights?"),
        ),
        help=_(
            "Record the licence, agreement or legal basis for each source, and who confirmed it."
        ),
        checks=(
            Check("legal_basis", _("Is a legal basis recorded for each use of personal data?")),
            Check("licence_known", _("Is the licence or agreement of every source known?")),
        ),
    ),
    Section(
        key="limitations",
        name=_("Limitations in data sources"),
        group="know",
        questions=(
            _("How complete, accurate and up to date is each source?"),
            _("Which places or groups of people are missing or under-counted?"),
            _("Could past decisions recorded in the data carry bias into the project?"),
        ),
        help=_("Say what the data cannot tell you, so nobody reads more into it than it holds."),
        checks=(Check("bias_checked", _("Has the data been checked for gaps and bias?")),),
    ),
    Section(
        key="context",
        name=_("Ethical and legislative context"),
        group="know",
        questions=(
            _(
                "Which laws, regulations and council policies apply (data protection, "
                "equality, FOI)?"
            ),
            _("Is a data protection impact assessment needed, and has it been started?"),
            _("What do residents and partners expect of the council in this area?"),
        ),
        help=_("Name the rules that apply and the person who advised on them."),
        checks=(Check("dpia_needed", _("Is a data protection impact assessment needed?")),),
    ),
    Section(
        key="reasons",
        name=_("Reasons for using data"),
        group="impact",
        questions=(
            _("What problem does using this data solve, and for whom?"),
            _("Could the same result be reached with less data, or none?"),
            _("How will you know that using the data helped?"),
        ),
        help=_("Tie the use of data to the project's challenge and goal in a few plain sentences."),
        checks=(Check("less_data", _("Was doing it with less data considered?")),),
    ),
    Section(
        key="positive_effects",
        name=_("Positive effects on people"),
        group="impact",
        questions=(
            _("Who benefits, and how will their lives or work be better?"),
            _("Are the benefits shared fairly across neighbourhoods and groups?"),
        ),
        help=_("Be specific: name the people and the change they will notice."),
    ),
    Section(
        key="negative_effects",
        name=_("Negative effects on people"),
        group="impact",
        questions=(
            _("Who could be harmed, excluded or treated unfairly, even by accident?"),
            _("What happens if the data is wrong, leaks, or is used for something else?"),
            _("Could people feel watched or lose trust in the council?"),
        ),
        help=_(
            "Think of the people least like the project team. These become the "
            "business case's risks."
        ),
        offers="risks",
    ),
    Section(
        key="minimising",
        name=_("Minimising negative effects"),
        group="impact",
        questions=(
            _("What will you do to prevent or reduce each harm named above?"),
            _("Who can people turn to if something goes wrong, and how is it put right?"),
            _("Which data can be aggregated, pseudonymised or deleted early?"),
        ),
        help=_("Pair each negative effect with a measure and an owner; add actions for the work."),
        checks=(Check("minimised", _("Does every negative effect have a measure against it?")),),
    ),
    Section(
        key="engaging",
        name=_("Engaging with people"),
        group="engage",
        questions=(
            _("Which residents, staff and partners should have a say, and when?"),
            _("How will you reach people who rarely take part?"),
        ),
        help=_("Plan who you talk to before decisions are fixed, not after."),
    ),
    Section(
        key="communicating",
        name=_("Communicating the purpose"),
        group="engage",
        questions=(
            _("How will you explain, in plain words, what data is used and why?"),
            _("Where will people find that explanation, and in which languages?"),
        ),
        help=_("A short privacy notice and a public project page usually belong here."),
    ),
    Section(
        key="openness",
        name=_("Openness and transparency"),
        group="engage",
        questions=(
            _("What about the project, its data and its methods can be published?"),
            _("How will decisions made with the data be explained to the people they affect?"),
        ),
        help=_("Open by default: say what will be published and what cannot be, and why."),
        checks=(Check("publishing", _("Will the project publish data or results openly?")),),
    ),
    Section(
        key="sharing",
        name=_("Sharing data with others"),
        group="engage",
        questions=(
            _("Which data will be shared with whom, for what, and under which agreement?"),
            _("How will shared data be protected, and when will it be deleted or returned?"),
        ),
        help=_(
            "The data flows already drawn on this project's maps can be added with one click; "
            "each shared flow needs an agreement or a licence."
        ),
        checks=(Check("agreements", _("Is there an agreement for every flow of shared data?")),),
        offers="flows",
    ),
    Section(
        key="implementation",
        name=_("Ongoing implementation"),
        group="process",
        questions=(
            _("Who is responsible for the ethics of the project day to day?"),
            _("How will new data, new uses or new partners be checked before they start?"),
        ),
        help=_("Name a person, not a team, and say how they will be told about changes."),
    ),
    Section(
        key="reviews",
        name=_("Reviews and iterations"),
        group="process",
        questions=(
            _("When will this canvas be looked at again, and what would bring that date forward?"),
            _("What did the last review change?"),
        ),
        help=_("Set the next review date on the canvas; each review keeps a dated snapshot."),
    ),
    Section(
        key="actions",
        name=_("Actions"),
        group="process",
        questions=(_("What has to happen next, who does it, and by when?"),),
        help=_("Turn what this canvas found into actions with an owner and a due date."),
    ),
)

BUSINESS_SECTIONS: tuple[Section, ...] = (
    Section(
        key="problem",
        name=_("The problem"),
        group="case",
        questions=(
            _("What is going wrong today, for whom, and what does it cost?"),
            _("What evidence shows the size of the problem?"),
        ),
        help=_(
            "Start from the project's challenge; add the figures a decision maker will ask for."
        ),
    ),
    Section(
        key="people",
        name=_("The people it serves"),
        group="case",
        questions=(
            _("Who will use or feel the service: residents, staff, businesses?"),
            _("How many of them, and what do they need from it?"),
        ),
        help=_("Describe the people, not the organisations that serve them."),
    ),
    Section(
        key="service",
        name=_("The proposed service"),
        group="case",
        questions=(
            _("What will the new or changed service do, step by step?"),
            _("What changes for staff and for the people served?"),
        ),
        help=_("Explain it so that someone outside the team could picture it working."),
    ),
    Section(
        key="data_needed",
        name=_("The data needed"),
        group="case",
        questions=(
            _("Which data does the service depend on, and is it available?"),
            _("Which gaps or blocked flows must be solved first?"),
        ),
        help=_(
            "The datasets on this project's maps are listed here, with gaps and blocked "
            "flows flagged."
        ),
        offers="datasets",
    ),
    Section(
        key="partners",
        name=_("Partners and stakeholders"),
        group="case",
        questions=(
            _("Who has to take part, and what does each of them give and get?"),
            _("Who must agree or could stand in the way?"),
        ),
        help=_("The actors on this project's maps are listed here with their roles."),
        offers="partners",
    ),
    Section(
        key="benefits",
        name=_("Benefits"),
        group="case",
        questions=(
            _("What will the service save or gain, year by year?"),
            _("Which benefits release cash, which save time or effort, and which are social?"),
        ),
        help=_("Enter each benefit as figures per year below; say how each figure was estimated."),
    ),
    Section(
        key="costs",
        name=_("Costs"),
        group="case",
        questions=(
            _("What has to be paid once to set the service up?"),
            _("What will it cost to run each year?"),
        ),
        help=_("Enter one-off and recurring costs per year below, including staff time."),
    ),
    Section(
        key="risks",
        name=_("Risks and mitigations"),
        group="case",
        questions=(
            _("What could stop the service working or cause harm, and how likely is it?"),
            _("What will be done about each risk, and by whom?"),
        ),
        help=_("The ethics canvas' negative effects and how to minimise them are shown here."),
        offers="risks",
    ),
    Section(
        key="measures",
        name=_("Measures of success"),
        group="case",
        questions=(
            _("Which figures will show that the service works, and what are they today?"),
            _("When and how will they be measured?"),
        ),
        help=_("Pick a few measures the team can really collect, with a baseline and a target."),
    ),
    Section(
        key="delivery",
        name=_("Delivery and pilot plan"),
        group="case",
        questions=(
            _("What will a first pilot test, where, and for how long?"),
            _("What are the milestones from pilot to running service?"),
        ),
        help=_("Small and soon beats big and late: plan the pilot that answers the biggest doubt."),
    ),
    Section(
        key="governance",
        name=_("Governance"),
        group="case",
        questions=(
            _("Who owns the service and its data, and who decides on changes?"),
            _("Which agreements, boards or reviews keep it on track?"),
        ),
        help=_("Name the accountable owner and the data-sharing agreements the service relies on."),
    ),
    Section(
        key="decision",
        name=_("The decision asked for"),
        group="case",
        questions=(
            _("What exactly is the decision maker asked to approve: money, people, time?"),
            _("What happens if the answer is no, or not yet?"),
        ),
        help=_("One or two sentences a senior official can say yes or no to."),
    ),
)

ETHICS_BY_KEY = {section.key: section for section in ETHICS_SECTIONS}
BUSINESS_BY_KEY = {section.key: section for section in BUSINESS_SECTIONS}


def ethics_groups() -> list[tuple[str, str, list[Section]]]:
    """The ethics sections under their group names, in canvas order."""
    return [
        (key, name, [s for s in ETHICS_SECTIONS if s.group == key]) for key, name in ETHICS_GROUPS
    ]
