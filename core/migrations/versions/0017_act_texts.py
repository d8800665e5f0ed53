"""An act's title, its attachments' titles, its commitments' titles and departments and
their milestones' titles in each language of the site.

``proposals.texts``, ``proposal_attachments.texts``, ``commitments.texts`` and
``milestones.texts`` hold those texts in the site's other languages
(``{"title": {"en": "..."}}``); the existing columns keep their text as the city's
first language's, and stay the fallback of a language not written.

Revision ID: 0017_act_texts
Revises: 0016_answer_texts
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_act_texts"
down_revision: str | None = "0016_answer_texts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("proposals", "proposal_attachments", "commitments", "milestones")


def upgrade() -> None:
    # Plain ADD COLUMNs, also on SQLite: a batch copy would drop tables other rows
    # reference.
    for table in TABLES:
        op.add_column(table, sa.Column("texts", sa.JSON(), nullable=False,
                                       server_default="{}"))


def downgrade() -> None:
    for table in reversed(TABLES):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE {table} DROP COLUMN texts")
        else:
            op.drop_column(table, "texts")
