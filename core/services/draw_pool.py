"""What a database draw is made among and computes on, for panels and replacements alike.

- the eligible pool of a seat group (:func:`pool_of`, :func:`eligible`: the city's
  ``seat_group_eligibility`` hook);
- the public number (:func:`parse_number`, :func:`pick_number`);
- the problem the engine computes (:func:`respondent_pool`, :class:`Prepared`) and its
  distribution rounded to the published list (:func:`compute`, :func:`compute_prepared`,
  through the select pipeline of :mod:`kleroterion.services.selection`);
- what is recorded of a draw's candidates (:func:`draw_inputs`, :func:`persist_draw`).

The panel draw's steps live in :mod:`kleroterion.services.panel`, the replacement's in
:mod:`kleroterion.services.replacements`; both use these.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from kleroterion.city.behaviour import Candidate
from kleroterion.city.types import SeatGroup
from kleroterion.models import Draw, DrawEntry, Mandate, Respondent
from kleroterion.services.audit import canonical
from kleroterion.services.context import city_of, get
from kleroterion.services.engine import (
    LEXIMIN,
    EngineSettingError,
    SortitionEngine,
    engine_of,
)
from kleroterion.services.errors import InvalidInput, NotAllowed
from kleroterion.services.panel_worker import DrawRefused
from kleroterion.services.selection import UnknownAlgorithm, algorithm_for, compute_lottery
from kleroterion.sortition.io import shared_households
from kleroterion.sortition.types import Distribution, Pool, Problem, Quota
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

#: Panels in the rounded, published list.
LOTTERY_SIZE = 1000


Progress = Any


def default_engine() -> SortitionEngine:
    """The engine of a draw given none: kleroterion's LEXIMIN (:mod:`.engine`)."""
    return LEXIMIN


def engine_for(engine: object = None) -> SortitionEngine:
    """``engine`` as a :class:`~kleroterion.services.engine.SortitionEngine` (default
    LEXIMIN); NotAllowed when it is no engine (no ``find_distribution`` and
    ``round_distribution``)."""
    try:
        return engine_of(engine if engine is not None else default_engine())
    except EngineSettingError:
        raise NotAllowed("this installation has no sortition engine "
                         "(find_distribution and round_distribution)") from None


def draw_algorithm(requested: str | None, city_default: str, engine: object = None) -> str:
    """The algorithm of a database draw (:func:`~kleroterion.services.selection.algorithm_for`),
    refused with InvalidInput when the engine (default LEXIMIN) does not have the one
    asked for."""
    known = engine_for(engine).algorithms
    try:
        return algorithm_for(requested, city_default, known)
    except UnknownAlgorithm as error:
        raise InvalidInput("unknown algorithm %(algorithm)r; expected one of %(known)s",
                           algorithm=error.algorithm, known=", ".join(error.known)) from None


def sha_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_number(public_number: str) -> int:
    """The public number as an integer ≥ 0, or InvalidInput saying what is accepted."""
    text = str(public_number).strip().replace(" ", "")
    if not text.isdigit():
        raise InvalidInput("the public number %(number)r is not a whole number; give the "
                           "digits of the dice, the lottery or the bailiff (0 or more)",
                           number=str(public_number).strip())
    return int(text)


def pick_number(seed: int | None, public_number: str | None) -> int:
    if public_number is not None:
        return parse_number(public_number)
    if seed is None:
        raise InvalidInput("give a seed or a public number for the draw")
    return random.Random(seed).randrange(10**9)


def respondent_pool(candidates: Sequence[Respondent], features: Sequence[str],
          households: bool) -> Pool:
    # Households renumbered 1, 2... as the lottery's respondents.csv publishes them:
    # the stored key (keyed by the mandate's secret) never leaves the database.
    return Pool(
        ids=tuple(c.public_id for c in candidates),
        features=tuple(features),
        values=tuple(tuple(c.features.get(f, "") for f in features) for c in candidates),
        households=(shared_households(c.household or None for c in candidates)
                    if households else None),
    )


