"""Synchronisation benchmarks: the real hub on loopback (its own process, uvicorn), real devices
(the desktop's SyncEngine, HttpTransport and notebook), on SQLite and on PostgreSQL.

    python -m bench.bench_sync                    # both databases, every scenario
    python -m bench.bench_sync --backend sqlite --only push,pull

Scenarios (targets of the hub-and-sync issue):

* ``push``: first sync of 10,000 queued sessions (≥ 5,000 sessions/s end to end, ≤ 150 bytes on
  the wire per session), beside a baseline: the same rows inserted straight into the hub's
  database in one transaction. The push leaves the sessions uncounted in the statistics; the
  time the drain then takes to count them (hub/stats/maintain.py, run from the bench process
  against the hub's database, as ``carnet-hub drain-aggregates`` does) is reported beside it.
* ``pull``: a second device of the same mediator pulls those 10,000 (≥ 5,000 sessions/s), beside
  a baseline: the same rows read straight from the hub's database in one query.
* ``noop``: a sync with nothing to do on a device holding 100,000 synced sessions (≤ 10 ms,
  ≤ 2 KB exchanged); ``ten``: 10 new sessions on top of them (≤ 20 ms).
* ``slow``: 2,000 sessions over a 64 kbit/s link with a 1 s round trip and connection resets
  (tests/e2e/proxy.py): each arrives once; time and bytes.
* ``crowd``: 200 devices (4 processes × 50 threads) syncing at once for 60 s: no error;
  p50 / p99 latency of a sync.

Bytes on the wire are counted by the loopback proxy of tests/e2e/proxy.py (unthrottled for the
fast scenarios): every byte of every TCP stream, HTTP headers included.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text

from app.models.entities import Accompagnement, Beneficiary, OutboxEntry, Venue
from app.models.payloads import outbox_entry
from app.services.notebook import open_notebook
from app.services.sessions import SessionInput
from app.sync.credentials import MemoryTokenStore
from app.sync.engine import SyncEngine
from app.sync.transport import Backoff, HttpTransport
from bench.common import percentile
from bench.datagen import generate_notebook
from hub.db import Database
from hub.migrate import upgrade
from hub.models import RECORD_TABLES, AppliedOp
from hub.org import create_mediator, create_structure, issue_enrolment_code
from hub.records import validate_payload
from hub.stats.maintain import backlog
from hub.stats.maintain import drain as drain_aggregates
from tests.e2e.proxy import ThrottlingProxy

PG_ADMIN_URL = os.environ.get(
    "CARNET_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ENTITY_MODELS = {"venue": Venue, "beneficiary": Beneficiary, "accompagnement": Accompagnement}
SCENARIOS = ("push", "pull", "noop", "ten", "slow", "crowd")


# ==== the hub, in its own process ================================================================
def serve(database_url: str, port: int, aggregates: bool = True) -> None:
    """The hub process: the production app and server, with enrolment unthrottled (the
    crowd scenario enrols 200 devices from one address). ``aggregates=False`` is a diagnostic:
    the push path without the statistics (hub/stats/maintain.py: no old contribution taken
    out of the aggregates, no background drain; the sessions are left uncounted)."""
    from hub.app import create_app
    from hub.config import Settings
    from hub.server import serve_forever, uvicorn_config

    if not aggregates:
        import hub.push

        hub.push.set_aside = lambda *args, **kwargs: None  # type: ignore[assignment]
    settings = Settings(
        database_url=database_url, enrol_rate_attempts=1_000_000, stats_drain=aggregates
    )
    app = create_app(settings, migrate=False)
    serve_forever(uvicorn_config(app, "127.0.0.1", port, access_log=False))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class HubProcess:
    def __init__(self, backend: str, folder: Path, aggregates: bool = True) -> None:
        self.backend = backend
        self.aggregates = aggregates
        self.pg_name: str | None = None
        if backend == "sqlite":
            self.url = f"sqlite:///{folder / 'hub.db'}"
        else:
            self.pg_name = f"carnet_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
            admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{self.pg_name}"'))
            admin.dispose()
            self.url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + self.pg_name
        self.db = Database(self.url)
        upgrade(self.db.engine)
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.bench_sync",
                "--serve",
                self.url,
                str(self.port),
                "aggregates" if aggregates else "no-aggregates",
            ],
            cwd=Path(__file__).resolve().parent.parent,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("le hub de mesure n'a pas démarré") from None
                time.sleep(0.1)

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=20)
        self.db.dispose()
        if self.pg_name:
            admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)'))
            admin.dispose()

    def mediator(self, name: str) -> str:
        with self.db.write() as s:
            structure = create_structure(s, f"Structure {name}", commune_insee="59350")
            return create_mediator(s, name, structure.id).id

    def code(self, mediator_id: str) -> str:
        with self.db.write() as s:
            return issue_enrolment_code(s, mediator_id, 3600)[0]

    def count(self, mediator_id: str, entity: str = "accompagnement") -> int:
        table = RECORD_TABLES[entity]
        with self.db.session() as s:
            return int(
                s.scalar(
                    select(func.count())
                    .select_from(table)
                    .where(table.c.mediator_id == mediator_id)
                )
                or 0
            )

    def drain(self) -> tuple[int, float]:
        """Count the sessions waiting for the statistics, as ``carnet-hub drain-aggregates``
        does, against the hub's database (the hub's own background drain may take chunks
        meanwhile: both stop when none waits). Returns (sessions waiting, seconds)."""
        with self.db.session() as s:
            waiting, _ = backlog(s)
        started = time.perf_counter()
        drain_aggregates(self.db)
        return waiting, time.perf_counter() - started

    def applied(self, mediator_id: str) -> tuple[int, int]:
        """(ops recorded, distinct records they touched) for a mediator."""
        with self.db.session() as s:
            row = s.execute(
                select(func.count(), func.count(AppliedOp.entity_id.distinct())).where(
                    AppliedOp.mediator_id == mediator_id
                )
            ).one()
        return int(row[0]), int(row[1])


# ==== devices ====================================================================================
@dataclass
class Device:
    notebook: Any
    http: HttpTransport
    engine: SyncEngine
    tokens: MemoryTokenStore

    @classmethod
    def create(cls, path: Path, name: str, timeout: tuple[float, float] = (10, 120)) -> Device:
        notebook = open_notebook(path)
        http = HttpTransport(timeout=timeout)
        tokens = MemoryTokenStore()
        engine = SyncEngine(
            notebook.session_factory,
            http,
            profile_key=name,
            token_store=tokens,
            backoff=Backoff(base=0.2, cap=5.0),
            max_tries=50,
        )
        return cls(notebook, http, engine, tokens)

    def enrol(self, hub: HubProcess, mediator_id: str, url: str | None = None) -> None:
        self.engine.enrol(url or hub.address, hub.code(mediator_id), "Portable de mesure")

    def route_through(self, url: str) -> None:
        """Send the next requests to ``url`` (a proxy in front of the same hub)."""
        self.http.configure(url, self.tokens.get_token(self.engine.profile_key))

    def close(self) -> None:
        self.http.close()
        self.notebook.close()


def queued_notebook(path: Path, sessions: int, seed: int) -> dict[str, int]:
    """A notebook with ``sessions`` generated sessions (and their venues and people), all
    queued in the outbox as the services would have left them."""
    counts = generate_notebook(path, sessions, seed=seed)
    engine = create_engine(f"sqlite:///{path}")
    from sqlalchemy.orm import Session

    with Session(engine) as db, db.begin():
        for model in ENTITY_MODELS.values():
            for row in db.scalars(select(model)):
                db.add(outbox_entry(row, "upsert", 0))
    engine.dispose()
    return counts


def hub_rows(path: Path, mediator_id: str) -> dict[str, list[dict[str, Any]]]:
    """The notebook's rows as the hub stores them (validated payloads, seq in order)."""
    engine = create_engine(f"sqlite:///{path}")
    from sqlalchemy.orm import Session

    from app.models.payloads import row_payload

    out: dict[str, list[dict[str, Any]]] = {}
    seq = 0
    now = dt.datetime.now(dt.UTC)
    with Session(engine) as db:
        for entity, model in ENTITY_MODELS.items():
            rows = []
            for row in db.scalars(select(model)):
                payload = row_payload(row)
                seq += 1
                values = validate_payload(entity, payload["id"], payload)
                rows.append(
                    {
                        "id": payload["id"],
                        "mediator_id": mediator_id,
                        "seq": seq,
                        "version": 1,
                        "deleted": False,
                        "received_at": now,
                        **values,
                    }
                )
            out[entity] = rows
    engine.dispose()
    return out


