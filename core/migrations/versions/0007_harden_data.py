"""Audit entries may carry a keyed MAC (HMAC-SHA256 under KLEROTERION_AUDIT_KEY).

Entries written before this revision, or without a key configured, have none.

Revision ID: 0007_harden_data
Revises: 0006_harden_sessions
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_harden_data"
down_revision: str | None = "0006_harden_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mac", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("mac")
