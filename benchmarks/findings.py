"""Benchmark of the ecosystem map findings (`opencities.maps.findings.analyse`) at city scale.

A big city's map can hold every actor and dataset of its inventory and a hundred thousand
exchanges. This script generates such a map (2,000 actors, 20,000 datasets, 100,000 exchanges by
default, the same every run for the same seed), copies it as a future state and changes about 1%
of its flows, then times:

- `analyse(current)`: all findings of the current map;
- `analyse(future)`: all findings of the future map, including the changes from the current one
  (`compare`), which reads both maps;
- the baseline, in the same run: reading the rows the analysis needs (the map's nodes, its
  exchanges and the datasets involved) with three `values_list` queries into lists, and nothing
  else; for the future map, the rows of both maps.

Each timed run is a fresh child process (this script with a hidden flag), so its peak RSS is
its own; the median of the runs is reported. Each run also records its CPU time and the load
average as it starts: on a shared machine, a wall time well above the CPU time means other
processes were using the cores. Run it as

    .venv/bin/python benchmarks/findings.py [--actors 2000] [--datasets 20000]
        [--exchanges 100000] [--seed 42] [--repeats 3] [--out benchmarks/results/findings.json]

Everything lives in a temporary folder that is removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from common import REPO, machine, maxrss_mib, publish, setup_django

DEFAULT_OUT = REPO / "benchmarks" / "results" / "findings.json"

WORKSPACE_SLUG = "benchford"
WORKSPACE_NAME = "Benchford City Council"

TARGET_SECONDS = 3.0
TARGET_RSS_MIB = 1024.0
TARGET_RATIO = 3.0
BATCH = 5_000

ACTOR_KINDS = {
    "team": ("public", 20),
    "public_body": ("public", 6),
    "company": ("private", 35),
    "charity": ("third_sector", 15),
    "university": ("academia", 4),
    "community_group": ("community", 18),
    "citizens": ("community", 2),
}
ROLE_CHOICES = ["reuser", "beneficiary", "intermediary", "steward"]
SPECTRUM_WEIGHTS = {"internal": 35, "named": 15, "group": 10, "public": 10, "open": 30}
PERSONAL_WEIGHTS = {"none": 55, "aggregated": 20, "pseudonymised": 8, "personal": 14, "special": 3}
DATASET_STATUS_WEIGHTS = {"exists": 95, "gap": 3, "unidentified": 2}
FLOW_STATUS_WEIGHTS = {"active": 80, "blocked": 8, "proposed": 7, "potential": 5}
KIND_WEIGHTS = {"data": 88, "money": 5, "service": 4, "insight": 3}
REASONS = ["legal", "licensing", "technical", "quality", "cost", "skills", "trust", "data_unknown"]
MECHANISMS = ["api", "bulk", "email", "manual", "paper"]


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def hwm_mib() -> float | None:
    """Peak resident memory of this process's own memory map in MiB (VmHWM).

    Linux carries ru_maxrss across fork and exec, so a child started by a big parent would
    report the parent's peak; VmHWM starts afresh at exec. Both are recorded; the parent stays
    small (the maps are built in a child of their own), so they should agree."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


# Generating the maps --------------------------------------------------------------------------


