"""Benchmark of the inventory at city scale: spreadsheet import and the dataset list's search.

A large city holds tens of thousands of datasets and most of them arrive through one spreadsheet
import, after which people mostly search and filter the dataset list. This script measures both
on a realistic, generated inventory (2,000 actors and 50,000 datasets by default) and compares
each with a plain-sqlite3 baseline timed in the same run, because the machines we run on are
shared and noisy: a ratio to a baseline moves far less than a raw number between runs.

It is a script, not a test: tests check behaviour, this reports figures. Run it as

    .venv/bin/python benchmarks/inventory.py [--datasets 50000] [--actors 2000] [--repeats 30]
        [--format csv|xlsx|both] [--out benchmarks/results/inventory.json]

Each import runs in a child process of its own (this script with a hidden flag) so that its
peak memory can be read from the operating system; everything lives in a temporary folder that
is removed at the end.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

from common import REPO, machine, maxrss_mib, publish, setup_django

DEFAULT_OUT = REPO / "benchmarks" / "results" / "inventory.json"

WORKSPACE_SLUG = "benchford"
WORKSPACE_NAME = "Benchford City Council"
USERNAME = "benchmark"

IMPORT_TARGET_ROWS_PER_S = 5_000
SEARCH_TARGET_P95_MS = 150.0

# The import layout (docs/spreadsheet-layout.md). Written out here so that generating the file
# needs no Django; the import child checks them against spreadsheet.ACTOR_COLUMNS/DATASET_COLUMNS.
ACTOR_HEADER = ["name", "kind", "sector", "parent", "description", "contact", "website"]
DATASET_HEADER = [
    "identifier",
    "title",
    "description",
    "steward",
    "themes",
    "keywords",
    "licence",
    "formats",
    "update_frequency",
    "system",
    "distributions",
    "personal_data",
    "spectrum",
    "status",
]


# Generating an inventory ----------------------------------------------------------------------

AREAS = [
    "Northgate", "Southbank", "Eastfield", "Westmoor", "Riverside", "Old Town", "Harbour",
    "Kingsway", "Millbrook", "Ashford Vale", "Hillcrest", "Greenway", "Canal Quarter",
    "St Anne's", "Brookside", "Fairview", "Oakley", "Highfield", "Lowfield", "Marketgate",
    "Station Quarter", "Castle Hill", "Parkside", "Elmstead", "Thornbury", "Queens Park",
    "Wharfside", "Beacon Hill", "Meadowbank", "City-wide",
]  # fmt: skip

# Theme -> topics; a dataset's first theme is its topic's theme.
TOPICS: dict[str, list[str]] = {
    "Transport": [
        "bus stop", "traffic count", "cycle lane", "parking space", "road works",
        "bus punctuality", "taxi licence", "electric vehicle charger", "rail station usage",
    ],
    "Environment": [
        "air quality", "noise complaint", "tree canopy", "green space", "pollen count",
        "biodiversity survey", "river level",
    ],
    "Housing": [
        "council housing stock", "housing waiting list", "empty homes", "homelessness case",
        "private rental licence", "energy performance certificate",
    ],
    "Health": [
        "hospital admission", "GP registration", "vaccination uptake", "childhood obesity",
        "food hygiene inspection", "mental health referral",
    ],
    "Education": [
        "school place", "school attendance", "exam result", "free school meal", "nursery place",
        "adult learning enrolment",
    ],
    "Economy": [
        "business rate", "job vacancy", "town centre footfall", "market stall licence",
        "business start-up", "tourism visitor",
    ],
    "Waste": [
        "bin collection", "missed bin", "recycling rate", "fly-tipping report", "street cleaning",
        "garden waste subscription",
    ],
    "Energy": [
        "street lighting", "energy consumption", "solar panel installation", "heat network",
        "fuel poverty",
    ],
    "Planning": [
        "planning application", "building control", "land use", "conservation area",
        "listed building", "development site",
    ],
    "Public safety": [
        "crime incident", "fire incident", "CCTV camera", "road collision",
        "antisocial behaviour report",
    ],
    "Social care": [
        "care home", "adult social care package", "children in care", "safeguarding referral",
        "day centre attendance",
    ],
    "Culture and leisure": [
        "library loan", "leisure centre visit", "museum visitor", "event licence", "allotment",
        "playground",
    ],
    "Finance": [
        "council spending", "procurement contract", "council tax band", "grant payment",
        "budget monitoring",
    ],
    "Democracy": [
        "ward councillor", "election result", "polling station", "committee meeting", "petition",
        "consultation response",
    ],
    "Water": [
        "water quality", "sewer overflow", "drainage asset", "flood defence", "water main burst",
    ],
}  # fmt: skip
THEMES = list(TOPICS)

MEASURES = [
    "locations", "counts", "register", "inspections", "statistics", "monthly summary",
    "annual report", "survey results", "forecasts", "performance indicators", "live feed",
    "open data extract", "audit", "dashboard data", "requests", "complaints", "map layer",
    "time series",
]  # fmt: skip

# Words for descriptions, most frequent first: they are drawn with Zipf weights (1/rank), as
# words in real text are, so a search for one of them matches a realistic share of records.
FILLER = [
    "the", "of", "and", "data", "records", "city", "each", "residents", "service", "updated",
    "collected", "published", "council", "location", "ward", "reported", "address", "monthly",
    "summary", "neighbourhood", "quality", "sensor", "survey", "historic", "includes", "team",
    "annual", "public", "staff", "postcode", "network", "boundary", "contract", "partners",
    "requests", "coverage", "analysis", "estimate", "dashboard", "category", "volunteers",
    "occupancy", "inspection", "licence", "footpath", "visitors", "complaint", "forecast",
    "funding", "register", "capacity", "timetable", "outcome", "baseline", "eligibility",
    "accessibility", "maintenance", "compliance", "consultation", "satellite", "geography",
    "emissions", "benchmark", "household", "vulnerable", "threshold", "retention", "weekly",
    "spreadsheet", "archive", "portal", "interface", "schedule", "scheme", "pilot", "trend",
    "monitoring", "assessment", "provider", "catchment", "demographic", "tenancy", "enforcement",
    "junction", "corridor", "reservoir", "allocation", "procurement", "invoice", "permit",
    "appeal", "incident", "response", "referral", "placement", "tariff", "subsidy", "pavement",
    "crossing", "signal", "lamp", "kerb", "verge", "hedgerow", "meadow", "culvert", "sluice",
    "pumping", "gritting", "salting", "snow", "heatwave", "drought", "storm", "outage",
    "backlog", "waiting", "arrears", "discount", "exemption", "relief", "levy", "precept",
    "ballot", "turnout", "canvass", "electoral", "minutes", "agenda", "decision", "delegated",
    "scrutiny", "audit", "risk", "register", "asset", "depot", "fleet", "vehicle", "mileage",
    "fuel", "telemetry", "gateway", "firmware", "calibration", "uptime", "latency", "anomaly",
]  # fmt: skip
FILLER_WEIGHTS = [1 / rank for rank in range(1, len(FILLER) + 1)]

# Each rare word goes into about one dataset in 2,000; "rare word" searches use the first.
RARE_WORDS = [
    "heronry", "lamplighter", "cobblestone", "bellringer", "ferryman", "weathervane",
    "tramline", "sundial", "almshouse", "dovecote", "wheelwright", "turnpike", "millrace",
    "oxbow", "towpath", "lychgate", "bandstand", "drinking fountain", "milestone", "horse trough",
    "pinfold", "watermill", "windpump", "icehouse", "lido", "pier", "funicular", "ropewalk",
    "tannery", "maltings", "brewhouse", "foundry", "gasholder", "signal box", "toll house",
    "beacon", "semaphore", "aqueduct", "weir", "causeway",
]  # fmt: skip
RARE_RATE = 0.02

# The words the search benchmark looks for (chosen by rank, so their match rates are known).
COMMON_WORD = "neighbourhood"  # FILLER rank 20: in about one description in six
BROAD_WORD = "residents"  # FILLER rank 8: in about two descriptions in five
SECOND_WORD = "survey"  # with COMMON_WORD for a two-word search
RARE_WORD = RARE_WORDS[0]
ABSENT_WORD = "zeppelin"

FORMATS = ["CSV", "JSON", "GEOJSON", "XLSX", "PDF", "SHP", "API", "XML", "GTFS", "KML"]
SYSTEMS = [
    "Uniform", "Idox", "Northgate Revenues", "Civica APP", "Capita One", "ArcGIS Online",
    "SAP", "Oracle Financials", "Salesforce", "Dynamics 365", "Bartec", "Whitespace",
    "Mosaic", "Liquidlogic", "Confirm", "Symology", "Tranman", "Agresso", "iTrent", "Jadu",
    "Modern.gov", "SharePoint", "Azure Data Lake", "PostGIS", "CKAN", "Socrata", "Tableau",
    "Power BI", "Excel workbooks", "Paper files",
]  # fmt: skip
UPDATE_FREQUENCIES = [
    "continuous", "daily", "weekly", "monthly", "quarterly", "annual", "irregular", "never",
    "unknown",
]  # fmt: skip
SPECTRUM_WEIGHTS = {"internal": 35, "named": 15, "group": 10, "public": 10, "open": 30}
PERSONAL_WEIGHTS = {"none": 55, "aggregated": 20, "pseudonymised": 8, "personal": 14, "special": 3}
STATUS_WEIGHTS = {"exists": 93, "gap": 5, "unidentified": 2}
LICENCES = {
    "open": ["OGL-UK-3.0", "CC-BY-4.0", "ODbL-1.0", "CC0-1.0"],
    "public": ["Non-commercial licence", "OGL-UK-3.0 with attribution"],
    "group": ["Partner data licence", "Research licence"],
    "named": ["Data sharing agreement", "Memorandum of understanding"],
    "internal": [""],
}

DEPARTMENTS = [f"{theme} Department" for theme in THEMES] + [
    "Digital and Data Department",
    "Legal Services Department",
    "Human Resources Department",
    "Customer Services Department",
    "Communications Department",
]
TEAM_FUNCTIONS = [
    "Highways", "Parking Enforcement", "Street Cleaning", "Housing Options",
    "Environmental Health", "Licensing", "Trading Standards", "Planning Policy",
    "Building Control", "Data Analytics", "GIS", "Public Health Intelligence", "Libraries",
    "Parks", "Waste Collection", "Youth Services", "Community Safety", "Revenues", "Benefits",
    "Regeneration", "Flood Management", "Sustainability", "Early Help", "Adult Learning",
]  # fmt: skip
SURNAMES = [
    "Hartley", "Okafor", "Nguyen", "Patel", "Kowalski", "Murphy", "Haddad", "Lindqvist",
    "Moreau", "Achterberg", "Castillo", "Brennan", "Osei", "Fischer", "Ramírez", "Zoë Clarke",
    "Abernethy", "Singh", "Takahashi", "Walsh", "Müller", "Adeyemi", "Rossi", "Dubois",
]  # fmt: skip
INDUSTRIES = [
    "Mobility", "Analytics", "Energy", "Logistics", "Waste Solutions", "Telecom", "Water",
    "Property", "Engineering", "Software", "Parking", "Buses", "Sensors", "Mapping", "Health",
    "Consulting", "Construction", "Retail", "Security", "Data",
]  # fmt: skip
CAUSES = [
    "Food Bank", "Youth", "Elders", "Housing", "Environment", "Cycling", "Refugee Support",
    "Arts", "Disability Rights", "Mental Health", "Carers", "Allotment", "Heritage",
]  # fmt: skip
FIELDS = ["Urban Studies", "Data Science", "Public Health", "Transport", "Climate", "Economics"]
GROUP_THINGS = [
    "Residents", "Tenants", "Friends of the Park", "Cycling", "Walking", "Gardening",
    "Neighbourhood Watch", "Parents", "Traders", "Litter Pickers", "History",
]  # fmt: skip

# Kind -> (sector, weight when drawing the actors after the fixed ones, weight as a steward).
ACTOR_KINDS = {
    "team": ("public", 15, 4.0),
    "public_body": ("public", 5, 2.0),
    "company": ("private", 35, 0.6),
    "charity": ("third_sector", 17, 0.4),
    "university": ("academia", 4, 0.8),
    "community_group": ("community", 20, 0.2),
    "citizens": ("community", 1, 0.1),
}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _actor_name(rng: random.Random, kind: str) -> tuple[str, str]:
    """A plausible name for an actor of `kind`, and the name of its parent (or '')."""
    area = rng.choice(AREAS)
    if kind == "team":
        function = rng.choice(TEAM_FUNCTIONS)
        return f"{area} {function} Team", rng.choice(DEPARTMENTS)
    if kind == "public_body":
        body = rng.choice(
            [
                "NHS Trust",
                "Fire and Rescue Service",
                "Police",
                "Integrated Care Board",
                "Schools Trust",
                "Housing Association",
                "Environment Agency office",
            ]
        )
        return f"{area} {body}", ""
    if kind == "company":
        suffix = rng.choice(["Ltd", "plc", "LLP", "Group", "Partners"])
        return f"{rng.choice(SURNAMES)} {rng.choice(INDUSTRIES)} {suffix}", ""
    if kind == "charity":
        suffix = rng.choice(["Trust", "Foundation", "Network", "Alliance", "Project"])
        return f"{area} {rng.choice(CAUSES)} {suffix}", ""
    if kind == "university":
        return f"{area} Institute of {rng.choice(FIELDS)}", ""
    if kind == "community_group":
        suffix = rng.choice(["Group", "Association", "Forum", "Society"])
        return f"{area} {rng.choice(GROUP_THINGS)} {suffix}", ""
    return f"Residents of {area}", ""


@dataclass
class Inventory:
    """A generated inventory: actor and dataset rows in the import layout, as text."""

    actors: list[list[str]]
    datasets: list[list[str]]


def generate(seed: int, n_actors: int, n_datasets: int) -> Inventory:
    """The same inventory for the same seed and sizes, so runs are comparable."""
    rng = random.Random(seed)
    actors: list[list[str]] = []
    weights: dict[str, float] = {}
    names: set[str] = set()

    def add(name: str, kind: str, sector: str, parent: str, weight: float) -> None:
        names.add(name)
        slug = _slug(name)
        website = f"https://www.{slug[:40]}.example" if rng.random() < 0.7 else ""
        description = (
            f"{name} is a {kind.replace('_', ' ')} in the {sector.replace('_', ' ')} sector "
            f"working on {rng.choice(THEMES).lower()} in {rng.choice(AREAS)}."
        )
        actors.append(
            [name, kind, sector, parent, description, f"data@{slug[:30]}.example", website]
        )
        weights[name] = weight

    add(WORKSPACE_NAME, "authority", "public", "", 3.0)
    for department in DEPARTMENTS[: max(0, n_actors - 1)]:
        add(department, "department", "public", WORKSPACE_NAME, 8.0)
    draw = {kind: weight for kind, (_, weight, _) in ACTOR_KINDS.items()}
    while len(actors) < n_actors:
        kind = _pick(rng, draw)
        sector, _, steward_weight = ACTOR_KINDS[kind]
        for _ in range(20):
            name, parent = _actor_name(rng, kind)
            if name not in names:
                break
        else:
            name = f"{name} {len(actors)}"
        add(name, kind, sector, parent if parent in names else "", steward_weight)

    steward_names = list(weights)
    steward_weights = list(weights.values())
    datasets: list[list[str]] = []
    theme_topics = [(theme, topic) for theme, topics in TOPICS.items() for topic in topics]
    for number in range(1, n_datasets + 1):
        theme, topic = rng.choice(theme_topics)
        area, measure = rng.choice(AREAS), rng.choice(MEASURES)
        title = f"{area} {topic} {measure}"
        if rng.random() < 0.5:
            title += f" {rng.randint(2010, 2025)}"
        title = title[0].upper() + title[1:]
        identifier = f"{_slug(title)[:150]}-{number:05d}"
        status = _pick(rng, STATUS_WEIGHTS)
        spectrum = _pick(rng, SPECTRUM_WEIGHTS)
        steward = ""
        if status == "exists" or (status == "gap" and rng.random() < 0.5):
            steward = rng.choices(steward_names, weights=steward_weights)[0]
        words = rng.choices(FILLER, weights=FILLER_WEIGHTS, k=rng.randint(12, 30))
        if rng.random() < RARE_RATE:
            words.insert(rng.randrange(len(words) + 1), rng.choice(RARE_WORDS))
        description = (
            f"{measure.capitalize()} of {topic} in {area}"
            + (f", looked after by {steward}" if steward else "")
            + ". "
            + " ".join(words).capitalize()
            + "."
        )
        themes = [theme, *rng.sample(THEMES, rng.randint(0, 2))]
        themes = list(dict.fromkeys(themes))
        keywords = list(dict.fromkeys([*topic.lower().split(), *rng.sample(FILLER[20:], 2)]))
        formats = rng.sample(FORMATS, rng.randint(1, 3))
        distributions = []
        if status == "exists":
            for position in range(rng.choices([0, 1, 2], weights=[30, 50, 20])[0]):
                fmt = formats[position % len(formats)]
                url = (
                    f"https://data.benchford.example/datasets/{identifier}/"
                    f"{position + 1}.{fmt.lower()}"
                )
                if rng.random() < 0.2:
                    distributions.append(url)
                else:
                    distributions.append(f"{title} ({fmt}) | {url} | {fmt}")
        datasets.append(
            [
                identifier,
                title,
                description,
                steward,
                "; ".join(themes),
                "; ".join(keywords),
                rng.choice(LICENCES[spectrum]),
                "; ".join(formats),
                rng.choice(UPDATE_FREQUENCIES),
                rng.choice(SYSTEMS),
                "\n".join(distributions),
                _pick(rng, PERSONAL_WEIGHTS),
                spectrum,
                status,
            ]
        )
    return Inventory(actors, datasets)


def _progress(iterable: Any, desc: str, total: int | None = None) -> Any:
    from tqdm import tqdm

    return tqdm(iterable, desc=desc, total=total, unit="row", leave=False, mininterval=0.5)


def write_csv(folder: Path, inventory: Inventory) -> list[Path]:
    """Two files, actors first: a CSV holds one table, and datasets name actors as stewards."""
    paths = []
    for name, header, rows in (
        ("actors.csv", ACTOR_HEADER, inventory.actors),
        ("datasets.csv", DATASET_HEADER, inventory.datasets),
    ):
        path = folder / name
        with path.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(header)
            writer.writerows(_progress(rows, f"writing {name}"))
        paths.append(path)
    return paths


def write_xlsx(folder: Path, inventory: Inventory) -> list[Path]:
    """One workbook with an Actors and a Datasets sheet, as cities export from Excel."""
    from openpyxl import Workbook

    path = folder / "inventory.xlsx"
    workbook = Workbook(write_only=True)
    for title, header, rows in (
        ("Actors", ACTOR_HEADER, inventory.actors),
        ("Datasets", DATASET_HEADER, inventory.datasets),
    ):
        sheet = workbook.create_sheet(title)
        sheet.append(header)
        for row in _progress(rows, f"writing {path.name}:{title}"):
            sheet.append(row)
    workbook.save(path)
    return [path]


# Small helpers --------------------------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float:
    """Linear-interpolated percentile, as numpy's default; fine for 30+ samples."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * pct / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# The import, in a child process -----------------------------------------------------------------


