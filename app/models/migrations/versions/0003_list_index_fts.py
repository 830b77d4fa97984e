"""fast sessions list: covering index of live rows, trigram full-text index of the notes

Revision ID: 0003_list_index_fts
Revises: 0002_sync_state
"""

from __future__ import annotations

from alembic import op

revision = "0003_list_index_fts"
down_revision = "0002_sync_state"
branch_labels = None
depends_on = None

# External-content FTS5 table kept in step by triggers; trigram makes LIKE '%abc%' searches use it.
FTS_DDL = [
    "CREATE VIRTUAL TABLE accompagnement_fts USING fts5("
    "notes, workshop_title, demarche_name, content='accompagnement', content_rowid='rowid', "
    "tokenize='trigram')",
    "CREATE TRIGGER accompagnement_fts_ai AFTER INSERT ON accompagnement BEGIN "
    "INSERT INTO accompagnement_fts(rowid, notes, workshop_title, demarche_name) "
    "VALUES (new.rowid, new.notes, new.workshop_title, new.demarche_name); END",
    "CREATE TRIGGER accompagnement_fts_ad AFTER DELETE ON accompagnement BEGIN "
    "INSERT INTO accompagnement_fts(accompagnement_fts, rowid, notes, workshop_title, demarche_name) "
    "VALUES ('delete', old.rowid, old.notes, old.workshop_title, old.demarche_name); END",
    "CREATE TRIGGER accompagnement_fts_au AFTER UPDATE OF notes, workshop_title, demarche_name "
    "ON accompagnement BEGIN "
    "INSERT INTO accompagnement_fts(accompagnement_fts, rowid, notes, workshop_title, demarche_name) "
    "VALUES ('delete', old.rowid, old.notes, old.workshop_title, old.demarche_name); "
    "INSERT INTO accompagnement_fts(rowid, notes, workshop_title, demarche_name) "
    "VALUES (new.rowid, new.notes, new.workshop_title, new.demarche_name); END",
    "INSERT INTO accompagnement_fts(accompagnement_fts) VALUES ('rebuild')",
]


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_accompagnement_list ON accompagnement "
        "(date, id, kind, venue_id, themes, tags) WHERE deleted_at IS NULL"
    )
    for statement in FTS_DDL:
        op.execute(statement)


def downgrade() -> None:
    for name in ("accompagnement_fts_ai", "accompagnement_fts_ad", "accompagnement_fts_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS accompagnement_fts")
    op.execute("DROP INDEX IF EXISTS ix_accompagnement_list")
