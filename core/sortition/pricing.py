"""Pricing for LEXIMIN: the panel of highest weight under the quotas, on HiGHS.

The pricing ILP and its LP relaxation are built once per draw; only their objective (and, for
the quota polytope's faces, their bounds) change between calls. Cheap local search first, the
exact ILP only to prove that no better panel exists.
"""

from __future__ import annotations

import math

import highspy
import numpy as np
import numpy.typing as npt
from kleroterion.sortition.decomposition import Face, Polytope, on_face
from kleroterion.sortition.highs import new_instance
from kleroterion.sortition.typemodel import LeximinError, TypeModel

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

INF = highspy.kHighsInf
# A panel improves the master when its priced value beats the dual bound by more than this
# (the objective is scaled so that the largest price is 1): the level is then exact to ~1e-9.
PRICE_TOL = 1e-9



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

    def near_panel(self, face: Face, objective: FloatArray, start: IntArray) -> IntArray | None:
        """A panel of the face reached from ``start`` by improving swaps, or None.

        Types the face fixes (at zero or at their size) get prohibitive weights, so the
        swaps leave them alone; the result is checked against the face all the same.
        """
        weights = objective.copy()
        big = 1e6 * (1.0 + float(np.abs(objective).max(initial=0.0)))
        weights[face.at_size] = big
        weights[face.at_zero] = -big
        # Rows tight on the face stay at their bound: a swap may not move them.
        q = self.model.n_quotas
        lo, hi = self.model.lo.copy(), self.model.hi.copy()
        lo[:q] = np.where(face.at_upper[:q], hi[:q], lo[:q])
        hi[:q] = np.where(face.at_lower[:q], self.model.lo[:q], hi[:q])
        panel = self.improve(start, weights, bounds=(lo, hi))
        return panel if on_face(panel, face, self.polytope) else None

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
        return self.best_panel(ilp_objective)

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

    def improve(self, panel: IntArray, weights: FloatArray, max_steps: int = 200,
                bounds: tuple[IntArray, IntArray] | None = None, *,
                limit: tuple[int, int] | None = None, tol: float = PRICE_TOL) -> IntArray:
        """Best-improvement one-for-one swaps that keep every quota and the household rule.

        ``bounds`` replaces the quota rows' (lo, hi), dummy row last, as ``model.lo/hi``.
        ``limit`` (out, in) weighs each step's swaps among the ``out`` types of the panel of
        lowest weight and the ``in`` types outside of highest weight only: the rounding's
        repair needs a few swaps among the respondents furthest from their share, on pools
        where every respondent is a type. A swap is made when it gains more than ``tol``.
        """
        model = self.model
        panel = panel.copy()
        lo, hi = bounds if bounds is not None else (model.lo, model.hi)
        quota_of = model.quota_of
        for _ in range(max_steps):
            counts = model.counts(panel)
            inside = np.flatnonzero(panel > 0)
            room = np.flatnonzero(panel < model.sizes)
            if model.households:
                taken = {int(model.household_of[t]) for t in inside if model.household_of[t] >= 0}
                if taken:
                    blocked = np.isin(model.household_of[room], list(taken))
                    room = room[~blocked]
            if len(room) == 0 or len(inside) == 0:
                break
            if limit is not None:
                inside = inside[np.argsort(weights[inside], kind="stable")[:limit[0]]]
                room = room[np.argsort(-weights[room], kind="stable")[:limit[1]]]
            gain = weights[room][None, :] - weights[inside][:, None]
            best = float(gain.max())
            if best <= tol:
                break
            out_ok = (counts[quota_of[inside]] - 1) >= lo[quota_of[inside]]  # inside x features
            in_ok = (counts[quota_of[room]] + 1) <= hi[quota_of[room]]  # room x features
            same = self._same[np.ix_(inside, room)]
            feasible = np.all(same | (out_ok[:, None, :] & in_ok[None, :, :]), axis=2)
            gain = np.where(feasible, gain, -np.inf)
            flat = int(np.argmax(gain))
            a, b = divmod(flat, len(room))
            if gain[a, b] <= tol:
                break
            panel[inside[a]] -= 1
            panel[room[b]] += 1
        return panel