def _bar(desc: str) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    """A tqdm bar driven by the (done, total) callbacks of read_plan and apply_plan."""
    from tqdm import tqdm

    bar = tqdm(desc=desc, unit="row", leave=False, mininterval=0.5)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    return update, bar.close


def _import_files(workspace: Any, user: Any, paths: list[Path], label: str) -> dict[str, Any]:
    """read_plan + apply_plan for each file in turn, timing the two phases separately."""
    from opencities.inventory import spreadsheet

    read_s = write_s = 0.0
    counts: dict[str, dict[str, int]] = {}
    started = time.perf_counter()
    for path in paths:
        update, close = _bar(f"{label}: reading {path.name}")
        t0 = time.perf_counter()
        plan = spreadsheet.read_plan(workspace, path, progress=update)
        read_s += time.perf_counter() - t0
        close()
        if not plan.ok:
            shown = "\n  ".join(str(problem) for problem in plan.problems[:10])
            raise SystemExit(f"{path.name} has {len(plan.problems)} problem(s):\n  {shown}")
        for table, by_action in plan.counts().items():
            for action, n in by_action.items():
                counts.setdefault(table, {}).setdefault(action, 0)
                counts[table][action] += n
        update, close = _bar(f"{label}: writing {path.name}")
        t0 = time.perf_counter()
        spreadsheet.apply_plan(plan, user=user, progress=update)
        write_s += time.perf_counter() - t0
        close()
    total_s = time.perf_counter() - started
    return {"seconds": total_s, "read_seconds": read_s, "write_seconds": write_s, "counts": counts}


