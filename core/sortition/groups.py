"""Seat groups: one draw made of several groups, each from its own pool under its own quotas.

Paris seats 80 members from the electoral roll, 15 non-EU residents and 5 people aged 16-17.
Groups are filled **separately** (one Problem, one distribution per group) or **jointly**: one
Problem over the union of the pools, where each group's seats are an exact quota on a synthetic
``group`` feature, each group's own quotas apply to its members only (their feature is renamed
``<group>:<feature>``), and ``shared_quotas`` bind the whole panel on features the pools have
in common. A joint draw maximises the lowest chance across every group at once; its result is
returned as each group's marginal distribution, in that group's own pool indices.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from kleroterion.sortition.types import Distribution, Pool, Problem, Quota

__all__ = ["GROUP_FEATURE", "SeatGroupProblem", "draw_groups", "group_progress", "joint_problem"]

Progress = Callable[[str, float], None]

GROUP_FEATURE = "group"


@dataclass(frozen=True)
class SeatGroupProblem:
    """One seat group: its key (e.g. "roll", "non-eu", "16-17") and its own draw."""

    key: str
    problem: Problem


def joint_problem(
    groups: Sequence[SeatGroupProblem], shared_quotas: Sequence[Quota] = ()
) -> tuple[Problem, list[tuple[str, int]]]:
    """The single Problem of a joint draw, and for each joint index its (group, pool index)."""
    keys = [g.key for g in groups]
    if len(set(keys)) != len(keys):
        raise ValueError("seat group keys must be distinct")
    shared = sorted({q.feature for q in shared_quotas})
    own = [f"{g.key}:{f}" for g in groups for f in g.problem.pool.features]
    features = (GROUP_FEATURE, *shared, *own)
    ids: list[str] = []
    values: list[tuple[str, ...]] = []
    households: list[str | None] = []
    origin: list[tuple[str, int]] = []
    any_households = False
    for g in groups:
        pool = g.problem.pool
        for f in shared:
            if f not in pool.features:
                raise ValueError(f"shared quota feature {f!r} missing from group {g.key!r}")
        index = {name: j for j, name in enumerate(pool.features)}
        for i in range(len(pool)):
            row = {GROUP_FEATURE: g.key}
            row.update({f: pool.values[i][index[f]] for f in shared})
            row.update({f"{g.key}:{f}": pool.values[i][j] for j, f in enumerate(pool.features)})
            values.append(tuple(row.get(f, "") for f in features))
            ids.append(pool.ids[i])
            tie = pool.households[i] if pool.households is not None else None
            any_households |= tie is not None
            households.append(None if tie is None else f"{g.key}:{tie}")
            origin.append((g.key, i))
    quotas: list[Quota] = [
        Quota(GROUP_FEATURE, g.key, g.problem.seats, g.problem.seats) for g in groups
    ]
    for g in groups:
        quotas.extend(
            Quota(f"{g.key}:{q.feature}", q.value, q.min, q.max, q.min_flex, q.max_flex)
            for q in g.problem.quotas
        )
    quotas.extend(shared_quotas)
    joint = Problem(
        pool=Pool(
            ids=tuple(ids),
            features=features,
            values=tuple(values),
            households=tuple(households) if any_households else None,
        ),
        quotas=tuple(quotas),
        seats=sum(g.problem.seats for g in groups),
    )
    return joint, origin


def _marginals(
    joint: Distribution, groups: Sequence[SeatGroupProblem], origin: list[tuple[str, int]]
) -> dict[str, Distribution]:
    out: dict[str, Distribution] = {}
    for g in groups:
        tally: dict[tuple[int, ...], float] = {}
        for panel, weight in zip(joint.panels, joint.weights, strict=True):
            part = tuple(sorted(origin[i][1] for i in panel if origin[i][0] == g.key))
            tally[part] = tally.get(part, 0.0) + weight
        probabilities = [0.0] * len(g.problem.pool)
        for i, p in enumerate(joint.probabilities):
            if origin[i][0] == g.key:
                probabilities[origin[i][1]] = p
        panels = sorted(tally)
        # The joint draw's interchangeable respondents, in this group's indices (a joint
        # type never spans two groups: the group is one of its quota features).
        local = None if joint.groups is None else [
            [origin[i][1] for i in members if origin[i][0] == g.key]
            for members in joint.groups
        ]
        out[g.key] = Distribution(
            algorithm=joint.algorithm,
            panels=panels,
            weights=[tally[p] for p in panels],
            probabilities=probabilities,
            optimal=joint.optimal,
            stats={**joint.stats, "joint": 1.0},
            groups=None if local is None else [members for members in local if members],
            problem=g.problem,
        )
    return out


def draw_groups(
    groups: Sequence[SeatGroupProblem],
    *,
    joint: bool,
    algorithm: str = "leximin",
    shared_quotas: Sequence[Quota] = (),
    time_limit: float | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
) -> Mapping[str, Distribution]:
    """One distribution per group key (see the module docstring for the two modes).

    ``progress`` hears the engine's words, each prefixed by its group's key when several
    groups are drawn separately (:func:`group_progress`).
    """
    from kleroterion.sortition import find_distribution

    if not joint:
        if shared_quotas:
            raise ValueError("shared quotas need a joint draw")
        several = len(groups) > 1
        return {
            g.key: find_distribution(
                g.problem, algorithm, time_limit=time_limit, seed=seed,
                progress=group_progress(progress, g.key, k, len(groups)) if several else progress)
            for k, g in enumerate(groups)
        }
    problem, origin = joint_problem(groups, shared_quotas)
    distribution = find_distribution(problem, algorithm, time_limit=time_limit, seed=seed,
                                     progress=progress)
    return _marginals(distribution, groups, origin)


def group_progress(progress: Progress | None, key: str, index: int,
                   count: int) -> Progress | None:
    """``progress`` for the ``index``-th of ``count`` groups drawn one after the other: its
    words prefixed by the group's key, its fraction a share of the whole run."""
    if progress is None:
        return None
    told = progress

    def update(stage: str, fraction: float) -> None:
        told(f"{key}: {stage}", (index + max(0.0, min(1.0, fraction))) / count)

    return update
