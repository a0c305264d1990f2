"""Load benchmark of live workshops: N websocket clients in one room of a real server process.

For each N (20, 100 and 300 by default) the script makes a fresh data folder, sets up a running
workshop there (a child process of this script with a hidden flag: migrate, a workspace, a
project, a workshop with the default agenda, started and moved to its Data Ethics Canvas step)
and N guest participants, each bound to a Django session made with `SessionStore` in the same
file database, so the session cookie is valid for the server. It then starts the server as
people do (`opencities serve --port P`, uvicorn, in-memory channel layer) and connects N
websocket clients (the `websockets` library) from a few asyncio processes. Each client sends
`hello`, waits for its `welcome`, and once everyone is in, makes `--rate` changes a second for
`--seconds` seconds on a fixed schedule (open loop: it does not wait for acknowledgements): a
`note.add` on a board of the canvas first, then half `note.add`, half `note.edit` of one of its
own notes. The note's text carries a unique marker and the wall-clock time it was sent
(`time.time()`, comparable across processes on one host), so every receiver can match the
broadcast to the change. After the sending window the clients wait for the stragglers (until
nothing has arrived for 3 s, at most `--drain` seconds).

The clients read each frame (a message, or a batch of them) with regular expressions — the
versions of the changes, the markers, the acknowledgements — instead of parsing it: at N = 300
parsing every frame cost the load generator more CPU than the whole server used, on a machine
of two cores they share. `--parse` parses every frame as JSON instead; both count the same.

Reported for each N:

- **spread**: p50/p95/p99 of the time from a change being sent to the *last* other client
  receiving its broadcast (every other client, not the average one);
- **ack**: p50/p95 of the time from sending to the sender's acknowledgement;
- **lost**: changes sent and acknowledged whose broadcast some other client had not received
  by the end of the drain, and changes never acknowledged; **dropped deliveries**: versions
  missing from a client's stream below the last version it received (the channel layer
  delivers in order, so those broadcasts were dropped, not late); **errors**: error messages
  and dropped connections;
- **op rate**: acknowledged changes a second over the sending window, against the `N x rate`
  asked for;
- **server CPU** (utime + stime of the server process from /proc over the sending window, and
  over the window plus the drain) and its peak memory (VmHWM);
- **client CPU**: the same for the load-generating processes, so the reader can tell whether
  the load generator, not the server, was the limit.

The same run has a baseline for each N: the same clients against a minimal ASGI app in this
file (`baseline_app`), served by the same uvicorn, which answers `hello` with a `welcome`, acks
each operation and sends the change to every connection — no Django, no channel layer, no
database. The ratio to it is what the checks, the channel layer and the database writes cost.

Run it as

    .venv/bin/python benchmarks/workshop_load.py [--clients 20 100 300] [--seconds 60 | 60 60 30]
        [--rate 2] [--procs 2] [--drain 30] [--no-baseline] [--parse]
        [--app path/to/module.py:app]
        [--out benchmarks/results/workshop_load.json]

`--seconds` takes one window for every N or one per N. Everything lives in a temporary folder
that is removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import multiprocessing as mp
import os
import queue
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import REPO, machine, publish

DEFAULT_OUT = REPO / "benchmarks" / "results" / "workshop_load.json"
TARGETS_P95_MS = {20: 50.0, 300: 300.0}
CONNECT_AT_ONCE = 20
QUIET_SECONDS = 3.0
TICK = os.sysconf("SC_CLK_TCK")


# --- Setup: a running workshop and N guests with their sessions (child process) ----------------


def setup_room(home: Path, clients: int) -> dict[str, Any]:
    """Migrate a new data folder and make a running workshop on its canvas step with `clients`
    guests, each with a saved session; returns the room, the board and the session keys."""
    os.environ["OPENCITIES_HOME"] = str(home)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "opencities.settings"
    sys.path.insert(0, str(REPO))
    from datetime import UTC, datetime

    from opencities.cli import setup_django

    setup_django()
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from opencities.accounts.models import Membership, Role, Workspace
    from opencities.maps.models import EcosystemMap
    from opencities.projects.models import Project
    from opencities.workshops import agenda, controls, join, notes

    workspace = Workspace.objects.create(name="Loadford", slug="loadford")
    facilitator = get_user_model().objects.create_user("fay", password="a-long-bench-password-42")
    Membership.objects.create(workspace=workspace, user=facilitator, role=Role.EDITOR)
    project = Project.objects.create(workspace=workspace, title="Load", challenge="Many people")
    EcosystemMap.objects.create(project=project, title="Load map")
    workshop = agenda.create_workshop(
        project, title="Load workshop", date=datetime.now(UTC), facilitator=facilitator
    )
    controls.open_for_joining(workshop)
    controls.start(workshop)
    controls.next_step(workshop)  # the map step, then the Data Ethics Canvas
    workshop.refresh_from_db()
    step = workshop.current_step
    boards = [key for key, _name in notes.boards_for(step)]
    sessions = []
    for i in range(clients):
        session = SessionStore()
        join.join_guest(workshop, f"Guest {i + 1}", session)
        session.save()
        sessions.append(session.session_key)
    return {
        "room": f"/ws/room/{workshop.room}/",
        "step": step.kind,
        "boards": boards,
        "sessions": sessions,
    }


# --- Baseline: a bare websocket broadcast, no Django -------------------------------------------

_connections: dict[int, Any] = {}
_version = 0


async def baseline_app(scope, receive, send):
    """Acks each operation and sends it to every connection as a change, like the room does
    but with nothing behind it; `hello` gets a `welcome`."""
    global _version
    if scope["type"] != "websocket":
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 404, "headers": []})
            await send({"type": "http.response.body", "body": b""})
        return
    me = id(send)
    while True:
        event = await receive()
        if event["type"] == "websocket.connect":
            await send({"type": "websocket.accept"})
            _connections[me] = send
        elif event["type"] == "websocket.disconnect":
            _connections.pop(me, None)
            return
        else:
            message = json.loads(event.get("text") or "{}")
            if message.get("type") == "hello":
                reply = {"type": "welcome", "version": _version, "state": {}, "snapshot": {}}
                await send({"type": "websocket.send", "text": json.dumps(reply)})
                continue
            _version += 1
            data = message.get("data", {})
            note = {"id": data.get("id", _version), "text": data.get("text"), "version": _version}
            ack = {"type": "ack", "seq": message.get("seq"), "version": _version}
            await send({"type": "websocket.send", "text": json.dumps({**ack, "result": note})})
            change = {"type": "change", "version": _version, "kind": message.get("op")}
            for other in list(_connections.values()):
                text = json.dumps({**change, "payload": {"note": note}, "by": me})
                with contextlib.suppress(Exception):  # a connection closing meanwhile
                    await other({"type": "websocket.send", "text": text})


# --- Clients (one asyncio process per slice of them) --------------------------------------------


def cpu_seconds(pid: int | str = "self") -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def vm_hwm_mib(pid: int) -> float | None:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def marker(client: int, seq: int, sent: float) -> str:
    return f"load {client} {seq} {sent:.6f}"


# What a client looks for in a frame, in one pass (the room's compact JSON, or the baseline's
# with spaces): a change's version, a marker, an acknowledgement (its seq and note id), an error.
SCAN = re.compile(
    r'"(?:type":\s*"change",\s*"version":\s*(\d+)'
    r'|text":\s*"(load \d+ \d+ [\d.]+)"'
    r'|type":\s*"ack",\s*"seq":\s*(\d+),\s*"version":\s*\d+,'
    r'\s*"result":\s*\{(?:"note":\s*\{)?(?:"id":\s*(\d+))?'
    r'|type":\s*"(error)")'
)


def messages_of(text: str) -> list[dict]:
    """The messages of a websocket frame: one, or the several of a batch frame."""
    frame = json.loads(text)
    return frame["messages"] if frame.get("type") == "batch" else [frame]


class Tally:
    """What one client process saw: its changes (sent time, ack time) and, for every marker it
    received, how many of its clients other than the sender got it and the latest arrival."""

    def __init__(self) -> None:
        self.sent: dict[str, list[float | None]] = {}
        self.received: dict[str, list[float]] = {}
        self.errors: list[str] = []
        # Per client: the version of its welcome and the versions of the changes it received.
        self.streams: list[tuple[int, set[int]]] = []
        self.last_arrival = time.time()


async def run_client(
    index: int, url: str, origin: str, session: str, board: str, args, go: float, tally: Tally
):
    import websockets

    rng = random.Random(index)
    my_notes: list[int] = []
    pending: dict[int, str] = {}
    try:
        socket_ = await websockets.connect(
            url,
            origin=origin,
            additional_headers={"Cookie": f"sessionid={session}"},
            max_size=None,
            max_queue=None,
            ping_interval=None,
            open_timeout=120,
            close_timeout=2,
        )
    except Exception as error:
        tally.errors.append(f"connect: {error!r}")
        return None
    await socket_.send(json.dumps({"type": "hello", "since": None}))
    welcome = None
    while welcome is None:
        for message in messages_of(await socket_.recv()):
            if message.get("type") == "welcome":
                welcome = message
    versions: set[int] = set()
    tally.streams.append((welcome["version"], versions))

    async def reader():
        async for text in socket_:
            now = time.time()
            tally.last_arrival = now
            if args.parse:
                for message in messages_of(text):
                    take(message, now)
            else:
                scan(text, now)

    def seen_marker(label: str, now: float) -> None:
        if int(label.split(" ", 2)[1]) != index:
            seen = tally.received.setdefault(label, [0, 0.0])
            seen[0] += 1
            seen[1] = max(seen[1], now)

    def acked(seq: int, note_id: int | None, now: float) -> None:
        label, op = pending.pop(seq, (None, None))
        if label is not None:
            tally.sent[label][1] = now
            if op == "note.add" and note_id is not None and len(my_notes) < 20:
                my_notes.append(note_id)

    def scan(text: str, now: float) -> None:
        """Read a frame with regular expressions instead of parsing it: what `take` does for
        every message, at a fraction of the load generator's CPU (see the module's text)."""
        error = False
        for version, label, seq, note_id, failed in SCAN.findall(text):
            if version:
                versions.add(int(version))
            elif label:  # changes carry others' markers, acks our own
                seen_marker(label, now)
            elif seq:
                acked(int(seq), int(note_id) if note_id else None, now)
            elif failed:
                error = True
        if error:
            for message in messages_of(text):
                if message.get("type") == "error":
                    take(message, now)

    def take(message: dict, now: float) -> None:
        kind = message.get("type")
        if kind == "change":
            versions.add(message["version"])
            label = (message["payload"].get("note") or {}).get("text") or ""
            if label.startswith("load "):
                seen_marker(label, now)
        elif kind == "ack":
            result = message.get("result") or {}
            note = result.get("note") or result
            acked(message["seq"], note.get("id"), now)
        elif kind == "error":
            tally.errors.append(f"error: {message.get('code')} {message.get('message')}")

    return socket_, reader, rng, my_notes, pending


async def client_process_main(
    first: int, sessions: list[str], room_url: str, board: str, args, ready, go_at, result
):
    url = f"ws://127.0.0.1:{args.port}{room_url}"
    origin = f"http://127.0.0.1:{args.port}"
    tally = Tally()
    gate = asyncio.Semaphore(CONNECT_AT_ONCE)

    async def connect(i: int, session: str):
        async with gate:
            return await run_client(i, url, origin, session, board, args, 0.0, tally)

    made = await asyncio.gather(*(connect(first + i, s) for i, s in enumerate(sessions)))
    ready.put(len([m for m in made if m]))
    while go_at.value == 0:
        await asyncio.sleep(0.01)
    go = go_at.value
    cpu_start = cpu_seconds()
    readers = []

    async def writer(i: int, socket_, rng, my_notes, pending):
        seq = 0
        period = 1.0 / args.rate
        at = go + rng.random() * period
        end = go + args.window
        while at < end:
            await asyncio.sleep(max(0.0, at - time.time()))
            seq += 1
            sent = time.time()
            label = marker(i, seq, sent)
            if my_notes and rng.random() < 0.5:
                op, data = "note.edit", {"id": rng.choice(my_notes), "text": label}
            else:
                op, data = "note.add", {"board": board, "text": label}
            tally.sent[label] = [sent, None]
            pending[seq] = (label, op)
            message = {"op": op, "client_id": f"load-{i}", "seq": seq, "data": data}
            try:
                await socket_.send(json.dumps(message))
            except Exception as error:
                tally.errors.append(f"send: {error!r}")
                return
            at += period

    writers = []
    for offset, made_client in enumerate(made):
        if not made_client:
            continue
        socket_, reader, rng, my_notes, pending = made_client
        readers.append(asyncio.ensure_future(reader()))
        writers.append(writer(first + offset, socket_, rng, my_notes, pending))
    try:  # a send can block for good when the server stops reading
        await asyncio.wait_for(asyncio.gather(*writers), args.window + 10)
    except TimeoutError:
        tally.errors.append("send: blocked at the end of the window")
    cpu_window = cpu_seconds() - cpu_start
    drain_end = go + args.window + args.drain
    while time.time() < drain_end and time.time() - tally.last_arrival < QUIET_SECONDS:
        await asyncio.sleep(0.2)
    cpu_total = cpu_seconds() - cpu_start
    closing = [made_client[0].close() for made_client in made if made_client]
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*closing, return_exceptions=True), 10)
    for task in readers:
        if task.done() and task.exception():
            tally.errors.append(f"connection: {task.exception()!r}")
        task.cancel()
    result.put(
        {
            "sent": tally.sent,
            "received": tally.received,
            "errors": tally.errors,
            # Versions missing from a client's stream below the last it received: the channel
            # layer delivers in order, so these were dropped, not late.
            "dropped": sum(
                sum(1 for v in range(start + 1, max(got)) if v not in got)
                for start, got in tally.streams
                if got
            ),
            "cpu_window": cpu_window,
            "cpu_total": cpu_total,
        }
    )


def client_process(first, sessions, room_url, board, args, ready, go_at, result):
    asyncio.run(client_process_main(first, sessions, room_url, board, args, ready, go_at, result))


# --- One measured run ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(command: list[str], env: dict, port: int) -> subprocess.Popen:
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, cwd=REPO)
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError(f"the server did not start: {command}") from None
            time.sleep(0.1)


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def measure(kind: str, clients: int, args, workdir: Path) -> dict[str, Any]:
    """One run: `kind` is "app" (the real server) or "baseline"."""
    home = workdir / f"{kind}-{clients}"
    home.mkdir()
    port = free_port()
    env = {
        **os.environ,
        "OPENCITIES_HOME": str(home),
        "DJANGO_SETTINGS_MODULE": "opencities.settings",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    if kind == "app":
        made = subprocess.run(
            [sys.executable, __file__, "--setup-room", str(home), str(clients)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        room = json.loads(made.stdout.strip().splitlines()[-1])
        command = [str(Path(sys.executable).parent / "opencities"), "serve", "--port", str(port)]
        if args.app:  # an experiment: another ASGI application on the same data folder
            where, _colon, attribute = args.app.partition(":")
            command = [
                *(sys.executable, "-m", "uvicorn", f"{Path(where).stem}:{attribute}"),
                *("--app-dir", str(Path(where).resolve().parent), "--port", str(port)),
                *("--lifespan", "off", "--log-level", "warning"),
            ]
    else:
        room = {"room": "/ws/baseline/", "boards": ["b"], "sessions": ["x"] * clients, "step": ""}
        command = [
            *(sys.executable, "-m", "uvicorn", "workshop_load:baseline_app"),
            *("--app-dir", str(Path(__file__).parent), "--port", str(port)),
            *("--lifespan", "off", "--log-level", "warning"),
        ]
    server = start_server(command, env, port)
    args.port = port
    ctx = mp.get_context("fork")
    ready, result = ctx.Queue(), ctx.Queue()
    go_at = ctx.Value("d", 0.0)
    procs = max(1, min(args.procs, clients))
    # Contiguous client numbers per process, so markers name their sender.
    slices, first = [], 0
    for p in range(procs):
        size = clients // procs + (1 if p < clients % procs else 0)
        slices.append((first, room["sessions"][first : first + size]))
        first += size
    workers = [
        ctx.Process(
            target=client_process,
            args=(start, part, room["room"], room["boards"][0], args, ready, go_at, result),
        )
        for start, part in slices
    ]
    try:
        connect_started = time.time()
        for worker in workers:
            worker.start()
        connected = sum(ready.get(timeout=600) for _ in workers)
        connect_seconds = time.time() - connect_started
        time.sleep(1.0)
        server_cpu_start = cpu_seconds(server.pid)
        go = time.time() + 0.5
        go_at.value = go
        time.sleep(max(0.0, go + args.window - time.time()))
        server_cpu_window = cpu_seconds(server.pid) - server_cpu_start
        parts = []
        for _worker in workers:
            try:
                parts.append(result.get(timeout=args.window + args.drain + 60))
            except queue.Empty:  # counted below as everything it sent being lost
                break
        server_cpu_total = cpu_seconds(server.pid) - server_cpu_start
        wall_total = time.time() - go
        hwm = vm_hwm_mib(server.pid)
        for worker in workers:
            worker.join(timeout=30)
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.kill()
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    sent: dict[str, list] = {}
    received: dict[str, list[float]] = {}
    errors: list[str] = []
    dropped = 0
    for part in parts:
        sent.update(part["sent"])
        errors.extend(part["errors"])
        dropped += part["dropped"]
        for label, (count, last) in part["received"].items():
            seen = received.setdefault(label, [0, 0.0])
            seen[0] += count
            seen[1] = max(seen[1], last)
    spreads, acks, lost, unacked = [], [], 0, 0
    for label, (sent_at, acked_at) in sent.items():
        if acked_at is None:
            unacked += 1
            continue
        acks.append((acked_at - sent_at) * 1000)
        count, last = received.get(label, (0, 0.0))
        if count < connected - 1:
            lost += 1
        elif connected > 1:
            spreads.append((last - sent_at) * 1000)
    kinds: dict[str, int] = {}
    for error in errors:
        key = error.split(":", 1)[0] + ":" + error.split(":", 1)[1].split("(")[0][:60]
        kinds[key] = kinds.get(key, 0) + 1
    client_cpu_window = sum(p["cpu_window"] for p in parts)
    client_cpu_total = sum(p["cpu_total"] for p in parts)
    return {
        "kind": kind,
        "clients": clients,
        "connected": connected,
        "connect_seconds": round(connect_seconds, 1),
        "step": room["step"],
        "seconds": args.window,
        "rate_asked": clients * args.rate,
        "sent": len(sent),
        "acked": len(acks),
        "ops_per_second": round(len(acks) / args.window, 1),
        "spread_ms": {p: percentile(spreads, p) for p in (50, 95, 99)},
        "spread_max_ms": max(spreads) if spreads else None,
        "ack_ms": {p: percentile(acks, p) for p in (50, 95, 99)},
        "lost": lost,
        "dropped_deliveries": dropped,
        "unacked": unacked,
        "errors": len(errors),
        "error_kinds": kinds,
        "wall_total_seconds": round(wall_total, 1),
        "server_cpu_window_seconds": round(server_cpu_window, 1),
        "server_cpu_window_percent": round(100 * server_cpu_window / args.window),
        "server_cpu_total_seconds": round(server_cpu_total, 1),
        "server_vm_hwm_mib": hwm,
        "client_processes": procs,
        "client_processes_reported": len(parts),
        "client_cpu_window_seconds": round(client_cpu_window, 1),
        "client_cpu_window_percent": round(100 * client_cpu_window / args.window),
        "client_cpu_total_seconds": round(client_cpu_total, 1),
        "loadavg_after": os.getloadavg(),
    }


def line_for(run: dict[str, Any]) -> str:
    def ms(value):
        return "—" if value is None else f"{value:,.0f}" if value >= 10 else f"{value:.1f}"

    s, a = run["spread_ms"], run["ack_ms"]
    return (
        f"{run['kind']:8} N={run['clients']:<4} ops/s {run['ops_per_second']:>6} "
        f"(asked {run['rate_asked']}) spread p50/p95/p99 {ms(s[50])}/{ms(s[95])}/{ms(s[99])} ms "
        f"ack p50/p95 {ms(a[50])}/{ms(a[95])} ms lost {run['lost']} "
        f"(dropped deliveries {run['dropped_deliveries']}) unacked {run['unacked']} "
        f"errors {run['errors']} server CPU {run['server_cpu_window_percent']}% "
        f"(window+drain {run['server_cpu_total_seconds']} s CPU) "
        f"HWM {run['server_vm_hwm_mib']:.0f} MiB "
        f"clients CPU {run['client_cpu_window_percent']}% ({run['client_processes']} procs)"
    )


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--setup-room":
        print(json.dumps(setup_room(Path(sys.argv[2]), int(sys.argv[3]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[20, 100, 300])
    parser.add_argument(
        "--seconds", type=float, nargs="+", default=[60.0], help="one value, or one per N"
    )
    parser.add_argument("--rate", type=float, default=2.0, help="changes a second per client")
    parser.add_argument("--procs", type=int, default=2, help="client processes")
    parser.add_argument("--drain", type=float, default=30.0, help="most seconds to wait after")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--parse",
        action="store_true",
        help="clients parse every frame as JSON instead of scanning it (costs them more CPU)",
    )
    parser.add_argument(
        "--app",
        help="serve this ASGI application (path/to/module.py:attribute) instead of `opencities "
        "serve`, e.g. a patched consumer for an experiment",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    started = time.time()
    info = machine(websockets=_version_of("websockets"), uvicorn=_version_of("uvicorn"))
    workdir = Path(tempfile.mkdtemp(prefix="workshop-load-"))
    runs, lines = [], []
    try:
        window = dict(zip(args.clients, args.seconds * len(args.clients), strict=False))
        if len(args.seconds) == len(args.clients):
            window = dict(zip(args.clients, args.seconds, strict=True))
        for clients in args.clients:
            args.window = window[clients]
            for kind in ("baseline", "app") if not args.no_baseline else ("app",):
                try:
                    run = measure(kind, clients, args, workdir)
                except Exception as error:  # keep the runs that finished
                    run = {"kind": kind, "clients": clients, "failed": repr(error)}
                    runs.append(run)
                    lines.append(f"{kind:8} N={clients:<4} failed: {error!r}")
                    print(lines[-1], flush=True)
                    continue
                runs.append(run)
                lines.append(line_for(run))
                print(lines[-1], flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    finished = [run for run in runs if "failed" not in run]
    for run in finished:
        base = next(
            (b for b in finished if b["kind"] == "baseline" and b["clients"] == run["clients"]),
            None,
        )
        if run["kind"] == "app" and base and base["spread_ms"][95] and run["spread_ms"][95]:
            run["p95_vs_baseline"] = round(run["spread_ms"][95] / base["spread_ms"][95], 1)
        target = TARGETS_P95_MS.get(run["clients"])
        if run["kind"] == "app" and target is not None:
            p95 = run["spread_ms"][95]
            run["target_p95_ms"] = target
            run["target_met"] = bool(p95 is not None and p95 < target and run["lost"] == 0)
            lines.append(
                f"target N={run['clients']} p95 < {target:.0f} ms: "
                f"{'met' if run['target_met'] else 'NOT met'}"
            )
    results = {
        "machine": info,
        "settings": {
            "clients": args.clients,
            "seconds": args.seconds,
            "rate": args.rate,
            "procs": args.procs,
            "drain": args.drain,
            "app": args.app or "opencities serve",
        },
        "runs": runs,
        "total_seconds": time.time() - started,
    }
    publish(results, ["", *lines], args.out)


def _version_of(name: str) -> str:
    from importlib.metadata import version

    return version(name)


if __name__ == "__main__":
    main()
