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
from dataclasses import dataclass, field
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
    Face,
    Polytope,
    RelaxedLevels,
    decompose,
    relaxed_leximin,
)
from kleroterion.sortition.highs import new_instance
from kleroterion.sortition.types import Distribution, Problem

Progress = Callable[[str, float], None]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

# A panel improves the master when its priced value beats the dual bound by more than this
# (the objective is scaled so that the largest price is 1): the level is then exact to ~1e-9.
PRICE_TOL = 1e-9
# Two probabilities closer than this are the same level.
LEVEL_TOL = 1e-7
# Fixed types are held at their level minus FIX_SLACK, tightness is a dual above DUAL_TOL:
# the same tolerances as the quota polytope's levels (``decomposition``), so both routes
# fix the same types at the same values.
FIX_SLACK = SLACK
MAX_FIX_SLACK = MAX_SLACK
SEED_PANELS = 12
LOCAL_STARTS = 0

INF = highspy.kHighsInf


class LeximinError(RuntimeError):
    """The solver failed in a way the numerical safeguards could not repair."""


# --------------------------------------------------------------------------------------------
# The problem over types


@dataclass
class TypeModel:
    """A Problem compiled to types and quota rows.

    ``members[t]`` are the pool indices of type t (sorted); ``quota_of[t, j]`` the quota row
    that type t counts in for the j-th constrained feature (``n_quotas``, a dummy row with no
    bounds, when its value has no quota). ``households`` lists groups of types (one member
    each) of which at most one may be selected.
    """

    problem: Problem
    members: list[list[int]]
    sizes: IntArray
    quota_of: IntArray
    lo: IntArray
    hi: IntArray
    households: list[list[int]]
    household_of: IntArray  # index into households, -1 when untied

    @property
    def n_types(self) -> int:
        return len(self.members)

    @property
    def n_quotas(self) -> int:
        return len(self.lo) - 1

    def quota_matrix(self) -> FloatArray:
        """Dense 0/1 matrix, quota rows by types (without the dummy row)."""
        matrix = np.zeros((self.n_quotas + 1, self.n_types))
        for j in range(self.quota_of.shape[1]):
            matrix[self.quota_of[:, j], np.arange(self.n_types)] = 1.0
        return matrix[: self.n_quotas]

    def counts(self, panel: IntArray) -> IntArray:
        """How many of a type-count panel fall in each quota row (dummy row last)."""
        out = np.zeros(self.n_quotas + 1, dtype=np.int64)
        for j in range(self.quota_of.shape[1]):
            np.add.at(out, self.quota_of[:, j], panel)
        return out

    def is_feasible(self, panel: IntArray) -> bool:
        counts = self.counts(panel)[: self.n_quotas]
        if int(panel.sum()) != self.problem.seats:
            return False
        if np.any(panel < 0) or np.any(panel > self.sizes):
            return False
        if np.any(counts < self.lo[:-1]) or np.any(counts > self.hi[:-1]):
            return False
        return all(int(panel[h].sum()) <= 1 for h in self.households)


def compile_types(problem: Problem) -> TypeModel:
    """Group interchangeable respondents into types and index the quota rows."""
    pool = problem.pool
    feature_index = {name: j for j, name in enumerate(pool.features)}
    rows: dict[tuple[int, str], int] = {}
    lo: list[int] = []
    hi: list[int] = []
    for quota in problem.quotas:
        if quota.feature not in feature_index:
            raise ValueError(f"quota on unknown feature {quota.feature!r}")
        key = (feature_index[quota.feature], quota.value)
        if key in rows:
            raise ValueError(f"two quotas for {quota.feature}/{quota.value}")
        rows[key] = len(lo)
        lo.append(quota.min)
        hi.append(quota.max)
    dummy = len(lo)
    constrained = sorted({j for j, _ in rows})

    household_size: dict[str, int] = {}
    if pool.households is not None:
        for hh in pool.households:
            if hh is not None:
                household_size[hh] = household_size.get(hh, 0) + 1

    type_of_key: dict[tuple[int, ...], int] = {}
    members: list[list[int]] = []
    signatures: list[tuple[int, ...]] = []
    household_types: dict[str, list[int]] = {}
    for i in range(len(pool)):
        signature = tuple(rows.get((j, pool.values[i][j]), dummy) for j in constrained)
        tie = pool.households[i] if pool.households is not None else None
        if tie is not None and household_size[tie] > 1:
            # Household members stay apart: the rule binds them one by one.
            household_types.setdefault(tie, []).append(len(members))
            members.append([i])
            signatures.append(signature)
            continue
        t = type_of_key.get(signature)
        if t is None:
            type_of_key[signature] = len(members)
            members.append([i])
            signatures.append(signature)
        else:
            members[t].append(i)
    n_types = len(members)
    household_of = np.full(n_types, -1, dtype=np.int64)
    households = [types for _, types in sorted(household_types.items())]
    for h, types in enumerate(households):
        household_of[types] = h
    quota_of = np.array(signatures, dtype=np.int64).reshape(n_types, len(constrained))
    return TypeModel(
        problem=problem,
        members=members,
        sizes=np.array([len(m) for m in members], dtype=np.int64),
        quota_of=quota_of,
        lo=np.array([*lo, -(10**9)], dtype=np.int64),
        hi=np.array([*hi, 10**9], dtype=np.int64),
        households=households,
        household_of=household_of,
    )


