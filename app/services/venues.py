"""The mediator's identity card (display name) and their venues (lieux d'activité)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.models.base import utcnow
from app.models.entities import Setting, Venue
from app.services.outbox import record_change
from app.services.quick_read import VenueInfo


def _info(v: Venue) -> VenueInfo:
    return VenueInfo(v.id, v.name, v.commune_insee, v.commune_name, v.postal_code, v.itinerant)


class ProfileSettingsService:
    """Per-profile settings stored in the profile's database."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sf = session_factory

    def get(self, key: str, default: str | None = None) -> str | None:
        with self._sf() as db:
            row = db.get(Setting, key)
            return row.value if row else default

    def set(self, key: str, value: str) -> None:
        with self._sf.begin() as db:
            row = db.get(Setting, key)
            if row is None:
                db.add(Setting(key=key, value=value))
            else:
                row.value = value

    @property
    def display_name(self) -> str:
        return self.get("display_name", "") or ""

    def is_set_up(self) -> bool:
        return bool(self.display_name)


class VenueService:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sf = session_factory

    def list(self) -> list[VenueInfo]:
        with self._sf() as db:
            rows = db.scalars(select(Venue).where(Venue.deleted_at.is_(None)).order_by(Venue.name))
            return [_info(v) for v in rows]

    def add(
        self,
        name: str,
        commune_insee: str | None,
        commune_name: str | None,
        postal_code: str | None,
        itinerant: bool = False,
    ) -> str:
        if not name.strip():
            raise ValueError("Le nom du lieu est obligatoire.")
        with self._sf.begin() as db:
            venue = Venue(
                name=name.strip(),
                commune_insee=commune_insee,
                commune_name=commune_name,
                postal_code=postal_code,
                itinerant=itinerant,
            )
            db.add(venue)
            db.flush()
            record_change(db, venue, "upsert", base_version=0)
            return venue.id

    def update(self, venue_id: str, **changes: object) -> None:
        with self._sf.begin() as db:
            venue = db.get(Venue, venue_id)
            if venue is None:
                raise KeyError(venue_id)
            base = venue.version
            for key, value in changes.items():
                setattr(venue, key, value)
            venue.version = base + 1
            venue.updated_at = utcnow()
            record_change(db, venue, "upsert", base_version=base)

    def remove(self, venue_id: str) -> None:
        with self._sf.begin() as db:
            venue = db.get(Venue, venue_id)
            if venue is None or venue.deleted_at is not None:
                return
            base = venue.version
            venue.deleted_at = utcnow()
            venue.updated_at = venue.deleted_at
            venue.version = base + 1
            record_change(db, venue, "delete", base_version=base)
