"""What the business case takes live from the maps and the ethics canvas."""

import pytest

from opencities.canvases import feeds
from opencities.canvases.models import Contribution, EthicsCanvas
from opencities.inventory.models import Actor, Dataset, DatasetStatus
from opencities.maps.models import EcosystemMap, Exchange, MapState, Node
from opencities.projects.models import Project


@pytest.fixture
def project(workspace):
    return Project.objects.create(workspace=workspace, title="Bins", challenge="Missed bins")


@pytest.fixture
def today(project):
    return EcosystemMap.objects.create(project=project, title="Waste today")


@pytest.fixture
def future(project):
    return EcosystemMap.objects.create(project=project, title="Waste", state=MapState.FUTURE)


@pytest.fixture
def contractor(workspace):
    return Actor.objects.create(workspace=workspace, name="Waste Contractor")


def flow(on, source, target, **fields) -> Exchange:
    return Exchange.objects.create(map=on, source=source, target=target, **fields)


def test_a_dataset_on_two_maps_is_listed_once_with_both(today, future, dataset):
    Node.objects.create(map=today, dataset=dataset)
    Node.objects.create(map=future, dataset=dataset)

    (need,) = feeds.data_needed(today.project)

    assert need.dataset == dataset
    assert set(need.maps) == {today, future}
    assert not need.needs_work


def test_gaps_and_unidentified_data_are_flagged(today, workspace):
    gap = Dataset.objects.create(
        workspace=workspace, identifier="lifts", title="Bin lifts", status=DatasetStatus.GAP
    )
    unknown = Dataset.objects.create(
        workspace=workspace,
        identifier="tips",
        title="Fly-tips",
        status=DatasetStatus.UNIDENTIFIED,
    )
    Node.objects.create(map=today, dataset=gap)
    Node.objects.create(map=today, dataset=unknown)

    lifts, tips = feeds.data_needed(today.project)

    assert (lifts.dataset, lifts.is_gap, lifts.is_unidentified) == (gap, True, False)
    assert (tips.dataset, tips.is_gap, tips.is_unidentified) == (unknown, False, True)
    assert lifts.needs_work and tips.needs_work


def test_a_blocked_flow_is_flagged_with_its_reasons(today, actor, contractor, dataset):
    council = Node.objects.create(map=today, actor=actor)
    firm = Node.objects.create(map=today, actor=contractor)
    blocked = flow(
        today, council, firm, dataset=dataset, status="blocked", blocked_reasons=["legal", "cost"]
    )

    (need,) = feeds.data_needed(today.project)  # named by a flow, though not drawn as a node

    assert [f.exchange for f in need.blocked] == [blocked]
    assert need.blocked[0].blocked_reasons == ["Legal", "Cost"]
    assert need.needs_work and not need.planned


def test_proposed_and_potential_flows_are_flagged_as_planned(today, actor, contractor, dataset):
    data = Node.objects.create(map=today, dataset=dataset)
    council = Node.objects.create(map=today, actor=actor)
    firm = Node.objects.create(map=today, actor=contractor)
    proposed = flow(today, data, council, status="proposed")  # carries its source node's data
    potential = flow(today, council, firm, dataset=dataset, status="potential")
    flow(today, data, firm, status="active")

    (need,) = feeds.data_needed(today.project)

    assert [f.exchange for f in need.planned] == [proposed, potential]
    assert len(need.flows) == 3
    assert not need.needs_work


def test_flows_of_money_and_other_projects_maps_are_not_data_needed(
    today, workspace, actor, contractor, dataset
):
    council = Node.objects.create(map=today, actor=actor)
    firm = Node.objects.create(map=today, actor=contractor)
    flow(today, council, firm, kind="money")
    elsewhere = Project.objects.create(workspace=workspace, title="Buses", challenge="Late")
    Node.objects.create(
        map=EcosystemMap.objects.create(project=elsewhere, title="x"), dataset=dataset
    )

    assert feeds.data_needed(today.project) == []


def test_partners_are_grouped_by_the_roles_merged_over_the_maps(today, future, actor, contractor):
    residents = Actor.objects.create(workspace=actor.workspace, name="Residents")
    Node.objects.create(map=today, actor=actor, roles=["steward"])
    Node.objects.create(map=future, actor=actor, roles=["steward", "decision_maker"])
    Node.objects.create(map=today, actor=contractor, roles=["contributor"])
    Node.objects.create(map=future, actor=residents)

    groups = feeds.partners(today.project)

    assert [(g.label, [p.actor.name for p in g.partners]) for g in groups] == [
        ("Steward", ["Transport Department"]),
        ("Contributor", ["Waste Contractor"]),
        ("Decision maker", ["Transport Department"]),
        ("No role given yet", ["Residents"]),
    ]
    council = groups[0].partners[0]
    assert council.roles == ["steward", "decision_maker"]
    assert council.roles_by_map == [
        (today, ["steward"]),  # the current state first
        (future, ["steward", "decision_maker"]),
    ]


def test_risks_come_from_the_ethics_canvas_negative_effects_and_mitigations(project, editor):
    assert feeds.risks(project) == []  # no ethics canvas yet, and none is made by looking

    canvas = EthicsCanvas.for_project(project)
    harms = canvas.sections.get(key="negative_effects")
    harms.summary = "Crews could be tracked."
    harms.save()
    Contribution.objects.create(ethics_section=harms, text="Drivers feel watched", author=editor)

    negative, minimising = feeds.risks(project)

    assert negative == harms and minimising.key == "minimising"
    assert negative.summary == "Crews could be tracked."
    assert [c.text for c in negative.contributions.all()] == ["Drivers feel watched"]
    assert not EthicsCanvas.objects.exclude(pk=canvas.pk).exists()
