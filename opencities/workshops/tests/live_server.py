"""Real server processes for the live tests: a data folder prepared by a script, `opencities
serve` (uvicorn) on a free port, a private `redis-server`, and a plain websocket client.

pytest-django's live server speaks WSGI only (no websockets), so the server runs as a
subprocess with a file SQLite database in its own OPENCITIES_HOME. Everything here is
synchronous: the browser tests keep an event loop in the main thread (Playwright), so nothing
here runs one there — the websocket client is `websockets.sync`.
"""

import collections
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

# The start of a setup script: a workspace "riverton" with a project and its facilitator
# ``fac`` (an editor); a test's script goes on from there.
PROJECT = """
import json
from datetime import UTC, datetime
from opencities.cli import setup_django

setup_django()
from django.contrib.auth import get_user_model
from django.test import Client
from opencities.accounts.models import Membership, Role, Workspace
from opencities.maps.models import EcosystemMap
from opencities.projects.models import Project
from opencities.workshops import agenda, controls

workspace = Workspace.objects.create(name="Riverton", slug="riverton")
fac = get_user_model().objects.create_user("fiona", password="a-long-test-password-42")
Membership.objects.create(workspace=workspace, user=fac, role=Role.EDITOR)
project = Project.objects.create(workspace=workspace, title="Missed bins", challenge="Bins")
"""

