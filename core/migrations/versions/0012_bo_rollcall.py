"""Members' bank details (IBAN) kept as personal data, in ``personal_data.iban``.

Revision ID: 0012_bo_rollcall
Revises: 0011_permanence2
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_bo_rollcall"
down_revision: str | None = "0011_permanence2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("personal_data", schema=None) as batch_op:
        batch_op.add_column(sa.Column("iban", sa.String(length=34), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("personal_data", schema=None) as batch_op:
        batch_op.drop_column("iban")