def child_import(config: dict[str, Any]) -> None:
    """Import the generated files into a fresh database, then import them again unchanged.

    Runs in its own process so that its peak memory is the import's and nothing else's.
    """
    home = Path(config["home"])
    setup_django(home)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from opencities.accounts.models import Membership, Role, Workspace
    from opencities.inventory import spreadsheet
    from opencities.inventory.models import Actor, Dataset

    assert [c.name for c in spreadsheet.ACTOR_COLUMNS] == ACTOR_HEADER, "actor layout changed"
    assert [c.name for c in spreadsheet.DATASET_COLUMNS] == DATASET_HEADER, "dataset layout changed"

    call_command("migrate", verbosity=0)
    workspace = Workspace.objects.create(name=WORKSPACE_NAME, slug=WORKSPACE_SLUG)
    user = get_user_model().objects.create_user(username=USERNAME, password=None)
    Membership.objects.create(workspace=workspace, user=user, role=Role.OWNER)
    paths = [Path(p) for p in config["paths"]]
    rss_ready = maxrss_mib()

    if config["tracemalloc"]:
        import tracemalloc

        tracemalloc.start()
    first = _import_files(workspace, user, paths, f"{config['format']} import")
    if config["tracemalloc"]:
        first["tracemalloc_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    rss_import = maxrss_mib()
    datasets = Dataset.objects.filter(workspace=workspace).count()
    actors = Actor.objects.filter(workspace=workspace).count()
    assert datasets == config["datasets"], f"{datasets} datasets after import"
    assert actors == config["actors"], f"{actors} actors after import"

    second = _import_files(workspace, user, paths, f"{config['format']} re-import")
    assert Dataset.objects.filter(workspace=workspace).count() == config["datasets"], (
        "re-import duplicated datasets"
    )
    assert Actor.objects.filter(workspace=workspace).count() == config["actors"], (
        "re-import duplicated actors"
    )

    # Diagnostic only: how much of the read phase is parsing the file (private helpers).
    parse_s = None
    reader = {"csv": "_read_csv", "xlsx": "_read_xlsx"}[config["format"]]
    if hasattr(spreadsheet, reader):
        t0 = time.perf_counter()
        for path in paths:
            getattr(spreadsheet, reader)(path, path.name)
        parse_s = time.perf_counter() - t0

    result = {
        "import": first,
        "reimport": second,
        "parse_seconds": parse_s,
        "rss_ready_mib": rss_ready,
        "rss_after_import_mib": rss_import,
        "rss_after_reimport_mib": maxrss_mib(),
        "db_bytes": (home / "opencities.sqlite3").stat().st_size,
        "wal_bytes": sum(f.stat().st_size for f in home.glob("opencities.sqlite3-wal")),
    }
    Path(config["result"]).write_text(json.dumps(result))


def run_import_child(fmt: str, home: Path, paths: list[Path], args: argparse.Namespace) -> dict:
    """Start the import child and read its peak RSS from the kernel's accounting of it."""
    result_path = home.parent / f"{fmt}-result.json"
    config = {
        "home": str(home),
        "format": fmt,
        "paths": [str(p) for p in paths],
        "datasets": args.datasets,
        "actors": args.actors,
        "result": str(result_path),
        "tracemalloc": args.tracemalloc,
    }
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--child-import", json.dumps(config)]
    )
    # wait4 returns this child's own rusage; RUSAGE_CHILDREN would be the maximum over all
    # children so far, which mixes the CSV and XLSX imports.
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"the {fmt} import child failed (exit {process.returncode})")
    result = json.loads(result_path.read_text())
    result["child_peak_rss_mib"] = usage.ru_maxrss / 1024
    result["children_peak_rss_mib"] = maxrss_mib(resource.RUSAGE_CHILDREN)
    return result


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median import time, plus every run's time and the worst peak memory:
    one slow run on a shared machine should neither set nor hide the figure."""
    ordered = sorted(runs, key=lambda run: run["import"]["seconds"])
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    chosen["runs_seconds"] = [run["import"]["seconds"] for run in runs]
    chosen["reimport_runs_seconds"] = [run["reimport"]["seconds"] for run in runs]
    chosen["child_peak_rss_mib"] = max(run["child_peak_rss_mib"] for run in runs)
    return chosen


# The import baseline: plain sqlite3 ---------------------------------------------------------------

_BASELINE_PRAGMAS = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"


def _read_rows(fmt: str, paths: list[Path]) -> tuple[dict[str, list[tuple]], str]:
    """The file's rows as plain tuples, read with the library the toolkit reads it with (for
    XLSX, python-calamine where installed, else openpyxl), and that library's name."""
    tables: dict[str, list[tuple]] = {}
    if fmt == "csv":
        for path in paths:
            with path.open(encoding="utf-8-sig", newline="") as stream:
                rows = list(csv.reader(stream))
            tables["actors" if path.name.startswith("actors") else "datasets"] = [
                tuple(row) for row in rows[1:]
            ]
        return tables, "csv"
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        pass
    else:
        calamine = CalamineWorkbook.from_path(str(paths[0]))
        try:
            for name in calamine.sheet_names:
                rows = calamine.get_sheet_by_name(name).to_python()
                tables[name.casefold()] = [tuple(row) for row in rows[1:]]
        finally:
            calamine.close()
        return tables, "python-calamine"
    from openpyxl import load_workbook

    workbook = load_workbook(paths[0], read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            rows = sheet.iter_rows(values_only=True)
            next(rows)
            tables[sheet.title.casefold()] = [tuple(row) for row in rows]
    finally:
        workbook.close()
    return tables, "openpyxl"


def baseline_import(fmt: str, paths: list[Path], folder: Path) -> dict[str, Any]:
    """The floor for an import of this file: read it, executemany INSERT every row as text into
    bare tables, one transaction, same journal settings as the toolkit; no checks, no lookups."""
    db_path = folder / f"baseline-{fmt}.sqlite3"
    t0 = time.perf_counter()
    tables, reader = _read_rows(fmt, paths)
    parsed = time.perf_counter()
    connection = sqlite3.connect(db_path)
    connection.executescript(_BASELINE_PRAGMAS)
    for table, header in (("actors", ACTOR_HEADER), ("datasets", DATASET_HEADER)):
        columns = ", ".join(f"{name} TEXT" for name in header)
        connection.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, {columns})")
    with connection:
        for table, header in (("actors", ACTOR_HEADER), ("datasets", DATASET_HEADER)):
            marks = ", ".join("?" for _ in header)
            connection.executemany(
                f"INSERT INTO {table} ({', '.join(header)}) VALUES ({marks})", tables[table]
            )
    done = time.perf_counter()
    rows = sum(len(rows) for rows in tables.values())
    connection.close()
    db_path.unlink()
    return {
        "reader": reader,
        "rows": rows,
        "seconds": done - t0,
        "parse_seconds": parsed - t0,
        "insert_seconds": done - parsed,
        "rows_per_s": rows / (done - t0),
        "insert_rows_per_s": rows / (done - parsed),
    }


