"""statistics aggregates, local-authority territories, partner tokens, venue details

Revision ID: 0002_statistics
Revises: 0001_initial
Create Date: 2026-11-28 18:34:30.210261
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.models.base import UTCDateTime

revision = "0002_statistics"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "partner_token",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=12), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_partner_token_token_hash")),
    )
    op.create_table(
        "stat_area",
        sa.Column("level", sa.String(length=12), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("tag", sa.String(length=80), nullable=False),
        sa.Column("dim", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("parent", sa.String(length=16), nullable=False),
        sa.Column("activities", sa.BigInteger(), nullable=False),
        sa.Column("accomp", sa.BigInteger(), nullable=False),
        sa.Column("minutes", sa.BigInteger(), nullable=False),
        sa.Column("individual", sa.BigInteger(), nullable=False),
        sa.Column("workshops", sa.BigInteger(), nullable=False),
        sa.Column("participants", sa.BigInteger(), nullable=False),
        sa.Column("anonymous", sa.BigInteger(), nullable=False),
        sa.Column("ws_returning", sa.BigInteger(), nullable=False),
        sa.Column("ws_unknown", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "level", "code", "month", "tag", "dim", "value", name=op.f("pk_stat_area")
        ),
    )
    with op.batch_alter_table("stat_area", schema=None) as batch_op:
        batch_op.create_index("ix_stat_area_dim", ["dim", "level", "tag", "month"], unique=False)
        batch_op.create_index("ix_stat_area_level_month", ["level", "tag", "month"], unique=False)

    op.create_table(
        "stat_cell",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("mediator_id", sa.String(length=36), nullable=False),
        sa.Column("commune", sa.String(length=5), nullable=False),
        sa.Column("tag", sa.String(length=80), nullable=False),
        sa.Column("dim", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("activities", sa.BigInteger(), nullable=False),
        sa.Column("accomp", sa.BigInteger(), nullable=False),
        sa.Column("minutes", sa.BigInteger(), nullable=False),
        sa.Column("individual", sa.BigInteger(), nullable=False),
        sa.Column("workshops", sa.BigInteger(), nullable=False),
        sa.Column("participants", sa.BigInteger(), nullable=False),
        sa.Column("anonymous", sa.BigInteger(), nullable=False),
        sa.Column("ws_returning", sa.BigInteger(), nullable=False),
        sa.Column("ws_unknown", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "month", "mediator_id", "commune", "tag", "dim", "value", name=op.f("pk_stat_cell")
        ),
    )
    with op.batch_alter_table("stat_cell", schema=None) as batch_op:
        batch_op.create_index("ix_stat_cell_mediator_month", ["mediator_id", "month"], unique=False)
        batch_op.create_index("ix_stat_cell_month", ["month", "tag"], unique=False)

    op.create_table(
        "stat_person",
        sa.Column("beneficiary_id", sa.String(length=36), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("mediator_id", sa.String(length=36), nullable=False),
        sa.Column("commune", sa.String(length=5), nullable=False),
        sa.Column("tag", sa.String(length=80), nullable=False),
        sa.Column("piece", sa.String(length=16), nullable=False),
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "beneficiary_id", "month", "mediator_id", "commune", "tag", name=op.f("pk_stat_person")
        ),
    )
    with op.batch_alter_table("stat_person", schema=None) as batch_op:
        batch_op.create_index("ix_stat_person_tag_month", ["tag", "month"], unique=False)

    op.create_table(
        "stat_person_first",
        sa.Column("beneficiary_id", sa.String(length=36), nullable=False),
        sa.Column("first_month", sa.String(length=7), nullable=False),
        sa.PrimaryKeyConstraint("beneficiary_id", name=op.f("pk_stat_person_first")),
    )
    op.create_table(
        "venue_details",
        sa.Column("venue_id", sa.String(length=36), nullable=False),
        sa.Column("adresse", sa.String(length=300), nullable=False),
        sa.Column("complement_adresse", sa.String(length=300), nullable=False),
        sa.Column("pivot", sa.String(length=14), nullable=False),
        sa.Column("telephone", sa.String(length=40), nullable=False),
        sa.Column("courriels", sa.String(length=300), nullable=False),
        sa.Column("site_web", sa.String(length=300), nullable=False),
        sa.Column("horaires", sa.String(length=300), nullable=False),
        sa.Column("services", sa.String(length=600), nullable=False),
        sa.Column("modalites_accompagnement", sa.String(length=200), nullable=False),
        sa.Column("frais_a_charge", sa.String(length=40), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("venue_id", name=op.f("pk_venue_details")),
    )
    op.create_table(
        "user_territory",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("level", sa.String(length=12), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["hub_user.id"], name=op.f("fk_user_territory_user_id_hub_user")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_territory")),
    )


def downgrade() -> None:
    op.drop_table("user_territory")
    op.drop_table("venue_details")
    op.drop_table("stat_person_first")
    with op.batch_alter_table("stat_person", schema=None) as batch_op:
        batch_op.drop_index("ix_stat_person_tag_month")

    op.drop_table("stat_person")
    with op.batch_alter_table("stat_cell", schema=None) as batch_op:
        batch_op.drop_index("ix_stat_cell_month")
        batch_op.drop_index("ix_stat_cell_mediator_month")

    op.drop_table("stat_cell")
    with op.batch_alter_table("stat_area", schema=None) as batch_op:
        batch_op.drop_index("ix_stat_area_level_month")
        batch_op.drop_index("ix_stat_area_dim")

    op.drop_table("stat_area")
    op.drop_table("partner_token")
