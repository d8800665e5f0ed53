"""Tables of the acts an assembly produces and of what became of them (the follow-up).

A proposal's state only moves through recorded transitions; commitments and their
milestones track the implementation of an adopted act. An act carries its content
(summary and full text per language, who tabled it), the votes on it (the
assembly's, the council's with its reference) and its attachments (files kept in
the instance folder under a safe name); the city's answers are responses, each of
one kind (first, final, yearly, reasons) with an optional verdict kept apart from
implementation progress. Proposals, commitments and milestones carry a version
counter so that two users editing one of them at once cannot silently overwrite
each other.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kleroterion.models.base import Base, utcnow
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship


class Proposal(Base):
    """An act of one of the kinds the city allows, in one state of its lifecycle."""

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    mandate_id: Mapped[int] = mapped_column(ForeignKey("mandates.id"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    # The title in the site's other languages (``{"title": {"en": "..."}}``), the
    # column holding the city's first language's (``services.texts``).
    texts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(64))
    created_on: Mapped[dt.date]
    version: Mapped[int] = mapped_column(default=1)
    # The act's content, by language code ("fr", "nl", "en"): plain text, shown escaped.
    summary: Mapped[dict[str, str]] = mapped_column(default=dict)
    full_text: Mapped[dict[str, str]] = mapped_column(default=dict)
    # Who tables it before its addressee (Paris: the executive, through the deputy mayor).
    tabled_by: Mapped[str] = mapped_column(String(200), default="")
    # The subject of its mandate the act answers, if any (``models.subjects``).
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"), index=True)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    votes: Mapped[list[ProposalVote]] = relationship(
        back_populates="proposal", order_by="ProposalVote.on", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[ProposalAttachment]] = relationship(
        back_populates="proposal", order_by="ProposalAttachment.id", cascade="all, delete-orphan"
    )
    transitions: Mapped[list[ProposalTransition]] = relationship(
        back_populates="proposal", order_by="ProposalTransition.id", cascade="all, delete-orphan"
    )
    responses: Mapped[list[ProposalResponse]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan"
    )
    commitments: Mapped[list[Commitment]] = relationship(
        back_populates="proposal", order_by="Commitment.id", cascade="all, delete-orphan"
    )


class ProposalTransition(Base):
    """One recorded move of a proposal: from, to, when, by which actor, why, entered by whom."""

    __tablename__ = "proposal_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    source: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    # The reason in the site's other languages (``{"reason": {"en": "..."}}``).
    texts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    on: Mapped[dt.date]
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="transitions")


class ProposalResponse(Base):
    """The addressee's answer to one of the city's response deadlines for a proposal."""

    __tablename__ = "proposal_responses"
    __table_args__ = (UniqueConstraint("proposal_id", "deadline_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    deadline_key: Mapped[str] = mapped_column(String(64))
    answered_on: Mapped[dt.date]
    summary: Mapped[str] = mapped_column(Text, default="")
    # The summary in the site's other languages (``{"summary": {"en": "..."}}``).
    texts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # first | final | yearly | reasons; a yearly entry's deadline_key is "yearly-<year>".
    kind: Mapped[str] = mapped_column(String(16), default="first", server_default="first")
    year: Mapped[int | None]
    # The answer's text by language (``summary`` stays the one-line gist).
    text: Mapped[dict[str, str]] = mapped_column(default=dict)
    # retained | partly_retained | not_retained: the city's verdict, not its progress.
    verdict: Mapped[str | None] = mapped_column(String(20))

    proposal: Mapped[Proposal] = relationship(back_populates="responses")


class ProposalVote(Base):
    """A vote on an act: by the assembly, or by the council that decides on it."""

    __tablename__ = "proposal_votes"
    __table_args__ = (UniqueConstraint("proposal_id", "body"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    body: Mapped[str] = mapped_column(String(16))  # assembly | council
    on: Mapped[dt.date]
    votes_for: Mapped[int]
    votes_against: Mapped[int]
    abstentions: Mapped[int]
    # The council's own reference for its decision, e.g. its deliberation number.
    reference: Mapped[str] = mapped_column(String(120), default="")

    proposal: Mapped[Proposal] = relationship(back_populates="votes")


class ProposalAttachment(Base):
    """A file of an act (the text as adopted, a carnet de synthèse), kept in the instance."""

    __tablename__ = "proposal_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # adopted_text | synthesis | other
    title: Mapped[str] = mapped_column(String(300))
    # The title in the site's other languages (``{"title": {"nl": "..."}}``).
    texts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The stored file's name under the instance's attachments folder (safe, unique).
    stored_name: Mapped[str] = mapped_column(String(255), unique=True)
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    digest: Mapped[str] = mapped_column(String(64))
    added_on: Mapped[dt.date]

    proposal: Mapped[Proposal] = relationship(back_populates="attachments")


class Commitment(Base):
    """A measure the city committed to for an adopted act, owned by a department."""

    __tablename__ = "commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    department: Mapped[str] = mapped_column(String(200))
    # Title and department in the site's other languages (``{"department": {"en": ...}}``).
    texts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    responsible: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="planned")
    progress: Mapped[int] = mapped_column(default=0)  # percent
    due_on: Mapped[dt.date | None]
    created_on: Mapped[dt.date]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    proposal: Mapped[Proposal] = relationship(back_populates="commitments")
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="commitment", order_by="Milestone.due_on", cascade="all, delete-orphan"
    )


class Milestone(Base):
    """A dated step of a commitment, done or not."""

    __tablename__ = "milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    # The title in the site's other languages (``{"title": {"en": "..."}}``).
    texts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    due_on: Mapped[dt.date]
    done_on: Mapped[dt.date | None]
    version: Mapped[int] = mapped_column(default=1)

    # Two users marking it done at once: the second write fails instead of overwriting.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    commitment: Mapped[Commitment] = relationship(back_populates="milestones")
