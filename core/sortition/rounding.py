"""Transparent rounding (Flanigan, Kehne, Procaccia, NeurIPS 2021): m equally likely panels.

A LEXIMIN distribution puts irrational-looking weights on its panels; a public lottery needs m
numbered panels of probability 1/m each: integer multiplicities x_P ≥ 0 of the distribution's
panels with Σ x_P = m, such that every respondent's count Σ_{P∋i} x_P stays close to m·π_i.

Two deterministic methods, so that ``verify`` re-derives the same list:

- for distributions of up to ``ILP_PANELS`` panels, an ILP on HiGHS that keeps every count
  within ⌊m·π_i⌋..⌈m·π_i⌉ (the probability moves by less than 1/m) where it can, paying for
  every unit outside that window, never more than seats − 1 units (so less than seats/m,
  the paper's guarantee); a node budget bounds branch and bound;
- for larger ones, whose ILP root alone can take minutes, *deficit filling*: start from
  ⌊m·p_P⌋ (no count above its target), then add, one at a time, the panel whose members are
  furthest below their targets in total, until there are m. Its result is checked against
  the seats/m bound, and the ILP is the fallback should it ever miss it.

The list is sorted lexicographically.
"""

from __future__ import annotations

import highspy
import numpy as np
from kleroterion.sortition.leximin import new_highs
from kleroterion.sortition.types import Distribution

__all__ = ["ILP_PANELS", "MAX_NODES", "RoundingError", "round_distribution"]

#: Branch-and-bound nodes the rounding ILP may explore before keeping its best rounding.
MAX_NODES = 50
#: Distributions with more panels than this are rounded by deficit filling.
ILP_PANELS = 300


class RoundingError(RuntimeError):
    """The rounding ILP failed (it should not: the distribution itself is a fractional solution)."""


def round_distribution(
    distribution: Distribution, m: int = 1000, *, seats: int | None = None
) -> list[tuple[int, ...]]:
    """Exactly ``m`` panels (with repetition), each to be drawn with probability 1/m."""
    panels = distribution.panels
    if not panels:
        raise RoundingError("the distribution has no panel")
    k = seats if seats is not None else len(panels[0])
    weights = np.array(distribution.weights, dtype=np.float64)
    weights = weights / weights.sum()
    n = len(distribution.probabilities)
    prob = np.zeros(n)
    for panel, weight in zip(panels, weights, strict=True):
        prob[list(panel)] += weight
    target = m * prob
    # Round-off can put m·π a hair above an integer: snap before taking floor/ceil.
    snapped = np.where(np.abs(target - np.rint(target)) < 1e-7, np.rint(target), target)
    floor = np.floor(snapped)
    ceil = np.ceil(snapped)

    counts: np.ndarray | None = None
    if len(panels) > ILP_PANELS:
        counts = _deficit_filling(panels, weights, target, m, n)
        if np.abs(_agent_counts(panels, counts, n) - target).max() >= max(k, 1):
            counts = None
    if counts is None:
        counts = _ilp(panels, weights, floor, ceil, m, n, k)
    result: list[tuple[int, ...]] = []
    for p in sorted(range(len(panels)), key=lambda p: panels[p]):
        result.extend([tuple(panels[p])] * int(counts[p]))
    if len(result) != m:
        raise RoundingError(f"rounding produced {len(result)} panels, not {m}")
    return result


def _agent_counts(panels: list[tuple[int, ...]], counts: np.ndarray, n: int) -> np.ndarray:
    totals = np.zeros(n)
    for panel, count in zip(panels, counts, strict=True):
        if count:
            totals[list(panel)] += count
    return totals


def _deficit_filling(
    panels: list[tuple[int, ...]], weights: np.ndarray, target: np.ndarray, m: int, n: int
) -> np.ndarray:
    """⌊m·p⌋, then the panel whose members lack the most, one at a time, until m panels."""
    counts = np.floor(weights * m + 1e-9).astype(np.int64)
    incidence = np.zeros((len(panels), n), dtype=np.float64)
    for p, panel in enumerate(panels):
        incidence[p, list(panel)] = 1.0
    deficit = target - incidence.T @ counts
    for _ in range(m - int(counts.sum())):
        # argmax takes the first of equal scores: deterministic.
        best = int(np.argmax(incidence @ deficit))
        counts[best] += 1
        deficit -= incidence[best]
    return counts


def _ilp(
    panels: list[tuple[int, ...]],
    weights: np.ndarray,
    floor: np.ndarray,
    ceil: np.ndarray,
    m: int,
    n: int,
    k: int,
) -> np.ndarray:
    """The rounding ILP: counts within the floor/ceil windows where possible."""
    h = new_highs(0)
    n_panels = len(panels)
    # Columns: x_P (integer), then for each respondent the excess below and above the window.
    h.addVars(n_panels, np.zeros(n_panels), np.full(n_panels, float(m)))
    h.changeColsIntegrality(
        n_panels, np.arange(n_panels, dtype=np.int32), np.full(n_panels, 1, dtype=np.uint8)
    )
    slack = float(max(k - 1, 0))
    h.addVars(2 * n, np.zeros(2 * n), np.full(2 * n, slack))
    slack_cols = np.arange(n_panels, n_panels + 2 * n, dtype=np.int32)
    h.changeColsCost(len(slack_cols), slack_cols, np.ones(2 * n))
    h.addRow(float(m), float(m), n_panels, np.arange(n_panels, dtype=np.int32), np.ones(n_panels))
    holders: list[list[int]] = [[] for _ in range(n)]
    for p, panel in enumerate(panels):
        for i in panel:
            holders[i].append(p)
    for i in range(n):
        cols = np.array([*holders[i], n_panels + 2 * i, n_panels + 2 * i + 1], dtype=np.int32)
        values = np.array([1.0] * len(holders[i]) + [1.0, -1.0])
        h.addRow(float(floor[i]), float(ceil[i]), len(cols), cols, values)
    h.changeObjectiveSense(highspy.ObjSense.kMinimize)
    # Warm start: the largest-remainder rounding of m·p meets Σ x = m.
    base = np.floor(weights * m)
    order = np.argsort(-(weights * m - base), kind="stable")
    base[order[: int(m - base.sum())]] += 1
    h.setSolution(n_panels, np.arange(n_panels, dtype=np.int32), base)
    # Proving that no unit of slack is needed can take B&B a very long time on large
    # distributions; a node budget (deterministic, unlike a time limit, so that
    # ``verify`` re-derives the same list) bounds it, and the best rounding found
    # within it is kept: its slack is bounded by the constraints all the same.
    h.setOptionValue("mip_max_nodes", MAX_NODES)
    h.run()
    status = h.getModelStatus()
    found = h.getInfo().primal_solution_status == 2  # 2: a feasible solution exists
    if status != highspy.HighsModelStatus.kOptimal and not (
        status == highspy.HighsModelStatus.kSolutionLimit and found
    ):
        raise RoundingError(f"rounding ILP: {h.modelStatusToString(status)}")
    solution: np.ndarray = np.rint(np.array(h.getSolution().col_value[:n_panels]))
    return solution.astype(np.int64)
