"""LEGACY: the greedy stratified draw practitioners used before 2021, kept for comparison.

As described in Flanigan et al., Nature 2021 (Methods): repeatedly take the feature value whose
unmet minimum is most urgent relative to the candidates still holding it, pick one of those
candidates uniformly at random, drop everyone a maximum or the household rule now excludes,
and start again from scratch when the draw gets stuck. Its selection probabilities have no
closed form: they are estimated by running it many times, and the distribution returned is the
empirical one over the distinct panels drawn (so ``optimal`` is always False).
"""

from __future__ import annotations

import random

from kleroterion.sortition.typemodel import QuotaRows
from kleroterion.sortition.types import Distribution, Problem

__all__ = ["legacy", "legacy_panel"]

MAX_RESTARTS = 10_000


class LegacyStuck(RuntimeError):
    """The greedy failed to complete a panel after many restarts."""


def _rows(problem: Problem) -> tuple[list[list[int]], list[int], list[int], list[list[int]]]:
    """For each respondent, the quota rows it counts in; the rows' min and max; and each
    row's respondents."""
    quota_rows = QuotaRows(problem)
    rows = [[r for r in quota_rows.signature(values) if r != quota_rows.dummy]
            for values in problem.pool.values]
    members: list[list[int]] = [[] for _ in range(quota_rows.dummy)]
    for i, rs in enumerate(rows):
        for r in rs:
            members[r].append(i)
    return rows, quota_rows.lo[:-1].tolist(), quota_rows.hi[:-1].tolist(), members


def _attempt(
    problem: Problem,
    rows: list[list[int]],
    lo: list[int],
    hi: list[int],
    members: list[list[int]],
    rng: random.Random,
) -> tuple[int, ...] | None:
    pool = problem.pool
    candidates = set(range(len(pool)))
    count = [0] * len(lo)
    left = [len(m) for m in members]  # candidates still holding each row's value
    chosen: list[int] = []

    def drop(i: int) -> None:
        candidates.discard(i)
        for r in rows[i]:
            left[r] -= 1

    while len(chosen) < problem.seats:
        if not candidates:
            return None
        # The most urgent unmet minimum: needed / still available.
        urgent, ratio = -1, 0.0
        for r in range(len(lo)):
            need = lo[r] - count[r]
            if need > 0:
                if left[r] < need:
                    return None
                if need / left[r] > ratio:
                    urgent, ratio = r, need / left[r]
        if urgent >= 0:
            pick_from = sorted(i for i in members[urgent] if i in candidates)
        else:
            pick_from = sorted(candidates)
        person = rng.choice(pick_from)
        chosen.append(person)
        drop(person)
        for r in rows[person]:
            count[r] += 1
            if count[r] >= hi[r]:
                for i in members[r]:
                    if i in candidates:
                        drop(i)
        if pool.households is not None and pool.households[person] is not None:
            tie = pool.households[person]
            for i in list(candidates):
                if pool.households[i] == tie:
                    drop(i)
    if any(count[r] < lo[r] or count[r] > hi[r] for r in range(len(lo))):
        return None
    return tuple(sorted(chosen))


def legacy_panel(problem: Problem, rng: random.Random) -> tuple[int, ...]:
    """One panel drawn by the greedy (restarting from scratch whenever it gets stuck)."""
    rows, lo, hi, members = _rows(problem)
    for _ in range(MAX_RESTARTS):
        panel = _attempt(problem, rows, lo, hi, members, rng)
        if panel is not None:
            return panel
    raise LegacyStuck(f"LEGACY found no panel in {MAX_RESTARTS} attempts")


def legacy(problem: Problem, *, runs: int = 1000, seed: int | None = None) -> Distribution:
    """LEGACY's empirical distribution over ``runs`` independent draws (reproducible by seed)."""
    rng = random.Random(0 if seed is None else seed)
    rows, lo, hi, members = _rows(problem)
    tally: dict[tuple[int, ...], int] = {}
    restarts = 0
    for _ in range(runs):
        for _attempt_number in range(MAX_RESTARTS):
            panel = _attempt(problem, rows, lo, hi, members, rng)
            if panel is not None:
                break
            restarts += 1
        else:
            raise LegacyStuck(f"LEGACY found no panel in {MAX_RESTARTS} attempts")
        tally[panel] = tally.get(panel, 0) + 1
    panels = sorted(tally)
    weights = [tally[p] / runs for p in panels]
    probabilities = [0.0] * len(problem.pool)
    for panel, weight in zip(panels, weights, strict=True):
        for i in panel:
            probabilities[i] += weight
    return Distribution(
        algorithm="legacy",
        panels=panels,
        weights=weights,
        probabilities=probabilities,
        optimal=False,
        stats={"runs": float(runs), "restarts": float(restarts)},
    )
