"""Proposals: acts of the kinds the city allows, moved only along the city's transitions.

Every move is a ``ProposalTransition`` row (from, to, date, the actor the city's
lifecycle names, the reason, and who entered it). A move the lifecycle does not
list is refused with the moves it does allow from the current state. Moves made
by the assembly or its secretariat fall within the mandate; the addressee's
(council, government, citizens) may come later. The city's
``on_proposal_transition`` hook, then ``on_proposal_decided`` for a final state,
run after the commit.
"""

from __future__ import annotations

import datetime as dt

from kleroterion.city.types import ProposalKind, ProposalState
from kleroterion.db import queue_event
from kleroterion.models import Commitment, Mandate, Proposal, ProposalTransition
from kleroterion.services import audit
from kleroterion.services.context import (
    actor,
    check_in_mandate,
    check_version,
    city_of,
    conflicts,
    flush,
    get,
)
from kleroterion.services.errors import InvalidInput, NotAllowed
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

#: Actors whose moves happen during the mandate.
INTERNAL_ACTORS = ("assembly", "secretariat")


def proposal_kind(mandate: Mandate, key: str) -> ProposalKind:
    kinds = city_of(mandate).config.proposal_kinds
    for kind in kinds:
        if kind.key == key:
            return kind
    raise InvalidInput(f"{mandate.city} has no proposal kind {key!r}; its kinds: "
                       f"{', '.join(k.key for k in kinds)}")


def state_of(kind: ProposalKind, key: str) -> ProposalState:
    for state in kind.states:
        if state.key == key:
            return state
    raise InvalidInput(f"{kind.key!r} has no state {key!r}")


def create(session: Session, mandate_id: int, kind_key: str, title: str,
           on: dt.date) -> Proposal:
    """Start an act of one of the city's kinds, in the kind's initial state."""
    mandate = get(session, Mandate, mandate_id)
    kind = proposal_kind(mandate, kind_key)
    title = title.strip()
    if not title:
        raise InvalidInput("a proposal needs a title")
    check_in_mandate(mandate, on, "the proposal date")
    if kind.per_mandate is not None:
        count = session.scalar(select(func.count()).select_from(Proposal).where(
            Proposal.mandate_id == mandate.id, Proposal.kind == kind.key)) or 0
        if count >= kind.per_mandate:
            raise NotAllowed(f"a mandate of {mandate.city} produces at most {kind.per_mandate} "
                             f"{kind.key!r}; mandate {mandate.id} has {count}")
    proposal = Proposal(mandate_id=mandate.id, kind=kind.key, title=title, state=kind.initial,
                        created_on=on)
    session.add(proposal)
    session.flush()
    audit.record(session, "proposal.create", "proposal", proposal.id, mandate=mandate.id,
                 kind=kind.key, title=title, state=kind.initial, on=on)
    return proposal


def allowed_moves(session: Session, proposal_id: int) -> list[tuple[str, str]]:
    """The (target, actor) moves the city allows from the proposal's current state."""
    proposal = get(session, Proposal, proposal_id)
    kind = proposal_kind(get(session, Mandate, proposal.mandate_id), proposal.kind)
    return [(t.target, t.actor) for t in kind.transitions if t.source == proposal.state]


@conflicts
def move(session: Session, proposal_id: int, target: str, on: dt.date, *, reason: str = "",
         by: str | None = None, expected_version: int | None = None) -> ProposalTransition:
    """Move a proposal to ``target`` if the city's lifecycle allows it from its state.

    ``by`` is the actor (assembly, council...); when given it must be the one the
    lifecycle names for this move.
    """
    proposal = get(session, Proposal, proposal_id)
    check_version(proposal, expected_version, "proposal")
    mandate = get(session, Mandate, proposal.mandate_id)
    kind = proposal_kind(mandate, proposal.kind)
    moves = [t for t in kind.transitions if t.source == proposal.state]
    match = next((t for t in moves if t.target == target), None)
    if match is None:
        allowed = ", ".join(f"{t.target} (by {t.actor})" for t in moves) or "none: it is final"
        raise NotAllowed(f"a {kind.key!r} cannot go from {proposal.state!r} to {target!r}; "
                         f"allowed from {proposal.state!r}: {allowed}")
    if by is not None and by != match.actor:
        raise NotAllowed(f"the move {proposal.state!r} → {target!r} is made by "
                         f"{match.actor!r}, not {by!r}")
    last = proposal.transitions[-1].on if proposal.transitions else proposal.created_on
    if on < last:
        raise InvalidInput(f"{on.isoformat()} is before the proposal's last step "
                           f"({last.isoformat()})")
    if match.actor in INTERNAL_ACTORS:
        check_in_mandate(mandate, on, "the date of a move by the " + match.actor)
    source = proposal.state
    step = ProposalTransition(source=source, target=target, actor=match.actor,
                              reason=reason.strip(), on=on, recorded_by=actor(session))
    proposal.transitions.append(step)
    proposal.state = target
    flush(session, f"proposal {proposal_id}")
    audit.record(session, "proposal.move", "proposal", proposal.id, source=source,
                 target=target, actor=match.actor, on=on, reason=reason.strip(),
                 version=proposal.version)
    state = state_of(kind, target)
    hook = city_of(mandate).hook
    ident, kind_key = str(proposal.id), kind.key
    queue_event(session, lambda: hook.on_proposal_transition(
        proposal_id=ident, kind=kind_key, source=source, target=target, actor=match.actor))
    if state.final:
        queue_event(session, lambda: hook.on_proposal_decided(
            proposal_id=ident, kind=kind_key, outcome=state.outcome))
    return step


def outcome(session: Session, proposal: Proposal) -> str:
    """The outcome of the proposal's state ("adopted", "rejected"...), "" while open."""
    kind = proposal_kind(get(session, Mandate, proposal.mandate_id), proposal.kind)
    return state_of(kind, proposal.state).outcome


def list_proposals(session: Session, mandate_id: int, *, with_history: bool = False
                   ) -> list[Proposal]:
    """The mandate's acts in order; ``with_history`` loads their transitions, responses,
    commitments and milestones too, in four queries whatever the number of acts (the
    public record and the API read them all; one query per act would grow with them)."""
    get(session, Mandate, mandate_id)
    query = select(Proposal).where(Proposal.mandate_id == mandate_id).order_by(Proposal.id)
    if with_history:
        query = query.options(
            selectinload(Proposal.transitions), selectinload(Proposal.responses),
            selectinload(Proposal.commitments).selectinload(Commitment.milestones))
    return list(session.scalars(query))
