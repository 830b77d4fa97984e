"""One person, one follow-up code, one beneficiary row, on every device.

A mediator who gives a person the code "KRT-4MX" on one laptop and types the same code on a
second laptop before the first one synced gets two beneficiary rows (two ids) for one code.
The rule that makes all devices converge without talking to each other: **the canonical
beneficiary of a code is the one with the smallest id** (UUIDv7: the earliest created).

When the sync engine writes a hub beneficiary whose code a live local row with another id
holds, the :class:`BeneficiaryMerger` keeps the smaller id and retires the other: the retired
row is tombstoned, the live sessions that point at it are re-pointed to the canonical row, both
as ordinary local edits (outbox entries, so the hub and the other devices learn of them), and
its id is remembered as an alias (``beneficiary_alias``). A session written from the hub later
that still points at a retired id (its author has not merged yet) is re-pointed the same way.
Progress events need nothing: their subject is the code itself (app/models/training.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models.base import utcnow
from app.models.entities import Accompagnement, Beneficiary, BeneficiaryAlias
from app.models.payloads import outbox_entry

UPSERT, DELETE = "upsert", "delete"


def canonical_id(db: Session, beneficiary_id: str | None) -> str | None:
    """The id that stands for ``beneficiary_id`` now (itself unless it was merged away)."""
    if not beneficiary_id:
        return beneficiary_id
    target = db.scalar(
        select(BeneficiaryAlias.canonical_id).where(BeneficiaryAlias.alias_id == beneficiary_id)
    )
    return target or beneficiary_id


def live_beneficiary(db: Session, code: str) -> Beneficiary | None:
    """The live row of a follow-up code (at most one: a partial unique index)."""
    return db.scalar(
        select(Beneficiary).where(Beneficiary.code == code, Beneficiary.deleted_at.is_(None))
    )


class BeneficiaryMerger:
    """Merges duplicate beneficiaries inside one write transaction of the sync engine.

    Call :meth:`before_beneficiary` before writing a hub beneficiary payload, then
    :meth:`after_beneficiary` with the written row; call :meth:`after_session` after writing a
    hub session. ``merged`` counts the rows retired."""

    def __init__(self, db: Session) -> None:
        self.db = db
        self._aliases: dict[str, str] | None = None
        self._after_write: dict[str, tuple[str, str]] = {}  # incoming id -> (retired, canonical)
        self.merged = 0  # duplicate rows retired
        self.repointed = 0  # sessions re-pointed
        # Records given a local edit: until the hub has answered it, a hub state of them must
        # be held back like that of any record with pending changes.
        self.edited: set[str] = set()

    @property
    def aliases(self) -> dict[str, str]:
        if self._aliases is None:
            self._aliases = {
                a.alias_id: a.canonical_id for a in self.db.scalars(select(BeneficiaryAlias))
            }
        return self._aliases

    def before_beneficiary(self, payload: dict[str, Any]) -> None:
        """``payload`` (a live or deleted hub beneficiary, with its id) is about to be written.
        When a live local row holds its code under another id, the larger id is retired: the
        local row is tombstoned now (before a live row of the same code is written), or the
        incoming one is written as a tombstone; the rest follows in :meth:`after_beneficiary`."""
        incoming, code = payload["id"], payload.get("code")
        if not code:
            return
        held = live_beneficiary(self.db, code)  # autoflush: sees this page's rows too
        if held is None or held.id == incoming:
            return
        if payload.get("deleted_at"):
            # Already deleted on the hub: nothing to tombstone. A larger id was a duplicate
            # merged by another device; sessions that still point at it follow the live row.
            if incoming > held.id:
                self._follow(incoming, held.id)
            return
        if incoming < held.id:
            self._tombstone(held)
            self._after_write[incoming] = (held.id, incoming)
        else:
            payload["deleted_at"] = utcnow().isoformat()
            self._after_write[incoming] = (incoming, held.id)

    def after_beneficiary(self, row: Beneficiary | None) -> None:
        """The incoming row is written: finish its merge (the incoming row is tombstoned if it
        was the duplicate; the duplicate's sessions follow the canonical row)."""
        if row is None:
            return
        merge = self._after_write.pop(row.id, None)
        if merge is None:
            return
        retired, canonical = merge
        if retired == row.id:
            self._tombstone(row)
        self._follow(retired, canonical)

    def after_session(self, row: Any) -> bool:
        """A hub session was written: if it is live and points at a retired id, re-point it
        (a local edit, so that the hub converges even if its author never merges)."""
        if not isinstance(row, Accompagnement) or row.deleted_at is not None:
            return False
        if not row.beneficiary_id:
            return False
        target = self.aliases.get(row.beneficiary_id)
        if target is None:
            return False
        self._repoint(row, target)
        return True

    # ---- the merge ---------------------------------------------------------------------------
    def _tombstone(self, row: Beneficiary) -> None:
        """Delete the duplicate row as a local edit (the hub and the other devices learn of it)."""
        now = utcnow()
        base = row.version
        if row.deleted_at is None:
            row.deleted_at = now
        row.updated_at = now
        row.version = base + 1
        # The tombstone reaches the database before a live row of the same code does.
        self.db.flush()
        self.db.add(outbox_entry(row, DELETE, base))
        self.edited.add(row.id)
        self.merged += 1

    def _follow(self, alias: str, canonical: str) -> None:
        """From now on ``alias`` stands for ``canonical``: remember it and re-point the live
        sessions that point at it."""
        self._remember(alias, canonical)
        sessions = self.db.scalars(
            select(Accompagnement).where(
                Accompagnement.beneficiary_id == alias, Accompagnement.deleted_at.is_(None)
            )
        )
        for session in list(sessions):
            self._repoint(session, canonical)

    def _remember(self, alias: str, canonical: str) -> None:
        aliases = self.aliases
        if aliases.get(alias) == canonical:
            return
        # One hop: what pointed at the retired id now points at the canonical one.
        self.db.execute(
            update(BeneficiaryAlias)
            .where(BeneficiaryAlias.canonical_id == alias)
            .values(canonical_id=canonical)
        )
        for key, value in list(aliases.items()):
            if value == alias:
                aliases[key] = canonical
        held = self.db.get(BeneficiaryAlias, alias)
        if held is None:
            self.db.add(BeneficiaryAlias(alias_id=alias, canonical_id=canonical))
        else:
            held.canonical_id = canonical
        aliases[alias] = canonical

    def _repoint(self, session: Accompagnement, canonical: str) -> None:
        base = session.version
        session.beneficiary_id = canonical
        session.updated_at = utcnow()
        session.version = base + 1
        self.db.add(outbox_entry(session, UPSERT, base))
        self.edited.add(session.id)
        self.repointed += 1
