"""The select pipeline: compute, publish the lottery, let the number choose.

The one orchestration of a draw under quotas, whatever front end asks for it, with the
engine passed in (:class:`kleroterion.services.engine.Engine`: the module
``kleroterion.sortition``, a configured engine, anything with its ``find_distribution``
and ``round_distribution``; ``draw_groups`` too for seat groups drawn together), so
that a caller or a test chooses the engine without patching a module:

- :func:`compute_lottery`: the engine's distribution and its ``m`` rounded panels
  (each panel's indices sorted), the list that is published;
- :func:`publish_lottery`: the lottery folder of a computed distribution;
- :func:`select_one`: one problem's distribution; with ``out``, its lottery folder
  published (and the number recorded); with a number, the panel ``number mod m`` of
  the published (or rounded) list, rounded once; otherwise a panel drawn from the
  distribution with the seed;
- :func:`select_groups`: every seat group, jointly or separately, published as a
  grouped lottery whose one public number picks every group's panel.

``kleroterion select`` (files in, no database) calls :func:`select_one` and
:func:`select_groups`; the database draws (the back office, ``kleroterion panel``,
``member replace``, the queue's jobs) go through :mod:`kleroterion.services.panel` and
:mod:`kleroterion.services.replacements`, whose computation and publication are
:func:`compute_lottery` and :func:`publish_lottery`: the same steps, the same folders.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from kleroterion.services.engine import Engine
from kleroterion.sortition.types import Distribution, Problem

Progress = Callable[[str, float], None]


class GroupEngine(Engine, Protocol):
    """An engine that also draws seat groups together (``kleroterion.sortition`` does)."""

    def draw_groups(self, groups: Any, *, joint: bool, algorithm: str = ...,
                    time_limit: float | None = ..., seed: int | None = ...,
                    progress: Any = ...) -> Any: ...


class UnknownAlgorithm(ValueError):
    """An algorithm the engine does not have; ``known`` are those it has."""

    def __init__(self, algorithm: str, known: Sequence[str]) -> None:
        super().__init__(f"unknown algorithm {algorithm!r}; expected one of {', '.join(known)}")
        self.algorithm, self.known = algorithm, tuple(known)


def algorithm_for(requested: str | None, city_default: str | None,
                  known: Sequence[str]) -> str:
    """The algorithm a draw runs: the one asked for, else the city's, else the engine's first.

    One rule for every front end: an algorithm asked for and unknown to the engine is
    refused (:class:`UnknownAlgorithm`); a city's default the engine lacks gives way to
    the engine's first (LEXIMIN).
    """
    if requested:
        if requested not in known:
            raise UnknownAlgorithm(requested, known)
        return requested
    if city_default is not None and city_default in known:
        return city_default
    return known[0]


class GroupInfeasible(Exception):
    """The quotas of one seat group (drawn separately) cannot be met; ``error`` says how."""

    def __init__(self, key: str, error: Exception) -> None:
        super().__init__(f"seat group {key!r}: {error}")
        self.key, self.error = key, error


@dataclass
class Selection:
    """What a select run computed and drew, by seat group (one group ``""`` for one draw)."""

    seed: int
    distributions: dict[str, Distribution]
    panels: dict[str, list[int] | None]
    panel_numbers: dict[str, int] = field(default_factory=dict)
    #: ``dir``, ``digest``, ``list_digest``, ``m`` and ``number`` when there is a lottery.
    lottery: dict[str, Any] | None = None


def compute_lottery(engine: Engine, problem: Problem, algorithm: str, *, seed: int | None,
                    time_limit: float | None = None, m: int = 1000,
                    progress: Progress | None = None
                    ) -> tuple[Distribution, list[tuple[int, ...]]]:
    """The engine's distribution for ``problem`` and its ``m`` equally likely panels.

    The engine's exceptions (infeasible quotas, a time out) propagate.
    """
    distribution = engine.find_distribution(problem, algorithm, time_limit=time_limit,
                                            progress=progress, seed=seed)
    if progress is not None:
        progress("rounding", 1.0)
    return distribution, [tuple(sorted(p)) for p in engine.round_distribution(distribution,
                                                                              m=m)]


def publish_lottery(folder: Path, problem: Problem, distribution: Distribution,
                    panels: Sequence[Sequence[int]], *, seed: int | None, m: int = 1000,
                    time_limit: float | None = None,
                    extra: dict[str, Any] | None = None) -> Any:
    """Write the lottery folder of a computed distribution; its ``Lottery``.

    ``lottery.LotteryError`` and ``OSError`` propagate.
    """
    from kleroterion.sortition import lottery as lotteries

    return lotteries.publish(folder, problem, distribution, seed=seed, m=m,
                             time_limit=time_limit, panels=panels, extra=extra)


def select_one(engine: Engine, problem: Problem, algorithm: str, *, seed: int,
               time_limit: float | None = None, m: int = 1000, out: Path | None = None,
               number: int | None = None, progress: Progress | None = None) -> Selection:
    """One draw: the engine's ``InfeasibleQuotas``, ``LotteryError`` and ``OSError`` propagate."""
    from kleroterion.sortition import lottery as lotteries

    if out is None and number is None:
        distribution = engine.find_distribution(problem, algorithm, time_limit=time_limit,
                                                progress=progress, seed=seed)
        panels: list[tuple[int, ...]] = []
    else:
        distribution, panels = compute_lottery(engine, problem, algorithm, seed=seed,
                                               time_limit=time_limit, m=m, progress=progress)
    selection = Selection(seed, {"": distribution}, {"": None})
    if out is not None:
        if progress is not None:
            progress("publishing", 1.0)
        published = publish_lottery(out, problem, distribution, panels, seed=seed, m=m,
                                    time_limit=time_limit)
        selection.lottery = {"dir": str(out), "digest": published.digest,
                             "list_digest": published.list_digest, "m": m}
        if number is not None:
            drawn = lotteries.choose(out, number).draw
            assert drawn is not None
            selection.lottery.update(number=number, panel_number=drawn["panel_number"])
            selection.panels[""] = list(panels[drawn["panel_number"]])
            selection.panel_numbers[""] = drawn["panel_number"]
    elif number is not None:
        selection.panels[""] = list(panels[number % m])
        selection.panel_numbers[""] = number % m
        selection.lottery = {"m": m, "number": number, "panel_number": number % m}
    else:
        index = random.Random(seed).choices(range(len(distribution.panels)),
                                            distribution.weights)[0]
        selection.panels[""] = list(distribution.panels[index])
    return selection


