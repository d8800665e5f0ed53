"""Pre-checks and the smallest relaxation of infeasible quotas."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kleroterion.sortition import InfeasibleQuotas, Problem, Quota, QuotaChange, find_distribution
from kleroterion.sortition.feasibility import (
    check_feasible,
    is_feasible,
    precheck,
    relaxation_room,
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
    # min_flex = min and max_flex = max pin both bounds: only 3 women cannot fill a minimum of 4.
    problem = make_problem(ROWS, [], 5)
    quotas = (Quota("genre", "f", 4, 5, min_flex=4, max_flex=5),)
    problem = type(problem)(pool=problem.pool, quotas=quotas, seats=5)
    assert suggest_relaxation(problem) is None
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


# --------------------------------------------------------------------------- flex bounds
# min_flex/max_flex are absolute, as in the field's files: the lowest a minimum and the
# highest a maximum may go. Each answer below is derived by hand in its comment.


def _with(quotas: Sequence[Quota], seats: int, rows: Sequence[tuple[str, str]] = ROWS) -> Problem:
    problem = make_problem(rows, [], seats)
    return Problem(pool=problem.pool, quotas=tuple(quotas), seats=seats)


def test_min_flex_zero_lets_a_minimum_come_down_by_one_seat():
    # 4 seats, at least 1 old and at least 4 young: 5 > 4. Maximums are pinned (max_flex = max),
    # so one minimum must come down one seat; min_flex = 0 allows it. Lowering the larger
    # minimum (young 4 → 3) protects the small one. The old reading (min_flex as an amount)
    # allowed no lowering at all and answered "relaxing within their flex does not help".
    problem = _with(
        [
            Quota("age", "vieux", 1, 1, min_flex=0, max_flex=1),
            Quota("age", "jeune", 4, 4, min_flex=0, max_flex=4),
        ],
        4,
    )
    assert suggest_relaxation(problem) == [QuotaChange("age", "jeune", "min", 4, 3)]
    with pytest.raises(InfeasibleQuotas) as caught:
        check_feasible(problem)
    assert caught.value.changes == [QuotaChange("age", "jeune", "min", 4, 3)]


def test_only_three_women_lowers_the_minimum_to_min_flex_zero():
    # Only 3 women for a minimum of 4: with min_flex = 0 the minimum comes down to 3, one seat.
    problem = _with([Quota("genre", "f", 4, 5, min_flex=0, max_flex=5)], 5)
    assert suggest_relaxation(problem) == [QuotaChange("genre", "f", "min", 4, 3)]


def test_max_flex_equal_to_max_forbids_raising_that_maximum():
    # 5 seats, at most 1 woman and at most 3 men, both maximums pinned (max_flex = max): no
    # panel of 5 exists and no relaxation within the bounds either. The old reading (max_flex
    # as an amount) advised raising the maximums anyway.
    problem = _with(
        [
            Quota("genre", "f", 0, 1, min_flex=0, max_flex=1),
            Quota("genre", "h", 0, 3, min_flex=0, max_flex=3),
        ],
        5,
    )
    assert suggest_relaxation(problem) is None
    with pytest.raises(InfeasibleQuotas) as caught:
        check_feasible(problem)
    assert caught.value.changes == []


def test_max_flex_above_max_raises_only_the_maximum_allowed():
    # The same 5 seats with men allowed up to 4 (max_flex = 4): raise men 3 → 4, one seat;
    # women stay pinned at 1.
    problem = _with(
        [
            Quota("genre", "f", 0, 1, min_flex=0, max_flex=1),
            Quota("genre", "h", 0, 3, min_flex=0, max_flex=4),
        ],
        5,
    )
    assert suggest_relaxation(problem) == [QuotaChange("genre", "h", "max", 3, 4)]


def test_positive_min_flex_is_a_floor_not_an_amount():
    # 5 seats. Women (all young) at least 4, never below 3; old exactly 3, never below 2;
    # young at most 2, no ceiling. Women ≤ young, so women ≥ 3 needs young ≥ 3 (max 2 → 3),
    # hence old ≤ 2 (min 3 → 2), and women's minimum must come down 4 → 3 (not to 2: floor 3).
    # Three seats in all, and no smaller relaxation exists.
    quotas = [
        Quota("genre", "f", 4, 5, min_flex=3),
        Quota("age", "vieux", 3, 3, min_flex=2, max_flex=3),
        Quota("age", "jeune", 2, 2, min_flex=0),
    ]
    assert sorted(map(str, suggest_relaxation(_with(quotas, 5)) or [])) == [
        "age/jeune: maximum 2 → 3",
        "age/vieux: minimum 3 → 2",
        "genre/f: minimum 4 → 3",
    ]
    # With the old ones pinned at 3 there is no way out.
    quotas[1] = Quota("age", "vieux", 3, 3, min_flex=3, max_flex=3)
    assert suggest_relaxation(_with(quotas, 5)) is None


def test_a_flex_bound_on_the_wrong_side_of_its_quota_allows_no_movement():
    assert relaxation_room(Quota("a", "b", 2, 4, min_flex=3, max_flex=1), 10) == (0, 0)
    assert relaxation_room(Quota("a", "b", 2, 4), 10) == (2, 6)
    assert relaxation_room(Quota("a", "b", 2, 4, min_flex=1, max_flex=5), 10) == (1, 1)


def _apply(problem: Problem, changes: Sequence[QuotaChange]) -> Problem:
    moved = {(c.feature, c.value, c.bound): c.new for c in changes}
    quotas = tuple(
        dataclasses.replace(
            q,
            min=moved.get((q.feature, q.value, "min"), q.min),
            max=moved.get((q.feature, q.value, "max"), q.max),
        )
        for q in problem.quotas
    )
    return dataclasses.replace(problem, quotas=quotas)


def _fewest_seats_by_enumeration(problem: Problem) -> int | None:
    """Independent answer: over every panel (household rule kept), the seats each quota
    would have to move to admit it, within the flex bounds; the smallest total."""
    pool, best = problem.pool, None
    index = {f: j for j, f in enumerate(pool.features)}
    for panel in itertools.combinations(range(len(pool)), problem.seats):
        if pool.households is not None:
            ties = [pool.households[i] for i in panel if pool.households[i] is not None]
            if len(ties) != len(set(ties)):
                continue
        total = 0
        for q in problem.quotas:
            count = sum(1 for i in panel if pool.values[i][index[q.feature]] == q.value)
            floor = 0 if q.min_flex is None else min(q.min_flex, q.min)
            ceiling = problem.seats if q.max_flex is None else max(q.max_flex, q.max)
            if not floor <= count <= ceiling:
                break
            total += max(q.min - count, 0) + max(count - q.max, 0)
        else:
            best = total if best is None else min(best, total)
    return best


@st.composite
def flexed_problems(draw: st.DrawFn) -> Problem:
    n = draw(st.integers(3, 7))
    rows = [
        (draw(st.sampled_from(("f", "h"))), draw(st.sampled_from(("jeune", "moyen", "vieux"))))
        for _ in range(n)
    ]
    seats = draw(st.integers(1, n))
    ties = draw(st.one_of(st.none(), st.lists(st.sampled_from([None, "a", "b"]), min_size=n,
                                              max_size=n)))
    quotas = []
    for feature, values in (("genre", ("f", "h")), ("age", ("jeune", "moyen", "vieux"))):
        for value in values:
            if draw(st.booleans()):
                low = draw(st.integers(0, seats))
                high = draw(st.integers(low, seats))
                min_flex = draw(st.one_of(st.none(), st.integers(0, low)))
                max_flex = draw(st.one_of(st.none(), st.integers(high, seats)))
                quotas.append(Quota(feature, value, low, high, min_flex, max_flex))
    problem = make_problem(rows, [], seats, ties)
    return Problem(pool=problem.pool, quotas=tuple(quotas), seats=seats)


@settings(max_examples=150, deadline=None)
@given(flexed_problems())
def test_suggested_relaxation_is_feasible_within_flex_and_smallest(problem: Problem) -> None:
    changes = suggest_relaxation(problem)
    fewest = _fewest_seats_by_enumeration(problem)
    if changes is None:
        assert fewest is None
        return
    assert fewest == sum(abs(c.new - c.old) for c in changes)
    assert is_feasible(_apply(problem, changes))
    by_key = {(q.feature, q.value): q for q in problem.quotas}
    for change in changes:
        quota = by_key[(change.feature, change.value)]
        if change.bound == "min":
            assert (quota.min_flex or 0) <= change.new < change.old
        else:
            assert change.old < change.new <= (
                problem.seats if quota.max_flex is None else quota.max_flex
            )
