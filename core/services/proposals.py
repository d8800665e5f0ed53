"""Proposals: acts of the kinds the city allows, moved only along the city's transitions.

Every move is a ``ProposalTransition`` row (from, to, date, the actor the city's
lifecycle names, the reason, and who entered it). A move the lifecycle does not
list is refused with the moves it does allow from the current state. Moves made
by the assembly or its secretariat fall within the mandate; the addressee's
(council, government, citizens) may come later. The city's
``transition_rule`` hook may refuse a move or require a justification; the plugins'
``on_transition`` hook, then ``on_decision`` for a final state, run after the commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from kleroterion.city.behaviour import Move, ProposalDecided, ProposalMoved
from kleroterion.city.types import ProposalKind, ProposalState
from kleroterion.messages import N_, Message
from kleroterion.models import Commitment, Mandate, Proposal, ProposalTransition
from kleroterion.services import audit, texts
from kleroterion.services.context import (
    actor,
    check_in_mandate,
    check_version,
    city_of,
    conflicts,
    emit,
    flush,
    get,
)
from kleroterion.services.errors import InvalidInput, NotAllowed
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

#: Actors whose moves happen during the mandate.
INTERNAL_ACTORS = ("assembly", "secretariat")
#: The refusal of a move by each of them dated outside the mandate.
MOVE_DATE = {
    "assembly": N_("the date of a move by the assembly %(date)s is outside mandate %(mandate)s "
                   "(%(start)s to %(end)s)"),
    "secretariat": N_("the date of a move by the secretariat %(date)s is outside mandate "
                      "%(mandate)s (%(start)s to %(end)s)"),
}


def proposal_kind(mandate: Mandate, key: str) -> ProposalKind:
    kinds = city_of(mandate).config.proposal_kinds
    for kind in kinds:
        if kind.key == key:
            return kind
    raise InvalidInput("%(city)s has no proposal kind %(key)r; its kinds: %(known)s",
                       city=mandate.city, key=key, known=", ".join(k.key for k in kinds))


def state_of(kind: ProposalKind, key: str) -> ProposalState:
    for state in kind.states:
        if state.key == key:
            return state
    raise InvalidInput("%(kind)r has no state %(key)r", kind=kind.key, key=key)


TITLE_LIMIT = 300


def titles_of(city_slug: str, title: str, titles: Mapping[str, str] | None
              ) -> dict[str, dict[str, str]]:
    """An act's (or an attachment's) title by language, checked: ``titles`` and, for
    the city's first language when ``titles`` does not give it, ``title``. The first
    language's title may not be empty: it is the one every page falls back to."""
    given = texts.one_field(city_slug, "title", title, titles, TITLE_LIMIT)
    first = texts.first_language(city_slug)
    if not given.get("title", {}).get(first):
        raise InvalidInput("the title in %(language)r is empty: a title in the city's first "
                           "language is required", language=first, field="title")
    return given


def create(session: Session, mandate_id: int, kind_key: str, title: str,
           on: dt.date, *, titles: Mapping[str, str] | None = None,
           summary: dict[str, str] | None = None,
           full_text: dict[str, str] | None = None, tabled_by: str = "",
           tabled_by_texts: Mapping[str, str] | None = None) -> Proposal:
    """Start an act of one of the city's kinds, in the kind's initial state.

    ``titles`` gives the title by language (``title`` is the city's first
    language's). Its summary and full text (by language) and who tables it may be
    given at once (``acts.set_content`` changes them later, checking the act's
    version). ``tabled_by_texts`` gives who tables it by language (``tabled_by`` is
    the city's first language's).
    """
    from kleroterion.services.acts import TABLED_BY_LIMIT, checked_texts

    mandate = get(session, Mandate, mandate_id)
    kind = proposal_kind(mandate, kind_key)
    given = titles_of(mandate.city, title, titles)
    check_in_mandate(mandate, on, N_("the proposal date %(date)s is outside mandate "
                                     "%(mandate)s (%(start)s to %(end)s)"))
    if kind.per_mandate is not None:
        count = session.scalar(select(func.count()).select_from(Proposal).where(
            Proposal.mandate_id == mandate.id, Proposal.kind == kind.key)) or 0
        if count >= kind.per_mandate:
            raise NotAllowed("a mandate of %(city)s produces at most %(maximum)s %(kind)r; "
                             "mandate %(mandate)s has %(count)s", city=mandate.city,
                             maximum=kind.per_mandate, kind=kind.key, mandate=mandate.id,
                             count=count)
    summaries = checked_texts(mandate, summary, "summary") or {}
    full_texts = checked_texts(mandate, full_text, "full_text") or {}
    given.update(texts.one_field(mandate.city, "tabled_by", tabled_by, tabled_by_texts,
                                 TABLED_BY_LIMIT))
    proposal = Proposal(mandate_id=mandate.id, kind=kind.key, title="", state=kind.initial,
                        created_on=on, summary=summaries, full_text=full_texts,
                        tabled_by="", texts={})
    texts.apply(proposal, texts.first_language(mandate.city), given)
    session.add(proposal)
    session.flush()
    audit.record(session, "proposal.create", "proposal", proposal.id, mandate=mandate.id,
                 kind=kind.key, title=proposal.title, texts=given, state=kind.initial, on=on)
    return proposal


def allowed_moves(session: Session, proposal_id: int) -> list[tuple[str, str]]:
    """The (target, actor) moves the city allows from the proposal's current state."""
    proposal = get(session, Proposal, proposal_id)
    kind = proposal_kind(get(session, Mandate, proposal.mandate_id), proposal.kind)
    return [(t.target, t.actor) for t in kind.transitions if t.source == proposal.state]


