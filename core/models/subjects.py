"""Tables of what a mandate works on: its subjects and its workshops.

A subject (a « thème de travail », Poitiers's yearly « sujet », Brussels's cycle
theme) belongs to one mandate and records where it came from (``origin``: the
assembly's own choice, the executive's work mandate adopted in plenary, a call for
subjects, the previous panel's choice...) and which of the mandate's workshops work
on it. Workshops are the mandate's own: Paris's first promotion had three thematic
workshops, its third an « Exploration » and a « Délibération » workshop; a workshop
may be the instance of one of the bodies the city's configuration declares
(``body_key``). Titles, summaries and labels are plain text per language code.
"""

from __future__ import annotations

import datetime as dt

from kleroterion.models.base import Base
from sqlalchemy import Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

#: Which workshops work on which subject (both of one mandate).
subject_workshops = Table(
    "subject_workshops",
    Base.metadata,
    Column("subject_id", ForeignKey("subjects.id"), primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id"), primary_key=True),
)


class Workshop(Base):
    """A workshop of one mandate, as its members chose it."""

    __tablename__ = "workshops"
    __table_args__ = (UniqueConstraint("mandate_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mandate_id: Mapped[int] = mapped_column(ForeignKey("mandates.id"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    label: Mapped[dict[str, str]] = mapped_column(default=dict)
    purpose: Mapped[dict[str, str]] = mapped_column(default=dict)
    # The body of the city's configuration this workshop is an instance of, if any.
    body_key: Mapped[str] = mapped_column(String(64), default="")

    subjects: Mapped[list[Subject]] = relationship(
        secondary=subject_workshops, back_populates="workshops", order_by="Subject.id"
    )


class Subject(Base):
    """A subject one mandate works on, with its origin and the workshops on it."""

    __tablename__ = "subjects"

    id: Mapped[int] = mapped_column(primary_key=True)
    mandate_id: Mapped[int] = mapped_column(ForeignKey("mandates.id"), index=True)
    title: Mapped[dict[str, str]] = mapped_column(default=dict)
    summary: Mapped[dict[str, str]] = mapped_column(default=dict)
    # assembly | executive | council | call_for_subjects | petition | previous_panel
    origin: Mapped[str] = mapped_column(String(32))
    # How it came, in the city's words (e.g. the plenary that adopted the work mandate).
    origin_note: Mapped[dict[str, str]] = mapped_column(default=dict)
    proposed_on: Mapped[dt.date | None]

    workshops: Mapped[list[Workshop]] = relationship(
        secondary=subject_workshops, back_populates="subjects", order_by="Workshop.id"
    )
