"""Loads the fictional demo city (Riverton) shipped with the toolkit."""

import json
from pathlib import Path

from django.db import transaction

from opencities.accounts.models import Workspace
from opencities.inventory.models import Actor, Dataset, Distribution, Theme

DEMO_FILE = Path(__file__).with_name("riverton.json")


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
    return workspace
