"""Tables of the web side: the territory of a local-authority account, the partners' API tokens."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.models import Base, UTCDateTime, new_id, utcnow


class UserTerritory(Base):
    """The territory a ``collectivite`` account sees: a commune, an EPCI or a département."""

    __tablename__ = "user_territory"

    user_id: Mapped[str] = mapped_column(ForeignKey("hub_user.id"), primary_key=True)
    level: Mapped[str] = mapped_column(String(12))
    code: Mapped[str] = mapped_column(String(16))


class PartnerToken(Base):
    """A partner's read-only API token (only its SHA-256 is kept), limited to a territory
    (``hub`` = everything)."""

    __tablename__ = "partner_token"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    level: Mapped[str] = mapped_column(String(12))
    code: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class VenueDetails(Base):
    """What the national open-data schema of venues needs beyond what devices sync (address,
    SIRET/RNA, services…), completed on the hub's pages. Multi-values are ``|``-separated."""

    __tablename__ = "venue_details"

    venue_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    adresse: Mapped[str] = mapped_column(String(300), default="")
    complement_adresse: Mapped[str] = mapped_column(String(300), default="")
    pivot: Mapped[str] = mapped_column(String(14), default="")
    telephone: Mapped[str] = mapped_column(String(40), default="")
    courriels: Mapped[str] = mapped_column(String(300), default="")
    site_web: Mapped[str] = mapped_column(String(300), default="")
    horaires: Mapped[str] = mapped_column(String(300), default="")
    services: Mapped[str] = mapped_column(String(600), default="")
    modalites_accompagnement: Mapped[str] = mapped_column(String(200), default="")
    frais_a_charge: Mapped[str] = mapped_column(String(40), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
