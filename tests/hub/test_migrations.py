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
        hub_only = {"mediator_id", "seq", "deleted", "received_at"}
        if cls is entities.Accompagnement:
            hub_only.add("uncounted")  # waiting for the statistics' drain (hub/stats)
        assert hub - desktop == hub_only


def _upgrade_with_a_counted_session(url: str) -> None:
    """A hub at 0005 holds a session and its aggregates: after the upgrade it is counted
    (NULL), nothing waits, the aggregates are untouched; the partial index exists."""
    from hub.db import Database
    from hub.records import validate_payload
    from hub.stats.maintain import has_waiting
    from tests.hub.helpers import session_payload

    engine = create_engine(url)
    upgrade(engine, "0005_people_counts")
    with engine.begin() as conn:
        values = {
            **validate_payload("accompagnement", "s1", session_payload("s1")),
            "id": "s1",
            "mediator_id": "m1",
            "seq": 1,
            "version": 1,
            "deleted": False,
            "received_at": "2025-03-14 09:00:00",
        }
        columns = ", ".join(values)
        marks = ", ".join(f":{k}" for k in values)
        conn.execute(text(f"INSERT INTO accompagnement ({columns}) VALUES ({marks})"), values)
        conn.execute(
            text(
                "INSERT INTO stat_cell (month, mediator_id, commune, tag, dim, value, activities, "
                "accomp, minutes, individual, workshops, participants, anonymous, ws_returning, "
                "ws_unknown) VALUES ('2025-03', 'm1', '', '', 'total', 'total', 1, 1, 30, 1, 0, "
                "0, 1, 0, 0)"
            )
        )
    assert upgrade(engine) is True
    with engine.connect() as conn:
        assert conn.execute(text("SELECT uncounted FROM accompagnement")).all() == [(None,)]
        assert conn.execute(text("SELECT activities FROM stat_cell")).all() == [(1,)]
    indexes = {i["name"] for i in inspect(engine).get_indexes("accompagnement")}
    assert "ix_accompagnement_uncounted" in indexes
    engine.dispose()
    db = Database(url)
    with db.session() as s:
        assert not has_waiting(s)
    db.dispose()


def test_upgrade_with_data_counts_existing_sessions_sqlite(tmp_path):
    _upgrade_with_a_counted_session(f"sqlite:///{tmp_path / 'ancien.db'}")


def test_upgrade_with_data_counts_existing_sessions_postgresql(pg_database_url):
    admin = create_engine(pg_database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS migration_data CASCADE"))
        conn.execute(text("CREATE SCHEMA migration_data"))
    try:
        _upgrade_with_a_counted_session(pg_database_url + "?options=-csearch_path%3Dmigration_data")
    finally:
        with admin.connect() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS migration_data CASCADE"))
        admin.dispose()
