"""The rounding's promise on small random pools: no one more than two panels off.

Pools of 12 to 48 respondents with four features (single respondents of their own type
for most of them, as on the field's pools with many features), one-seat quota bands around
a panel drawn first, households or not. Each published lottery must move no respondent's
probability by more than 2/m, seat identical respondents (same values, no household tie)
in as many panels give or take one, give every panel ``seats`` distinct members (the
respondents' counts sum to m times the seats), and meet every quota and the household rule.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
from collections import Counter
from pathlib import Path
from typing import Any
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kleroterion.sortition import Distribution, Problem, find_distribution, rounding
from kleroterion.sortition.lottery import publish, verify
from kleroterion.sortition.rounding import BOUND, round_lottery

from tests.sortition.builders import benchmark_pool, make_problem, panel_ok, witness_panel

VALUES = {"genre": ("f", "h"), "age": ("a", "b", "c"), "region": ("n", "s", "e"),
          "diplome": ("x", "y", "z")}
FEATURES = tuple(VALUES)


@st.composite
def small_pools(draw: st.DrawFn) -> Problem:
    """A feasible pool: quotas of one seat around a witness panel (so it meets them)."""
    n = draw(st.integers(12, 48))
    rows = [tuple(draw(st.sampled_from(VALUES[f])) for f in FEATURES) for _ in range(n)]
    seats = draw(st.integers(3, max(3, n // 4)))
    ties: list[str | None] | None = None
    if draw(st.booleans()):
        ties = [draw(st.sampled_from([None, None, None, "a", "b", "c", "d"])) for _ in range(n)]
    witness = witness_panel(draw(st.permutations(range(n))), ties, seats)
    quotas = []
    for j, feature in enumerate(FEATURES):
        for value in VALUES[feature]:
            have = sum(1 for i in witness if rows[i][j] == value)
            low = have - draw(st.integers(0, 1))
            quotas.append((feature, value, max(low, 0), have + draw(st.integers(0, 1))))
    return make_problem(rows, quotas, len(witness), ties, features=FEATURES)


def _check(problem: Problem, dist: Distribution, m: int) -> None:
    rounding = round_lottery(dist, m)
    panels = rounding.panels
    assert len(panels) == m
    for panel in set(panels):
        assert panel_ok(problem, panel), panel
    counts = Counter(i for panel in panels for i in panel)
    n = len(problem.pool)
    seats_in = np.array([counts[i] for i in range(n)], dtype=np.float64)
    assert seats_in.sum() == m * problem.seats
    moved = np.abs(seats_in - m * np.array(dist.probabilities))
    assert moved.max() <= BOUND + 1e-9, (moved.max(), m)
    assert abs(moved.max() / m - rounding.max_deviation) < 1e-12
    homes = problem.pool.households
    alike: dict[tuple[str, ...], list[float]] = {}
    for i, values in enumerate(problem.pool.values):
        if homes is None or homes[i] is None:
            alike.setdefault(values, []).append(float(seats_in[i]))
    assert max((max(c) - min(c) for c in alike.values()), default=0.0) <= 1


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(small_pools(), st.sampled_from([100, 1000]))
def test_no_one_more_than_two_panels_off(problem: Problem, m: int) -> None:
    _check(problem, find_distribution(problem, seed=0), m)


def _bad_start(type_panels: np.ndarray, weights: np.ndarray, target: np.ndarray,
               sizes: np.ndarray, m: int) -> np.ndarray:
    """m·p rounded down, and every copy left over given to the first panel: its members
    sit in up to a dozen panels too many."""
    counts = np.floor(weights * m).astype(np.int64)
    counts[0] += m - int(counts.sum())
    return counts


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(small_pools())
def test_the_repair_brings_a_bad_start_within_two_panels(problem: Problem) -> None:
    """Small pools round within two panels from the start; the repair with new panels,
    which the field's pools with many features need, is checked here from a start that
    moves someone by up to 14 panels (the ILP on small supports turned off)."""
    dist = find_distribution(problem, seed=0)
    with patch.object(rounding, "_start", _bad_start), patch.object(rounding, "ILP_PANELS", -1):
        _check(problem, dist, 1000)


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(small_pools())
def test_the_repaired_rounding_is_deterministic(problem: Problem) -> None:
    dist = find_distribution(problem, seed=0)
    with patch.object(rounding, "_start", _bad_start):
        assert round_lottery(dist, 1000).panels == round_lottery(dist, 1000).panels



def _fixed_pool() -> Problem:
    """40 respondents, 8 seats, one-seat bands: a seeded draw of ``small_pools``' kind."""
    rng = random.Random(11)
    rows = [tuple(rng.choice(VALUES[f]) for f in FEATURES) for _ in range(40)]
    witness = rng.sample(range(40), 8)
    quotas = []
    for j, feature in enumerate(FEATURES):
        for value in VALUES[feature]:
            have = sum(1 for i in witness if rows[i][j] == value)
            quotas.append((feature, value, max(have - 1, 0), have + 1))
    return make_problem(rows, quotas, 8, features=FEATURES)


