"""Members' consent to be named publicly, and the name they chose.

Revision ID: 0003_public_name_consent
Revises: 0002_draw_publication

The consent date goes on ``members`` (a change of it bumps the member's version);
the name itself on ``personal_data``, beside the other personal fields, so the purge
and the exports treat it as what it is. Batch mode: SQLite cannot drop a column in
place on downgrade.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_public_name_consent"
down_revision: str | None = "0002_draw_publication"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("public_name_consent_on", sa.Date(), nullable=True))
    with op.batch_alter_table("personal_data") as batch:
        batch.add_column(sa.Column("public_name", sa.String(length=60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("personal_data") as batch:
        batch.drop_column("public_name")
    with op.batch_alter_table("members") as batch:
        batch.drop_column("public_name_consent_on")
