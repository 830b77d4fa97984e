"""Transactional outbox: every local change writes its outbox entry in the same transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.models.base import Base
from app.models.entities import OutboxEntry
from app.models.payloads import SCHEMA_VERSIONS, content_hash, outbox_entry, row_payload

__all__ = ["SCHEMA_VERSIONS", "content_hash", "record_change", "row_payload"]


def record_change(db: Session, row: Base, op: str, base_version: int) -> OutboxEntry:
    """Queue ``row``'s new state for the hub, inside the caller's transaction."""
    entry = outbox_entry(row, op, base_version)
    db.add(entry)
    return entry