# Prints one JSON line: the room, the join code, the facilitator's and a guest's session, the
# board of the current step (the workshop is running, on its ethics canvas step).
RUNNING_WORKSHOP = (
    PROJECT
    + """
from django.contrib.sessions.backends.db import SessionStore
from opencities.workshops import join, notes

EcosystemMap.objects.create(project=project, title="Waste data")
workshop = agenda.create_workshop(
    project, title="Bins workshop", date=datetime.now(UTC), facilitator=fac
)
controls.open_for_joining(workshop)
controls.start(workshop)
controls.next_step(workshop)
workshop.refresh_from_db()
browser = Client()
browser.force_login(fac)
guest = SessionStore()
join.join_guest(workshop, "Gita", guest)
guest.save()
print(json.dumps({
    "workshop": workshop.pk,
    "room": workshop.get_room_url(),
    "ws": f"/ws/room/{workshop.room}/",
    "code": workshop.join_code,
    "session": browser.cookies["sessionid"].value,
    "guest_session": guest.session_key,
    "board": notes.boards_for(workshop.current_step)[0][0],
}))
"""
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a server process (and its setup script) with its data in `home`."""
    env = {
        **os.environ,
        "OPENCITIES_HOME": str(home),
        "DJANGO_SETTINGS_MODULE": "opencities.settings",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    return {**env, **extra}


def prepare(env: dict[str, str], script: str = RUNNING_WORKSHOP) -> dict:
    """Run a setup script in the server's environment; what its last line printed (JSON)."""
    made = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    if made.returncode:
        raise RuntimeError(f"the setup script failed:\n{made.stderr}")
    return json.loads(made.stdout.strip().splitlines()[-1])


def running_workshop(home: Path, tmp_path_factory) -> dict:
    """A data folder at `home` with RUNNING_WORKSHOP made in it; what the script printed.

    Migrating a new database takes seconds, so the script runs once per test session into a
    template folder, and each test gets a copy of it."""
    template = tmp_path_factory.getbasetemp() / "running-workshop"
    made_file = template / "made.json"
    if not made_file.exists():
        made = prepare(server_env(template / "home"))
        made_file.write_text(json.dumps(made))
    shutil.copytree(template / "home", home)
    return json.loads(made_file.read_text())


def wait_for_port(port: int, process: subprocess.Popen, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"{what} did not start on port {port}") from None
            time.sleep(0.05)


def start_server(env: dict[str, str], port: int) -> subprocess.Popen:
    """`opencities serve` on `port`, once it accepts connections."""
    process = subprocess.Popen(
        [sys.executable, "-m", "opencities.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process, "the server")
    except BaseException:
        stop(process)
        raise
    return process


def stop(process: subprocess.Popen, kill: bool = False) -> None:
    """End a process this test started (SIGKILL when `kill`), and wait for it."""
    if process.poll() is None:
        process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def running_server(env: dict[str, str], port: int | None = None) -> Iterator[str]:
    """A server for the length of a `with` block; gives its base URL."""
    port = port or free_port()
    process = start_server(env, port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


REDIS_SERVER = shutil.which("redis-server")


@contextmanager
def running_redis(folder: Path) -> Iterator[str]:
    """A private redis-server (no persistence) on a free port; gives its URL."""
    assert REDIS_SERVER, "redis-server is not installed"
    port = free_port()
    process = subprocess.Popen(
        [
            *(REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no", "--dir", str(folder)),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process, "redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(process)


def query(home: Path, sql: str, *args) -> list[tuple]:
    """Rows straight from the server's SQLite file."""
    with closing(sqlite3.connect(home / "opencities.sqlite3")) as db:
        return db.execute(sql, args).fetchall()


class Client:
    """One tab of the room, speaking the protocol over a plain websocket: hello with the last
    version it saw, operations with its client id and sequence, and an outbox of operations
    not acknowledged yet that it resends after reconnecting — what room.js does."""

    def __init__(self, base_url: str, path: str, session: str, name: str = ""):
        self.name = name
        self.url = base_url.replace("http", "ws", 1) + path
        self.origin = base_url
        self.session = session
        self.client_id = uuid.uuid4().hex
        self.seq = 0
        self.outbox: dict[int, dict] = {}  # seq -> message, until acknowledged
        self.acks: dict[int, dict] = {}  # seq -> ack
        self.errors: list[dict] = []
        self.versions: set[int] = set()  # of the changes seen (broadcast or caught up)
        self.changes: list[dict] = []
        self.version: int | None = None  # the last one applied, in order
        self.welcome: dict = {}
        self.presence: list[dict] = []
        self.inbox: collections.deque[dict] = collections.deque()  # read, not yet taken
        self.ws: ClientConnection | None = None

    def connect(self, base_url: str | None = None) -> dict:
        """Connect (to another server if given), say hello, and return the welcome."""
        if base_url:
            self.url = base_url.replace("http", "ws", 1) + "/" + self.url.split("/", 3)[3]
            self.origin = base_url
        # Entered by hand (not `with`): the connection outlives this method; close() ends it.
        self.ws = connect(
            self.url,
            origin=self.origin,
            additional_headers={"Cookie": f"sessionid={self.session}"},
            open_timeout=10,
        ).__enter__()
        self.ws.send(json.dumps({"type": "hello", "since": self.version}))
        self.welcome = self.wait_for(lambda m: m["type"] == "welcome")
        if self.version is None or "snapshot" in self.welcome:  # the whole room: start there
            self.version = self.welcome["version"]
        return self.welcome

    def resend(self) -> None:
        for seq in sorted(self.outbox):
            self.ws.send(json.dumps(self.outbox[seq]))

    def send(self, op: str, **data) -> int:
        """Send an operation (or only queue it while disconnected); its seq."""
        self.seq += 1
        message = {"op": op, "client_id": self.client_id, "seq": self.seq, "data": data}
        self.outbox[self.seq] = message
        if self.ws is not None:
            try:
                self.ws.send(json.dumps(message))
            except ConnectionClosed:
                self.ws = None
        return self.seq

    def _take(self, message: dict) -> None:
        kind = message.get("type")
        if kind == "ack":
            self.acks[message["seq"]] = message
            self.outbox.pop(message["seq"], None)
        elif kind == "error":
            self.errors.append(message)
            self.outbox.pop(message.get("seq"), None)
        elif kind == "change":
            self.versions.add(message["version"])
            self.changes.append(message)
            while self.version is not None and self.version + 1 in self.versions:
                self.version += 1
        elif kind == "presence":
            self.presence.append(message)

    def receive(self, timeout: float) -> dict | None:
        """The next message (taken into account), None after `timeout`; raises
        ConnectionClosed when the server has gone. A batch frame's messages come one by one."""
        if not self.inbox:
            try:
                frame = json.loads(self.ws.recv(timeout=timeout))
            except TimeoutError:
                return None
            self.inbox.extend(frame["messages"] if frame.get("type") == "batch" else [frame])
        message = self.inbox.popleft()
        self._take(message)
        return message

    def wait_for(self, done: Callable[[dict], bool], timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            message = self.receive(left)
            if message is not None and done(message):
                return message
        raise AssertionError(f"{self.url}: nothing matching within {timeout} s")

    def wait_until(self, condition: Callable[[], bool], timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{self.url}: condition not met within {timeout} s")
            self.receive(left)

    def drain_until_closed(self, timeout: float = 10) -> None:
        """Read what the server sent before it went away, up to the connection closing."""
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                self.receive(deadline - time.monotonic())
        except ConnectionClosed:
            pass
        self.ws = None

    def close(self) -> None:
        if self.ws is not None:
            self.ws.close()
            self.ws = None