# Search and filter ----------------------------------------------------------------------------


@dataclass
class Query:
    """One kind of dataset-list request, and the same question asked of SQLite directly."""

    name: str
    params: dict[str, Any]
    words: list[str] = field(default_factory=list)
    spectrum: list[str] = field(default_factory=list)
    sector: str = ""
    theme: int | None = None
    status: str = ""
    order: str = "d.title"
    page: int = 1

    def baseline_sql(self, workspace_id: int) -> tuple[str, str, list[Any], list[Any]]:
        """A page query and a count query in plain SQL: LIKE on title and description only."""
        join = ""
        where = ["d.workspace_id = ?"]
        params: list[Any] = [workspace_id]
        for word in self.words:
            where.append("(d.title LIKE ? OR d.description LIKE ?)")
            params += [f"%{word}%", f"%{word}%"]
        if self.spectrum:
            where.append(f"d.spectrum IN ({', '.join('?' for _ in self.spectrum)})")
            params += self.spectrum
        if self.sector:
            join = " JOIN inventory_actor a ON a.id = d.steward_id"
            where.append("a.sector = ?")
            params.append(self.sector)
        if self.theme is not None:
            where.append(
                "EXISTS (SELECT 1 FROM inventory_dataset_themes t"
                " WHERE t.dataset_id = d.id AND t.theme_id = ?)"
            )
            params.append(self.theme)
        if self.status:
            where.append("d.status = ?")
            params.append(self.status)
        condition = " AND ".join(where)
        page_sql = (
            f"SELECT d.id, d.title FROM inventory_dataset d{join} WHERE {condition}"
            f" ORDER BY {self.order} LIMIT 50 OFFSET ?"
        )
        count_sql = f"SELECT COUNT(*) FROM inventory_dataset d{join} WHERE {condition}"
        return page_sql, count_sql, [*params, (self.page - 1) * 50], params


