"""Pool builders and independent brute-force references for the sortition engine's tests.

The brute force enumerates every feasible panel of a tiny pool and solves the (MAXIMIN or
LEXIMIN) LP over all of them directly: it shares no code with the column generation it checks.
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
from collections.abc import Sequence
from pathlib import Path

import highspy
import numpy as np
from hypothesis import strategies as st
from kleroterion.sortition import Distribution, Pool, Problem, Quota

FEATURES = ("genre", "age")
VALUES = {"genre": ("f", "h", "x"), "age": ("jeune", "moyen", "vieux")}


def make_problem(
    rows: Sequence[tuple[str, ...]],
    quotas: Sequence[tuple[str, str, int, int]],
    seats: int,
    households: Sequence[str | None] | None = None,
    features: tuple[str, ...] = FEATURES,
) -> Problem:
    pool = Pool(
        ids=tuple(f"p{i}" for i in range(len(rows))),
        features=features,
        values=tuple(tuple(r) for r in rows),
        households=None if households is None else tuple(households),
    )
    return Problem(pool=pool, quotas=tuple(Quota(*q) for q in quotas), seats=seats)


@st.composite
def tiny_problems(draw: st.DrawFn, households: bool = False, max_size: int = 9) -> Problem:
    """A feasible problem on at most ``max_size`` respondents: quotas are built around a panel
    drawn first, so at least that panel meets them."""
    n = draw(st.integers(4, max_size))
    rows = [
        (draw(st.sampled_from(VALUES["genre"][:2])), draw(st.sampled_from(VALUES["age"])))
        for _ in range(n)
    ]
    seats = draw(st.integers(2, min(4, n - 1)))
    ties: list[str | None] | None = None
    if households:
        ties = [draw(st.sampled_from([None, None, "a", "b"])) for _ in range(n)]
    # A witness panel (respecting the household rule), then quotas loose around it.
    witness = witness_panel(draw(st.permutations(range(n))), ties, seats)
    seats = len(witness)
    quotas = []
    for j, feature in enumerate(FEATURES):
        for value in sorted({r[j] for r in rows}):
            have = sum(1 for i in witness if rows[i][j] == value)
            low = have - draw(st.integers(0, 1))
            high = have + draw(st.integers(0, 1))
            quotas.append((feature, value, max(low, 0), high))
    return make_problem(rows, quotas, seats, ties)


def benchmark_pool(name: str) -> Problem:
    """A pool of benchmarks/pools.py (standard library only, reproducible from its seed)."""
    spec = importlib.util.spec_from_file_location(
        "bench_pools", Path(__file__).resolve().parents[2] / "benchmarks" / "pools.py")
    assert spec is not None and spec.loader is not None
    pools = importlib.util.module_from_spec(spec)
    sys.modules["bench_pools"] = pools  # dataclasses look their module up
    spec.loader.exec_module(pools)
    pool = next(p for p in pools.all_pools() if p.name == name)
    return make_problem([p[1:] for p in pool.people], pool.quotas, pool.seats,
                        households=pool.households, features=pool.features)


def witness_panel(order: Sequence[int], ties: Sequence[str | None] | None,
                  seats: int) -> list[int]:
    """The first ``seats`` respondents of ``order`` from distinct households (fewer if short)."""
    witness: list[int] = []
    seen: set[str] = set()
    for i in order:
        tie = ties[i] if ties is not None else None
        if tie is not None and tie in seen:
            continue
        if tie is not None:
            seen.add(tie)
        witness.append(i)
        if len(witness) == seats:
            break
    return witness


def feasible_panels(problem: Problem) -> list[tuple[int, ...]]:
    pool = problem.pool
    out = []
    for panel in itertools.combinations(range(len(pool)), problem.seats):
        if panel_ok(problem, panel):
            out.append(panel)
    return out


def panel_ok(problem: Problem, panel: Sequence[int]) -> bool:
    pool = problem.pool
    if len(panel) != problem.seats or len(set(panel)) != len(panel):
        return False
    index = {f: j for j, f in enumerate(pool.features)}
    for q in problem.quotas:
        count = sum(1 for i in panel if pool.values[i][index[q.feature]] == q.value)
        if not q.min <= count <= q.max:
            return False
    if pool.households is not None:
        ties = [pool.households[i] for i in panel if pool.households[i] is not None]
        if len(ties) != len(set(ties)):
            return False
    return True


def _lp_max(
    panels: list[tuple[int, ...]], n: int, fixed: dict[int, float], target: int | None
) -> tuple[float, np.ndarray]:
    """max z (or π_target) s.t. Σp=1, π_i ≥ fixed_i, π_i ≥ z for the others."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)  # the engine's setting: one scheduler per process
    m = len(panels)
    # columns: p_0..p_{m-1}, z
    h.addVars(m + 1, np.zeros(m + 1), np.ones(m + 1))
    h.addRow(1.0, 1.0, m, np.arange(m, dtype=np.int32), np.ones(m))
    z_rows = []
    for i in range(n):
        cols = [k for k, p in enumerate(panels) if i in p]
        if i in fixed:
            h.addRow(
                fixed[i] - 1e-9,
                highspy.kHighsInf,
                len(cols),
                np.array(cols, np.int32),
                np.ones(len(cols)),
            )
        else:
            z_rows.append(i)
            idx = np.array([*cols, m], np.int32)
            vals = np.array([1.0] * len(cols) + [-1.0])
            h.addRow(0.0, highspy.kHighsInf, len(idx), idx, vals)
    cost = np.zeros(m + 1)
    if target is None:
        cost[m] = 1.0
    else:
        for k, p in enumerate(panels):
            if target in p:
                cost[k] = 1.0
    h.changeColsCost(m + 1, np.arange(m + 1, dtype=np.int32), cost)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.run()
    sol = np.array(h.getSolution().col_value)
    return float(h.getInfo().objective_function_value), sol


def brute_maximin(problem: Problem) -> float:
    panels = feasible_panels(problem)
    value, _ = _lp_max(panels, len(problem.pool), {}, None)
    return value


def brute_leximin(problem: Problem) -> list[float]:
    """The LEXIMIN probability of every respondent, level by level over all panels."""
    panels = feasible_panels(problem)
    n = len(problem.pool)
    fixed: dict[int, float] = {}
    while len(fixed) < n:
        z, _ = _lp_max(panels, n, fixed, None)
        newly = []
        for i in range(n):
            if i in fixed:
                continue
            # Can i get more than z while everyone else keeps their level?
            others = {**fixed, **{j: z for j in range(n) if j not in fixed and j != i}}
            best, _ = _lp_max(panels, n, {**others, i: z}, i)
            if best <= z + 1e-7:
                newly.append(i)
        if not newly:  # pragma: no cover - some agent is always tight
            newly = [i for i in range(n) if i not in fixed]
        for i in newly:
            fixed[i] = z
    return [fixed[i] for i in range(n)]


def check_distribution(problem: Problem, dist: Distribution) -> None:
    """Every panel valid, weights a probability, probabilities consistent with the panels."""
    assert len(dist.panels) == len(dist.weights)
    assert abs(sum(dist.weights) - 1.0) < 1e-9
    assert all(w >= 0 for w in dist.weights)
    for panel in dist.panels:
        assert list(panel) == sorted(panel)
        assert panel_ok(problem, panel), panel
    assert abs(sum(dist.probabilities) - problem.seats) < 1e-6
    recomputed = [0.0] * len(problem.pool)
    for panel, weight in zip(dist.panels, dist.weights, strict=True):
        for i in panel:
            recomputed[i] += weight
    assert np.allclose(recomputed, dist.probabilities, atol=1e-9)
