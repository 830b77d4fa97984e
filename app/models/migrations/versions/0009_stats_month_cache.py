"""statistics cache: each month's counted figures, kept in step by triggers on sessions

« Mes statistiques » over years of sessions adds up cached months instead of recounting every
session (app/services/stats.py). Any insert, delete, or update of a column the statistics read
deletes the cached rows of the session's old and new months and moves the epoch, whatever code
wrote the session. The cache starts empty: months are counted and stored on first use.

Revision ID: 0009_stats_month_cache
Revises: 0008_beneficiary_merge
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_stats_month_cache"
down_revision = "0008_beneficiary_merge"
branch_labels = None
depends_on = None

# The columns of accompagnement that the statistics read (tests/services/test_stats_cache.py
# checks this list against app/services/stats.py).
READ_COLUMNS = (
    "kind, date, duration_min, place_type, venue_id, commune_insee, commune_name, postal_code, "
    "themes, materiels, tags, autonomy, oriented, orientation, beneficiary_id, genre, "
    "age_bracket, statut, participants, participants_returning, counters, deleted_at"
)
BUMP = "UPDATE stats_cache_state SET epoch = epoch + 1;"
TRIGGERS = [
    "CREATE TRIGGER stats_month_ai AFTER INSERT ON accompagnement BEGIN "
    f"DELETE FROM stats_month WHERE month = substr(new.date, 1, 7); {BUMP} END",
    "CREATE TRIGGER stats_month_ad AFTER DELETE ON accompagnement BEGIN "
    f"DELETE FROM stats_month WHERE month = substr(old.date, 1, 7); {BUMP} END",
    f"CREATE TRIGGER stats_month_au AFTER UPDATE OF {READ_COLUMNS} ON accompagnement BEGIN "
    "DELETE FROM stats_month WHERE month IN (substr(old.date, 1, 7), substr(new.date, 1, 7)); "
    f"{BUMP} END",
]


def upgrade() -> None:
    op.create_table(
        "stats_month",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("filter_key", sa.String(length=400), nullable=False),
        sa.Column("format", sa.Integer(), nullable=False),
        sa.Column("tally", sa.Text(), nullable=False),
        sa.Column("codes", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("month", "filter_key", name=op.f("pk_stats_month")),
    )
    op.create_table(
        "stats_cache_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_cache_state")),
    )
    op.execute("INSERT INTO stats_cache_state (id, epoch) VALUES (1, 0)")
    for statement in TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    for name in ("stats_month_ai", "stats_month_ad", "stats_month_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("stats_cache_state")
    op.drop_table("stats_month")
