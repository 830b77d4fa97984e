"""Hub schema: organisation, devices, synced records, applied ops, conflicts, catalogue

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-28 18:02:00.801219
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "applied_op",
        sa.Column("op_id", sa.String(length=36), nullable=False),
        sa.Column("mediator_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("device_payload", sa.Text(), nullable=True),
        sa.Column("applied_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("op_id", name=op.f("pk_applied_op")),
    )
    with op.batch_alter_table("applied_op", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_applied_op_entity_id"), ["entity_id"], unique=False)

    op.create_table(
        "catalogue_snapshot",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("etag", sa.String(length=80), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_catalogue_snapshot")),
    )
    op.create_table(
        "conflict",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("mediator_id", sa.String(length=36), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("op_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("hub_version", sa.Integer(), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("hub_values", sa.Text(), nullable=False),
        sa.Column("device_values", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflict")),
    )
    with op.batch_alter_table("conflict", schema=None) as batch_op:
        batch_op.create_index(
            "ix_conflict_mediator_resolved", ["mediator_id", "resolved_at"], unique=False
        )

    op.create_table(
        "hub_meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_hub_meta")),
    )
    op.create_table(
        "hub_user",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("disabled_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_user")),
        sa.UniqueConstraint("email", name=op.f("uq_hub_user_email")),
    )
    op.create_table(
        "record_version",
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("mediator_id", sa.String(length=36), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("entity_id", "version", name=op.f("pk_record_version")),
    )
    with op.batch_alter_table("record_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_record_version_mediator_id"), ["mediator_id"], unique=False
        )

    op.create_table(
        "structure",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("parent_id", sa.String(length=36), nullable=True),
        sa.Column("siret", sa.String(length=14), nullable=True),
        sa.Column("commune_insee", sa.String(length=5), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["structure.id"], name=op.f("fk_structure_parent_id_structure")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_structure")),
    )
    op.create_table(
        "mediator",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("structure_id", sa.String(length=36), nullable=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("purged_seq", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("disabled_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["structure_id"], ["structure.id"], name=op.f("fk_mediator_structure_id_structure")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mediator")),
    )
    with op.batch_alter_table("mediator", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mediator_structure_id"), ["structure_id"], unique=False
        )

    op.create_table(
        "user_structure",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("structure_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["structure_id"],
            ["structure.id"],
            name=op.f("fk_user_structure_structure_id_structure"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["hub_user.id"], name=op.f("fk_user_structure_user_id_hub_user")
        ),
        sa.PrimaryKeyConstraint("user_id", "structure_id", name=op.f("pk_user_structure")),
    )
    op.create_table(
        "accompagnement",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("mediator_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("duration_min", sa.Integer(), nullable=False),
        sa.Column("place_type", sa.String(length=16), nullable=False),
        sa.Column("venue_id", sa.String(length=36), nullable=True),
        sa.Column("commune_insee", sa.String(length=5), nullable=True),
        sa.Column("commune_name", sa.String(length=100), nullable=True),
        sa.Column("postal_code", sa.String(length=5), nullable=True),
        sa.Column("themes", sa.Text(), nullable=True),
        sa.Column("demarche_name", sa.String(length=200), nullable=True),
        sa.Column("materiels", sa.Text(), nullable=True),
        sa.Column("tags", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("autonomy", sa.String(length=32), nullable=True),
        sa.Column("oriented", sa.Boolean(), nullable=True),
        sa.Column("orientation", sa.String(length=48), nullable=True),
        sa.Column("beneficiary_id", sa.String(length=36), nullable=True),
        sa.Column("genre", sa.String(length=16), nullable=True),
        sa.Column("age_bracket", sa.String(length=32), nullable=True),
        sa.Column("statut", sa.String(length=16), nullable=True),
        sa.Column("residence_insee", sa.String(length=5), nullable=True),
        sa.Column("residence_name", sa.String(length=100), nullable=True),
        sa.Column("workshop_title", sa.String(length=200), nullable=True),
        sa.Column("workshop_level", sa.String(length=16), nullable=True),
        sa.Column("participants", sa.Integer(), nullable=True),
        sa.Column("participants_returning", sa.Integer(), nullable=True),
        sa.Column("counters", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accompagnement")),
    )
    with op.batch_alter_table("accompagnement", schema=None) as batch_op:
        batch_op.create_index(
            "ix_accompagnement_mediator_date", ["mediator_id", "date"], unique=False
        )
        batch_op.create_index("ux_accompagnement_mediator_seq", ["mediator_id", "seq"], unique=True)

    op.create_table(
        "beneficiary",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("mediator_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_beneficiary")),
    )
    with op.batch_alter_table("beneficiary", schema=None) as batch_op:
        batch_op.create_index("ix_beneficiary_mediator_code", ["mediator_id", "code"], unique=False)
        batch_op.create_index("ux_beneficiary_mediator_seq", ["mediator_id", "seq"], unique=True)

    op.create_table(
        "device",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("mediator_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("app_version", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=True),
        sa.Column("last_push_at", sa.DateTime(), nullable=True),
        sa.Column("last_pull_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["mediator_id"], ["mediator.id"], name=op.f("fk_device_mediator_id_mediator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_device_token_hash")),
    )
    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_device_mediator_id"), ["mediator_id"], unique=False)

    op.create_table(
        "tag",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("mediator_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tag")),
    )
    with op.batch_alter_table("tag", schema=None) as batch_op:
        batch_op.create_index("ux_tag_mediator_seq", ["mediator_id", "seq"], unique=True)

    op.create_table(
        "venue",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("mediator_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("commune_insee", sa.String(length=5), nullable=True),
        sa.Column("commune_name", sa.String(length=100), nullable=True),
        sa.Column("postal_code", sa.String(length=5), nullable=True),
        sa.Column("itinerant", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_venue")),
    )
    with op.batch_alter_table("venue", schema=None) as batch_op:
        batch_op.create_index("ux_venue_mediator_seq", ["mediator_id", "seq"], unique=True)

    op.create_table(
        "enrolment_code",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("mediator_id", sa.String(length=36), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("device_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"], ["device.id"], name=op.f("fk_enrolment_code_device_id_device")
        ),
        sa.ForeignKeyConstraint(
            ["mediator_id"], ["mediator.id"], name=op.f("fk_enrolment_code_mediator_id_mediator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolment_code")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_enrolment_code_code_hash")),
    )
    with op.batch_alter_table("enrolment_code", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enrolment_code_mediator_id"), ["mediator_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("enrolment_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrolment_code_mediator_id"))

    op.drop_table("enrolment_code")
    with op.batch_alter_table("venue", schema=None) as batch_op:
        batch_op.drop_index("ux_venue_mediator_seq")

    op.drop_table("venue")
    with op.batch_alter_table("tag", schema=None) as batch_op:
        batch_op.drop_index("ux_tag_mediator_seq")

    op.drop_table("tag")
    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_mediator_id"))

    op.drop_table("device")
    with op.batch_alter_table("beneficiary", schema=None) as batch_op:
        batch_op.drop_index("ux_beneficiary_mediator_seq")
        batch_op.drop_index("ix_beneficiary_mediator_code")

    op.drop_table("beneficiary")
    with op.batch_alter_table("accompagnement", schema=None) as batch_op:
        batch_op.drop_index("ux_accompagnement_mediator_seq")
        batch_op.drop_index("ix_accompagnement_mediator_date")

    op.drop_table("accompagnement")
    op.drop_table("user_structure")
    with op.batch_alter_table("mediator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mediator_structure_id"))

    op.drop_table("mediator")
    op.drop_table("structure")
    with op.batch_alter_table("record_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_version_mediator_id"))

    op.drop_table("record_version")
    op.drop_table("hub_user")
    op.drop_table("hub_meta")
    with op.batch_alter_table("conflict", schema=None) as batch_op:
        batch_op.drop_index("ix_conflict_mediator_resolved")

    op.drop_table("conflict")
    op.drop_table("catalogue_snapshot")
    with op.batch_alter_table("applied_op", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_applied_op_entity_id"))

    op.drop_table("applied_op")
