"""Replacement draws: a withdrawn member's seat filled by lot, and published as a folder.

The seat is drawn among the respondents left (in the pool or not selected, and not of
a sitting member's household when the city has the household rule). A stratified
group draws it under the group's quotas minus what the members who stay hold: a
one-seat LEXIMIN lottery, published as a lottery folder with its number recorded; when
no one left can meet a minimum, the minima are dropped (the maxima kept) and the
record says so. A uniform group draws it by the uniform rule, published as a uniform
lottery folder. Either folder verifies with ``kleroterion verify``.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kleroterion.city.types import SeatGroup
from kleroterion.models import Draw, Mandate, Member, MemberEvent, Respondent
from kleroterion.models.base import utcnow
from kleroterion.services import audit
from kleroterion.services.context import actor, city_of, get
from kleroterion.services.errors import InvalidInput, NotAllowed
from kleroterion.services.panel import (
    LOTTERY_SIZE,
    compute,
    draw_inputs,
    persist_draw,
    pick_number,
    respondent_pool,
)
from kleroterion.services.panel_folder import (
    folder_name,
    in_quota_order,
    keep_folder,
    lottery_root,
    publish_uniform_folder,
    undo_on_rollback,
    uniform_choice,
)
from kleroterion.services.quotas import quotas_for
from kleroterion.services.recruitment import VOLUNTEERS, seat_group
from kleroterion.sortition import lottery
from kleroterion.sortition.types import Distribution, Pool, Problem, Quota
from sqlalchemy import select
from sqlalchemy.orm import Session


def replace_member(session: Session, member_id: int, on: dt.date, *, seed: int | None = None,
                   public_number: str | None = None, algorithm: str | None = None,
                   root: Path | None = None, engine: Any = None) -> Member:
    """Draw a replacement for a withdrawn member under the quotas left by who still sits.

    The draw's folder is published under ``root`` (default the instance's lottery root);
    ``engine`` computes a stratified seat (default ``kleroterion.sortition``).
    """
    old = get(session, Member, member_id)
    mandate = get(session, Mandate, old.mandate_id)
    if old.status != "withdrawn":
        raise NotAllowed("member %(member)s has not withdrawn; withdraw them first",
                         member=member_id)
    if old.seat_group == VOLUNTEERS:
        raise NotAllowed("open volunteers are not replaced by a draw")
    if session.scalar(select(Member.id).where(Member.replaces_id == old.id)):
        raise NotAllowed("member %(member)s was already replaced", member=member_id)
    if not old.withdrawn_on or on < old.withdrawn_on or on > mandate.ends_on:
        raise InvalidInput("the replacement date %(date)s must fall between the withdrawal "
                           "and the end of mandate %(mandate)s", date=on.isoformat(),
                           mandate=mandate.id)
    group = seat_group(mandate, old.seat_group)
    composition = city_of(mandate).config.composition
    sitting = list(session.scalars(select(Member).where(
        Member.mandate_id == mandate.id, Member.seat_group == group.key,
        Member.status != "withdrawn")))
    homes = {m.respondent.household for m in sitting if m.respondent.household}
    candidates = [
        r for r in session.scalars(select(Respondent).where(
            Respondent.mandate_id == mandate.id, Respondent.seat_group == group.key,
            Respondent.status.in_(("pool", "not_selected"))).order_by(Respondent.id))
        if not (composition.one_per_household and r.household in homes)
    ]
    if not candidates:
        raise InvalidInput("no respondent of seat group %(group)r is left to draw from",
                           group=group.key)
    number = pick_number(seed, public_number)
    quotas: tuple[Quota, ...] | None = None
    relaxed = False
    computed: tuple[Problem, Distribution, list[tuple[int, ...]]] | None = None
    ids: list[str] = []
    published_homes: list[str | None] | None = None
    if group.selection == "stratified":
        algorithm = algorithm or composition.selection_algorithm
        quotas, pool = _reduced(candidates, sitting, old, group,
                                quotas_for(session, mandate, group),
                                composition.one_per_household)
        try:
            problem = in_quota_order(Problem(pool=pool, quotas=quotas, seats=1))
            distribution, panels = compute(problem, algorithm, seed=seed, engine=engine)
        except InvalidInput:
            # No one left matches a minimum the departure opened (the only respondent of a
            # commune withdrew): keep the maxima, drop the minima, and say so in the record.
            relaxed = True
            quotas = tuple(Quota(q.feature, q.value, 0, q.max) for q in quotas)
            problem = in_quota_order(Problem(pool=pool, quotas=quotas, seats=1))
            distribution, panels = compute(problem, algorithm, seed=seed, engine=engine)
        computed = (problem, distribution, panels)
        chosen = list(panels[number % len(panels)])
        probabilities = [float(p) for p in distribution.probabilities]
    else:
        algorithm = "uniform"
        chosen, ids, published_homes = uniform_choice(candidates, 1, number,
                                            composition.one_per_household)
        probabilities = [1 / len(candidates)] * len(candidates)
    inputs = draw_inputs(candidates, group.seats, quotas)
    inputs.update(number=number, replaces=old.id, seats=1, minima_relaxed=relaxed)
    draw = persist_draw(session, mandate, "replacement", group.key, algorithm, seed,
                        public_number, 1, inputs, None, candidates, probabilities, chosen)
    if computed is None:
        publish_uniform_folder(session, draw, root, ids, published_homes, number)
    else:
        _publish_replacement(session, draw, root, number, *computed)
    draw.chosen_at = utcnow()
    respondent = candidates[chosen[0]]
    respondent.status = "selected"
    new = Member(mandate_id=mandate.id, respondent=respondent, seat_group=group.key,
                 source="replacement", status="seated", seated_on=on, draw_id=draw.id,
                 replaces_id=old.id)
    session.add(new)
    new.events.append(MemberEvent(kind="drawn", on=on, reason=f"replaces member {old.id}",
                                  actor=actor(session)))
    old.events.append(MemberEvent(kind="replaced", on=on, actor=actor(session),
                                  reason=f"replacement draw {draw.id}"))
    session.add(new)
    session.flush()
    audit.record(session, "member.replace", "member", new.id, mandate=mandate.id,
                 replaces=old.id, draw=draw.id, algorithm=algorithm, seed=seed,
                 public_number=public_number, respondent=respondent.public_id)
    return new


def _publish_replacement(session: Session, draw: Draw, root: Path | None, number: int,
                         problem: Problem, distribution: Distribution,
                         panels: Sequence[Sequence[int]]) -> None:
    """Publish a stratified replacement's lottery folder, its number recorded at once."""
    folder = (root if root is not None else lottery_root()) / folder_name(draw)
    try:
        published = lottery.publish(
            folder, problem, distribution, seed=draw.seed, m=LOTTERY_SIZE, panels=panels,
            extra={"mandate": draw.mandate_id, "seat_group": draw.seat_group,
                   "draw_id": draw.id, "kind": "replacement"})
        undo_on_rollback(session, lambda: shutil.rmtree(folder, ignore_errors=True))
        drawn = lottery.choose(folder, number).draw
    except (lottery.LotteryError, OSError) as error:
        raise InvalidInput("the lottery folder cannot be written: %(error)s",
                           error=error) from None
    assert drawn is not None
    keep_folder(draw, folder)
    draw.panels_digest = published.digest
    draw.published_at = utcnow()
    inputs = dict(draw.inputs)
    inputs.update(files=published.manifest["files"], m=LOTTERY_SIZE,
                  engine=published.manifest["engine"], list_digest=published.list_digest,
                  panel_number=drawn["panel_number"])
    draw.inputs = inputs


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


