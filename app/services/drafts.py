"""Drafts: an unsaved form is kept so that nothing typed is lost after a crash or a close."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.models.base import utcnow
from app.models.entities import Draft
from app.services.quick_read import NEW_SESSION_KEY, key_for
from app.services.sessions import SessionInput

__all__ = ["NEW_SESSION_KEY", "DraftService", "key_for"]


class DraftService:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sf = session_factory

    def save(self, key: str, inp: SessionInput) -> None:
        with self._sf.begin() as db:
            row = db.get(Draft, key)
            if row is None:
                db.add(Draft(key=key, form_json=inp.to_json(), updated_at=utcnow()))
            else:
                row.form_json = inp.to_json()
                row.updated_at = utcnow()

    def load(self, key: str) -> SessionInput | None:
        with self._sf() as db:
            row = db.get(Draft, key)
            if row is None:
                return None
            try:
                return SessionInput.from_json(row.form_json)
            except (ValueError, TypeError):
                return None

    def discard(self, key: str) -> None:
        with self._sf.begin() as db:
            row = db.get(Draft, key)
            if row is not None:
                db.delete(row)

    def pending_keys(self) -> list[str]:
        with self._sf() as db:
            return list(db.scalars(select(Draft.key).order_by(Draft.updated_at.desc())))
