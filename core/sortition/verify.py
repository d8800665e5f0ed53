"""``verify``: re-derive a published lottery folder and report every difference.

What is checked, in order: the manifest's own digest (and that it is the digest
published before the draw, when given), every file's SHA-256, the panels as written,
every panel against the quotas and the household rule, a re-run of the algorithm
from the published respondents and quotas, every respondent's probability and count
of panels (exactly the count ``probabilities.csv`` publishes, within the rounding's
published ``max_deviation`` of m times the re-computed probability), the manifest's
informational fields recomputed (``respondents``, ``min_probability``,
``rounding.max_deviation``, which may not exceed the rounding's bound of two panels, or
the re-run's own rounding's deviation where the quotas allow no better), and that the
recorded panel is the one the public number picks (the number given to ``verify``, when
given). ``docs/verification.md`` says what
this proves and what it cannot.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kleroterion.sortition.io import InputError, read_quotas, read_respondents
from kleroterion.sortition.manifest import (
    HOUSEHOLD_COLUMN,
    MANIFEST,
    PANELS,
    PROBABILITIES,
    QUOTAS,
    RESPONDENTS,
    LotteryError,
    engine,
    manifest_digest,
    read_manifest,
    read_panels,
    sha256_file,
)
from kleroterion.sortition.types import Distribution, Problem, composition

__all__ = ["Difference", "VerifyReport", "allowed_deviation", "max_deviation", "read_problem",
           "verify"]

#: Published probabilities and recomputed ones may differ in the last float digits
#: between machines (and HiGHS versions); beyond this they are reported.
PROBABILITY_TOLERANCE = 1e-6
#: The re-run's probabilities, and so m·π, may differ from the published run's in the last
#: digits: the bound on the rounding's deviation is checked with this slack (in panels).
BOUND_SLACK = 1e-6
_MAX_LISTED = 10


@dataclass(frozen=True)
class Difference:
    """One thing that does not match: which file, where in it, and how."""

    file: str
    where: str
    detail: str

    def __str__(self) -> str:
        return f"{self.file}{', ' + self.where if self.where else ''}: {self.detail}"


@dataclass
class VerifyReport:
    """What :func:`verify` checked and every difference it found (``ok`` when none)."""

    directory: Path
    differences: list[Difference] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    list_digest: str | None = None
    digest: str | None = None
    number: int | None = None
    panel_number: int | None = None
    panel: list[str] | None = None

    @property
    def ok(self) -> bool:
        return not self.differences

    def differ(self, file: str, where: str, detail: str) -> None:
        self.differences.append(Difference(file, where, detail))

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "directory": str(self.directory),
            "digest": self.digest,
            "list_digest": self.list_digest,
            "number": self.number,
            "panel_number": self.panel_number,
            "panel": self.panel,
            "checked": self.checked,
            "notes": self.notes,
            "differences": [vars(d) for d in self.differences],
        }

    def __str__(self) -> str:
        lines = [f"{'OK' if self.ok else 'DIFFERENCES FOUND'}: {self.directory}"]
        if self.panel is not None and self.number is not None:
            lines.append(f"  panel drawn by {self.number}: {', '.join(self.panel)}")
        lines += [f"  checked: {c}" for c in self.checked]
        lines += [f"  note: {n}" for n in self.notes]
        lines += [f"  differs: {d}" for d in self.differences]
        return "\n".join(lines)


def max_deviation(probabilities: Sequence[float], counts: Sequence[int], m: int) -> float:
    """The largest |count − m·probability| over the respondents: the rounding's own figure."""
    return max((abs(c - m * p) for p, c in zip(probabilities, counts, strict=True)), default=0.0)


def read_problem(directory: Path, manifest: dict[str, Any]) -> Problem:
    """The problem a lottery folder publishes: its respondents, quotas and seats."""
    quotas = read_quotas(directory / QUOTAS)
    household = (HOUSEHOLD_COLUMN,) if manifest.get("households") else ()
    pool = read_respondents(directory / RESPONDENTS, quotas, id_column="id", household=household)
    return Problem(pool=pool, quotas=quotas.quotas, seats=int(manifest["seats"]))


def check_digest(
    report: VerifyReport, manifest: dict[str, Any], digest: str | None, where: str = ""
) -> None:
    """The manifest's own digest, and the one published before the draw when given."""
    prefix = f"{where}/" if where else ""
    if "digest" not in manifest:
        # A folder of the first format: only panels.csv was bound by a published digest.
        actual = manifest.get("list_digest")
        report.notes.append(
            "this folder predates the manifest digest: the published digest covers "
            "panels.csv only, not the manifest nor the respondents"
        )
    else:
        actual = manifest_digest(manifest)
        report.digest = actual
        if manifest["digest"] != actual:
            report.differ(
                f"{prefix}{MANIFEST}",
                "digest",
                f"the manifest says {manifest['digest']}, its content gives {actual}",
            )
    if digest is None:
        report.notes.append(
            "no digest published before the draw was given (--digest): the folder is "
            "consistent with itself, which does not prove it is the one published"
        )
        return
    given = digest.strip().lower()
    if given == actual:
        report.checked.append("the folder is the one whose digest was published before the draw")
    elif "digest" in manifest and given == manifest.get("list_digest"):
        report.differ(
            f"{prefix}{MANIFEST}",
            "digest",
            f"{given} is the digest of panels.csv alone; the digest published before the "
            f"draw is the folder's ({actual}), which binds every file and the manifest",
        )
    else:
        report.differ(
            f"{prefix}{MANIFEST}",
            "digest",
            f"the digest published before the draw is {given}, the folder gives {actual}",
        )


