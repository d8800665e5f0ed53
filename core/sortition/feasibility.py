"""Can the quotas be met at all, and if not, what is the smallest change that would do it?

Cheap pre-checks come first (min ≤ max; per feature Σ min ≤ seats ≤ Σ max; enough
respondents for every minimum); then an ILP on HiGHS decides. When the quotas are infeasible,
a second ILP moves minimums down and maximums up by whole seats, never past the quota's
``min_flex``/``max_flex``. Those are absolute bounds, as in the field's quota files (the
Sortition Foundation's, the Stratification App's) and in ``io.read_quotas``: a minimum may go
down to ``min_flex`` (0 when blank), a maximum up to ``max_flex`` (the seats when blank), so
``min_flex = min`` and ``max_flex = max`` pin a bound.

The advice is the relaxation that changes the fewest seats in all (the sum over feature values
of how far each bound moves). Among the relaxations of that size, a second solve prefers raising
a maximum to lowering a minimum, and lowering a large minimum to a small one (a group with a
small minimum is the one a quota exists to protect).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kleroterion.sortition.types import Problem, Quota, QuotaChange

if TYPE_CHECKING:
    import highspy
    from kleroterion.sortition.leximin import TypeModel

# HiGHS and numpy are imported where they are used: ``InfeasibleQuotas`` is raised and
# caught by code (the CLI, the file readers' callers) that must not pay for loading them.

__all__ = [
    "InfeasibleQuotas",
    "check_feasible",
    "is_feasible",
    "precheck",
    "relaxation_room",
    "suggest_relaxation",
]


class InfeasibleQuotas(Exception):
    """No panel meets the quotas. ``changes`` is the smallest relaxation that would fix it
    (empty when even relaxing cannot, for instance with fewer respondents than seats)."""

    def __init__(self, changes: list[QuotaChange], reasons: list[str] | None = None) -> None:
        self.changes = changes
        self.reasons = reasons or []
        if changes:
            lines = ["The quotas cannot all be met; the smallest change that makes them feasible:"]
            lines += [f"  {change}" for change in changes]
        else:
            lines = ["The quotas cannot be met, and relaxing them within their flex does not help."]
        lines += [f"  ({reason})" for reason in self.reasons]
        super().__init__("\n".join(lines))


def precheck(problem: Problem) -> list[str]:
    """Plain-language reasons the quotas are certainly infeasible (empty: no obvious problem)."""
    reasons: list[str] = []
    pool = problem.pool
    if problem.seats > len(pool):
        reasons.append(f"{problem.seats} seats but only {len(pool)} respondents")
    index = {name: j for j, name in enumerate(pool.features)}
    by_feature: dict[str, list[Quota]] = {}
    for quota in problem.quotas:
        by_feature.setdefault(quota.feature, []).append(quota)
        if quota.min > quota.max:
            reasons.append(
                f"{quota.feature}/{quota.value}: minimum {quota.min} above maximum {quota.max}"
            )
        if quota.feature in index:
            j = index[quota.feature]
            have = sum(1 for row in pool.values if row[j] == quota.value)
            if have < quota.min:
                reasons.append(
                    f"{quota.feature}/{quota.value}: minimum {quota.min} "
                    f"but only {have} respondents"
                )
    for feature, quotas in by_feature.items():
        low = sum(q.min for q in quotas)
        if low > problem.seats:
            reasons.append(f"{feature}: minimums add up to {low}, more than {problem.seats} seats")
        if feature in index:
            j = index[feature]
            covered = {q.value for q in quotas}
            # Σ max only binds when every respondent's value has a quota.
            if all(row[j] in covered for row in pool.values):
                high = sum(q.max for q in quotas)
                if high < problem.seats:
                    reasons.append(
                        f"{feature}: maximums add up to {high}, fewer than {problem.seats} seats"
                    )
    return reasons


def _panel_ilp(model: TypeModel, lo: list[float], hi: list[float]) -> highspy.Highs:
    """Integer counts per type meeting quota rows [lo, hi], the seats and the household rule."""
    import numpy as np
    from kleroterion.sortition.leximin import INF, new_highs

    h = new_highs(0)
    n = model.n_types
    h.addVars(n, np.zeros(n), model.sizes.astype(np.float64))
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.full(n, 1, dtype=np.uint8))
    matrix = model.quota_matrix()
    for q in range(model.n_quotas):
        cols = np.flatnonzero(matrix[q]).astype(np.int32)
        h.addRow(lo[q], hi[q], len(cols), cols, np.ones(len(cols)))
    seats = float(model.problem.seats)
    h.addRow(seats, seats, n, np.arange(n, dtype=np.int32), np.ones(n))
    for types in model.households:
        h.addRow(-INF, 1.0, len(types), np.array(types, dtype=np.int32), np.ones(len(types)))
    return h


def is_feasible(problem: Problem) -> bool:
    """Whether some panel meets every quota and the household rule (an ILP on HiGHS)."""
    if problem.seats > len(problem.pool):
        return False
    if any(q.min > q.max for q in problem.quotas):
        return False
    import highspy
    from kleroterion.sortition.leximin import compile_types

    model = compile_types(problem)
    h = _panel_ilp(model, [float(v) for v in model.lo[:-1]], [float(v) for v in model.hi[:-1]])
    h.run()
    return bool(h.getModelStatus() == highspy.HighsModelStatus.kOptimal)


def _weights(quota: Quota, seats: int) -> tuple[float, float]:
    """Tie-break cost of lowering the minimum by one seat, and of raising the maximum by one."""
    return 2.0 + seats / (quota.min + 1.0), 1.0


def relaxation_room(quota: Quota, seats: int) -> tuple[int, int]:
    """How many seats the minimum may go down and the maximum up, within the flex bounds.

    ``min_flex``/``max_flex`` are absolute (the lowest minimum, the highest maximum); blank
    means 0 and ``seats``. A bound on the wrong side of its quota allows no movement.
    """
    floor = 0 if quota.min_flex is None else quota.min_flex
    ceiling = seats if quota.max_flex is None else quota.max_flex
    return max(quota.min - floor, 0), max(ceiling - quota.max, 0)


def suggest_relaxation(problem: Problem) -> list[QuotaChange] | None:
    """The smallest quota changes, in seats, that make the problem feasible within the flex
    bounds (``[]``: already feasible; ``None``: no relaxation within the bounds helps)."""
    if problem.seats > len(problem.pool):
        return None
    import highspy
    import numpy as np
    from kleroterion.sortition.leximin import INF, compile_types

    model = compile_types(problem)
    n = model.n_types
    quotas = problem.quotas
    h = _panel_ilp(model, [-INF] * len(quotas), [INF] * len(quotas))
    # Columns n + 2q: how far minimum q goes down; n + 2q + 1: how far maximum q goes up.
    for quota in quotas:
        down_room, up_room = relaxation_room(quota, problem.seats)
        for room in (down_room, up_room):
            h.addCol(1.0, 0.0, float(room), 0, np.zeros(0, np.int32), np.zeros(0))
    extra = np.arange(n, n + 2 * len(quotas), dtype=np.int32)
    h.changeColsIntegrality(len(extra), extra, np.full(len(extra), 1, dtype=np.uint8))
    matrix = model.quota_matrix()
    for q, quota in enumerate(quotas):
        cols = np.flatnonzero(matrix[q]).astype(np.int32)
        # count + down ≥ min  and  count - up ≤ max
        idx = np.concatenate((cols, [n + 2 * q])).astype(np.int32)
        h.addRow(float(quota.min), INF, len(idx), idx, np.ones(len(idx)))
        idx = np.concatenate((cols, [n + 2 * q + 1])).astype(np.int32)
        values = np.concatenate((np.ones(len(cols)), [-1.0]))
        h.addRow(-INF, float(quota.max), len(idx), idx, values)
    h.changeObjectiveSense(highspy.ObjSense.kMinimize)
    # First the fewest seats moved, then, among relaxations of that size, the preferred one.
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    fewest = round(h.getInfo().objective_function_value)
    h.addRow(-INF, float(fewest), len(extra), extra, np.ones(len(extra)))
    costs = np.array([w for quota in quotas for w in _weights(quota, problem.seats)])
    h.changeColsCost(len(extra), extra, costs)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:  # pragma: no cover - defensive
        return None
    values = np.rint(np.array(h.getSolution().col_value)).astype(np.int64)
    changes: list[QuotaChange] = []
    for q, quota in enumerate(quotas):
        down, up = int(values[n + 2 * q]), int(values[n + 2 * q + 1])
        if down:
            changes.append(
                QuotaChange(quota.feature, quota.value, "min", quota.min, quota.min - down)
            )
        if up:
            changes.append(
                QuotaChange(quota.feature, quota.value, "max", quota.max, quota.max + up)
            )
    return changes


def check_feasible(problem: Problem) -> None:
    """Raise InfeasibleQuotas (with the smallest relaxation) unless some panel meets the quotas."""
    reasons = precheck(problem)
    if not reasons and is_feasible(problem):
        return
    changes = suggest_relaxation(problem)
    if changes is None:
        if problem.seats > len(problem.pool):
            reasons = reasons or [f"{problem.seats} seats, {len(problem.pool)} respondents"]
        else:
            reasons.append("no relaxation within min_flex/max_flex reaches a feasible panel")
        raise InfeasibleQuotas([], reasons)
    if not changes:
        # The pre-check fired but the ILP found a panel: the pre-check was conservative.
        return
    raise InfeasibleQuotas(changes, reasons)
