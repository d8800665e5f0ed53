"""A mandate's label in each language of the site: ``mandates.labels``.

A Brussels cycle is « cycle 2026 » on French pages and « cyclus 2026 » on Dutch ones;
``label`` stays the name in the city's first language (unique per city) and the
fallback of a language the secretariat gave no label in.

Revision ID: 0014_mandate_labels
Revises: 0013_quotas
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_mandate_labels"
down_revision: str | None = "0013_quotas"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN, also on SQLite: copying the table would have to drop it, which
    # every table referencing a mandate forbids once rows exist.
    op.add_column("mandates", sa.Column("labels", sa.JSON(), nullable=False,
                                        server_default="{}"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite 3.35 drops a column in place; a batch copy would drop the mandates
        # table, which a failed demo build's rows (phases, draws...) still reference.
        op.execute("ALTER TABLE mandates DROP COLUMN labels")
    else:
        op.drop_column("mandates", "labels")