def build_queries(theme_id: int) -> list[Query]:
    """The mix people use: words common, rare and absent, words with filters, filters alone."""
    return [
        Query("list, no filter", {}),
        Query("search: common word", {"q": COMMON_WORD}, words=[COMMON_WORD]),
        Query("search: rare word", {"q": RARE_WORD}, words=[RARE_WORD]),
        Query("search: absent word", {"q": ABSENT_WORD}, words=[ABSENT_WORD]),
        Query(
            "search: two words",
            {"q": f"{COMMON_WORD} {SECOND_WORD}"},
            words=[COMMON_WORD, SECOND_WORD],
        ),
        Query(
            "search + spectrum=open",
            {"q": COMMON_WORD, "spectrum": ["open"]},
            words=[COMMON_WORD],
            spectrum=["open"],
        ),
        Query(
            "search + steward sector",
            {"q": COMMON_WORD, "sector": "private"},
            words=[COMMON_WORD],
            sector="private",
        ),
        Query("theme filter only", {"theme": str(theme_id)}, theme=theme_id),
        Query("status=gap", {"status": "gap"}, status="gap"),
        Query("sort=-updated", {"sort": "-updated"}, order="d.updated DESC"),
        Query(
            "broad search, page 5",
            {"q": BROAD_WORD, "page": "5"},
            words=[BROAD_WORD],
            page=5,
        ),
    ]