def insert_straight(hub: HubProcess, mediator_id: str, rows: dict[str, list[dict]]) -> float:
    """Insert rows into the hub's record tables in one transaction (COPY on PostgreSQL, as
    the push path does); returns the seconds it took, commit included."""
    from hub.models import Mediator
    from hub.push import _insert_many

    started = time.perf_counter()
    with hub.db.write() as s:
        total = 0
        for entity, batch in rows.items():
            if batch:
                _insert_many(s, RECORD_TABLES[entity], [dict(r) for r in batch])
                total += len(batch)
        s.execute(Mediator.__table__.update().where(Mediator.id == mediator_id).values(seq=total))
    return time.perf_counter() - started


def read_straight(hub: HubProcess, mediator_id: str) -> float:
    table = RECORD_TABLES["accompagnement"]
    started = time.perf_counter()
    with hub.db.snapshot() as s:
        rows = s.execute(select(table).where(table.c.mediator_id == mediator_id)).all()
    assert rows
    return time.perf_counter() - started


@contextmanager
def counting_proxy(hub: HubProcess) -> Iterator[ThrottlingProxy]:
    proxy = ThrottlingProxy(("127.0.0.1", hub.port), bits_per_second=1e12, rtt=0.0, chunk=65536)
    try:
        yield proxy
    finally:
        proxy.close()


