"""Seat groups drawn separately or jointly."""

from __future__ import annotations

import pytest
from kleroterion.sortition import Quota, SeatGroupProblem, draw_groups
from kleroterion.sortition.groups import joint_problem

from tests.sortition.builders import check_distribution, make_problem


def _groups():
    roll = make_problem(
        [("f", "jeune"), ("h", "jeune"), ("f", "vieux"), ("h", "vieux"), ("h", "vieux")],
        [("genre", "f", 1, 2), ("age", "jeune", 1, 2)],
        3,
    )
    minors = make_problem([("f", "jeune"), ("h", "jeune"), ("h", "jeune")], [], 1)
    return [SeatGroupProblem("roll", roll), SeatGroupProblem("16-17", minors)]


def test_separate_draws_are_independent_problems():
    groups = _groups()
    result = draw_groups(groups, joint=False, seed=1)
    assert set(result) == {"roll", "16-17"}
    for g in groups:
        check_distribution(g.problem, result[g.key])
    assert result["16-17"].probabilities == pytest.approx([1 / 3] * 3)


def test_joint_draw_with_a_shared_quota():
    groups = _groups()
    # Across both groups, at least two women among the four seats.
    shared = [Quota("genre", "f", 2, 4)]
    joint, _origin = joint_problem(groups, shared)
    assert joint.seats == 4 and len(joint.pool) == 8
    result = draw_groups(groups, joint=True, shared_quotas=shared, seed=1)
    for g in groups:
        dist = result[g.key]
        assert abs(sum(dist.weights) - 1) < 1e-9
        assert sum(dist.probabilities) == pytest.approx(g.problem.seats)
        for panel in dist.panels:
            assert len(panel) == g.problem.seats
    # Check the shared quota on the joint panels themselves.
    from kleroterion.sortition import find_distribution

    joint_dist = find_distribution(joint, seed=1)
    check_distribution(joint, joint_dist)
    assert all(sum(1 for i in p if joint.pool.values[i][1] == "f") >= 2 for p in joint_dist.panels)


def test_shared_quotas_need_joint():
    with pytest.raises(ValueError):
        draw_groups(_groups(), joint=False, shared_quotas=[Quota("genre", "f", 1, 4)])


def test_joint_marginals_name_interchangeable_respondents_for_the_rounding():
    """Each group's marginal says which of its respondents the joint draw treated alike, so
    the rounding works over types (and identical respondents share panels evenly)."""
    groups = _groups()
    result = draw_groups(groups, joint=True, seed=1)
    for g in groups:
        dist = result[g.key]
        assert dist.groups is not None
        assert sorted(i for members in dist.groups for i in members) == list(
            range(len(g.problem.pool)))
        pool = g.problem.pool
        quoted = [pool.features.index(f) for f in sorted({q.feature for q in g.problem.quotas})]
        for members in dist.groups:
            # Alike on every feature with a quota (the 16-17 group has none: all alike).
            assert len({tuple(pool.values[i][j] for j in quoted) for i in members}) == 1
    assert result["roll"].groups is not None and len(result["roll"].groups) == 4
