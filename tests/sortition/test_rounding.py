"""Transparent rounding to m equally likely panels."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from kleroterion.sortition import find_distribution, round_distribution

from tests.sortition.builders import panel_ok, tiny_problems


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems(households=True))
def test_m_panels_within_k_over_m(problem):
    dist = find_distribution(problem, seed=3)
    m = 100
    panels = round_distribution(dist, m)
    assert len(panels) == m
    assert panels == sorted(panels)
    assert set(panels) <= set(dist.panels)
    for panel in set(panels):
        assert panel_ok(problem, panel)
    counts = np.zeros(len(problem.pool))
    for panel in panels:
        counts[list(panel)] += 1
    moved = np.abs(counts / m - np.array(dist.probabilities))
    assert moved.max() <= problem.seats / m + 1e-9
    assert abs(counts.sum() - m * problem.seats) < 1e-9


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems())
def test_deterministic(problem):
    dist = find_distribution(problem, seed=3)
    assert round_distribution(dist, 50) == round_distribution(dist, 50)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems(households=True))
def test_deficit_filling_for_large_distributions(problem):
    """Large distributions are rounded by deficit filling: same guarantees, deterministic."""
    from kleroterion.sortition import rounding

    dist = find_distribution(problem, seed=3)
    saved = rounding.ILP_PANELS
    rounding.ILP_PANELS = 0  # every distribution counts as large
    try:
        m = 100
        panels = round_distribution(dist, m)
        assert panels == round_distribution(dist, m)
    finally:
        rounding.ILP_PANELS = saved
    assert len(panels) == m and panels == sorted(panels)
    assert set(panels) <= set(dist.panels)
    counts = np.zeros(len(problem.pool))
    for panel in panels:
        counts[list(panel)] += 1
    moved = np.abs(counts / m - np.array(dist.probabilities))
    assert moved.max() < problem.seats / m
    # Deficit filling starts from the floors: no panel is drawn less often than ⌊m·p⌋.
    for panel, weight in zip(dist.panels, dist.weights, strict=True):
        assert panels.count(panel) >= int(weight / sum(dist.weights) * m + 1e-9)
