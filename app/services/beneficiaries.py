"""Follow a person anonymously across sessions by their pseudonymous follow-up code."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.models.beneficiary_merge import live_beneficiary
from app.models.entities import Accompagnement, Beneficiary, split_codes
from app.services import followup_codes


@dataclass(frozen=True)
class PersonSession:
    id: str
    date: dt.date
    duration_min: int
    themes: tuple[str, ...]
    autonomy: str | None


@dataclass(frozen=True)
class PersonSummary:
    code: str
    sessions: tuple[PersonSession, ...]  # oldest first
    themes_seen: tuple[tuple[str, int], ...]  # most frequent first

    @property
    def first_seen(self) -> dt.date | None:
        return self.sessions[0].date if self.sessions else None

    @property
    def last_seen(self) -> dt.date | None:
        return self.sessions[-1].date if self.sessions else None

    @property
    def autonomy_over_time(self) -> list[tuple[dt.date, str]]:
        return [(s.date, s.autonomy) for s in self.sessions if s.autonomy]


class BeneficiaryService:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sf = session_factory

    def new_code(self) -> str:
        """A fresh code not used yet in this notebook."""
        with self._sf() as db:
            while True:
                code = followup_codes.new_code()
                if db.scalar(select(Beneficiary.id).where(Beneficiary.code == code)) is None:
                    return code

    def sessions_count(self, code_text: str, excluding: str | None = None) -> int:
        """How many saved sessions this person already had (0 means 'nouveau')."""
        code = followup_codes.canonical(code_text)
        if code is None:
            return 0
        with self._sf() as db:
            query = (
                select(func.count())
                .select_from(Accompagnement)
                .join(Beneficiary, Beneficiary.id == Accompagnement.beneficiary_id)
                .where(Beneficiary.code == code, Accompagnement.deleted_at.is_(None))
            )
            if excluding:
                query = query.where(Accompagnement.id != excluding)
            return db.scalar(query) or 0

    def summary(self, code_text: str) -> PersonSummary | None:
        code = followup_codes.canonical(code_text)
        if code is None:
            return None
        with self._sf() as db:
            ben = live_beneficiary(db, code)
            if ben is None:
                return None
            rows = db.execute(
                select(
                    Accompagnement.id,
                    Accompagnement.date,
                    Accompagnement.duration_min,
                    Accompagnement.themes,
                    Accompagnement.autonomy,
                )
                .where(Accompagnement.beneficiary_id == ben.id, Accompagnement.deleted_at.is_(None))
                .order_by(Accompagnement.date, Accompagnement.created_at)
            ).all()
        sessions = tuple(
            PersonSession(r[0], r[1], r[2], tuple(split_codes(r[3])), r[4]) for r in rows
        )
        counter: Counter[str] = Counter(t for s in sessions for t in s.themes)
        return PersonSummary(code, sessions, tuple(counter.most_common()))

    def known_codes(self, prefix: str = "", limit: int = 50) -> list[str]:
        raw = followup_codes.normalize(prefix)
        with self._sf() as db:
            codes = db.scalars(
                select(Beneficiary.code)
                .where(Beneficiary.deleted_at.is_(None))  # a merged duplicate is a tombstone
                .order_by(Beneficiary.code)
            ).all()
        return [c for c in codes if followup_codes.normalize(c).startswith(raw)][:limit]
