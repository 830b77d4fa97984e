"""Bulk loads of sessions (app/models/indexing.py): the notes search and the statistics cache
end as the row triggers would have left them, and the triggers stand aside only inside a load."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine

from app.models.bulk import insert_rows
from app.models.entities import Accompagnement
from app.models.ids import new_id
from app.models.indexing import deferred_indexing
from app.models.migrate import prepare_database


def session(day: str, notes: str) -> dict[str, Any]:
    return {
        "id": new_id(),
        "kind": "individuel",
        "date": day,
        "duration_min": 30,
        "place_type": "a_distance",
        "themes": "|email|",
        "materiels": "",
        "tags": "",
        "notes": notes,
        "version": 1,
    }


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "carnet.db"
    prepare_database(path)
    return path


def sql(path: Path, statement: str, *params: Any) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        rows = con.execute(statement, params).fetchall()
        con.commit()
        return rows
    finally:
        con.close()


def found(path: Path, needle: str) -> set[str]:
    return {
        r[0]
        for r in sql(
            path,
            "SELECT notes FROM accompagnement WHERE rowid IN "
            "(SELECT rowid FROM accompagnement_fts WHERE accompagnement_fts MATCH ?)",
            f'"{needle}"',
        )
    }


def cache(path: Path) -> tuple[list[str], int]:
    months = sorted({r[0] for r in sql(path, "SELECT month FROM stats_month")})
    ((epoch,),) = sql(path, "SELECT epoch FROM stats_cache_state")
    return months, epoch


def fill_cache(path: Path, months: list[str]) -> None:
    for month in months:
        sql(path, "INSERT INTO stats_month VALUES (?, '', 1, '{}', '')", month)


def load(path: Path, rows: list[dict[str, Any]], fail: bool = False) -> None:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn, deferred_indexing(conn):
            insert_rows(conn, Accompagnement.__table__, rows)  # type: ignore[arg-type]
            if fail:
                raise RuntimeError("panne au milieu du chargement")
    finally:
        engine.dispose()


def test_a_bulk_load_is_searchable_and_clears_exactly_its_months(db: Path):
    sql(
        db,
        "INSERT INTO accompagnement (id, kind, date, duration_min, place_type, themes, materiels, "
        "tags, notes, created_at, updated_at, version) VALUES (?, 'individuel', '2025-01-10', 30, "
        "'a_distance', '|email|', '', '', 'dossier retraite', '2025-01-10', '2025-01-10', 1)",
        new_id(),
    )
    fill_cache(db, ["2025-01", "2025-02", "2025-03", "2025-04"])
    _, epoch = cache(db)
    load(
        db,
        [
            session("2025-02-03", "déclaration de revenus en ligne"),
            session("2025-04-28", "création d'une adresse électronique"),
            session("2025-04-29", "rendez-vous médical en ligne"),
        ],
    )
    assert found(db, "en ligne") == {
        "déclaration de revenus en ligne",
        "rendez-vous médical en ligne",
    }
    assert found(db, "retraite") == {"dossier retraite"}  # the index of earlier rows is kept
    months, moved = cache(db)
    assert months == ["2025-01", "2025-03"]
    assert moved > epoch
    assert sql(db, "SELECT count(*) FROM bulk_load") == [(0,)]
    assert (
        sql(db, "INSERT INTO accompagnement_fts(accompagnement_fts) VALUES ('integrity-check')")
        == []
    )


def test_outside_a_load_each_insert_is_still_indexed_by_its_trigger(db: Path):
    load(db, [session("2025-05-05", "premier chargement")])
    fill_cache(db, ["2025-06"])
    _, epoch = cache(db)
    sql(
        db,
        "INSERT INTO accompagnement (id, kind, date, duration_min, place_type, themes, materiels, "
        "tags, notes, created_at, updated_at, version) VALUES (?, 'individuel', '2025-06-10', 30, "
        "'a_distance', '|email|', '', '', 'saisie à la main', '2025-06-10', '2025-06-10', 1)",
        new_id(),
    )
    assert found(db, "à la main") == {"saisie à la main"}
    assert cache(db) == ([], epoch + 1)


def test_a_failed_load_leaves_nothing_and_the_triggers_back(db: Path):
    fill_cache(db, ["2025-02"])
    before = cache(db)
    with pytest.raises(RuntimeError):
        load(db, [session("2025-02-03", "jamais enregistrée")], fail=True)
    assert sql(db, "SELECT count(*) FROM accompagnement") == [(0,)]
    assert sql(db, "SELECT count(*) FROM bulk_load") == [(0,)]
    assert cache(db) == before
    assert found(db, "jamais") == set()
    # An error caught inside the transaction: what follows is indexed by the triggers again.
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        with pytest.raises(RuntimeError), deferred_indexing(conn):
            raise RuntimeError("abandon")
        insert_rows(conn, Accompagnement.__table__, [session("2025-02-04", "après l'abandon")])  # type: ignore[arg-type]
    engine.dispose()
    assert found(db, "abandon") == {"après l'abandon"}
    assert cache(db)[0] == []


def test_downgrade_gives_back_the_plain_insert_triggers(db: Path):
    from alembic import command

    from app.models.migrate import alembic_config

    command.downgrade(alembic_config(f"sqlite:///{db}"), "0009_stats_month_cache")
    triggers = dict(sql(db, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))
    assert "bulk_load" not in triggers["accompagnement_fts_ai"]
    assert "bulk_load" not in triggers["stats_month_ai"]
    assert sql(db, "SELECT name FROM sqlite_master WHERE name = 'bulk_load'") == []
    sql(
        db,
        "INSERT INTO accompagnement (id, kind, date, duration_min, place_type, themes, materiels, "
        "tags, notes, created_at, updated_at, version) VALUES (?, 'individuel', '2025-06-10', 30, "
        "'a_distance', '|email|', '', '', 'après retour arrière', '2025-06-10', '2025-06-10', 1)",
        new_id(),
    )
    assert found(db, "retour") == {"après retour arrière"}