def compute(problem: Problem, algorithm: str, *, seed: int | None = None,
            time_limit: float | None = None, progress: Progress | None = None,
            engine: object = None) -> tuple[Distribution, list[tuple[int, ...]]]:
    """The engine's distribution for ``problem`` and its ``LOTTERY_SIZE`` rounded panels.

    ``engine`` is a :class:`~kleroterion.services.engine.SortitionEngine` or anything
    with ``find_distribution`` and ``round_distribution`` (a test's stand-in, another
    engine); by default LEXIMIN. Raises :class:`DrawRefused` with the engine's lines
    (the smallest relaxation of infeasible quotas) instead of its exception.
    """
    chosen = engine_for(engine)
    refusals: tuple[type[BaseException], ...] = (ValueError, ArithmeticError, RuntimeError,
                                                 *chosen.refusals)
    try:
        return compute_lottery(chosen, problem, algorithm, seed=seed, time_limit=time_limit,
                               m=LOTTERY_SIZE, progress=progress)
    except refusals as error:  # infeasible quotas, a time out...
        raise DrawRefused([line.strip() for line in str(error).splitlines()]) from None


def compute_prepared(prepared: Prepared, *, progress: Progress | None = None,
                     engine: object = None
                     ) -> tuple[Prepared, Distribution, list[tuple[int, ...]]]:
    """:func:`compute` a prepared draw; a replacement whose minima no one left can meet
    is computed again with the minima dropped (the maxima kept), and says so."""
    try:
        return prepared, *compute(prepared.problem, prepared.algorithm, seed=prepared.seed,
                                  time_limit=prepared.time_limit, progress=progress,
                                  engine=engine)
    except InvalidInput:
        if not prepared.relaxable:
            raise
    problem = prepared.problem
    relaxed = replace(prepared, relaxable=False, relaxed=True, problem=replace(
        problem, quotas=tuple(Quota(q.feature, q.value, 0, q.max) for q in problem.quotas)))
    return relaxed, *compute(relaxed.problem, relaxed.algorithm, seed=relaxed.seed,
                             time_limit=relaxed.time_limit, progress=progress, engine=engine)


def quota_payload(quotas: Sequence[Quota]) -> list[list[object]]:
    return [[q.feature, q.value, q.min, q.max] for q in quotas]


def open_mandate(session: Session, mandate_id: int) -> Mandate:
    mandate = get(session, Mandate, mandate_id)
    if mandate.status != "open":
        raise NotAllowed("mandate %(mandate)s is closed", mandate=mandate.id)
    return mandate


def pool_of(session: Session, mandate: Mandate, group: SeatGroup) -> list[Respondent]:
    """The respondents a seat group's draw is made among: in its pool, and eligible.

    Eligibility is the city's ``seat_group_eligibility`` hook, asked for each one with
    their age at the mandate's start (:func:`eligible`).
    """
    return eligible(mandate, group, session.scalars(select(Respondent).where(
        Respondent.mandate_id == mandate.id, Respondent.seat_group == group.key,
        Respondent.status == "pool").options(selectinload(Respondent.personal))
        .order_by(Respondent.id)), mandate.starts_on)


def _age(born: dt.date | None, on: dt.date) -> int | None:
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def eligible(mandate: Mandate, group: SeatGroup, respondents: Iterable[Respondent],
             on: dt.date | None) -> list[Respondent]:
    """The respondents the city's ``seat_group_eligibility`` hook lets sit in ``group``.

    The one place a seat group's eligible respondents are decided, for panel draws
    and replacements alike: the hook is given each one's pseudonymous id, selection
    features and age on ``on`` (when the birth date is known; the mandate's start
    by default), and a non-empty answer leaves them out of the draw.
    """
    city = city_of(mandate)
    day = on or mandate.starts_on
    kept = []
    for respondent in respondents:
        born = respondent.personal.birth_date if respondent.personal is not None else None
        candidate = Candidate(respondent.public_id, _age(born, day), dict(respondent.features))
        if not city.hook.seat_group_eligibility(city=city.config, group=group,
                                                candidate=candidate):
            kept.append(respondent)
    return kept


@dataclass(frozen=True)
class Prepared:
    """What a running draw computes on: the problem, and the respondents in pool order."""

    draw_id: int
    problem: Problem
    respondent_ids: tuple[int, ...]
    algorithm: str
    seed: int | None
    time_limit: float | None
    #: A replacement's minima may be dropped when no one left can meet them.
    relaxable: bool = False
    relaxed: bool = False


def draw_inputs(candidates: Sequence[Respondent], seats: int,
            quotas: Sequence[Quota] | None) -> dict[str, Any]:
    respondents = canonical([[c.public_id, c.features, c.household] for c in candidates])
    data: dict[str, Any] = {"respondents_digest": sha_text(respondents),
                            "respondents": len(candidates), "seats": seats}
    if quotas is not None:
        data["quotas_digest"] = sha_text(canonical(quota_payload(quotas)))
        data["quotas"] = quota_payload(quotas)
    return data


def persist_draw(session: Session, mandate: Mandate, kind: str, group_key: str | None,
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