def build(home: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Create the workspace, inventory, current map and future map; return keys and counts."""
    setup_django(home)
    from django.core.management import call_command
    from django.db import transaction

    from opencities.accounts.models import Workspace
    from opencities.inventory.models import Actor, Dataset
    from opencities.maps.copying import copy_as_future
    from opencities.maps.models import EcosystemMap, Exchange, MapState, Node
    from opencities.projects.models import Project

    rng = random.Random(args.seed)
    call_command("migrate", verbosity=0)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    with transaction.atomic():
        workspace = Workspace.objects.create(name=WORKSPACE_NAME, slug=WORKSPACE_SLUG)
        kinds = {kind: weight for kind, (_, weight) in ACTOR_KINDS.items()}
        actors = []
        for i in range(args.actors):
            kind = "authority" if i == 0 else _pick(rng, kinds)
            sector = "public" if i == 0 else ACTOR_KINDS[kind][0]
            actors.append(
                Actor(
                    workspace=workspace,
                    name=WORKSPACE_NAME if i == 0 else f"Actor {i:05d} ({kind})",
                    kind=kind,
                    sector=sector,
                )
            )
        actors = Actor.objects.bulk_create(actors, batch_size=BATCH)
        actor_pks = [a.pk for a in actors]
        # Public bodies steward most data; a long tail of others steward some.
        steward_weights = [
            6.0 if a.sector == "public" else 1.0 if a.kind == "company" else 0.3 for a in actors
        ]
        datasets = []
        for i in range(args.datasets):
            status = _pick(rng, DATASET_STATUS_WEIGHTS)
            steward = None
            if status == "exists" or (status == "gap" and rng.random() < 0.5):
                steward = rng.choices(actors, weights=steward_weights)[0]
            datasets.append(
                Dataset(
                    workspace=workspace,
                    identifier=f"dataset-{i:06d}",
                    title=f"Dataset {i:06d}",
                    steward=steward,
                    spectrum=_pick(rng, SPECTRUM_WEIGHTS),
                    personal_data=_pick(rng, PERSONAL_WEIGHTS),
                    status=status,
                )
            )
        datasets = Dataset.objects.bulk_create(datasets, batch_size=BATCH)
        stewards = {d.steward_id for d in datasets if d.steward_id}

        project = Project.objects.create(
            workspace=workspace, title="Data for the city", challenge="Benchmark map."
        )
        current = EcosystemMap.objects.create(
            project=project, title="Benchford data ecosystem", state=MapState.CURRENT
        )
        nodes = []
        for pk in actor_pks:
            roles = set()
            if pk in stewards and rng.random() < 0.5:
                roles.add("steward")
            if rng.random() < 0.3:
                roles.update(rng.sample(ROLE_CHOICES, rng.randint(1, 2)))
            nodes.append(Node(map=current, actor_id=pk, roles=sorted(roles)))
        nodes += [Node(map=current, dataset_id=d.pk) for d in datasets]
        nodes = Node.objects.bulk_create(nodes, batch_size=BATCH)
        actor_node = {n.actor_id: n.pk for n in nodes if n.actor_id}
        dataset_node = {n.dataset_id: n.pk for n in nodes if n.dataset_id}
        # Some actors are hubs (the council's data team, a big platform): Zipf-like weights.
        order = actor_pks[:]
        rng.shuffle(order)
        hub_weight = {pk: 1 / (rank + 1) ** 0.8 for rank, pk in enumerate(order)}
        target_weights = [hub_weight[pk] for pk in actor_pks]
        actor_node_pks = [actor_node[pk] for pk in actor_pks]

        def random_flow() -> Exchange:
            kind = _pick(rng, KIND_WEIGHTS)
            status = _pick(rng, FLOW_STATUS_WEIGHTS)
            reasons = sorted(rng.sample(REASONS, rng.randint(1, 2))) if status == "blocked" else []
            target = rng.choices(actor_node_pks, weights=target_weights)[0]
            dataset_id = None
            if kind == "data":
                dataset = rng.choice(datasets)
                if rng.random() < 0.3:  # from the dataset's own node
                    source = dataset_node[dataset.pk]
                    dataset_id = dataset.pk if rng.random() < 0.5 else None
                else:  # actor to actor, naming the data: from its steward or a random holder
                    dataset_id = dataset.pk
                    if dataset.steward_id and rng.random() < 0.6:
                        source = actor_node[dataset.steward_id]
                    else:
                        source = rng.choices(actor_node_pks, weights=target_weights)[0]
            else:
                source = rng.choice(actor_node_pks)
            if source == target:
                target = rng.choice(actor_node_pks)
            return Exchange(
                map_id=current.pk,
                source_id=source,
                target_id=target,
                kind=kind,
                dataset_id=dataset_id,
                mechanism=rng.choice(MECHANISMS) if kind == "data" else "",
                access=rng.choice(list(SPECTRUM_WEIGHTS)) if rng.random() < 0.2 else "",
                status=status,
                blocked_reasons=reasons,
            )

        batch = []
        for _ in range(args.exchanges):
            flow = random_flow()
            if flow.source_id == flow.target_id:
                continue
            batch.append(flow)
            if len(batch) == BATCH:
                Exchange.objects.bulk_create(batch)
                batch = []
        Exchange.objects.bulk_create(batch)
    timings["generate_current"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    future = copy_as_future(current)
    timings["copy_as_future"] = time.perf_counter() - t0

    # About 1% of the flows change: some blocked ones unblocked, some removed, some added.
    t0 = time.perf_counter()
    n_change = max(3, args.exchanges // 100)
    with transaction.atomic():
        future_node = {
            (actor_id, dataset_id): pk
            for pk, actor_id, dataset_id in Node.objects.filter(map=future).values_list(
                "pk", "actor_id", "dataset_id"
            )
        }
        old_to_new = {n.pk: future_node[(n.actor_id, n.dataset_id)] for n in nodes}
        blocked = list(
            Exchange.objects.filter(map=future, status="blocked").values_list("pk", flat=True)
        )
        unblock = rng.sample(blocked, min(len(blocked), n_change * 2 // 5))
        Exchange.objects.filter(pk__in=unblock).update(status="active", blocked_reasons=[])
        others = list(
            Exchange.objects.filter(map=future).exclude(pk__in=unblock).values_list("pk", flat=True)
        )
        remove = rng.sample(others, n_change * 3 // 10)
        for start in range(0, len(remove), 500):
            Exchange.objects.filter(pk__in=remove[start : start + 500]).delete()
        added = []
        for _ in range(n_change * 3 // 10):
            flow = random_flow()
            flow.map_id = future.pk
            flow.source_id, flow.target_id = old_to_new[flow.source_id], old_to_new[flow.target_id]
            if flow.source_id != flow.target_id:
                added.append(flow)
        Exchange.objects.bulk_create(added)
    timings["change_future"] = time.perf_counter() - t0

    return {
        "current": current.pk,
        "future": future.pk,
        "nodes_per_map": len(nodes),
        "exchanges_current": Exchange.objects.filter(map=current).count(),
        "exchanges_future": Exchange.objects.filter(map=future).count(),
        "changes_made": {"unblocked": len(unblock), "removed": len(remove), "added": len(added)},
        "seconds": timings,
    }


# One timed run, in a child process ------------------------------------------------------------


def read_rows(map_pk: int) -> int:
    """The baseline: the rows the analysis reads, fully into lists, and nothing else."""
    from django.db.models import Q

    from opencities.inventory.models import Dataset
    from opencities.maps.models import Exchange, Node

    nodes = list(
        Node.objects.filter(map_id=map_pk).values_list(
            "pk", "actor_id", "dataset_id", "technology_id", "roles"
        )
    )
    flows = list(
        Exchange.objects.filter(map_id=map_pk).values_list(
            "pk",
            "source_id",
            "target_id",
            "kind",
            "dataset_id",
            "status",
            "blocked_reasons",
            "access",
        )
    )
    shown = Node.objects.filter(map_id=map_pk, dataset__isnull=False).values("dataset_id")
    named = Exchange.objects.filter(map_id=map_pk, dataset__isnull=False).values("dataset_id")
    datasets = list(
        Dataset.objects.filter(Q(pk__in=shown) | Q(pk__in=named)).values_list(
            "pk", "status", "spectrum", "steward_id"
        )
    )
    return len(nodes) + len(flows) + len(datasets)


def child(config: dict[str, Any]) -> None:
    """Time one measurement in this fresh process and write its figures as JSON."""
    setup_django(Path(config["home"]))
    rss_ready = maxrss_mib()
    from opencities.maps.findings import FindingKind, analyse
    from opencities.maps.models import EcosystemMap

    what = config["what"]
    result: dict[str, Any] = {"what": what, "load_1min": os.getloadavg()[0]}
    if what == "baseline_current":
        t0, cpu0 = time.perf_counter(), time.process_time()
        result["rows"] = read_rows(config["current"])
        result["seconds"] = time.perf_counter() - t0
    elif what == "baseline_future":  # the future map and the map it was copied from
        t0, cpu0 = time.perf_counter(), time.process_time()
        result["rows"] = read_rows(config["future"]) + read_rows(config["current"])
        result["seconds"] = time.perf_counter() - t0
    else:
        ecosystem_map = EcosystemMap.objects.get(pk=config[what.removeprefix("analyse_")])
        t0, cpu0 = time.perf_counter(), time.process_time()
        findings = analyse(ecosystem_map)
        result["seconds"] = time.perf_counter() - t0
        result["findings"] = len(findings)
        result["by_kind"] = dict(Counter(str(f.kind) for f in findings))
        result["changes"] = dict(
            Counter(f.data["change"] for f in findings if f.kind == FindingKind.CHANGE)
        )
    result["cpu_seconds"] = time.process_time() - cpu0
    result["rss_ready_mib"] = rss_ready
    result["peak_rss_mib"] = maxrss_mib()
    result["peak_rss_delta_mib"] = result["peak_rss_mib"] - rss_ready
    result["vmhwm_mib"] = hwm_mib()
    Path(config["result"]).write_text(json.dumps(result))


def run_child(config: dict[str, Any]) -> dict[str, Any]:
    subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(config)], check=True
    )
    return json.loads(Path(config["result"]).read_text())


def child_build(config: dict[str, Any]) -> None:
    """Build the maps in a process of their own, so the parent stays small (see `hwm_mib`)."""
    args = argparse.Namespace(**config["args"])
    result = build(Path(config["home"]), args)
    result["build_peak_rss_mib"] = maxrss_mib()
    Path(config["result"]).write_text(json.dumps(result))


MEASURES = ["baseline_current", "analyse_current", "baseline_future", "analyse_future"]


def measure(folder: Path, home: Path, keys: dict[str, Any], repeats: int) -> dict[str, Any]:
    """Each measure `repeats` times, round by round so noise falls on all of them alike."""
    runs: dict[str, list[dict[str, Any]]] = {what: [] for what in MEASURES}
    for attempt in range(repeats):
        for what in MEASURES:
            print(f"  round {attempt + 1}/{repeats}: {what}…", flush=True)
            config = {
                "home": str(home),
                "what": what,
                "current": keys["current"],
                "future": keys["future"],
                "result": str(folder / f"{what}-{attempt}.json"),
            }
            runs[what].append(run_child(config))
    summary = {}
    for what, results in runs.items():
        summary[what] = {
            "seconds": statistics.median(r["seconds"] for r in results),
            "runs_seconds": [r["seconds"] for r in results],
            "cpu_seconds": statistics.median(r["cpu_seconds"] for r in results),
            "runs_cpu_seconds": [r["cpu_seconds"] for r in results],
            "runs_load_1min": [r["load_1min"] for r in results],
            "peak_rss_mib": max(r["peak_rss_mib"] for r in results),
            "peak_rss_delta_mib": max(r["peak_rss_delta_mib"] for r in results),
            "vmhwm_mib": max(r["vmhwm_mib"] or 0 for r in results),
            **{
                k: results[0][k]
                for k in ("rows", "findings", "by_kind", "changes")
                if k in results[0]
            },
        }
    for name in ("current", "future"):
        summary[f"analyse_{name}"]["ratio_to_baseline"] = (
            summary[f"analyse_{name}"]["seconds"] / summary[f"baseline_{name}"]["seconds"]
        )
    return summary


# Reporting ------------------------------------------------------------------------------------


def targets(m: dict[str, Any]) -> dict[str, Any]:
    found = {}
    for name in ("analyse_current", "analyse_future"):
        r = m[name]
        found[f"{name} seconds"] = {
            "value": r["seconds"],
            "target": f"< {TARGET_SECONDS}",
            "met": r["seconds"] < TARGET_SECONDS,
        }
        found[f"{name} peak RSS MiB"] = {
            "value": r["peak_rss_mib"],
            "target": f"< {TARGET_RSS_MIB:.0f}",
            "met": r["peak_rss_mib"] < TARGET_RSS_MIB,
        }
        found[f"{name} ÷ baseline"] = {
            "value": r["ratio_to_baseline"],
            "target": f"<= {TARGET_RATIO}",
            "met": r["ratio_to_baseline"] <= TARGET_RATIO,
        }
    return found


def report(results: dict[str, Any]) -> list[str]:
    m = results["measures"]
    lines = [
        "",
        f"Findings benchmark: {results['params']['actors']:,} actors, "
        f"{results['params']['datasets']:,} datasets, "
        f"{results['map']['exchanges_current']:,} exchanges (future: "
        f"{results['map']['exchanges_future']:,}, changes {results['map']['changes_made']})",
        f"Median of {results['params']['repeats']} runs, each in a fresh process",
        "",
        f"{'measure':<18} {'seconds':>8} {'runs':>22} {'cpu s':>6} {'load':>15} "
        f"{'peak MiB':>9} {'delta MiB':>9} {'x base':>7} {'findings':>9}",
    ]
    for what in MEASURES:
        r = m[what]
        runs = " ".join(f"{s:.2f}" for s in r["runs_seconds"])
        loads = " ".join(f"{load:.1f}" for load in r["runs_load_1min"])
        ratio = f"{r['ratio_to_baseline']:.2f}" if "ratio_to_baseline" in r else ""
        count = f"{r['findings']:,}" if "findings" in r else f"{r['rows']:,} rows"
        lines.append(
            f"{what:<18} {r['seconds']:>8.2f} {runs:>22} {r['cpu_seconds']:>6.2f} {loads:>15} "
            f"{r['peak_rss_mib']:>9.0f} {r['peak_rss_delta_mib']:>9.0f} {ratio:>7} {count:>9}"
        )
    lines += ["", "Findings by kind (current / future)"]
    kinds = sorted(set(m["analyse_current"]["by_kind"]) | set(m["analyse_future"]["by_kind"]))
    for kind in kinds:
        lines.append(
            f"  {kind:<26} {m['analyse_current']['by_kind'].get(kind, 0):>7,} "
            f"{m['analyse_future']['by_kind'].get(kind, 0):>7,}"
        )
    lines.append(f"  changes in the future map: {m['analyse_future']['changes']}")
    lines += ["", "Targets"]
    for name, t in results["targets"].items():
        verdict = "PASS" if t["met"] else "FAIL"
        lines.append(f"  {name}: {t['value']:,.2f} (target {t['target']}) {verdict}")
    return lines


# Main -----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actors", type=int, default=2_000)
    parser.add_argument("--datasets", type=int, default=20_000)
    parser.add_argument("--exchanges", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per measure")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file")
    parser.add_argument("--keep-temp", action="store_true", help="keep the temporary folder")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if min(args.actors, args.datasets, args.exchanges, args.repeats) < 1:
        parser.error("sizes and repeats must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        config = json.loads(args.child)
        child_build(config) if config.get("build") else child(config)
        return 0

    folder = Path(tempfile.mkdtemp(prefix="opencities-findings-"))
    home = folder / "home"
    results: dict[str, Any] = {
        "benchmark": "findings",
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": " ".join(
            [
                ".venv/bin/python",
                "benchmarks/findings.py",
                *(sys.argv[1:] if argv is None else argv),
            ]
        ),
        "params": {
            "actors": args.actors,
            "datasets": args.datasets,
            "exchanges": args.exchanges,
            "seed": args.seed,
            "repeats": args.repeats,
        },
    }
    try:
        t0 = time.perf_counter()
        print(
            f"Generating {args.actors:,} actors, {args.datasets:,} datasets and "
            f"{args.exchanges:,} exchanges, then the future map…",
            flush=True,
        )
        params = {k: getattr(args, k) for k in ("actors", "datasets", "exchanges", "seed")}
        results["map"] = run_child(
            {"build": True, "home": str(home), "args": params, "result": str(folder / "map.json")}
        )
        results["machine"] = machine()
        results["map"]["db_bytes"] = (home / "opencities.sqlite3").stat().st_size
        print(f"  done in {time.perf_counter() - t0:.0f} s; measuring…", flush=True)
        results["measures"] = measure(folder, home, results["map"], args.repeats)
        results["targets"] = targets(results["measures"])
        results["machine"]["loadavg_at_end"] = os.getloadavg()
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
