"""The published transparent lottery: a numbered list of panels, a public number, a check.

After Flanigan, Kehne and Procaccia, "Fair sortition made transparent" (NeurIPS
2021): the selection distribution is rounded to ``m`` equally likely panels; the
numbered list and its SHA-256 digest are published *before* the draw; a number
from a public source (dice, a national lottery, a bailiff) then picks the panel;
anyone can re-derive the list from the published inputs, since the engine is
deterministic, and check the choice.

A lottery folder holds:

``respondents.csv``
    ``id``, one column per feature and, when the household rule applied, an opaque
    ``household`` number. Pseudonymous ids and selection features only.
``quotas.csv``
    ``feature,value,min,max,min_flex,max_flex``.
``panels.csv``
    ``number,seat_1,...,seat_k``: the ``m`` panels, numbered **0 to m−1**, each a
    list of respondent ids. Its digest is the one to publish before the draw.
``probabilities.csv``
    ``id,probability,panels``: each respondent's selection probability under the
    computed distribution, and in how many of the ``m`` panels they sit (their
    probability in the lottery actually held is ``panels / m``).
``manifest.json``
    The algorithm, seats, seed, ``m``, engine version, the rule, the SHA-256 of
    every file above, ``list_digest`` (the digest of ``panels.csv``), and once
    drawn, the public number and the chosen panel.

**The rule**: given the public number N (an integer ≥ 0), the panel drawn is the
one numbered ``N mod m`` in ``panels.csv`` (0-based: with m = 1000, the last three
digits of N).

A seat-grouped draw is published as one such folder per group under a top-level
manifest, with its own rule for the one public number: see
:mod:`kleroterion.sortition.grouped`.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import hashlib
import io
import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from kleroterion import __version__, spreadsheet
from kleroterion.sortition import find_distribution, round_distribution
from kleroterion.sortition.io import InputError, read_quotas, read_respondents
from kleroterion.sortition.types import Distribution, Problem, composition

__all__ = [
    "RULE",
    "Difference",
    "Lottery",
    "LotteryError",
    "VerifyReport",
    "choose",
    "load",
    "publish",
    "verify",
]

FORMAT = "kleroterion-lottery/1"
RESPONDENTS, QUOTAS, PANELS, PROBABILITIES, MANIFEST = (
    "respondents.csv",
    "quotas.csv",
    "panels.csv",
    "probabilities.csv",
    "manifest.json",
)
HOUSEHOLD_COLUMN = "household"
RULE = (
    "The panels in panels.csv are numbered 0 to m-1. Given the public number N "
    "(an integer >= 0), the panel drawn is the one numbered N mod m."
)
#: Published probabilities and recomputed ones may differ in the last float digits
#: between machines; beyond this they are reported.
PROBABILITY_TOLERANCE = 1e-6


class LotteryError(ValueError):
    """A lottery folder that cannot be written, read or drawn from, with the reason."""


@dataclass(frozen=True)
class Lottery:
    """A published lottery folder: its manifest and its numbered panels (as id lists)."""

    directory: Path
    manifest: dict[str, Any]
    panels: list[list[str]]

    @property
    def list_digest(self) -> str:
        return str(self.manifest["list_digest"])

    @property
    def m(self) -> int:
        return int(self.manifest["m"])

    @property
    def draw(self) -> dict[str, Any] | None:
        return cast("dict[str, Any] | None", self.manifest.get("draw"))


# --------------------------------------------------------------------------- writing


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _csv_text(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    # Fixed dialect and "\n" endings: the digests must not depend on the platform.
    buffer = io.StringIO()
    writer = spreadsheet.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _published_features(problem: Problem) -> tuple[str, ...]:
    return tuple(dict.fromkeys(q.feature for q in problem.quotas))


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

    ``panels`` are the ``m`` equally likely panels as pool indices; by default
    ``round_distribution(distribution, m)``. ``directory`` must not exist or be
    empty; it is built in a temporary folder beside it and renamed into place, so
    an error leaves no half-written folder. The pool's features must be those of
    the quotas, in the quotas' order (as :func:`~kleroterion.sortition.io.read_respondents`
    gives them), so that re-reading the published files gives the same problem.
    ``extra`` adds keys to the manifest (a seat group's key, whether its draw was joint).
    """
    directory = Path(directory)
    pool = problem.pool
    if pool.features != _published_features(problem):
        raise LotteryError(
            "the pool's features must be the quotas' features in the quotas' order "
            f"({', '.join(_published_features(problem))}); got {', '.join(pool.features)}"
        )
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise LotteryError(f"{directory} already exists and is not an empty folder")
    if panels is None:
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
        RESPONDENTS: _csv_text(
            ["id", *pool.features] + ([HOUSEHOLD_COLUMN] if households else []),
            respondent_rows,
        ),
        QUOTAS: _csv_text(
            ["feature", "value", "min", "max", "min_flex", "max_flex"],
            [
                [q.feature, q.value, q.min, q.max, _blank(q.min_flex), _blank(q.max_flex)]
                for q in problem.quotas
            ],
        ),
        PANELS: _csv_text(
            ["number", *(f"seat_{s + 1}" for s in range(problem.seats))],
            [
                [number, *(pool.ids[i] for i in sorted(panel))]
                for number, panel in enumerate(panels)
            ],
        ),
        PROBABILITIES: _csv_text(
            ["id", "probability", "panels"],
            [
                [pool.ids[i], repr(float(distribution.probabilities[i])), seats_in[i]]
                for i in range(len(pool))
            ],
        ),
    }

    directory.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        for name, text in files.items():
            (temporary / name).write_text(text, encoding="utf-8", newline="")
        digests = {name: _sha256(temporary / name) for name in files}
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
            "min_probability": distribution.min_probability,
            "m": m,
            "numbering": "0-based",
            "rule": RULE,
            "list_digest": digests[PANELS],
            "files": digests,
            "published_at": _now(),
            "draw": None,
            **(extra or {}),
        }
        _write_json(temporary / MANIFEST, manifest)
        if directory.exists():
            directory.rmdir()  # empty, checked above
        os.rename(temporary, directory)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return Lottery(directory, manifest, [[pool.ids[i] for i in sorted(p)] for p in panels])


