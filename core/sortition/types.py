"""The data the sortition engine works on: quotas, pools of respondents, distributions.

These types are the engine's whole public vocabulary. They carry no personal data:
a pool holds pseudonymous ids, the feature values used for selection and, when the
household rule applies, an opaque household key.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Quota:
    """Bounds on how many selected people share one value of one feature.

    ``min_flex``/``max_flex`` are absolute bounds, as in the field's quota files: the
    relaxation of infeasible quotas may lower ``min`` down to ``min_flex`` and raise ``max``
    up to ``max_flex`` (``None``: down to 0, up to the seats).
    """

    feature: str
    value: str
    min: int
    max: int
    min_flex: int | None = None
    max_flex: int | None = None


@dataclass(frozen=True)
class Pool:
    """Respondents who may be selected.

    ``values[i][j]`` is the value of ``features[j]`` for respondent ``ids[i]``.
    ``households[i]`` groups respondents of whom at most one may be selected
    (``None`` for a respondent with no tie, or ``households`` itself ``None``).
    """

    ids: tuple[str, ...]
    features: tuple[str, ...]
    values: tuple[tuple[str, ...], ...]
    households: tuple[str | None, ...] | None = None

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Problem:
    """One panel draw: fill ``seats`` from ``pool`` under ``quotas``."""

    pool: Pool
    quotas: tuple[Quota, ...]
    seats: int


@dataclass
class Distribution:
    """A probability distribution over panels and what it gives every respondent.

    ``panels[k]`` is a sorted tuple of indices into the pool; ``weights[k]`` its
    probability (they sum to 1). ``probabilities[i]`` is respondent i's chance of
    a seat (they sum to the number of seats). ``optimal`` is False when a time
    limit stopped the computation before optimality was proven.
    """

    algorithm: str
    panels: list[tuple[int, ...]]
    weights: list[float]
    probabilities: list[float]
    optimal: bool = True
    stats: dict[str, float] = field(default_factory=dict)
    #: Respondents the engine treats as interchangeable (same quota values, no household
    #: tie), as lists of pool indices; the rounding may exchange them. None: no one is.
    groups: list[list[int]] | None = None
    #: The problem the distribution solves, when the engine gives it: the rounding may
    #: then publish panels outside the distribution's that the quotas allow.
    problem: Problem | None = field(default=None, repr=False, compare=False)

    @property
    def min_probability(self) -> float:
        return min(self.probabilities) if self.probabilities else 0.0


@dataclass(frozen=True)
class QuotaChange:
    """One quota bound moved by the relaxation of infeasible quotas."""

    feature: str
    value: str
    bound: str  # "min" or "max"
    old: int
    new: int

    def __str__(self) -> str:
        label = "minimum" if self.bound == "min" else "maximum"
        return f"{self.feature}/{self.value}: {label} {self.old} → {self.new}"


def panel_ids(pool: Pool, panel: Sequence[int]) -> list[str]:
    """The ids of the respondents of a panel given as pool indices."""
    return [pool.ids[i] for i in panel]


def composition(problem: Problem, panel: Sequence[int]) -> list[tuple[Quota, int]]:
    """Each quota of ``problem`` with how many members of ``panel`` (pool indices) it counts."""
    pool = problem.pool
    counts = Counter(
        (feature, pool.values[i][j]) for i in panel for j, feature in enumerate(pool.features)
    )
    return [(q, counts[(q.feature, q.value)]) for q in problem.quotas]
