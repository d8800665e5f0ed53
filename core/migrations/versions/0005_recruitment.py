"""Invitation letters: one row per letter with the digest of its answer code, and the
last day to answer on the invitation draw.

Revision ID: 0005_recruitment
Revises: 0004_api_tokens
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_recruitment"
down_revision: str | None = "0004_api_tokens"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invitation_draws", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answers_until", sa.Date(), nullable=True))
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_draw_id", sa.Integer(), nullable=False),
        sa.Column("mandate_id", sa.Integer(), nullable=False),
        sa.Column("seat_group", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code_digest", sa.String(length=64), nullable=False),
        sa.Column("stratum", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("respondent_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["invitation_draw_id"], ["invitation_draws.id"],
                                name=op.f("fk_invitations_invitation_draw_id_invitation_draws")),
        sa.ForeignKeyConstraint(["mandate_id"], ["mandates.id"],
                                name=op.f("fk_invitations_mandate_id_mandates")),
        sa.ForeignKeyConstraint(["respondent_id"], ["respondents.id"],
                                name=op.f("fk_invitations_respondent_id_respondents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("code_digest", name=op.f("uq_invitations_code_digest")),
    )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invitations_invitation_draw_id"),
                              ["invitation_draw_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_invitations_mandate_id"), ["mandate_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitations_mandate_id"))
        batch_op.drop_index(batch_op.f("ix_invitations_invitation_draw_id"))
    op.drop_table("invitations")
    with op.batch_alter_table("invitation_draws", schema=None) as batch_op:
        batch_op.drop_column("answers_until")
