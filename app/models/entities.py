"""ORM models of the desktop database (one database per mediator profile).

Multi-valued national codes (themes, materials, tags) are stored as ``|a|b|`` text: filtering by
``LIKE '%|code|%'`` stays fast on 100,000 sessions and the value travels as-is on the wire.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, SyncedMixin, UTCDateTime, utcnow
from app.models.codes import join_codes, split_codes


class Venue(SyncedMixin, Base):
    """A lieu d'activité where the mediator works."""

    __tablename__ = "venue"

    name: Mapped[str] = mapped_column(String(200))
    commune_insee: Mapped[str | None] = mapped_column(String(5))
    commune_name: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(5))
    itinerant: Mapped[bool] = mapped_column(Boolean, default=False)


class Beneficiary(SyncedMixin, Base):
    """A person followed across sessions under a pseudonymous code: no identity, ever.

    One live row per code. Two devices of the mediator that met the person offline each create
    a row (two ids, one code); sync keeps the smaller id and tombstones the other, so the code
    is unique among live rows only (app/models/beneficiary_merge.py)."""

    __tablename__ = "beneficiary"

    code: Mapped[str] = mapped_column(String(12))

    __table_args__ = (
        Index(
            "ux_beneficiary_code_live",
            "code",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
        ),
    )


class BeneficiaryAlias(Base):
    """A merged duplicate's id and the canonical beneficiary it now stands for (one hop: when
    the canonical row is merged in turn, its aliases are moved to the new one)."""

    __tablename__ = "beneficiary_alias"

    alias_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    canonical_id: Mapped[str] = mapped_column(String(36), index=True)


class Tag(SyncedMixin, Base):
    __tablename__ = "tag"

    name: Mapped[str] = mapped_column(String(80), unique=True)
    scope: Mapped[str] = mapped_column(String(20), default="personnel")


class Accompagnement(SyncedMixin, Base):
    """One support session (individual) or one collective workshop."""

    __tablename__ = "accompagnement"

    kind: Mapped[str] = mapped_column(String(12))  # individuel | collectif
    date: Mapped[dt.date] = mapped_column(Date)
    duration_min: Mapped[int] = mapped_column(Integer)
    place_type: Mapped[str] = mapped_column(String(16))
    venue_id: Mapped[str | None] = mapped_column(ForeignKey("venue.id"))
    commune_insee: Mapped[str | None] = mapped_column(String(5))
    commune_name: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(5))
    themes: Mapped[str] = mapped_column(Text, default="")
    demarche_name: Mapped[str | None] = mapped_column(String(200))
    materiels: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # individual only
    autonomy: Mapped[str | None] = mapped_column(String(32))
    oriented: Mapped[bool | None] = mapped_column(Boolean)
    orientation: Mapped[str | None] = mapped_column(String(48))
    beneficiary_id: Mapped[str | None] = mapped_column(ForeignKey("beneficiary.id"))
    genre: Mapped[str | None] = mapped_column(String(16))
    age_bracket: Mapped[str | None] = mapped_column(String(32))
    statut: Mapped[str | None] = mapped_column(String(16))
    residence_insee: Mapped[str | None] = mapped_column(String(5))
    residence_name: Mapped[str | None] = mapped_column(String(100))
    # collective only
    workshop_title: Mapped[str | None] = mapped_column(String(200))
    workshop_level: Mapped[str | None] = mapped_column(String(16))
    participants: Mapped[int | None] = mapped_column(Integer)
    participants_returning: Mapped[int | None] = mapped_column(Integer)
    counters: Mapped[str | None] = mapped_column(Text)  # JSON {"genre": {...}, "age": {...}, ...}

    __table_args__ = (
        Index("ix_accompagnement_date", "date"),
        Index("ix_accompagnement_beneficiary", "beneficiary_id"),
        Index("ix_accompagnement_venue", "venue_id"),
        # Covering index of live rows: the list's filters and date sort read only this index.
        Index(
            "ix_accompagnement_list",
            "date",
            "id",
            "kind",
            "venue_id",
            "themes",
            "tags",
            sqlite_where=text("deleted_at IS NULL"),
        ),
    )


class OutboxEntry(Base):
    """Transactional outbox: written in the same transaction as the change it describes."""

    __tablename__ = "outbox"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    op_id: Mapped[str] = mapped_column(String(36), unique=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(36))
    op: Mapped[str] = mapped_column(String(8))  # upsert | delete
    payload: Mapped[str] = mapped_column(Text)
    base_version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    schema_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    state: Mapped[str] = mapped_column(String(12), default="pending")
    result_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_outbox_state_seq", "state", "seq"),
        Index("ix_outbox_entity", "entity_id"),
    )


class Draft(Base):
    """An unsaved form, kept so that nothing typed is lost after a crash or a closed window."""

    __tablename__ = "draft"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    form_json: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Setting(Base):
    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


__all__ = [
    "Accompagnement",
    "Beneficiary",
    "BeneficiaryAlias",
    "Draft",
    "OutboxEntry",
    "Setting",
    "SyncState",
    "Tag",
    "Venue",
    "join_codes",
    "split_codes",
]


class SyncState(Base):
    """Sync bookkeeping (hub cursor, epoch, catalogue ETag…), written with the data it describes."""

    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