_COUNT_RE = re.compile(rb'id="result-count"[^>]*>\s*(\d+) dataset')


def _time_sql(db: sqlite3.Connection, sql: str) -> float:
    """Best of two runs of a statement, fetched in full, in ms."""
    best = float("inf")
    for _ in range(2):
        t0 = time.perf_counter()
        db.execute(sql).fetchall()
        best = min(best, (time.perf_counter() - t0) * 1000)
    return best


def _summary(samples_ms: list[float]) -> dict[str, Any]:
    return {
        "n": len(samples_ms),
        "p50_ms": percentile(samples_ms, 50),
        "p95_ms": percentile(samples_ms, 95),
        "mean_ms": statistics.fmean(samples_ms),
        "max_ms": max(samples_ms),
    }


def bench_search(home: Path, repeats: int, warmup: int) -> dict[str, Any]:
    """Time the dataset list page as a browser and htmx request it, against plain SQL.

    Requests are interleaved (every query type once per round, app then baseline) so that
    a burst of noise from other work on the machine hits all of them alike.
    """
    setup_django(home)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from opencities.accounts.models import Workspace
    from opencities.inventory.models import Theme

    workspace = Workspace.objects.get(slug=WORKSPACE_SLUG)
    user = get_user_model().objects.get(username=USERNAME)
    theme = Theme.objects.get(workspace=workspace, name="Transport")
    queries = build_queries(theme.pk)
    url = reverse("inventory:dataset_list", args=[workspace.slug])
    client = Client()
    client.force_login(user)
    modes = {"page": {}, "htmx": {"HTTP_HX_REQUEST": "true"}}

    baseline = sqlite3.connect(settings.DATABASES["default"]["NAME"])
    baseline.execute("PRAGMA query_only = 1")

    def app_request(query: Query, headers: dict[str, str]) -> tuple[float, int]:
        # The test client keeps the connection open between requests; the server does not
        # (CONN_MAX_AGE=0 for SQLite), so close it to include opening one, as production does.
        connection.close()
        t0 = time.perf_counter()
        response = client.get(url, query.params, **headers)
        elapsed = (time.perf_counter() - t0) * 1000
        assert response.status_code == 200, f"{query.name}: HTTP {response.status_code}"
        found = _COUNT_RE.search(response.content)
        return elapsed, int(found.group(1)) if found else -1

    def baseline_request(query: Query) -> tuple[float, int]:
        page_sql, count_sql, page_params, count_params = query.baseline_sql(workspace.pk)
        t0 = time.perf_counter()
        baseline.execute(page_sql, page_params).fetchall()
        (count,) = baseline.execute(count_sql, count_params).fetchone()
        return (time.perf_counter() - t0) * 1000, count

    samples: dict[tuple[str, str], list[float]] = {}
    matches: dict[tuple[str, str], int] = {}
    rounds = warmup + repeats
    for round_number in _progress(range(rounds), "search rounds", total=rounds):
        for query in queries:
            for mode, headers in modes.items():
                elapsed, count = app_request(query, headers)
                matches[(query.name, mode)] = count
                if round_number >= warmup:
                    samples.setdefault((query.name, mode), []).append(elapsed)
            elapsed, count = baseline_request(query)
            matches[(query.name, "baseline")] = count
            if round_number >= warmup:
                samples.setdefault((query.name, "baseline"), []).append(elapsed)

    # Where the time goes: the queries of one request of each kind, each SELECT run again on
    # plain sqlite3 and fetched in full (Django's own timing stops at the first row, which for
    # SQLite leaves out most of a scan).
    diagnostics = {}
    for query in queries:
        for mode, headers in modes.items():
            connection.close()
            with CaptureQueriesContext(connection) as captured:
                client.get(url, query.params, **headers)
            selects = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
            timed = sorted(((_time_sql(baseline, sql), sql) for sql in selects), reverse=True)
            diagnostics[(query.name, mode)] = {
                "queries": len(captured.captured_queries),
                "sql_ms": sum(ms for ms, _ in timed),
                "slowest_sql_ms": timed[0][0] if timed else 0.0,
                "slowest_sql": timed[0][1][:300] if timed else "",
            }

    # What opening a connection costs, since every request pays it in production.
    connects = []
    for _ in range(30):
        connection.close()
        t0 = time.perf_counter()
        connection.ensure_connection()
        connects.append((time.perf_counter() - t0) * 1000)
    baseline.close()

    rows = []
    for query in queries:
        base = _summary(samples[(query.name, "baseline")])
        for mode in modes:
            app = _summary(samples[(query.name, mode)])
            rows.append(
                {
                    "query": query.name,
                    "mode": mode,
                    "params": query.params,
                    "matches": matches[(query.name, mode)],
                    **app,
                    **diagnostics[(query.name, mode)],
                    "baseline_matches": matches[(query.name, "baseline")],
                    "baseline_p50_ms": base["p50_ms"],
                    "baseline_p95_ms": base["p95_ms"],
                    "ratio_p50": app["p50_ms"] / base["p50_ms"],
                    "ratio_p95": app["p95_ms"] / base["p95_ms"],
                }
            )
    all_app = [s for (name, mode), v in samples.items() if mode != "baseline" for s in v]
    all_base = [s for (name, mode), v in samples.items() if mode == "baseline" for s in v]
    overall = {
        "app": _summary(all_app),
        "page": _summary([s for (n, m), v in samples.items() if m == "page" for s in v]),
        "htmx": _summary([s for (n, m), v in samples.items() if m == "htmx" for s in v]),
        "baseline": _summary(all_base),
        "connect_p50_ms": percentile(connects, 50),
    }
    overall["ratio_p50"] = overall["app"]["p50_ms"] / overall["baseline"]["p50_ms"]
    overall["ratio_p95"] = overall["app"]["p95_ms"] / overall["baseline"]["p95_ms"]
    return {"repeats": repeats, "warmup": warmup, "queries": rows, "overall": overall}


