"""training paths: catalogue (local copy of the hub's snapshot + local paths), progress events

Revision ID: 0005_training_paths
Revises: 0004_sync_engine
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_training_paths"
down_revision = "0004_sync_engine"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "progress_event",
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
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_event")),
    )
    with op.batch_alter_table("progress_event", schema=None) as batch_op:
        batch_op.create_index("ix_progress_event_group", ["group_id"], unique=False)
        batch_op.create_index("ix_progress_event_path", ["path_id"], unique=False)
        batch_op.create_index("ix_progress_event_session", ["session_id"], unique=False)
        batch_op.create_index(
            "ix_progress_event_subject", ["subject_kind", "subject_id", "occurred_on"], unique=False
        )

    op.create_table(
        "training_path",
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("path_version", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_path")),
    )
    with op.batch_alter_table("training_path", schema=None) as batch_op:
        batch_op.create_index("ix_training_path_origin", ["origin", "withdrawn"], unique=False)

    op.create_table(
        "training_module",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("path_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("objective", sa.Text(), nullable=False),
        sa.Column("expected_duration_min", sa.Integer(), nullable=False),
        sa.Column("themes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["path_id"],
            ["training_path.id"],
            name=op.f("fk_training_module_path_id_training_path"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_module")),
    )
    with op.batch_alter_table("training_module", schema=None) as batch_op:
        batch_op.create_index("ix_training_module_path", ["path_id", "position"], unique=False)

    op.create_table(
        "training_module_competence",
        sa.Column("module_id", sa.String(length=36), nullable=False),
        sa.Column("competence", sa.String(length=4), nullable=False),
        sa.Column("target_level", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "target_level BETWEEN 1 AND 8",
            name=op.f("ck_training_module_competence_target_level_range"),
        ),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["training_module.id"],
            name=op.f("fk_training_module_competence_module_id_training_module"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "module_id", "competence", name=op.f("pk_training_module_competence")
        ),
    )


def downgrade() -> None:
    op.drop_table("training_module_competence")
    with op.batch_alter_table("training_module", schema=None) as batch_op:
        batch_op.drop_index("ix_training_module_path")

    op.drop_table("training_module")
    with op.batch_alter_table("training_path", schema=None) as batch_op:
        batch_op.drop_index("ix_training_path_origin")

    op.drop_table("training_path")
    with op.batch_alter_table("progress_event", schema=None) as batch_op:
        batch_op.drop_index("ix_progress_event_subject")
        batch_op.drop_index("ix_progress_event_session")
        batch_op.drop_index("ix_progress_event_path")
        batch_op.drop_index("ix_progress_event_group")

    op.drop_table("progress_event")
