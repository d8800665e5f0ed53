"""API tokens: a public prefix to recognise and look up a token, and an optional role.

Tokens issued before this revision have no recorded prefix (only their digest was
kept), so they could not be found any more: they are revoked here and must be
issued again with ``kleroterion user token``. No endpoint accepted them yet.

Revision ID: 0004_api_tokens
Revises: 0003_public_name_consent
Create Date: 2026-12-01
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_api_tokens"
down_revision: str | None = "0003_public_name_consent"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    tokens = sa.table("api_tokens", sa.column("revoked_at", sa.DateTime()))
    op.execute(
        tokens.update()
        .where(tokens.c.revoked_at.is_(None))
        .values(revoked_at=dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None))
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        # The server default only fills the rows revoked above; new rows always carry one.
        batch_op.add_column(
            sa.Column("prefix", sa.String(length=16), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("role", sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f("ix_api_tokens_prefix"), ["prefix"], unique=False)
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.alter_column("prefix", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_prefix"))
        batch_op.drop_column("role")
        batch_op.drop_column("prefix")
