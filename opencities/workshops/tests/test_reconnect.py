"""The server process dies mid-workshop (SIGKILL, operations in flight) and comes back on the
same port: the clients reconnect, catch up from the last version they saw, resend what was
never acknowledged with the same client id and sequence, and the database ends up with every
acknowledged change exactly once.

The clients are plain websocket clients doing what room.js does (hello with `since`, an
outbox resent after reconnecting), so the test needs no browser and no event loop."""

from collections import Counter

from .live_server import (
    Client,
    free_port,
    query,
    running_workshop,
    server_env,
    start_server,
    stop,
)

ROUNDS_BEFORE, BURST, WHILE_DOWN = 5, 400, 3


def test_acknowledged_changes_survive_a_killed_server(tmp_path, tmp_path_factory):
    home = tmp_path / "home"
    made = running_workshop(home, tmp_path_factory)
    env = server_env(home)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(env, port)
    fiona = Client(base, made["ws"], made["session"], "Fiona")
    gita = Client(base, made["ws"], made["guest_session"], "Gita")
    everyone = (fiona, gita)
    board = made["board"]

    def add_notes(client: Client, name: str, numbers: range) -> None:
        for n in numbers:
            client.send("note.add", board=board, text=f"{name} {n}")

    try:
        for client in everyone:
            client.connect()
        # Some changes, all acknowledged.
        for client in everyone:
            add_notes(client, client.name, range(ROUNDS_BEFORE))
        for client in everyone:
            client.wait_until(lambda c=client: len(c.acks) == ROUNDS_BEFORE)

        # A burst from both; the server is killed after a few more acknowledgements, with the
        # rest of the burst sent but not answered.
        for n in range(ROUNDS_BEFORE, ROUNDS_BEFORE + BURST):
            for client in everyone:
                add_notes(client, client.name, range(n, n + 1))
        gita.wait_until(lambda: len(gita.acks) >= ROUNDS_BEFORE + 3)
        stop(server, kill=True)
        for client in everyone:
            client.drain_until_closed()
        acked_before = {
            (c.client_id, seq): a["version"] for c in everyone for seq, a in c.acks.items()
        }
        in_flight = sum(len(c.outbox) for c in everyone)
        assert in_flight > 0, "the server answered everything before it was killed"

        ((killed_at,),) = query(
            home, "SELECT version FROM workshops_workshop WHERE id = ?", made["workshop"]
        )
        # Changes made while the server is down wait in the outbox.
        for client in everyone:
            add_notes(client, f"{client.name} offline", range(WHILE_DOWN))

        server = start_server(env, port)
        for client in everyone:
            client.connect()
            client.resend()
        for client in everyone:
            client.wait_until(lambda c=client: not c.outbox, timeout=15)
            assert client.errors == []
            assert len(client.acks) == client.seq == ROUNDS_BEFORE + BURST + WHILE_DOWN

        # Both caught up with every change, in order, up to the last one.
        (final,) = query(
            home, "SELECT version FROM workshops_workshop WHERE id = ?", made["workshop"]
        )[0]
        for client in everyone:
            client.wait_until(lambda c=client: c.version == final)
    finally:
        for client in everyone:
            client.close()
        stop(server)

    logged = query(
        home,
        "SELECT client_id, client_seq, version FROM workshops_operation WHERE client_id != ''",
    )
    pairs = Counter((client_id, seq) for client_id, seq, _v in logged)
    assert [pair for pair, times in pairs.items() if times > 1] == [], "applied twice"
    version_of = {(client_id, seq): version for client_id, seq, version in logged}
    # Every change acknowledged before the crash is in the log, at the version acknowledged.
    assert {pair: version_of.get(pair) for pair in acked_before} == acked_before
    # And so is everything else each client sent, at the version of its acknowledgement.
    for client in everyone:
        for seq in range(1, client.seq + 1):
            assert version_of[(client.client_id, seq)] == client.acks[seq]["version"]
    applied_unacked = sum(
        1
        for c in everyone
        for seq, ack in c.acks.items()
        if (c.client_id, seq) not in acked_before and ack["version"] <= killed_at
    )
    print(  # shown with -s: how the crash fell
        f"killed with {len(acked_before)} acknowledged, {in_flight} in flight of which "
        f"{applied_unacked} had been applied (their retry was answered, not applied again)"
    )
    texts = Counter(text for (text,) in query(home, "SELECT text FROM workshops_note"))
    assert sum(texts.values()) == fiona.seq + gita.seq
    assert max(texts.values()) == 1, "a note was added twice"
