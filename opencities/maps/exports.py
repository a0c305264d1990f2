"""A map as data other tools read: JSON (our own layout, for scripts and the API) and GraphML
(for Gephi, yEd, Cytoscape desktop and networkx)."""

import io
from typing import Any

import networkx as nx

from .models import EcosystemMap, Exchange, Node


def node_as_json(node: Node) -> dict[str, Any]:
    """One node as plain JSON types: what it is, its roles here and where it is drawn."""
    entry: dict[str, Any] = {
        "id": node.pk,
        "type": node.kind,
        "name": str(node.target),
        "inventory_id": node.target.pk,
        "roles": list(node.roles),
        "x": node.x,
        "y": node.y,
    }
    if node.actor:
        entry["sector"] = node.actor.sector
    elif node.dataset:
        entry.update(status=node.dataset.status, spectrum=node.dataset.spectrum)
    else:
        entry["technology_kind"] = node.technology.kind
    return entry


def exchange_as_json(exchange: Exchange) -> dict[str, Any]:
    return {
        "id": exchange.pk,
        "source": exchange.source_id,
        "target": exchange.target_id,
        "kind": exchange.kind,
        "dataset_id": exchange.dataset_id,
        "dataset": exchange.dataset.title if exchange.dataset else None,
        "description": exchange.description,
        "mechanism": exchange.mechanism,
        "frequency": exchange.frequency,
        "access": exchange.access,
        "status": exchange.status,
        "blocked_reasons": list(exchange.blocked_reasons),
        "blocked_note": exchange.blocked_note,
    }


# The whole map is read as plain rows rather than model instances: a 5,000-node map makes about
# 28,000 instances, which took the editor's load 1.1 to 1.9 s, where these rows take 0.1 to 0.4 s
# (benchmarks/map_editor.py). The entries are the same as node_as_json / exchange_as_json give.
NODE_COLUMNS = {
    "pk": "id",
    "roles": "roles",
    "x": "x",
    "y": "y",
    "actor_id": "actor",
    "actor__name": "actor_name",
    "actor__sector": "sector",
    "dataset_id": "dataset",
    "dataset__title": "title",
    "dataset__status": "status",
    "dataset__spectrum": "spectrum",
    "technology_id": "technology",
    "technology__name": "technology_name",
    "technology__kind": "technology_kind",
}
EXCHANGE_COLUMNS = {
    "pk": "id",
    "source_id": "source",
    "target_id": "target",
    "kind": "kind",
    "dataset_id": "dataset_id",
    "dataset__title": "dataset",
    "description": "description",
    "mechanism": "mechanism",
    "frequency": "frequency",
    "access": "access",
    "status": "status",
    "blocked_reasons": "blocked_reasons",
    "blocked_note": "blocked_note",
}


def _rows(queryset, columns: dict[str, str]) -> list[dict[str, Any]]:
    return [
        dict(zip(columns.values(), row, strict=True))
        for row in queryset.order_by("pk").values_list(*columns)
    ]


def _nodes(ecosystem_map: EcosystemMap) -> list[dict[str, Any]]:
    nodes = []
    for row in _rows(ecosystem_map.nodes, NODE_COLUMNS):
        entry: dict[str, Any] = {"id": row["id"], "roles": list(row["roles"])}
        entry.update(x=row["x"], y=row["y"])
        if row["actor"]:
            entry.update(type="actor", name=row["actor_name"], inventory_id=row["actor"])
            entry["sector"] = row["sector"]
        elif row["dataset"]:
            entry.update(type="dataset", name=row["title"], inventory_id=row["dataset"])
            entry.update(status=row["status"], spectrum=row["spectrum"])
        else:
            entry.update(type="technology", name=row["technology_name"])
            entry.update(inventory_id=row["technology"], technology_kind=row["technology_kind"])
        nodes.append(entry)
    return nodes


def _exchanges(ecosystem_map: EcosystemMap) -> list[dict[str, Any]]:
    return _rows(ecosystem_map.exchanges, EXCHANGE_COLUMNS)


def map_as_json(ecosystem_map: EcosystemMap) -> dict[str, Any]:
    project = ecosystem_map.project
    return {
        "map": {
            "id": ecosystem_map.pk,
            "title": ecosystem_map.title,
            "state": ecosystem_map.state,
            "description": ecosystem_map.description,
            "based_on": ecosystem_map.based_on_id,
            "project": {"id": project.pk, "title": project.title},
            "workspace": project.workspace.slug,
        },
        "nodes": _nodes(ecosystem_map),
        "exchanges": _exchanges(ecosystem_map),
    }


def _graphml_value(value: Any) -> Any:
    """GraphML attributes are scalars: lists become "a;b", a missing value an empty string."""
    if isinstance(value, list):
        return ";".join(str(item) for item in value)
    return "" if value is None else value


def map_as_graphml(ecosystem_map: EcosystemMap) -> bytes:
    data = map_as_json(ecosystem_map)
    graph = nx.MultiDiGraph(name=data["map"]["title"], state=data["map"]["state"])
    for node in data["nodes"]:
        attributes = {k: _graphml_value(v) for k, v in node.items() if k != "id"}
        graph.add_node(f"n{node['id']}", **attributes)
    for exchange in data["exchanges"]:
        attributes = {
            k: _graphml_value(v) for k, v in exchange.items() if k not in {"id", "source", "target"}
        }
        graph.add_edge(
            f"n{exchange['source']}",
            f"n{exchange['target']}",
            key=f"e{exchange['id']}",
            **attributes,
        )
    out = io.BytesIO()
    nx.write_graphml(graph, out, encoding="utf-8")
    return out.getvalue()
