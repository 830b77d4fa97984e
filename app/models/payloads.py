"""A synced row as a plain JSON payload, its content hash, and back.

Shared by the services (which queue changes in the outbox) and the sync engine (which checks that
a row did not change while its change was in flight, and applies the hub's changes), so both
compute the same hash from the same canonical form.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import Date, inspect
from sqlalchemy.orm import Session

from app.models.base import Base, UTCDateTime
from app.models.entities import Accompagnement, Beneficiary, OutboxEntry, Tag, Venue
from app.models.ids import new_id
from app.models.training import ProgressEvent, TrainingPath, apply_path_payload, path_payload
from app.models.training_format import PathFormatError

# Version of the payload shape of each entity; the hub upgrades older payloads itself.
SCHEMA_VERSIONS: dict[str, int] = {
    "accompagnement": 1,
    "venue": 1,
    "beneficiary": 1,
    "tag": 1,
    "training_path": 1,
    "progress_event": 1,
}

SyncedModel = (
    type[Venue]
    | type[Beneficiary]
    | type[Tag]
    | type[Accompagnement]
    | type[TrainingPath]
    | type[ProgressEvent]
)

# Entities that travel to the hub, in the order that satisfies their foreign keys.
SYNCED_ENTITIES: dict[str, SyncedModel] = {
    "venue": Venue,
    "beneficiary": Beneficiary,
    "tag": Tag,
    "accompagnement": Accompagnement,
    "training_path": TrainingPath,
    "progress_event": ProgressEvent,
}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def row_payload(row: Base) -> dict[str, Any]:
    mapper = inspect(row.__class__)
    return {col.key: _jsonable(getattr(row, col.key)) for col in mapper.column_attrs}


def canonical_json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def row_hash(row: Base) -> str:
    return content_hash(row_payload(row))


def record_payload(db: Session, row: Base) -> dict[str, Any]:
    """The wire payload of a synced row: its columns; a training path also carries its
    modules (one record on the wire, docs/parcours-format.md)."""
    if isinstance(row, TrainingPath):
        return path_payload(db, row)
    return row_payload(row)


def outbox_entry(
    row: Base, op: str, base_version: int, payload: dict[str, Any] | None = None
) -> OutboxEntry:
    """The outbox entry that queues ``row``'s current state (the caller adds it to its session);
    ``payload`` when it is more than the row's columns (``record_payload``)."""
    entity = row.__tablename__  # type: ignore[attr-defined]
    payload = payload if payload is not None else row_payload(row)
    return OutboxEntry(
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


def _parse_datetime(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def _parse_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def payload_values(model: type[Base], payload: dict[str, Any]) -> dict[str, Any]:
    """Column values for ``model`` from a wire payload: known columns only, typed back.

    Unknown keys (a newer hub schema) are ignored; missing keys are left out, so an update keeps
    the local value of a column the hub does not send.
    """
    values: dict[str, Any] = {}
    for col in inspect(model).column_attrs:
        if col.key not in payload:
            continue
        column_type = col.columns[0].type
        raw = payload[col.key]
        if isinstance(column_type, UTCDateTime):
            values[col.key] = _parse_datetime(raw)
        elif isinstance(column_type, Date):
            values[col.key] = _parse_date(raw)
        else:
            values[col.key] = raw
    return values


def apply_payload(db: Session, model: type[Base], payload: dict[str, Any]) -> Base | None:
    """Write ``payload`` into the row with its id (creating it when absent), without an outbox
    entry: a change that came from the hub must not be echoed back to it.

    A training path is written with its modules; one the hub has since published belongs to
    the catalogue snapshot and is left alone, and an unreadable one is skipped (None when no
    row exists)."""
    if model is TrainingPath:
        held = db.get(TrainingPath, payload["id"])
        if held is not None and held.origin == "hub":
            return held
        try:
            return apply_path_payload(db, payload)
        except PathFormatError:
            return held
    values = payload_values(model, payload)
    row = db.get(model, values["id"])
    if row is None:
        row = model(**values)
        db.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    return row
