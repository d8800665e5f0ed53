"""Panel draws in two steps: published (the lottery folder written), then chosen.

Adds the draw's state, its lottery folder, the progress of its computation, the
dates of publication and choice, and the unique ``slot`` that lets only one panel
draw of a seat group run, wait for its number or stand at a time. Existing draws
were made in one step: they are ``chosen``.

Revision ID: 0002_draw_publication
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_draw_publication"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("draws") as batch:
        batch.add_column(sa.Column("state", sa.String(length=16), server_default="chosen",
                                   nullable=False))
        batch.add_column(sa.Column("slot", sa.String(length=160), nullable=True))
        batch.add_column(sa.Column("lottery_folder", sa.String(length=1000), nullable=True))
        batch.add_column(sa.Column("time_limit", sa.Double(), nullable=True))
        batch.add_column(sa.Column("progress_stage", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("progress_fraction", sa.Double(), nullable=True))
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("message", sa.Text(), nullable=True))
        batch.add_column(sa.Column("published_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("chosen_at", sa.DateTime(), nullable=True))
        batch.create_unique_constraint(batch.f("uq_draws_slot"), ["slot"])


def downgrade() -> None:
    with op.batch_alter_table("draws") as batch:
        batch.drop_constraint(batch.f("uq_draws_slot"), type_="unique")
        for column in ("chosen_at", "published_at", "message", "heartbeat_at",
                       "progress_fraction", "progress_stage", "time_limit", "lottery_folder",
                       "slot", "state"):
            batch.drop_column(column)
