"""An answer's summary and a proposal's move's reason in each language of the site.

``proposal_responses.texts`` and ``proposal_transitions.texts`` hold the summary
or the reason in the site's other languages (``{"summary": {"en": "..."}}``); the
existing columns keep their text as the city's first language's, and stay the
fallback of a language not written.

Revision ID: 0016_answer_texts
Revises: 0015_session_texts
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_answer_texts"
down_revision: str | None = "0015_session_texts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("proposal_responses", "proposal_transitions")


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
