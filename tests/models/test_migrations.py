"""Migrations: one head, empty → head equals the models, data survives, failures are safe."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from app.models import schema  # noqa: F401  (registers every table)
from app.models.base import Base
from app.models.errors import (
    CorruptDatabaseError,
    DatabaseTooNewError,
    MigrationFailedError,
    ReadOnlyDataDirError,
)
from app.models.migrate import (
    HEAD_REVISION,
    alembic_config,
    current_revision,
    include_object,
    prepare_database,
    upgrade,
)


def test_single_head_and_constant_matches():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert script.get_heads() == [HEAD_REVISION]


def test_upgrade_from_empty_equals_models(tmp_path: Path):
    db = tmp_path / "c.db"
    prepare_database(db)
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": include_object})
        diff = compare_metadata(ctx, Base.metadata)
    engine.dispose()
    assert diff == []


def test_data_survives_upgrade_and_backup_is_made(tmp_path: Path):
    db = tmp_path / "c.db"
    upgrade(db, "0001_initial")
    con = sqlite3.connect(db)
    con.execute(
        "INSERT INTO venue (id, name, itinerant, created_at, updated_at, version) "
        "VALUES ('v1', 'Médiathèque', 0, '2025-01-01 10:00:00', '2025-01-01 10:00:00', 1)"
    )
    con.execute(
        "INSERT INTO accompagnement (id, kind, date, duration_min, place_type, venue_id, themes, "
        "materiels, tags, notes, created_at, updated_at, version) VALUES ('a1', 'individuel', "
        "'2025-01-02', 30, 'lieu_activite', 'v1', '|email|', '', '', 'ok', '2025-01-02 10:00:00', "
        "'2025-01-02 10:00:00', 1)"
    )
    con.commit()
    con.close()
    backup = prepare_database(db)
    assert current_revision(db) == HEAD_REVISION
    assert backup is not None and backup.exists()
    con = sqlite3.connect(db)
    assert con.execute("SELECT themes, notes FROM accompagnement WHERE id='a1'").fetchone() == (
        "|email|",
        "ok",
    )
    con.close()


def test_corrupt_file_is_refused_and_left_intact(tmp_path: Path):
    db = tmp_path / "c.db"
    db.write_bytes(b"ceci n'est pas une base" * 100)
    before = db.read_bytes()
    with pytest.raises(CorruptDatabaseError) as info:
        prepare_database(db)
    assert "endommagé" in info.value.message
    assert db.read_bytes() == before


def test_truncated_database_is_refused(tmp_path: Path):
    db = tmp_path / "c.db"
    prepare_database(db)
    data = db.read_bytes()
    db.write_bytes(data[:100] + b"\x00" * 50)
    before = db.read_bytes()
    with pytest.raises(CorruptDatabaseError):
        prepare_database(db)
    assert db.read_bytes() == before


def test_database_newer_than_app_is_refused(tmp_path: Path):
    db = tmp_path / "c.db"
    prepare_database(db)
    con = sqlite3.connect(db)
    con.execute("UPDATE alembic_version SET version_num='9999_futur'")
    con.commit()
    con.close()
    with pytest.raises(DatabaseTooNewError) as info:
        prepare_database(db)
    assert "plus récente" in info.value.message


def test_failed_migration_restores_the_previous_file(tmp_path: Path):
    db = tmp_path / "c.db"
    upgrade(db, "0001_initial")
    con = sqlite3.connect(db)
    # A table in the way makes the next migration fail half-way.
    con.execute("CREATE TABLE sync_state (x INTEGER)")
    con.execute("INSERT INTO sync_state VALUES (42)")
    con.commit()
    con.close()
    with pytest.raises(MigrationFailedError) as info:
        prepare_database(db)
    assert "rien n'est perdu" in info.value.message
    assert current_revision(db) == "0001_initial"
    con = sqlite3.connect(db)
    assert con.execute("SELECT x FROM sync_state").fetchone() == (42,)
    con.close()


def _make_read_only(folder: Path) -> None:
    if os.geteuid() != 0:
        folder.chmod(0o500)
        return
    # root ignores permission bits; the immutable attribute binds root too.
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("cannot make a folder read-only for root here")


def _make_writable(folder: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(folder)], capture_output=True)
    folder.chmod(0o700)


def test_read_only_folder_is_explained_and_nothing_touched(tmp_path: Path):
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "c.db"
    prepare_database(db)
    before = db.read_bytes()
    _make_read_only(folder)
    try:
        with pytest.raises(ReadOnlyDataDirError) as info:
            prepare_database(db)
        assert "écriture" in info.value.message
    finally:
        _make_writable(folder)
    assert db.read_bytes() == before


def _stats_cache_objects(db: Path) -> tuple[list[str], list[str]]:
    con = sqlite3.connect(db)
    try:
        rows = con.execute(
            "SELECT type, name FROM sqlite_master WHERE name LIKE 'stats%' ORDER BY name"
        ).fetchall()
    finally:
        con.close()
    return [n for t, n in rows if t == "table"], [n for t, n in rows if t == "trigger"]


def test_statistics_cache_comes_empty_with_its_triggers_and_goes_on_downgrade(tmp_path: Path):
    from alembic import command

    from app.models.stats_cache import STATS_TRIGGERS

    db = tmp_path / "c.db"
    upgrade(db, "0008_beneficiary_merge")
    prepare_database(db)
    tables, triggers = _stats_cache_objects(db)
    assert tables == ["stats_cache_state", "stats_month"]
    assert sorted(triggers) == sorted(STATS_TRIGGERS)
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM stats_month").fetchone() == (0,)
    assert con.execute("SELECT id, epoch FROM stats_cache_state").fetchall() == [(1, 0)]
    con.close()
    command.downgrade(alembic_config(f"sqlite:///{db}"), "0008_beneficiary_merge")
    assert _stats_cache_objects(db) == ([], [])
