"""Apply a pushed batch: one result per operation, each operation on its own.

The whole batch runs in one transaction that starts by locking the mediator's change counter
(``UPDATE mediator ... RETURNING``; on SQLite the write lock taken by ``BEGIN IMMEDIATE``), so
a mediator's batches apply one after the other and ``seq`` order is commit order. Then:

1. stored results of already-applied op ids are answered as they were (a retry changes
   nothing; the primary key on ``applied_op.op_id`` backs this up);
2. every other op is planned in memory against the rows loaded in a few bulk queries
   (no query per op in the common case);
3. the planned writes go to the database in bulk inside one savepoint. If the database refuses
   anything, that savepoint is rolled back and the batch is replayed op by op, each in its own
   savepoint, so one bad op never sinks the others.
The caller commits before answering.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Table, any_, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from app.models.bulk import fill_defaults, insert_rows
from app.models.ids import new_id
from hub.models import (
    RECORD_TABLES,
    AppliedOp,
    Base,
    Conflict,
    HubMeta,
    Mediator,
    RecordVersion,
    utcnow,
)
from hub.people import adopt_early_facts
from hub.records import (
    ENTITIES,
    RecordError,
    comparable,
    upgrade_payload,
    validate_payload,
    wire_payload,
)
from hub.stats.maintain import set_aside

APPLIED, DUPLICATE, CONFLICT, GONE, REJECTED = (
    "applied",
    "duplicate",
    "conflict",
    "gone",
    "rejected",
)
OP_KINDS = ("upsert", "delete")
REF_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    name: tuple((f.name, f.ref) for f in spec.fields if f.kind == "ref" and f.ref)
    for name, spec in ENTITIES.items()
}


@dataclass(frozen=True)
class Op:
    op_id: str
    entity: str
    entity_id: str
    op: str
    base_version: int
    schema_version: int
    payload: dict[str, Any]
    content_hash: str | None = None


@dataclass
class OpResult:
    op_id: str
    status: str
    version: int | None = None
    code: str | None = None
    reason: str | None = None
    hub_payload: dict[str, Any] | None = None
    fields: list[str] | None = None

    def as_wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {"op_id": self.op_id, "status": self.status, "version": self.version}
        if self.code is not None:
            out["code"] = self.code
            out["reason"] = self.reason
        if self.hub_payload is not None:
            out["hub_payload"] = self.hub_payload
        if self.fields is not None:
            out["fields"] = self.fields
        return out


def _rejected(op: Op, code: str, reason: str) -> OpResult:
    return OpResult(op.op_id, REJECTED, None, code, reason)


def _forbidden(op: Op) -> OpResult:
    return _rejected(
        op,
        "forbidden_record",
        "Cet enregistrement appartient à un autre médiateur : le hub ne l'a pas modifié. "
        "Vérifiez que l'appareil est inscrit au bon nom.",
    )


def _append_only(op: Op, label: str) -> OpResult:
    return _rejected(
        op,
        "append_only",
        f"Un {label} ne se modifie pas et ne se supprime pas : enregistrez plutôt une "
        "annulation, puis un nouvel événement.",
    )


_VERSIONS = Base.metadata.tables[RecordVersion.__tablename__]
_APPLIED = Base.metadata.tables[AppliedOp.__tablename__]
_CONFLICTS = Base.metadata.tables[Conflict.__tablename__]


def _naive_utc(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def among(db: Session, column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """``column IN values``; on PostgreSQL ``column = ANY(array)``: one parameter instead of
    a thousand (the driver parses a query with a thousand placeholders on every call)."""
    values = list(values)
    if db.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))  # type: ignore[no-any-return]
    return column.in_(values)  # type: ignore[no-any-return]


def _insert_many(db: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Bulk insert: COPY on PostgreSQL (one stream instead of a statement per row); on SQLite
    the driver's executemany with the columns' own bind conversions (sqlite3 loops in C,
    without SQLAlchemy building parameters row by row)."""
    if db.get_bind().dialect.name != "postgresql":
        insert_rows(db.connection(), table, rows)
        return
    fill_defaults(table, rows)
    names = [c.name for c in table.columns]
    # COPY bypasses SQLAlchemy's types: store datetimes as naive UTC, as UTCDateTime does.
    import psycopg

    sql = f'COPY "{table.name}" ({", ".join(names)}) FROM STDIN'
    driver = db.connection().connection.driver_connection
    assert driver is not None
    try:
        with driver.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row([_naive_utc(row.get(name)) for name in names])
    except psycopg.IntegrityError as err:  # the driver's own errors, as SQLAlchemy's
        raise IntegrityError(sql, None, err) from err
    except psycopg.DataError as err:
        raise DataError(sql, None, err) from err
    except psycopg.OperationalError as err:
        raise OperationalError(sql, None, err) from err


