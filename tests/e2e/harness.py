"""End-to-end harness: the real hub on loopback (uvicorn in a thread) and real desktop devices.

``HubServer`` serves ``hub.app.create_app`` on 127.0.0.1 with a database it can empty between
examples. ``Device`` is one laptop: its own notebook database (a copy of a migrated template),
its services, a real HttpTransport (optionally behind a FaultyTransport and a throttling proxy)
and a SyncEngine. ``check_invariants`` verifies the promises of sync-protocol.md.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy import delete, inspect, select

from app.models.entities import Accompagnement, OutboxEntry, SyncState
from app.models.migrate import prepare_database
from app.models.payloads import SYNCED_ENTITIES, row_payload
from app.models.sync_tables import SyncDeferred, SyncIssue
from app.services.notebook import Notebook, open_notebook
from app.services.sessions import SessionInput
from app.sync.credentials import MemoryTokenStore, TokenStore
from app.sync.engine import SyncEngine
from app.sync.transport import Backoff, HttpTransport
from hub import catalogue as hub_catalogue
from hub.app import create_app
from hub.config import Settings
from hub.db import Database
from hub.models import RECORD_TABLES, AppliedOp, Base, HubMeta, Mediator
from hub.org import (
    create_mediator,
    create_structure,
    issue_enrolment_code,
    new_epoch,
    revoke_device,
)
from hub.records import wire_payload
from tests.e2e.faults import CrashAt, FaultyTransport

TERMINAL = {"acked", "conflict", "gone", "rejected", "dropped"}
COMPARED_FIELDS_SKIP = {"version"}


# ==== hub ========================================================================================
class HubServer:
    """One hub process on loopback. ``reset()`` empties its database (a new hub)."""

    def __init__(self, database_url: str, port: int = 0, **settings: Any) -> None:
        options: dict[str, Any] = {
            "hub_name": "Hub de test",
            "enrol_rate_attempts": 1_000_000,
        }
        options.update(settings)
        self.settings = Settings(database_url=database_url, **options)
        self.db = Database(database_url)
        self.app = create_app(self.settings, database=self.db)
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_keep_alive=30,
        )
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self.server.run, name="hub", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("le hub de test n'a pas démarré")
            time.sleep(0.01)
        sock = self.server.servers[0].sockets[0]
        self.port: int = sock.getsockname()[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=10)
        self.db.dispose()

    def reset(self) -> None:
        """Empty every table and start a new epoch: the cheapest "new hub"."""
        present = set(inspect(self.db.engine).get_table_names())
        with self.db.write() as s:
            for table in reversed(Base.metadata.sorted_tables):
                if table.name in present:
                    s.execute(delete(table))
            new_epoch(s)

    # ---- operator actions, through the hub's own service functions -------------------------
    def new_mediator(self, name: str = "Camille Martin") -> str:
        with self.db.write() as s:
            structure = create_structure(s, f"Structure de {name}")
            return create_mediator(s, name, structure.id).id

    def enrolment_code(self, mediator_id: str) -> str:
        with self.db.write() as s:
            code, _ = issue_enrolment_code(s, mediator_id, 3600)
            return code

    def revoke(self, device_id: str) -> None:
        with self.db.write() as s:
            revoke_device(s, device_id)

    def new_epoch(self) -> str:
        with self.db.write() as s:
            return new_epoch(s)

    def epoch(self) -> str:
        with self.db.session() as s:
            return str(s.scalar(select(HubMeta.value).where(HubMeta.key == "epoch")))

    def publish_catalogue(self, sections: dict[str, Any]) -> str:
        with self.db.write() as s:
            return hub_catalogue.publish(s, sections).etag

    # ---- what the hub holds ------------------------------------------------------------------
    def records(self, mediator_id: str, entity: str = "accompagnement") -> dict[str, dict]:
        """Live and deleted records of a mediator, as wire payloads plus hub bookkeeping."""
        table = RECORD_TABLES[entity]
        with self.db.session() as s:
            rows = s.execute(select(table).where(table.c.mediator_id == mediator_id)).mappings()
            out = {}
            for row in rows:
                payload = wire_payload(entity, row)
                payload["_deleted"] = bool(row["deleted"])
                payload["_seq"] = row["seq"]
                out[row["id"]] = payload
            return out

    def applied_ops(self, mediator_id: str) -> list[Any]:
        with self.db.session() as s:
            return list(
                s.execute(
                    select(AppliedOp.op_id, AppliedOp.entity_id, AppliedOp.status).where(
                        AppliedOp.mediator_id == mediator_id
                    )
                )
            )

    def mediator_seq(self, mediator_id: str) -> int:
        with self.db.session() as s:
            return int(s.scalar(select(Mediator.seq).where(Mediator.id == mediator_id)) or 0)

    def backup_sqlite(self, target: Path) -> None:
        """A consistent copy of the hub's SQLite file (SQLite's backup API)."""
        source = self.settings.database_url.removeprefix("sqlite:///")
        src = sqlite3.connect(source)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()


# ==== devices ====================================================================================
class NotebookTemplate:
    """A migrated notebook file copied for each device (migrating once keeps the suite fast)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "modele.db"
        prepare_database(self.path)

    def copy_to(self, target: Path) -> Path:
        shutil.copyfile(self.path, target)
        return target


