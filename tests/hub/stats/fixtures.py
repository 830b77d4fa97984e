"""Small hand-computed fixtures for the hub's statistics, pushed through the real sync API."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from hub.db import Database
from hub.stats.maintain import catch_up
from hub.stats.schema import STAT_AREA, STAT_CELL, STAT_PEOPLE, STAT_PERSON, STAT_PERSON_FIRST
from tests.hub.helpers import Enrolled, op, push, session_payload

LILLE, ROUBAIX, AMIENS = "59350", "59512", "80021"


def individual(date: str, **kw: Any) -> dict[str, Any]:
    return session_payload(date=date, **kw)


def workshop(date: str, participants: int, returning: int | None, **kw: Any) -> dict[str, Any]:
    base = dict(
        kind="collectif",
        autonomy=None,
        genre=None,
        age_bracket=None,
        statut=None,
        workshop_title="Atelier",
        workshop_level="debutant",
        participants=participants,
        participants_returning=returning,
    )
    base.update(kw)
    return session_payload(date=date, **base)


def push_ok(client: Any, dev: Enrolled, payloads: list[dict[str, Any]]) -> None:
    r = push(client, dev, [op(p) for p in payloads])
    assert r.status_code == 200, r.text
    assert all(x["status"] == "applied" for x in r.json()["results"]), r.json()


def hand_fixture(client: Any, dev: Enrolled) -> None:
    """2025: 5 sessions counted (see test_counting.py for the expected figures)."""
    deleted = individual("2025-06-02", commune_insee=LILLE)
    push_ok(
        client,
        dev,
        [
            individual(
                "2025-03-10",
                duration_min=30,
                beneficiary_id="B1",
                genre="feminin",
                oriented=False,
            ),
            individual("2025-03-20", duration_min=60, beneficiary_id="B1", genre="feminin"),
            individual(
                "2025-04-02",
                duration_min=45,
                genre="masculin",
                tags="|Pass numérique|",
                autonomy=None,
                oriented=None,
            ),
            workshop(
                "2025-04-15",
                6,
                2,
                duration_min=120,
                counters={"genre": {"feminin": 4}},
                place_type="lieu_activite",
                commune_insee=ROUBAIX,
            ),
            individual("2024-11-05", duration_min=30, beneficiary_id="B2", genre=None),
            individual(
                "2025-05-01",
                duration_min=30,
                beneficiary_id="B2",
                genre=None,
                commune_insee=AMIENS,
            ),
            deleted,
        ],
    )
    r = push(client, dev, [op({**deleted, "deleted_at": "2025-06-03T10:00:00Z"}, 1, kind="delete")])
    assert r.json()["results"][0]["status"] == "applied", r.text


@contextmanager
def counted(db: Database) -> Iterator[Session]:
    """Read the aggregates as the hub's pages do: the sessions waiting counted first."""
    catch_up(db)
    with db.snapshot() as s:
        yield s


def aggregates(db: Database) -> dict[str, set[tuple]]:
    """Every non-zero aggregate row, to compare with a rebuild."""
    out: dict[str, set[tuple]] = {}
    with db.session() as s:
        for table, zero in (
            (STAT_CELL, "activities = 0 AND accomp = 0"),
            (STAT_AREA, "activities = 0 AND accomp = 0"),
            (STAT_PERSON, "sessions = 0"),
            (STAT_PERSON_FIRST, "1 = 0"),
            (STAT_PEOPLE, "persons = 0 AND returned = 0"),
        ):
            rows = s.execute(select(table).where(text(f"NOT ({zero})"))).all()
            out[table.name] = {tuple(r) for r in rows}
    return out
