"""Transparent rounding (Flanigan, Kehne, Procaccia, NeurIPS 2021): m equally likely panels.

A LEXIMIN distribution puts irrational-looking weights on its panels; a public lottery needs m
numbered panels of probability 1/m each. We choose integer multiplicities x_P ≥ 0 of the
distribution's panels with Σ x_P = m by an ILP on HiGHS that keeps every respondent's count
Σ_{P∋i} x_P within ⌊m·π_i⌋..⌈m·π_i⌉ (its probability then moves by less than 1/m). Should that
window be impossible, the ILP may step outside it, paying for every unit, but never by more than
seats − 1 (so every probability moves by less than seats/m, the paper's guarantee for pipage
rounding). HiGHS runs single-threaded with a fixed seed, so the result is deterministic; the
list is sorted lexicographically.
"""

from __future__ import annotations

import highspy
import numpy as np
from kleroterion.sortition.leximin import new_highs
from kleroterion.sortition.types import Distribution

__all__ = ["RoundingError", "round_distribution"]


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
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise RoundingError(f"rounding ILP: {h.modelStatusToString(h.getModelStatus())}")
    counts = np.rint(np.array(h.getSolution().col_value[:n_panels])).astype(np.int64)
    result: list[tuple[int, ...]] = []
    for p in sorted(range(n_panels), key=lambda p: panels[p]):
        result.extend([tuple(panels[p])] * int(counts[p]))
    if len(result) != m:
        raise RoundingError(f"rounding produced {len(result)} panels, not {m}")
    return result