def verify(
    directory: str | Path,
    *,
    digest: str | None = None,
    number: int | None = None,
    progress: Callable[[str, float], None] | None = None,
    recompute: Callable[[Problem], Distribution] | None = None,
) -> VerifyReport:
    """Re-derive a published lottery and report every difference.

    ``digest`` is the digest published before the draw; ``number`` the public number
    as announced: given both, the panel drawn is proven whatever engine version runs
    the check (see the module's docstring for the other checks). ``recompute``
    replaces the re-run of the algorithm on the published problem: a grouped lottery
    drawn jointly passes each group's marginal of the joint re-run.

    The re-run's ``m`` panels are compared number by number with ``panels.csv`` when
    this engine (kleroterion and HiGHS versions) is the one the manifest records.
    With another, LEXIMIN still fixes every probability, but not the panels that
    realise it: a panel-by-panel difference is then a note, and the other checks
    decide.
    """
    directory = Path(directory)
    report = VerifyReport(directory)
    try:
        manifest = read_manifest(directory)
    except LotteryError as error:
        report.differ(MANIFEST, "", str(error).split(": ", 1)[-1])
        return report
    report.list_digest = manifest.get("list_digest")

    for key in ("algorithm", "seats", "m", "list_digest", "files"):
        if key not in manifest:
            report.differ(MANIFEST, key, "missing")
    if not report.ok:
        return report

    # 1. Digests: the manifest's, then every file's.
    check_digest(report, manifest, digest)
    files = manifest["files"]
    for name in (RESPONDENTS, QUOTAS, PANELS, PROBABILITIES):
        path = directory / name
        if name not in files:
            report.differ(MANIFEST, f"files.{name}", "missing")
        elif not path.exists():
            report.differ(name, "", "missing from the folder")
        elif (actual := sha256_file(path)) != files[name]:
            report.differ(name, "SHA-256", f"manifest says {files[name]}, file has {actual}")
    if manifest["list_digest"] != files.get(PANELS):
        report.differ(
            MANIFEST,
            "list_digest",
            f"{manifest['list_digest']} is not files.{PANELS} ({files.get(PANELS)})",
        )
    report.checked.append("SHA-256 digests of the published files")
    if any(
        d.file in (RESPONDENTS, QUOTAS) and d.detail.startswith("missing")
        for d in report.differences
    ):
        return report

    # 2. The published panels, as written.
    m, seats = int(manifest["m"]), int(manifest["seats"])
    published: list[tuple[str, list[str]]] = []
    if (directory / PANELS).exists():
        published = read_panels(directory / PANELS)
        if len(published) != m:
            report.differ(PANELS, "", f"{len(published)} panels, the manifest says m = {m}")
        for index, (cell, ids) in enumerate(published):
            if cell != str(index):
                report.differ(PANELS, f"row {index + 2}", f"number {cell!r}, expected {index}")
            if len(ids) != seats:
                report.differ(
                    PANELS, f"panel {cell}", f"{len(ids)} seats, the manifest says {seats}"
                )

    # 3. Re-run the draw from the published inputs.
    if manifest.get("joint") and recompute is None:
        report.differ(
            MANIFEST,
            "joint",
            "this seat group was drawn jointly with others: verify the parent folder",
        )
        return report
    try:
        problem = read_problem(directory, manifest)
    except InputError as error:
        report.differ((error.path and Path(error.path).name) or "", "input", str(error))
        return report
    pool = problem.pool
    try:
        from kleroterion.sortition import find_distribution, round_distribution

        distribution = (
            recompute(problem)
            if recompute is not None
            else find_distribution(
                problem,
                manifest["algorithm"],
                time_limit=manifest.get("time_limit"),
                progress=progress,
                seed=manifest.get("seed"),
            )
        )
        recomputed = [sorted(panel) for panel in round_distribution(distribution, m=m)]
    except Exception as error:  # any failure of the re-run is a finding, not a crash
        report.differ(QUOTAS, "re-run", f"the draw cannot be re-run: {error}")
        return report
    if not manifest.get("optimal", True):
        report.notes.append(
            "the published run was stopped by its time limit before optimality; "
            "a re-run may legitimately differ"
        )
    # 3a. Whatever the engine: every published panel is one the quotas allow.
    _check_panels_allowed(problem, published, report)
    _compare_panels(report, manifest, published, [[pool.ids[i] for i in p] for p in recomputed])

    # 4. Probabilities, each respondent's count of panels, the informational fields.
    _check_probabilities(directory, report, pool.ids, distribution, published)
    _check_shares(report, manifest, pool.ids, distribution, published, m, seats)
    _check_informational(directory, report, manifest, problem, distribution,
                         _rerun_deviation(distribution, recomputed, m))

    # 5. The draw.
    _check_draw(manifest, report, published, m, number)
    return report


def _engine_name(recorded: Any) -> str:
    if not isinstance(recorded, dict):
        return "an engine the manifest does not name"
    return ", ".join(f"{key} {value}" for key, value in recorded.items() if key != "name") or "?"


def _compare_panels(
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


def _check_panels_allowed(
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


def _check_shares(
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


def _check_probabilities(
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
        return None  # reported by _check_probabilities


def _rerun_deviation(
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


def _check_informational(
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


def _check_draw(
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