@dataclass
class Device:
    name: str
    notebook: Notebook
    http: HttpTransport
    transport: FaultyTransport
    tokens: TokenStore
    engine: SyncEngine
    clock: Callable[[], dt.datetime]
    venue_id: str = ""
    mediator_id: str = ""
    reports: list[Any] = field(default_factory=list)

    @classmethod
    def create(
        cls,
        folder: Path,
        name: str,
        template: NotebookTemplate | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        transport: FaultyTransport | None = None,
        checkpoint: Callable[[str], None] | None = None,
        http: HttpTransport | None = None,
        **engine_options: Any,
    ) -> Device:
        path = folder / f"{name}.db"
        if template is not None and not path.exists():
            template.copy_to(path)
        nb = open_notebook(path)
        http = http or HttpTransport(timeout=(5, 30))
        faulty = transport or FaultyTransport(http)
        tokens: TokenStore = engine_options.pop("token_store", None) or MemoryTokenStore()
        clock = clock or (lambda: dt.datetime.now(dt.UTC))
        engine = _engine(nb, faulty, name, tokens, clock, checkpoint, **engine_options)
        return cls(name, nb, http, faulty, tokens, engine, clock)

    def restart(self, checkpoint: Callable[[str], None] | None = None, **options: Any) -> None:
        """The app was killed and starts again: a fresh engine and transport on the same
        database and keyring (the token survives, as in the OS keyring)."""
        self.tokens = options.pop("token_store", None) or self.tokens
        self.http.close()
        self.http = HttpTransport(timeout=(5, 30))
        self.transport = FaultyTransport(self.http)
        self.engine = _engine(
            self.notebook,
            self.transport,
            self.name,
            self.tokens,
            self.clock,
            checkpoint,
            **options,
        )

    def enrol(self, hub: HubServer, mediator_id: str, url: str | None = None) -> None:
        self.engine.enrol(url or hub.url, hub.enrolment_code(mediator_id), f"Portable {self.name}")
        self.mediator_id = mediator_id

    def sync(self) -> Any:
        report = self.engine.sync_once()
        self.reports.append(report)
        return report

    def close(self) -> None:
        self.http.close()
        self.notebook.close()

    # ---- local edits through the app's own services ------------------------------------------
    def ensure_venue(self) -> str:
        if not self.venue_id:
            self.venue_id = self.notebook.venues.add(
                f"Médiathèque {self.name}", "59350", "Lille", "59000"
            )
        return self.venue_id

    def record(self, **overrides: Any) -> str:
        values: dict[str, Any] = {
            "venue_id": self.ensure_venue(),
            "themes": ["email"],
            "duration_min": 30,
            "date": dt.date(2025, 3, 14),
        }
        values.update(overrides)
        return self.notebook.sessions.record(SessionInput(**values))

    def edit(self, session_id: str, **changes: Any) -> None:
        current = self.notebook.sessions.get(session_id)
        for key, value in changes.items():
            setattr(current, key, value)
        self.notebook.sessions.update(session_id, current)

    def delete(self, session_id: str) -> None:
        self.notebook.sessions.delete(session_id)

    # ---- what the device holds ---------------------------------------------------------------
    def rows(self, entity: str = "accompagnement") -> dict[str, dict[str, Any]]:
        model = SYNCED_ENTITIES[entity]
        with self.notebook.session_factory() as db:
            return {r.id: row_payload(r) for r in db.scalars(select(model))}

    def outbox(self) -> list[OutboxEntry]:
        with self.notebook.session_factory() as db:
            return list(db.scalars(select(OutboxEntry).order_by(OutboxEntry.seq)))

    def issues(self) -> list[SyncIssue]:
        with self.notebook.session_factory() as db:
            return list(db.scalars(select(SyncIssue)))

    def state(self, key: str) -> str | None:
        with self.notebook.session_factory() as db:
            row = db.get(SyncState, key)
            return row.value if row else None

    def session_notes(self, session_id: str) -> str:
        with self.notebook.session_factory() as db:
            row = db.get(Accompagnement, session_id)
            assert row is not None
            return row.notes


