"""The real hub on loopback (uvicorn in a thread), on SQLite and PostgreSQL: concurrent copies
of a batch apply once, and a puller racing pushers never skips a committed change."""

from __future__ import annotations

import gzip
import json
import threading

import httpx2
import pytest

from app.models.ids import new_id
from hub.server import ServerThread
from tests.hub.helpers import PROTOCOL, new_mediator, op, session_payload


@pytest.fixture
def server(settings, hub_db):
    with ServerThread(settings, database=hub_db) as running:
        yield running


def _client(server, token: str | None = None) -> httpx2.Client:
    headers = dict(PROTOCOL)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx2.Client(base_url=server.url, headers=headers, timeout=30)


def _enrol(server, hub_db, mediator_id: str, name: str) -> str:
    from hub.org import issue_enrolment_code

    with hub_db.write() as s:
        code, _ = issue_enrolment_code(s, mediator_id, 600)
    with _client(server) as c:
        r = c.post("/api/v1/enrol", json={"code": code, "device_name": name})
        assert r.status_code == 200, r.text
        return r.json()["token"]


def _push(client: httpx2.Client, ops: list) -> httpx2.Response:
    body = gzip.compress(json.dumps({"batch_id": new_id(), "ops": ops}).encode())
    return client.post(
        "/api/v1/sync/push",
        content=body,
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )


def test_same_batch_from_three_connections_applies_once(server, hub_db):
    token = _enrol(server, hub_db, new_mediator(hub_db), "Portable")
    ops = [op(session_payload()) for _ in range(100)]
    answers: list[httpx2.Response] = []
    barrier = threading.Barrier(3)

    def send() -> None:
        with _client(server, token) as c:
            barrier.wait()
            answers.append(_push(c, ops))

    threads = [threading.Thread(target=send) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [a.status_code for a in answers] == [200, 200, 200]
    kinds = sorted({x["status"] for x in a.json()["results"]}.pop() for a in answers)
    assert kinds == ["applied", "duplicate", "duplicate"]
    for a in answers:
        assert len(a.headers.get_list("date")) == 1
        assert a.headers["x-carnet-epoch"] == a.json()["epoch"]
    with _client(server, token) as c:
        assert c.get("/api/v1/sync/status").json()["seq"] == 100


def test_every_answer_has_one_date_and_the_epoch(server, hub_db):
    import email.utils

    token = _enrol(server, hub_db, new_mediator(hub_db), "Portable")
    with _client(server, token) as c:
        answers = [
            c.get("/api/v1/sync/status"),
            c.get("/api/v1/nulle-part"),
            c.get("/api/v1/sync/status", headers={"Authorization": "Bearer faux"}),
            c.get("/api/v1/sync/status", headers={"X-Carnet-Protocol": "9"}),
            c.post(
                "/api/v1/sync/push", content=b"pas du gzip", headers={"Content-Encoding": "gzip"}
            ),
        ]
    assert [a.status_code for a in answers] == [200, 404, 401, 426, 400]
    for a in answers:
        (date,) = a.headers.get_list("date")
        assert email.utils.parsedate_to_datetime(date).tzinfo is not None
        assert len(a.headers["x-carnet-epoch"]) == 36


def test_a_puller_racing_pushers_never_skips_a_change(server, hub_db):
    mediator = new_mediator(hub_db)
    tokens = [_enrol(server, hub_db, mediator, f"Appareil {i}") for i in range(3)]
    pushed: set[str] = set()
    lock = threading.Lock()
    done = threading.Event()

    def pusher(token: str) -> None:
        with _client(server, token) as c:
            for _ in range(8):
                ops = [op(session_payload()) for _ in range(25)]
                r = _push(c, ops)
                assert r.status_code == 200, r.text
                with lock:
                    pushed.update(o["entity_id"] for o in ops)

    seen: dict[str, int] = {}
    cursor = 0

    def pull_once(c: httpx2.Client) -> None:
        nonlocal cursor
        while True:
            r = c.get("/api/v1/sync/pull", params={"since": cursor, "limit": 37})
            assert r.status_code == 200, r.text
            data = r.json()
            for change in data["changes"]:
                assert change["seq"] > cursor
                seen[change["entity_id"]] = change["seq"]
            cursor = data["next"]
            if not data["more"]:
                return

    def puller() -> None:
        with _client(server, tokens[0]) as c:
            while not done.is_set():
                pull_once(c)
            pull_once(c)  # a last pass once every push is acknowledged

    pushers = [threading.Thread(target=pusher, args=(t,)) for t in tokens]
    reader = threading.Thread(target=puller)
    reader.start()
    for t in pushers:
        t.start()
    for t in pushers:
        t.join()
    done.set()
    reader.join()
    assert len(pushed) == 3 * 8 * 25
    assert set(seen) == pushed  # nothing skipped by a cursor that ran ahead
