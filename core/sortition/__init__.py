"""The sortition engine: fair panel selection under quotas, with no web or database code.

``find_distribution`` checks the quotas (raising ``InfeasibleQuotas`` with the smallest
relaxation when they cannot be met) and computes a distribution over panels: LEXIMIN (exact,
on HiGHS) or LEGACY (the pre-2021 greedy, for comparison). ``round_distribution`` turns it into
m equally likely panels for a public lottery; ``draw_replacements`` fills seats after
drop-outs; ``draw_groups`` handles seat groups. See /work/shared/SORTITION.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from kleroterion.sortition.feasibility import InfeasibleQuotas, check_feasible
from kleroterion.sortition.types import (
    Distribution,
    Pool,
    Problem,
    Quota,
    QuotaChange,
    panel_ids,
)

if TYPE_CHECKING:
    from kleroterion.sortition.groups import SeatGroupProblem, draw_groups
    from kleroterion.sortition.leximin import Progress
    from kleroterion.sortition.replacement import ReplacementDraw, draw_replacements
    from kleroterion.sortition.rounding import round_distribution

# The solvers (HiGHS, numpy) load on first use, not on ``import kleroterion.sortition``:
# the invitation draw and the file readers live in this package and need neither, and
# ``kleroterion invite`` must start as fast as a plain CSV read.
_LAZY = {
    "SeatGroupProblem": "groups",
    "draw_groups": "groups",
    "ReplacementDraw": "replacement",
    "draw_replacements": "replacement",
    "round_distribution": "rounding",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ALGORITHMS",
    "Distribution",
    "InfeasibleQuotas",
    "Pool",
    "Problem",
    "Quota",
    "QuotaChange",
    "ReplacementDraw",
    "SeatGroupProblem",
    "draw_groups",
    "draw_replacements",
    "find_distribution",
    "maximin_value",
    "panel_ids",
    "round_distribution",
]

ALGORITHMS = ("leximin", "legacy")
LEGACY_RUNS = 1000


def find_distribution(
    problem: Problem,
    algorithm: str = "leximin",
    *,
    time_limit: float | None = None,
    progress: Progress | None = None,
    seed: int | None = None,
) -> Distribution:
    """A distribution over panels meeting every quota (and the household rule).

    Raises ``InfeasibleQuotas`` when no panel meets the quotas, ``ValueError`` for an unknown
    algorithm. The same inputs (and seed) always give the same distribution.
    """
    if algorithm not in ALGORITHMS:
        raise ValueError(
            f"unknown algorithm {algorithm!r}; expected one of {', '.join(ALGORITHMS)}"
        )
    check_feasible(problem)
    if algorithm == "legacy":
        from kleroterion.sortition.legacy import legacy as _legacy

        if progress is not None:
            progress("legacy", 0.0)
        result = _legacy(problem, runs=LEGACY_RUNS, seed=seed)
        if progress is not None:
            progress("legacy", 1.0)
        return result
    from kleroterion.sortition.leximin import leximin as _leximin

    return _leximin(problem, time_limit=time_limit, progress=progress, seed=seed)


def maximin_value(problem: Problem) -> float:
    """The MAXIMIN optimum: the highest possible minimum selection probability."""
    from kleroterion.sortition.leximin import leximin as _leximin

    check_feasible(problem)
    return _leximin(problem, max_levels=1).stats["maximin"]
