"""sessions wait uncounted for the statistics' drain (accompagnement.uncounted)

The push no longer maintains the aggregates: it stores a session with ``uncounted`` TRUE and a
background drain counts it (hub/stats/maintain.py). Existing sessions are counted already: the
column is added NULL (= counted) with no default, so PostgreSQL adds it without rewriting the
table. The partial index holds only the waiting sessions (a few, or none).

Revision ID: 0006_uncounted_sessions
Revises: 0005_people_counts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_uncounted_sessions"
down_revision = "0005_people_counts"
branch_labels = None
depends_on = None

WAITING = sa.text("uncounted IS NOT NULL")


def upgrade() -> None:
    op.add_column("accompagnement", sa.Column("uncounted", sa.Boolean(), nullable=True))
    op.create_index(
        "ix_accompagnement_uncounted",
        "accompagnement",
        ["mediator_id", "seq"],
        unique=False,
        postgresql_where=WAITING,
        sqlite_where=WAITING,
    )


def downgrade() -> None:
    # Sessions still waiting would be lost to the aggregates: count them first
    # (carnet-hub drain-aggregates), or rebuild the aggregates after the downgrade.
    op.drop_index("ix_accompagnement_uncounted", table_name="accompagnement")
    with op.batch_alter_table("accompagnement") as batch_op:
        batch_op.drop_column("uncounted")