def select_groups(engine: GroupEngine, problems: Mapping[str, Problem], algorithm: str, *,
                  joint: bool, seed: int, time_limit: float | None = None, m: int = 1000,
                  out: Path | None = None, number: int | None = None,
                  infeasible: type[Exception] = ValueError,
                  progress: Progress | None = None) -> Selection:
    """Every seat group in one run; ``infeasible`` is the engine's ``InfeasibleQuotas``.

    Separate draws go one group at a time, so that infeasible quotas name their group
    (:class:`GroupInfeasible`); a joint draw's infeasibility propagates as it is.
    ``progress`` hears the engine's words (prefixed by the group's key when separate),
    then ``rounding`` and ``publishing``.
    """
    from kleroterion.sortition import SeatGroupProblem
    from kleroterion.sortition.grouped import choose_groups, group_number, publish_groups
    from kleroterion.sortition.groups import group_progress

    groups = [SeatGroupProblem(key, problem) for key, problem in problems.items()]
    distributions: dict[str, Distribution] = {}
    if joint:
        distributions = dict(engine.draw_groups(groups, joint=True, algorithm=algorithm,
                                                time_limit=time_limit, seed=seed,
                                                progress=progress))
    else:
        for k, seat_group in enumerate(groups):
            try:
                distributions.update(engine.draw_groups(
                    [seat_group], joint=False, algorithm=algorithm, time_limit=time_limit,
                    seed=seed, progress=group_progress(progress, seat_group.key, k,
                                                       len(groups))))
            except infeasible as error:
                raise GroupInfeasible(seat_group.key, error) from error
    selection = Selection(seed, distributions, {key: None for key in problems})
    if out is None and number is None:
        for key in problems:
            # Each group's panel from its own stream of the one seed.
            weights = distributions[key].weights
            index = random.Random(f"{seed}:{key}").choices(range(len(weights)), weights)[0]
            selection.panels[key] = list(distributions[key].panels[index])
        return selection
    if progress is not None:
        progress("rounding", 1.0)
    rounded = {key: engine.round_distribution(distributions[key], m=m) for key in problems}
    if out is not None:
        if progress is not None:
            progress("publishing", 1.0)
        manifest = publish_groups(out, problems, distributions, joint=joint, seed=seed, m=m,
                                  time_limit=time_limit, panels=rounded)
        if number is not None:
            choose_groups(out, number)
        selection.lottery = {"dir": str(out), "digest": manifest["digest"],
                             "list_digest": manifest["list_digest"], "m": m}
    else:
        selection.lottery = {"m": m}
    if number is not None:
        selection.lottery["number"] = number
        for key in problems:
            selection.panel_numbers[key] = group_number(number, key) % m
            selection.panels[key] = list(rounded[key][selection.panel_numbers[key]])
    return selection
