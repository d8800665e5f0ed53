"""Permanence: acts with their content, votes and attachments; answers of each kind;
sessions as they happen (times, place, agenda, minutes, documents, guests); city-level
events that belong to no single mandate.

Columns added to existing tables get a server default so that rows written before
this revision read as empty content.

Revision ID: 0008_permanence
Revises: 0007_harden_data
Create Date: 2026-12-07 03:37:02.170033
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from kleroterion.models.base import UTCDateTime

revision: str = "0008_permanence"
down_revision: str | None = "0007_harden_data"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "city_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("city", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.Time(), nullable=True),
        sa.Column("ends_at", sa.Time(), nullable=True),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("mandate_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_city_events")),
    )
    with op.batch_alter_table("city_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_city_events_city"), ["city"], unique=False)

    op.create_table(
        "proposal_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("stored_name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("added_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_proposal_attachments_proposal_id_proposals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_attachments")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_proposal_attachments_stored_name")),
    )
    with op.batch_alter_table("proposal_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposal_attachments_proposal_id"), ["proposal_id"], unique=False
        )

    op.create_table(
        "proposal_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.String(length=16), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("votes_for", sa.Integer(), nullable=False),
        sa.Column("votes_against", sa.Integer(), nullable=False),
        sa.Column("abstentions", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_proposal_votes_proposal_id_proposals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_votes")),
        sa.UniqueConstraint("proposal_id", "body", name=op.f("uq_proposal_votes_proposal_id_body")),
    )
    with op.batch_alter_table("proposal_votes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposal_votes_proposal_id"), ["proposal_id"], unique=False
        )

    op.create_table(
        "session_guests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_session_guests_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_guests")),
    )
    with op.batch_alter_table("session_guests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_guests_session_id"), ["session_id"], unique=False
        )

    with op.batch_alter_table("proposal_responses", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), server_default="first", nullable=False)
        )
        batch_op.add_column(sa.Column("year", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("text", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("verdict", sa.String(length=20), nullable=True))

    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("summary", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("full_text", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(
            sa.Column("tabled_by", sa.String(length=200), nullable=False, server_default="")
        )

    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("starts_at", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("ends_at", sa.Time(), nullable=True))
        batch_op.add_column(
            sa.Column("place", sa.String(length=300), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("agenda", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("minutes", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("optional", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("documents", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_column("documents")
        batch_op.drop_column("optional")
        batch_op.drop_column("minutes")
        batch_op.drop_column("agenda")
        batch_op.drop_column("place")
        batch_op.drop_column("ends_at")
        batch_op.drop_column("starts_at")

    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_column("tabled_by")
        batch_op.drop_column("full_text")
        batch_op.drop_column("summary")

    with op.batch_alter_table("proposal_responses", schema=None) as batch_op:
        batch_op.drop_column("verdict")
        batch_op.drop_column("text")
        batch_op.drop_column("year")
        batch_op.drop_column("kind")

    with op.batch_alter_table("session_guests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_guests_session_id"))

    op.drop_table("session_guests")
    with op.batch_alter_table("proposal_votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_votes_proposal_id"))

    op.drop_table("proposal_votes")
    with op.batch_alter_table("proposal_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_attachments_proposal_id"))

    op.drop_table("proposal_attachments")
    with op.batch_alter_table("city_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_city_events_city"))

    op.drop_table("city_events")
