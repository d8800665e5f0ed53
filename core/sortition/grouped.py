"""Seat-grouped draws from files: respondents split by a group column, and grouped lotteries.

A city such as Paris fills its seat groups (80 from the electoral roll, 15 non-EU
residents, 5 aged 16-17) from their own pools under their own quotas. This module
reads one respondents file whose group column names each respondent's seat group,
and publishes the lottery of such a draw as one folder per group plus a top-level
manifest.

A grouped lottery folder holds:

``<group>/``
    One complete lottery folder per seat group, exactly as :func:`lottery.publish`
    writes it (its own respondents, quotas, numbered panels, probabilities, manifest).
``manifest.json``
    Format ``kleroterion-grouped-lottery/1``; the groups in order with each
    sub-folder's ``digest``, ``list_digest`` and file digests; whether the draw was
    joint; ``list_digest``, the SHA-256 of the lines ``<group> <group list_digest>\\n``
    in order; ``digest``, the digest of this manifest (see
    :mod:`~kleroterion.sortition.manifest`), which binds every group's folder: the one
    digest to publish before the draw; the rule; and once drawn, the public number.

**The rule**: given the public number N (an integer >= 0), group G's panel is the one
numbered ``H mod m`` in ``G/panels.csv``, where H is the SHA-256 of the text
``"N:G"`` (UTF-8) read as a big-endian integer; H is recorded as the number of the
group's own folder. Why: the lists are fixed and their digests published before N
is known, so nobody can choose panels after the fact; SHA-256 gives every group its
own uniformly spread index from the one public number, so no group's choice is tied
to another's by the order the rounding happens to list panels in (as ``N mod m`` for
every group would do); and anyone can recompute H with ``printf 'N:G' | sha256sum``.

A joint draw publishes, per group, the marginal of the joint distribution that
:func:`~kleroterion.sortition.draw_groups` returns; each group's panel is then chosen
from its own list. Every respondent keeps the selection probability of the joint
optimum (within the rounding's k/m), and every group's panel meets its quotas and
seats; what is not kept is the correlation between groups, which only matters for
quotas shared across groups (the command line sets none). Verifying a joint
lottery re-runs the joint draw from every group's published files.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from kleroterion.sortition.groups import SeatGroupProblem, draw_groups
from kleroterion.sortition.io import InputError, read_respondents, read_table, require_column
from kleroterion.sortition.lottery import choose, publish
from kleroterion.sortition.manifest import (
    MANIFEST,
    PANELS,
    Lottery,
    LotteryError,
    manifest_digest,
    new_folder,
)
from kleroterion.sortition.manifest import now as _now
from kleroterion.sortition.manifest import read_manifest as _read_manifest_any
from kleroterion.sortition.manifest import sha256_file as _sha256
from kleroterion.sortition.manifest import write_json as _write_json
from kleroterion.sortition.types import Distribution, Pool, Problem, Quota
from kleroterion.sortition.verify import VerifyReport, check_digest, read_problem, verify

__all__ = [
    "GROUPED_FORMAT",
    "GROUPED_RULE",
    "choose_groups",
    "group_number",
    "is_grouped",
    "publish_groups",
    "read_grouped_respondents",
    "verify_groups",
]

GROUPED_FORMAT = "kleroterion-grouped-lottery/1"
GROUPED_RULE = (
    "Each group G has its own numbered list G/panels.csv (0 to m-1). Given the public "
    "number N (an integer >= 0), let H be the SHA-256 of the UTF-8 text 'N:G' read as a "
    "big-endian integer; group G's panel is the one numbered H mod m."
)
_SAFE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def group_number(number: int, key: str) -> int:
    """H of the rule: the number recorded in group ``key``'s folder for public number N."""
    return int.from_bytes(hashlib.sha256(f"{number}:{key}".encode()).digest(), "big")


def grouped_digest(groups: Sequence[tuple[str, str]]) -> str:
    """The one digest to publish: SHA-256 of ``<group> <list_digest>\\n`` in group order."""
    text = "".join(f"{key} {digest}\n" for key, digest in groups)
    return hashlib.sha256(text.encode()).hexdigest()


# --------------------------------------------------------------------------- reading


