"""Loads the fictional demo city (Riverton) shipped with the toolkit."""

import json
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from opencities.accounts.models import Workspace
from opencities.inventory.models import Actor, Dataset, Distribution, Technology, Theme
from opencities.maps.models import EcosystemMap, Exchange, Node
from opencities.projects.models import Project

DEMO_FILE = Path(__file__).with_name("riverton.json")
PROJECTS_FILE = Path(__file__).with_name("riverton_projects.json")
CANVASES_FILE = Path(__file__).with_name("riverton_canvases.json")
WORKSHOPS_FILE = Path(__file__).with_name("riverton_workshops.json")


@transaction.atomic
def load_demo(path: Path = DEMO_FILE) -> Workspace:
    """Create the demo workspace with its actors and datasets; all of it or none of it."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    workspace = Workspace.objects.create(**data["workspace"])
    source = f"demo: {Path(path).name}"
    themes = {name: Theme.objects.create(workspace=workspace, name=name) for name in data["themes"]}
    actors: dict[str, Actor] = {}
    for row in data["actors"]:
        fields = {key: value for key, value in row.items() if key != "parent"}
        actors[row["name"]] = Actor.objects.create(
            workspace=workspace,
            parent=actors[row["parent"]] if row["parent"] else None,
            source=source,
            **fields,
        )
    for row in data["datasets"]:
        fields = {
            key: value
            for key, value in row.items()
            if key not in {"steward", "themes", "distributions"}
        }
        dataset = Dataset.objects.create(
            workspace=workspace,
            steward=actors[row["steward"]] if row["steward"] else None,
            source=source,
            **fields,
        )
        dataset.themes.set([themes[name] for name in row["themes"]])
        Distribution.objects.bulk_create(
            Distribution(dataset=dataset, position=n, **dist)
            for n, dist in enumerate(row["distributions"])
        )
    if PROJECTS_FILE.exists() and path == DEMO_FILE:
        load_projects(workspace, PROJECTS_FILE)
        load_canvases(workspace, CANVASES_FILE)
    return workspace


def load_projects(workspace: Workspace, path: Path) -> None:
    """The demo's projects, each with maps of its data ecosystem, drawn from the inventory."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    actors = {a.name: a for a in workspace.actors.all()}
    datasets = {d.title: d for d in workspace.datasets.all()}
    for row in data["projects"]:
        fields = {key: value for key, value in row.items() if key != "maps"}
        project = Project.objects.create(workspace=workspace, **fields)
        maps: dict[str, EcosystemMap] = {}
        for map_row in row["maps"]:
            ecosystem_map = EcosystemMap.objects.create(
                project=project,
                title=map_row["title"],
                state=map_row["state"],
                description=map_row.get("description", ""),
                based_on=maps.get(map_row.get("based_on", "")),
            )
            maps[ecosystem_map.title] = ecosystem_map
            nodes = {}
            for node in map_row["nodes"]:
                if "actor" in node:
                    label, target = node["actor"], {"actor": actors[node["actor"]]}
                elif "dataset" in node:
                    label, target = node["dataset"], {"dataset": datasets[node["dataset"]]}
                else:
                    label = node["technology"]
                    technology, _ = Technology.objects.get_or_create(
                        workspace=workspace,
                        name=label,
                        defaults={
                            "kind": node.get("kind", "platform"),
                            "operator": actors.get(node.get("operator", "")),
                            "source": "demo",
                        },
                    )
                    target = {"technology": technology}
                nodes[label] = Node.objects.create(
                    map=ecosystem_map,
                    roles=node.get("roles", []),
                    x=node.get("x"),
                    y=node.get("y"),
                    **target,
                )
            for flow in map_row["exchanges"]:
                exchange = Exchange(
                    map=ecosystem_map,
                    source=nodes[flow["from"]],
                    target=nodes[flow["to"]],
                    kind=flow.get("kind", "data"),
                    dataset=datasets.get(flow.get("dataset") or ""),
                    description=flow.get("description", ""),
                    mechanism=flow.get("mechanism", ""),
                    frequency=flow.get("frequency", ""),
                    access=flow.get("access", ""),
                    status=flow.get("status", "active"),
                    blocked_reasons=flow.get("blocked_reasons", []),
                    blocked_note=flow.get("blocked_note", ""),
                )
                exchange.full_clean()
                exchange.save()


