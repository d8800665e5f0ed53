"""A session's, a guest's and a city event's prose in each language of the site.

``sessions.texts``, ``session_guests.texts`` and ``city_events.texts`` hold the
place, agenda, minutes, title, organisation or summary in the site's other
languages (``{"place": {"nl": "Stadhuis"}}``); the existing columns keep their text
as the city's first language's, and stay the fallback of a language not written.

Revision ID: 0015_session_texts
Revises: 0014_mandate_labels
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_session_texts"
down_revision: str | None = "0014_mandate_labels"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("sessions", "session_guests", "city_events")


def upgrade() -> None:
    # Plain ADD COLUMNs, also on SQLite: a batch copy would drop tables other rows
    # reference (attendances reference sessions).
    for table in TABLES:
        op.add_column(table, sa.Column("texts", sa.JSON(), nullable=False,
                                       server_default="{}"))


def downgrade() -> None:
    for table in reversed(TABLES):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE {table} DROP COLUMN texts")
        else:
            op.drop_column(table, "texts")