@dataclass
class _Writes:
    """Writes planned for the database, flushed in bulk."""

    rows: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    # Each written row as the database holds it before this flush (None: new), for the
    # statistics (hub/stats/maintain.py set_aside).
    before: dict[tuple[str, str], dict[str, Any] | None] = field(default_factory=dict)
    new_ids: set[tuple[str, str]] = field(default_factory=set)
    versions: list[dict[str, Any]] = field(default_factory=list)
    applied: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    settled: list[str] = field(default_factory=list)
    now: dt.datetime | None = None

    def flush(self, db: Session) -> None:
        # Statistics: sessions are written uncounted, for the drain (hub/stats/maintain.py).
        set_aside(
            db,
            [(self.before.get(k), r) for k, r in self.rows.items() if k[0] == "accompagnement"],
        )
        inserts: dict[str, list[dict[str, Any]]] = {}
        updates: dict[str, list[dict[str, Any]]] = {}
        for key, row in self.rows.items():
            entity, _ = key
            if key in self.new_ids:
                inserts.setdefault(entity, []).append(row)
            else:
                values = {k: v for k, v in row.items() if k != "id"}
                values["b_id"] = row["id"]
                updates.setdefault(entity, []).append(values)
        for entity, batch in inserts.items():
            table = RECORD_TABLES[entity]
            _insert_many(db, table, batch)
        for entity, batch in updates.items():
            table = RECORD_TABLES[entity]
            db.execute(update(table).where(table.c.id == bindparam("b_id")), batch)
        # Statistics count a person by (mediator, code): sessions that came before their
        # beneficiary were filed under its id until now.
        adopt_early_facts(db, [row["id"] for row in inserts.get("beneficiary", ())])
        # Core inserts (executemany): no ORM bookkeeping per row.
        if self.versions:
            _insert_many(db, _VERSIONS, self.versions)
        if self.applied:
            _insert_many(db, _APPLIED, self.applied)
        if self.conflicts:
            _insert_many(db, _CONFLICTS, self.conflicts)
        if self.settled:
            db.execute(
                update(Conflict)
                .where(Conflict.id.in_(self.settled), Conflict.resolved_at.is_(None))
                .values(resolved_at=self.now or utcnow())
            )
        self.new_ids.difference_update(self.rows)
        self.rows.clear()
        self.before.clear()
        self.versions.clear()
        self.applied.clear()
        self.conflicts.clear()
        self.settled.clear()


@dataclass
class _OpTrace:
    """What a planned op left behind, to find the base of the same device's next edit."""

    entity_id: str
    base_version: int
    status: str
    version: int | None
    device_payload: dict[str, Any] | None


