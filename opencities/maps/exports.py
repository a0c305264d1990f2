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


def _nodes(ecosystem_map: EcosystemMap) -> list[dict[str, Any]]:
    return [
        node_as_json(node)
        for node in ecosystem_map.nodes.select_related("actor", "dataset", "technology")
    ]


def _exchanges(ecosystem_map: EcosystemMap) -> list[dict[str, Any]]:
    return [exchange_as_json(e) for e in ecosystem_map.exchanges.select_related("dataset")]


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