def test_a_repaired_lottery_is_published_and_verified(tmp_path: Path) -> None:
    """The repair's panels are re-derived by ``verify`` (same engine: panel by panel), and
    the published deviation is within the bound ``verify`` holds it to."""
    problem = _fixed_pool()
    dist = find_distribution(problem, seed=0)
    with patch.object(rounding, "_start", _bad_start), patch.object(rounding, "ILP_PANELS", -1):
        alone = Distribution(dist.algorithm, dist.panels, dist.weights, dist.probabilities,
                             groups=dist.groups)
        assert round_lottery(alone, 1000).max_deviation * 1000 > BOUND  # what it repairs
        published = publish(tmp_path / "lottery", problem, dist, seed=0, m=1000)
        assert published.manifest["rounding"]["max_deviation"] <= BOUND
        report = verify(tmp_path / "lottery", digest=published.digest)
    assert report.ok, str(report)
    assert any("panels re-derived" in c for c in report.checked)


#: sha256 of the published panel list (JSON) of each case below, one per distribution the
#: rounding started from on the machines it was recorded on. The repair's refactors (issue
#: 18: one swap loop, ``Pricer.improve``, not two) must leave them unchanged. LEXIMIN's
#: panels and weights differ in their last digits from one CPU or HiGHS build to another
#: (the Intel Xeon of session 7 and the AMD EPYC of session 8 start pool-300-45 from two
#: distributions), and the rounding with them: the first digests below were recorded on
#: the Xeon, whose start was not recorded; the second on the EPYC, with its start in
#: ``STARTS``. Change them only for a legitimate change of LEXIMIN or HiGHS: check then
#: that the repair still runs and the bound holds, and write the new digests here.
GOLDEN = {
    "pool-300-45": {"cb9eb4ab8cc1891676cff30c51374f740817722e5f396ce396fe2ceab8037456",
                    "6da2d5f4f29523a0f22527b6bc91279f534a7e56c64f8b33064d7084eb293f5b"},
    "pool-300-45 bad start": {
        "902401f9d1e4601d1e5df6325e6fd6a46e13df3da5d27f61e7b8c8921f781f6b",
        "1569ff7359de2e1d171be506372f9f0889c360abd76295fe06cef22fe667981a"},
    "40/8 bad start": {"63f7561c70361c2cae254760f4a918f878efc0f48d2ef154a76b72cf7fc71e6a"},
}
#: The first 16 hex digits of the sha256 of the starting distribution (panels and weights,
#: JSON) whose published panels are recorded above: from those, another list of panels is
#: a change of the repair, not of the machine.
STARTS = {
    "pool-300-45": {"36879428aec12581"},
    "pool-300-45 bad start": {"36879428aec12581"},
    "40/8 bad start": {"d17dfc3ac626ced5"},
}


def _start_digest(dist: Distribution) -> str:
    start = [[[int(i) for i in panel] for panel in dist.panels],
             [float(w) for w in dist.weights]]
    return hashlib.sha256(json.dumps(start).encode()).hexdigest()[:16]


def _golden_case(name: str) -> Problem:
    return _fixed_pool() if name.startswith("40/8") else benchmark_pool("pool-300-45")


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_the_repaired_panels_are_those_of_before(name: str) -> None:
    """Byte-identical panels on a pool whose rounding calls the repair, from its own start
    and from a start up to 14 panels off (where the repair makes over a hundred swap
    searches and calls the pricing ILP)."""
    problem = _golden_case(name)
    dist = find_distribution(problem, seed=0)
    calls: list[int] = []
    real = rounding.repair.repair

    def counted(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    with contextlib.ExitStack() as stack:
        stack.enter_context(patch.object(rounding.repair, "repair", counted))
        if name.endswith("bad start"):
            stack.enter_context(patch.object(rounding, "_start", _bad_start))
            stack.enter_context(patch.object(rounding, "ILP_PANELS", -1))
        rounded = round_lottery(dist, 1000)
    assert calls, "the repair did not run: this case no longer guards it"
    assert rounded.max_deviation * 1000 <= BOUND
    digest = hashlib.sha256(json.dumps(rounded.panels).encode()).hexdigest()
    if digest in GOLDEN[name]:
        return
    start = _start_digest(dist)
    assert start not in STARTS[name], (
        f"from the recorded start {start}, the repair now publishes other panels ({digest})")
    pytest.skip(f"LEXIMIN starts {name} from a distribution not recorded here ({start}, "
                "another CPU or HiGHS build): the repair ran and kept the bound; the "
                "byte-identity guard holds on the recorded starts only")
