"""The published uniform lottery: everyone the same chance, the order fixed by the public number.

A seat group drawn without quotas (Poitiers' addresses), a replacement in such a
group, or the drawn seats of a body have no computed distribution to round into a
list of panels: every candidate has the same chance. Such a draw is published as a
folder too, so that anyone can re-run it:

``respondents.csv``
    ``id`` and, when the household rule applied, an opaque ``household`` number: the
    candidates, in the order the draw read them. Pseudonymous ids only.
``manifest.json``
    Format ``kleroterion-uniform-lottery/1``: the seats, the rule, the SHA-256 of
    ``respondents.csv``, ``digest`` (the manifest's own, see
    :mod:`~kleroterion.sortition.manifest`) and, once drawn, the draw: the public
    number and the ids drawn.

Like a LEXIMIN lottery, it is published in two steps: :func:`publish_uniform` writes
the candidates and the manifest, whose ``digest`` (binding the candidates, the
households, the seats and the rule) is published *before* the public number is
known; :func:`choose_uniform` then records the number and the ids it draws, refusing
a folder changed since. ``verify --digest D --number N`` proves both.

**The rule**: given the public number N (an integer ≥ 0), sort the candidates by the
SHA-256 of the UTF-8 text ``"N:id"`` read as a big-endian integer, smallest first,
and take them in that order, skipping anyone whose household already has a member
drawn, until the seats are filled. Anyone can recompute it with
``printf 'N:id' | sha256sum``; it depends on no library's random generator.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kleroterion.sortition.manifest import (
    HOUSEHOLD_COLUMN,
    MANIFEST,
    RESPONDENTS,
    LotteryError,
    csv_text,
    engine,
    manifest_digest,
    new_folder,
    now,
    read_manifest,
    sha256_file,
    write_json,
)
from kleroterion.sortition.verify import VerifyReport, check_digest

__all__ = [
    "UNIFORM_FORMAT",
    "UNIFORM_RULE",
    "choose_uniform",
    "is_uniform",
    "publish_uniform",
    "uniform_pick",
    "verify_uniform",
]

UNIFORM_FORMAT = "kleroterion-uniform-lottery/1"
UNIFORM_RULE = (
    "Given the public number N (an integer >= 0), sort the candidates of respondents.csv "
    "by the SHA-256 of the UTF-8 text 'N:id' read as a big-endian integer, smallest "
    "first; take them in that order, skipping anyone whose household already has a "
    "member drawn, until the seats are filled."
)


def _rank(number: int, ident: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{number}:{ident}".encode()).digest(), "big")


def uniform_pick(
    ids: Sequence[str], households: Sequence[str | None] | None, seats: int, number: int
) -> list[int]:
    """The indices the rule draws (sorted), or fewer when the households run out."""
    order = sorted(range(len(ids)), key=lambda i: (_rank(number, ids[i]), ids[i]))
    chosen: list[int] = []
    homes: set[str] = set()
    for index in order:
        home = households[index] if households is not None else None
        if home and home in homes:
            continue
        chosen.append(index)
        if home:
            homes.add(home)
        if len(chosen) == seats:
            break
    return sorted(chosen)


def is_uniform(directory: Path) -> bool:
    """Whether ``directory`` holds a uniform lottery (its manifest says so)."""
    try:
        return read_manifest(directory, UNIFORM_FORMAT) is not None
    except LotteryError:
        return False


def publish_uniform(
    directory: Path,
    ids: Sequence[str],
    households: Sequence[str | None] | None,
    seats: int,
    number: int | None = None,
    *,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write the folder of ``seats`` to draw among ``ids``; return its manifest.

    Without ``number`` the folder is only committed: its digest is the one to publish
    before the public number, which :func:`choose_uniform` records later. With it, the
    draw is recorded at once (as publishing then choosing would).
    ``households`` are opaque household numbers (or None without the household rule).
    Refused (LotteryError) when fewer than ``seats`` candidates of distinct households
    remain. Written whole in a temporary folder and renamed into place, readable by all.
    """
    _check_number(number)
    if len(set(ids)) != len(ids):
        raise LotteryError("the candidates' ids must be unique")
    if seats < 1 or len(uniform_pick(ids, households, seats, 0)) < seats:
        # Distinct households are counted whatever the number: it only orders them.
        raise LotteryError(f"only {len(uniform_pick(ids, households, seats, 0))} candidates "
                           f"from distinct households for {seats} seats")
    with_homes = households is not None
    text = csv_text(
        ["id"] + ([HOUSEHOLD_COLUMN] if with_homes else []),
        [[ident] + ([(households or ())[i] or ""] if with_homes else [])
         for i, ident in enumerate(ids)],
    )
    with new_folder(directory) as temporary:
        (temporary / RESPONDENTS).write_text(text, encoding="utf-8", newline="")
        manifest: dict[str, Any] = {
            "format": UNIFORM_FORMAT,
            "engine": engine(),
            "algorithm": "uniform",
            "seats": seats,
            "respondents": len(ids),
            "households": with_homes,
            "rule": UNIFORM_RULE,
            "files": {RESPONDENTS: sha256_file(temporary / RESPONDENTS)},
            "published_at": now(),
            **(extra or {}),
        }
        manifest["digest"] = manifest_digest(manifest)
        write_json(temporary / MANIFEST, manifest)
    if number is not None:
        return choose_uniform(directory, number)
    return manifest


