"""The checks :func:`~kleroterion.sortition.verify.verify` runs once the draw is re-run.

Each one compares what a lottery folder publishes with what the re-run gives and writes
what differs in the :class:`~kleroterion.sortition.verify.VerifyReport`: every published
panel against the quotas and the household rule, the panels one by one against the
re-run's (same engine only), each respondent's probability and count of panels, the
manifest's informational fields, and the panel the public number picks. Long lists of
differences are cut at ``_MAX_LISTED`` with a count of the rest.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kleroterion.sortition.manifest import (
    MANIFEST,
    PANELS,
    PROBABILITIES,
    QUOTAS,
    RESPONDENTS,
    engine,
    read_panels,
)
from kleroterion.sortition.types import Distribution, Problem, composition

if TYPE_CHECKING:
    from kleroterion.sortition.verify import VerifyReport

__all__ = ["BOUND_SLACK", "PROBABILITY_TOLERANCE", "allowed_deviation", "check_draw",
           "check_informational", "check_panels_allowed", "check_probabilities", "check_shares",
           "compare_panels", "max_deviation", "rerun_deviation"]

#: Published probabilities and recomputed ones may differ in the last float digits
#: between machines (and HiGHS versions); beyond this they are reported.
PROBABILITY_TOLERANCE = 1e-6
#: The re-run's probabilities, and so m·π, may differ from the published run's in the last
#: digits: the bound on the rounding's deviation is checked with this slack (in panels).
BOUND_SLACK = 1e-6
_MAX_LISTED = 10


def max_deviation(probabilities: Sequence[float], counts: Sequence[int], m: int) -> float:
    """The largest |count − m·probability| over the respondents: the rounding's own figure."""
    return max((abs(c - m * p) for p, c in zip(probabilities, counts, strict=True)), default=0.0)


def _engine_name(recorded: Any) -> str:
    if not isinstance(recorded, dict):
        return "an engine the manifest does not name"
    return ", ".join(f"{key} {value}" for key, value in recorded.items() if key != "name") or "?"


def compare_panels(
    report: VerifyReport,
    manifest: dict[str, Any],
    published: list[tuple[str, list[str]]],
    recomputed_ids: list[list[str]],
) -> None:
    m = int(manifest["m"])
    differing = [
        n
        for n in range(max(len(recomputed_ids), len(published)))
        if n >= len(published) or n >= len(recomputed_ids) or published[n][1] != recomputed_ids[n]
    ]
    published_by, verified_by = manifest.get("engine"), engine()
    if differing and published_by != verified_by:
        # LEXIMIN fixes every respondent's probability, not the panels that realise it:
        # another version of the engine or of HiGHS may decompose the same probabilities
        # into other panels. What fairness rests on is checked whatever the version
        # (the quotas, and each respondent's count of panels against the re-run).
        report.notes.append(
            f"{len(differing)} of the {m} panels differ from this re-run, which is not "
            f"compared panel by panel: the folder was published by {_engine_name(published_by)}"
            f" and this is {_engine_name(verified_by)}; run the same versions to compare "
            "them panel by panel"
        )
        differing = []
    for n in differing[:_MAX_LISTED]:
        if n >= len(published):
            report.differ(PANELS, f"panel {n}", "missing; the re-run has it")
        elif n >= len(recomputed_ids):
            report.differ(PANELS, f"panel {n}", "not produced by the re-run")
        else:
            only_published = sorted(set(published[n][1]) - set(recomputed_ids[n]))
            only_recomputed = sorted(set(recomputed_ids[n]) - set(published[n][1]))
            detail = (
                f"published has {', '.join(only_published) or 'no other id'}, "
                f"the re-run has {', '.join(only_recomputed) or 'no other id'} instead"
                if only_published or only_recomputed
                else "same members in another order"
            )
            report.differ(PANELS, f"panel {n}", detail)
    if len(differing) > _MAX_LISTED:
        report.differ(PANELS, "", f"and {len(differing) - _MAX_LISTED} more panels differ")
    if published_by == verified_by:
        report.checked.append(f"the {m} panels re-derived from {RESPONDENTS} and {QUOTAS}")


