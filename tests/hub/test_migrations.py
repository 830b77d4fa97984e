"""The hub's Alembic chain: one head, and upgrade from empty equals the models on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from hub.migrate import HEAD_REVISION, alembic_config, current_revision, upgrade
from hub.models import Base


def test_single_head_equals_constant():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert script.get_heads() == [HEAD_REVISION]


def _assert_matches_models(url: str) -> None:
    engine = create_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert current_revision(engine) == HEAD_REVISION
    engine.dispose()
    assert diff == []


def test_upgrade_from_empty_equals_models_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'vide.db'}"
    engine = create_engine(url)
    assert upgrade(engine) is True
    assert upgrade(engine) is False  # already at head: nothing to do
    engine.dispose()
    _assert_matches_models(url)


def test_upgrade_from_empty_equals_models_postgresql(pg_database_url):
    # A schema of its own, so that this test starts from a really empty database.
    admin = create_engine(pg_database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS migration_test CASCADE"))
        conn.execute(text("CREATE SCHEMA migration_test"))
    url = pg_database_url + "?options=-csearch_path%3Dmigration_test"
    try:
        engine = create_engine(url)
        assert inspect(engine).get_table_names() == []
        assert upgrade(engine) is True
        engine.dispose()
        _assert_matches_models(url)
    finally:
        with admin.connect() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS migration_test CASCADE"))
        admin.dispose()


def test_hub_record_columns_match_the_desktop_entities():
    """The hub stores the national fields as real columns: the same as app/models/entities.py."""
    from sqlalchemy import inspect as sa_inspect

    from app.models import entities
    from hub.models import RECORD_TABLES

    for cls in (entities.Accompagnement, entities.Venue, entities.Beneficiary, entities.Tag):
        desktop = {c.key for c in sa_inspect(cls).column_attrs}
        hub = set(RECORD_TABLES[cls.__tablename__].c.keys())
        assert desktop <= hub, desktop - hub
        assert hub - desktop == {"mediator_id", "seq", "deleted", "received_at"}