def read_grouped_respondents(
    path: Path,
    group_column: str,
    quotas: Mapping[str, Sequence[Quota]],
    *,
    id_column: str | None = None,
    household: Sequence[str] = (),
) -> dict[str, Pool]:
    """One pool per seat group of ``quotas``, from the rows whose ``group_column`` names it.

    Each group's rows are checked against that group's own quotas only (the 16-17
    group need not fill a diploma column), with errors located in ``path`` itself.
    A row whose group is not a key of ``quotas`` is an error naming the accepted
    groups. Without an id column, ids are the data row numbers of the whole file, so
    they stay unique across groups. Household ties apply within a group.
    """
    table = read_table(path)
    column = require_column(table, group_column, "group")
    folded = {key.strip().casefold(): key for key in quotas}
    rows: dict[str, list[tuple[int, int, list[str]]]] = {key: [] for key in quotas}
    for number, (line, record) in enumerate(table.rows, start=1):
        cell = record[column].strip() if column < len(record) else ""
        key = folded.get(cell.casefold())
        if key is None:
            raise InputError(
                "is not a seat group",
                path=table.path,
                line=line,
                column=table.header[column],
                column_number=column + 1,
                value=cell,
                accepted=", ".join(quotas),
            )
        rows[key].append((line, number, record))
    row_ids = id_column is None and table.column("id") is None
    header = [*table.header, "id"] if row_ids else list(table.header)
    pools: dict[str, Pool] = {}
    seen: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix=".kleroterion-groups.") as scratch:
        for key, members in rows.items():
            if not members:
                raise InputError(
                    f"no respondent of the seat group {key!r}",
                    path=table.path,
                    column=table.header[column],
                    column_number=column + 1,
                    accepted=", ".join(quotas),
                )
            # One record per physical line of the original, blank lines between, so
            # that the engine's errors carry the original line numbers.
            buffer = io.StringIO()
            # Not kleroterion.spreadsheet: a scratch file the engine reads back, never opened by
            # a person, whose cells must stay as the respondents file has them.
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(header)
            written = 1
            for line, number, record in members:
                buffer.write("\n" * max(0, line - written - 1))
                written = max(written + 1, line)
                writer.writerow([*record, str(number)] if row_ids else record)
            part = Path(scratch) / f"{len(pools)}.csv"
            part.write_text(buffer.getvalue(), encoding="utf-8")
            try:
                pool = read_respondents(part, quotas[key], id_column=id_column, household=household)
            except InputError as error:
                raise InputError(
                    f"{error.problem} (seat group {key!r})",
                    path=table.path if error.path == str(part) else error.path,
                    line=error.line,
                    column=error.column,
                    column_number=error.column_number,
                    value=error.value,
                    accepted=error.accepted,
                    option=error.option,
                ) from None
            for ident in pool.ids:
                if ident in seen:
                    raise InputError(
                        f"the same id is in the seat groups {seen[ident]!r} and {key!r}",
                        path=table.path,
                        value=ident,
                        accepted="a unique id on every row",
                    )
                seen[ident] = key
            pools[key] = pool
    return pools


# --------------------------------------------------------------------------- publishing


def is_grouped(directory: Path) -> bool:
    """Whether ``directory`` holds a grouped lottery (its manifest says so)."""
    try:
        data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("format") == GROUPED_FORMAT


def publish_groups(
    directory: Path,
    problems: Mapping[str, Problem],
    distributions: Mapping[str, Distribution],
    *,
    joint: bool,
    seed: int | None,
    m: int = 1000,
    time_limit: float | None = None,
    panels: Mapping[str, Sequence[Sequence[int]]] | None = None,
) -> dict[str, Any]:
    """Write a grouped lottery folder; return its top-level manifest.

    Built whole in a temporary folder beside ``directory`` and renamed into place.
    ``panels`` are each group's ``m`` rounded panels, when the caller has them already.
    """
    for key in problems:
        if not _SAFE_KEY.match(key) or key == MANIFEST:
            raise LotteryError(f"the seat group key {key!r} cannot name a folder")
    with new_folder(directory) as temporary:
        entries: list[dict[str, Any]] = []
        for key, problem in problems.items():
            sub: Lottery = publish(
                temporary / key,
                problem,
                distributions[key],
                seed=seed,
                m=m,
                time_limit=time_limit,
                panels=panels[key] if panels is not None else None,
                extra={"group": key, "joint": joint},
            )
            entries.append(
                {
                    "key": key,
                    "folder": key,
                    "seats": problem.seats,
                    "list_digest": sub.list_digest,
                    "digest": sub.digest,
                    "files": sub.manifest["files"],
                }
            )
        manifest: dict[str, Any] = {
            "format": GROUPED_FORMAT,
            "joint": joint,
            "seed": seed,
            "m": m,
            "seats": sum(p.seats for p in problems.values()),
            "groups": entries,
            "list_digest": grouped_digest([(e["key"], e["list_digest"]) for e in entries]),
            "rule": GROUPED_RULE,
            "published_at": _now(),
        }
        manifest["digest"] = manifest_digest(manifest)
        manifest["draw"] = None
        _write_json(temporary / MANIFEST, manifest)
    return manifest


