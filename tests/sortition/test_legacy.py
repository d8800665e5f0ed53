"""LEGACY: valid panels, an empirical distribution, and never fairer than LEXIMIN."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from kleroterion.sortition import find_distribution
from kleroterion.sortition.legacy import legacy

from tests.sortition.builders import check_distribution, tiny_problems


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems(households=True))
def test_panels_valid_and_leximin_at_least_as_fair(problem):
    dist = legacy(problem, runs=200, seed=5)
    assert dist.algorithm == "legacy" and not dist.optimal
    check_distribution(problem, dist)
    assert all(abs(w * 200 - round(w * 200)) < 1e-9 for w in dist.weights)
    fair = find_distribution(problem, "leximin", seed=5)
    assert fair.min_probability >= dist.min_probability - 1e-9


@settings(max_examples=10, deadline=None)
@given(tiny_problems())
def test_reproducible_from_seed(problem):
    a = legacy(problem, runs=50, seed=11)
    b = legacy(problem, runs=50, seed=11)
    assert (a.panels, a.weights) == (b.panels, b.weights)


def test_find_distribution_legacy_reports_progress():
    from tests.sortition.builders import make_problem

    problem = make_problem([("f", "jeune"), ("h", "vieux"), ("f", "vieux")], [], 2)
    stages: list[float] = []
    dist = find_distribution(problem, "legacy", seed=1, progress=lambda s, f: stages.append(f))
    check_distribution(problem, dist)
    assert stages == [0.0, 1.0]
