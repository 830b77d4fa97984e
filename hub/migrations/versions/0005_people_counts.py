"""distinct people per node and year (stat_people), counted from the per-person facts

The dashboards read these few rows instead of counting distinct codes over the facts.

Revision ID: 0005_people_counts
Revises: 0004_person_keys
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision = "0005_people_counts"
down_revision = "0004_person_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stat_people",
        sa.Column("level", sa.String(length=12), nullable=False),
        sa.Column("code", sa.String(length=36), nullable=False),
        sa.Column("period", sa.String(length=4), nullable=False),
        sa.Column("tag", sa.String(length=80), nullable=False),
        sa.Column("parent", sa.String(length=16), nullable=False),
        sa.Column("persons", sa.BigInteger(), nullable=False),
        sa.Column("returned", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("level", "code", "period", "tag", name=op.f("pk_stat_people")),
    )
    bind = op.get_bind()
    persons = [
        r[0] for r in bind.execute(sa.text("SELECT DISTINCT beneficiary_id FROM stat_person"))
    ]
    if persons:
        from hub.stats.maintain import recount_people

        recount_people(Session(bind=bind), sorted(persons), +1)


def downgrade() -> None:
    op.drop_table("stat_people")