class BatchPlanner:
    """Plans one batch for one device against rows loaded up front."""

    def __init__(
        self, db: Session, mediator_id: str, device_id: str, first_seq: int, now: dt.datetime
    ) -> None:
        self.db = db
        self.mediator_id = mediator_id
        self.device_id = device_id
        self.next_seq = first_seq
        self.now = now
        self.state: dict[tuple[str, str], dict[str, Any] | None] = {}
        # (entity, id) → mediator of records the batch only points to (not loaded whole).
        self.owners: dict[tuple[str, str], str] = {}
        self.writes = _Writes(now=now)
        self.traces: list[_OpTrace] = []
        self.versions_in_batch: dict[tuple[str, int], dict[str, Any]] = {}
        self.open_conflicts: dict[str, list[tuple[str, int]]] = {}

    # ---- loading ----------------------------------------------------------------------------
    def load(self, ops: Iterable[Op]) -> None:
        wanted: dict[str, set[str]] = {}
        referenced: dict[str, set[str]] = {}
        for op in ops:
            if op.entity not in ENTITIES:
                continue
            wanted.setdefault(op.entity, set()).add(op.entity_id)
            for name, target in REF_FIELDS[op.entity]:
                value = op.payload.get(name) if isinstance(op.payload, dict) else None
                if isinstance(value, str) and value:
                    referenced.setdefault(target, set()).add(value)
        for entity, ids in wanted.items():
            table = RECORD_TABLES[entity]
            found = {
                row["id"]: dict(row)
                for row in self.db.execute(
                    select(table).where(among(self.db, table.c.id, ids))
                ).mappings()
            }
            for entity_id in ids:
                self.state[(entity, entity_id)] = found.get(entity_id)
        # Records only pointed to (a session's venue and person): their owner is enough.
        for entity, ids in referenced.items():
            ids -= wanted.get(entity, set())
            if ids:
                table = RECORD_TABLES[entity]
                for entity_id, owner in self.db.execute(
                    select(table.c.id, table.c.mediator_id).where(among(self.db, table.c.id, ids))
                ):
                    self.owners[(entity, entity_id)] = owner
        # Conflicts still open on edited records (creations cannot settle any: skip the query).
        edited = {op.entity_id for op in ops if op.base_version > 0}
        if edited:
            for conflict_id, entity_id, hub_version in self.db.execute(
                select(Conflict.id, Conflict.entity_id, Conflict.hub_version).where(
                    Conflict.mediator_id == self.mediator_id,
                    Conflict.resolved_at.is_(None),
                    Conflict.entity_id.in_(edited),
                )
            ):
                self.open_conflicts.setdefault(entity_id, []).append((conflict_id, hub_version))

    def _settle_conflicts(self, op: Op) -> None:
        """A write based on the hub's version after a conflict settles it: whoever made it
        saw the hub's values and chose."""
        for conflict_id, hub_version in self.open_conflicts.get(op.entity_id, []):
            if op.base_version >= hub_version and conflict_id not in self.writes.settled:
                self.writes.settled.append(conflict_id)

    # ---- planning ---------------------------------------------------------------------------
    def _take_seq(self) -> int:
        seq = self.next_seq
        self.next_seq += 1
        return seq

    def _store(self, entity: str, row: dict[str, Any], is_new: bool) -> None:
        key = (entity, row["id"])
        if key not in self.writes.before:
            self.writes.before[key] = self.state.get(key)
        self.state[key] = row
        self.writes.rows[key] = row
        if is_new:
            self.writes.new_ids.add(key)

    def _archive(self, entity: str, row: dict[str, Any]) -> None:
        """Keep the version being replaced, as a possible merge base."""
        payload = wire_payload(entity, row)
        self.versions_in_batch[(row["id"], row["version"])] = payload
        self.writes.versions.append(
            {
                "entity_id": row["id"],
                "version": row["version"],
                "mediator_id": self.mediator_id,
                "payload": json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
            }
        )

    def plan(self, op: Op) -> OpResult:
        result, device_payload = self._plan(op)
        self.traces.append(
            _OpTrace(op.entity_id, op.base_version, result.status, result.version, device_payload)
        )
        self.writes.applied.append(
            {
                "op_id": op.op_id,
                "mediator_id": self.mediator_id,
                "device_id": self.device_id,
                "entity": op.entity[:32],
                "entity_id": op.entity_id,
                "base_version": op.base_version,
                "status": result.status,
                "version": result.version,
                "code": result.code,
                "reason": result.reason,
                "device_payload": (
                    json.dumps(device_payload, ensure_ascii=False, separators=(",", ":"))
                    if device_payload is not None
                    else None
                ),
                "applied_at": self.now,
            }
        )
        return result

    def _plan(self, op: Op) -> tuple[OpResult, dict[str, Any] | None]:
        """The op's result, and the device's payload when the hub row differs from it."""
        spec = ENTITIES.get(op.entity)
        if spec is None:
            return (
                _rejected(
                    op,
                    "unknown_entity",
                    f"Type d'enregistrement inconnu de ce hub : « {op.entity[:40]} ».",
                ),
                None,
            )
        if op.op not in OP_KINDS:
            return (
                _rejected(op, "unknown_op", f"Opération inconnue : « {op.op[:20]} »."),
                None,
            )
        row = self.state.get((op.entity, op.entity_id))
        if row is not None and row["mediator_id"] != self.mediator_id:
            return _forbidden(op), None
        if spec.append_only and op.op == "delete":
            return _append_only(op, spec.label), None
        values: dict[str, Any] | None
        try:
            payload = upgrade_payload(op.entity, op.schema_version, op.payload)
            values = validate_payload(op.entity, op.entity_id, payload)
        except RecordError as err:
            if op.op == "upsert" or row is None:
                if op.op == "delete":
                    # Nothing on the hub to delete, and nothing readable to keep: done.
                    return OpResult(op.op_id, APPLIED, op.base_version + 1), None
                return _rejected(op, err.code, err.message), None
            values = None  # a delete needs no readable content when the hub has the row
        if values is not None:
            for name, target in REF_FIELDS[op.entity]:
                ref_id = values.get(name)
                if ref_id:
                    ref_row = self.state.get((target, ref_id))
                    owner = (
                        ref_row["mediator_id"]
                        if ref_row is not None
                        else self.owners.get((target, ref_id))
                    )
                    if owner is not None and owner != self.mediator_id:
                        return _forbidden(op), None
        if op.op == "delete":
            return self._plan_delete(op, row, values)
        assert values is not None
        return self._plan_upsert(op, row, values)

    def _as_sent(self, op: Op, row: dict[str, Any]) -> dict[str, Any] | None:
        """None when the stored ``row`` is exactly what the device sent (so its next pull can
        leave it out: the device holds it), else the device's values, kept with the op."""
        held = wire_payload(op.entity, row)
        sent = op.payload
        if "version" in sent:  # the device's own numbering: not compared
            held["version"] = sent["version"]
        else:
            del held["version"]
        if held == sent:
            return None
        return comparable(op.entity, {k: v for k, v in sent.items() if k != "version"})

    def _new_row(self, op: Op, values: dict[str, Any], version: int, deleted: bool) -> dict:
        row = {
            "id": op.entity_id,
            "mediator_id": self.mediator_id,
            "seq": self._take_seq(),
            "version": version,
            "deleted": deleted,
            "received_at": self.now,
            **values,
        }
        if deleted:
            row["deleted_at"] = row.get("deleted_at") or self.now
        else:
            row["deleted_at"] = None
        return row

    def _plan_delete(
        self, op: Op, row: dict[str, Any] | None, values: dict[str, Any] | None
    ) -> tuple[OpResult, dict[str, Any] | None]:
        if row is None:
            assert values is not None
            new = self._new_row(op, values, op.base_version + 1, deleted=True)
            self._store(op.entity, new, is_new=True)
            return OpResult(op.op_id, APPLIED, new["version"]), self._as_sent(op, new)
        if row["deleted"]:
            # Deleted by another device first: the device takes the hub's tombstone (its own
            # differs at least by the time of deletion).
            return (
                OpResult(
                    op.op_id, APPLIED, row["version"], hub_payload=wire_payload(op.entity, row)
                ),
                comparable(op.entity, values or {}),
            )
        # Delete beats any edit made on the hub since the device's base.
        self._settle_conflicts(op)
        self._archive(op.entity, row)
        new = dict(row)
        new.update(
            deleted=True,
            deleted_at=(values or {}).get("deleted_at") or self.now,
            version=max(row["version"], op.base_version) + 1,
            seq=self._take_seq(),
            received_at=self.now,
        )
        if values and values.get("updated_at"):
            new["updated_at"] = values["updated_at"]
        self._store(op.entity, new, is_new=False)
        return OpResult(op.op_id, APPLIED, new["version"]), self._as_sent(op, new)

    def _plan_upsert(
        self, op: Op, row: dict[str, Any] | None, values: dict[str, Any]
    ) -> tuple[OpResult, dict[str, Any] | None]:
        if row is None:
            new = self._new_row(op, values, max(op.base_version, 0) + 1, deleted=False)
            self._store(op.entity, new, is_new=True)
            return OpResult(op.op_id, APPLIED, new["version"]), self._as_sent(op, new)
        if ENTITIES[op.entity].append_only:
            # Written once: the same content again (a copy queued anew) is the stored record.
            if comparable(op.entity, values) == comparable(op.entity, row):
                # (The device's values kept: the stored copy may differ in its metadata.)
                return OpResult(op.op_id, APPLIED, row["version"]), comparable(op.entity, values)
            return _append_only(op, ENTITIES[op.entity].label), None
        if row["deleted"] and op.base_version < row["version"]:
            # Deleted on the hub after the device's base: delete wins, the editor is told.
            return (
                OpResult(
                    op.op_id,
                    GONE,
                    row["version"],
                    "deleted_on_hub",
                    "Cet enregistrement a été supprimé depuis un autre appareil : la "
                    "modification n'a pas été appliquée.",
                    wire_payload(op.entity, row),
                ),
                comparable(op.entity, values),
            )
        if op.base_version >= row["version"]:
            # The device saw the hub's latest version (or is ahead of a restored hub).
            self._settle_conflicts(op)
            self._archive(op.entity, row)
            new = dict(row)
            new.update(values)
            new.update(
                deleted=False,
                deleted_at=None,
                version=max(row["version"], op.base_version) + 1,
                seq=self._take_seq(),
                received_at=self.now,
            )
            self._store(op.entity, new, is_new=False)
            return OpResult(op.op_id, APPLIED, new["version"]), self._as_sent(op, new)
        return self._merge(op, row, values)

    def _merge(
        self, op: Op, row: dict[str, Any], values: dict[str, Any]
    ) -> tuple[OpResult, dict[str, Any] | None]:
        """Three-way field merge: base (what the device started from), mine, theirs (hub)."""
        mine = comparable(op.entity, values)
        theirs = comparable(op.entity, row)
        base = self._base(op)
        names = ENTITIES[op.entity].field_names
        if base is None:
            # Base unknown: every field that differs is a conflict, the hub keeps its values.
            changed = [n for n in names if mine[n] != theirs[n]]
            conflicting = changed
            to_apply: list[str] = []
        else:
            changed = [n for n in names if mine[n] != base.get(n)]
            conflicting = [n for n in changed if theirs[n] != base.get(n) and theirs[n] != mine[n]]
            to_apply = [n for n in changed if n not in conflicting and theirs[n] != mine[n]]
        current = row
        if to_apply:
            self._archive(op.entity, row)
            current = dict(row)
            for name in to_apply:
                current[name] = values[name]
            updated = [t for t in (row.get("updated_at"), values.get("updated_at")) if t]
            current.update(
                version=row["version"] + 1,
                seq=self._take_seq(),
                received_at=self.now,
                updated_at=max(updated) if updated else row.get("updated_at"),
            )
            self._store(op.entity, current, is_new=False)
        if not conflicting:
            # Merged with changes the device has not seen: it gets the hub's row.
            merged = OpResult(
                op.op_id, APPLIED, current["version"], hub_payload=wire_payload(op.entity, current)
            )
            return merged, mine
        labels = ", ".join(ENTITIES[op.entity].field(n).label for n in conflicting)
        self.writes.conflicts.append(
            {
                "id": new_id(),
                "mediator_id": self.mediator_id,
                "entity": op.entity,
                "entity_id": op.entity_id,
                "op_id": op.op_id,
                "device_id": self.device_id,
                "base_version": op.base_version,
                "hub_version": current["version"],
                "fields": json.dumps(conflicting),
                "hub_values": json.dumps({n: theirs[n] for n in conflicting}, ensure_ascii=False),
                "device_values": json.dumps({n: mine[n] for n in conflicting}, ensure_ascii=False),
                "created_at": self.now,
            }
        )
        return (
            OpResult(
                op.op_id,
                CONFLICT,
                current["version"],
                "conflict",
                f"Modifié aussi depuis un autre appareil ({labels}) : la valeur du hub est "
                "gardée et les deux versions sont conservées pour que vous choisissiez.",
                wire_payload(op.entity, current),
                conflicting,
            ),
            mine,
        )

    def _base(self, op: Op) -> dict[str, Any] | None:
        """What the device's edit started from: the payload of this device's previous op on
        the record (its local version ``base_version``), else the hub's version
        ``base_version``."""
        for trace in reversed(self.traces):
            if (
                trace.entity_id == op.entity_id
                and trace.base_version + 1 == op.base_version
                and trace.status in (APPLIED, CONFLICT)
            ):
                if trace.device_payload is not None:
                    return trace.device_payload
                if trace.version is not None:
                    return self._hub_version(op.entity, op.entity_id, trace.version)
        prior = self.db.execute(
            select(AppliedOp.version, AppliedOp.device_payload)
            .where(
                AppliedOp.entity_id == op.entity_id,
                AppliedOp.device_id == self.device_id,
                AppliedOp.base_version == op.base_version - 1,
                AppliedOp.status.in_((APPLIED, CONFLICT)),
            )
            .order_by(AppliedOp.applied_at.desc())
            .limit(1)
        ).first()
        if prior is not None:
            if prior.device_payload:
                loaded: dict[str, Any] = json.loads(prior.device_payload)
                return loaded
            if prior.version is not None:
                return self._hub_version(op.entity, op.entity_id, prior.version)
        return self._hub_version(op.entity, op.entity_id, op.base_version)

    def _hub_version(self, entity: str, entity_id: str, version: int) -> dict[str, Any] | None:
        row = self.state.get((entity, entity_id))
        if row is not None and row["version"] == version:
            return comparable(entity, row)
        cached = self.versions_in_batch.get((entity_id, version))
        if cached is not None:
            return comparable(entity, cached)
        text = self.db.scalar(
            select(RecordVersion.payload).where(
                RecordVersion.entity_id == entity_id, RecordVersion.version == version
            )
        )
        if text is None:
            return None
        return comparable(entity, json.loads(text))


