"""Replacements after drop-outs respect the quotas given who stays."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kleroterion.sortition import draw_replacements, find_distribution
from kleroterion.sortition.replacement import replacement_problem

from tests.sortition.builders import brute_maximin, make_problem, panel_ok, tiny_problems


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems(households=True), st.data())
def test_replacements_complete_a_valid_panel(problem, data):
    dist = find_distribution(problem, seed=0)
    seated = dist.panels[0]
    withdrawn = data.draw(st.lists(st.sampled_from(seated), min_size=1, unique=True))
    sub, _ = replacement_problem(problem, seated, withdrawn)
    if not _has_panel(sub):
        return  # nobody eligible can complete the panel; covered by the infeasible test
    draw = draw_replacements(problem, seated, withdrawn, seed=9)
    assert len(draw.replacements) == len(withdrawn)
    assert not set(draw.replacements) & set(seated)
    assert panel_ok(problem, draw.panel)
    assert set(seated) - set(withdrawn) <= set(draw.panel)
    again = draw_replacements(problem, seated, withdrawn, seed=9)
    assert (again.replacements, again.panel) == (draw.replacements, draw.panel)
    assert again.distribution.panels == draw.distribution.panels
    assert again.distribution.weights == draw.distribution.weights
    # Fair among the eligible: the lowest chance is the reduced problem's MAXIMIN.
    chances = [draw.distribution.probabilities[i] for i in _eligible(problem, seated, withdrawn)]
    assert min(chances) == pytest.approx(brute_maximin(sub), abs=1e-6)


def _has_panel(problem):
    from kleroterion.sortition.feasibility import is_feasible

    return is_feasible(problem)


def _eligible(problem, seated, withdrawn):
    return replacement_problem(problem, seated, withdrawn)[1]


def test_household_of_who_stays_is_excluded():
    rows = [("f", "jeune")] * 5
    problem = make_problem(rows, [], 2, households=["a", "a", None, "b", None])
    draw = draw_replacements(problem, seated=[0, 3], withdrawn=[3], seed=1)
    assert draw.replacements[0] in (2, 4)  # 1 shares 0's household; 3 withdrew
    assert draw.distribution.probabilities[1] == 0.0


def test_quotas_reduced_by_who_stays():
    rows = [("f", "jeune"), ("h", "jeune"), ("f", "vieux"), ("h", "vieux"), ("f", "jeune")]
    problem = make_problem(rows, [("genre", "f", 2, 2), ("genre", "h", 1, 1)], 3)
    # 0 (f) and 1 (h) stay, 2 (f) withdraws: the replacement must be a woman.
    draw = draw_replacements(problem, seated=[0, 1, 2], withdrawn=[2], seed=3)
    assert draw.replacements == (4,)
    assert draw.panel == (0, 1, 4)


def test_flex_bounds_are_reduced_like_the_quotas():
    # min_flex/max_flex are absolute: with one woman staying, "at least 1 woman, never below
    # 1" leaves "at least 0, never below 0" for the vacant seats, and "at most 2, never above 3"
    # leaves "at most 1, never above 2".
    from kleroterion.sortition import Quota

    rows = [("f", "jeune"), ("h", "jeune"), ("f", "vieux"), ("h", "vieux")]
    problem = make_problem(rows, [], 3)
    problem = type(problem)(
        pool=problem.pool, quotas=(Quota("genre", "f", 1, 2, min_flex=1, max_flex=3),), seats=3
    )
    reduced, _ = replacement_problem(problem, seated=[0, 1, 3], withdrawn=[1, 3])
    assert reduced.quotas == (Quota("genre", "f", 0, 1, min_flex=0, max_flex=2),)
