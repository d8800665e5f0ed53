"""A stand-in for the sortition engine's ``find_distribution``/``round_distribution``.

A handful of feasible panels found by an ILP with random objectives, equally likely.
It is not fair (that is the engine's job); it meets the quotas and the household
rule, which is all the lifecycle needs from a draw, in a fraction of LEXIMIN's time.
Tests choose it as an installation chooses an engine: the setting
``KLEROTERION_SORTITION_ENGINE`` set to :data:`SETTING`, or the services' ``engine``
parameter given :data:`ENGINE`; the lottery it computes records its :data:`NAME`.
"""

from __future__ import annotations

import random
from collections import defaultdict

import highspy
from kleroterion.services.engine import SortitionEngine
from kleroterion.sortition import ALGORITHMS
from kleroterion.sortition.types import Distribution, Problem


def find_distribution(problem: Problem, algorithm: str = "leximin", *, seed: int | None = None,
                      **_: object) -> Distribution:
    pool = problem.pool
    rng = random.Random(seed)
    panels: list[tuple[int, ...]] = []
    for _round in range(4):
        h = highspy.Highs()
        h.silent()
        # HiGHS has one thread scheduler per process, fixed by the first run: the engine
        # runs single-threaded, so everything else in the test process must too.
        h.setOptionValue("threads", 1)
        x = h.addBinaries(len(pool))
        h.addConstr(sum(x[i] for i in range(len(pool))) == problem.seats)
        for quota in problem.quotas:
            j = pool.features.index(quota.feature)
            members = [x[i] for i in range(len(pool)) if pool.values[i][j] == quota.value]
            if members:
                h.addConstr(sum(members) >= quota.min)
                h.addConstr(sum(members) <= quota.max)
            elif quota.min > 0:
                raise ValueError(f"{quota.feature}/{quota.value}: no respondent for minimum "
                                 f"{quota.min}")
        homes: dict[str, list[int]] = defaultdict(list)
        for i, home in enumerate(pool.households or ()):
            if home:
                homes[home].append(i)
        for indices in homes.values():
            h.addConstr(sum(x[i] for i in indices) <= 1)
        h.maximize(sum(rng.random() * x[i] for i in range(len(pool))))
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise ValueError("the quotas cannot be met by these respondents")
        panels.append(tuple(i for i in range(len(pool)) if h.val(x[i]) > 0.5))
    weights = [1 / len(panels)] * len(panels)
    probabilities = [sum(w for p, w in zip(panels, weights, strict=True) if i in p)
                     for i in range(len(pool))]
    return Distribution(algorithm, panels, weights, probabilities)


def round_distribution(distribution: Distribution, m: int = 1000) -> list[tuple[int, ...]]:
    return [distribution.panels[k % len(distribution.panels)] for k in range(m)]


#: The name the stand-in's lotteries record (their manifest's ``sortition_engine``).
NAME = "test stand-in (tests.lifecycle.engine_standin)"
#: The stand-in as a sortition engine: it answers every algorithm the real engine has.
ENGINE = SortitionEngine(NAME, find_distribution, round_distribution, tuple(ALGORITHMS),
                         (ValueError,))
#: ``KLEROTERION_SORTITION_ENGINE`` choosing the stand-in.
SETTING = "tests.lifecycle.engine_standin:ENGINE"


def refuse(problem: Problem, algorithm: str = "leximin", **_: object) -> Distribution:
    raise ValueError("the stand-in refuses every draw")


#: An engine that refuses every draw (a build that fails half-way); its setting.
REFUSING = SortitionEngine("refusing stand-in", refuse, round_distribution, tuple(ALGORITHMS),
                           (ValueError,))
REFUSING_SETTING = "tests.lifecycle.engine_standin:REFUSING"
