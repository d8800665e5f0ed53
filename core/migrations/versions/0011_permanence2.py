"""Permanence, continued: the subjects a mandate works on, with their origin, and its
own workshops (which may differ from one promotion to the next); an act may name the
subject it answers (``proposals.subject_id``, empty for acts written before).

Revision ID: 0011_permanence2
Revises: 0010_production
Create Date: 2026-12-07 14:03:50.240760
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_permanence2"
down_revision: str | None = "0010_production"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "subjects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mandate_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("origin", sa.String(length=32), nullable=False),
        sa.Column("origin_note", sa.JSON(), nullable=False),
        sa.Column("proposed_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["mandate_id"], ["mandates.id"], name=op.f("fk_subjects_mandate_id_mandates")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subjects")),
    )
    with op.batch_alter_table("subjects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subjects_mandate_id"), ["mandate_id"], unique=False)

    op.create_table(
        "workshops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mandate_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("label", sa.JSON(), nullable=False),
        sa.Column("purpose", sa.JSON(), nullable=False),
        sa.Column("body_key", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["mandate_id"], ["mandates.id"], name=op.f("fk_workshops_mandate_id_mandates")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshops")),
        sa.UniqueConstraint("mandate_id", "key", name=op.f("uq_workshops_mandate_id_key")),
    )
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workshops_mandate_id"), ["mandate_id"], unique=False)

    op.create_table(
        "subject_workshops",
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_subject_workshops_subject_id_subjects")
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_subject_workshops_workshop_id_workshops"),
        ),
        sa.PrimaryKeyConstraint("subject_id", "workshop_id", name=op.f("pk_subject_workshops")),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_proposals_subject_id"), ["subject_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_proposals_subject_id_subjects"), "subjects", ["subject_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_proposals_subject_id_subjects"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_proposals_subject_id"))
        batch_op.drop_column("subject_id")

    op.drop_table("subject_workshops")
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshops_mandate_id"))

    op.drop_table("workshops")
    with op.batch_alter_table("subjects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subjects_mandate_id"))

    op.drop_table("subjects")