# Reporting --------------------------------------------------------------------------------------


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """A plain fixed-width table: the figures should read well in a terminal and in CI logs."""
    cells = [[str(h) for h in headers]] + [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for index, row in enumerate(cells):
        lines.append(
            "  ".join(
                cell.ljust(width) if i == 0 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            )
        )
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}"
        return f"{value:.2f}" if value < 10 else f"{value:.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(results: dict[str, Any]) -> Iterator[str]:
    rows = results["rows"]
    yield ""
    yield (
        f"Inventory benchmark: {results['params']['actors']:,} actors + "
        f"{results['params']['datasets']:,} datasets = {rows:,} rows"
    )
    m = results["machine"]
    yield (
        f"{m['nproc']} CPU ({m['cpu']}), Python {m['python']}, SQLite {m['sqlite']}, "
        f"load {m['loadavg_at_start'][0]:.2f}"
    )
    yield ""
    import_rows = []
    for fmt, r in results["import"].items():
        first, again, base = r["import"], r["reimport"], results["baseline_import"][fmt]
        import_rows.append(
            [
                fmt,
                rows / first["seconds"],
                first["seconds"],
                first["read_seconds"],
                r["parse_seconds"] if r["parse_seconds"] is not None else "-",
                first["write_seconds"],
                r["child_peak_rss_mib"],
                r["child_peak_rss_mib"] - r["rss_ready_mib"],
                again["seconds"],
                base["rows_per_s"],
                base["rows_per_s"] / (rows / first["seconds"]),
            ]
        )
    yield "Spreadsheet import (read_plan + apply_plan, fresh database)"
    yield table(
        [
            "format",
            "rows/s",
            "total s",
            "read s",
            "(parse s)",
            "write s",
            "peak RSS MiB",
            "import MiB",
            "re-import s",
            "baseline rows/s",
            "baseline x",
        ],
        import_rows,
    )
    yield ""
    if "search" not in results:
        yield from _report_targets(results)
        return
    query_rows = [
        [
            q["query"],
            q["mode"],
            q["matches"],
            q["p50_ms"],
            q["p95_ms"],
            q["queries"],
            q["sql_ms"],
            q["baseline_p50_ms"],
            q["baseline_p95_ms"],
            q["ratio_p95"],
            _verdict(q["p95_ms"] < SEARCH_TARGET_P95_MS),
        ]
        for q in results["search"]["queries"]
    ]
    o = results["search"]["overall"]
    for label, key in (("ALL", "app"), ("ALL pages", "page"), ("ALL htmx", "htmx")):
        query_rows.append(
            [
                label,
                "",
                "",
                o[key]["p50_ms"],
                o[key]["p95_ms"],
                "",
                "",
                o["baseline"]["p50_ms"],
                o["baseline"]["p95_ms"],
                o[key]["p95_ms"] / o["baseline"]["p95_ms"],
                _verdict(o[key]["p95_ms"] < SEARCH_TARGET_P95_MS),
            ]
        )
    yield (
        f"Dataset list: {results['search']['repeats']} timed requests per row "
        f"(after {results['search']['warmup']} warm-up), ms"
    )
    yield table(
        [
            "query",
            "mode",
            "matches",
            "p50",
            "p95",
            "SQL q",
            "SQL ms",
            "base p50",
            "base p95",
            "x p95",
            "<150ms",
        ],
        query_rows,
    )
    yield f"(opening a database connection, paid by every request: {o['connect_p50_ms']:.2f} ms)"
    yield ""
    yield from _report_targets(results)


