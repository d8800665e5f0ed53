"""Replacement draws: a withdrawn member's seat filled by lot, committed, then drawn.

The seat is drawn among the respondents left (in the pool or not selected, eligible
for the group, and not of a sitting member's household when the city has the household
rule). Like a panel draw it is made in two steps, so that nobody can fit the
candidates to a known number:

*publish* (:func:`start_replacement`): a stratified group's seat is a one-seat LEXIMIN
lottery under the group's quotas minus what the members who stay hold, computed as a
job of the queue (``background=True``: :func:`kleroterion.services.panel.run_draw`, the
same job as a panel draw's) or at once; when no one left can meet a minimum, the minima
are dropped (the maxima kept) and the record says so. A uniform group's candidates are
committed at once as a uniform lottery folder. Either way the draw waits ``published``
with the folder's digest, which covers the candidates, their features, the quotas and
the parameters.

*choose* (:func:`choose_replacement`): the public number, taken after the digest is
published, draws the replacement in the folder and seats them. :func:`replace_member`
keeps the one call of the command line (publish then choose, in one transaction).
Either folder verifies with ``kleroterion verify --digest D --number N``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kleroterion.city.types import SeatGroup
from kleroterion.models import Draw, Mandate, Member, MemberEvent, Respondent
from kleroterion.models.base import utcnow
from kleroterion.services import audit
from kleroterion.services.context import actor, city_of, get
from kleroterion.services.draw_pool import (
    Prepared,
    compute_prepared,
    draw_algorithm,
    draw_inputs,
    eligible,
    parse_number,
    persist_draw,
    pick_number,
    respondent_pool,
)
from kleroterion.services.errors import InvalidInput, NotAllowed
from kleroterion.services.panel import publish_computed
from kleroterion.services.panel_folder import (
    choose_folder,
    in_quota_order,
    lottery_root,
    mark_chosen,
    publish_uniform_folder,
    uniform_candidates,
)
from kleroterion.services.panel_worker import expire_interrupted
from kleroterion.services.privacy import replacement_deadline
from kleroterion.services.quotas import quotas_for
from kleroterion.services.recruitment import VOLUNTEERS, seat_group
from kleroterion.sortition.types import Pool, Problem, Quota
from sqlalchemy import select
from sqlalchemy.orm import Session


def _slot(old: Member) -> str:
    return f"replace:{old.id}"


def _replaceable(session: Session, member_id: int) -> tuple[Member, Mandate, SeatGroup]:
    old = get(session, Member, member_id)
    mandate = get(session, Mandate, old.mandate_id)
    if old.status != "withdrawn":
        raise NotAllowed("member %(member)s has not withdrawn; withdraw them first",
                         member=member_id)
    if old.seat_group == VOLUNTEERS:
        raise NotAllowed("open volunteers are not replaced by a draw")
    if session.scalar(select(Member.id).where(Member.replaces_id == old.id)):
        raise NotAllowed("member %(member)s was already replaced", member=member_id)
    if mandate.status != "open":
        raise NotAllowed("mandate %(mandate)s is closed", mandate=mandate.id)
    return old, mandate, seat_group(mandate, old.seat_group)


def _check_date(old: Member, mandate: Mandate, on: dt.date) -> None:
    if not old.withdrawn_on or on < old.withdrawn_on or on > mandate.ends_on:
        raise InvalidInput("the replacement date %(date)s must fall between the withdrawal "
                           "and the end of mandate %(mandate)s", date=on.isoformat(),
                           mandate=mandate.id)
    deadline = replacement_deadline(mandate)
    if on > deadline:
        raise NotAllowed("%(city)s replaces members until %(deadline)s, %(months)s months "
                         "after the term starts; the seat of member %(member)s stays empty",
                         city=mandate.city, deadline=deadline.isoformat(),
                         months=city_of(mandate).config.mandate.replacement_months,
                         member=old.id)


def _candidates(session: Session, mandate: Mandate, group: SeatGroup,
                on: dt.date | None, member_id: int) -> tuple[list[Member], list[Respondent]]:
    """The members who stay, and the respondents the seat may be drawn among."""
    households = city_of(mandate).config.composition.one_per_household
    sitting = list(session.scalars(select(Member).where(
        Member.mandate_id == mandate.id, Member.seat_group == group.key,
        Member.status != "withdrawn").order_by(Member.id)))
    homes = {m.respondent.household for m in sitting if m.respondent.household}
    left = [
        r for r in session.scalars(select(Respondent).where(
            Respondent.mandate_id == mandate.id, Respondent.seat_group == group.key,
            Respondent.status.in_(("pool", "not_selected"))).order_by(Respondent.id))
        if not (households and r.household in homes)
    ]
    candidates = eligible(mandate, group, left, on)
    if not candidates:
        raise InvalidInput("no respondent of seat group %(group)r is left to draw from",
                           group=group.key)
    purged = [r.personal.purged_at for r in candidates
              if r.personal is not None and r.personal.purged_at is not None]
    if purged:
        # Whoever the draw picks could not be reached: refuse rather than seat a stranger.
        raise NotAllowed("the reserve list of mandate %(mandate)s was purged on %(date)s: "
                         "the people a replacement would be drawn from can no longer be "
                         "contacted, so member %(member)s cannot be replaced",
                         mandate=mandate.id, date=min(purged).date().isoformat(),
                         member=member_id)
    return sitting, candidates


def start_replacement(session: Session, member_id: int, root: Path | None = None, *,
                      seed: int | None = None, algorithm: str | None = None,
                      background: bool = False, engine: Any = None) -> Draw:
    """Open the replacement draw of a withdrawn member and commit it before any number.

    A uniform group's candidates are committed at once. A stratified group's one-seat
    lottery is computed now, or, with ``background``, left ``running`` for a job of the
    queue (:func:`kleroterion.services.panel.run_draw`) to compute and publish. The
    draw then awaits its public number (:func:`choose_replacement`).
    """
    old, mandate, group = _replaceable(session, member_id)
    composition = city_of(mandate).config.composition
    expire_interrupted(session, mandate.id)  # a draw whose worker stopped may start again
    previous = session.scalar(select(Draw).where(Draw.slot == _slot(old)))
    if previous is not None:
        raise NotAllowed("the replacement draw of member %(member)s is already under way "
                         "(draw %(draw)s): it is computed, published or awaits its number",
                         member=old.id, draw=previous.id)
    _, candidates = _candidates(session, mandate, group, old.withdrawn_on, old.id)
    if group.selection == "stratified":
        draw = Draw(mandate_id=mandate.id, kind="replacement", seat_group=group.key,
                    algorithm=draw_algorithm(algorithm, composition.selection_algorithm,
                                             engine),
                    seed=seed,
                    seats=1, final=False, state="running", slot=_slot(old),
                    heartbeat_at=utcnow(), progress_stage="waiting", progress_fraction=0.0,
                    inputs={"replaces": old.id, "seats": 1})
        session.add(draw)
        session.flush()
        audit.record(session, "replacement.start", "draw", draw.id, mandate=mandate.id,
                     replaces=old.id, algorithm=draw.algorithm, seed=seed)
        if not background:
            prepared, distribution, panels = compute_prepared(
                prepare_replacement(session, draw), engine=engine)
            publish_computed(session, prepared, distribution, panels,
                             root if root is not None else lottery_root(), engine=engine)
        return draw
    ids, homes = uniform_candidates(candidates, 1, composition.one_per_household)
    inputs = draw_inputs(candidates, 1, None)
    inputs.update(replaces=old.id, seats=1)
    draw = persist_draw(session, mandate, "replacement", group.key, "uniform", seed, None, 1,
                        inputs, None, candidates, [1 / len(candidates)] * len(candidates), [])
    draw.slot = _slot(old)
    publish_uniform_folder(session, draw, root, ids, homes)
    audit.record(session, "replacement.publish", "draw", draw.id, mandate=mandate.id,
                 replaces=old.id, algorithm="uniform", panels_digest=draw.panels_digest)
    return draw


def prepare_replacement(session: Session, draw: Draw) -> Prepared:
    """The one-seat problem of a running replacement draw, as the engine computes it."""
    old = get(session, Member, int(draw.inputs["replaces"]))
    mandate = get(session, Mandate, draw.mandate_id)
    group = seat_group(mandate, draw.seat_group or "")
    composition = city_of(mandate).config.composition
    sitting, candidates = _candidates(session, mandate, group, old.withdrawn_on, old.id)
    quotas, pool = _reduced(candidates, sitting, old, group,
                            quotas_for(session, mandate, group),
                            composition.one_per_household)
    problem = in_quota_order(Problem(pool=pool, quotas=quotas, seats=1))
    return Prepared(draw.id, problem, tuple(c.id for c in candidates), draw.algorithm,
                    draw.seed, draw.time_limit, relaxable=True)


def choose_replacement(session: Session, draw_id: int, public_number: str | None, on: dt.date,
                       root: Path | None = None, *, number: int | None = None) -> Member:
    """Let the public number draw the replacement in a published draw, and seat them on ``on``."""
    draw = get(session, Draw, draw_id)
    if draw.kind != "replacement":
        raise NotAllowed("draw %(draw)s is not a replacement draw", draw=draw_id)
    if draw.state != "published":
        raise NotAllowed("the replacement draw %(draw)s is not published (still computing, "
                         "failed or already drawn): only a published draw may be drawn by "
                         "its number", draw=draw_id)
    old, mandate, group = _replaceable(session, int(draw.inputs["replaces"]))
    _check_date(old, mandate, on)
    picked = number if number is not None else parse_number(public_number or "")
    drawn = choose_folder(session, draw, root, picked)
    chosen = mark_chosen(session, draw, drawn, picked, public_number)
    entries = sorted(draw.entries, key=lambda e: e.id)
    respondent = get(session, Respondent, entries[chosen[0]].respondent_id)
    if respondent.status not in ("pool", "not_selected"):
        raise InvalidInput("the respondents of draw %(draw)s changed since its lottery was "
                           "published; start a new draw", draw=draw.id)
    respondent.status = "selected"
    new = Member(mandate_id=mandate.id, respondent=respondent, seat_group=group.key,
                 source="replacement", status="seated", seated_on=on, draw_id=draw.id,
                 replaces_id=old.id)
    session.add(new)
    new.events.append(MemberEvent(kind="drawn", on=on, reason=f"replaces member {old.id}",
                                  actor=actor(session)))
    old.events.append(MemberEvent(kind="replaced", on=on, actor=actor(session),
                                  reason=f"replacement draw {draw.id}"))
    session.flush()
    audit.record(session, "member.replace", "member", new.id, mandate=mandate.id,
                 replaces=old.id, draw=draw.id, algorithm=draw.algorithm, seed=draw.seed,
                 public_number=public_number, number=picked, respondent=respondent.public_id)
    return new


def use_public_number(session: Session, member_id: int, public_number: str, on: dt.date,
                      root: Path | None = None) -> Member:
    """Seat the replacement the public number draws from the member's published draw.

    The front ends' one door: refused while no replacement draw of the member is
    published (the number is taken only once the digest is public).
    """
    draw = latest_replacement_draw(session, member_id)
    if draw is None:
        raise NotAllowed("member %(member)s has no published replacement draw yet",
                         member=member_id)
    return choose_replacement(session, draw.id, public_number, on, root)


def replace_member(session: Session, member_id: int, on: dt.date, *, seed: int | None = None,
                   public_number: str | None = None, algorithm: str | None = None,
                   root: Path | None = None, engine: Any = None) -> Member:
    """Draw a replacement for a withdrawn member in one call: publish, then choose.

    The number (the public number, or one drawn from the seed) is given up front; the
    draw is still committed before it is used, writing the folder the two steps would.
    """
    old, mandate, _ = _replaceable(session, member_id)
    _check_date(old, mandate, on)
    number = pick_number(seed, public_number)
    draw = start_replacement(session, member_id, root, seed=seed, algorithm=algorithm,
                             engine=engine)
    return choose_replacement(session, draw.id, public_number, on, root, number=number)


def _reduced(candidates: Sequence[Respondent], sitting: Sequence[Member], old: Member,
             group: SeatGroup, quotas: Sequence[Quota],
             households: bool) -> tuple[tuple[Quota, ...], Pool]:
    """The one-seat problem of a replacement: the quotas minus what the members who stay hold.

    The engine's ``replacement_problem`` makes the reduction when it is installed (one rule
    for every caller); the seat is then drawn by this module's lottery, so that a public
    number can choose it as it chooses a panel.
    """
    try:
        from kleroterion.sortition.replacement import replacement_problem
    except ImportError:
        counts = Counter((f, m.respondent.features.get(f)) for m in sitting
                         for f in group.features)
        reduced = tuple(
            Quota(q.feature, q.value, max(0, q.min - counts[(q.feature, q.value)]),
                  max(0, q.max - counts[(q.feature, q.value)]))
            for q in quotas
        )
        return reduced, respondent_pool(candidates, group.features, households)
    people = [m.respondent for m in sitting] + [old.respondent] + list(candidates)
    whole = Problem(pool=respondent_pool(people, group.features, households), quotas=tuple(quotas),
                    seats=len(sitting) + 1)
    try:
        problem, eligible = replacement_problem(whole, range(len(sitting) + 1), [len(sitting)])
    except Exception as error:  # the engine's InfeasibleQuotas: stayers above a maximum
        detail = "; ".join(line.strip() for line in str(error).splitlines() if line.strip())
        raise InvalidInput("the replacement cannot be drawn: %(detail)s",
                           detail=detail) from None
    offset = len(sitting) + 1
    if eligible != list(range(offset, len(people))):
        # The engine also excluded relatives of members who stay: keep the same candidates.
        raise InvalidInput("the replacement's candidates differ from the engine's; "
                           "check the household rule")
    return problem.quotas, problem.pool




def latest_replacement_draw(session: Session, member_id: int) -> Draw | None:
    """The newest replacement draw of a withdrawn member (a failed one included), or None."""
    member = get(session, Member, member_id)
    found = [draw for draw in session.scalars(select(Draw).where(
        Draw.mandate_id == member.mandate_id, Draw.kind == "replacement",
        Draw.seat_group == member.seat_group).order_by(Draw.id.desc()))
        if (draw.inputs or {}).get("replaces") == member.id]
    return found[0] if found else None
