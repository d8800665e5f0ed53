"""LEXIMIN by column generation, checked against brute force on tiny pools."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from kleroterion.sortition import find_distribution, maximin_value
from kleroterion.sortition.leximin import compile_types, leximin

from tests.sortition.builders import (
    brute_leximin,
    brute_maximin,
    check_distribution,
    make_problem,
    tiny_problems,
)

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(tiny_problems())
def test_min_probability_is_the_maximin_optimum(problem):
    dist = find_distribution(problem, seed=1)
    check_distribution(problem, dist)
    expected = brute_maximin(problem)
    assert dist.min_probability == pytest.approx(expected, abs=1e-6)
    assert maximin_value(problem) == pytest.approx(expected, abs=1e-6)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems(max_size=7))
def test_whole_profile_is_leximin(problem):
    dist = find_distribution(problem, seed=2)
    expected = brute_leximin(problem)
    assert np.allclose(sorted(dist.probabilities), sorted(expected), atol=1e-6)
    assert np.allclose(dist.probabilities, expected, atol=1e-6)


@FAST
@given(tiny_problems(households=True))
def test_household_rule_on_every_panel(problem):
    dist = find_distribution(problem, seed=3)
    check_distribution(problem, dist)  # panel_ok checks the household rule
    assert dist.min_probability == pytest.approx(brute_maximin(problem), abs=1e-6)


def _twins_problem():
    rows = [("f", "jeune")] * 4 + [("h", "jeune")] * 3 + [("h", "vieux")] * 5 + [("f", "vieux")]
    quotas = [
        ("genre", "f", 2, 3),
        ("genre", "h", 2, 3),
        ("age", "jeune", 2, 3),
        ("age", "vieux", 2, 3),
    ]
    return make_problem(rows, quotas, 5)


def test_identical_respondents_get_exactly_equal_chances():
    problem = _twins_problem()
    dist = find_distribution(problem, seed=4)
    check_distribution(problem, dist)
    model = compile_types(problem)
    assert model.n_types == 4
    for members in model.members:
        assert len({dist.probabilities[i] for i in members}) == 1


def test_household_members_are_never_merged():
    rows = [("f", "jeune")] * 4
    problem = make_problem(rows, [("genre", "f", 2, 2)], 2, households=["a", "a", None, None])
    model = compile_types(problem)
    assert sorted(len(m) for m in model.members) == [1, 1, 2]
    dist = find_distribution(problem, seed=0)
    check_distribution(problem, dist)
    # The tied pair shares at most one seat: both untied respondents are favoured.
    assert dist.probabilities[0] + dist.probabilities[1] <= 1 + 1e-9
    assert dist.min_probability == pytest.approx(brute_maximin(problem), abs=1e-6)


def test_deterministic():
    problem = _twins_problem()
    a = find_distribution(problem, seed=7)
    b = find_distribution(problem, seed=7)
    assert a.panels == b.panels
    assert a.weights == b.weights
    assert a.probabilities == b.probabilities


def test_progress_reaches_one_and_time_limit_returns_a_distribution():
    problem = _twins_problem()
    seen: list[float] = []
    dist = find_distribution(problem, progress=lambda stage, f: seen.append(f))
    assert dist.optimal
    assert seen == sorted(seen) and seen[-1] == pytest.approx(1.0)
    stopped = leximin(problem, time_limit=0.0)
    assert not stopped.optimal
    check_distribution(problem, stopped)


def test_unreachable_respondent_gets_zero():
    # Nobody "vieux" may sit: the two of them have no chance, everyone else shares the seats.
    rows = [("f", "jeune"), ("h", "jeune"), ("f", "jeune"), ("h", "vieux"), ("f", "vieux")]
    problem = make_problem(rows, [("age", "vieux", 0, 0)], 2)
    dist = find_distribution(problem)
    check_distribution(problem, dist)
    assert dist.probabilities[3] == pytest.approx(0.0, abs=1e-9)
    assert dist.probabilities[0] == pytest.approx(2 / 3, abs=1e-6)
