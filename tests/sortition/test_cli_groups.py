"""Whole seat-grouped draws from the command line: select --group-column, grouped lotteries.

Pools are tiny (a Paris-like city scaled down to 4 + 3 + 2 seats) so that every test is fast.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import shutil
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kleroterion import plugins
from kleroterion.cli import main
from kleroterion.sortition.grouped import group_number

QUOTAS = (
    "feature,value,min,max,group\n"
    "gender,femme,1,2,a\n"
    "gender,homme,1,2,a\n"
    "age,young,1,2,a\n"
    "age,old,1,2,a\n"
    "gender,femme,1,1,b\n"
    "gender,homme,1,1,b\n"
)
# Group b's rows leave the age blank: only group a's quotas name it.
RESPONDENTS = (
    "id;grp;gender;age;nom\n"
    "a1;a;femme;young;Zoé Secret\n"
    "a2;a;homme;old;x\n"
    "a3;a;femme;old;x\n"
    "a4;a;homme;young;x\n"
    "a5;a;femme;young;x\n"
    "b1;b;femme;;x\n"
    "b2;b;homme;;x\n"
    "b3;B ;homme;;x\n"
)
SEATS = {"a": 3, "b": 2}


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    quotas = tmp_path / "quotas.csv"
    quotas.write_text(QUOTAS, encoding="utf-8")
    respondents = tmp_path / "respondents.csv"
    respondents.write_bytes(RESPONDENTS.encode("cp1252"))
    return {"quotas": quotas, "respondents": respondents, "dir": tmp_path}


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def select(files: dict[str, Path], *args: object) -> Result:
    return run(
        "select",
        "--respondents",
        files["respondents"],
        "--quotas",
        files["quotas"],
        "--group-column",
        "grp",
        "--seats",
        "a=3,b=2",
        *args,
    )


def as_json(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def assert_one_line_error(result: Result, *phrases: str, code: int = 1) -> None:
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    for phrase in phrases:
        assert phrase in lines[0], (phrase, lines[0])
    assert "Secret" not in result.output


def rows_of(path: Path) -> dict[str, dict[str, str]]:
    text = path.read_bytes().decode("cp1252")
    delimiter = ";" if ";" in text.splitlines()[0] else ","
    return {r["id"]: r for r in csv.DictReader(io.StringIO(text), delimiter=delimiter)}


def quotas_of(path: Path) -> dict[str, list[tuple[str, str, int, int]]]:
    out: dict[str, list[tuple[str, str, int, int]]] = {}
    for r in csv.DictReader(io.StringIO(path.read_text())):
        out.setdefault(r["group"], []).append(
            (r["feature"], r["value"], int(r["min"]), int(r["max"]))
        )
    return out


def assert_meets_quotas(data: dict[str, Any], files: dict[str, Path]) -> None:
    rows = rows_of(files["respondents"])
    quotas = quotas_of(files["quotas"])
    union: list[str] = []
    for key, group in data["groups"].items():
        panel = group["panel"]
        assert len(panel) == group["seats"] == len(set(panel))
        assert all(rows[i]["grp"].strip().casefold() == key.casefold() for i in panel)
        features = {f for f, _, _, _ in quotas[key]}
        counts = Counter((f, rows[i][f]) for i in panel for f in features)
        for feature, value, lo, hi in quotas[key]:
            assert lo <= counts[(feature, value)] <= hi, (key, feature, value)
        assert sum(group["probabilities"].values()) == pytest.approx(group["seats"], abs=1e-6)
        union += panel
    assert data["panel"] == union and len(union) == data["seats"] == sum(SEATS.values())


# ----------------------------------------------------------------------------- draws


@pytest.mark.parametrize("mode", ["--separate", "--joint"])
def test_every_group_meets_its_quotas(files: dict[str, Path], mode: str) -> None:
    data = as_json(select(files, mode, "--seed", 7, "--format", "json"))
    assert data["joint"] is (mode == "--joint")
    assert set(data["groups"]) == {"a", "b"}
    for group in data["groups"].values():
        assert group["algorithm"] == "leximin" and group["min_probability"] > 0
    # LEXIMIN within group a: 5 interchangeable enough respondents, 3 seats.
    assert data["groups"]["a"]["min_probability"] == pytest.approx(0.6, abs=1e-6)
    assert_meets_quotas(data, files)


def test_text_output_summarises_each_group(files: dict[str, Path]) -> None:
    result = select(files, "--seed", 1)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "one draw per group" in out
    assert "Group a: 3 seats from 5 respondents" in out
    assert "Group b: 2 seats from 3 respondents" in out
    assert "gender/femme" in out and "OUT OF BOUNDS" not in out
    assert "Whole panel: 5 seats" in out and "Secret" not in out


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 2**31 - 1), joint=st.booleans())
def test_reproducible_from_the_seed(files: dict[str, Path], seed: int, joint: bool) -> None:
    mode = "--joint" if joint else "--separate"
    first = as_json(select(files, mode, "--seed", seed, "--format", "json"))
    again = as_json(select(files, mode, "--seed", seed, "--format", "json"))
    assert first == again
    assert_meets_quotas(first, files)


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    sizes=st.lists(st.integers(2, 5), min_size=1, max_size=3),
    data=st.data(),
)
def test_random_groups_meet_their_quotas(
    files: dict[str, Path], sizes: list[int], data: st.DataObject
) -> None:
    """Random groups and pools: quotas built around one panel, so they are feasible."""
    lines, quota_lines, seats = ["id,grp,colour"], ["feature,value,min,max,group"], []
    for g, size in enumerate(sizes):
        colours = data.draw(st.lists(st.sampled_from("rgb"), min_size=size, max_size=size))
        k = data.draw(st.integers(1, size))
        lines += [f"g{g}p{i},g{g},{c}" for i, c in enumerate(colours)]
        chosen = Counter(colours[:k])
        for colour in sorted(set(colours)):
            lo = data.draw(st.integers(0, chosen[colour]))
            hi = data.draw(st.integers(chosen[colour], k))
            quota_lines.append(f"colour,{colour},{lo},{hi},g{g}")
        seats.append(f"g{g}={k}")
    files["respondents"].write_text("\n".join(lines) + "\n")
    files["quotas"].write_text("\n".join(quota_lines) + "\n")
    joint = data.draw(st.booleans())
    result = run(
        "select",
        "--respondents",
        files["respondents"],
        "--quotas",
        files["quotas"],
        "--group-column",
        "grp",
        "--seats",
        ",".join(seats),
        "--joint" if joint else "--separate",
        "--seed",
        3,
        "--format",
        "json",
    )
    out = as_json(result)
    quotas = quotas_of(files["quotas"])
    rows = rows_of(files["respondents"])
    for key, group in out["groups"].items():
        counts = Counter(rows[i]["colour"] for i in group["panel"])
        assert all(rows[i]["grp"] == key for i in group["panel"])
        for _, value, lo, hi in quotas[key]:
            assert lo <= counts[value] <= hi
    assert len(out["panel"]) == sum(int(s.split("=")[1]) for s in seats)


# ----------------------------------------------------------------------------- cities


def small_paris(joint: bool) -> Any:
    """Paris's three seat groups scaled down to 4 + 3 + 2 seats, on gender and three ages."""
    paris = plugins.load_city("paris").config.composition
    gender = next(f for f in paris.features if f.key == "gender")
    age = next(f for f in paris.features if f.key == "age")
    age = dataclasses.replace(age, values=age.values[1:4], tolerance=1)
    roll, non_eu, young = paris.seat_groups
    groups = (
        dataclasses.replace(roll, seats=4, features=("gender", "age"), quotas=()),
        dataclasses.replace(non_eu, seats=3, features=("gender",), quotas=()),
        dataclasses.replace(young, seats=2, features=("gender",), quotas=()),
    )
    return dataclasses.replace(
        paris, seats=9, features=(gender, age), seat_groups=groups, joint_draw=joint
    )