def _check_number(number: int | None) -> None:
    if number is None:
        return
    if isinstance(number, bool) or not isinstance(number, int) or number < 0:
        raise LotteryError(f"the public number must be an integer ≥ 0, not {number!r}")


def choose_uniform(directory: Path, number: int) -> dict[str, Any]:
    """Record the public ``number`` and the ids it draws in a committed folder's manifest.

    The folder must still match its digests (the manifest's own, the candidates'
    file's). Recording a second, different number is refused; the same one again
    changes nothing. Returns the manifest with its ``draw``.
    """
    _check_number(number)
    manifest = read_manifest(directory, UNIFORM_FORMAT)
    if manifest_digest(manifest) != manifest.get("digest"):
        raise LotteryError(f"{directory / MANIFEST} no longer matches its published digest "
                           f"{manifest.get('digest')}; refusing to draw")
    path = directory / RESPONDENTS
    files = manifest.get("files") or {}
    if not path.is_file() or sha256_file(path) != files.get(RESPONDENTS):
        raise LotteryError(f"{path} no longer matches the published digest; refusing to draw")
    previous = manifest.get("draw")
    if previous is not None:
        if previous.get("number") == number:
            return manifest
        raise LotteryError(f"{directory / MANIFEST}: the number {previous.get('number')} is "
                           "already recorded; a lottery is drawn once")
    ids, households = _candidates(path, manifest)
    chosen = uniform_pick(ids, households, int(manifest["seats"]), number)
    manifest = dict(manifest)
    manifest["draw"] = {"number": number, "panel": [ids[i] for i in chosen],
                        "recorded_at": now()}
    write_json(directory / MANIFEST, manifest)
    return manifest


def _candidates(path: Path, manifest: dict[str, Any]) -> tuple[list[str],
                                                                list[str | None] | None]:
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    ids = [row.get("id") or "" for row in rows]
    households = ([row.get(HOUSEHOLD_COLUMN) or None for row in rows]
                  if manifest.get("households") else None)
    return ids, households


def verify_uniform(
    directory: Path, *, digest: str | None = None, number: int | None = None
) -> VerifyReport:
    """Re-run a uniform lottery's rule from its files and report every difference."""
    report = VerifyReport(directory)
    try:
        manifest = read_manifest(directory, UNIFORM_FORMAT)
    except LotteryError as error:
        report.differ(MANIFEST, "", str(error).split(": ", 1)[-1])
        return report
    check_digest(report, manifest, digest)
    files = manifest.get("files") or {}
    path = directory / RESPONDENTS
    if not path.exists():
        report.differ(RESPONDENTS, "", "missing from the folder")
        return report
    if (actual := sha256_file(path)) != files.get(RESPONDENTS):
        report.differ(RESPONDENTS, "SHA-256",
                      f"manifest says {files.get(RESPONDENTS)}, file has {actual}")
    report.checked.append("SHA-256 digests of the published files")
    ids, households = _candidates(path, manifest)
    if manifest.get("respondents") != len(ids):
        report.differ(MANIFEST, "respondents",
                      f"{manifest.get('respondents')!r}, {RESPONDENTS} has {len(ids)}")
    if len(set(ids)) != len(ids):
        report.differ(RESPONDENTS, "id", "an id appears twice")
    draw = manifest.get("draw") or {}
    recorded = draw.get("number")
    if number is None and recorded is None:
        report.notes.append("no public number is recorded yet: the candidates are committed, "
                            "the panel is not drawn")
        return report
    if number is not None and recorded is None:
        report.differ(MANIFEST, "draw", f"no number is recorded; the public number is {number}")
    elif number is not None and recorded != number:
        report.differ(MANIFEST, "draw.number",
                      f"{recorded!r} is recorded; the public number is {number}")
    used = number if number is not None else recorded
    if isinstance(used, bool) or not isinstance(used, int) or used < 0:
        report.differ(MANIFEST, "draw.number", f"{used!r} is not an integer ≥ 0")
        return report
    seats = manifest.get("seats")
    if isinstance(seats, bool) or not isinstance(seats, int) or seats < 1:
        report.differ(MANIFEST, "seats", f"{seats!r} is not a number of seats")
        return report
    expected = [ids[i] for i in uniform_pick(ids, households, seats, used)]
    report.number, report.panel = used, expected
    if len(expected) < seats:
        report.differ(RESPONDENTS, "", f"only {len(expected)} candidates from distinct "
                                       f"households for {seats} seats")
    if draw.get("panel") != expected:
        report.differ(MANIFEST, "draw.panel",
                      f"the recorded panel is not the one the rule draws with {used}: "
                      f"{', '.join(expected)}")
    report.checked.append(f"the panel is the one the rule draws with the number {used}")
    return report
