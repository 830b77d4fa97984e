"""hub changes held back while the record has unacknowledged local changes

Revision ID: 0006_sync_deferred
Revises: 0005_training_paths
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_sync_deferred"
down_revision = "0005_training_paths"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_deferred",
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("entity_id", name=op.f("pk_sync_deferred")),
    )


def downgrade() -> None:
    op.drop_table("sync_deferred")