@dataclass(frozen=True)
class PushOutcome:
    results: list[OpResult]
    epoch: str
    seq: int
    # The counter before this batch's writes, when every record it wrote is exactly what the
    # device sent (its own pull would leave them all out): with ``seq``, the device may move
    # its cursor over them without pulling, if nothing came in between.
    quiet_from: int | None = None


def _op_id_taken(op_id: str) -> OpResult:
    return OpResult(
        op_id,
        REJECTED,
        None,
        "op_id_taken",
        "Cette modification porte l'identifiant d'une modification d'un autre médiateur (carnet "
        "copié depuis un autre ordinateur ?) : le hub ne l'a pas enregistrée. Elle reste sur "
        "cet ordinateur ; contactez l'équipe du hub.",
    )


def _stored_result(row: Any) -> OpResult:
    if row.status == APPLIED:
        return OpResult(row.op_id, DUPLICATE, row.version)
    return OpResult(row.op_id, row.status, row.version, row.code, row.reason)


def lock_counter(db: Session, mediator_id: str) -> tuple[int, str | None]:
    """Lock the mediator's change counter for this transaction; returns its value and the
    hub's epoch, read in the same round trip."""
    epoch = select(HubMeta.value).where(HubMeta.key == "epoch").scalar_subquery()
    row = db.execute(
        update(Mediator)
        .where(Mediator.id == mediator_id)
        .values(seq=Mediator.seq + 0)
        .returning(Mediator.seq, epoch)
    ).one()
    return int(row[0]), row[1]


