"""Exact LEXIMIN panel selection (Flanigan et al., Nature 2021) by column generation on HiGHS.

Respondents with the same quota-relevant values and no household tie are one *type*; the
engine works over types (a panel is a vector of counts per type) and spreads each type's
probability evenly over its members, so identical respondents get equal chances.

The engine first computes the LEXIMIN of the quota polytope's LP relaxation, which takes a few
small LPs, and tries to certify it by writing it as a convex combination of panels
(``decomposition``): when it succeeds, that is the exact LEXIMIN. Otherwise column generation
runs, seeded with the panels found, and is exact in every case. The master LP
(maximise the lowest unfixed level) lives in one ``highspy.Highs`` model to which panels are
added as columns; its duals price new panels, first by cheap local search and an LP relaxation,
and only then by an ILP built once per draw, whose objective alone changes between calls.
See /work/shared/SORTITION.md for the algorithm and where its time goes.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections.abc import Callable, Sequence
from fractions import Fraction

import highspy
import numpy as np
import numpy.typing as npt
from kleroterion.sortition.decomposition import (
    ACCEPT_TOL,
    DUAL_TOL,
    MAX_SLACK,
    SLACK,
    Decomposition,
    RelaxedLevels,
    decompose,
    relaxed_leximin,
)
from kleroterion.sortition.master import (
    Center,
    DualMaster,
    Stats,
    price_columns,
    seed_panels,
)
from kleroterion.sortition.pricing import PRICE_TOL, Pricer, new_highs
from kleroterion.sortition.typemodel import LeximinError, TypeModel, compile_types
from kleroterion.sortition.types import Distribution, Problem

__all__ = [
    "PRICE_TOL",
    "LeximinError",
    "Pricer",
    "TypeModel",
    "compile_types",
    "leximin",
    "new_highs",
]

Progress = Callable[[str, float], None]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

# Two probabilities closer than this are the same level.
LEVEL_TOL = 1e-7
# Fixed types are held at their level minus FIX_SLACK, tightness is a dual above DUAL_TOL:
# the same tolerances as the quota polytope's levels (``decomposition``), so both routes
# fix the same types at the same values.
FIX_SLACK = SLACK
# The engine's own random choices: one stream, whatever seed the caller passes.
ENGINE_SEED = 0
MAX_FIX_SLACK = MAX_SLACK
SEED_PANELS = 12
LOCAL_STARTS = 0

INF = highspy.kHighsInf


# --------------------------------------------------------------------------------------------
# The driver


def _spread(
    model: TypeModel, panels: Sequence[IntArray], weights: Sequence[float]
) -> dict[tuple[int, ...], float]:
    """Turn type panels into respondent panels giving every member of a type the same chance.

    A panel holding y of the s members of a type is split into s equal slices; slice r takes
    the members r, r+1, ..., r+y-1 (cyclically), so each member is in exactly y of them.
    Slicing several types at once uses the union of their cut points.
    """
    out: dict[tuple[int, ...], float] = {}
    for panel, weight in zip(panels, weights, strict=True):
        support = [int(t) for t in np.flatnonzero(panel)]
        split = [t for t in support if panel[t] < model.sizes[t]]
        # Cut points r/s for each distinct size s of a split type (types share sizes).
        points = {Fraction(r, s) for s in {int(model.sizes[t]) for t in split} for r in range(s)}
        cuts = sorted(points | {Fraction(0)})
        cuts.append(Fraction(1))
        for start, end in itertools.pairwise(cuts):
            chosen: list[int] = []
            for t in support:
                members = model.members[t]
                y = int(panel[t])
                if y == len(members):
                    chosen.extend(members)
                    continue
                r = math.floor(start * len(members))
                chosen.extend(members[(r + j) % len(members)] for j in range(y))
            key = tuple(sorted(chosen))
            out[key] = out.get(key, 0.0) + weight * float(end - start)
    return out


class _Monotone:
    """Reports progress in words, never backwards (the certification and the fallback both
    report), at most a few times a second.

    The stage reads like ``leximin: level 3, 41/300 fixed, 57 panels, 12 s`` (respondents
    whose probability is final, panels found, time spent), within the 64 characters the
    back office keeps.
    """

    EVERY = 0.25  # seconds between two reports, unless the fraction jumps

    def __init__(self, progress: Progress | None, started: float) -> None:
        self.progress = progress
        self.started = started
        self.last = 0.0
        self.said = -math.inf

    def __call__(self, what: str, fraction: float, *, panels: int | None = None,
                 force: bool = False) -> None:
        if self.progress is None or fraction < self.last:
            return
        now = time.perf_counter()
        if not force and now - self.said < self.EVERY and fraction < 1.0:
            return
        self.last, self.said = fraction, now
        words = [f"leximin: {what}" if what else "leximin"]
        if panels is not None:
            words.append(f"{panels} panel{'s' if panels != 1 else ''}")
        words.append(f"{now - self.started:.0f} s")
        self.progress(", ".join(words), fraction)


def _through_polytope(
    model: TypeModel, pricer: Pricer, seed: int, deadline: float, progress: _Monotone
) -> tuple[RelaxedLevels | None, Decomposition | None]:
    """The LEXIMIN of the LP relaxation, and how far its decomposition into panels got."""
    relaxed = relaxed_leximin(model, pricer._build(integral=False, seed=seed))
    if relaxed is None:
        return None, None
    bounded = len(relaxed.levels)
    progress(f"certifying {bounded} levels", 0.05, force=True)
    try:
        found = decompose(
            pricer.polytope,
            relaxed.point,
            pricer.face_point,
            pricer.face_panel,
            deadline,
            lambda share, panels: progress(f"certifying {bounded} levels",
                                           0.05 + 0.9 * share, panels=panels),
            pricer.near_panel,
        )
    finally:
        pricer.whole()
    if found.complete and not _reproduces(model, found, relaxed.point):
        found.complete = False
    return relaxed, found


def _reproduces(model: TypeModel, found: Decomposition, point: FloatArray) -> bool:
    """Every panel meets the quotas and the weighted panels give back the point."""
    weights = np.array(found.weights)
    if np.any(weights < -1e-12) or abs(float(weights.sum()) - 1.0) > 1e-9:
        return False
    if not all(model.is_feasible(panel) for panel in found.panels):
        return False
    expected = np.zeros(model.n_types)
    for panel, weight in zip(found.panels, found.weights, strict=True):
        expected += weight * panel
    sizes = model.sizes.astype(np.float64)
    return bool(np.all(np.abs(expected - point) <= ACCEPT_TOL * np.maximum(1.0, sizes)))


def leximin(
    problem: Problem,
    *,
    time_limit: float | None = None,
    progress: Progress | None = None,
    seed: int | None = None,
    max_levels: int | None = None,
    certify: bool = True,
) -> Distribution:
    """The LEXIMIN distribution over panels of ``problem`` (quotas assumed feasible).

    ``max_levels=1`` stops after the first level: its minimum probability is the MAXIMIN
    optimum (a certified run computes every level anyway: they cost little). On
    ``time_limit`` the best distribution found so far is returned with ``optimal=False``.
    ``certify=False`` skips the quota polytope route and runs column generation alone (for
    comparisons); ``stats["certified"]`` is 1 when the polytope route gave the answer.

    ``seed`` is accepted for compatibility and recorded by callers, but the engine's own
    random choices (the objectives that spread the decomposition's panels, HiGHS's seed)
    are fixed: the same input takes the same route and the same time whatever the seed
    (``select`` draws a seed when none is given, and a seed used to decide between one
    minute and ten on tight quotas). The lottery's chance comes from the public number.
    """
    started = time.perf_counter()
    deadline = math.inf if time_limit is None else started + time_limit
    del seed
    seed = ENGINE_SEED
    rng = random.Random(seed)
    model = compile_types(problem)
    stats = Stats()
    pricer = Pricer(model, seed)
    report = _Monotone(progress, started)
    report("types compiled", 0.0, force=True)

    relaxed: RelaxedLevels | None = None
    found: Decomposition | None = None
    if certify and time.perf_counter() < deadline:
        relaxed, found = _through_polytope(model, pricer, seed, deadline, report)
    if relaxed is not None and found is not None:
        stats.extra.update({
            "relaxed_levels": float(len(relaxed.levels)),
            "decomposition_steps": float(found.steps),
            "decomposition_backtracks": float(found.backtracks),
        })
        if found.complete:
            report(f"{len(relaxed.levels)} levels certified", 1.0, panels=len(found.panels),
                   force=True)
            stats.levels = len(relaxed.levels)
            stats.extra["maximin"] = relaxed.levels[0][0]
            stats.extra["certified"] = 1.0
            stats.extra["certified_levels"] = float(len(relaxed.levels))
            stats.extra["certified_respondents"] = float(model.sizes.sum())
            keep = [k for k, w in enumerate(found.weights) if w > 1e-15]
            total = float(sum(found.weights[k] for k in keep))
            return _distribution(
                problem, model, [found.panels[k] for k in keep],
                [found.weights[k] / total for k in keep], True, started, stats, pricer,
                columns=len(found.panels),
            )

    master = DualMaster(model, seed)
    if found is not None:
        for panel in found.panels:
            if model.is_feasible(panel):
                master.add(panel)
    seed_panels(pricer, master, rng)

    optimal = True
    last_fixed = np.zeros(0, dtype=np.int64)
    last_value = 0.0
    slack = FIX_SLACK
    total_agents = float(model.sizes.sum())
    total_count, fixed_count = int(total_agents), 0
    # The panel probabilities of the last master solved: a distribution meeting every level
    # fixed so far (the model itself changes as soon as a level is fixed).
    weights = np.zeros(0)
    while not master.fixed.all():
        if max_levels is not None and stats.levels >= max_levels:
            break
        # Column generation for this level.
        center = Center()
        while True:
            stats.master_solves += 1
            if not master.solve(deadline):
                if time.perf_counter() > deadline:
                    optimal = False
                    break
                # Round-off made the fixed levels contradict each other: loosen the last one.
                if slack >= MAX_FIX_SLACK or len(last_fixed) == 0:
                    raise LeximinError("the master LP is infeasible after relaxing the last level")
                slack *= 10.0
                master.relax(last_fixed, last_value, slack)
                continue
            weights = master.weights()
            prices, bound = master.prices()
            report(f"level {stats.levels + 1}, {fixed_count}/{total_count} fixed",
                   fixed_count / total_agents, panels=len(master.panels))
            if time.perf_counter() > deadline:
                optimal = False
                break
            added, _ = price_columns(pricer, master, prices, bound, stats, center)
            if not added:
                break
        if not optimal:
            break
        value = master.value()
        tight = np.flatnonzero(~master.fixed & (prices * model.sizes > DUAL_TOL))
        if len(tight) == 0:  # pragma: no cover - the unfixed duals sum to one
            tight = np.flatnonzero(~master.fixed)
        master.fix(tight, value, FIX_SLACK)
        stats.levels += 1
        if stats.levels == 1:
            stats.extra["maximin"] = value
        last_fixed, last_value, slack = tight, value, FIX_SLACK
        fixed_count = int(model.sizes[master.fixed].sum())
        report(f"level {stats.levels} done, {fixed_count}/{total_count} fixed",
               fixed_count / total_agents, panels=len(master.panels), force=True)

    weights = np.maximum(weights, 0.0)
    if not (weights > 1e-12).any():
        # Stopped before the first master solve: the panels found, equally likely; marked
        # not optimal, with no level certified.
        weights = np.ones(len(master.panels))
    keep = [k for k in range(len(weights)) if weights[k] > 1e-12]
    total = float(weights[keep].sum())
    # What a time budget leaves certain: the levels fixed and the respondents they hold.
    stats.extra["certified_levels"] = float(stats.levels)
    stats.extra["certified_respondents"] = float(model.sizes[master.fixed].sum())
    return _distribution(
        problem, model, [master.panels[k] for k in keep],
        [float(weights[k]) / total for k in keep],
        optimal and (max_levels is None or bool(master.fixed.all())), started, stats, pricer,
        columns=len(master.panels),
    )


def _distribution(
    problem: Problem,
    model: TypeModel,
    type_panels: list[IntArray],
    type_weights: list[float],
    optimal: bool,
    started: float,
    stats: Stats,
    pricer: Pricer,
    *,
    columns: int,
) -> Distribution:
    """Spread type panels over respondents and report the run."""
    agent = _spread(model, type_panels, type_weights)
    panels = sorted(agent)
    probabilities = [0.0] * len(problem.pool)
    type_prob = np.zeros(model.n_types)
    for panel, weight in zip(type_panels, type_weights, strict=True):
        type_prob += weight * panel / model.sizes
    for t, members in enumerate(model.members):
        for i in members:
            probabilities[i] = float(type_prob[t])
    stats.ilp_calls = pricer.ilp_calls
    stats.lp_calls = pricer.lp_calls
    return Distribution(
        algorithm="leximin",
        panels=panels,
        weights=[agent[p] for p in panels],
        probabilities=probabilities,
        optimal=optimal,
        groups=[list(members) for members in model.members],
        problem=problem,
        stats={
            "seconds": time.perf_counter() - started,
            "types": float(model.n_types),
            "levels": float(stats.levels),
            "columns": float(columns),
            "ilp_calls": float(stats.ilp_calls),
            "lp_calls": float(stats.lp_calls),
            "local_columns": float(stats.local_columns),
            "relaxation_columns": float(stats.relaxation_columns),
            "ilp_columns": float(stats.ilp_columns),
            "master_solves": float(stats.master_solves),
            **stats.extra,
        },
    )
