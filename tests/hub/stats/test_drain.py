"""Pushed sessions wait uncounted; the drain counts them (hub/stats/maintain.py): each exactly
once even while pushes edit them, in the background once pushes pause, and before anything
reads the statistics, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

import hub.stats.maintain as maintain
from hub.config import Settings
from hub.db import Database
from hub.models import utcnow
from hub.push import Op, apply_batch
from hub.stats.drainer import Drainer
from hub.stats.maintain import backlog, catch_up, drain, has_waiting, rebuild
from tests.hub.helpers import Enrolled, enrol, new_mediator, op, session_payload
from tests.hub.stats.fixtures import AMIENS, LILLE, ROUBAIX, aggregates
from tests.hub.web.demo import PASSWORD, build_demo


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # No background drain here: each test decides when the sessions are counted.
    return Settings(database_url=database_url, data_dir=tmp_path, stats_drain=False)


def push_direct(db: Database, device: Enrolled, ops: list[dict[str, Any]]) -> list[str]:
    """A push as the API applies it (its own write transaction), callable from any thread."""
    batch = [
        Op(o["op_id"], o["entity"], o["entity_id"], o["op"], o["base_version"], 1, o["payload"])
        for o in ops
    ]
    with db.write() as s:
        outcome = apply_batch(s, device.mediator_id, device.device_id, batch, utcnow())
    return [r.status for r in outcome.results]


def _sessions(n: int, month: str = "2025-03", **kw: Any) -> list[dict[str, Any]]:
    return [
        session_payload(date=f"{month}-{1 + i % 28:02d}", beneficiary_id=f"B{i % 7}", **kw)
        for i in range(n)
    ]


def _assert_exact(hub_db: Database) -> None:
    catch_up(hub_db)
    with hub_db.session() as s:
        assert not has_waiting(s)
    maintained = aggregates(hub_db)
    assert maintained["stat_cell"]
    with hub_db.write() as s:
        rebuild(s)
    assert aggregates(hub_db) == maintained


def test_a_push_leaves_its_sessions_waiting_for_the_drain(device, hub_db):
    sessions = _sessions(12)
    assert set(push_direct(hub_db, device, [op(p) for p in sessions])) == {"applied"}
    with hub_db.session() as s:
        assert backlog(s)[0] == 12
    assert aggregates(hub_db)["stat_cell"] == set()  # the push counted nothing
    assert drain(hub_db, limit=5) == 5
    assert drain(hub_db) == 7
    with hub_db.session() as s:
        assert backlog(s) == (0, None)
    # A delete of a session never counted leaves nothing to take out, and nothing to count.
    gone = {**sessions[0], "deleted_at": "2025-04-01T10:00:00Z", "version": 2}
    assert push_direct(hub_db, device, [op(gone, 1, kind="delete")]) == ["applied"]
    with hub_db.session() as s:
        assert not has_waiting(s)
    # An edit of the notes only keeps a counted session counted.
    noted = {**sessions[1], "notes": "rappeler mardi", "version": 2}
    assert push_direct(hub_db, device, [op(noted, 1)]) == ["applied"]
    with hub_db.session() as s:
        assert not has_waiting(s)
    _assert_exact(hub_db)


def test_a_push_waits_while_the_drain_counts_its_mediator(device, hub_db, monkeypatch):
    """The drain holds the mediator's change counter from reading the waiting sessions to
    marking them counted: a push editing them meanwhile waits, then finds them counted and
    takes their contribution out (no double count, no count missed)."""
    sessions = _sessions(20)
    assert set(push_direct(hub_db, device, [op(p) for p in sessions])) == {"applied"}
    counting = threading.Event()
    flush = maintain.Deltas.flush

    def slow_flush(self: Any, db: Any) -> None:
        flush(self, db)
        if threading.current_thread().name == "drain":
            counting.set()
            time.sleep(0.5)  # counted, not yet marked nor committed

    monkeypatch.setattr(maintain.Deltas, "flush", slow_flush)
    worker = threading.Thread(target=drain, args=(hub_db,), name="drain")
    worker.start()
    assert counting.wait(10)
    started = time.monotonic()
    edits = [
        op({**p, "date": "2025-06-02", "commune_insee": AMIENS, "version": 2}, 1)
        for p in sessions[:10]
    ]
    deletes = [
        op({**p, "deleted_at": "2025-06-03T10:00:00Z", "version": 2}, 1, kind="delete")
        for p in sessions[10:15]
    ]
    assert set(push_direct(hub_db, device, edits + deletes)) == {"applied"}
    waited = time.monotonic() - started
    worker.join(10)
    assert waited >= 0.3, waited  # the push waited for the drain's commit
    with hub_db.session() as s:
        assert backlog(s)[0] == 10  # the edited sessions wait again; deletes count nothing
    _assert_exact(hub_db)


def test_pushes_and_drains_at_once_count_every_session_once(client, hub_db):
    devices = [enrol(client, hub_db, new_mediator(hub_db, f"Médiateur {k}")) for k in range(2)]
    stop = threading.Event()
    errors: list[BaseException] = []

    def keep_draining() -> None:
        try:
            while not stop.is_set():
                drain(hub_db, limit=7)
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    workers = [threading.Thread(target=keep_draining) for _ in range(2)]
    for w in workers:
        w.start()
    held: dict[str, tuple[int, dict, int]] = {}  # id → (device, payload, version)
    communes = [LILLE, ROUBAIX, AMIENS]
    try:
        for round_ in range(24):
            k = round_ % 2
            ops = [op(p) for p in _sessions(6, month=f"2025-{1 + round_ % 12:02d}")]
            for p in (o["payload"] for o in ops):
                held[p["id"]] = (k, p, 1)
            mine = sorted(i for i, (d, _p, _v) in held.items() if d == k)
            for i, entity_id in enumerate(mine[-20:-8]):  # earlier sessions, counted or not
                _, payload, version = held[entity_id]
                if payload.get("deleted_at"):
                    continue
                if i % 4 == 3:
                    new = {**payload, "deleted_at": "2025-12-01T10:00:00Z", "version": version + 1}
                    ops.append(op(new, version, kind="delete"))
                else:
                    new = {**payload, "commune_insee": communes[(round_ + i) % 3]}
                    new["version"] = version + 1
                    ops.append(op(new, version))
                held[entity_id] = (k, new, version + 1)
            assert set(push_direct(hub_db, devices[k], ops)) == {"applied"}
    finally:
        stop.set()
        for w in workers:
            w.join(30)
    assert not errors, errors
    _assert_exact(hub_db)


def test_the_background_drain_counts_once_pushes_pause(device, hub_db):
    drainer = Drainer(hub_db, quiet=0.3, max_delay=30, poll=0.1)
    drainer.start()
    try:
        push_direct(hub_db, device, [op(p) for p in _sessions(30)])
        pushed_at = time.monotonic()
        drainer.pushed()
        deadline = pushed_at + 20
        while time.monotonic() < deadline:
            with hub_db.session() as s:
                if not has_waiting(s):
                    break
            time.sleep(0.02)
        waited = time.monotonic() - pushed_at
    finally:
        drainer.stop()
    assert drainer.counted == 30
    assert 0.25 <= waited < 20, waited  # not before the hub was quiet for 0.3 s
    _assert_exact(hub_db)


def test_pulls_also_keep_the_background_drain_waiting(device, hub_db):
    # Quiet means 1.5 s without a sync request; pulls come every 0.1 s for 2 s (a loaded CI
    # machine once stretched a 0.1 s sleep past the 0.3 s this test used to allow).
    drainer = Drainer(hub_db, quiet=1.5, max_delay=30, poll=0.05)
    drainer.start()
    try:
        push_direct(hub_db, device, [op(p) for p in _sessions(10)])
        drainer.pushed()
        for _ in range(20):  # devices keep pulling for 2 s: the hub is not quiet
            time.sleep(0.1)
            drainer.pulled()
        assert drainer.counted == 0
        deadline = time.monotonic() + 20
        while drainer.counted < 10 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        drainer.stop()
    assert drainer.counted == 10
    _assert_exact(hub_db)


def test_the_background_drain_does_not_wait_for_ever_while_pushes_go_on(device, hub_db):
    drainer = Drainer(hub_db, quiet=5.0, max_delay=0.4, poll=0.1)
    drainer.start()
    try:
        counted_meanwhile = 0
        for round_ in range(25):
            push_direct(
                hub_db, device, [op(p) for p in _sessions(4, month=f"2025-0{1 + round_ % 9}")]
            )
            drainer.pushed()
            time.sleep(0.08)
            counted_meanwhile = drainer.counted
    finally:
        drainer.stop()
    assert counted_meanwhile > 0  # the backlog grew old: counted while pushes went on
    _assert_exact(hub_db)


def _activities(csv_bytes: bytes) -> int:
    rows = list(csv.reader(io.StringIO(csv_bytes.decode("utf-8-sig")), delimiter=";"))
    return int(next(r[2] for r in rows if r[:2] == ["Indicateurs", "Activités"]))


def test_a_stats_page_right_after_a_push_shows_the_pushed_sessions(client, hub_db, cli):
    demo = build_demo(client, hub_db)
    r = client.post("/connexion", data={"email": demo.emails["admin"], "password": PASSWORD})
    assert r.status_code in (200, 303)
    before = _activities(client.get("/export.csv?annee=2025").content)
    with hub_db.session() as s:
        assert not has_waiting(s)  # the export counted the demo's sessions first
    code, out, _ = cli("partner-token", "Observatoire")
    assert code == 0
    auth = {"Authorization": f"Bearer {out.splitlines()[1].strip()}"}
    api_before = client.get("/partenaires/v1/indicateurs?annee=2025", headers=auth).json()

    device = enrol(client, hub_db, new_mediator(hub_db, "Nouvelle médiatrice"))
    assert set(push_direct(hub_db, device, [op(p) for p in _sessions(7)])) == {"applied"}
    with hub_db.session() as s:
        assert backlog(s)[0] == 7
    assert _activities(client.get("/export.csv?annee=2025").content) == before + 7
    page = client.get("/tableau-de-bord?annee=2025")
    assert page.status_code == 200
    more = _sessions(3, month="2025-09")
    assert set(push_direct(hub_db, device, [op(p) for p in more])) == {"applied"}
    api = client.get("/partenaires/v1/indicateurs?annee=2025", headers=auth).json()
    assert api["indicateurs"]["activities"] == api_before["indicateurs"]["activities"] + 10
    with hub_db.session() as s:
        assert not has_waiting(s)


def test_health_shows_the_backlog_and_drain_aggregates_counts_it(cli, device, hub_db):
    push_direct(hub_db, device, [op(p) for p in _sessions(9)])
    code, out, _ = cli("health")
    assert code == 0 and "pas encore comptées dans les statistiques : 9" in out
    code, out, _ = cli("drain-aggregates")
    assert code == 0 and "Séances comptées dans les statistiques : 9" in out
    code, out, _ = cli("health")
    assert "pas encore comptées dans les statistiques : 0" in out
    _assert_exact(hub_db)


def test_the_first_month_query_reads_only_the_codes_it_asks_for(device, hub_db):
    """Each chunk of the drain recomputes its people's first month: by the primary key (which
    starts with the code), never by a scan of every untagged fact of the hub, which made a
    drain quadratic in the hub's size (SQLite's planner chose the (tag, month) index)."""
    push_direct(hub_db, device, [op(p) for p in _sessions(7, month="2025-05")])
    push_direct(hub_db, device, [op(p) for p in _sessions(3, month="2025-02")])
    assert drain(hub_db) == 10
    query = maintain.first_months_query(["B0", "B1", "B2", "B5", "nobody"])
    with hub_db.session() as s:
        first = dict(s.execute(query).all())
        if s.get_bind().dialect.name == "sqlite":
            compiled = query.compile(s.get_bind(), compile_kwargs={"literal_binds": True})
            plan = " ".join(
                str(row[-1]) for row in s.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
            )
            assert "sqlite_autoindex_stat_person" in plan, plan
            assert "ix_stat_person_tag_month" not in plan, plan
    assert first == {"B0": "2025-02", "B1": "2025-02", "B2": "2025-02", "B5": "2025-05"}
