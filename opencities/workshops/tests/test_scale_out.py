"""Two server processes serve one workshop through a real redis-server (REDIS_URL), sharing
one SQLite file: a client on each sees the other's changes and both people in the room.

scripts/test.sh installs Debian's redis-server; without it this test is skipped."""

import pytest

from .live_server import (
    REDIS_SERVER,
    Client,
    running_redis,
    running_server,
    running_workshop,
    server_env,
)

pytestmark = pytest.mark.skipif(
    REDIS_SERVER is None,
    reason="redis-server is not installed (scripts/test.sh installs Debian's redis-server)",
)


def names(message: dict) -> set[str]:
    return {person["name"] for person in message["participants"]}


def test_two_servers_share_a_room_through_redis(tmp_path, tmp_path_factory):
    home = tmp_path / "home"
    made = running_workshop(home, tmp_path_factory)
    board = made["board"]
    with (
        running_redis(tmp_path) as redis_url,
        running_server(server_env(home, REDIS_URL=redis_url)) as server_a,
        running_server(server_env(home, REDIS_URL=redis_url)) as server_b,
    ):
        fiona = Client(server_a, made["ws"], made["session"], "fiona")
        gita = Client(server_b, made["ws"], made["guest_session"], "Gita")
        try:
            fiona.connect()
            gita.connect()
            # Presence crosses the servers: each sees both people.
            both = {"fiona", "Gita"}
            for client in (fiona, gita):
                if names(client.welcome) != both:
                    client.wait_for(lambda m: m["type"] == "presence" and names(m) == both)

            # A change through server A reaches the client on server B ...
            seq = fiona.send("note.add", board=board, text="Who may see the lift logs?")
            fiona.wait_until(lambda: seq in fiona.acks)
            version = fiona.acks[seq]["version"]
            seen = gita.wait_for(lambda m: m["type"] == "change" and m["version"] == version)
            assert seen["payload"]["note"]["text"] == "Who may see the lift logs?"
            note = seen["payload"]["note"]["id"]

            # ... and the other way round.
            seq = gita.send("note.edit", id=note, text="Who may read the lift logs?")
            gita.wait_until(lambda: seq in gita.acks)
            version = gita.acks[seq]["version"]
            seen = fiona.wait_for(lambda m: m["type"] == "change" and m["version"] == version)
            assert seen["payload"]["note"]["text"] == "Who may read the lift logs?"
            assert fiona.errors == gita.errors == []

            # Leaving is seen across the servers too.
            gita.close()
            left = fiona.wait_for(lambda m: m["type"] == "presence" and m["event"] == "leave")
            assert names(left) == {"fiona"}
        finally:
            fiona.close()
            gita.close()
