"""statistics count a followed person by (mediator, follow-up code), not by beneficiary id

Per-person facts (``stat_person``) were filed under the beneficiary id; they are re-filed under
the person key of hub/people.py, summed when two beneficiary ids of a mediator share a code
(two devices that met the person offline), and each person's first month is recomputed.
No schema change.

Revision ID: 0004_person_keys
Revises: 0003_training
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.people import person_key

revision = "0004_person_keys"
down_revision = "0003_training"
branch_labels = None
depends_on = None

_MAP = sa.table(
    "person_key_map",
    sa.column("beneficiary_id", sa.String),
    sa.column("person_key", sa.String),
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT count(*) FROM stat_person")).scalar() == 0:
        return
    op.create_table(
        "person_key_map",
        sa.Column("beneficiary_id", sa.String(36), primary_key=True),
        sa.Column("person_key", sa.String(36), nullable=False),
    )
    rows = bind.execute(
        sa.text(
            "SELECT b.id, b.mediator_id, b.code FROM beneficiary b WHERE b.id IN "
            "(SELECT DISTINCT beneficiary_id FROM stat_person)"
        )
    )
    while chunk := rows.fetchmany(2000):
        bind.execute(
            _MAP.insert(),
            [{"beneficiary_id": i, "person_key": person_key(m, c)} for i, m, c in chunk],
        )
    op.create_table(
        "stat_person_rekeyed",
        sa.Column("beneficiary_id", sa.String(36), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("mediator_id", sa.String(36), nullable=False),
        sa.Column("commune", sa.String(5), nullable=False),
        sa.Column("tag", sa.String(80), nullable=False),
        sa.Column("piece", sa.String(16), nullable=False),
        sa.Column("departement", sa.String(3), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
    )
    columns = "beneficiary_id, month, mediator_id, commune, tag, piece, departement, sessions"
    op.execute(
        f"INSERT INTO stat_person_rekeyed ({columns}) "
        "SELECT coalesce(m.person_key, p.beneficiary_id), p.month, p.mediator_id, p.commune, "
        "p.tag, max(p.piece), max(p.departement), sum(p.sessions) "
        "FROM stat_person p LEFT JOIN person_key_map m ON m.beneficiary_id = p.beneficiary_id "
        "GROUP BY coalesce(m.person_key, p.beneficiary_id), p.month, p.mediator_id, p.commune, "
        "p.tag"
    )
    op.execute("DELETE FROM stat_person")
    op.execute(f"INSERT INTO stat_person ({columns}) SELECT {columns} FROM stat_person_rekeyed")
    op.drop_table("stat_person_rekeyed")
    op.drop_table("person_key_map")
    # Months only ("2025-03"), not the year rows ("2025").
    op.execute("DELETE FROM stat_person_first")
    op.execute(
        "INSERT INTO stat_person_first (beneficiary_id, first_month) "
        "SELECT beneficiary_id, min(month) FROM stat_person "
        "WHERE tag = '' AND sessions > 0 AND length(month) = 7 GROUP BY beneficiary_id"
    )


def downgrade() -> None:
    # The facts stay filed by person; `carnet-hub rebuild-aggregates` files them again by the
    # rules of the hub that runs it.
    pass
