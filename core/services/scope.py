"""Cities kept apart in one database: every query of a front end sees its city's rows only.

A front end declares the city it serves (the web app per request, the command line
from ``KLEROTERION_CITY``) with ``scoped``. While a scope is set, every ORM query
(``select``, ``session.get``, a lazy load) gets a criterion that keeps the rows of
that city's mandates, and the accounts of that city or of every city; a record of
another city is then "not found" exactly like one that does not exist, whichever
service, page or command asked. This is SQLAlchemy's documented way of adding a
global WHERE criterion (``do_orm_execute`` with ``with_loader_criteria``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from kleroterion.models import (
    ApiToken,
    AssemblySession,
    Attendance,
    BodyMembership,
    Commitment,
    Draw,
    DrawEntry,
    ExtraClaim,
    InvitationDraw,
    Mandate,
    MandatePhase,
    Member,
    MemberEvent,
    Milestone,
    PersonalData,
    Proposal,
    ProposalResponse,
    ProposalTransition,
    Respondent,
    RespondentImport,
    Subject,
    User,
    Workshop,
)
from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

#: The city the current front end serves; None: every city (maintenance, tests).
CITY_SCOPE: ContextVar[str | None] = ContextVar("kleroterion_city_scope", default=None)

#: Rows that carry their mandate's id.
WITH_MANDATE = (
    MandatePhase,
    InvitationDraw,
    RespondentImport,
    Respondent,
    Draw,
    Member,
    BodyMembership,
    AssemblySession,
    Proposal,
    Subject,
    Workshop,
)


def current_scope() -> str | None:
    """The city queries are limited to, or None when they see every city."""
    return CITY_SCOPE.get()


@contextmanager
def scoped(city: str | None) -> Iterator[None]:
    """Limit every query in the block to ``city``'s rows (None: no limit)."""
    token = CITY_SCOPE.set(city)
    try:
        yield
    finally:
        CITY_SCOPE.reset(token)


@functools.lru_cache(maxsize=64)
def _criteria(city: str) -> tuple[Any, ...]:
    """The loader criteria of ``city``: built once per city and reused by every query (the
    options are immutable; building them, 22 subqueries, cost a fifth of a page's time)."""
    # The subqueries select from the tables, not the mapped classes: on a class, the
    # criteria would apply again inside their own subqueries, nesting them (a milestone's
    # query grew to dozens of repeated subqueries, 80 % of the follow-up page's time).
    mandate, member, proposal = Mandate.__table__.c, Member.__table__.c, Proposal.__table__.c
    user, respondent, draw = User.__table__.c, Respondent.__table__.c, Draw.__table__.c
    commitment = Commitment.__table__.c
    mandates = select(mandate.id).where(mandate.city == city)
    members = select(member.id).where(member.mandate_id.in_(mandates))
    proposals = select(proposal.id).where(proposal.mandate_id.in_(mandates))
    users = select(user.id).where((user.city == city) | user.city.is_(None))
    options = [
        with_loader_criteria(Mandate, Mandate.city == city, include_aliases=True),
        with_loader_criteria(User, (User.city == city) | User.city.is_(None), include_aliases=True),
        with_loader_criteria(ApiToken, ApiToken.user_id.in_(users), include_aliases=True),
        with_loader_criteria(
            PersonalData,
            PersonalData.respondent_id.in_(
                select(respondent.id).where(respondent.mandate_id.in_(mandates))
            ),
            include_aliases=True,
        ),
        with_loader_criteria(
            DrawEntry,
            DrawEntry.draw_id.in_(select(draw.id).where(draw.mandate_id.in_(mandates))),
            include_aliases=True,
        ),
        with_loader_criteria(MemberEvent, MemberEvent.member_id.in_(members), include_aliases=True),
        with_loader_criteria(Attendance, Attendance.member_id.in_(members), include_aliases=True),
        with_loader_criteria(ExtraClaim, ExtraClaim.member_id.in_(members), include_aliases=True),
        with_loader_criteria(
            ProposalTransition, ProposalTransition.proposal_id.in_(proposals), include_aliases=True
        ),
        with_loader_criteria(
            ProposalResponse, ProposalResponse.proposal_id.in_(proposals), include_aliases=True
        ),
        with_loader_criteria(
            Commitment, Commitment.proposal_id.in_(proposals), include_aliases=True
        ),
        with_loader_criteria(
            Milestone,
            Milestone.commitment_id.in_(
                select(commitment.id).where(commitment.proposal_id.in_(proposals))
            ),
            include_aliases=True,
        ),
    ]
    options += [
        with_loader_criteria(model, model.mandate_id.in_(mandates), include_aliases=True)
        for model in WITH_MANDATE
    ]
    return tuple(options)


@event.listens_for(Session, "do_orm_execute")
def _keep_to_the_city(state: ORMExecuteState) -> None:
    city = CITY_SCOPE.get()
    if city is None or not state.is_select:
        return
    state.statement = state.statement.options(*_criteria(city))
