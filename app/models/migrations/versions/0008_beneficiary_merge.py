"""one live beneficiary per follow-up code; aliases of merged duplicates

Two devices of a mediator that met the same person offline each created a beneficiary row for
the code; sync now keeps the smaller id and tombstones the other, so the code is unique among
live rows only, and the merged ids are remembered as aliases.

Revision ID: 0008_beneficiary_merge
Revises: 0007_sync_issue_fields
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_beneficiary_merge"
down_revision = "0007_sync_issue_fields"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("beneficiary", schema=None) as batch_op:
        batch_op.drop_constraint("uq_beneficiary_code", type_="unique")
        batch_op.create_index(
            "ux_beneficiary_code_live",
            ["code"],
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
        )
    op.create_table(
        "beneficiary_alias",
        sa.Column("alias_id", sa.String(length=36), nullable=False),
        sa.Column("canonical_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("alias_id", name=op.f("pk_beneficiary_alias")),
    )
    with op.batch_alter_table("beneficiary_alias", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_beneficiary_alias_canonical_id"), ["canonical_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("beneficiary_alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_beneficiary_alias_canonical_id"))
    op.drop_table("beneficiary_alias")
    # The old constraint holds only once merged duplicates (tombstones, no session left on
    # them) are gone.
    op.execute(
        "DELETE FROM beneficiary WHERE deleted_at IS NOT NULL AND EXISTS (SELECT 1 FROM "
        "beneficiary AS other WHERE other.code = beneficiary.code AND other.id != beneficiary.id "
        "AND (other.deleted_at IS NULL OR other.id < beneficiary.id))"
    )
    with op.batch_alter_table("beneficiary", schema=None) as batch_op:
        batch_op.drop_index("ux_beneficiary_code_live")
        batch_op.create_unique_constraint("uq_beneficiary_code", ["code"])
