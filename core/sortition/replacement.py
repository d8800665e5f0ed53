"""Replacing members who withdraw, fairly and within the quotas given who stays.

The seated members who stay are fixed in: the quotas are reduced by what they already fill,
the household rule excludes the relatives of anyone who stays, and the vacant seats are drawn
among the respondents never seated by LEXIMIN (or LEGACY) over that reduced problem. The panel
is then drawn from the distribution with a seeded generator, so a replacement is reproducible.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kleroterion.sortition.feasibility import InfeasibleQuotas
from kleroterion.sortition.types import Distribution, Pool, Problem, Quota, QuotaChange

__all__ = ["ReplacementDraw", "draw_replacements", "replacement_problem"]

Solver = Callable[[Problem], Distribution]


@dataclass(frozen=True)
class ReplacementDraw:
    """``replacements`` newly seated; ``panel`` the whole seated panel after the draw (both pool
    indices, sorted); ``distribution`` the one drawn from, in pool indices (0 for anyone who
    could not be drawn)."""

    replacements: tuple[int, ...]
    panel: tuple[int, ...]
    distribution: Distribution


def replacement_problem(
    problem: Problem, seated: Iterable[int], withdrawn: Iterable[int]
) -> tuple[Problem, list[int]]:
    """The reduced problem over eligible respondents, and their pool indices."""
    pool = problem.pool
    seated_set = set(seated)
    gone = set(withdrawn)
    if not gone <= seated_set:
        raise ValueError("only seated members can withdraw")
    stay = sorted(seated_set - gone)
    index = {name: j for j, name in enumerate(pool.features)}
    ties = set()
    if pool.households is not None:
        ties = {pool.households[i] for i in stay if pool.households[i] is not None}
    eligible = [
        i
        for i in range(len(pool))
        if i not in seated_set and not (pool.households is not None and pool.households[i] in ties)
    ]
    quotas: list[Quota] = []
    negative: list[QuotaChange] = []
    for quota in problem.quotas:
        j = index[quota.feature]
        held = sum(1 for i in stay if pool.values[i][j] == quota.value)
        if held > quota.max:
            negative.append(QuotaChange(quota.feature, quota.value, "max", quota.max, held))
        quotas.append(
            Quota(
                quota.feature,
                quota.value,
                max(quota.min - held, 0),
                max(quota.max - held, 0),
                # The flex bounds are absolute: they count the seats that stay too.
                None if quota.min_flex is None else max(quota.min_flex - held, 0),
                None if quota.max_flex is None else max(quota.max_flex - held, 0),
            )
        )
    if negative:
        raise InfeasibleQuotas(negative, ["the members who stay already exceed these maximums"])
    sub_pool = Pool(
        ids=tuple(pool.ids[i] for i in eligible),
        features=pool.features,
        values=tuple(pool.values[i] for i in eligible),
        households=(
            tuple(pool.households[i] for i in eligible) if pool.households is not None else None
        ),
    )
    return Problem(pool=sub_pool, quotas=tuple(quotas), seats=len(gone)), eligible


def draw_replacements(
    problem: Problem,
    seated: Iterable[int],
    withdrawn: Iterable[int],
    *,
    seed: int | None = None,
    algorithm: str = "leximin",
    time_limit: float | None = None,
) -> ReplacementDraw:
    """Draw replacements for ``withdrawn`` (a subset of ``seated``, pool indices)."""
    from kleroterion.sortition import find_distribution

    seated = sorted(set(seated))
    withdrawn = sorted(set(withdrawn))
    sub_problem, eligible = replacement_problem(problem, seated, withdrawn)
    stay = sorted(set(seated) - set(withdrawn))
    if not withdrawn:
        empty = Distribution(algorithm, [()], [1.0], [0.0] * len(problem.pool))
        return ReplacementDraw((), tuple(stay), empty)
    sub = find_distribution(sub_problem, algorithm, time_limit=time_limit, seed=seed)
    panels = [tuple(eligible[i] for i in panel) for panel in sub.panels]
    probabilities = [0.0] * len(problem.pool)
    for i, p in zip(eligible, sub.probabilities, strict=True):
        probabilities[i] = p
    distribution = Distribution(
        algorithm=sub.algorithm,
        panels=panels,
        weights=list(sub.weights),
        probabilities=probabilities,
        optimal=sub.optimal,
        stats=dict(sub.stats),
    )
    rng = random.Random(0 if seed is None else seed)
    chosen = rng.choices(range(len(panels)), weights=distribution.weights)[0]
    replacements = tuple(sorted(panels[chosen]))
    return ReplacementDraw(replacements, tuple(sorted(stay + list(replacements))), distribution)
