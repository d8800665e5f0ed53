"""Panel draws and replacement draws, run through the sortition engine and persisted.

A stratified seat group is drawn with the engine's selection distribution
(``kleroterion.sortition.find_distribution``, LEXIMIN by default) rounded to
``m`` equally likely panels (``round_distribution``); the panel is number
``N mod m`` for the public number N, or for a number drawn from the seed. A
uniform group (Poitiers' addresses) is a plain seeded lottery, skipping a second
person of a household already drawn when the city has the household rule.

What is kept: the digests of the respondents and quotas read, the algorithm, the
seed or public number, the digest of the numbered panel list, every candidate's
selection probability and the panel. A replacement draw fills one vacated seat
under the group's quotas minus the members still sitting; when no one left can
meet a minimum, the minima are dropped (the maxima kept) and the record says so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import random
from collections import Counter
from collections.abc import Sequence
from typing import Any

from kleroterion.city.quotas import group_quotas
from kleroterion.city.types import SeatGroup
from kleroterion.models import Draw, DrawEntry, Mandate, Member, MemberEvent, Respondent
from kleroterion.services import audit
from kleroterion.services.audit import canonical
from kleroterion.services.context import actor, city_of, get
from kleroterion.services.errors import InvalidInput, NotAllowed
from kleroterion.services.recruitment import VOLUNTEERS, seat_group
from kleroterion.sortition.types import Pool, Problem, Quota
from sqlalchemy import func, select
from sqlalchemy.orm import Session

#: Panels in the rounded, published list.
LOTTERY_SIZE = 1000


def _engine() -> Any:
    # Looked up at call time: the engine is kleroterion.sortition's public API.
    return importlib.import_module("kleroterion.sortition")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _pick_number(seed: int | None, public_number: str | None) -> int:
    if public_number is not None:
        try:
            number = int(public_number.strip())
        except ValueError:
            raise InvalidInput(f"the public number {public_number!r} is not a whole "
                               "number") from None
        if number < 0:
            raise InvalidInput("the public number must be 0 or more")
        return number
    if seed is None:
        raise InvalidInput("give a seed or a public number for the draw")
    return random.Random(seed).randrange(10**9)


def _pool(candidates: Sequence[Respondent], features: Sequence[str],
          households: bool) -> Pool:
    keys = [c.household for c in candidates] if households else None
    return Pool(
        ids=tuple(c.public_id for c in candidates),
        features=tuple(features),
        values=tuple(tuple(c.features.get(f, "") for f in features) for c in candidates),
        households=_shared(keys) if keys is not None else None,
    )


def _shared(keys: list[str | None]) -> tuple[str | None, ...]:
    counts = Counter(k for k in keys if k)
    return tuple(k if k and counts[k] > 1 else None for k in keys)


def _stratified(problem: Problem, algorithm: str, number: int,
                seed: int | None) -> tuple[list[int], list[float], str]:
    engine = _engine()
    find = getattr(engine, "find_distribution", None)
    round_ = getattr(engine, "round_distribution", None)
    if find is None or round_ is None:
        raise NotAllowed("this installation has no sortition engine "
                         "(kleroterion.sortition.find_distribution)")
    refusals = (ValueError, ArithmeticError, RuntimeError,
                getattr(engine, "InfeasibleQuotas", ValueError))
    try:
        distribution = find(problem, algorithm, seed=seed)
        panels = [tuple(sorted(p)) for p in round_(distribution, m=LOTTERY_SIZE)]
    except refusals as error:  # infeasible quotas (with the smallest relaxation), time out...
        detail = "; ".join(line.strip() for line in str(error).splitlines() if line.strip())
        raise InvalidInput(f"the draw cannot be made: {detail}") from None
    listing = "\n".join(
        f"{k}," + ",".join(problem.pool.ids[i] for i in panel) for k, panel in enumerate(panels)
    )
    chosen = list(panels[number % len(panels)])
    return chosen, [float(p) for p in distribution.probabilities], _sha(listing)


def _uniform(candidates: Sequence[Respondent], seats: int, number: int,
             households: bool, taken_homes: set[str]) -> list[int]:
    order = list(range(len(candidates)))
    random.Random(number).shuffle(order)
    chosen: list[int] = []
    homes = set(taken_homes)
    for index in order:
        home = candidates[index].household
        if households and home and home in homes:
            continue
        chosen.append(index)
        if home:
            homes.add(home)
        if len(chosen) == seats:
            break
    if len(chosen) < seats:
        raise InvalidInput(f"only {len(chosen)} candidates from distinct households for "
                           f"{seats} seats")
    return sorted(chosen)


def _quota_payload(quotas: Sequence[Quota]) -> list[list[object]]:
    return [[q.feature, q.value, q.min, q.max] for q in quotas]


def draw_panel(session: Session, mandate_id: int, group_key: str, on: dt.date, *,
               seed: int | None = None, public_number: str | None = None,
               algorithm: str | None = None,
               quotas: Sequence[Quota] | None = None) -> Draw:
    """Draw the seats of one seat group among its pool and seat the panel drawn."""
    mandate = get(session, Mandate, mandate_id)
    if mandate.status != "open":
        raise NotAllowed(f"mandate {mandate.id} is closed")
    if on > mandate.ends_on:
        raise InvalidInput(f"the draw date {on.isoformat()} is after the end of mandate "
                           f"{mandate.id} ({mandate.ends_on.isoformat()})")
    group = seat_group(mandate, group_key)
    composition = city_of(mandate).config.composition
    previous = session.scalar(select(Draw).where(
        Draw.mandate_id == mandate.id, Draw.kind == "panel", Draw.seat_group == group.key))
    if previous is not None:
        raise NotAllowed(f"seat group {group.key!r} of mandate {mandate.id} was already drawn "
                         f"(draw {previous.id}); replace members with a replacement draw")
    candidates = list(session.scalars(select(Respondent).where(
        Respondent.mandate_id == mandate.id, Respondent.seat_group == group.key,
        Respondent.status == "pool").order_by(Respondent.id)))
    if group.selection == "open":
        chosen, probabilities = list(range(len(candidates))), [1.0] * len(candidates)
        algorithm, listing_digest, number = "open", None, None
    else:
        if len(candidates) < group.seats:
            raise InvalidInput(f"seat group {group.key!r} has {len(candidates)} respondents in "
                               f"its pool for {group.seats} seats")
        number = _pick_number(seed, public_number)
        if group.selection == "uniform":
            algorithm = "uniform"
            chosen = _uniform(candidates, group.seats, number, composition.one_per_household,
                              set())
            probabilities = [group.seats / len(candidates)] * len(candidates)
            listing_digest = None
        else:
            algorithm = algorithm or composition.selection_algorithm
            quotas = tuple(quotas) if quotas is not None else group_quotas(composition, group)
            pool = _pool(candidates, group.features, composition.one_per_household)
            chosen, probabilities, listing_digest = _stratified(
                Problem(pool=pool, quotas=tuple(quotas), seats=group.seats), algorithm, number,
                seed)
    inputs = _inputs(candidates, group, quotas if group.selection == "stratified" else None)
    inputs["number"] = number
    draw = _persist(session, mandate, "panel", group.key, algorithm, seed, public_number,
                    group.seats if group.selection != "open" else len(candidates), inputs,
                    listing_digest, candidates, probabilities, chosen)
    chosen_set = set(chosen)
    for index, respondent in enumerate(candidates):
        respondent.status = "selected" if index in chosen_set else "not_selected"
        if index in chosen_set:
            member = Member(mandate_id=mandate.id, respondent=respondent, seat_group=group.key,
                            source="drawn", status="seated", seated_on=on, draw_id=draw.id)
            session.add(member)
            member.events.append(MemberEvent(kind="drawn", on=on, actor=actor(session)))
    audit.record(session, "panel.draw", "draw", draw.id, mandate=mandate.id,
                 seat_group=group.key, algorithm=algorithm, seed=seed,
                 public_number=public_number, inputs=inputs, panels_digest=listing_digest,
                 panel=[candidates[i].public_id for i in chosen])
    return draw


def _inputs(candidates: Sequence[Respondent], group: SeatGroup,
            quotas: Sequence[Quota] | None) -> dict[str, Any]:
    respondents = canonical([[c.public_id, c.features, c.household] for c in candidates])
    data: dict[str, Any] = {"respondents_digest": _sha(respondents),
                            "respondents": len(candidates), "seats": group.seats}
    if quotas is not None:
        data["quotas_digest"] = _sha(canonical(_quota_payload(quotas)))
        data["quotas"] = _quota_payload(quotas)
    return data


def _persist(session: Session, mandate: Mandate, kind: str, group_key: str | None,
             algorithm: str, seed: int | None, public_number: str | None, seats: int,
             inputs: dict[str, Any], listing_digest: str | None,
             candidates: Sequence[Respondent], probabilities: Sequence[float],
             chosen: Sequence[int], body_key: str | None = None) -> Draw:
    chosen_set = set(chosen)
    draw = Draw(mandate_id=mandate.id, kind=kind, seat_group=group_key, body_key=body_key,
                algorithm=algorithm, seed=seed, public_number=public_number, seats=seats,
                inputs=inputs, panels_digest=listing_digest, final=False)
    draw.entries = [
        DrawEntry(respondent_id=c.id, probability=float(probabilities[i]),
                  selected=i in chosen_set)
        for i, c in enumerate(candidates)
    ]
    session.add(draw)
    session.flush()
    return draw


def finalize_draw(session: Session, draw_id: int) -> Draw:
    """Declare a draw final: its result stands, and unseated respondents may be purged."""
    draw = get(session, Draw, draw_id)
    if draw.final:
        raise NotAllowed(f"draw {draw_id} is already final")
    draw.final = True
    audit.record(session, "draw.finalize", "draw", draw.id)
    return draw


def replace_member(session: Session, member_id: int, on: dt.date, *, seed: int | None = None,
                   public_number: str | None = None, algorithm: str | None = None) -> Member:
    """Draw a replacement for a withdrawn member under the quotas left by who still sits."""
    old = get(session, Member, member_id)
    mandate = get(session, Mandate, old.mandate_id)
    if old.status != "withdrawn":
        raise NotAllowed(f"member {member_id} has not withdrawn; withdraw them first")
    if old.seat_group == VOLUNTEERS:
        raise NotAllowed("open volunteers are not replaced by a draw")
    if session.scalar(select(Member.id).where(Member.replaces_id == old.id)):
        raise NotAllowed(f"member {member_id} was already replaced")
    if not old.withdrawn_on or on < old.withdrawn_on or on > mandate.ends_on:
        raise InvalidInput(f"the replacement date {on.isoformat()} must fall between the "
                           f"withdrawal and the end of mandate {mandate.id}")
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
        raise InvalidInput(f"no respondent of seat group {group.key!r} is left to draw from")
    number = _pick_number(seed, public_number)
    quotas: tuple[Quota, ...] | None = None
    relaxed = False
    if group.selection == "stratified":
        algorithm = algorithm or composition.selection_algorithm
        quotas, pool = _reduced(candidates, sitting, old, group,
                                group_quotas(composition, group), composition.one_per_household)
        try:
            chosen, probabilities, listing = _stratified(
                Problem(pool=pool, quotas=quotas, seats=1), algorithm, number, seed)
        except InvalidInput:
            # No one left matches a minimum the departure opened (the only respondent of a
            # commune withdrew): keep the maxima, drop the minima, and say so in the record.
            relaxed = True
            quotas = tuple(Quota(q.feature, q.value, 0, q.max) for q in quotas)
            chosen, probabilities, listing = _stratified(
                Problem(pool=pool, quotas=quotas, seats=1), algorithm, number, seed)
    else:
        algorithm, listing = "uniform", None
        chosen = _uniform(candidates, 1, number, composition.one_per_household, homes)
        probabilities = [1 / len(candidates)] * len(candidates)
    inputs = _inputs(candidates, group, quotas)
    inputs.update(number=number, replaces=old.id, seats=1, minima_relaxed=relaxed)
    draw = _persist(session, mandate, "replacement", group.key, algorithm, seed, public_number,
                    1, inputs, listing, candidates, probabilities, chosen)
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
        return reduced, _pool(candidates, group.features, households)
    people = [m.respondent for m in sitting] + [old.respondent] + list(candidates)
    whole = Problem(pool=_pool(people, group.features, households), quotas=tuple(quotas),
                    seats=len(sitting) + 1)
    try:
        problem, eligible = replacement_problem(whole, range(len(sitting) + 1), [len(sitting)])
    except Exception as error:  # the engine's InfeasibleQuotas: stayers above a maximum
        detail = "; ".join(line.strip() for line in str(error).splitlines() if line.strip())
        raise InvalidInput(f"the replacement cannot be drawn: {detail}") from None
    offset = len(sitting) + 1
    if eligible != list(range(offset, len(people))):
        # The engine also excluded relatives of members who stay: keep the same candidates.
        raise InvalidInput("the replacement's candidates differ from the engine's; "
                           "check the household rule")
    return problem.quotas, problem.pool


def draws(session: Session, mandate_id: int) -> list[Draw]:
    get(session, Mandate, mandate_id)
    return list(session.scalars(select(Draw).where(Draw.mandate_id == mandate_id)
                                .order_by(Draw.id)))


def entry_summaries(session: Session, mandate_id: int) -> dict[int, tuple[int, float]]:
    """(candidates, smallest selection probability) of each of the mandate's draws, by id.

    One aggregate query: the public record shows these figures, not the candidates, and
    loading every entry of every draw to find them cost more than the page around them.
    """
    rows = session.execute(
        select(DrawEntry.draw_id, func.count(), func.min(DrawEntry.probability))
        .join(Draw, DrawEntry.draw_id == Draw.id)
        .where(Draw.mandate_id == mandate_id)
        .group_by(DrawEntry.draw_id))
    return {draw_id: (count, float(smallest)) for draw_id, count, smallest in rows}