def _engine(
    nb: Notebook,
    transport: FaultyTransport,
    name: str,
    tokens: TokenStore,
    clock: Callable[[], dt.datetime],
    checkpoint: Callable[[str], None] | None,
    **options: Any,
) -> SyncEngine:
    options.setdefault("backoff", Backoff(base=0.01, cap=0.05))
    options.setdefault("max_tries", 6)
    return SyncEngine(
        nb.session_factory,
        transport,
        profile_key=name,
        clock=clock,
        token_store=tokens,
        checkpoint=checkpoint,
        **options,
    )


def crash_then_restart(device: Device, point: str, nth: int = 1) -> CrashAt:
    """Arm a kill at ``point`` on the device's next sync."""
    crash = CrashAt(point, nth)
    device.restart(checkpoint=crash)
    return crash


# ==== invariants =================================================================================
SYNCED = ("accompagnement", "venue", "beneficiary", "tag")


def _comparable(payload: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v for k, v in payload.items() if k not in COMPARED_FIELDS_SKIP and not k.startswith("_")
    }


@dataclass
class Snapshot:
    """What a device holds, read once for the checks."""

    name: str
    rows: dict[str, dict[str, dict[str, Any]]]  # entity -> id -> payload
    outbox: list[OutboxEntry]
    issues: set[tuple[str, str]]  # (entity_id, kind)
    rejected: set[str]  # records whose latest change the hub refused (left as typed)
    busy: set[str]  # records with changes not acknowledged yet
    held: set[str]  # records with a hub state held back by the pull
    cursor: int

    @classmethod
    def of(cls, device: Device) -> Snapshot:
        with device.notebook.session_factory() as db:
            outbox = list(db.scalars(select(OutboxEntry).order_by(OutboxEntry.seq)))
            issues = list(db.scalars(select(SyncIssue)))
            held = set(db.scalars(select(SyncDeferred.entity_id)))
            cursor_row = db.get(SyncState, "cursor")
            rows = {
                entity: {r.id: row_payload(r) for r in db.scalars(select(model))}
                for entity, model in SYNCED_ENTITIES.items()
            }
        return cls(
            name=device.name,
            rows=rows,
            outbox=outbox,
            issues={(i.entity_id, i.kind) for i in issues},
            rejected={i.entity_id for i in issues if i.kind == "rejected" and not i.resolved_at},
            busy={e.entity_id for e in outbox if e.state in ("pending", "inflight")},
            held=held,
            cursor=int(cursor_row.value) if cursor_row else 0,
        )


def open_rejections(device: Device) -> set[str]:
    return Snapshot.of(device).rejected