# --------------------------------------------------------------------------------------------
# Pricing: which panel has the highest total dual weight?


def new_highs(seed: int) -> highspy.Highs:
    """A silent, single-threaded, seeded HiGHS instance: the same input gives the same answer.

    HiGHS keeps one thread scheduler per process, sized by the first run: code that
    runs HiGHS with another ``threads`` setting in the same process makes these
    instances fail (model status "Not Set"), so the whole process must run HiGHS
    single-threaded.
    """
    h = new_instance()
    _quiet(h, seed)
    return h


def _quiet(h: highspy.Highs, seed: int) -> None:
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", seed)


class Pricer:
    """Finds panels of high weight under the quotas, cheaply when it can, exactly when it must.

    The ILP (and its LP relaxation) are built once; only their objective changes.
    """

    def __init__(self, model: TypeModel, seed: int) -> None:
        self.model = model
        self.rng = np.random.default_rng(seed)
        n = model.n_types
        self.ilp = self._build(integral=True, seed=seed)
        self.relaxation = self._build(integral=False, seed=seed)
        self._all = np.arange(n, dtype=np.int32)
        # same[a, b, j]: types a and b count in the same row of feature j (a swap leaves it).
        self._same = model.quota_of[:, None, :] == model.quota_of[None, :, :]
        self.ilp_calls = 0
        self.lp_calls = 0
        self.polytope = Polytope(model)

    def face_panel(self, face: Face, objective: FloatArray) -> IntArray | None:
        """The panel of highest ``objective`` on a face of the quota polytope (exact).

        The LP relaxation answers when its vertex is integral (it is then the ILP's optimum
        too); the ILP otherwise. None when no panel lies on the face.
        """
        return self._on_face(face, [objective], objective)

    def face_point(self, face: Face, tries: int = 4) -> IntArray | None:
        """Some panel on a face, spread by random objectives; None when the face holds none.

        LP vertices for a few random objectives first (they are usually integral); then the
        ILP with no objective, which stops at its first feasible panel.
        """
        n = self.model.n_types
        return self._on_face(face, [self.rng.random(n) for _ in range(tries)], np.zeros(n))

    def _on_face(self, face: Face, lp_objectives: list[FloatArray],
                 ilp_objective: FloatArray) -> IntArray | None:
        face.restrict(self.relaxation, self.polytope)
        for objective in lp_objectives:
            self.lp_calls += 1
            status, values = self._solve(self.relaxation, objective)
            if status == "infeasible":
                return None
            rounded = np.rint(values)
            if np.allclose(values, rounded, atol=1e-9):
                return rounded.astype(np.int64)
        face.restrict(self.ilp, self.polytope)
        self.ilp_calls += 1
        status, values = self._solve(self.ilp, ilp_objective)
        if status == "infeasible":
            return None
        return np.rint(values).astype(np.int64)

    def whole(self) -> None:
        """Undo ``face_panel``'s restrictions: both models range over the whole polytope."""
        whole = Face.whole(self.polytope)
        whole.restrict(self.relaxation, self.polytope)
        whole.restrict(self.ilp, self.polytope)

    def _build(self, *, integral: bool, seed: int) -> highspy.Highs:
        model = self.model
        n = model.n_types
        h = new_highs(seed)
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("mip_abs_gap", 1e-9)
        lp = highspy.HighsLp()
        lp.num_col_ = n
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_ = np.zeros(n)
        lp.col_upper_ = model.sizes.astype(np.float64)
        row_lower: list[float] = []
        row_upper: list[float] = []
        entries: list[tuple[int, int]] = []  # (row, col)
        matrix = model.quota_matrix()
        for q in range(model.n_quotas):
            row_lower.append(float(model.lo[q]))
            row_upper.append(float(model.hi[q]))
            entries.extend((len(row_lower) - 1, int(t)) for t in np.flatnonzero(matrix[q]))
        row_lower.append(float(model.problem.seats))
        row_upper.append(float(model.problem.seats))
        entries.extend((len(row_lower) - 1, t) for t in range(n))
        for types in model.households:
            row_lower.append(-INF)
            row_upper.append(1.0)
            entries.extend((len(row_lower) - 1, t) for t in types)
        entries.sort(key=lambda e: (e[1], e[0]))
        starts = np.zeros(n + 1, dtype=np.int32)
        for _, col in entries:
            starts[col + 1] += 1
        lp.num_row_ = len(row_lower)
        lp.row_lower_ = np.array(row_lower)
        lp.row_upper_ = np.array(row_upper)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.cumsum(starts).astype(np.int32)
        lp.a_matrix_.index_ = np.array([r for r, _ in entries], dtype=np.int32)
        lp.a_matrix_.value_ = np.ones(len(entries))
        lp.sense_ = highspy.ObjSense.kMaximize
        if integral:
            lp.integrality_ = [highspy.HighsVarType.kInteger] * n
        h.passModel(lp)
        return h

    # -- exact ---------------------------------------------------------------------------------

    def _solve(self, h: highspy.Highs, weights: FloatArray) -> tuple[str, FloatArray]:
        h.changeColsCost(len(weights), self._all, weights)
        h.run()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return "optimal", np.array(h.getSolution().col_value)
        if status == highspy.HighsModelStatus.kInfeasible:
            return "infeasible", np.zeros(0)
        raise LeximinError(f"pricing solver stopped: {h.modelStatusToString(status)}")

    def best_panel(self, weights: FloatArray) -> IntArray | None:
        """The panel of highest weight (exact ILP); None when no panel meets the quotas."""
        self.ilp_calls += 1
        status, values = self._solve(self.ilp, weights)
        if status == "infeasible":
            return None
        return np.rint(values).astype(np.int64)

    def relaxation_bound(self, weights: FloatArray) -> tuple[float, FloatArray]:
        self.lp_calls += 1
        status, values = self._solve(self.relaxation, weights)
        if status == "infeasible":
            return -math.inf, values
        return float(weights @ values), values

    # -- cheap ---------------------------------------------------------------------------------

    def improve(self, panel: IntArray, weights: FloatArray, max_steps: int = 200) -> IntArray:
        """Best-improvement one-for-one swaps that keep every quota and the household rule."""
        model = self.model
        panel = panel.copy()
        lo, hi, quota_of = model.lo, model.hi, model.quota_of
        for _ in range(max_steps):
            counts = model.counts(panel)
            inside = np.flatnonzero(panel > 0)
            room = np.flatnonzero(panel < model.sizes)
            if model.households:
                taken = {int(model.household_of[t]) for t in inside if model.household_of[t] >= 0}
                if taken:
                    blocked = np.isin(model.household_of[room], list(taken))
                    room = room[~blocked]
            if len(room) == 0:
                break
            gain = weights[room][None, :] - weights[inside][:, None]
            best = float(gain.max())
            if best <= PRICE_TOL:
                break
            out_ok = (counts[quota_of[inside]] - 1) >= lo[quota_of[inside]]  # inside x features
            in_ok = (counts[quota_of[room]] + 1) <= hi[quota_of[room]]  # room x features
            same = self._same[np.ix_(inside, room)]
            feasible = np.all(same | (out_ok[:, None, :] & in_ok[None, :, :]), axis=2)
            gain = np.where(feasible, gain, -np.inf)
            flat = int(np.argmax(gain))
            a, b = divmod(flat, len(room))
            if gain[a, b] <= PRICE_TOL:
                break
            panel[inside[a]] -= 1
            panel[room[b]] += 1
        return panel