def _report_targets(results: dict[str, Any]) -> Iterator[str]:
    yield "Targets"
    for name, target in results["targets"].items():
        yield f"  {name}: {target['value']:,.1f} (target {target['target']}) {target['verdict']}"


def targets(results: dict[str, Any]) -> dict[str, Any]:
    found = {}
    for fmt, r in results["import"].items():
        rate = results["rows"] / r["import"]["seconds"]
        found[f"import {fmt} rows/s"] = {
            "value": rate,
            "target": f">= {IMPORT_TARGET_ROWS_PER_S:,}",
            "verdict": _verdict(rate >= IMPORT_TARGET_ROWS_PER_S),
        }
    if "search" in results:
        p95 = results["search"]["overall"]["app"]["p95_ms"]
        found["list+search p95 ms"] = {
            "value": p95,
            "target": f"< {SEARCH_TARGET_P95_MS:.0f}",
            "verdict": _verdict(p95 < SEARCH_TARGET_P95_MS),
        }
    return found


# Main -----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=50_000)
    parser.add_argument("--actors", type=int, default=2_000)
    parser.add_argument("--repeats", type=int, default=30, help="timed requests per query type")
    parser.add_argument("--warmup", type=int, default=2, help="untimed rounds before timing")
    parser.add_argument("--format", choices=["csv", "xlsx", "both"], default="both")
    parser.add_argument(
        "--import-repeats",
        type=int,
        default=1,
        help="imports per format, each into a fresh database; the median is reported",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file")
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also trace Python allocations during the import (slows the import down)",
    )
    parser.add_argument("--skip-search", action="store_true", help="measure the import only")
    parser.add_argument(
        "--keep-temp", action="store_true", help="keep the temporary folder, to dig further"
    )
    parser.add_argument("--child-import", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if min(args.actors, args.datasets, args.repeats, args.import_repeats) < 1:
        parser.error("sizes and repeats must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child_import:
        child_import(json.loads(args.child_import))
        return 0

    formats = ["csv", "xlsx"] if args.format == "both" else [args.format]
    folder = Path(tempfile.mkdtemp(prefix="opencities-bench-"))
    results: dict[str, Any] = {
        "benchmark": "inventory",
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": " ".join(
            [
                ".venv/bin/python",
                "benchmarks/inventory.py",
                *(sys.argv[1:] if argv is None else argv),
            ]
        ),
        "params": {
            "datasets": args.datasets,
            "actors": args.actors,
            "seed": args.seed,
            "formats": formats,
        },
        "rows": args.datasets + args.actors,
        "machine": machine(openpyxl=version("openpyxl")),
    }
    try:
        t0 = time.perf_counter()
        print(f"Generating {args.actors:,} actors and {args.datasets:,} datasets…", flush=True)
        inventory = generate(args.seed, args.actors, args.datasets)
        files = folder / "files"
        files.mkdir()
        paths = {}
        if "csv" in formats:
            paths["csv"] = write_csv(files, inventory)
        if "xlsx" in formats:
            paths["xlsx"] = write_xlsx(files, inventory)
        results["generate"] = {
            "seconds": time.perf_counter() - t0,
            "file_bytes": {fmt: sum(p.stat().st_size for p in ps) for fmt, ps in paths.items()},
        }
        del inventory

        results["baseline_import"] = {}
        results["import"] = {}
        for fmt in formats:
            print(f"Baseline import ({fmt}: parse + sqlite3 executemany)…", flush=True)
            results["baseline_import"][fmt] = baseline_import(fmt, paths[fmt], folder)
            runs = []
            for attempt in range(args.import_repeats):
                print(f"Toolkit import ({fmt}) in a child process…", flush=True)
                home = folder / f"home-{fmt}-{attempt}"
                runs.append(run_import_child(fmt, home, paths[fmt], args))
                if attempt:  # the search runs on the first database; the others can go
                    shutil.rmtree(home)
            results["import"][fmt] = median_run(runs)

        if not args.skip_search:
            print("Timing the dataset list…", flush=True)
            results["search"] = bench_search(
                folder / f"home-{formats[0]}-0", args.repeats, args.warmup
            )
        results["targets"] = targets(results)
        results["total_seconds"] = time.perf_counter() - t0
    finally:
        if args.keep_temp:
            print(f"Kept {folder}", flush=True)
        else:
            shutil.rmtree(folder, ignore_errors=True)

    publish(results, report(results), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