def _blank(value: int | None) -> str | int:
    return "" if value is None else value


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()


def _solver_versions() -> dict[str, str]:
    from importlib import metadata

    versions = {}
    with contextlib.suppress(metadata.PackageNotFoundError):
        versions["highspy"] = metadata.version("highspy")
    return versions


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """Write JSON beside ``path`` then rename it over: never a half-written manifest."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as f:
            json.dump(data, f, ensure_ascii=False, indent=2)
            f.write("\n")
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


# --------------------------------------------------------------------------- reading


def _read_manifest(directory: Path) -> dict[str, Any]:
    return _read_manifest_any(directory, FORMAT)


def _read_manifest_any(directory: Path, expected: str | None) -> dict[str, Any]:
    """The manifest of ``directory``, of format ``expected`` (``None``: a single lottery's)."""
    expected = expected or FORMAT
    path = directory / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise LotteryError(f"{path}: cannot be read ({error.strerror})") from None
    except ValueError as error:
        raise LotteryError(f"{path}: is not valid JSON ({error})") from None
    if not isinstance(data, dict) or data.get("format") != expected:
        raise LotteryError(f"{path}: not a kleroterion lottery manifest (format {expected!r})")
    return data


def _read_panels(path: Path) -> list[tuple[str, list[str]]]:
    """``(number cell, ids)`` for each row of panels.csv, as written."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise LotteryError(f"{path}: cannot be read ({error.strerror})") from None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return [(row[0], [cell for cell in row[1:] if cell]) for row in rows[1:] if row]


def load(directory: str | Path) -> Lottery:
    """Read a lottery folder's manifest and panels (without checking them: see :func:`verify`)."""
    directory = Path(directory)
    manifest = _read_manifest(directory)
    return Lottery(directory, manifest, [ids for _, ids in _read_panels(directory / PANELS)])


def choose(directory: str | Path, number: int) -> Lottery:
    """Record the public ``number`` and the panel it draws: the one numbered ``number mod m``.

    Panels are numbered from 0, so with m = 1000 the panel is given by the last three
    digits of the number. The panel list must still match the digest published
    before the draw. Recording a second, different number is refused; recording
    the same one again changes nothing.
    """
    directory = Path(directory)
    if isinstance(number, bool) or not isinstance(number, int) or number < 0:
        raise LotteryError(f"the public number must be an integer ≥ 0, not {number!r}")
    lottery = load(directory)
    actual = _sha256(directory / PANELS)
    if actual != lottery.list_digest:
        raise LotteryError(
            f"{directory / PANELS} no longer matches the published digest "
            f"{lottery.list_digest} (it is now {actual}); refusing to draw"
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
        "recorded_at": _now(),
    }
    _write_json(directory / MANIFEST, manifest)
    return Lottery(directory, manifest, lottery.panels)


# --------------------------------------------------------------------------- verifying


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
    number: int | None = None
    panel_number: int | None = None

    @property
    def ok(self) -> bool:
        return not self.differences

    def differ(self, file: str, where: str, detail: str) -> None:
        self.differences.append(Difference(file, where, detail))

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "directory": str(self.directory),
            "list_digest": self.list_digest,
            "number": self.number,
            "panel_number": self.panel_number,
            "checked": self.checked,
            "notes": self.notes,
            "differences": [vars(d) for d in self.differences],
        }

    def __str__(self) -> str:
        lines = [f"{'OK' if self.ok else 'DIFFERENCES FOUND'}: {self.directory}"]
        lines += [f"  checked: {c}" for c in self.checked]
        lines += [f"  note: {n}" for n in self.notes]
        lines += [f"  differs: {d}" for d in self.differences]
        return "\n".join(lines)


