"""Sticky notes on a canvas section become that section's contributions."""

from opencities.canvases.models import (
    BusinessCase,
    Contribution,
    ContributionSource,
    EthicsCanvas,
)
from opencities.workshops.models import Note, Participant, ParticipantKind, StepKind
from opencities.workshops.notes import boards_for, section_for, sync_contribution


def note_on(workshop, board: str, author=None, text="Ask the depot for lift logs") -> Note:
    kind = {"ethics": StepKind.ETHICS_CANVAS, "business": StepKind.BUSINESS_CASE}.get(
        board.split(":")[0], StepKind.BRAINSTORM
    )
    step = workshop.steps.filter(kind=kind).first() or workshop.steps.first()
    return Note.objects.create(workshop=workshop, step=step, board=board, text=text, author=author)


def guest(workshop, name="Gita") -> Participant:
    return Participant.objects.create(workshop=workshop, display_name=name, kind="guest")


def test_a_note_on_an_ethics_section_becomes_its_contribution(workshop):
    note = note_on(workshop, "ethics:data_sources", author=guest(workshop))

    contribution = sync_contribution(note)

    section = EthicsCanvas.objects.get(project=workshop.project).sections.get(key="data_sources")
    assert contribution.ethics_section == section and contribution.business_section is None
    assert contribution.text == "Ask the depot for lift logs"
    assert contribution.source == ContributionSource.WORKSHOP
    assert (contribution.author, contribution.author_name, contribution.by) == (
        None,
        "Gita",
        "Gita",
    )
    assert contribution.created == note.created
    note.refresh_from_db()
    assert note.contribution == contribution


def test_a_members_note_is_theirs(workshop, viewer):
    member = Participant.objects.create(
        workshop=workshop, user=viewer, display_name="Vera V", kind=ParticipantKind.MEMBER
    )
    contribution = sync_contribution(note_on(workshop, "business:benefits", author=member))

    assert contribution.business_section == BusinessCase.objects.get().sections.get(key="benefits")
    assert contribution.author == viewer


def test_an_edited_or_moved_note_updates_its_contribution(workshop):
    note = note_on(workshop, "ethics:data_sources")
    first = sync_contribution(note)
    note.text, note.board = "Lift logs are personal data", "ethics:rights"
    note.save()

    again = sync_contribution(note)

    assert again.pk == first.pk
    assert Contribution.objects.count() == 1
    assert (again.text, again.ethics_section.key) == ("Lift logs are personal data", "rights")


def test_a_deleted_note_takes_its_contribution_away(workshop):
    note = note_on(workshop, "ethics:data_sources")
    sync_contribution(note)
    note.deleted = True
    note.save()

    assert sync_contribution(note) is None

    assert not Contribution.objects.exists()
    note.refresh_from_db()
    assert note.contribution is None and note.deleted


def test_a_brainstorm_note_is_no_contribution(workshop):
    assert sync_contribution(note_on(workshop, "brainstorm")) is None
    assert sync_contribution(note_on(workshop, "ethics:no_such_section")) is None
    assert not Contribution.objects.exists()


def test_the_boards_of_each_kind_of_step(workshop):
    map_step, ethics, business = workshop.steps.all()
    assert boards_for(map_step) == []
    assert len(boards_for(ethics)) == 15
    assert boards_for(ethics)[0] == ("ethics:data_sources", "Data sources")
    assert ("business:benefits", "Benefits") in boards_for(business)


def test_a_board_starts_the_canvas_the_project_had_not_opened(workshop):
    assert not EthicsCanvas.objects.exists()
    assert section_for(workshop.project, "ethics:reasons").key == "reasons"
    assert EthicsCanvas.objects.get().sections.count() == 15
    assert section_for(workshop.project, "brainstorm") is None
