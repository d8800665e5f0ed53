"""The transparent lottery: publish, choose by a public number, verify and locate tampering."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest
from kleroterion.sortition import find_distribution, lottery
from kleroterion.sortition.io import read_quotas, read_respondents
from kleroterion.sortition.lottery import LotteryError, choose, load, publish, verify
from kleroterion.sortition.manifest import manifest_digest
from kleroterion.sortition.types import Pool, Problem, Quota

QUOTAS = (
    Quota("Genre", "Femme", 1, 1),
    Quota("Genre", "Homme", 1, 1),
    Quota("Âge", "jeune", 0, 2, min_flex=0),
    Quota("Âge", "âgé", 0, 2, max_flex=3),
)
POOL = Pool(
    ids=("r1", "r2", "r3", "r4", "r5"),
    features=("Genre", "Âge"),
    values=(
        ("Femme", "jeune"),
        ("Homme", "âgé"),
        ("Femme", "âgé"),
        ("Homme", "jeune"),
        ("Homme", "âgé"),
    ),
    households=("1", "1", None, None, None),
)
PROBLEM = Problem(POOL, QUOTAS, 2)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    distribution = find_distribution(PROBLEM, "leximin", seed=7)
    publish(tmp_path / "lottery", PROBLEM, distribution, seed=7, m=10)
    return tmp_path / "lottery"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def manifest(folder: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return data


def edit_manifest(folder: Path, **changes: object) -> None:
    data = manifest(folder)
    data.update(changes)
    (folder / "manifest.json").write_text(json.dumps(data), encoding="utf-8")


def forge_manifest(folder: Path, **changes: object) -> None:
    """Edit the manifest as a forger would: its own digest made consistent again."""
    data = manifest(folder)
    data.update(changes)
    data["digest"] = manifest_digest(data)
    (folder / "manifest.json").write_text(json.dumps(data), encoding="utf-8")


# ----------------------------------------------------------------------------- publish


def test_published_files_and_manifest(folder: Path) -> None:
    data = manifest(folder)
    assert sorted(p.name for p in folder.iterdir()) == [
        "manifest.json",
        "panels.csv",
        "probabilities.csv",
        "quotas.csv",
        "respondents.csv",
    ]
    assert data["list_digest"] == sha256(folder / "panels.csv")
    files = data["files"]
    assert isinstance(files, dict)
    assert {name: sha256(folder / name) for name in files} == files
    assert (data["algorithm"], data["seats"], data["seed"], data["m"]) == ("leximin", 2, 7, 10)
    assert data["numbering"] == "0-based" and "N mod m" in str(data["rule"])
    assert data["engine"]["version"]  # type: ignore[index]
    panels = rows(folder / "panels.csv")
    assert panels[0] == ["number", "seat_1", "seat_2"]
    assert [r[0] for r in panels[1:]] == [str(n) for n in range(10)]
    assert rows(folder / "respondents.csv")[:2] == [
        ["id", "Genre", "Âge", "household"],
        ["r1", "Femme", "jeune", "1"],
    ]
    assert rows(folder / "quotas.csv")[3] == ["Âge", "jeune", "0", "2", "0", ""]
    probabilities = rows(folder / "probabilities.csv")
    assert probabilities[0] == ["id", "probability", "panels"]
    assert sum(int(r[2]) for r in probabilities[1:]) == 2 * 10


def test_published_inputs_read_back_to_the_same_problem(folder: Path) -> None:
    quotas = read_quotas(folder / "quotas.csv")
    assert quotas.quotas == QUOTAS
    assert (
        read_respondents(
            folder / "respondents.csv", quotas, id_column="id", household=["household"]
        )
        == POOL
    )


def test_publish_refuses_a_used_folder_and_leaves_nothing_on_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    distribution = find_distribution(PROBLEM, "leximin")
    used = tmp_path / "used"
    used.mkdir()
    (used / "keep.txt").write_text("mine")
    with pytest.raises(LotteryError, match="already exists"):
        publish(used, PROBLEM, distribution, seed=1, m=10)
    assert [p.name for p in used.iterdir()] == ["keep.txt"]

    def broken(path: Path, data: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(lottery, "write_json", broken)
    with pytest.raises(OSError, match="disk full"):
        publish(tmp_path / "new", PROBLEM, distribution, seed=1, m=10)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["used"]  # no folder, no temporary


def test_publish_into_an_empty_folder_and_feature_order(tmp_path: Path) -> None:
    distribution = find_distribution(PROBLEM, "leximin")
    (tmp_path / "empty").mkdir()
    assert publish(tmp_path / "empty", PROBLEM, distribution, seed=1, m=4).m == 4
    shuffled = Problem(
        Pool(POOL.ids, ("Âge", "Genre"), tuple(v[::-1] for v in POOL.values)), QUOTAS, 2
    )
    with pytest.raises(LotteryError, match="quotas' order"):
        publish(tmp_path / "other", shuffled, distribution, seed=1, m=4)


# ----------------------------------------------------------------------------- choose


def test_choose_takes_number_mod_m(folder: Path) -> None:
    lot = choose(folder, 1234567)
    assert lot.draw is not None
    assert lot.draw["panel_number"] == 7 and lot.draw["number"] == 1234567
    assert lot.draw["panel"] == load(folder).panels[7]
    assert manifest(folder)["draw"] == lot.draw
    assert choose(folder, 1234567).draw == lot.draw  # the same number again: no change
    with pytest.raises(LotteryError, match="already recorded"):
        choose(folder, 8)
    with pytest.raises(LotteryError, match="integer"):
        choose(folder, -1)


def test_choose_refuses_a_tampered_list(folder: Path) -> None:
    text = (folder / "panels.csv").read_text()
    (folder / "panels.csv").write_text(text.replace("r3", "r4", 1))
    with pytest.raises(LotteryError, match="no longer matches the published digest"):
        choose(folder, 3)
    assert manifest(folder)["draw"] is None


def test_choose_refuses_a_manifest_edited_since_publication(folder: Path) -> None:
    edit_manifest(folder, seed=8)  # another seed would re-derive other panels
    with pytest.raises(LotteryError, match="no longer matches its published digest"):
        choose(folder, 3)
    assert manifest(folder)["draw"] is None


# ----------------------------------------------------------------------------- verify


def test_verify_accepts_an_honest_lottery(folder: Path) -> None:
    choose(folder, 42)
    report = verify(folder, digest=str(manifest(folder)["digest"]), number=42)
    assert report.ok, str(report)
    assert report.panel == load(folder).panels[2]
    assert (report.number, report.panel_number) == (42, 2)
    assert report.to_dict()["ok"] is True
    assert "OK" in str(report)


def test_verify_names_a_modified_panel(folder: Path) -> None:
    lines = (folder / "panels.csv").read_text().splitlines()
    number, *ids = lines[4].split(",")
    stranger = next(i for i in POOL.ids if i not in ids)
    lines[4] = ",".join([number, stranger, ids[1]])
    (folder / "panels.csv").write_text("\n".join(lines) + "\n")
    report = verify(folder)
    assert not report.ok
    found = {(d.file, d.where) for d in report.differences}
    assert ("panels.csv", "SHA-256") in found
    assert ("panels.csv", "panel 3") in found
    details = [d.detail for d in report.differences if d.where == "panel 3"]
    assert any(stranger in detail and ids[0] in detail for detail in details)  # the re-run
    assert any("the quota allows" in detail for detail in details)  # two men, or two women
    assert any(d.file == "probabilities.csv" for d in report.differences)  # counts no longer add up


def _republish(folder: Path, panels: list[list[str]], **manifest_changes: object) -> None:
    """Rewrite panels.csv (and the counts of probabilities.csv) as a publisher would.

    Digests are made consistent, as an honest folder's, so that only what the
    panels themselves say can tell.
    """
    lines = ["number," + ",".join(f"seat_{k + 1}" for k in range(len(panels[0])))]
    lines += [",".join([str(n), *panel]) for n, panel in enumerate(panels)]
    (folder / "panels.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    counts = {ident: sum(ident in panel for panel in panels) for ident in POOL.ids}
    table = rows(folder / "probabilities.csv")
    table[1:] = [[ident, probability, str(counts[ident])] for ident, probability, _ in table[1:]]
    (folder / "probabilities.csv").write_text(
        "\n".join(",".join(row) for row in table) + "\n", encoding="utf-8")
    data = manifest(folder)
    files = dict(data["files"])  # type: ignore[call-overload]
    files["panels.csv"] = sha256(folder / "panels.csv")
    files["probabilities.csv"] = sha256(folder / "probabilities.csv")
    forge_manifest(folder, files=files, list_digest=files["panels.csv"], **manifest_changes)


def _published(folder: Path) -> list[list[str]]:
    return [row[1:] for row in rows(folder / "panels.csv")[1:]]


OLDER_ENGINE = {"name": "kleroterion", "version": "0.0.1", "highspy": "1.7.0"}


def test_verify_across_engine_versions_rests_on_quotas_and_shares(folder: Path) -> None:
    """Another engine may realise the same probabilities with other panels: not a finding."""
    panels = _published(folder)
    shuffled = [*panels[1:], panels[0]]  # the same panels, numbered otherwise
    assert shuffled != panels
    _republish(folder, shuffled, engine=OLDER_ENGINE)
    report = verify(folder)
    assert report.ok, str(report)
    assert any("not compared panel by panel" in note and "0.0.1" in note
               for note in report.notes)
    assert "every panel of panels.csv meets the quotas of quotas.csv" in report.checked
    # The same folder under this very engine: the re-run must match panel by panel.
    forge_manifest(folder, engine=lottery.engine())
    report = verify(folder)
    assert not report.ok
    moved = {f"panel {n}" for n, panel in enumerate(shuffled) if panel != panels[n]}
    assert moved and {d.where for d in report.differences} == moved


def test_verify_across_engine_versions_catches_a_skewed_list(folder: Path) -> None:
    """Valid panels, but one pair sits in all ten: the shares give it away, whatever the engine."""
    favoured = _published(folder)[0]
    _republish(folder, [favoured] * 10, engine=OLDER_ENGINE)
    report = verify(folder)
    assert not report.ok
    found = {(d.file, d.where) for d in report.differences}
    assert {("panels.csv", f"id {ident}") for ident in favoured} <= found
    assert not any("quota" in d.detail for d in report.differences)  # each panel is valid
    detail = next(d.detail for d in report.differences if d.where == f"id {favoured[0]}")
    assert "in 10 of the 10 panels" in detail


def test_verify_names_a_panel_that_breaks_a_quota_whatever_the_engine(folder: Path) -> None:
    panels = _published(folder)
    women = [i for i, values in zip(POOL.ids, POOL.values, strict=True) if values[0] == "Femme"]
    panels[4] = women[:2]
    _republish(folder, panels, engine=OLDER_ENGINE)
    report = verify(folder)
    details = [d.detail for d in report.differences if (d.file, d.where) == ("panels.csv",
                                                                               "panel 4")]
    assert any("2 Genre=Femme" in detail and "1 to 1" in detail for detail in details)


def test_verify_names_an_edited_manifest(folder: Path) -> None:
    choose(folder, 15)
    data = manifest(folder)
    draw = dict(data["draw"])  # type: ignore[call-overload]
    edit_manifest(folder, draw={**draw, "panel_number": 6})
    report = verify(folder)
    assert [(d.file, d.where) for d in report.differences] == [
        ("manifest.json", "draw.panel_number")
    ]
    assert "15 mod 10 = 5" in report.differences[0].detail

    # A different public number, drawing a different panel.
    panels = load(folder).panels
    other = next(n for n in range(10) if panels[n] != panels[5])
    edit_manifest(folder, draw={**draw, "number": 10 + other})
    report = verify(folder)
    assert {(d.file, d.where) for d in report.differences} == {
        ("manifest.json", "draw.panel_number"),
        ("manifest.json", "draw.panel"),
    }
    files = dict(data["files"])  # type: ignore[call-overload]
    files["quotas.csv"] = "0" * 64
    edit_manifest(folder, draw=draw, files=files)
    report = verify(folder)
    assert [(d.file, d.where) for d in report.differences] == [
        ("manifest.json", "digest"), ("quotas.csv", "SHA-256")]


def test_verify_detects_a_re_run_that_differs(folder: Path) -> None:
    edit_manifest(folder, m=11)  # the re-run now makes eleven panels, not ten
    report = verify(folder)
    assert ("manifest.json", "digest") in {(d.file, d.where) for d in report.differences}
    assert ("panels.csv", "panel 10") in {(d.file, d.where) for d in report.differences}
    assert any("m = 11" in d.detail for d in report.differences)


def test_verify_checks_the_published_digest_and_probabilities(folder: Path) -> None:
    report = verify(folder, digest="ab" * 32)
    assert [(d.file, d.where) for d in report.differences] == [("manifest.json", "digest")]
    assert "published before the draw" in report.differences[0].detail

    text = (folder / "probabilities.csv").read_text().splitlines()
    ident, _, count = text[1].split(",")
    text[1] = f"{ident},0.99,{count}"
    (folder / "probabilities.csv").write_text("\n".join(text) + "\n")
    report = verify(folder)
    found = {(d.file, d.where) for d in report.differences}
    assert found == {("probabilities.csv", "SHA-256"), ("probabilities.csv", f"id {ident}"),
                     ("manifest.json", "rounding.max_deviation")}


def test_verify_reports_missing_or_broken_files(folder: Path, tmp_path: Path) -> None:
    (folder / "respondents.csv").unlink()
    report = verify(folder)
    assert [(d.file, d.detail) for d in report.differences] == [
        ("respondents.csv", "missing from the folder")
    ]
    report = verify(tmp_path / "nowhere")
    assert report.differences[0].file == "manifest.json" and not report.ok
    (folder / "manifest.json").write_text("{not json")
    assert "not valid JSON" in verify(folder).differences[0].detail