def use_city(monkeypatch: pytest.MonkeyPatch, composition: Any) -> None:
    loaded = SimpleNamespace(config=SimpleNamespace(composition=composition))
    monkeypatch.setattr(plugins, "load_city", lambda slug, **_: loaded)


def city_respondents(path: Path) -> Path:
    ages = ["18-29", "30-44", "45-59"]
    lines = ["id,seat_group,gender,age"]
    for i in range(8):
        lines.append(f"r{i},liste-electorale,{'femme' if i % 2 else 'homme'},{ages[i % 3]}")
    for i in range(5):
        lines.append(f"n{i},non-europeens,{'femme' if i % 2 else 'homme'},")
    for i in range(4):
        lines.append(f"j{i},jeunes,{'femme' if i % 2 else 'homme'},")
    path.write_text("\n".join(lines) + "\n")
    return path


def city_select(path: Path, *args: object) -> Result:
    return run(
        "select", "--city", "paris", "--respondents", path, "--group-column", "seat_group", *args
    )


@pytest.mark.parametrize("city_joint", [False, True])
def test_city_groups_follow_the_city_joint_choice(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, city_joint: bool
) -> None:
    use_city(monkeypatch, small_paris(city_joint))
    path = city_respondents(tmp_path / "r.csv")
    data = as_json(city_select(path, "--seed", 5, "--format", "json"))
    assert data["joint"] is city_joint
    assert {k: g["seats"] for k, g in data["groups"].items()} == {
        "liste-electorale": 4,
        "non-europeens": 3,
        "jeunes": 2,
    }
    assert len(data["panel"]) == 9 and len(set(data["panel"])) == 9
    assert all(i.startswith("j") for i in data["groups"]["jeunes"]["panel"])
    # --joint / --separate override the city's choice.
    flag = "--separate" if city_joint else "--joint"
    assert as_json(city_select(path, flag, "--seed", 5, "--format", "json"))["joint"] is (
        not city_joint
    )