def check_panels_allowed(
    problem: Problem, published: list[tuple[str, list[str]]], report: VerifyReport
) -> None:
    """Every panel: distinct respondents of the pool, every quota met, one per household."""
    pool = problem.pool
    index = {ident: i for i, ident in enumerate(pool.ids)}
    listed = 0

    def differ(where: str, detail: str) -> None:
        nonlocal listed
        listed += 1
        if listed <= _MAX_LISTED:
            report.differ(PANELS, where, detail)

    for number, ids in published:
        unknown = sorted(ident for ident in set(ids) if ident not in index)
        if unknown:
            differ(f"panel {number}", f"ids not in {RESPONDENTS}: {', '.join(unknown)}")
            continue
        if len(set(ids)) != len(ids):
            differ(f"panel {number}", "an id appears twice")
        members = [index[ident] for ident in ids]
        for quota, count in composition(problem, members):
            if not quota.min <= count <= quota.max:
                differ(f"panel {number}", f"{count} {quota.feature}={quota.value}, the quota "
                                          f"allows {quota.min} to {quota.max}")
        if pool.households is not None:
            homes = [pool.households[i] for i in members if pool.households[i] is not None]
            if len(set(homes)) != len(homes):
                differ(f"panel {number}", "two members of one household")
    if listed > _MAX_LISTED:
        report.differ(PANELS, "", f"and {listed - _MAX_LISTED} more panels break a quota")
    report.checked.append(f"every panel of {PANELS} meets the quotas of {QUOTAS}")


def _published_bound(manifest: dict[str, Any], seats: int) -> float:
    """The rounding's published ``max_deviation``; a /1 folder's bound is the seats."""
    rounding = manifest.get("rounding")
    if isinstance(rounding, dict) and isinstance(rounding.get("max_deviation"), int | float):
        return float(rounding["max_deviation"])
    return float(max(seats, 1))


def check_shares(
    report: VerifyReport,
    manifest: dict[str, Any],
    ids: Sequence[str],
    distribution: Distribution,
    published: list[tuple[str, list[str]]],
    m: int,
    seats: int,
) -> None:
    """Each respondent's count of panels is within the published rounding deviation of m·π.

    π is the re-run's probability, which LEXIMIN fixes whatever the engine's version;
    the bound is the rounding's own ``max_deviation`` as the manifest publishes it
    (bound by the digest), plus the float tolerance on π. A respondent further off was
    favoured or left out by the published list.
    """
    seats_in = Counter(i for _, panel in published for i in panel)
    bound = _published_bound(manifest, seats)
    slack = m * PROBABILITY_TOLERANCE
    off = [
        (ident, seats_in[ident], m * distribution.probabilities[index])
        for index, ident in enumerate(ids)
        if abs(seats_in[ident] - m * distribution.probabilities[index]) > bound + slack
    ]
    for ident, count, expected in off[:_MAX_LISTED]:
        report.differ(
            PANELS,
            f"id {ident}",
            f"in {count} of the {m} panels; the re-computed probability gives {expected:.2f} "
            f"and the rounding published a deviation of at most {bound:.4g}",
        )
    if len(off) > _MAX_LISTED:
        report.differ(PANELS, "", f"and {len(off) - _MAX_LISTED} more respondents")
    report.checked.append(
        f"each respondent's count of the {m} panels is within the rounding's published "
        f"deviation ({bound:.4g}) of m times the re-computed probability"
    )


def check_probabilities(
    directory: Path,
    report: VerifyReport,
    ids: Sequence[str],
    distribution: Distribution,
    published: list[tuple[str, list[str]]],
) -> None:
    path = directory / PROBABILITIES
    if not path.exists():
        return
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    seats_in = Counter(i for _, panel in published for i in panel)
    by_id = {row.get("id"): row for row in rows}
    listed = 0
    for index, ident in enumerate(ids):
        row = by_id.get(ident)
        if row is None:
            report.differ(PROBABILITIES, f"id {ident}", "missing")
            continue
        problems = []
        try:
            if (
                abs(float(row["probability"]) - distribution.probabilities[index])
                > PROBABILITY_TOLERANCE
            ):
                problems.append(
                    f"probability {row['probability']}, the re-run gives "
                    f"{distribution.probabilities[index]!r}"
                )
            if int(row["panels"]) != seats_in[ident]:
                problems.append(f"panels {row['panels']}, {PANELS} has {seats_in[ident]}")
        except (TypeError, ValueError, KeyError):
            problems.append(f"unreadable row {row!r}")
        for detail in problems:
            listed += 1
            if listed <= _MAX_LISTED:
                report.differ(PROBABILITIES, f"id {ident}", detail)
    if listed > _MAX_LISTED:
        report.differ(PROBABILITIES, "", f"and {listed - _MAX_LISTED} more differences")
    report.checked.append("per-respondent probabilities, and counts of panels exactly")


def _published_probabilities(directory: Path, ids: Sequence[str]) -> list[float] | None:
    try:
        text = (directory / PROBABILITIES).read_text(encoding="utf-8")
        by_id = {row["id"]: float(row["probability"])
                 for row in csv.DictReader(io.StringIO(text, newline=""))}
        return [by_id[ident] for ident in ids]
    except (OSError, KeyError, TypeError, ValueError):
        return None  # reported by check_probabilities


