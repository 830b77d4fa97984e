"""Transactional outbox: every local change writes its outbox entry in the same transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from app.models.base import Base
from app.models.entities import OutboxEntry
from app.models.ids import new_id

# Version of the payload shape of each entity; the hub upgrades older payloads itself.
SCHEMA_VERSIONS: dict[str, int] = {"accompagnement": 1, "venue": 1, "beneficiary": 1, "tag": 1}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def row_payload(row: Base) -> dict[str, Any]:
    mapper = inspect(row.__class__)
    return {col.key: _jsonable(getattr(row, col.key)) for col in mapper.column_attrs}


def content_hash(payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record_change(db: Session, row: Base, op: str, base_version: int) -> OutboxEntry:
    """Queue ``row``'s new state for the hub, inside the caller's transaction."""
    entity = row.__tablename__  # type: ignore[attr-defined]
    payload = row_payload(row)
    entry = OutboxEntry(
        op_id=new_id(),
        entity=entity,
        entity_id=payload["id"],
        op=op,
        payload=json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
        base_version=base_version,
        content_hash=content_hash(payload),
        schema_version=SCHEMA_VERSIONS.get(entity, 1),
        state="pending",
    )
    db.add(entry)
    return entry


def pending_count(db: Session) -> int:
    from sqlalchemy import func, select

    return db.scalar(select(func.count()).where(OutboxEntry.state == "pending")) or 0