_MAX_LISTED = 10


def verify(
    directory: str | Path,
    *,
    digest: str | None = None,
    progress: Callable[[str, float], None] | None = None,
    recompute: Callable[[Problem], Distribution] | None = None,
) -> VerifyReport:
    """Re-derive a published lottery and report every difference.

    ``recompute`` replaces the re-run of the algorithm on the published problem: a
    grouped lottery drawn jointly passes each group's marginal of the joint re-run.

    Checks that every file's SHA-256 matches the manifest, that ``list_digest`` is the
    digest of ``panels.csv`` (and equals ``digest``, the one published before the
    draw, when given), that every panel meets the quotas (and the household rule),
    re-runs the algorithm on the published respondents and quotas with the recorded
    seed, compares the probabilities, checks that each respondent sits in m times
    their re-computed probability of the panels (less than ``seats`` off, the
    rounding's bound), and that the recorded panel is the one numbered
    ``number mod m``.

    The re-run's ``m`` panels are compared number by number with ``panels.csv`` when
    this engine (kleroterion and HiGHS versions) is the one the manifest records.
    With another, LEXIMIN still fixes every probability, but not the panels that
    realise it: a panel-by-panel difference is then a note, not a difference, and
    the checks above decide.
    """
    directory = Path(directory)
    report = VerifyReport(directory)
    try:
        manifest = _read_manifest(directory)
    except LotteryError as error:
        report.differ(MANIFEST, "", str(error).split(": ", 1)[-1])
        return report
    report.list_digest = manifest.get("list_digest")

    for key in ("algorithm", "seats", "m", "list_digest", "files"):
        if key not in manifest:
            report.differ(MANIFEST, key, "missing")
    if not report.ok:
        return report

    # 1. Digests.
    files = manifest["files"]
    for name in (RESPONDENTS, QUOTAS, PANELS, PROBABILITIES):
        path = directory / name
        if name not in files:
            report.differ(MANIFEST, f"files.{name}", "missing")
        elif not path.exists():
            report.differ(name, "", "missing from the folder")
        elif (actual := _sha256(path)) != files[name]:
            report.differ(name, "SHA-256", f"manifest says {files[name]}, file has {actual}")
    actual_list = _sha256(directory / PANELS) if (directory / PANELS).exists() else None
    if manifest["list_digest"] != files.get(PANELS):
        report.differ(
            MANIFEST,
            "list_digest",
            f"{manifest['list_digest']} is not files.{PANELS} ({files.get(PANELS)})",
        )
    if digest is not None and digest.strip().lower() != actual_list:
        report.differ(
            PANELS,
            "SHA-256",
            f"the digest published before the draw is {digest.strip().lower()}, "
            f"the file has {actual_list}",
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
        published = _read_panels(directory / PANELS)
        if len(published) != m:
            report.differ(PANELS, "", f"{len(published)} panels, the manifest says m = {m}")
        for index, (number, ids) in enumerate(published):
            if number != str(index):
                report.differ(PANELS, f"row {index + 2}", f"number {number!r}, expected {index}")
            if len(ids) != seats:
                report.differ(
                    PANELS, f"panel {number}", f"{len(ids)} seats, the manifest says {seats}"
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
    recomputed_ids = [[pool.ids[i] for i in panel] for panel in recomputed]
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
        # (3a, and step 4's shares of the panels against the re-computed probabilities).
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

    # 4. Probabilities, and each respondent's share of the panels.
    _check_probabilities(directory, report, pool.ids, distribution, published)
    _check_shares(report, pool.ids, distribution, published, m, seats)

    # 5. The draw.
    _check_draw(manifest, report, published, m)
    return report


def engine() -> dict[str, str]:
    """The engine this process runs, as a manifest records it: kleroterion and HiGHS."""
    return {"name": "kleroterion", "version": __version__, **_solver_versions()}


def _engine_name(recorded: Any) -> str:
    if not isinstance(recorded, dict):
        return "an engine the manifest does not name"
    return ", ".join(f"{key} {value}" for key, value in recorded.items() if key != "name") or "?"


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


def _check_shares(
    report: VerifyReport,
    ids: Sequence[str],
    distribution: Distribution,
    published: list[tuple[str, list[str]]],
    m: int,
    seats: int,
) -> None:
    """Each respondent's number of panels is m times the re-computed probability, rounded.

    The rounding moves no one by ``seats`` panels or more (``rounding.round_distribution``):
    a respondent further off was favoured or left out by the published list.
    """
    seats_in = Counter(i for _, panel in published for i in panel)
    bound = max(seats, 1)
    off = [
        (ident, seats_in[ident], m * distribution.probabilities[index])
        for index, ident in enumerate(ids)
        if abs(seats_in[ident] - m * distribution.probabilities[index]) >= bound
    ]
    for ident, count, expected in off[:_MAX_LISTED]:
        report.differ(PANELS, f"id {ident}", f"in {count} of the {m} panels; the re-computed "
                                             f"probability gives {expected:.2f} (± {bound})")
    if len(off) > _MAX_LISTED:
        report.differ(PANELS, "", f"and {len(off) - _MAX_LISTED} more respondents")
    report.checked.append(f"each respondent's share of the {m} panels against the re-run")


def read_problem(directory: Path, manifest: dict[str, Any]) -> Problem:
    """The problem a lottery folder publishes: its respondents, quotas and seats."""
    quotas = read_quotas(directory / QUOTAS)
    household = (HOUSEHOLD_COLUMN,) if manifest.get("households") else ()
    pool = read_respondents(directory / RESPONDENTS, quotas, id_column="id", household=household)
    return Problem(pool=pool, quotas=quotas.quotas, seats=int(manifest["seats"]))


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
    report.checked.append("per-respondent probabilities")


def _check_draw(
    manifest: dict[str, Any], report: VerifyReport, published: list[tuple[str, list[str]]], m: int
) -> None:
    draw = manifest.get("draw")
    if draw is None:
        report.notes.append("no public number recorded yet")
        return
    number, panel_number = draw.get("number"), draw.get("panel_number")
    if isinstance(number, bool) or not isinstance(number, int) or number < 0:
        report.differ(MANIFEST, "draw.number", f"{number!r} is not an integer ≥ 0")
        return
    report.number = number
    report.panel_number = number % m
    if panel_number != number % m:
        report.differ(
            MANIFEST,
            "draw.panel_number",
            f"{panel_number!r}, but {number} mod {m} = {number % m}",
        )
    expected = published[number % m][1] if number % m < len(published) else None
    if draw.get("panel") != expected:
        report.differ(
            MANIFEST,
            "draw.panel",
            f"the recorded panel is not panel {number % m} of {PANELS}",
        )
    report.checked.append(f"the chosen panel is number {number} mod {m} = {number % m}")