def choose_groups(directory: Path, number: int) -> dict[str, Any]:
    """Record the public ``number`` in every group's folder (by the rule) and at the top.

    Refused, with nothing recorded, if any group's list no longer matches its digest
    or another number is already recorded.
    """
    if isinstance(number, bool) or not isinstance(number, int) or number < 0:
        raise LotteryError(f"the public number must be an integer ≥ 0, not {number!r}")
    manifest = _read_manifest_any(directory, GROUPED_FORMAT)
    previous = manifest.get("draw")
    if previous is not None and previous.get("number") == number:
        return manifest  # the same number again changes nothing
    if previous is not None:
        raise LotteryError(
            f"{directory / MANIFEST}: the number {previous.get('number')} is already recorded; "
            "a lottery is drawn once"
        )
    entries = manifest.get("groups") or []
    # Check every group before recording anything, so a refusal records nothing.
    for entry in entries:
        sub = directory / entry["folder"]
        sub_manifest = _read_manifest_any(sub)
        if sub_manifest.get("list_digest") != entry["list_digest"]:
            raise LotteryError(
                f"{sub / MANIFEST}: list digest {sub_manifest.get('list_digest')} is not the "
                f"one in {directory / MANIFEST} ({entry['list_digest']}); refusing to draw"
            )
        recorded = (sub_manifest.get("draw") or {}).get("number")
        if recorded is not None and recorded != group_number(number, entry["key"]):
            raise LotteryError(f"{sub / MANIFEST}: another number is already recorded")
        if _sha256(sub / PANELS) != entry["list_digest"]:
            raise LotteryError(
                f"{sub / PANELS} no longer matches the published digest "
                f"{entry['list_digest']}; refusing to draw"
            )
    groups: dict[str, Any] = {}
    for entry in entries:
        drawn = choose(directory / entry["folder"], group_number(number, entry["key"])).draw
        assert drawn is not None
        groups[entry["key"]] = {
            "panel_number": drawn["panel_number"],
            "panel": drawn["panel"],
        }
    manifest["draw"] = {
        "number": number,
        "rule": GROUPED_RULE,
        "groups": groups,
        "recorded_at": _now(),
    }
    _write_json(directory / MANIFEST, manifest)
    return manifest


# --------------------------------------------------------------------------- verifying


