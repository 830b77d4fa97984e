"""review items remember which fields conflicted

Revision ID: 0007_sync_issue_fields
Revises: 0006_sync_deferred
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_sync_issue_fields"
down_revision = "0006_sync_deferred"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sync_issue", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fields", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_issue", schema=None) as batch_op:
        batch_op.drop_column("fields")