def rerun_deviation(
    distribution: Distribution, recomputed: Sequence[Sequence[int]], m: int
) -> float:
    """The largest change of probability (in panels) of the re-run's own rounding."""
    counts = Counter(i for panel in recomputed for i in panel)
    return max_deviation(distribution.probabilities,
                         [counts[i] for i in range(len(distribution.probabilities))], m)


def allowed_deviation(rerun: float) -> float:
    """How far the published rounding may move anyone, in panels: the engine's bound
    (``rounding.BOUND``), or what the re-run's own rounding reaches where it cannot."""
    from kleroterion.sortition.rounding import BOUND

    return max(BOUND, rerun) + BOUND_SLACK


def check_informational(
    directory: Path,
    report: VerifyReport,
    manifest: dict[str, Any],
    problem: Problem,
    distribution: Distribution,
    rerun: float,
) -> None:
    """The manifest's summary fields, recomputed from the files and the re-run.

    ``rerun`` is the re-run's own rounding's largest change (in panels): the published one
    may not exceed the rounding's bound of two panels, nor the re-run's where the quotas
    keep it above: a list that favours someone by more is refused, whatever the version.
    """
    ids = problem.pool.ids
    if manifest.get("respondents", len(ids)) != len(ids):
        report.differ(MANIFEST, "respondents",
                      f"{manifest.get('respondents')!r}, {RESPONDENTS} has {len(ids)}")
    if bool(manifest.get("households")) != (problem.pool.households is not None):
        report.differ(MANIFEST, "households", "does not match the columns of respondents.csv")
    rerun_min = min(distribution.probabilities, default=0.0)
    stated = manifest.get("min_probability")
    if "min_probability" in manifest and not (
        isinstance(stated, int | float) and not isinstance(stated, bool)
        and abs(float(stated) - rerun_min) <= PROBABILITY_TOLERANCE
    ):
        report.differ(MANIFEST, "min_probability",
                      f"{stated!r}, the re-run's smallest probability is {rerun_min!r}")
    rounding = manifest.get("rounding")
    published = _published_probabilities(directory, ids)
    if isinstance(rounding, dict) and published is not None:
        m, seats = int(manifest["m"]), int(manifest["seats"])
        counts = Counter(i for _, panel in read_panels(directory / PANELS) for i in panel)
        actual = max_deviation(published, [counts[i] for i in ids], m)
        stated = rounding.get("max_deviation")
        if not (isinstance(stated, int | float) and not isinstance(stated, bool)
                and math.isclose(float(stated), actual, rel_tol=1e-9, abs_tol=1e-9)):
            report.differ(MANIFEST, "rounding.max_deviation",
                          f"{stated!r}, the published panels and probabilities give {actual!r}")
        elif actual > allowed_deviation(rerun) + m * PROBABILITY_TOLERANCE:
            report.differ(MANIFEST, "rounding.max_deviation",
                          f"{actual!r} panels, above the rounding's guarantee "
                          f"({allowed_deviation(rerun):.4g}: two panels, or the re-run's own "
                          f"{rerun:.4g} where the quotas allow no better)")
        elif actual >= max(seats, 1):
            report.differ(MANIFEST, "rounding.max_deviation",
                          f"{actual!r} reaches the seats ({seats}), which the rounding "
                          "guarantees it never does")
    report.checked.append("the manifest's respondents, min_probability and rounding deviation")


def check_draw(
    manifest: dict[str, Any],
    report: VerifyReport,
    published: list[tuple[str, list[str]]],
    m: int,
    given: int | None,
) -> None:
    draw = manifest.get("draw")
    if draw is None:
        if given is not None:
            report.differ(MANIFEST, "draw", f"no number recorded; the public number is {given}")
            report.number, report.panel_number = given, given % m
            if given % m < len(published):
                report.panel = published[given % m][1]
        else:
            report.notes.append("no public number recorded yet")
        return
    number, panel_number = draw.get("number"), draw.get("panel_number")
    if isinstance(number, bool) or not isinstance(number, int) or number < 0:
        report.differ(MANIFEST, "draw.number", f"{number!r} is not an integer ≥ 0")
        return
    if given is not None and given != number:
        report.differ(MANIFEST, "draw.number",
                      f"{number} is recorded; the public number is {given}")
        number = given
    report.number = number
    report.panel_number = number % m
    if panel_number != number % m:
        report.differ(
            MANIFEST,
            "draw.panel_number",
            f"{panel_number!r}, but {number} mod {m} = {number % m}",
        )
    expected = published[number % m][1] if number % m < len(published) else None
    report.panel = expected
    if draw.get("panel") != expected:
        report.differ(
            MANIFEST,
            "draw.panel",
            f"the recorded panel is not panel {number % m} of {PANELS}",
        )
    report.checked.append(f"the chosen panel is number {number} mod {m} = {number % m}"
                          + (" (the public number given)" if given is not None else ""))

