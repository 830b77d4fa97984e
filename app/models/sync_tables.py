"""Tables of the sync engine's bookkeeping (the outbox itself is in entities.py).

- ``sync_batch``: the batches not answered yet (the one on the wire and the next one, prepared
  meanwhile), stored before they are sent, so that after a failure or a crash the *same* bytes
  are sent again, oldest first (the hub answers "duplicate" for what it already applied).
- ``sync_base``: for each record the hub knows, the last hub version whose content this device
  holds exactly; the next change of the record is sent as based on it. ``pass_no`` marks the rows
  seen during a full re-pull (to drop rows whose tombstone the hub has purged).
- ``sync_deferred``: the hub's latest state of a record that the pull could not apply because
  the record had local changes not yet acknowledged; applied once the hub has answered them
  (so a hub change is never skipped for good).
- ``sync_issue``: rejected changes, conflicts and edits of deleted records, with the hub's French
  reason and both values, for the "Modifications refusées et conflits" panel.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime, utcnow


class SyncBatch(Base):
    __tablename__ = "sync_batch"

    batch_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    body: Mapped[str] = mapped_column(Text)  # the JSON sent, byte for byte on every try
    op_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class SyncBase(Base):
    __tablename__ = "sync_base"

    entity_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    pass_no: Mapped[int] = mapped_column(Integer, default=0)


class SyncDeferred(Base):
    __tablename__ = "sync_deferred"

    entity_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    payload: Mapped[str] = mapped_column(Text)


class SyncIssue(Base):
    __tablename__ = "sync_issue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    op_id: Mapped[str] = mapped_column(String(36))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(12))  # rejected | conflict | gone
    code: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    local_payload: Mapped[str] = mapped_column(Text)
    hub_payload: Mapped[str | None] = mapped_column(Text)
    fields: Mapped[str | None] = mapped_column(Text)  # JSON list of the conflicting fields
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str | None] = mapped_column(String(16))

    __table_args__ = (Index("ix_sync_issue_open", "resolved_at", "id"),)


__all__ = ["SyncBase", "SyncBatch", "SyncDeferred", "SyncIssue"]