def load_canvases(workspace: Workspace, path: Path) -> None:
    """One demo project's Data Ethics Canvas and business case, filled in as a team would have.

    Dates are relative to the day the demo is loaded, so the next review and the actions' due
    dates always look current (one action is overdue on purpose)."""
    from opencities.canvases.models import (
        Action,
        Benefit,
        BusinessCase,
        Contribution,
        Cost,
        EthicsCanvas,
    )

    data = json.loads(Path(path).read_text(encoding="utf-8"))
    project = Project.objects.get(workspace=workspace, title=data["project"])
    today = timezone.localdate()
    ethics = data["ethics"]
    canvas = EthicsCanvas.for_project(project)
    canvas.next_review = today + timedelta(days=ethics["next_review_in_days"])
    canvas.save()
    sections = {section.key: section for section in canvas.sections.all()}
    exchanges = Exchange.objects.filter(map__project=project).select_related(
        "source__actor",
        "source__dataset",
        "source__technology",
        "target__actor",
        "target__dataset",
        "target__technology",
    )
    for key, row in ethics["sections"].items():
        section = sections[key]
        section.summary, section.status = row["summary"], row["status"]
        section.checks = row.get("checks", {})
        section.full_clean()
        section.save()
        section.datasets.set(workspace.datasets.filter(title__in=row.get("datasets", [])))
        wanted = {tuple(pair) for pair in row.get("flows", [])}
        section.exchanges.set([e for e in exchanges if (str(e.source), str(e.target)) in wanted])
        _contributions(Contribution, row, ethics_section=section)
    for action in ethics["actions"]:
        Action.objects.create(
            canvas=canvas,
            description=action["description"],
            owner_name=action["owner"],
            priority=action["priority"],
            due=today + timedelta(days=action["due_in_days"]),
            status=action["status"],
        )

    business = data["business"]
    case = BusinessCase.for_project(project)
    case.years, case.currency = business["years"], business["currency"]
    case.save()
    sections = {section.key: section for section in case.sections.all()}
    for key, row in business["sections"].items():
        sections[key].summary, sections[key].status = row["summary"], row["status"]
        sections[key].save()
        _contributions(Contribution, row, business_section=sections[key])
    for model, rows in ((Benefit, business["benefits"]), (Cost, business["costs"])):
        for row in rows:
            line = model(case=case, **row)
            line.full_clean()
            line.save()


def _contributions(model, row: dict, **section) -> None:
    model.objects.bulk_create(
        model(text=note["text"], author_name=note["by"], source="room", **section)
        for note in row.get("contributions", [])
    )


@transaction.atomic
def load_workshops(workspace: Workspace, facilitator, path: Path = WORKSHOPS_FILE) -> None:
    """Two workshops of one demo project, facilitated by `facilitator`: one held a few days ago
    (guests mapped, wrote notes on the ethics canvas and voted; actions agreed), to show what a
    workshop leaves behind, and one planned for the coming days, ready to open and run.

    The held one goes through the live layer as the room would (`live.perform`), so its log,
    notes, contributions, votes and summary are what a real workshop leaves; its times are then
    moved back to the day it was held."""
    from opencities.canvases.models import Action, Contribution, EthicsCanvas
    from opencities.workshops import agenda, controls, join, live
    from opencities.workshops.models import Note, Participant

    data = json.loads(Path(path).read_text(encoding="utf-8"))
    project = Project.objects.get(workspace=workspace, title=data["project"])
    held = data["held"]
    start = (timezone.now() - timedelta(days=held["days_ago"])).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    workshop = agenda.create_workshop(
        project, title=held["title"], date=start, facilitator=facilitator
    )
    controls.open_for_joining(workshop, at=start - timedelta(minutes=15))
    senders = {None: live.Sender(join.join_member(workshop, facilitator, at=start), True)}
    for name in held["guests"]:
        senders[name] = live.Sender(join.join_guest(workshop, name, {}, at=start), False)
    controls.start(workshop, at=start)
    counts: dict[str, int] = {}

    def do(who: str | None, op: str, **fields) -> dict:
        key = who or "facilitator"
        counts[key] = counts.get(key, 0) + 1
        request = live.Request(op, f"demo-{key}", counts[key], fields)
        return live.perform(workshop, senders[who], request).payload

    names = {str(node): node.pk for node in workshop.current_step.map.nodes.all()}
    for node in held["map"]["add"]:
        made = do(node["by"], "node.add", **{k: v for k, v in node.items() if k != "by"})
        names[node["name"]] = made["id"]
    for flow in held["map"]["connect"]:
        fields = {k: v for k, v in flow.items() if k != "by"}
        fields["source"], fields["target"] = names[flow["source"]], names[flow["target"]]
        do(flow["by"], "exchange.add", **fields)
    controls.next_step(workshop, at=start + timedelta(minutes=40))
    written = {}
    for board, rows in held["notes"].items():
        for x, (who, text) in enumerate(rows):
            note = do(who, "note.add", board=board, text=text, x=20 + 220 * x, y=20)["note"]
            written[text] = note["id"]
    for vote in held["votes"]:
        opened = do(
            None, "vote.open", title=vote["title"], target=vote["target"], dots=vote["dots"]
        )
        for who, starts in vote["placed"].items():
            for beginning in starts:
                target = next(pk for text, pk in written.items() if text.startswith(beginning))
                do(who, "dot.add", vote=opened["vote"]["id"], target=str(target))
        do(None, "vote.close", vote=opened["vote"]["id"])
    canvas = EthicsCanvas.for_project(project)
    for action in held["actions"]:
        made = Action.objects.create(
            canvas=canvas,
            description=action["description"],
            owner_name=action["owner_name"],
            priority=action["priority"],
            due=timezone.localdate() + timedelta(days=action["due_in_days"]),
        )
        Action.objects.filter(pk=made.pk).update(created=start + timedelta(minutes=75))
    controls.next_step(workshop, at=start + timedelta(minutes=70))
    controls.end(workshop, at=start + timedelta(minutes=100))
    # What the room wrote carries the loading time: move it back to the morning it was held.
    during = start + timedelta(minutes=55)
    workshop.operations.update(created=during)
    Note.objects.filter(workshop=workshop).update(created=during, updated=during)
    Contribution.objects.filter(workshop_note__workshop=workshop).update(created=during)
    Participant.objects.filter(workshop=workshop).update(last_seen=start + timedelta(minutes=100))

    planned = data["next"]
    day = (timezone.now() + timedelta(days=planned["days_ahead"])).replace(
        hour=14, minute=0, second=0, microsecond=0
    )
    agenda.create_workshop(project, title=planned["title"], date=day, facilitator=facilitator)
