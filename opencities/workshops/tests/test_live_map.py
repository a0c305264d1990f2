"""Moving several nodes of the current map at once (``nodes.move``, as after dragging a
selection or arranging the map in the room's editor): one change in the log, all of them or
none, only on this workshop's current map."""

import math
import uuid

import pytest
from channels.layers import get_channel_layer

from opencities.inventory.models import Actor
from opencities.maps.models import Node
from opencities.projects.models import Project
from opencities.workshops import agenda, controls, join, live
from opencities.workshops.models import Operation, Participant, ParticipantKind, Workshop

from .conftest import NOON, join_as_guest
from .test_consumer import Tab, in_own_loop, run


def guest_of(workshop: Workshop, name: str = "Gita") -> live.Sender:
    participant = Participant.objects.create(
        workshop=workshop, display_name=name, kind=ParticipantKind.GUEST
    )
    return live.Sender(participant, can_run=False)


def move(workshop: Workshop, sender: live.Sender, positions) -> live.Change:
    request = live.Request("nodes.move", uuid.uuid4().hex, 1, {"positions": positions})
    return live.perform(workshop, sender, request)


@pytest.fixture
def nodes(bin_map, workspace) -> list[Node]:
    return [
        Node.objects.create(
            map=bin_map, actor=Actor.objects.create(workspace=workspace, name=name), x=0, y=0
        )
        for name in ("Depot", "Council", "Recyclers")
    ]


def places(nodes: list[Node]) -> list[tuple]:
    return [tuple(Node.objects.values_list("x", "y").get(pk=node.pk)) for node in nodes]


def refused(code: str, workshop: Workshop, sender: live.Sender, positions, nodes) -> None:
    """Assert the move is refused with `code`, and nothing moved or was logged."""
    before, logged = places(nodes), Operation.objects.count()
    with pytest.raises(live.Problem) as caught:
        move(workshop, sender, positions)
    assert caught.value.code == code, str(caught.value)
    assert places(nodes) == before
    assert Operation.objects.count() == logged


def test_several_nodes_move_in_one_logged_change(running_workshop, nodes, bin_map):
    depot, council, _recyclers = nodes
    version = running_workshop.version
    change = move(
        running_workshop,
        guest_of(running_workshop),
        [{"id": depot.pk, "x": 10, "y": -20.5}, {"id": council.pk, "x": 300, "y": 40}],
    )

    assert change.kind == "nodes.move" and change.version == version + 1
    assert change.payload == {
        "map": bin_map.pk,
        "positions": [
            {"id": depot.pk, "x": 10.0, "y": -20.5},
            {"id": council.pk, "x": 300.0, "y": 40.0},
        ],
    }
    assert places(nodes) == [(10.0, -20.5), (300.0, 40.0), (0.0, 0.0)]
    assert Operation.objects.filter(kind="nodes.move").count() == 1


BAD_POSITIONS = {
    "missing": lambda node: None,
    "not a list": lambda node: "everything",
    "empty": lambda node: [],
    "without y": lambda node: [{"id": node, "x": 1}],
    "with z": lambda node: [{"id": node, "x": 1, "y": 2, "z": 3}],
    "not an object": lambda node: [["id", node]],
    "id as text": lambda node: [{"id": str(node), "x": 1, "y": 2}],
    "id as true": lambda node: [{"id": True, "x": 1, "y": 2}],
    "x as text": lambda node: [{"id": node, "x": "left", "y": 2}],
    "x not a number": lambda node: [{"id": node, "x": math.nan, "y": 2}],
    "y infinite": lambda node: [{"id": node, "x": 1, "y": math.inf}],
    "y too far": lambda node: [{"id": node, "x": 1, "y": 2e9}],
    "too many": lambda node: [{"id": node, "x": 1, "y": 2}] * (live.MAX_MOVES + 1),
}


@pytest.mark.parametrize("bad", BAD_POSITIONS.values(), ids=BAD_POSITIONS.keys())
def test_a_bad_list_of_positions_moves_nothing(running_workshop, nodes, bad):
    refused("invalid", running_workshop, guest_of(running_workshop), bad(nodes[0].pk), nodes)


def test_other_fields_are_refused(running_workshop, nodes):
    request = live.Request(
        "nodes.move", "tab", 1, {"positions": [{"id": nodes[0].pk, "x": 1, "y": 1}], "colour": 1}
    )
    with pytest.raises(live.Problem) as caught:
        live.perform(running_workshop, guest_of(running_workshop), request)
    assert caught.value.code == "invalid"
    assert places(nodes)[0] == (0.0, 0.0)


