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

from collections.abc import Callable
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
    manifest_digest,
    read_manifest,
    read_panels,
    sha256_file,
)
from kleroterion.sortition.types import Distribution, Problem
from kleroterion.sortition.verify_checks import (
    check_draw,
    check_informational,
    check_panels_allowed,
    check_probabilities,
    check_shares,
    compare_panels,
    rerun_deviation,
)

__all__ = ["Difference", "VerifyReport", "read_problem", "verify"]


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
    check_panels_allowed(problem, published, report)
    compare_panels(report, manifest, published, [[pool.ids[i] for i in p] for p in recomputed])

    # 4. Probabilities, each respondent's count of panels, the informational fields.
    check_probabilities(directory, report, pool.ids, distribution, published)
    check_shares(report, manifest, pool.ids, distribution, published, m, seats)
    check_informational(directory, report, manifest, problem, distribution,
                         rerun_deviation(distribution, recomputed, m))

    # 5. The draw.
    check_draw(manifest, report, published, m, number)
    return report


