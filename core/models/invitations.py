"""Invitation letters and their answer codes: one row per letter, no personal data.

The invitees' names and addresses stay in the mail-merge file of their invitation
draw (the secretariat's, outside the database); a letter row keeps only what the
answer needs: the digest of its unguessable code (never the code itself), the
stratum it was drawn in (for answer rates per stratum) and, once answered, the
respondent it became.
"""

from __future__ import annotations

import datetime as dt

from kleroterion.models.base import Base, utcnow
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column


class Invitation(Base):
    """One letter of an invitation draw."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_draw_id: Mapped[int] = mapped_column(ForeignKey("invitation_draws.id"), index=True)
    mandate_id: Mapped[int] = mapped_column(ForeignKey("mandates.id"), index=True)
    seat_group: Mapped[str] = mapped_column(String(64))
    #: Position of the row in the draw's mail-merge file (1 = first data row).
    position: Mapped[int]
    #: SHA-256 of the normalised code: looked up on an answer, never shown.
    code_digest: Mapped[str] = mapped_column(String(64), unique=True)
    stratum: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[dt.datetime | None]
    respondent_id: Mapped[int | None] = mapped_column(ForeignKey("respondents.id"))