def test_city_seats_override_rederives_the_quotas(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    use_city(monkeypatch, small_paris(False))
    path = city_respondents(tmp_path / "r.csv")
    data = as_json(city_select(path, "--seats", "jeunes=4", "--seed", 1, "--format", "json"))
    assert data["groups"]["jeunes"]["seats"] == 4 and len(data["panel"]) == 11
    # Two of each gender: the proportional quotas of 4 seats, not of 2.
    assert sorted(data["groups"]["jeunes"]["panel"]) == ["j0", "j1", "j2", "j3"]
    assert_one_line_error(city_select(path, "--seats", "adults=3"), "adults", "jeunes")


def test_city_unknown_group_in_respondents(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    use_city(monkeypatch, small_paris(False))
    path = city_respondents(tmp_path / "r.csv")
    path.write_text(path.read_text() + "x1,seniors,femme,\n")
    assert_one_line_error(
        city_select(path),
        str(path),
        "line 19",
        "column 2 ('seat_group')",
        "'seniors'",
        "accepted: liste-electorale, non-europeens, jeunes",
    )


# ----------------------------------------------------------------------------- errors


def test_errors_are_located(files: dict[str, Path]) -> None:
    path = files["respondents"]
    original = path.read_bytes()
    path.write_bytes(original + b"c1;c;femme;;x\n")
    assert_one_line_error(
        select(files), str(path), "line 10", "('grp')", "'c'", "not a seat group", "accepted: a, b"
    )
    # A value outside its own group's quotas, located on the original line.
    path.write_bytes(original.replace(b"a4;a;homme;young", b"a4;a;homme;middle"))
    assert_one_line_error(
        select(files), str(path), "line 5", "('age')", "'middle'", "seat group 'a'", "young, old"
    )
    path.write_bytes(original + b"a1;b;femme;;x\n")
    assert_one_line_error(select(files), "'a1'", "'a' and 'b'")
    path.write_bytes(original)
    assert_one_line_error(
        select(files, "--group-column", "collège"), "no group column 'collège'", "grp"
    )


def test_option_errors(files: dict[str, Path]) -> None:
    assert_one_line_error(select(files, "--seats", "a=3"), "--seats", "b")
    assert_one_line_error(select(files, "--seats", "a=3,b=2,c=1"), "'c'", "accepted: a, b")
    assert_one_line_error(select(files, "--seats", "5"), "GROUP=N")
    assert_one_line_error(select(files, "--group", "a"), "--group-column")
    assert_one_line_error(
        run(
            "select",
            "--respondents",
            files["respondents"],
            "--quotas",
            files["quotas"],
            "--group",
            "a",
            "--seats",
            "a=2",
        ),
        "--group-column",
    )
    assert run("select", "--respondents", files["respondents"], "--seats", "a=x").exit_code == 2
    files["quotas"].write_text("feature,value,min,max\ngender,femme,1,2\ngender,homme,1,2\n")
    assert_one_line_error(select(files), "no group column")


def test_infeasible_group_is_named(files: dict[str, Path]) -> None:
    files["quotas"].write_text(QUOTAS.replace("gender,femme,1,1,b", "gender,femme,2,2,b"))
    result = select(files, "--separate")
    assert result.exit_code == 3, result.output
    assert "seat group 'b'" in result.stderr and "Traceback" not in result.output


# ----------------------------------------------------------------------------- lotteries


@pytest.mark.parametrize("mode", ["--separate", "--joint"])
def test_grouped_lottery_round_trip(files: dict[str, Path], mode: str) -> None:
    out = files["dir"] / "lottery"
    data = as_json(
        select(files, mode, "--seed", 11, "--out", out, "--lottery-size", 50, "--format", "json")
    )
    assert data["panel"] is None and data["lottery"]["m"] == 50
    digest = data["lottery"]["digest"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert [g["key"] for g in manifest["groups"]] == ["a", "b"]
    for key in ("a", "b"):
        assert {p.name for p in (out / key).iterdir()} >= {"manifest.json", "panels.csv"}
    assert not [p for p in files["dir"].iterdir() if p.name.startswith(".lottery")]
    verified = run("verify", out, "--digest", digest)
    assert verified.exit_code == 0, verified.output
    drawn = run("draw", out, "--number", 987654, "--format", "json")
    assert drawn.exit_code == 0, drawn.output
    record = json.loads(drawn.stdout)
    for key in ("a", "b"):
        assert record["groups"][key]["panel_number"] == group_number(987654, key) % 50
    assert len(record["panel"]) == 5
    verified = run("verify", out, "--digest", digest, "--number", 987654, "--format", "json")
    assert verified.exit_code == 0, verified.output
    report = json.loads(verified.stdout)
    assert report["number"] == 987654 and sorted(report["panel"]) == sorted(record["panel"])
    # Another public number than the one recorded: the recorded panels are not its own.
    other = json.loads(run("verify", out, "--digest", digest, "--number", 987655,
                           "--format", "json").stdout)
    assert not other["ok"] and ("manifest.json", "draw.number") in {
        (d["file"], d["where"]) for d in other["differences"]}
    # The top manifest's figures are bound by its digest and recomputed from the groups.
    top = json.loads((out / "manifest.json").read_text())
    top["seats"] = 6
    (out / "manifest.json").write_text(json.dumps(top))
    assert run("verify", out, "--digest", digest).exit_code == 1
    top["seats"] = 5
    (out / "manifest.json").write_text(json.dumps(top))
    assert_one_line_error(run("draw", out, "--number", 1), "already recorded")
    assert run("draw", out, "--number", 987654).exit_code == 0
    # The same seed and number without --out give the same panels.
    now = as_json(
        select(
            files, mode, "--seed", 11, "--number", 987654, "--lottery-size", 50, "--format", "json"
        )
    )
    assert now["panel"] == record["panel"]
    for key in ("a", "b"):
        assert now["groups"][key]["panel_number"] == record["groups"][key]["panel_number"]


def differences(out: Path) -> list[dict[str, str]]:
    result = run("verify", out, "--format", "json")
    assert result.exit_code == 1, result.output
    found: list[dict[str, str]] = json.loads(result.stdout)["differences"]
    return found


def test_verify_names_the_tampered_group(files: dict[str, Path]) -> None:
    pristine = files["dir"] / "pristine"
    as_json(
        select(
            files,
            "--seed",
            2,
            "--out",
            pristine,
            "--lottery-size",
            20,
            "--number",
            42,
            "--format",
            "json",
        )
    )
    assert run("verify", pristine).exit_code == 0

    def copy() -> Path:
        target = files["dir"] / f"copy{len(list(files['dir'].glob('copy*')))}"
        shutil.copytree(pristine, target)
        return target

    # A member swapped in one panel of group b.
    out = copy()
    panels = (out / "b" / "panels.csv").read_text().splitlines()
    row = next(i for i, line in enumerate(panels[1:], start=1) if "b1" in line)
    panels[row] = panels[row].replace("b1", "b3" if "b3" not in panels[row] else "b2")
    (out / "b" / "panels.csv").write_text("\n".join(panels) + "\n")
    found = differences(out)
    assert all(d["file"].startswith("b/") for d in found), found
    assert any(d["file"] == "b/panels.csv" and d["where"] == f"panel {row - 1}" for d in found)

    # A probability changed in group a.
    out = copy()
    path = out / "a" / "probabilities.csv"
    path.write_text(path.read_text().replace("a2,0.", "a2,0.1", 1))
    found = differences(out)
    # The manifest's rounding deviation, recomputed from the edited probability, too.
    assert {(d["file"], d["where"]) for d in found if d["file"] != "a/probabilities.csv"} <= {
        ("a/manifest.json", "rounding.max_deviation")}
    assert any(d["where"] == "id a2" for d in found)

    # Another number recorded in one group's own manifest.
    out = copy()
    path = out / "a" / "manifest.json"
    sub = json.loads(path.read_text())
    sub["draw"]["number"] = 7
    path.write_text(json.dumps(sub))
    assert any(
        d["file"] == "a/manifest.json" and d["where"] == "draw.number" for d in differences(out)
    )

    # The top manifest's digest of group a.
    out = copy()
    path = out / "manifest.json"
    top = json.loads(path.read_text())
    top["groups"][0]["list_digest"] = "0" * 64
    path.write_text(json.dumps(top))
    found = differences(out)
    assert any(d["file"] == "manifest.json" and d["where"] == "list_digest" for d in found)
    assert any(d["file"] == "a/manifest.json" and d["where"] == "list_digest" for d in found)

    # A whole group folder removed.
    out = copy()
    shutil.rmtree(out / "b")
    assert any(d["file"].startswith("b/") for d in differences(out))


def test_draw_refuses_a_tampered_group_and_records_nothing(files: dict[str, Path]) -> None:
    out = files["dir"] / "lottery"
    as_json(select(files, "--seed", 2, "--out", out, "--lottery-size", 20, "--format", "json"))
    path = out / "b" / "panels.csv"
    path.write_text(path.read_text() + "20,b1,b2\n")
    assert_one_line_error(run("draw", out, "--number", 3), "b", "panels.csv", "digest")
    assert json.loads((out / "manifest.json").read_text())["draw"] is None
    assert json.loads((out / "a" / "manifest.json").read_text())["draw"] is None


def test_joint_group_folder_alone_points_to_its_parent(files: dict[str, Path]) -> None:
    out = files["dir"] / "lottery"
    as_json(
        select(
            files, "--joint", "--seed", 2, "--out", out, "--lottery-size", 20, "--format", "json"
        )
    )
    result = run("verify", out / "a")
    assert result.exit_code == 1 and "verify the parent folder" in result.stdout


def test_unusable_group_key_writes_nothing(files: dict[str, Path]) -> None:
    files["quotas"].write_text(QUOTAS.replace(",b\n", ",b/x\n"))
    files["respondents"].write_bytes(
        RESPONDENTS.encode("cp1252").replace(b";b;", b";b/x;").replace(b";B ;", b";b/x;")
    )
    out = files["dir"] / "lottery"
    result = select(files, "--seats", "a=3,b/x=2", "--out", out)
    assert_one_line_error(result, "b/x", "folder")
    assert not out.exists() and not [p for p in files["dir"].iterdir() if p.name.startswith(".")]