REASON_LIMIT = 2000


@conflicts
def move(session: Session, proposal_id: int, target: str, on: dt.date, *, reason: str = "",
         reasons: Mapping[str, str] | None = None, by: str | None = None,
         expected_version: int | None = None) -> ProposalTransition:
    """Move a proposal to ``target`` if the city's lifecycle allows it from its state.

    ``reasons`` gives the reason by language (``reason`` is the city's first
    language's).

    ``by`` is the actor (assembly, council...); when given it must be the one the
    lifecycle names for this move.
    """
    proposal = get(session, Proposal, proposal_id)
    check_version(proposal, expected_version)
    mandate = get(session, Mandate, proposal.mandate_id)
    kind = proposal_kind(mandate, proposal.kind)
    given = texts.one_field(mandate.city, "reason", reason, reasons, REASON_LIMIT)
    first = texts.first_language(mandate.city)
    # The justification a city's rule sees: the reason in any language written.
    reason = next((text for text in given.get("reason", {}).values() if text), "")
    moves = [t for t in kind.transitions if t.source == proposal.state]
    match = next((t for t in moves if t.target == target), None)
    if match is None:
        if not moves:
            raise NotAllowed("a %(kind)r cannot go from %(state)r to %(target)r; allowed from "
                             "%(state)r: none: it is final", kind=kind.key,
                             state=proposal.state, target=target)
        raise NotAllowed("a %(kind)r cannot go from %(state)r to %(target)r; allowed from "
                         "%(state)r: %(allowed)s", kind=kind.key, state=proposal.state,
                         target=target, allowed=Message.joined(", ", (
                             Message("%(target)s (by %(actor)s)", target=t.target,
                                     actor=t.actor) for t in moves)))
    if by is not None and by != match.actor:
        raise NotAllowed("the move %(state)r → %(target)r is made by %(actor)r, not %(by)r",
                         state=proposal.state, target=target, actor=match.actor, by=by)
    last = proposal.transitions[-1].on if proposal.transitions else proposal.created_on
    if on < last:
        raise InvalidInput("%(date)s is before the proposal's last step (%(last)s)",
                           date=on.isoformat(), last=last.isoformat())
    if match.actor in INTERNAL_ACTORS:
        check_in_mandate(mandate, on, MOVE_DATE[match.actor])
    city = city_of(mandate)
    rule = city.hook.transition_rule(city=city.config, move=Move(
        proposal=str(proposal.id), kind=kind.key, source=proposal.state, target=target,
        actor=match.actor, on=on, justification=reason.strip()))
    if not rule.allowed:
        raise NotAllowed("the move %(state)r → %(target)r is refused: %(reason)s",
                         state=proposal.state, target=target, reason=rule.reason)
    if "justification" in rule.requires and not reason.strip():
        raise NotAllowed("the move %(state)r → %(target)r needs a justification (the reason "
                         "the act is not retained)", state=proposal.state, target=target)
    source = proposal.state
    step = ProposalTransition(source=source, target=target, actor=match.actor,
                              reason="", on=on, recorded_by=actor(session), texts={})
    texts.apply(step, first, given)
    proposal.transitions.append(step)
    proposal.state = target
    flush(session, proposal)
    audit.record(session, "proposal.move", "proposal", proposal.id, source=source,
                 target=target, actor=match.actor, on=on, reason=step.reason,
                 texts=given, version=proposal.version)
    state = state_of(kind, target)
    city = city_of(mandate)
    emit(session, city, ProposalMoved(city=mandate.city, on=on, mandate=mandate.id,
                                      proposal=str(proposal.id), kind=kind.key, source=source,
                                      target=target, actor=match.actor))
    if state.final:
        emit(session, city, ProposalDecided(city=mandate.city, on=on, mandate=mandate.id,
                                            proposal=str(proposal.id), kind=kind.key,
                                            outcome=state.outcome))
    return step


def outcome(session: Session, proposal: Proposal) -> str:
    """The outcome of the proposal's state ("adopted", "rejected"...), "" while open."""
    kind = proposal_kind(get(session, Mandate, proposal.mandate_id), proposal.kind)
    return state_of(kind, proposal.state).outcome


def list_proposals(session: Session, mandate_id: int, *, with_history: bool = False
                   ) -> list[Proposal]:
    """The mandate's acts in order; ``with_history`` loads their transitions, responses,
    votes, attachments, commitments and milestones too, in six queries whatever the
    number of acts (the
    public record and the API read them all; one query per act would grow with them)."""
    get(session, Mandate, mandate_id)
    return acts_of(session, [mandate_id], with_history=with_history)[mandate_id]


def acts_of(session: Session, mandate_ids: Sequence[int], *, with_history: bool = False
            ) -> dict[int, list[Proposal]]:
    """The acts of several mandates by mandate, each list in order, in one query for
    the acts and one per child table with ``with_history`` (see ``list_proposals``),
    whatever the number of mandates and acts: a public list shows every promotion."""
    found: dict[int, list[Proposal]] = {int(ident): [] for ident in mandate_ids}
    if not found:
        return found
    query = select(Proposal).where(Proposal.mandate_id.in_(list(found))).order_by(Proposal.id)
    if with_history:
        query = query.options(
            selectinload(Proposal.transitions), selectinload(Proposal.responses),
            selectinload(Proposal.votes), selectinload(Proposal.attachments),
            selectinload(Proposal.commitments).selectinload(Commitment.milestones))
    for proposal in session.scalars(query):
        found[proposal.mandate_id].append(proposal)
    return found