# --------------------------------------------------------------------------------------------
# The master LP


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

    def solve(self) -> bool:
        self.h.run()
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


# --------------------------------------------------------------------------------------------
# The driver


@dataclass
class _Stats:
    levels: int = 0
    ilp_calls: int = 0
    lp_calls: int = 0
    local_columns: int = 0
    relaxation_columns: int = 0
    ilp_columns: int = 0
    master_solves: int = 0
    extra: dict[str, float] = field(default_factory=dict)


def _seed_panels(pricer: Pricer, master: DualMaster, rng: random.Random) -> None:
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
class _Center:
    """Stability centre of the dual smoothing (Wentges): the prices with the best bound so far.

    Column generation on this LP is very degenerate: the master's duals jump from one vertex
    to another. Pricing first at a point between them and the best-bounded prices seen in
    this level gives better columns; a column is still added only if it improves the master
    at its current prices, and a level is declared optimal only by pricing at those.
    """

    prices: FloatArray | None = None
    bound: float = math.inf


SMOOTHING = 0.8


def _price(
    pricer: Pricer,
    master: DualMaster,
    prices: FloatArray,
    bound: float,
    stats: _Stats,
    center: _Center | None = None,
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
        points = {Fraction(r, int(model.sizes[t])) for t in split for r in range(model.sizes[t])}
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
    """Reports progress, never backwards (the certification and the fallback both report)."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.last = 0.0

    def __call__(self, stage: str, fraction: float) -> None:
        if self.progress is not None and fraction >= self.last:
            self.last = fraction
            self.progress(stage, fraction)


def _through_polytope(
    model: TypeModel, pricer: Pricer, seed: int, deadline: float, progress: _Monotone
) -> tuple[RelaxedLevels | None, Decomposition | None]:
    """The LEXIMIN of the LP relaxation, and how far its decomposition into panels got."""
    relaxed = relaxed_leximin(model, pricer._build(integral=False, seed=seed))
    if relaxed is None:
        return None, None
    progress("leximin", 0.05)
    try:
        found = decompose(
            pricer.polytope,
            relaxed.point,
            pricer.face_point,
            pricer.face_panel,
            deadline,
            lambda share: progress("leximin", 0.05 + 0.9 * share),
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
    """
    started = time.perf_counter()
    deadline = math.inf if time_limit is None else started + time_limit
    seed = 0 if seed is None else seed
    rng = random.Random(seed)
    model = compile_types(problem)
    stats = _Stats()
    pricer = Pricer(model, seed)
    report = _Monotone(progress)

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
            report("leximin", 1.0)
            stats.levels = len(relaxed.levels)
            stats.extra["maximin"] = relaxed.levels[0][0]
            stats.extra["certified"] = 1.0
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
    _seed_panels(pricer, master, rng)

    optimal = True
    last_fixed = np.zeros(0, dtype=np.int64)
    last_value = 0.0
    slack = FIX_SLACK
    total_agents = float(model.sizes.sum())
    # The panel probabilities of the last master solved: a distribution meeting every level
    # fixed so far (the model itself changes as soon as a level is fixed).
    weights = np.zeros(0)
    while not master.fixed.all():
        if max_levels is not None and stats.levels >= max_levels:
            break
        # Column generation for this level.
        center = _Center()
        while True:
            stats.master_solves += 1
            if not master.solve():
                # Round-off made the fixed levels contradict each other: loosen the last one.
                if slack >= MAX_FIX_SLACK or len(last_fixed) == 0:
                    raise LeximinError("the master LP is infeasible after relaxing the last level")
                slack *= 10.0
                master.relax(last_fixed, last_value, slack)
                continue
            weights = master.weights()
            prices, bound = master.prices()
            if time.perf_counter() > deadline:
                optimal = False
                break
            added, _ = _price(pricer, master, prices, bound, stats, center)
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
        report("leximin", float(model.sizes[master.fixed].sum()) / total_agents)

    weights = np.maximum(weights, 0.0)
    keep = [k for k in range(len(weights)) if weights[k] > 1e-12]
    total = float(weights[keep].sum())
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
    stats: _Stats,
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
