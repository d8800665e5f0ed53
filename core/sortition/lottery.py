"""The published transparent lottery: a numbered list of panels, a public number, a check.

After Flanigan, Kehne and Procaccia, "Fair sortition made transparent" (NeurIPS
2021): the selection distribution is rounded to ``m`` equally likely panels; the
numbered list and the folder's digest are published *before* the draw; a number
from a public source (dice, a national lottery, a bailiff) then picks the panel;
anyone can re-derive the list from the published inputs and check the choice
(:mod:`kleroterion.sortition.verify`).

A lottery folder holds:

``respondents.csv``
    ``id``, one column per feature and, when the household rule applied, an opaque
    ``household`` number. Pseudonymous ids and selection features only.
``quotas.csv``
    ``feature,value,min,max,min_flex,max_flex``.
``panels.csv``
    ``number,seat_1,...,seat_k``: the ``m`` panels, numbered **0 to m−1**, each a
    list of respondent ids.
``probabilities.csv``
    ``id,probability,panels``: each respondent's selection probability under the
    computed distribution, and in how many of the ``m`` panels they sit (their
    probability in the lottery actually held is ``panels / m``).
``manifest.json``
    The algorithm, seats, seed, ``m``, engine version, the rule, the rounding's
    guarantee (``rounding.max_deviation``: no respondent's count of panels is further
    than this from m times their probability), the SHA-256 of every file above,
    ``list_digest`` (the digest of ``panels.csv``), ``digest`` (the digest of the
    manifest itself, which binds all of it: the one to publish before the draw), and
    once drawn, the public number and the chosen panel.

**The rule**: given the public number N (an integer ≥ 0), the panel drawn is the
one numbered ``N mod m`` in ``panels.csv`` (0-based: with m = 1000, the last three
digits of N).

A seat-grouped draw is published as one such folder per group under a top-level
manifest, with its own rule for the one public number: see
:mod:`kleroterion.sortition.grouped`; a uniform draw (everyone the same chance) as
the folder of :mod:`kleroterion.sortition.uniform`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kleroterion.sortition.manifest import (
    FORMAT,
    HOUSEHOLD_COLUMN,
    MANIFEST,
    PANELS,
    PROBABILITIES,
    QUOTAS,
    RESPONDENTS,
    Lottery,
    LotteryError,
    check_new,
    csv_text,
    engine,
    load,
    manifest_digest,
    new_folder,
    now,
    sha256_file,
    write_json,
)
from kleroterion.sortition.types import Distribution, Problem
from kleroterion.sortition.verify import Difference, VerifyReport, read_problem, verify
from kleroterion.sortition.verify_checks import max_deviation

__all__ = [
    "FORMAT",
    "HOUSEHOLD_COLUMN",
    "MANIFEST",
    "PANELS",
    "PROBABILITIES",
    "QUOTAS",
    "RESPONDENTS",
    "RULE",
    "Difference",
    "Lottery",
    "LotteryError",
    "VerifyReport",
    "choose",
    "engine",
    "load",
    "publish",
    "read_problem",
    "verify",
]

RULE = (
    "The panels in panels.csv are numbered 0 to m-1. Given the public number N "
    "(an integer >= 0), the panel drawn is the one numbered N mod m."
)
ROUNDING_GUARANTEE = (
    "Each respondent sits in panels.csv a number of times within rounding.max_deviation "
    "of m times their probability; the rounding keeps that within 2 panels, or within "
    "what the engine's own rounding reaches where the quotas allow no better."
)


def _published_features(problem: Problem) -> tuple[str, ...]:
    return tuple(dict.fromkeys(q.feature for q in problem.quotas))


def _blank(value: int | None) -> str | int:
    return "" if value is None else value


def publish(
    directory: str | Path,
    problem: Problem,
    distribution: Distribution,
    *,
    seed: int | None,
    m: int = 1000,
    time_limit: float | None = None,
    panels: Sequence[Sequence[int]] | None = None,
    extra: dict[str, Any] | None = None,
) -> Lottery:
    """Write the lottery folder ``directory`` for ``distribution`` (computed with ``seed``).

    ``panels`` are the ``m`` equally likely panels as pool indices; by default the
    engine's ``round_distribution(distribution, m)``. ``directory`` must not exist or
    be empty; it is built in a temporary folder beside it and renamed into place, so
    an error leaves no half-written folder; it is readable by all (mode 0755, files
    0644). The pool's features must be those of the quotas, in the quotas' order (as
    :func:`~kleroterion.sortition.io.read_respondents` gives them), so that re-reading
    the published files gives the same problem. ``extra`` adds keys to the manifest
    (a seat group's key, whether its draw was joint).
    """
    directory = Path(directory)
    pool = problem.pool
    if pool.features != _published_features(problem):
        raise LotteryError(
            "the pool's features must be the quotas' features in the quotas' order "
            f"({', '.join(_published_features(problem))}); got {', '.join(pool.features)}"
        )
    check_new(directory)
    if panels is None:
        from kleroterion.sortition import round_distribution

        panels = round_distribution(distribution, m=m)
    if len(panels) != m:
        raise LotteryError(f"expected {m} panels, got {len(panels)}")

    households = pool.households is not None
    respondent_rows = [
        [pool.ids[i], *pool.values[i]] + ([(pool.households or ())[i] or ""] if households else [])
        for i in range(len(pool))
    ]
    seats_in = Counter(i for panel in panels for i in panel)
    files = {
        RESPONDENTS: csv_text(
            ["id", *pool.features] + ([HOUSEHOLD_COLUMN] if households else []),
            respondent_rows,
        ),
        QUOTAS: csv_text(
            ["feature", "value", "min", "max", "min_flex", "max_flex"],
            [
                [q.feature, q.value, q.min, q.max, _blank(q.min_flex), _blank(q.max_flex)]
                for q in problem.quotas
            ],
        ),
        PANELS: csv_text(
            ["number", *(f"seat_{s + 1}" for s in range(problem.seats))],
            [
                [number, *(pool.ids[i] for i in sorted(panel))]
                for number, panel in enumerate(panels)
            ],
        ),
        PROBABILITIES: csv_text(
            ["id", "probability", "panels"],
            [
                [pool.ids[i], repr(float(distribution.probabilities[i])), seats_in[i]]
                for i in range(len(pool))
            ],
        ),
    }
    probabilities = [float(p) for p in distribution.probabilities]

    with new_folder(directory) as temporary:
        for name, text in files.items():
            (temporary / name).write_text(text, encoding="utf-8", newline="")
        digests = {name: sha256_file(temporary / name) for name in files}
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "engine": engine(),
            "algorithm": distribution.algorithm,
            "seats": problem.seats,
            "respondents": len(pool),
            "households": households,
            "seed": seed,
            "time_limit": time_limit,
            "optimal": distribution.optimal,
            "min_probability": min(probabilities, default=0.0),
            "m": m,
            "numbering": "0-based",
            "rule": RULE,
            "rounding": {
                "max_deviation": max_deviation(
                    probabilities, [seats_in[i] for i in range(len(pool))], m
                ),
                "guarantee": ROUNDING_GUARANTEE,
            },
            "list_digest": digests[PANELS],
            "files": digests,
            "published_at": now(),
            **(extra or {}),
        }
        manifest["digest"] = manifest_digest(manifest)
        manifest["draw"] = None
        write_json(temporary / MANIFEST, manifest)
    return Lottery(directory, manifest, [[pool.ids[i] for i in sorted(p)] for p in panels])


def choose(directory: str | Path, number: int) -> Lottery:
    """Record the public ``number`` and the panel it draws: the one numbered ``number mod m``.

    Panels are numbered from 0, so with m = 1000 the panel is given by the last three
    digits of the number. The folder must still match the digests published before
    the draw. Recording a second, different number is refused; recording the same
    one again changes nothing.
    """
    directory = Path(directory)
    if isinstance(number, bool) or not isinstance(number, int) or number < 0:
        raise LotteryError(f"the public number must be an integer ≥ 0, not {number!r}")
    lottery = load(directory)
    actual = sha256_file(directory / PANELS)
    if actual != lottery.list_digest:
        raise LotteryError(
            f"{directory / PANELS} no longer matches the published digest "
            f"{lottery.list_digest} (it is now {actual}); refusing to draw"
        )
    if "digest" in lottery.manifest and manifest_digest(lottery.manifest) != lottery.digest:
        raise LotteryError(
            f"{directory / MANIFEST} no longer matches its published digest "
            f"{lottery.digest}; refusing to draw"
        )
    previous = lottery.draw
    if previous is not None:
        if previous.get("number") == number:
            return lottery
        raise LotteryError(
            f"{directory / MANIFEST}: the number {previous.get('number')} is already recorded; "
            "a lottery is drawn once"
        )
    if len(lottery.panels) != lottery.m:
        raise LotteryError(f"{directory / PANELS}: {len(lottery.panels)} panels, not {lottery.m}")
    panel_number = number % lottery.m
    manifest = dict(lottery.manifest)
    manifest["draw"] = {
        "number": number,
        "panel_number": panel_number,
        "rule": f"{number} mod {lottery.m} = {panel_number}",
        "panel": lottery.panels[panel_number],
        "recorded_at": now(),
    }
    write_json(directory / MANIFEST, manifest)
    return Lottery(directory, manifest, lottery.panels)