def test_a_node_of_another_map_moves_none_of_them(running_workshop, nodes, project, workspace):
    elsewhere = project.maps.create(title="Future bins")
    far = Node.objects.create(
        map=elsewhere, actor=Actor.objects.create(workspace=workspace, name="Far"), x=5, y=5
    )
    positions = [{"id": nodes[0].pk, "x": 99, "y": 99}, {"id": far.pk, "x": 1, "y": 1}]
    refused("not_found", running_workshop, guest_of(running_workshop), positions, [*nodes, far])
    refused(
        "not_found",
        running_workshop,
        guest_of(running_workshop, "Hamid"),
        [{"id": 999_999, "x": 1, "y": 1}],
        nodes,
    )


def test_a_guest_of_another_workshop_reaches_only_its_own_map(
    running_workshop, nodes, workspace, editor
):
    """Their own room's current map is another one: this map's nodes are not found there."""
    other_project = Project.objects.create(workspace=workspace, title="Parks", challenge="Parks")
    other_map = other_project.maps.create(title="Park data")
    other = agenda.create_workshop(other_project, title="Parks", date=NOON, facilitator=editor)
    controls.start(other, at=NOON)
    assert other.current_step.map_id == other_map.pk
    positions = [{"id": node.pk, "x": 7, "y": 7} for node in nodes]
    refused("not_found", other, guest_of(other, "Ines"), positions, nodes)


def test_moves_need_a_running_unlocked_workshop_and_a_map_step(running_workshop, nodes, editor):
    positions = [{"id": nodes[0].pk, "x": 3, "y": 4}, {"id": nodes[1].pk, "x": 5, "y": 6}]
    gita = guest_of(running_workshop)
    controls.lock(running_workshop)
    refused("forbidden", running_workshop, gita, positions, nodes)
    facilitator = live.Sender(join.join_member(running_workshop, editor), can_run=True)
    assert move(running_workshop, facilitator, positions).kind == "nodes.move"
    controls.unlock(running_workshop)

    controls.next_step(running_workshop)  # the ethics canvas: no map
    refused("refused", running_workshop, gita, positions, nodes)
    controls.end(running_workshop)
    refused("refused", running_workshop, gita, positions, nodes)


@pytest.mark.django_db(transaction=True)
def test_a_move_of_several_is_broadcast_to_everyone_in_the_room(running_workshop, nodes):
    in_own_loop(get_channel_layer().flush)
    gita = Tab(running_workshop, join_as_guest(running_workshop, "Gita"), "gita-tab")
    hamid = Tab(running_workshop, join_as_guest(running_workshop, "Hamid"), "hamid-tab")
    positions = [{"id": node.pk, "x": 100.0 * i, "y": 50.0} for i, node in enumerate(nodes)]

    async def scenario():
        await gita.open()
        await hamid.open()
        await gita.send("nodes.move", positions=positions)
        ack = await gita.next("ack")
        seen = await hamid.next("change")
        assert seen["kind"] == "nodes.move" and seen["version"] == ack["version"]
        assert seen["payload"]["positions"] == positions == ack["result"]["positions"]
        await gita.close()
        await hamid.close()

    run(scenario)
    assert places(nodes) == [(0.0, 50.0), (100.0, 50.0), (200.0, 50.0)]


def test_a_map_change_meant_for_another_step_s_map_is_refused(running_workshop, bin_map, project):
    """The room names the map each change was made on: once the facilitator has moved on to a
    step with another map, a change still on its way lands nowhere instead of on that map."""
    from opencities.maps.models import EcosystemMap

    other = EcosystemMap.objects.create(project=project, title="Waste data tomorrow")
    gita = guest_of(running_workshop)

    def add(name: str, meant: int) -> live.Change:
        data = {"kind": "actor", "name": name, "map": meant}
        return live.perform(running_workshop, gita, live.Request("node.add", "tab", 1, data))

    with pytest.raises(live.Problem) as caught:
        add("Depot", other.pk)
    assert caught.value.code == "refused" and "another step" in str(caught.value)
    assert not Node.objects.exists() and not Operation.objects.filter(kind="node.add").exists()

    change = add("Depot", bin_map.pk)
    assert change.payload["map"] == bin_map.pk
    assert Node.objects.get().map == bin_map
    with pytest.raises(live.Problem) as caught:
        live.perform(
            running_workshop,
            gita,
            live.Request("node.delete", "tab", 2, {"id": change.payload["id"], "map": "x"}),
        )
    assert caught.value.code == "invalid"
    assert Node.objects.exists()
