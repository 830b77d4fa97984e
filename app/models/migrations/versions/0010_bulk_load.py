"""sessions loaded in bulk are indexed once per load, not once per row

The full-text index (0003) and the statistics cache (0009) follow every new session through
row triggers. A sync that brings thousands of sessions paid for them row by row: the trigram
index's insert, statement by statement, costs about ten times the same index built in one
statement. While the single row of ``bulk_load`` exists (only ever inside the transaction of a
bulk load, see app/models/indexing.py) the two insert triggers stand aside; the loader then
indexes the new rows in one statement and clears the cached months they touch.

Revision ID: 0010_bulk_load
Revises: 0009_stats_month_cache
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_bulk_load"
down_revision = "0009_stats_month_cache"
branch_labels = None
depends_on = None

FTS_INSERT = (
    "INSERT INTO accompagnement_fts(rowid, notes, workshop_title, demarche_name) "
    "VALUES (new.rowid, new.notes, new.workshop_title, new.demarche_name);"
)
STATS_INSERT = (
    "DELETE FROM stats_month WHERE month = substr(new.date, 1, 7); "
    "UPDATE stats_cache_state SET epoch = epoch + 1;"
)
UNLESS_BULK = "WHEN NOT EXISTS (SELECT 1 FROM bulk_load)"


def _insert_triggers(condition: str) -> None:
    for name, body in (("accompagnement_fts_ai", FTS_INSERT), ("stats_month_ai", STATS_INSERT)):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(
            f"CREATE TRIGGER {name} AFTER INSERT ON accompagnement {condition} BEGIN {body} END"
        )


def upgrade() -> None:
    op.create_table(
        "bulk_load",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulk_load")),
    )
    _insert_triggers(UNLESS_BULK)


def downgrade() -> None:
    _insert_triggers("")
    op.drop_table("bulk_load")
