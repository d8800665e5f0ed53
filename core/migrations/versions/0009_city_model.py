"""Accounts belong to a city: ``users.city`` (None: every city of the installation).

Accounts made before this revision keep ``city`` empty and so still reach every
city; give each one its city with ``kleroterion user city USERNAME CITY``. An API
token acts for its user's city.

Revision ID: 0009_city_model
Revises: 0008_permanence
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_city_model"
down_revision: str | None = "0008_permanence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("city", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_users_city"), ["city"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_city"))
        batch_op.drop_column("city")
