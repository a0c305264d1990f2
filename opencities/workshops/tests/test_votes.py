"""Dot-voting results: ranked by dots, each target named in words."""

import pytest

from opencities.inventory.models import Actor, Dataset
from opencities.maps.findings import FindingKind, analyse
from opencities.maps.models import Exchange, FlowStatus, Node
from opencities.workshops.agenda import create_workshop
from opencities.workshops.models import Dot, Note, Participant, Vote, VoteTarget
from opencities.workshops.votes import opportunity_key, results


@pytest.fixture
def voters(running_workshop):
    return [
        Participant.objects.create(workshop=running_workshop, display_name=name, kind="guest")
        for name in ("Ann", "Bo", "Cy")
    ]


def place(vote, voter, key, times=1):
    for _ in range(times):
        Dot.objects.create(vote=vote, participant=voter, target_key=str(key))


def test_notes_are_ranked_by_dots_then_by_name(running_workshop, voters):
    w = running_workshop
    step = w.steps.get(position=2)
    notes = {
        text: Note.objects.create(workshop=w, step=step, board="ethics:reasons", text=text)
        for text in ("Fewer missed bins", "Cheaper rounds", "Happier residents", "Unvoted")
    }
    vote = Vote.objects.create(workshop=w, step=step, title="Which matters most?", target="notes")
    ann, bo, cy = voters
    place(vote, ann, notes["Cheaper rounds"].pk, times=2)
    place(vote, bo, notes["Fewer missed bins"].pk)
    place(vote, cy, notes["Fewer missed bins"].pk)
    place(vote, cy, notes["Happier residents"].pk)
    place(vote, bo, notes["Happier residents"].pk)
    place(vote, ann, 999_999)  # a note that is gone

    assert results(vote) == [
        (str(notes["Cheaper rounds"].pk), "Cheaper rounds", 2),
        (str(notes["Fewer missed bins"].pk), "Fewer missed bins", 2),
        (str(notes["Happier residents"].pk), "Happier residents", 2),
        ("999999", "(removed since)", 1),
    ]


def test_a_long_note_is_cut_short_in_the_results(running_workshop, voters):
    note = Note.objects.create(
        workshop=running_workshop, step=running_workshop.steps.first(), board="b", text="a" * 300
    )
    vote = Vote.objects.create(workshop=running_workshop, title="Q", target="notes")
    place(vote, voters[0], note.pk)
    [(_key, label, _count)] = results(vote)
    assert len(label) == 80 and label.endswith("…")


def test_notes_of_another_workshop_are_not_named(running_workshop, voters, project, editor):
    other = create_workshop(project, title="Other", date=running_workshop.date, facilitator=editor)
    elsewhere = Note.objects.create(
        workshop=other, step=other.steps.first(), board="b", text="Secret"
    )
    vote = Vote.objects.create(workshop=running_workshop, title="Q", target="notes")
    place(vote, voters[0], elsewhere.pk)
    assert results(vote) == [(str(elsewhere.pk), "(removed since)", 1)]


@pytest.fixture
def needs_lifts(bin_map, workspace):
    """A map where transport needs the bin lift data the waste team holds: a blocked flow and
    an opportunity."""
    waste = Actor.objects.create(workspace=workspace, name="Waste team", sector="public")
    transport = Actor.objects.create(workspace=workspace, name="Transport", sector="public")
    lifts = Dataset.objects.create(
        workspace=workspace, identifier="lifts", title="Bin lifts", steward=waste
    )
    waste_node = Node.objects.create(map=bin_map, actor=waste)
    transport_node = Node.objects.create(map=bin_map, actor=transport)
    blocked = Exchange.objects.create(
        map=bin_map,
        source=waste_node,
        target=transport_node,
        dataset=lifts,
        status=FlowStatus.BLOCKED,
        blocked_reasons=["legal"],
    )
    Exchange.objects.create(
        map=bin_map,
        source=waste_node,
        target=transport_node,
        dataset=lifts,
        status=FlowStatus.PROPOSED,
    )
    return blocked


def test_blocked_flows_are_named_by_their_ends(running_workshop, voters, needs_lifts):
    vote = Vote.objects.create(workshop=running_workshop, title="Q", target="blocked_flows")
    place(vote, voters[0], needs_lifts.pk)
    assert results(vote) == [(str(needs_lifts.pk), "Waste team → Transport (data)", 1)]


def test_opportunities_are_named_by_the_finding(running_workshop, voters, needs_lifts, bin_map):
    [opportunity] = [f for f in analyse(bin_map) if f.kind == FindingKind.OPPORTUNITY]
    key = opportunity_key(bin_map.pk, opportunity)
    vote = Vote.objects.create(
        workshop=running_workshop, title="Q", target=VoteTarget.OPPORTUNITIES
    )
    place(vote, voters[0], key, times=3)
    place(vote, voters[1], "0:0:0")

    assert results(vote) == [
        (key, "Transport could get Bin lifts", 3),
        ("0:0:0", "(removed since)", 1),
    ]