# ==== scenarios ==================================================================================
@dataclass
class Results:
    backend: str
    figures: dict[str, Any] = field(default_factory=dict)

    def put(self, key: str, value: Any) -> None:
        self.figures[key] = value
        print(f"  [{self.backend}] {key} = {value}", flush=True)


def _sync_all(device: Device) -> Any:
    report = device.engine.sync_once()
    unsent = sum(
        1 for e in _outbox_states(device) if e in ("pending", "inflight", "rejected", "conflict")
    )
    assert unsent == 0, f"{unsent} changes not acknowledged"
    return report


def _outbox_states(device: Device) -> list[str]:
    with device.notebook.session_factory() as db:
        return list(db.scalars(select(OutboxEntry.state)))


def scenario_push_pull(hub: HubProcess, folder: Path, res: Results, n: int, pull: bool) -> None:
    # Baseline: the same rows straight into the database, in one transaction (the same
    # generated content under other ids, for another mediator).
    template = folder / "push-template.db"
    queued_notebook(template, n, seed=7)
    queued_notebook(folder / "push-baseline.db", n, seed=7)
    baseline_mediator = hub.mediator("Référence")
    rows = hub_rows(folder / "push-baseline.db", baseline_mediator)
    records = sum(len(r) for r in rows.values())
    insert_s = insert_straight(hub, baseline_mediator, rows)
    if hub.aggregates:
        hub.drain()  # the baseline's sessions, counted before the timed push
    res.put("push.records", records)
    res.put("push.baseline_insert_s", round(insert_s, 3))
    res.put("push.baseline_sessions_per_s", round(n / insert_s))

    # Timed: a device pushes its queue straight to the hub.
    mediator = hub.mediator("Camille Martin")
    path = folder / "push-a.db"
    shutil.copyfile(template, path)
    a = Device.create(path, "a")
    a.enrol(hub, mediator)
    started = time.perf_counter()
    report = _sync_all(a)
    push_s = time.perf_counter() - started
    assert hub.count(mediator) == n, hub.count(mediator)
    assert hub.applied(mediator) == (records, records)
    res.put("push.seconds", round(push_s, 3))
    res.put("push.sessions_per_s", round(n / push_s))
    res.put("push.batches", report.batches)
    if hub.aggregates:
        # The statistics' share, left out of the push: counting those sessions afterwards.
        waiting, drain_s = hub.drain()
        res.put("push.drain_sessions", waiting)
        res.put("push.drain_s", round(drain_s, 3))
        res.put("push.drain_sessions_per_s", round(waiting / drain_s) if drain_s else None)
        res.put("push.with_drain_sessions_per_s", round(n / (push_s + drain_s)))

    # Bytes: the same queue from a twin device, through the counting proxy.
    twin_mediator = hub.mediator("Jumeau")
    twin_path = folder / "push-twin.db"
    queued_notebook(twin_path, n, seed=7)
    twin = Device.create(twin_path, "twin")
    with counting_proxy(hub) as proxy:
        twin.enrol(hub, twin_mediator, proxy.url)
        enrol_bytes = proxy.bytes_up + proxy.bytes_down
        _sync_all(twin)
        wire = proxy.bytes_up + proxy.bytes_down - enrol_bytes
    res.put("push.wire_bytes", wire)
    res.put("push.bytes_per_session", round(wire / n, 1))
    twin.close()
    if hub.aggregates:
        hub.drain()  # now, rather than by the hub's drain in the middle of the timed pull

    if pull:
        read_s = read_straight(hub, mediator)
        res.put("pull.baseline_select_s", round(read_s, 3))
        res.put("pull.baseline_insert_sessions_per_s", round(n / insert_s))
        b = Device.create(folder / "pull-b.db", "b")
        b.enrol(hub, mediator)
        started = time.perf_counter()
        report = _sync_all(b)
        pull_s = time.perf_counter() - started
        assert report.pulled == records, report.pulled
        res.put("pull.seconds", round(pull_s, 3))
        res.put("pull.sessions_per_s", round(n / pull_s))
        b.close()
    a.close()


