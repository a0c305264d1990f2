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
