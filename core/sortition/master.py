"""The column generation's master LP (in dual form) and its pricing loop.

The fallback of ``leximin`` when the quota polytope's LEXIMIN point cannot be certified: exact
in every case, slower (see /work/shared/SORTITION.md for where its time goes).
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field

import highspy
import numpy as np
import numpy.typing as npt
from kleroterion.sortition.pricing import PRICE_TOL, Pricer, new_highs
from kleroterion.sortition.typemodel import LeximinError, TypeModel

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

INF = highspy.kHighsInf
SEED_PANELS = 12
LOCAL_STARTS = 0


class DualMaster:
    """The master LP in its dual form, where every panel is a row (a cut) rather than a column.

    min μ - Σ_fixed s_t v_t c_t  s.t.  Σ_t y_Pt c_t ≤ μ for every panel P,
    Σ_unfixed s_t c_t = 1, c ≥ 0.  Its optimum is the level z; c are the per-agent prices; the
    duals of the panel rows are the panel probabilities p_P. A new panel is a new row: the
    basis stays dual feasible and dual simplex resumes from it in a few iterations.
    """

    def __init__(self, model: TypeModel, seed: int) -> None:
        self.model = model
        n = model.n_types
        h = new_highs(seed)
        h.setOptionValue("solver", "simplex")
        h.setOptionValue("presolve", "off")
        h.setOptionValue("simplex_strategy", 1)
        # HiGHS's default edge weights. Devex made 750/112 2x faster (5 s) but stalled on the
        # Paris pool (over 300 s instead of 67 s): not worth the risk without a safeguard.
        lp = highspy.HighsLp()
        lp.num_col_ = n + 1
        lp.col_cost_ = np.array([0.0] * n + [1.0])
        lp.col_lower_ = np.array([0.0] * n + [-INF])
        lp.col_upper_ = np.array([INF] * (n + 1))
        lp.num_row_ = 1
        lp.row_lower_ = np.array([1.0])
        lp.row_upper_ = np.array([1.0])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.array([*range(n + 1), n], dtype=np.int32)
        lp.a_matrix_.index_ = np.zeros(n, dtype=np.int32)
        lp.a_matrix_.value_ = model.sizes.astype(np.float64)
        lp.sense_ = highspy.ObjSense.kMinimize
        h.passModel(lp)
        self.h = h
        self.n = n
        self.panels: list[IntArray] = []
        self.known: set[bytes] = set()
        self.fixed = np.zeros(n, dtype=bool)
        self.level = np.zeros(n)
        # s_t (v_t - slack) for fixed types: the level z for prices c is max_P c·y_P - rhs·c.
        self.rhs = np.zeros(n)

    def add(self, panel: IntArray) -> bool:
        key = panel.tobytes()
        if key in self.known:
            return False
        self.known.add(key)
        self.panels.append(panel)
        support = np.flatnonzero(panel)
        index = np.concatenate((support, [self.n])).astype(np.int32)
        value = np.concatenate((panel[support].astype(np.float64), [-1.0]))
        self.h.addRow(-INF, 0.0, len(index), index, value)
        return True

    def solve(self, deadline: float = math.inf) -> bool:
        """Re-solve; False when infeasible (or stopped at ``deadline``: the caller checks)."""
        if math.isfinite(deadline):
            # A single dual simplex run can take minutes on a stalling master: bound it.
            self.h.setOptionValue("time_limit", max(deadline - time.perf_counter(), 0.01))
        self.h.run()
        if time.perf_counter() > deadline:
            return self.h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            # A warm start from a basis of the changed model can end in a false verdict
            # ("unbounded" on an LP whose primal the current panels satisfy): start afresh.
            self.h.clearSolver()
            self.h.run()
        return bool(self.h.getModelStatus() == highspy.HighsModelStatus.kOptimal)

    def value(self) -> float:
        return float(self.h.getInfo().objective_function_value)

    def prices(self) -> tuple[FloatArray, float]:
        values = np.array(self.h.getSolution().col_value)
        return np.maximum(values[: self.n], 0.0), float(values[self.n])

    def weights(self) -> FloatArray:
        duals: FloatArray = np.abs(np.array(self.h.getSolution().row_dual[1:], dtype=np.float64))
        return duals

    def fix(self, types: IntArray, value: float, slack: float) -> None:
        for t in types:
            self.h.changeCoeff(0, int(t), 0.0)
        self.relax(types, value, slack)
        self.fixed[types] = True
        self.level[types] = value

    def relax(self, types: IntArray, value: float, slack: float) -> None:
        sizes = self.model.sizes
        costs = -sizes[types].astype(np.float64) * (value - slack)
        self.rhs[types] = -costs
        self.h.changeColsCost(len(types), types.astype(np.int32), costs)




@dataclass
class Stats:
    levels: int = 0
    ilp_calls: int = 0
    lp_calls: int = 0
    local_columns: int = 0
    relaxation_columns: int = 0
    ilp_columns: int = 0
    master_solves: int = 0
    extra: dict[str, float] = field(default_factory=dict)


def seed_panels(pricer: Pricer, master: DualMaster, rng: random.Random) -> None:
    """A few diverse panels so that the first duals already mean something."""
    model = pricer.model
    n = model.n_types
    first = pricer.best_panel(np.array([rng.random() for _ in range(n)]))
    if first is None:
        raise LeximinError("no panel meets the quotas")
    master.add(first)
    current = first
    for _ in range(SEED_PANELS):
        weights = np.array([rng.random() for _ in range(n)])
        current = pricer.improve(current, weights)
        master.add(current)


@dataclass
class Center:
    """Stability centre of the dual smoothing (Wentges): the prices with the best bound so far.

    Column generation on this LP is very degenerate: the master's duals jump from one vertex
    to another. Pricing first at a point between them and the best-bounded prices seen in
    this level gives better columns; a column is still added only if it improves the master
    at its current prices, and a level is declared optimal only by pricing at those.
    """

    prices: FloatArray | None = None
    bound: float = math.inf


SMOOTHING = 0.8


def price_columns(
    pricer: Pricer,
    master: DualMaster,
    prices: FloatArray,
    bound: float,
    stats: Stats,
    center: Center | None = None,
) -> tuple[int, float]:
    """Add panels whose priced value beats ``bound``; returns (added, best upper bound).

    The upper bound is the exact maximum price of a panel only when nothing was added.
    """
    scale = float(prices.max())
    if scale <= 0.0:
        return 0, bound
    weights = prices / scale
    target = bound / scale + PRICE_TOL
    if center is not None and center.prices is not None and SMOOTHING > 0.0:
        mixed = SMOOTHING * center.prices + (1.0 - SMOOTHING) * prices
        mixed_scale = float(mixed.max())
        relaxed, values = pricer.relaxation_bound(mixed / mixed_scale)
        level_bound = relaxed * mixed_scale - float(master.rhs @ mixed)
        if level_bound < center.bound:
            center.prices, center.bound = mixed, level_bound
        rounded = np.rint(values).astype(np.int64)
        if (
            len(values)
            and np.allclose(values, rounded, atol=1e-9)
            and pricer.model.is_feasible(rounded)
            and float(weights @ rounded) > target
            and master.add(rounded)
        ):
            stats.relaxation_columns += 1
            return 1, math.inf
    # 1. local search from the panels the master uses most.
    used = master.weights()
    order = np.argsort(-used, kind="stable")[:LOCAL_STARTS]
    added = 0
    for k in order:
        if used[k] <= 0.0:
            break
        panel = pricer.improve(master.panels[k], weights)
        if float(weights @ panel) > target and master.add(panel):
            added += 1
    if added:
        stats.local_columns += added
        return added, math.inf
    # 2. the LP relaxation: a bound that may prove the level, or a vertex that is a panel.
    relaxed, values = pricer.relaxation_bound(weights)
    if center is not None:
        level_bound = relaxed * scale - float(master.rhs @ prices)
        if level_bound < center.bound:
            center.prices, center.bound = prices.copy(), level_bound
    if relaxed <= target:
        return 0, relaxed * scale
    rounded = np.rint(values).astype(np.int64)
    if np.allclose(values, rounded, atol=1e-9) and pricer.model.is_feasible(rounded):
        panel = pricer.improve(rounded, weights)
        if float(weights @ panel) > target and master.add(panel):
            stats.relaxation_columns += 1
            return 1, math.inf
    # 3. the exact ILP.
    panel_or_none = pricer.best_panel(weights)
    if panel_or_none is None:
        raise LeximinError("the pricing ILP lost feasibility")
    best = float(weights @ panel_or_none)
    if best > target:
        if not master.add(panel_or_none):
            # Already a column: the master is stale by round-off only.
            return 0, best * scale
        stats.ilp_columns += 1
        return 1, math.inf
    return 0, best * scale
