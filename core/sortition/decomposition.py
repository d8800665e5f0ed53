"""LEXIMIN through the quota polytope: small LPs for the levels, then a certified decomposition.

The expected type counts of any distribution over panels lie in Q, the convex hull of the
integer panels. Q sits inside R, the *quota polytope* ``{x : 0 ≤ x ≤ sizes, quotas, Σx = seats,
households ≤ 1}``, whose LPs are tiny (one column per type). The LEXIMIN point of R therefore
bounds the LEXIMIN of Q level by level, and it costs a handful of LPs of a few milliseconds.
When that point x is also in Q, it *is* the LEXIMIN of Q (a convex set has one leximin point),
and writing x as a convex combination of panels proves it and gives the distribution.

The decomposition walks down the faces of R (Carathéodory): find an integer panel v on the
smallest face holding x (the LP vertex when it is integral, else the ILP over the face), write
x = λv + (1-λ)x' with x' pushed from v to the face's boundary, and go on from x', one dimension
lower each time. The walk can leave Q where R has fractional corners (x' outside Q although x
was inside); it then backs up a few steps and finishes that smaller face by column generation
(a phase-one LP over the face's panels), which either decomposes the point or proves that it
is outside Q. Whatever is not certified is left to the column generation of ``leximin``, which
is exact in every case; the panels found here seed it.

Column generation alone spends almost all its time re-solving a dense master LP (hundreds of
re-solves, each a few hundred pivots on a basis as wide as the number of types): the Paris-like
pool took 70 s that way, and 6 s here. See /work/shared/SORTITION.md.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import highspy
import numpy as np
import numpy.typing as npt
from kleroterion.sortition.highs import new_instance

if TYPE_CHECKING:
    from kleroterion.sortition.typemodel import TypeModel

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

INF = highspy.kHighsInf
# Coordinates and rows closer than this (times the bound's size) to a bound are on it.
FACE_TOL = 1e-9
# A leximin level's type is tight when its dual (scaled by its size) exceeds this.
DUAL_TOL = 1e-9
# Fixed levels are held at their value minus this slack; it grows tenfold when round-off
# makes the next LP infeasible, up to MAX_SLACK.
SLACK = 1e-9
MAX_SLACK = 1e-6
# A decomposition is accepted when it reproduces the point to this, per type and size.
ACCEPT_TOL = 1e-7
# A phase-one LP whose infeasibility is below this has decomposed its point.
PHASE_ONE_TOL = 1e-9
# The walk backs up 1, 2, 4... steps, at most this many, then once to its start (phase one on
# the whole point, seeded with every panel the walk found).
MAX_BACKUP = 64


class Polytope:
    """The quota polytope R of a type model, as dense rows with their bounds.

    Rows are the quota rows, the seats row, then one row per household, in the order of the
    pricing models of ``leximin.Pricer`` (so the same row bounds can be set on them).
    """

    def __init__(self, model: TypeModel) -> None:
        n = model.n_types
        rows = [model.quota_matrix(), np.ones((1, n))]
        lower = [model.lo[:-1].astype(np.float64), np.array([float(model.problem.seats)])]
        upper = [model.hi[:-1].astype(np.float64), np.array([float(model.problem.seats)])]
        for types in model.households:
            row = np.zeros((1, n))
            row[0, types] = 1.0
            rows.append(row)
            lower.append(np.array([-INF]))
            upper.append(np.array([1.0]))
        self.matrix: FloatArray = np.vstack(rows)
        self.lower: FloatArray = np.concatenate(lower)
        self.upper: FloatArray = np.concatenate(upper)
        self.sizes: FloatArray = model.sizes.astype(np.float64)

    def face(self, x: FloatArray) -> Face:
        """The smallest face of R that holds x: the bounds and rows x meets with equality."""
        col_tol = FACE_TOL * np.maximum(1.0, self.sizes)
        at_zero = x <= col_tol
        at_size = x >= self.sizes - col_tol
        ax = self.matrix @ x
        row_tol = FACE_TOL * np.maximum(1.0, np.abs(np.where(np.isfinite(self.lower),
                                                             self.lower, 0.0)))
        at_lower = np.isfinite(self.lower) & (ax <= self.lower + row_tol)
        at_upper = ax >= self.upper - FACE_TOL * np.maximum(1.0, np.abs(self.upper))
        return Face(at_zero=at_zero, at_size=at_size, at_lower=at_lower, at_upper=at_upper)

    def step(self, x: FloatArray, v: FloatArray, face: Face) -> float:
        """How far x may move away from v (x + μ(x - v)) and stay in R; inf when x is v."""
        d = x - v
        mu = math.inf
        free = ~(face.at_zero | face.at_size)
        up, down = free & (d > 1e-12), free & (d < -1e-12)
        if up.any():
            mu = min(mu, float(np.min(np.maximum(self.sizes[up] - x[up], 0.0) / d[up])))
        if down.any():
            mu = min(mu, float(np.min(np.maximum(x[down], 0.0) / -d[down])))
        ax, ad = self.matrix @ x, self.matrix @ d
        loose = ~(face.at_lower | face.at_upper)
        up, down = loose & (ad > 1e-12), loose & (ad < -1e-12) & np.isfinite(self.lower)
        if up.any():
            mu = min(mu, float(np.min(np.maximum(self.upper[up] - ax[up], 0.0) / ad[up])))
        if down.any():
            mu = min(mu, float(np.min(np.maximum(ax[down] - self.lower[down], 0.0)
                                      / -ad[down])))
        return mu


@dataclass(frozen=True)
class Face:
    """Which bounds of R a point meets: its face is R with those made equalities."""

    at_zero: BoolArray
    at_size: BoolArray
    at_lower: BoolArray
    at_upper: BoolArray

    @property
    def free(self) -> BoolArray:
        return ~(self.at_zero | self.at_size)

    def restrict(self, h: highspy.Highs, polytope: Polytope) -> None:
        """Make the model ``h`` (over R, as built by ``Pricer``) range over this face only."""
        n = len(self.at_zero)
        cols = np.arange(n, dtype=np.int32)
        h.changeColsBounds(n, cols, np.where(self.at_size, polytope.sizes, 0.0),
                           np.where(self.at_zero, 0.0, polytope.sizes))
        m = len(polytope.lower)
        rows = np.arange(m, dtype=np.int32)
        # highspy binds changeRowsBounds, but its type stubs omit it.
        h.changeRowsBounds(  # type: ignore[attr-defined]
            m, rows, np.where(self.at_upper, polytope.upper, polytope.lower),
            np.where(self.at_lower, polytope.lower, polytope.upper))

    @staticmethod
    def whole(polytope: Polytope) -> Face:
        n, m = len(polytope.sizes), len(polytope.lower)
        no_col, no_row = np.zeros(n, dtype=bool), np.zeros(m, dtype=bool)
        return Face(at_zero=no_col, at_size=no_col, at_lower=no_row, at_upper=no_row)


# --------------------------------------------------------------------------------------------
# LEXIMIN over R


@dataclass
class RelaxedLevels:
    """The LEXIMIN point of R and its levels (value, and the types fixed at it)."""

    point: FloatArray
    levels: list[tuple[float, IntArray]]


def relaxed_leximin(model: TypeModel, base: highspy.Highs) -> RelaxedLevels | None:
    """LEXIMIN over R by one LP per level; None when round-off defeats the safeguards.

    ``base`` is an LP over R (the pricing relaxation, objective and bounds free to change);
    it gains the level column z and one row per type, x_t - s_t z ≥ 0, and is left so.
    """
    n = model.n_types
    sizes = model.sizes.astype(np.float64)
    h = base
    first_row = h.getNumRow()
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    # Level values come from simplex vertices: an interior point could overstate a level.
    h.setOptionValue("solver", "simplex")
    # The point must lie in R to better than the decomposition's acceptance (1e-7): HiGHS's
    # default feasibility tolerance (1e-7) left it that far outside, and the decomposition
    # then failed on points of Q.
    h.setOptionValue("primal_feasibility_tolerance", 1e-9)
    h.addCol(1.0, -INF, INF, 0, np.zeros(0, dtype=np.int32), np.zeros(0))
    starts = np.arange(0, 2 * n, 2, dtype=np.int32)
    index = np.empty(2 * n, dtype=np.int32)
    index[0::2] = np.arange(n)
    index[1::2] = n
    value = np.empty(2 * n)
    value[0::2] = 1.0
    value[1::2] = -sizes
    h.addRows(n, np.zeros(n), np.full(n, INF), 2 * n, starts, index, value)
    fixed = np.zeros(n, dtype=bool)
    levels: list[tuple[float, IntArray]] = []
    last: tuple[float, IntArray] | None = None
    slack = SLACK
    while not fixed.all():
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            # A warm start from the previous level's basis can end in a false verdict
            # ("infeasible" where a cold solve finds the optimum): start afresh first.
            h.clearSolver()
            h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            if last is None or slack >= MAX_SLACK:
                return None
            slack *= 10.0
            _hold(h, first_row, sizes, last[1], last[0], slack)
            continue
        z = float(h.getInfo().objective_function_value)
        duals = np.abs(np.array(h.getSolution().row_dual[first_row:first_row + n]))
        tight = np.flatnonzero(~fixed & (duals * sizes > DUAL_TOL))
        if len(tight) == 0:
            return None
        for t in tight:
            h.changeCoeff(first_row + int(t), n, 0.0)
        _hold(h, first_row, sizes, tight, z, SLACK)
        fixed[tight] = True
        levels.append((z, tight))
        last, slack = (z, tight), SLACK
    point = np.array(h.getSolution().col_value[:n], dtype=np.float64)
    return RelaxedLevels(point=np.clip(point, 0.0, sizes), levels=levels)


def _hold(h: highspy.Highs, first_row: int, sizes: FloatArray, types: IntArray, value: float,
          slack: float) -> None:
    rows = (first_row + types).astype(np.int32)
    h.changeRowsBounds(  # type: ignore[attr-defined]  # bound, missing from the stubs
        len(rows), rows, sizes[types] * (value - slack), np.full(len(rows), INF))


# --------------------------------------------------------------------------------------------
# Decomposition into panels


#: ``face_panel(face, objective)``: a panel of the face of highest objective (exact: the LP
#: vertex when it is integral, else the ILP), None when the face holds no panel.
FacePanel = Callable[[Face, FloatArray], "IntArray | None"]
#: ``quick(face, objective, start)``: a panel of the face near ``start`` with a higher
#: objective, found cheaply (local search), or None; never used to prove anything.
QuickPanel = Callable[[Face, FloatArray, IntArray], "IntArray | None"]


@dataclass
class Decomposition:
    """Panels (type counts) and their weights; ``complete`` when they sum back to the point."""

    panels: list[IntArray]
    weights: list[float]
    complete: bool
    steps: int = 0
    ilp_calls: int = 0
    backtracks: int = 0


def decompose(
    polytope: Polytope,
    point: FloatArray,
    face_point: Callable[[Face], IntArray | None],
    face_panel: FacePanel,
    deadline: float,
    progress: Callable[[float, int], None] | None = None,
    quick: QuickPanel | None = None,
) -> Decomposition:
    """Write ``point`` as a convex combination of panels, or say how far it got.

    ``face_point(face)`` gives some panel of a face (None when it holds none); the walk
    steps with it. ``face_panel`` (exact) serves the phase-one LP when the walk backs up.
    """
    x = point.copy()
    remaining = 1.0
    panels: list[IntArray] = []
    weights: list[float] = []
    history: list[tuple[FloatArray, float, Face]] = []  # (x, remaining, face) before each step
    dimension = len(point) + 1
    steps = 0
    while True:
        if time.perf_counter() > deadline:
            return Decomposition(panels, weights, complete=False, steps=steps)
        rounded = np.rint(x)
        if np.all(np.abs(x - rounded) <= ACCEPT_TOL * np.maximum(1.0, polytope.sizes)):
            panels.append(rounded.astype(np.int64))
            weights.append(remaining)
            return Decomposition(panels, weights, complete=True, steps=steps)
        face = polytope.face(x)
        v = face_point(face) if steps <= 2 * dimension else None
        if v is None:
            # The walk left Q (or never was in it): back up and finish by column generation.
            done = _finish(polytope, history, panels, weights, face_panel, deadline, quick)
            done.steps = steps
            return done
        history.append((x.copy(), remaining, face))
        steps += 1
        mu = polytope.step(x, v.astype(np.float64), face)
        if not math.isfinite(mu):
            panels.append(v)
            weights.append(remaining)
            return Decomposition(panels, weights, complete=True, steps=steps)
        share = mu / (1.0 + mu)
        panels.append(v)
        weights.append(remaining * share)
        remaining *= 1.0 - share
        x = np.clip(x + mu * (x - v), 0.0, polytope.sizes)
        if progress is not None:
            progress(1.0 - remaining, len(panels))


def _finish(
    polytope: Polytope,
    history: list[tuple[FloatArray, float, Face]],
    panels: list[IntArray],
    weights: list[float],
    face_panel: FacePanel,
    deadline: float,
    quick: QuickPanel | None = None,
) -> Decomposition:
    """Back up 1, 2, 4... steps and decompose that point over its face by phase one."""
    reach = min(len(history), MAX_BACKUP)
    backups = [2**i for i in range(reach.bit_length())]
    if history and len(history) not in backups:
        backups.append(len(history))  # last resort: phase one on the whole point
    tries = 0
    # Panels a failed phase one found lie on its face, hence on every larger face: they
    # seed the next, longer backup (on Paris's joint draw, 6 failed backups before the 7th).
    generated: list[IntArray] = []
    for back in backups:
        k = len(history) - back
        x, remaining, face = history[k]
        seeds = [p for p in panels[k:] + generated if on_face(p, face, polytope)]
        tries += 1
        found = phase_one(polytope, x, face, seeds, face_panel, deadline, quick, generated)
        if found is not None:
            out_panels = panels[:k]
            out_weights = weights[:k]
            for panel, weight in found:
                out_panels.append(panel)
                out_weights.append(remaining * weight)
            return Decomposition(out_panels, out_weights, complete=True, backtracks=tries)
        if time.perf_counter() > deadline:
            break
    return Decomposition(panels, weights, complete=False, backtracks=tries)


def on_face(panel: IntArray, face: Face, polytope: Polytope) -> bool:
    """Whether a panel lies on a face (meets its tight bounds and rows exactly)."""
    p = panel.astype(np.float64)
    if np.any(p[face.at_zero] != 0.0) or np.any(p[face.at_size] != polytope.sizes[face.at_size]):
        return False
    ap = polytope.matrix @ p
    return bool(np.all(ap[face.at_lower] == polytope.lower[face.at_lower])
                and np.all(ap[face.at_upper] == polytope.upper[face.at_upper]))


def phase_one(
    polytope: Polytope,
    x: FloatArray,
    face: Face,
    seeds: list[IntArray],
    face_panel: FacePanel,
    deadline: float,
    quick: QuickPanel | None = None,
    generated: list[IntArray] | None = None,
) -> list[tuple[IntArray, float]] | None:
    """Decompose x over the panels of its face by column generation; None if it is not in Q.

    min Σ(a⁺ + a⁻) s.t. Σ_P p_P y_P + a⁺ - a⁻ = x on the face's free types, Σ p = 1. The
    rows are only the free types (the face fixes the others), so this LP is small.
    ``quick`` prices cheaply first (see ``QuickPanel``); the panels this call finds beyond
    its seeds are appended to ``generated``, whether it succeeds or not.
    """
    free = np.flatnonzero(face.free)
    m = len(free)
    h = new_instance()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("presolve", "off")
    # A new column keeps the basis primal feasible: primal simplex resumes from it (the
    # default chose dual simplex and re-solved about 1.5 times slower on tight quotas).
    h.setOptionValue("simplex_strategy", 4)
    lp = highspy.HighsLp()
    lp.num_col_ = 2 * m
    lp.col_cost_ = np.ones(2 * m)
    lp.col_lower_ = np.zeros(2 * m)
    lp.col_upper_ = np.full(2 * m, INF)
    lp.num_row_ = m + 1
    lp.row_lower_ = np.concatenate((x[free], [1.0]))
    lp.row_upper_ = np.concatenate((x[free], [1.0]))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.arange(2 * m + 1, dtype=np.int32)
    lp.a_matrix_.index_ = np.concatenate((np.arange(m), np.arange(m))).astype(np.int32)
    lp.a_matrix_.value_ = np.concatenate((np.ones(m), -np.ones(m)))
    lp.sense_ = highspy.ObjSense.kMinimize
    h.passModel(lp)
    columns: list[IntArray] = []
    known: set[bytes] = set()

    def add(panel: IntArray) -> bool:
        key = panel.tobytes()
        if key in known:
            return False
        known.add(key)
        columns.append(panel)
        if generated is not None and len(columns) > n_seeds:
            generated.append(panel)
        entries = panel[free].astype(np.float64)
        support = np.flatnonzero(entries)
        index = np.concatenate((support, [m])).astype(np.int32)
        h.addCol(0.0, 0.0, INF, len(index), index, np.concatenate((entries[support], [1.0])))
        return True

    n_seeds = len(seeds)
    for seed in seeds:
        add(seed)
    if not columns:
        first = face_panel(face, np.zeros(len(x)))
        if first is None:
            return None
        add(first)
    scale = max(1.0, float(np.abs(x[free]).max(initial=0.0)))
    for _ in range(20 * (m + 1)):
        if time.perf_counter() > deadline:
            return None
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        solution = np.array(h.getSolution().col_value)
        residual = solution[:m] + solution[m:2 * m]
        # Decomposed: the infeasibility is nil, or within what the point itself is exact to
        # (it comes from LPs solved to HiGHS's feasibility tolerance, 1e-7): insisting on
        # 1e-9 there declared points of Q outside it and sent tight quotas to column
        # generation. ``_reproduces`` checks the result against the point all the same.
        if float(h.getInfo().objective_function_value) <= PHASE_ONE_TOL * scale or bool(
            np.all(residual <= 0.9 * ACCEPT_TOL * np.maximum(1.0, polytope.sizes[free]))
        ):
            values = np.maximum(solution[2 * m:], 0.0)
            total = float(values.sum())
            return [(c, float(w) / total) for c, w in zip(columns, values, strict=True)
                    if w > 0.0]
        duals = np.array(h.getSolution().row_dual, dtype=np.float64)
        u, nu = duals[:m], float(duals[m])
        weights = np.zeros(len(x))
        weights[free] = u
        bar = PHASE_ONE_TOL * max(1.0, float(np.abs(u).max(initial=0.0)))
        if quick is not None:
            # Pricing by local search from the best column first: any improving column
            # will do; the exact pricing (an ILP on most faces: 75 % of the time on Paris's
            # joint draw) runs only when it finds none, to prove optimality.
            best = max(columns, key=lambda c: float(u @ c[free]))
            near = quick(face, weights, best)
            if near is not None and float(u @ near[free]) + nu > bar and add(near):
                continue
        panel = face_panel(face, weights)
        # A column improves when its reduced cost, 0 - (u·y + ν), is negative.
        if panel is None or float(u @ panel[free]) + nu <= PHASE_ONE_TOL * max(
            1.0, float(np.abs(u).max(initial=0.0))
        ):
            return None  # no panel of the face improves: x is outside their hull
        if not add(panel):
            return None
    return None