def scenario_large(hub: HubProcess, folder: Path, res: Results, n: int, runs: int) -> None:
    """A device holding ``n`` synced sessions: a no-op sync, then 10 new sessions."""
    template = folder / "large-template.db"
    generate_notebook(template, n, seed=11)
    mediator = hub.mediator("Dominique Large")
    insert_straight(hub, mediator, hub_rows(template, mediator))
    if hub.aggregates:
        # Counted now, rather than by the hub's drain during the timed syncs below.
        waiting, drain_s = hub.drain()
        res.put("large.drain_sessions", waiting)
        res.put("large.drain_s", round(drain_s, 1))
    device = Device.create(folder / "large.db", "large", timeout=(10, 300))
    device.enrol(hub, mediator)
    started = time.perf_counter()
    report = _sync_all(device)  # the new laptop: everything comes down
    res.put("large.setup_pull_s", round(time.perf_counter() - started, 1))
    assert report.pulled >= n
    with device.notebook.session_factory() as db:
        held = db.scalar(select(func.count()).select_from(Accompagnement))
    res.put("large.sessions_held", held)

    _sync_all(device)  # warm: connection, catalogue ETag
    noop = []
    for _ in range(runs):
        started = time.perf_counter()
        report = device.engine.sync_once()
        noop.append(time.perf_counter() - started)
        assert report.acknowledged == 0 and report.pulled == 0
    res.put("noop.median_ms", round(statistics.median(noop) * 1000, 2))
    res.put("noop.p90_ms", round(percentile(noop, 90) * 1000, 2))
    with counting_proxy(hub) as proxy:
        device.route_through(proxy.url)
        requests_before = device.http.requests_made
        device.engine.sync_once()
        res.put("noop.wire_bytes", proxy.bytes_up + proxy.bytes_down)
        res.put("noop.requests", device.http.requests_made - requests_before)
    device.route_through(hub.address)

    venue = device.notebook.venues.list()[0].id
    ten = []
    for run in range(runs):
        for i in range(10):
            device.notebook.sessions.record(
                SessionInput(
                    venue_id=venue,
                    themes=["email"],
                    duration_min=30,
                    notes=f"série {run}, séance {i}",
                )
            )
        started = time.perf_counter()
        report = device.engine.sync_once()
        ten.append(time.perf_counter() - started)
        assert report.applied == 10, report
    res.put("ten.median_ms", round(statistics.median(ten) * 1000, 2))
    res.put("ten.p90_ms", round(percentile(ten, 90) * 1000, 2))
    with counting_proxy(hub) as proxy:
        device.route_through(proxy.url)
        for i in range(10):
            device.notebook.sessions.record(
                SessionInput(venue_id=venue, themes=["email"], duration_min=30, notes=f"mesure {i}")
            )
        device.engine.sync_once()
        res.put("ten.wire_bytes", proxy.bytes_up + proxy.bytes_down)
    device.close()


