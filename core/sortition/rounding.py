"""Transparent rounding (Flanigan, Kehne, Procaccia, NeurIPS 2021): m equally likely panels.

A LEXIMIN distribution puts irrational-looking weights on its panels; a public lottery needs m
numbered panels of probability 1/m each, such that every respondent's number of panels stays
close to m·π_i.

The rounding works over *types* (``Distribution.groups``: respondents the engine treats as
interchangeable, that is with the same quota values and no household tie; each respondent is
its own type when the distribution says nothing). A type panel is the vector of how many of
each type a panel seats; the type panels are few (a few hundred) where respondent panels can
be tens of thousands, and every structure is sparse: a panel touches at most ``seats`` types.

1. **Type counts.** Integer multiplicities x_P of the type panels, each ⌊m·p_P⌋ or
   ⌈m·p_P⌉ (the range of the paper's dependent rounding), Σ x_P = m, such that every
   member's number of panels stays near m·π: the largest remainders of m·p, then single
   moves of one copy from a panel to another while they lower Σ_t max(0, change_t − 1)²
   (change_t: the largest change of a type-t member's count, members spread evenly). On
   small supports (``ILP_PANELS``) where that leaves someone more than two panels off, the
   paper's ILP over types (HiGHS, seats outside each type's window ⌊τ_t⌋..⌈τ_t⌉ per member,
   and their maximum) improves it; a node budget, not a time limit, bounds branch and bound
   so that ``verify`` re-derives the same list. Everything is deterministic and sparse:
   the first method it used, deficit filling over a dense panels × respondents matrix,
   took 255 s and 385 MB on 3,000/150 and moved someone by 14/m.
2. **Repair with new panels** (:mod:`~kleroterion.sortition.repair`), when the
   distribution carries its problem and someone is still more than ``repair.STOP``
   panels off: one copy of a panel is exchanged for another panel the quotas allow
   (the copy improved by swaps, or the pricing ILP's panel), while that brings the
   respondents furthest off nearer. On pools with five to seven features, where most
   types are single respondents, the distribution's own panels left someone 3.7 to
   4.8 panels off; the repair stops once everyone is within 1.5 (it did on every
   benchmark pool: 1.25 to 1.49) or no exchange helps; ``BOUND``, 2, is the promise
   ``verify`` holds the list to.
3. **Members.** Each copy of a type panel takes its y_Pt members of type t in turn, cyclically
   through the type's members, so a type's members sit in ⌊T_t/s_t⌋ or ⌈T_t/s_t⌉ panels:
   identical respondents differ by at most one panel, and a member's count is within
   1 + 1/s_t of m·π_t whenever T_t is inside its window (for a lone respondent, within 1).

Every panel published has the type counts of a panel of the distribution or of a panel the
repair checked against the quotas, so it meets the quotas and the household rule
(household members are types of their own). The list is sorted
lexicographically. ``round_lottery`` also returns the largest change of any respondent's
probability, for the manifest.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt
from kleroterion.sortition import repair
from kleroterion.sortition.highs import new_instance
from kleroterion.sortition.types import Distribution

__all__ = ["BOUND", "MAX_NODES", "Rounding", "RoundingError", "round_distribution", "round_lottery"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: The rounding's promise, in panels: no respondent's number of the m panels is further than
#: this from m times their probability (``verify`` holds every published list to it), unless
#: the quotas allow no better, which the rounding then reports as its ``max_deviation``.
BOUND = 2.0
#: Branch-and-bound nodes the rounding ILP may explore before keeping its best rounding.
MAX_NODES = 50
#: Single moves (one panel copy to another panel) the start may make before the ILP.
MAX_MOVES = 2000
#: Moves tried per step of the start's local search: the best adds times the best drops.
CANDIDATES = 32
#: Rounds of the local search: the first keeps every panel within ⌊m·p⌋..⌈m·p⌉, the next
#: allow one copy more or fewer (it lowered 300/45's largest change from 1.94 to 1.64/m).
PHASES = 2
SPREAD = 1
#: The ILP runs on distributions of at most this many type panels (it costs seconds to
#: minutes beyond, for a fraction of a panel of improvement).
ILP_PANELS = 150
#: A start that moves no member by more than this many panels is kept without the ILP.
GOOD_ENOUGH = 2.0
#: Round-off can put m·π a hair above an integer: values this close to one are that integer.
SNAP = 1e-7


class RoundingError(RuntimeError):
    """The rounding failed (it should not: the distribution itself is a fractional solution)."""


@dataclass(frozen=True)
class Rounding:
    """The m panels, and how far the rounding moved any respondent's probability.

    ``max_deviation`` is max_i |c_i/m − π_i| (c_i: respondent i's number of panels), in
    probability; ``max_type_spread`` the largest difference of panel counts between two
    respondents of the same type (at most 1).
    """

    panels: list[tuple[int, ...]]
    max_deviation: float
    max_type_spread: int


def round_distribution(
    distribution: Distribution, m: int = 1000, *, seats: int | None = None
) -> list[tuple[int, ...]]:
    """Exactly ``m`` panels (with repetition), each to be drawn with probability 1/m."""
    return round_lottery(distribution, m, seats=seats).panels


def round_lottery(
    distribution: Distribution, m: int = 1000, *, seats: int | None = None
) -> Rounding:
    """``round_distribution``'s panels with the largest change of probability it made."""
    del seats  # the panels themselves say how many seats they have
    if not distribution.panels:
        raise RoundingError("the distribution has no panel")
    n = len(distribution.probabilities)
    groups = _groups(distribution, n)
    type_of = np.empty(n, dtype=np.int64)
    for t, members in enumerate(groups):
        type_of[members] = t
    sizes = np.array([len(g) for g in groups], dtype=np.float64)
    type_panels, weights = _type_panels(distribution, type_of, len(groups))
    # τ_t: the seats type t should hold over the m panels.
    target = m * (weights @ type_panels.astype(np.float64))
    target = np.where(np.abs(target - np.rint(target)) < SNAP * np.maximum(1.0, target),
                      np.rint(target), target)
    counts = _type_counts(type_panels, weights, target, sizes, m)
    if distribution.problem is not None and _member_change(
            type_panels, counts, target, sizes) > repair.STOP:
        model = repair.type_model(distribution.problem, groups)
        if model is not None:
            type_panels, counts = repair.repair(model, type_panels, counts, target)
    panels = _members(type_panels, counts, groups)
    if len(panels) != m:
        raise RoundingError(f"rounding produced {len(panels)} panels, not {m}")
    seats_of = np.zeros(n, dtype=np.int64)
    for panel in panels:
        seats_of[list(panel)] += 1
    prob = np.array(distribution.probabilities, dtype=np.float64)
    deviation = float(np.abs(seats_of / m - prob).max(initial=0.0))
    spread = max((int(np.ptp(seats_of[g])) for g in groups if len(g) > 1), default=0)
    return Rounding(panels=panels, max_deviation=deviation, max_type_spread=spread)


def _groups(distribution: Distribution, n: int) -> list[list[int]]:
    groups = distribution.groups
    if groups is None:
        return [[i] for i in range(n)]
    return [sorted(g) for g in groups]


def _type_panels(
    distribution: Distribution, type_of: IntArray, n_types: int
) -> tuple[IntArray, FloatArray]:
    """The distinct type-count vectors of the panels, with their summed weights, sorted."""
    total = float(sum(distribution.weights))
    merged: dict[bytes, float] = {}
    vectors: dict[bytes, IntArray] = {}
    for panel, weight in zip(distribution.panels, distribution.weights, strict=True):
        vector = np.bincount(type_of[list(panel)], minlength=n_types).astype(np.int64)
        key = vector.tobytes()
        merged[key] = merged.get(key, 0.0) + weight / total
        vectors.setdefault(key, vector)
    # Sorted by the panels' type vectors, largest first: the order never depends on how
    # the distribution listed its panels.
    keys = sorted(merged, key=lambda k: tuple(-vectors[k]))
    return (np.array([vectors[k] for k in keys], dtype=np.int64).reshape(len(keys), n_types),
            np.array([merged[k] for k in keys]))


def _type_counts(
    type_panels: IntArray, weights: FloatArray, target: FloatArray, sizes: FloatArray, m: int
) -> IntArray:
    """Multiplicities of the type panels: Σ = m, each type's seats near its target."""
    start = _start(type_panels, weights, target, sizes, m)
    if (_member_change(type_panels, start, target, sizes) <= GOOD_ENOUGH
            or len(type_panels) > ILP_PANELS):
        return start
    return _ilp(type_panels, target, sizes, m, start, weights)


def _member_change(
    type_panels: IntArray, counts: IntArray, target: FloatArray, sizes: FloatArray
) -> float:
    """The largest change of a member's number of panels (members of a type spread evenly)."""
    share, aim = (counts.astype(np.float64) @ type_panels) / sizes, target / sizes
    return float(np.maximum(np.abs(np.floor(share) - aim),
                            np.abs(np.ceil(share) - aim)).max(initial=0.0))


def _start(
    type_panels: IntArray, weights: FloatArray, target: FloatArray, sizes: FloatArray, m: int
) -> IntArray:
    """Largest remainders of m·p, then single moves of one copy while they help.

    The cost is Σ_t max(0, change_t − 1)², change_t the largest change of a type-t member's
    count. A move takes one copy from panel a to panel b; the best adds and drops are
    found from the sparse entries of the type panels, and the exact change of every pair
    of them decides the move.
    """
    floor, ceil = _bounds(weights, m)
    counts = floor.copy()
    order = np.argsort(-(weights * m - floor), kind="stable")
    counts[order[: m - int(counts.sum())]] += 1
    n_panels = len(type_panels)
    rows, cols = np.nonzero(type_panels)
    vals = type_panels[rows, cols].astype(np.float64)
    seats = counts.astype(np.float64) @ type_panels

    def cost(s: FloatArray, t: IntArray) -> FloatArray:
        # A member's change of count: its type's seats spread over its s_t members give it
        # ⌊T/s⌋ or ⌈T/s⌉ panels against m·π. Changes up to one panel cost nothing.
        share, aim = s / sizes[t], target[t] / sizes[t]
        dev = np.maximum(np.abs(np.floor(share) - aim), np.abs(np.ceil(share) - aim))
        over = np.maximum(dev - 1.0, 0.0)
        return over * over

    for phase in range(PHASES):
        low = np.maximum(floor - phase, 0)
        high = ceil + phase
        for _ in range(MAX_MOVES):
            here = cost(seats[cols], cols)
            gain_add = np.bincount(rows, cost(seats[cols] + vals, cols) - here, minlength=n_panels)
            gain_drop = np.bincount(rows, cost(seats[cols] - vals, cols) - here, minlength=n_panels)
            gain_add = np.where(counts < high, gain_add, np.inf)
            gain_drop = np.where(counts > low, gain_drop, np.inf)
            adds = np.argsort(gain_add, kind="stable")[:CANDIDATES]
            drops = np.argsort(gain_drop, kind="stable")[:CANDIDATES]
            adds = adds[np.isfinite(gain_add[adds])]
            drops = drops[np.isfinite(gain_drop[drops])]
            if len(adds) == 0 or len(drops) == 0:
                break
            # The exact change of every candidate move, over all types (dense but small).
            moved = (seats[None, None, :] - type_panels[drops][:, None, :]
                     + type_panels[adds][None, :, :])
            every = np.arange(len(seats))
            change = cost(moved, every).sum(axis=2) - cost(seats, every).sum()
            change[drops[:, None] == adds[None, :]] = np.inf
            flat = int(np.argmin(change))
            i, j = divmod(flat, len(adds))
            if not change[i, j] < -1e-12:
                break
            a, b = int(drops[i]), int(adds[j])
            counts[a] -= 1
            counts[b] += 1
            seats += type_panels[b] - type_panels[a]
    return counts


def _bounds(weights: FloatArray, m: int) -> tuple[IntArray, IntArray]:
    """Each panel is used ⌊m·p⌋ or ⌈m·p⌉ times (the dependent rounding's range)."""
    exact = weights * m
    floor = np.floor(exact + 1e-9).astype(np.int64)
    ceil = floor + (exact - floor > 1e-9).astype(np.int64)
    return floor, ceil


def _ilp(
    type_panels: IntArray, target: FloatArray, sizes: FloatArray, m: int, start: IntArray,
    start_weights: FloatArray,
) -> IntArray:
    """min W·D + Σ_t (u_t + o_t)/s_t: x integer, Σx = m, ⌊τ_t⌋ ≤ Σ x y_t + u_t − o_t ≤ ⌈τ_t⌉,
    (u_t + o_t)/s_t ≤ D, each x_P within ⌊m·p_P⌋..⌈m·p_P⌉.

    Columns: x (P), u (T), o (T), D; built column-wise, sparse.
    """
    n_panels, n_types = type_panels.shape
    h = new_instance()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("mip_max_nodes", MAX_NODES)
    h.setOptionValue("mip_rel_gap", 0.0)
    lp = highspy.HighsLp()
    n_cols = n_panels + 2 * n_types + 1
    lp.num_col_ = n_cols
    weight = 1.0 / sizes
    lp.col_cost_ = np.concatenate((np.zeros(n_panels), weight, weight, [float(n_types)]))
    floor, ceil = _bounds(start_weights, m)
    lp.col_lower_ = np.concatenate((floor.astype(np.float64), np.zeros(2 * n_types + 1)))
    lp.col_upper_ = np.concatenate((ceil.astype(np.float64), np.full(2 * n_types + 1,
                                                                     highspy.kHighsInf)))
    # Rows: 0 is Σx = m; 1..T the windows; T+1..2T the minimax rows (u + o)/s − D ≤ 0.
    lp.num_row_ = 1 + 2 * n_types
    lp.row_lower_ = np.concatenate(([float(m)], np.floor(target),
                                    np.full(n_types, -highspy.kHighsInf)))
    lp.row_upper_ = np.concatenate(([float(m)], np.ceil(target), np.zeros(n_types)))
    starts, index, value = [0], [], []
    for p in range(n_panels):
        support = np.flatnonzero(type_panels[p])
        index.extend([0, *(1 + support)])
        value.extend([1.0, *type_panels[p, support].astype(np.float64)])
        starts.append(len(index))
    for sign in (1.0, -1.0):
        for t in range(n_types):
            index.extend([1 + t, 1 + n_types + t])
            value.extend([sign, weight[t]])
            starts.append(len(index))
    index.extend(range(1 + n_types, 1 + 2 * n_types))
    value.extend([-1.0] * n_types)
    starts.append(len(index))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(value)
    lp.sense_ = highspy.ObjSense.kMinimize
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n_panels + [
        highspy.HighsVarType.kContinuous] * (2 * n_types + 1)
    h.passModel(lp)
    h.setSolution(n_panels, np.arange(n_panels, dtype=np.int32), start.astype(np.float64))
    h.run()
    status = h.getModelStatus()
    found = h.getInfo().primal_solution_status == 2  # 2: a feasible solution exists
    if not found:
        if status == highspy.HighsModelStatus.kOptimal:  # pragma: no cover - defensive
            raise RoundingError("rounding ILP: optimal without a solution")
        return start
    solution: IntArray = np.rint(np.array(h.getSolution().col_value[:n_panels])).astype(np.int64)
    if int(solution.sum()) != m or np.any(solution < 0):  # pragma: no cover - defensive
        return start
    # Keep the start when the node budget left the ILP with something worse.
    if _member_change(type_panels, solution, target, sizes) <= _member_change(
            type_panels, start, target, sizes):
        return solution
    return start


def _members(
    type_panels: IntArray, counts: IntArray, groups: list[list[int]]
) -> list[tuple[int, ...]]:
    """Respondent panels: each copy takes its members of a type cyclically through the type."""
    cursor = [0] * len(groups)
    out: list[tuple[int, ...]] = []
    for p in range(len(type_panels)):
        support = np.flatnonzero(type_panels[p])
        for _ in range(int(counts[p])):
            chosen: list[int] = []
            for t in support:
                members = groups[t]
                y = int(type_panels[p, t])
                s = len(members)
                c = cursor[t]
                chosen.extend(members[(c + j) % s] for j in range(y))
                cursor[t] = (c + y) % s
            out.append(tuple(sorted(chosen)))
    out.sort()
    return out
