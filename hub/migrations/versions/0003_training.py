"""training: mediators' paths and progress events (synced records), the hub's catalogue paths

Revision ID: 0003_training
Revises: 0002_statistics
Create Date: 2026-11-29 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.models.base import UTCDateTime

revision = "0003_training"
down_revision = "0002_statistics"
branch_labels = None
depends_on = None


def _record_columns() -> list[sa.Column]:
    """The bookkeeping columns of every synced record table (hub/models.py)."""
    return [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("mediator_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "catalogue_path",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("path_version", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("published_content", sa.Text(), nullable=True),
        sa.Column("proposed_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("withdrawn_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_path")),
    )
    op.create_table(
        "progress_event",
        *_record_columns(),
        sa.Column("subject_kind", sa.String(length=12), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("group_id", sa.String(length=36), nullable=True),
        sa.Column("path_id", sa.String(length=36), nullable=False),
        sa.Column("module_id", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("cancels_id", sa.String(length=36), nullable=True),
        sa.Column("level_before", sa.Text(), nullable=True),
        sa.Column("level_after", sa.Text(), nullable=True),
        sa.Column("session_id", sa.String(length=36), nullable=True),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("path_title", sa.String(length=200), nullable=False),
        sa.Column("path_version", sa.Integer(), nullable=True),
        sa.Column("path_module_count", sa.Integer(), nullable=True),
        sa.Column("module_title", sa.String(length=200), nullable=True),
        sa.Column("module_position", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_event")),
    )
    with op.batch_alter_table("progress_event", schema=None) as batch_op:
        batch_op.create_index("ix_progress_event_path", ["path_id"], unique=False)
        batch_op.create_index("ux_progress_event_mediator_seq", ["mediator_id", "seq"], unique=True)
    op.create_table(
        "training_path",
        *_record_columns(),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("path_version", sa.Integer(), nullable=True),
        sa.Column("origin", sa.String(length=8), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=True),
        sa.Column("withdrawn", sa.Boolean(), nullable=True),
        sa.Column("modules", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_path")),
    )
    with op.batch_alter_table("training_path", schema=None) as batch_op:
        batch_op.create_index("ux_training_path_mediator_seq", ["mediator_id", "seq"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("training_path", schema=None) as batch_op:
        batch_op.drop_index("ux_training_path_mediator_seq")
    op.drop_table("training_path")
    with op.batch_alter_table("progress_event", schema=None) as batch_op:
        batch_op.drop_index("ux_progress_event_mediator_seq")
        batch_op.drop_index("ix_progress_event_path")
    op.drop_table("progress_event")
    op.drop_table("catalogue_path")