def scenario_slow(hub: HubProcess, folder: Path, res: Results, n: int) -> None:
    template = folder / "slow.db"
    queued_notebook(template, n, seed=21)
    mediator = hub.mediator("Lien lent")
    device = Device.create(template, "slow", timeout=(10, 30))
    proxy = ThrottlingProxy(
        ("127.0.0.1", hub.port), bits_per_second=64_000, rtt=1.0, reset_rate=0.02, seed=3
    )
    try:
        device.enrol(hub, mediator, proxy.url)
        before = proxy.bytes_up + proxy.bytes_down
        started = time.perf_counter()
        syncs = 0
        while True:
            syncs += 1
            try:
                device.engine.sync_once()
            except Exception as exc:  # a sync cut short by resets: the next one resumes
                print(f"    synchro interrompue ({type(exc).__name__}) ; reprise", flush=True)
                continue
            if all(s in ("acked", "dropped") for s in _outbox_states(device)):
                break
        elapsed = time.perf_counter() - started
        ops, records = hub.applied(mediator)
        assert hub.count(mediator) == n
        assert ops == records, "an op applied twice"  # each arrived once
        res.put("slow.seconds", round(elapsed, 1))
        res.put("slow.wire_bytes", proxy.bytes_up + proxy.bytes_down - before)
        res.put("slow.resets", proxy.resets)
        res.put("slow.syncs", syncs)
        res.put("slow.records", records)
    finally:
        proxy.close()
        device.close()


