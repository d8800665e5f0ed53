"""A mandate's own quotas: bounds that replace the city's for one seat group's draws.

The city's quotas come from its declaration (population weights and tolerance, or
explicit bounds in the seat group). The secretariat may set other bounds for one
mandate, value by value; a value without a row keeps the city's bounds. Rows are
written only through :mod:`kleroterion.services.quotas`, which validates and audits.
"""

from __future__ import annotations

import datetime as dt

from kleroterion.models.base import Base, utcnow
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column


class MandateQuota(Base):
    """The bounds of one value of one feature, for one seat group of one mandate."""

    __tablename__ = "mandate_quotas"
    __table_args__ = (
        UniqueConstraint("mandate_id", "seat_group", "feature", "value"),
        CheckConstraint("min_seats >= 0 AND min_seats <= max_seats", name="bounds"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mandate_id: Mapped[int] = mapped_column(ForeignKey("mandates.id"), index=True)
    seat_group: Mapped[str] = mapped_column(String(64))
    feature: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(String(64))
    min_seats: Mapped[int]
    max_seats: Mapped[int]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