def apply_batch(
    db: Session, mediator_id: str, device_id: str, ops: list[Op], now: dt.datetime
) -> PushOutcome:
    """Apply ``ops`` inside the caller's transaction (which commits before answering)."""
    start, epoch = lock_counter(db, mediator_id)
    if epoch is None:
        raise RuntimeError("hub epoch missing")
    op_ids = list({op.op_id for op in ops})
    stored: dict[str, OpResult] = {}
    if op_ids:
        for row in db.execute(
            select(
                AppliedOp.op_id,
                AppliedOp.mediator_id,
                AppliedOp.status,
                AppliedOp.version,
                AppliedOp.code,
                AppliedOp.reason,
            ).where(among(db, AppliedOp.op_id, op_ids))
        ):
            # An op id another mediator's device already used (a notebook copied from another
            # computer): not that op's answer, which would leave this one unsaved in silence.
            stored[row.op_id] = (
                _stored_result(row) if row.mediator_id == mediator_id else _op_id_taken(row.op_id)
            )
    fresh: list[Op] = []
    seen: set[str] = set()
    for op in ops:
        if op.op_id not in stored and op.op_id not in seen:
            fresh.append(op)
            seen.add(op.op_id)
    planned: dict[str, OpResult] = {}
    end = start
    quiet = True
    if fresh:
        try:
            with db.begin_nested():
                planner = BatchPlanner(db, mediator_id, device_id, start + 1, now)
                planner.load(fresh)
                for op in fresh:
                    planned[op.op_id] = planner.plan(op)
                planner.writes.flush(db)
                end = planner.next_seq - 1
            quiet = all(
                t.status == REJECTED  # (nothing written)
                or (
                    t.status == APPLIED
                    and t.version == t.base_version + 1
                    and t.device_payload is None
                )
                for t in planner.traces
            )
        except (IntegrityError, DataError):
            planned, end = _apply_one_by_one(db, mediator_id, device_id, fresh, start, now)
            quiet = False
        if end != start:
            db.execute(update(Mediator).where(Mediator.id == mediator_id).values(seq=end))
    results: list[OpResult] = []
    answered: set[str] = set()
    for op in ops:
        if op.op_id in stored:
            results.append(stored[op.op_id])
        elif op.op_id in answered:
            first = planned[op.op_id]
            results.append(
                OpResult(op.op_id, DUPLICATE, first.version) if first.status == APPLIED else first
            )
        else:
            results.append(planned[op.op_id])
            answered.add(op.op_id)
    return PushOutcome(results, epoch, end, start if quiet else None)