def _crowd_worker(
    address: str, folder: str, names: list[str], codes: list[str], seconds: float, out: Any
) -> None:
    """One process of the crowd: one thread per device, each recording and syncing."""
    devices = []
    for name, code in zip(names, codes, strict=True):
        path = Path(folder) / name / "carnet.db"  # one data folder per device, as in real life
        device = Device.create(path, name, timeout=(10, 60))
        device.engine.enrol(address, code, name)
        device.notebook.venues.add(f"Lieu {name}", "59350", "Lille", "59000")
        devices.append(device)
    latencies: list[float] = []
    errors: list[str] = []
    recorded = [0]
    lock = threading.Lock()
    start_at = time.monotonic() + 1.0
    deadline = start_at + seconds

    def run(device: Device, rng: random.Random) -> None:
        time.sleep(max(0.0, start_at - time.monotonic()) + rng.random())
        while time.monotonic() < deadline:
            venue = device.notebook.venues.list()[0].id
            device.notebook.sessions.record(
                SessionInput(venue_id=venue, themes=["email"], duration_min=30)
            )
            with lock:
                recorded[0] += 1
            started = time.perf_counter()
            try:
                device.engine.sync_once()
            except Exception as exc:  # counted: the scenario requires none
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}"[:200])
            else:
                with lock:
                    latencies.append(time.perf_counter() - started)
            time.sleep(rng.uniform(0.5, 1.5))
        device.engine.sync_once()  # the last session of each device, before counting

    threads = [
        threading.Thread(target=run, args=(d, random.Random(i)), daemon=True)
        for i, d in enumerate(devices)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    unsent = sum(1 for d in devices for s in _outbox_states(d) if s not in ("acked", "dropped"))
    out.put({"latencies": latencies, "errors": errors, "recorded": recorded[0], "unsent": unsent})
    for d in devices:
        d.close()


def scenario_crowd(
    hub: HubProcess, folder: Path, res: Results, devices: int, processes: int, seconds: float
) -> None:
    from app.models.migrate import prepare_database

    template = folder / "crowd-template.db"
    prepare_database(template)
    crowd = folder / "crowd"
    crowd.mkdir()
    names = [f"appareil-{i:03d}" for i in range(devices)]
    mediators = [hub.mediator(f"Médiateur {i}") for i in range(devices // 2)]
    codes = [hub.code(mediators[i // 2]) for i in range(devices)]  # two devices each
    for name in names:
        (crowd / name).mkdir()
        shutil.copyfile(template, crowd / name / "carnet.db")
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    share = -(-devices // processes)
    procs = [
        ctx.Process(
            target=_crowd_worker,
            args=(
                hub.address,
                str(crowd),
                names[i : i + share],
                codes[i : i + share],
                seconds,
                out,
            ),
        )
        for i in range(0, devices, share)
    ]
    for p in procs:
        p.start()
    parts = [out.get(timeout=seconds + 600) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    latencies = [x for part in parts for x in part["latencies"]]
    errors = [e for part in parts for e in part["errors"]]
    recorded = sum(part["recorded"] for part in parts)
    on_hub = sum(hub.count(m) for m in mediators)
    res.put("crowd.devices", devices)
    res.put("crowd.syncs", len(latencies))
    res.put("crowd.errors", len(errors))
    if errors:
        res.put("crowd.first_errors", errors[:3])
    res.put("crowd.sessions_recorded", recorded)
    res.put("crowd.sessions_on_hub", on_hub)
    res.put("crowd.unsent", sum(part["unsent"] for part in parts))
    res.put("crowd.p50_ms", round(percentile(latencies, 50) * 1000, 1))
    res.put("crowd.p99_ms", round(percentile(latencies, 99) * 1000, 1))


# ==== main =======================================================================================
def run_backend(backend: str, only: set[str], args: argparse.Namespace) -> Results:
    res = Results(backend if args.aggregates else f"{backend}, sans agrégats")
    folder = Path(tempfile.mkdtemp(prefix=f"carnet-bench-sync-{backend}-"))
    hub = HubProcess(backend, folder, args.aggregates)
    try:
        if "push" in only or "pull" in only:
            scenario_push_pull(hub, folder, res, args.sessions, "pull" in only)
        if "noop" in only or "ten" in only:
            scenario_large(hub, folder, res, args.large, args.runs)
        if "slow" in only:
            scenario_slow(hub, folder, res, args.slow)
        if "crowd" in only:
            scenario_crowd(hub, folder, res, args.devices, args.processes, args.seconds)
    finally:
        hub.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return res


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--serve"]:
        serve(argv[1], int(argv[2]), argv[3] == "aggregates")
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--only", default=",".join(SCENARIOS), help=",".join(SCENARIOS))
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--slow", type=int, default=2_000)
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--runs", type=int, default=15, help="runs of the no-op / 10-new syncs")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument(
        "--no-aggregates",
        dest="aggregates",
        action="store_false",
        help="diagnostic: the hub without the statistics' aggregate maintenance",
    )
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    load = os.getloadavg()
    print(f"charge de la machine au départ : {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    results = {}
    for backend in backends:
        print(f"== {backend}", flush=True)
        results[backend] = run_backend(backend, only, args).figures
    results["load_after"] = list(os.getloadavg())
    results["load_before"] = list(load)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
