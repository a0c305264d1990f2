"""How a map looks, in one place: the browser editor and the pictures drawn on the server (SVG,
PNG) read the same colours, shapes and dash patterns, so a downloaded picture matches the screen.
The labels are in the language of the page (or of whoever downloads the picture).

Colours were picked to stay apart for the common kinds of colour blindness and to keep white or
dark text readable; status is never told by colour alone (each status also has its own dash).
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

NODE_SIZE = 44  # diameter of a node in map units (Cytoscape pixels at zoom 1)

NODE_STYLES: dict[str, dict[str, str]] = {
    "actor": {"label": _("Actor"), "shape": "ellipse", "fill": "#2f6db5", "border": "#1d4a7e"},
    "dataset": {
        "label": _("Dataset"),
        "shape": "round-rectangle",
        "fill": "#218a63",
        "border": "#135c41",
    },
    "technology": {
        "label": _("Technology"),
        "shape": "diamond",
        "fill": "#7d4fb0",
        "border": "#553479",
    },
}

# A dataset that is a gap or unidentified is drawn hollow, with a dashed or dotted border.
DATASET_STATUS_STYLES: dict[str, dict[str, str]] = {
    "exists": {"label": _("Dataset that exists"), "fill": "", "border_style": "solid"},
    "gap": {"label": _("Gap — needed but missing"), "fill": "#ffffff", "border_style": "dashed"},
    "unidentified": {"label": _("Unidentified data"), "fill": "#ffffff", "border_style": "dotted"},
}

FLOW_STYLES: dict[str, dict[str, Any]] = {
    "active": {"label": _("Active"), "color": "#4a5563", "dash": []},
    "blocked": {"label": _("Blocked"), "color": "#c0392b", "dash": [2, 5]},
    "proposed": {"label": _("Proposed"), "color": "#c27c0e", "dash": [10, 6]},
    "potential": {"label": _("Potential"), "color": "#8e9aab", "dash": [3, 3]},
}

# Arrow heads tell the kind of exchange apart, independently of its status.
EXCHANGE_KIND_ARROWS: dict[str, dict[str, str]] = {
    "data": {"label": _("Data"), "arrow": "triangle"},
    "money": {"label": _("Money"), "arrow": "square"},
    "service": {"label": _("Service or product"), "arrow": "diamond"},
    "insight": {"label": _("Insight, feedback or expertise"), "arrow": "circle"},
}


def as_json() -> dict[str, Any]:
    """Everything above, for the editor's script (given to it with `json_script`)."""
    return {
        "nodeSize": NODE_SIZE,
        "nodes": NODE_STYLES,
        "datasetStatus": DATASET_STATUS_STYLES,
        "flows": FLOW_STYLES,
        "kinds": EXCHANGE_KIND_ARROWS,
    }
