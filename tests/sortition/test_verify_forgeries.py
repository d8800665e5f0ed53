"""Each forgery of a published lottery that issue 18 lists is caught by ``verify``.

A forger who controls the folder after publication rewrites it whole: every file's
digest, ``list_digest``, the manifest's own digest. What they cannot rewrite is the
digest published before the draw and the public number announced with it; and the
rounding's guarantee holds whatever the manifest claims.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kleroterion.sortition import find_distribution
from kleroterion.sortition.lottery import choose, load, publish, verify
from kleroterion.sortition.manifest import manifest_digest
from kleroterion.sortition.types import Pool, Problem, Quota

M = 30
SEATS = 4
# Three respondents of each type: LEXIMIN gives everyone 1/3, so each sits in 10 panels.
TYPES = [("Femme", "jeune"), ("Femme", "âgé"), ("Homme", "jeune"), ("Homme", "âgé")]
POOL = Pool(
    ids=tuple(f"r{n:02d}" for n in range(12)),
    features=("Genre", "Âge"),
    values=tuple(TYPES[n % 4] for n in range(12)),
)
QUOTAS = (
    Quota("Genre", "Femme", 2, 2),
    Quota("Genre", "Homme", 2, 2),
    Quota("Âge", "jeune", 1, 3),
    Quota("Âge", "âgé", 1, 3),
)
PROBLEM = Problem(POOL, QUOTAS, SEATS)
OTHER_ENGINE = {"name": "kleroterion", "version": "0.0.9", "highspy": "1.7.0"}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    distribution = find_distribution(PROBLEM, "leximin", seed=3)
    publish(tmp_path / "lottery", PROBLEM, distribution, seed=3, m=M)
    return tmp_path / "lottery"


def _manifest(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return data


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_rows(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def _rewrite_whole(folder: Path, **changes: Any) -> None:
    """Make every digest of the folder consistent again, as a careful forger would."""
    data = _manifest(folder)
    files = {name: _sha(folder / name) for name in data["files"]}
    data.update(files=files, list_digest=files["panels.csv"], **changes)
    data["digest"] = manifest_digest(data)
    (folder / "manifest.json").write_text(json.dumps(data), encoding="utf-8")


def _favour(folder: Path, favoured: str, twin: str, extra: int) -> None:
    """Move ``favoured`` into ``extra`` more panels, in place of ``twin`` (the same type)."""
    table = _rows(folder / "panels.csv")
    moved = 0
    for row in table[1:]:
        if moved < extra and twin in row and favoured not in row:
            row[row.index(twin)] = favoured
            row[1:] = sorted(row[1:])
            moved += 1
    assert moved == extra
    _write_rows(folder / "panels.csv", table)
    counts = {i: sum(i in row[1:] for row in table[1:]) for i in POOL.ids}
    probabilities = _rows(folder / "probabilities.csv")
    probabilities[1:] = [[i, p, str(counts[i])] for i, p, _ in probabilities[1:]]
    _write_rows(folder / "probabilities.csv", probabilities)


def _where(report: Any) -> set[tuple[str, str]]:
    return {(d.file, d.where) for d in report.differences}


def test_an_honest_folder_verifies_with_its_digest_and_number(folder: Path) -> None:
    digest = load(folder).digest
    choose(folder, 2024)
    report = verify(folder, digest=digest, number=2024)
    assert report.ok, str(report)
    assert report.panel == load(folder).panels[2024 % M]
    assert any("whose digest was published" in c for c in report.checked)


def test_folders_are_readable_by_a_web_server_running_as_another_user(folder: Path) -> None:
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path.name
    choose(folder, 1)  # the manifest rewritten at the draw keeps its mode
    assert stat.S_IMODE((folder / "manifest.json").stat().st_mode) == 0o644


def test_spoofed_engine_with_same_type_swaps_is_caught(folder: Path) -> None:
    """Issue 18.1: swaps within a type, digests rewritten, another engine named."""
    digest = load(folder).digest
    _favour(folder, "r00", "r04", 2)  # r00 and r04: both Femme/jeune
    deviation = max(abs(int(c) - M * float(p)) for _, p, c in _rows(
        folder / "probabilities.csv")[1:])
    _rewrite_whole(folder, engine=OTHER_ENGINE, rounding={"max_deviation": deviation,
                                                          "guarantee": "forged"})
    # With the digest published before the draw: the manifest is not the one published.
    report = verify(folder, digest=digest)
    assert ("manifest.json", "digest") in _where(report)
    # Without it, had the forger kept the rounding's published deviation, the shares tell.
    _rewrite_whole(folder, rounding=load(folder).manifest["rounding"] | {"max_deviation": 0.0})
    report = verify(folder)
    assert not report.ok
    assert ("panels.csv", "id r00") in _where(report)


@pytest.mark.parametrize("extra", [3, SEATS])
def test_a_move_beyond_the_rounding_guarantee_is_caught_without_the_digest(
    folder: Path, extra: int,
) -> None:
    """Whatever the manifest claims, the rounding moves no one by more than two panels."""
    _favour(folder, "r00", "r04", extra)
    probabilities = _rows(folder / "probabilities.csv")[1:]
    deviation = max(abs(int(c) - M * float(p)) for _, p, c in probabilities)
    _rewrite_whole(folder, engine=OTHER_ENGINE,
                   rounding={"max_deviation": deviation, "guarantee": "forged"})
    report = verify(folder)
    assert ("manifest.json", "rounding.max_deviation") in _where(report)
    assert any("above the rounding's guarantee" in d.detail for d in report.differences)


def test_panels_swapped_within_a_type_are_caught_under_the_same_engine(folder: Path) -> None:
    _favour(folder, "r00", "r04", 1)
    _rewrite_whole(folder)
    report = verify(folder)
    assert not report.ok
    assert any(file == "panels.csv" and where.startswith("panel ")
               for file, where in _where(report))


def test_respondent_edited_after_publication_is_caught_by_the_digest(folder: Path) -> None:
    digest = load(folder).digest
    table = _rows(folder / "respondents.csv")
    table[1][2] = "âgé" if table[1][2] == "jeune" else "jeune"
    _write_rows(folder / "respondents.csv", table)
    _rewrite_whole(folder)
    report = verify(folder, digest=digest)
    assert ("manifest.json", "digest") in _where(report)
    assert not report.ok


def test_number_and_panel_rewritten_together_are_caught_by_the_public_number(
    folder: Path,
) -> None:
    digest = load(folder).digest
    choose(folder, 42)
    panels = load(folder).panels
    other = next(n for n in range(M) if panels[n] != panels[42 % M])
    data = _manifest(folder)
    data["draw"] = {**data["draw"], "number": other, "panel_number": other,
                    "panel": panels[other], "rule": f"{other} mod {M} = {other}"}
    (folder / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    assert verify(folder, digest=digest).ok  # consistent: only the public number tells
    report = verify(folder, digest=digest, number=42)
    assert _where(report) == {("manifest.json", "draw.number"),
                              ("manifest.json", "draw.panel_number"),
                              ("manifest.json", "draw.panel")}
    assert report.panel == panels[42 % M] and report.panel_number == 42 % M


def test_informational_fields_are_recomputed(folder: Path) -> None:
    """Issue 14.11: a min_probability changed to 0.9 does not verify."""
    _rewrite_whole(folder, min_probability=0.9)
    assert ("manifest.json", "min_probability") in _where(verify(folder))
    _rewrite_whole(folder, min_probability=_manifest(folder)["min_probability"], respondents=11)
    folder_data = _manifest(folder)
    folder_data["min_probability"] = 1 / 3
    (folder / "manifest.json").write_text(json.dumps(folder_data), encoding="utf-8")
    assert ("manifest.json", "respondents") in _where(verify(folder))


def test_a_published_list_digest_in_place_of_the_folder_digest_is_refused(
    folder: Path,
) -> None:
    report = verify(folder, digest=load(folder).list_digest)
    assert _where(report) == {("manifest.json", "digest")}
    assert "panels.csv alone" in report.differences[0].detail


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(panel=st.integers(0, M - 1), seat=st.integers(0, SEATS - 1),
       other=st.sampled_from(POOL.ids), spoof=st.booleans())
def test_any_panel_changed_and_rewritten_whole_is_caught_with_the_digest(
    tmp_path_factory: pytest.TempPathFactory, panel: int, seat: int, other: str, spoof: bool
) -> None:
    folder = tmp_path_factory.mktemp("forged") / "lottery"
    publish(folder, PROBLEM, find_distribution(PROBLEM, "leximin", seed=3), seed=3, m=M)
    digest = load(folder).digest
    table = _rows(folder / "panels.csv")
    row = table[panel + 1]
    if other in row[1:]:
        return  # not a change
    row[seat + 1] = other
    row[1:] = sorted(row[1:])
    _write_rows(folder / "panels.csv", table)
    _rewrite_whole(folder, **({"engine": OTHER_ENGINE} if spoof else {}))
    assert not verify(folder, digest=digest).ok
    if not spoof:  # the same engine re-derives every panel: caught even without the digest
        assert (("panels.csv", f"panel {panel}") in _where(verify(folder)))