def check_invariants(
    hub: HubServer,
    devices: Iterable[Device],
    entities: Iterable[str] = ("accompagnement", "venue", "beneficiary"),
    settled: bool = True,
) -> None:
    """The promises of sync-protocol.md, checked after a final sync of every device.

    1. hub records = union of the records the devices got acknowledged (and nothing else);
    2. no record and no op applied twice;
    3. every op ends acknowledged or visibly rejected (a review item);
    4. all devices of one mediator agree with each other and with the hub;
    5. no cursor runs ahead of the data applied.
    """
    by_mediator: dict[str, list[Snapshot]] = {}
    for d in devices:
        by_mediator.setdefault(d.mediator_id, []).append(Snapshot.of(d))
    for mediator_id, group in by_mediator.items():
        op_ids = [o.op_id for o in hub.applied_ops(mediator_id)]
        assert len(op_ids) == len(set(op_ids)), "une opération appliquée deux fois"
        hub_rows = {entity: hub.records(mediator_id, entity) for entity in SYNCED}
        for entity in entities:
            _check_entity(entity, hub_rows[entity], group, settled)
        for snap in group:
            _check_cursor(snap, hub_rows)


def _check_entity(
    entity: str, hub_rows: dict[str, dict[str, Any]], group: list[Snapshot], settled: bool
) -> None:
    created = {e.entity_id for snap in group for e in snap.outbox if e.entity == entity}
    received = {i for snap in group for i in snap.rows[entity]}
    # nothing on the hub that no device of the mediator created
    unknown = set(hub_rows) - created - received
    assert not unknown, f"le hub a des fiches sorties de nulle part : {unknown}"
    for snap in group:
        local = snap.rows[entity]
        for entry in snap.outbox:
            if entry.entity != entity:
                continue
            if settled:
                assert entry.state in TERMINAL, (snap.name, entry.state, entry.entity_id)
            if entry.state in ("conflict", "gone", "rejected"):
                assert (entry.entity_id, entry.state) in snap.issues, (
                    "refus ou conflit sans élément de revue",
                    snap.name,
                    entry.entity_id,
                )
            # everything acknowledged is on the hub (or was deleted, its tombstone purged)
            if entry.state == "acked" and entry.entity_id not in hub_rows:
                mine = local.get(entry.entity_id)
                assert mine is not None and mine["deleted_at"] is not None, (
                    f"{snap.name}: acquitté mais absent du hub : {entry.entity_id}"
                )
        if not settled:
            continue
        # the device agrees with the hub on every record (so all devices agree)
        for entity_id, hub_payload in hub_rows.items():
            if entity_id in snap.rejected:
                continue
            mine = local.get(entity_id)
            if mine is None:
                assert hub_payload["_deleted"], f"{snap.name}: fiche du hub absente : {entity_id}"
                continue
            assert _comparable(mine) == _comparable(hub_payload), (
                snap.name,
                entity_id,
                _diff(mine, hub_payload),
            )
            assert mine["version"] == hub_payload["version"], (snap.name, entity_id)
        for entity_id, mine in local.items():
            if entity_id not in hub_rows:
                assert entity_id in snap.rejected or mine["deleted_at"] is not None, (
                    f"{snap.name}: fiche locale jamais arrivée au hub : {entity_id}"
                )


def _check_cursor(snap: Snapshot, hub_rows: dict[str, dict[str, dict[str, Any]]]) -> None:
    """Every hub change at or below the cursor is held by the device (same version or newer,
    unless a local change is pending or the change is held back for after it)."""
    for entity, rows in hub_rows.items():
        local = snap.rows[entity]
        for entity_id, payload in rows.items():
            if payload["_seq"] > snap.cursor or entity_id in snap.busy or entity_id in snap.held:
                continue
            mine = local.get(entity_id)
            if mine is None:
                assert payload["_deleted"], (snap.name, "curseur en avance", entity_id)
                continue
            assert mine["version"] >= payload["version"] or entity_id in snap.rejected, (
                snap.name,
                "curseur en avance",
                entity_id,
                mine["version"],
                payload["version"],
            )


def assert_cursor_not_ahead(hub: HubServer, device: Device) -> None:
    hub_rows = {entity: hub.records(device.mediator_id, entity) for entity in SYNCED}
    _check_cursor(Snapshot.of(device), hub_rows)


def _diff(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    return {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}
