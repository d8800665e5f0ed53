"""Pre-checks and the smallest relaxation of infeasible quotas."""

from __future__ import annotations

import pytest
from kleroterion.sortition import InfeasibleQuotas, QuotaChange, find_distribution
from kleroterion.sortition.feasibility import (
    check_feasible,
    is_feasible,
    precheck,
    suggest_relaxation,
)

from tests.sortition.builders import make_problem

ROWS = [("f", "jeune")] * 3 + [("h", "jeune")] * 4 + [("h", "vieux")] * 3


def test_feasible_quotas_pass():
    problem = make_problem(ROWS, [("genre", "f", 1, 3), ("age", "vieux", 1, 2)], 4)
    assert precheck(problem) == []
    assert is_feasible(problem)
    check_feasible(problem)


def test_too_few_respondents_lowers_exactly_that_minimum():
    # Only 3 women: a minimum of 4 must come down to 3, and nothing else moves.
    problem = make_problem(ROWS, [("genre", "f", 4, 5), ("genre", "h", 1, 5)], 5)
    assert any("only 3 respondents" in r for r in precheck(problem))
    with pytest.raises(InfeasibleQuotas) as caught:
        find_distribution(problem)
    assert caught.value.changes == [QuotaChange("genre", "f", "min", 4, 3)]
    assert "genre/f: minimum 4 → 3" in str(caught.value)


def test_raising_a_maximum_is_preferred_to_lowering_a_minimum():
    # 4 seats; at most 1 man but at least 2 young men-or-women... conflict between features:
    # women (3, all young) max 1 and men max 1 cannot fill 4 seats. Raising maximums fixes it.
    problem = make_problem(ROWS, [("genre", "f", 0, 1), ("genre", "h", 0, 1)], 4)
    changes = suggest_relaxation(problem)
    assert changes is not None
    assert all(c.bound == "max" for c in changes)
    assert sum(c.new - c.old for c in changes) == 2


def test_small_minimum_is_protected():
    # One young and four old cannot fit in four seats: one minimum must come down by one.
    # Lowering the small minimum (1 → 0) would erase a group; the larger one gives way.
    rows = [("f", "jeune")] * 5 + [("h", "vieux")] * 5
    problem = make_problem(
        rows, [("age", "jeune", 1, 4), ("age", "vieux", 4, 4), ("genre", "f", 0, 4)], 4
    )
    changes = suggest_relaxation(problem)
    assert changes == [QuotaChange("age", "vieux", "min", 4, 3)]


def test_flex_bounds_can_make_relaxation_impossible():
    from kleroterion.sortition import Quota

    problem = make_problem(ROWS, [], 5)
    quotas = (Quota("genre", "f", 4, 5, min_flex=0, max_flex=0),)
    problem = type(problem)(pool=problem.pool, quotas=quotas, seats=5)
    with pytest.raises(InfeasibleQuotas) as caught:
        check_feasible(problem)
    assert caught.value.changes == []
    assert "min_flex" in str(caught.value)


def test_more_seats_than_respondents():
    problem = make_problem(ROWS[:3], [], 5)
    with pytest.raises(InfeasibleQuotas) as caught:
        check_feasible(problem)
    assert caught.value.changes == []
    assert "5 seats" in str(caught.value)


def test_min_above_max_and_sums_are_reported():
    problem = make_problem(ROWS, [("genre", "f", 3, 2), ("genre", "h", 4, 4)], 5)
    reasons = precheck(problem)
    assert any("above maximum" in r for r in reasons)
    assert any("minimums add up to 7" in r for r in reasons)
    with pytest.raises(InfeasibleQuotas):
        check_feasible(problem)
