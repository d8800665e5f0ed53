"""The sortition engine a draw computes with: passed in by whoever runs the draw, never patched.

A database draw (a panel's, a replacement's) asks its engine two things: the
distribution over panels (``find_distribution``) and its ``m`` equally likely panels
(``round_distribution``). :class:`Engine` is that shape; :class:`SortitionEngine` is
the named object a setting designates, and :data:`LEXIMIN` (kleroterion's own,
``kleroterion.sortition``) the default.

The engine is chosen once per process by the setting ``KLEROTERION_SORTITION_ENGINE``
(:data:`SETTING`): a dotted path ``module:object`` (or ``module`` alone) naming a
:class:`SortitionEngine`, or any object or module with ``find_distribution`` and
``round_distribution``. The web app reads it in ``create_app`` (from its
configuration, else the environment), the job worker through that same app, the
command line from the environment; each passes the engine to the services. A path
that does not load stops start-up with :class:`EngineSettingError`, naming the
setting and the value. The engine's name is recorded in every lottery it computes
(the manifest's ``sortition_engine``, the draw's inputs).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from kleroterion.sortition.types import Distribution, Problem

#: The setting that chooses the engine: ``module:object``; default :data:`DEFAULT`.
SETTING = "KLEROTERION_SORTITION_ENGINE"
#: The default engine's dotted path: kleroterion's LEXIMIN.
DEFAULT = "kleroterion.services.engine:LEXIMIN"
#: What the configuration reference (docs/configuration.md) says of the setting.
SETTING_MEANING = (
    "the sortition engine of the panel and replacement draws: a dotted path module:object "
    "naming a `SortitionEngine` (or any object or module with `find_distribution` and "
    "`round_distribution`); read once at start-up by the web app, the worker (the same "
    "value for both) and the commands; a path that does not load stops start-up naming "
    "the setting and the value; each lottery's manifest records the engine's name "
    "(`sortition_engine`)"
)


class Engine(Protocol):
    """What a draw needs of a sortition engine (``kleroterion.sortition`` has it)."""

    def find_distribution(self, problem: Problem, algorithm: str = ..., *,
                          time_limit: float | None = ..., progress: Any = ...,
                          seed: int | None = ...) -> Distribution: ...

    def round_distribution(self, distribution: Distribution,
                           m: int = ...) -> list[tuple[int, ...]]: ...


@dataclass(frozen=True)
class SortitionEngine:
    """A named sortition engine: what the setting designates and the manifest records.

    ``finder`` and ``rounder`` are the engine's ``find_distribution`` and
    ``round_distribution``; ``algorithms`` those it has (the first is its default);
    ``refusals`` the exceptions by which it refuses a problem (infeasible quotas),
    which a draw records as its failure instead of a crash.
    """

    name: str
    finder: Callable[..., Distribution]
    rounder: Callable[..., list[tuple[int, ...]]]
    algorithms: tuple[str, ...] = ("leximin",)
    refusals: tuple[type[BaseException], ...] = field(default=())

    def find_distribution(self, problem: Problem, algorithm: str = "leximin", *,
                          time_limit: float | None = None, progress: Any = None,
                          seed: int | None = None) -> Distribution:
        return self.finder(problem, algorithm, time_limit=time_limit, progress=progress,
                           seed=seed)

    def round_distribution(self, distribution: Distribution,
                           m: int = 1000) -> list[tuple[int, ...]]:
        return self.rounder(distribution, m=m)


def _find(problem: Problem, algorithm: str = "leximin", **options: Any) -> Distribution:
    from kleroterion import sortition  # the solvers load on first use

    return sortition.find_distribution(problem, algorithm, **options)


def _round(distribution: Distribution, m: int = 1000) -> list[tuple[int, ...]]:
    from kleroterion import sortition

    return sortition.round_distribution(distribution, m=m)


def _leximin() -> SortitionEngine:
    from kleroterion.sortition import ALGORITHMS, InfeasibleQuotas

    return SortitionEngine("kleroterion LEXIMIN", _find, _round, tuple(ALGORITHMS),
                           (InfeasibleQuotas,))


#: kleroterion's own engine (``kleroterion.sortition``): LEXIMIN, and LEGACY to compare.
LEXIMIN = _leximin()


class EngineSettingError(ValueError):
    """The engine setting names nothing that loads, or something that is no engine."""

    def __init__(self, value: object, reason: str) -> None:
        super().__init__(
            f"{SETTING} {value!r} {reason}; expected a dotted path module:object naming a "
            f"sortition engine (with find_distribution and round_distribution), such as "
            f"the default {DEFAULT}")
        self.value = value


def engine_of(value: object, name: str | None = None) -> SortitionEngine:
    """``value`` as a :class:`SortitionEngine` (one, a module or object with its methods)."""
    if isinstance(value, SortitionEngine):
        return value
    find = getattr(value, "find_distribution", None)
    rounding = getattr(value, "round_distribution", None)
    if not (callable(find) and callable(rounding)):
        raise EngineSettingError(name if name is not None else value,
                                 "has no find_distribution and round_distribution")
    refusal = getattr(value, "InfeasibleQuotas", None)
    refusals = (refusal,) if isinstance(refusal, type) and issubclass(refusal,
                                                                    BaseException) else ()
    algorithms = tuple(getattr(value, "ALGORITHMS", None) or ("leximin",))
    label = name or getattr(value, "name", None) or getattr(value, "__name__", None)
    return SortitionEngine(str(label or type(value).__name__), find, rounding, algorithms,
                           refusals)


def load(path: str) -> SortitionEngine:
    """The engine a dotted path ``module:object`` (or ``module``) designates.

    Raises :class:`EngineSettingError` naming the setting and the value when the module
    does not import, has no such object, or the object is no engine.
    """
    text = path.strip()
    module_name, _, attribute = text.partition(":")
    if not module_name or (":" in text and not attribute):
        raise EngineSettingError(path, "is not a dotted path")
    try:
        target: Any = importlib.import_module(module_name)
    except ImportError as error:
        raise EngineSettingError(path, f"cannot be imported ({error.name or module_name} "
                                       "not found)") from None
    for part in attribute.split(".") if attribute else ():
        try:
            target = getattr(target, part)
        except AttributeError:
            raise EngineSettingError(path, f"names nothing: {module_name} has no "
                                           f"{attribute}") from None
    return engine_of(target, path)


def configured(settings: Mapping[str, Any] | None = None) -> SortitionEngine:
    """The engine the setting chooses: ``settings`` (an app's configuration) first, then
    the environment, else :data:`LEXIMIN`. A setting may also hold an engine itself."""
    value: Any = (settings or {}).get(SETTING)
    if value in (None, ""):
        value = os.environ.get(SETTING, "")
    if isinstance(value, str):
        return LEXIMIN if value.strip() in ("", DEFAULT) else load(value)
    return engine_of(value)


def name_of(engine: object) -> str:
    """The name a lottery records of the engine that computed it."""
    if engine is None:
        return LEXIMIN.name
    name = getattr(engine, "name", None)
    return str(name) if isinstance(name, str) else type(engine).__name__


__all__ = ["DEFAULT", "LEXIMIN", "SETTING", "Engine", "EngineSettingError", "SortitionEngine",
           "configured", "engine_of", "load", "name_of"]