def verify_groups(
    directory: Path,
    *,
    digest: str | None = None,
    number: int | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> VerifyReport:
    """Verify a grouped lottery: every group's folder, the top manifest, and the rule.

    Differences name the group's folder in their file (``jeunes/panels.csv``). A joint
    draw is re-run jointly from every group's published files. ``digest`` is the top
    manifest's digest published before the draw (it binds every group's digest);
    ``number`` the public number as announced.
    """
    report = VerifyReport(directory)
    try:
        manifest = _read_manifest_any(directory, GROUPED_FORMAT)
    except LotteryError as error:
        report.differ(MANIFEST, "", str(error).split(": ", 1)[-1])
        return report
    entries: list[dict[str, Any]] = list(manifest.get("groups") or [])
    report.list_digest = manifest.get("list_digest")
    expected = grouped_digest([(e.get("key", ""), e.get("list_digest", "")) for e in entries])
    if manifest.get("list_digest") != expected:
        report.differ(
            MANIFEST, "list_digest", f"{manifest.get('list_digest')}, the groups give {expected}"
        )
    check_digest(report, manifest, digest)
    recompute: dict[str, Distribution] | None = None
    if manifest.get("joint"):
        recompute = _joint_rerun(directory, entries, report)
    draw = manifest.get("draw")
    union: list[str] = []
    seats = sum(int(e.get("seats") or 0) for e in entries)
    if manifest.get("seats") != seats:
        report.differ(MANIFEST, "seats", f"{manifest.get('seats')!r}, the groups hold {seats}")
    for entry in entries:
        key = entry["key"]
        sub = directory / entry["folder"]
        sub_report = verify(sub, digest=entry.get("digest"), progress=progress,
                            recompute=_marginal(recompute, key))
        if not (sub / MANIFEST).exists():
            sub_report.differences[:] = [d for d in sub_report.differences if d.file != MANIFEST]
            report.differ(f"{key}/{MANIFEST}", "", "missing from the folder")
        for d in sub_report.differences:
            report.differ(f"{key}/{d.file}", d.where, d.detail)
        report.checked += [f"group {key}: {c}" for c in sub_report.checked]
        union += sub_report.panel or []
        if _safe_manifest(sub).get("seats") != entry.get("seats"):
            report.differ(f"{key}/{MANIFEST}", "seats", f"not the seats in the top {MANIFEST}")
        report.notes += [
            f"group {key}: {n}" for n in sub_report.notes
            if n != "no public number recorded yet" and not n.startswith("no digest published")
        ]
        sub_manifest = _safe_manifest(sub)
        if sub_manifest.get("list_digest") != entry.get("list_digest"):
            report.differ(
                f"{key}/{MANIFEST}",
                "list_digest",
                f"{sub_manifest.get('list_digest')}, the top {MANIFEST} says "
                f"{entry.get('list_digest')}",
            )
        if sub_manifest.get("files") != entry.get("files"):
            report.differ(f"{key}/{MANIFEST}", "files", f"not the digests in the top {MANIFEST}")
        sub_draw = sub_manifest.get("draw")
        if draw is None:
            if sub_draw is not None:
                report.differ(f"{key}/{MANIFEST}", "draw", "a number is recorded here only")
            continue
        recorded_number = draw.get("number")
        if (isinstance(recorded_number, bool) or not isinstance(recorded_number, int)
                or recorded_number < 0):
            report.differ(MANIFEST, "draw.number", f"{recorded_number!r} is not an integer ≥ 0")
            continue
        h = group_number(number if number is not None else recorded_number, key)
        if sub_draw is None or sub_draw.get("number") != h:
            report.differ(
                f"{key}/{MANIFEST}",
                "draw.number",
                f"should be SHA-256('{number}:{key}') = {h}",
            )
        recorded = (draw.get("groups") or {}).get(key) or {}
        if sub_draw is not None and recorded.get("panel") != sub_draw.get("panel"):
            report.differ(MANIFEST, f"draw.groups.{key}.panel", f"not the panel of {key}/")
    if draw is None:
        if number is not None:
            report.differ(MANIFEST, "draw", f"no number recorded; the public number is {number}")
        else:
            report.notes.append("no public number recorded yet")
    else:
        report.number = draw.get("number")
        if number is not None and number != report.number:
            report.differ(MANIFEST, "draw.number",
                          f"{report.number} is recorded; the public number is {number}")
            report.number = number
        report.panel = union if report.ok else None
        report.checked.append("every group's panel follows the rule from the one public number")
    return report


def _marginal(
    distributions: Mapping[str, Distribution] | None, key: str
) -> Callable[[Problem], Distribution] | None:
    """The joint re-run's distribution of group ``key``, as ``verify``'s ``recompute``."""
    if distributions is None:
        return None
    distribution = distributions[key]

    def recompute(_problem: Problem) -> Distribution:
        return distribution

    return recompute


def _safe_manifest(directory: Path) -> dict[str, Any]:
    try:
        return _read_manifest_any(directory)
    except LotteryError:
        return {}


def _joint_rerun(
    directory: Path, entries: Sequence[dict[str, Any]], report: VerifyReport
) -> dict[str, Distribution] | None:
    problems: list[SeatGroupProblem] = []
    algorithm, seed, time_limit = "leximin", None, None
    for entry in entries:
        sub = directory / entry["folder"]
        try:
            sub_manifest = _read_manifest_any(sub)
            problems.append(SeatGroupProblem(entry["key"], read_problem(sub, sub_manifest)))
        except (LotteryError, InputError, KeyError) as error:
            report.differ(f"{entry['key']}/", "input", f"the joint draw cannot be re-run: {error}")
            return None
        algorithm = sub_manifest.get("algorithm", algorithm)
        seed, time_limit = sub_manifest.get("seed"), sub_manifest.get("time_limit")
    try:
        return dict(
            draw_groups(problems, joint=True, algorithm=algorithm, time_limit=time_limit, seed=seed)
        )
    except Exception as error:  # any failure of the re-run is a finding, not a crash
        report.differ(MANIFEST, "re-run", f"the joint draw cannot be re-run: {error}")
        return None
