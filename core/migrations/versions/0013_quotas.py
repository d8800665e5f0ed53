"""A mandate's own quotas per seat group: ``mandate_quotas``.

Revision ID: 0013_quotas
Revises: 0012_bo_rollcall
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from kleroterion.models.base import UTCDateTime

revision: str = "0013_quotas"
down_revision: str | None = "0012_bo_rollcall"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mandate_quotas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mandate_id", sa.Integer(), nullable=False),
        sa.Column("seat_group", sa.String(length=64), nullable=False),
        sa.Column("feature", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("min_seats", sa.Integer(), nullable=False),
        sa.Column("max_seats", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("min_seats >= 0 AND min_seats <= max_seats",
                           name=op.f("ck_mandate_quotas_bounds")),
        sa.ForeignKeyConstraint(["mandate_id"], ["mandates.id"],
                                name=op.f("fk_mandate_quotas_mandate_id_mandates")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mandate_quotas")),
        sa.UniqueConstraint("mandate_id", "seat_group", "feature", "value",
                            name=op.f("uq_mandate_quotas_mandate_id_seat_group_feature_value")),
    )
    with op.batch_alter_table("mandate_quotas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mandate_quotas_mandate_id"), ["mandate_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mandate_quotas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mandate_quotas_mandate_id"))
    op.drop_table("mandate_quotas")
