"""The quota polytope route to LEXIMIN: relaxed levels, their certified decomposition, and the
fall back to column generation when the relaxation's LEXIMIN point is not a mix of panels.

Both routes are checked against the brute force of builders.py (which enumerates every panel)
and against each other (``certify=False`` runs column generation alone).
"""

from __future__ import annotations

import math
import random
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kleroterion.sortition import Problem
from kleroterion.sortition.decomposition import Polytope, decompose, phase_one, relaxed_leximin
from kleroterion.sortition.leximin import Pricer, compile_types, leximin

from tests.sortition.builders import (
    brute_leximin,
    check_distribution,
    make_problem,
    witness_panel,
)

THREE = ("a", "b", "c")


@st.composite
def three_feature_problems(draw: st.DrawFn) -> Problem:
    """Three binary features (the quota matrix is then not totally unimodular, so the
    relaxation may have fractional corners), quotas tight around a witness panel, sometimes
    households."""
    n = draw(st.integers(5, 8))
    rows = [tuple(draw(st.sampled_from("01")) for _ in THREE) for _ in range(n)]
    seats = draw(st.integers(2, min(4, n - 1)))
    ties = None
    if draw(st.booleans()):
        ties = [draw(st.sampled_from([None, None, "x", "y"])) for _ in range(n)]
    witness = witness_panel(draw(st.permutations(range(n))), ties, seats)
    seats = len(witness)
    quotas = []
    for j, feature in enumerate(THREE):
        for value in "01":
            have = sum(1 for i in witness if rows[i][j] == value)
            quotas.append((feature, value, max(0, have - draw(st.integers(0, 1))),
                           have + draw(st.integers(0, 1))))
    return make_problem(rows, quotas, seats, households=ties, features=THREE)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(three_feature_problems())
def test_either_route_gives_the_brute_force_leximin(problem: Problem) -> None:
    dist = leximin(problem, seed=0)
    check_distribution(problem, dist)
    assert dist.optimal
    assert np.allclose(dist.probabilities, brute_leximin(problem), atol=1e-6)


# Found by search: the relaxation's LEXIMIN gives every "c/1" respondent more than any mix of
# panels can (its corners are fractional), so it must not be certified.
NOT_IN_THE_HULL = (
    [("1", "0", "0"), ("1", "0", "0"), ("0", "1", "1"), ("1", "1", "1"), ("0", "0", "1"),
     ("0", "1", "0")],
    [("a", "0", 0, 2), ("a", "1", 1, 2), ("b", "0", 1, 1), ("b", "1", 0, 1), ("c", "0", 1, 1),
     ("c", "1", 1, 1)],
    2,
)


def test_a_relaxed_point_outside_the_panels_hull_falls_back_to_column_generation() -> None:
    rows, quotas, seats = NOT_IN_THE_HULL
    problem = make_problem(rows, quotas, seats, features=THREE)
    model = compile_types(problem)
    pricer = Pricer(model, 0)
    relaxed = relaxed_leximin(model, pricer._build(integral=False, seed=0))
    assert relaxed is not None
    # Phase one proves the point is no mix of panels of its face.
    polytope = Polytope(model)
    assert phase_one(polytope, relaxed.point, polytope.face(relaxed.point), [],
                     pricer.face_panel, math.inf) is None
    dist = leximin(problem, seed=0)
    assert "certified" not in dist.stats
    assert dist.stats["master_solves"] >= 1
    check_distribution(problem, dist)
    expected = brute_leximin(problem)
    assert np.allclose(dist.probabilities, expected, atol=1e-6)
    # The relaxation overstates someone: it is an upper bound, not the answer.
    relaxed_probability = relaxed.point / model.sizes
    assert sorted(relaxed_probability)[0] >= min(expected) - 1e-9
    assert not np.allclose(np.sort(np.repeat(relaxed_probability, model.sizes)),
                           np.sort(expected), atol=1e-6)


def _pool(seed: int, size: int, seats: int) -> Problem:
    """A pool with four features and loose proportional quotas, like a city's."""
    rng = random.Random(seed)
    features = {"genre": ("f", "h"), "age": ("18-34", "35-54", "55+"),
                "quartier": ("nord", "sud", "est", "ouest"), "diplome": ("bas", "moyen", "haut")}
    rows = [tuple(rng.choice(values) for values in features.values()) for _ in range(size)]
    quotas = []
    for j, (feature, values) in enumerate(features.items()):
        for value in values:
            share = sum(1 for r in rows if r[j] == value) / size
            quotas.append((feature, value, math.floor(0.8 * share * seats),
                           math.ceil(1.2 * share * seats)))
    return make_problem(rows, quotas, seats, features=tuple(features))


@pytest.mark.parametrize("seed", [1, 2])
def test_certified_answer_equals_column_generation_on_a_city_like_pool(seed: int) -> None:
    problem = _pool(seed, 80, 12)
    certified = leximin(problem, seed=0)
    alone = leximin(problem, seed=0, certify=False)
    assert certified.stats["certified"] == 1.0
    assert "certified" not in alone.stats
    check_distribution(problem, certified)
    assert certified.min_probability == pytest.approx(alone.min_probability, abs=1e-6)
    assert certified.stats["maximin"] == pytest.approx(alone.stats["maximin"], abs=1e-6)
    assert np.allclose(certified.probabilities, alone.probabilities, atol=1e-6)


def test_a_decomposition_past_its_deadline_stops_incomplete() -> None:
    problem = _pool(3, 80, 12)
    model = compile_types(problem)
    pricer = Pricer(model, 0)
    relaxed = relaxed_leximin(model, pricer._build(integral=False, seed=0))
    assert relaxed is not None
    found = decompose(pricer.polytope, relaxed.point, pricer.face_point, pricer.face_panel,
                      time.perf_counter())
    assert not found.complete
    whole = decompose(pricer.polytope, relaxed.point, pricer.face_point, pricer.face_panel,
                      math.inf)
    assert whole.complete
    mix = sum(w * p for p, w in zip(whole.panels, whole.weights, strict=True))
    assert np.allclose(mix, relaxed.point, atol=1e-7)
    assert all(model.is_feasible(p) for p in whole.panels)


def test_the_relaxed_levels_bound_the_true_ones() -> None:
    problem = _pool(4, 60, 10)
    model = compile_types(problem)
    relaxed = relaxed_leximin(model, Pricer(model, 0)._build(integral=False, seed=0))
    assert relaxed is not None
    values = [value for value, _ in relaxed.levels]
    assert values == sorted(values)
    fixed = np.concatenate([types for _, types in relaxed.levels])
    assert sorted(fixed.tolist()) == list(range(model.n_types))  # every type fixed once
    dist = leximin(problem, seed=0, certify=False)
    assert dist.min_probability <= values[0] + 1e-9
