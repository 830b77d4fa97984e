"""sync engine bookkeeping: batch in flight, per-record hub base version, review items

Revision ID: 0004_sync_engine
Revises: 0003_list_index_fts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_sync_engine"
down_revision = "0003_list_index_fts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_batch",
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("op_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_sync_batch")),
    )
    op.create_table(
        "sync_base",
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("pass_no", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("entity_id", name=op.f("pk_sync_base")),
    )
    op.create_table(
        "sync_issue",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("op_id", sa.String(length=36), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("local_payload", sa.Text(), nullable=False),
        sa.Column("hub_payload", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolution", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_issue")),
    )
    with op.batch_alter_table("sync_issue", schema=None) as batch_op:
        batch_op.create_index("ix_sync_issue_open", ["resolved_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sync_issue", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_issue_open")
    op.drop_table("sync_issue")
    op.drop_table("sync_base")
    op.drop_table("sync_batch")