def _apply_one_by_one(
    db: Session, mediator_id: str, device_id: str, ops: list[Op], start: int, now: dt.datetime
) -> tuple[dict[str, OpResult], int]:
    """The slow path: each op in its own savepoint; a refused op is answered ``rejected``."""
    planner = BatchPlanner(db, mediator_id, device_id, start + 1, now)
    planner.load(ops)
    results: dict[str, OpResult] = {}
    for op in ops:
        keys = [(op.entity, op.entity_id)]
        before = {k: (dict(v) if v else v) for k, v in ((k, planner.state.get(k)) for k in keys)}
        new_before = set(planner.writes.new_ids)
        try:
            with db.begin_nested():
                result = planner.plan(op)
                planner.writes.flush(db)
            results[op.op_id] = result
        except OperationalError:
            raise  # transient (lock, connection): the whole batch fails, the client resends
        except (IntegrityError, DataError) as err:
            for key, value in before.items():
                planner.state[key] = value
            planner.writes = _Writes(new_ids=new_before, now=now)
            planner.traces = planner.traces[:-1] if planner.traces else []
            results[op.op_id] = _refused_by_database(db, planner, op, err)
    return results, planner.next_seq - 1


def _refused_by_database(db: Session, planner: BatchPlanner, op: Op, err: Exception) -> OpResult:
    stored = db.get(AppliedOp, op.op_id) if isinstance(err, IntegrityError) else None
    if stored is not None:  # the same op applied meanwhile by another request
        return _stored_result(stored)
    result = _rejected(
        op,
        "invalid_record",
        "Le hub n'a pas pu enregistrer cette modification (valeur hors limites ou "
        "identifiant déjà utilisé). Corrigez l'enregistrement puis synchronisez à nouveau.",
    )
    try:
        with db.begin_nested():
            db.execute(
                insert(AppliedOp),
                [
                    {
                        "op_id": op.op_id,
                        "mediator_id": planner.mediator_id,
                        "device_id": planner.device_id,
                        "entity": op.entity[:32],
                        "entity_id": op.entity_id[:36],
                        "base_version": op.base_version,
                        "status": REJECTED,
                        "code": result.code,
                        "reason": result.reason,
                        "applied_at": planner.now,
                    }
                ],
            )
    except (IntegrityError, DataError):
        pass
    return result
