"""The sortition commands end to end: outputs, the lottery round trip, one clear line per error."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from kleroterion.cli import main
from kleroterion.cli.sortition import COMMANDS

QUOTAS = "feature,value,min,max\nGenre,Femme,1,2\nGenre,Homme,1,2\nÂge,jeune,1,3\nÂge,âgé,0,3\n"
RESPONDENTS = (
    "id;nom;Genre;Âge;adresse\n"
    "a1;Zoé Secret;Femme;jeune;1 rue X\n"
    "a2;Jean;Homme;âgé;1 RUE x\n"
    "a3;Inès;Femme;âgé;2 rue Y\n"
    "a4;Hugo;Homme;jeune;3 rue Z\n"
    "a5;Léa;Femme;jeune;4 rue W\n"
    "a6;Max;Homme;âgé;5 rue V\n"
)


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
        "--seats",
        3,
        *args,
    )


def assert_one_line_error(result: Result, *phrases: str) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    for phrase in phrases:
        assert phrase in lines[0], (phrase, lines[0])
    assert "Secret" not in result.output


# ----------------------------------------------------------------------------- select


def test_select_json_output(files: dict[str, Path]) -> None:
    result = select(files, "--format", "json", "--seed", 5, "--household", "adresse")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"algorithm", "seats", "panel", "probabilities", "min_probability", "optimal"} <= set(
        data
    )
    assert data["algorithm"] == "leximin" and data["seats"] == 3 and data["optimal"] is True
    assert set(data["probabilities"]) == {"a1", "a2", "a3", "a4", "a5", "a6"}
    assert abs(sum(data["probabilities"].values()) - 3) < 1e-9
    assert data["min_probability"] == min(data["probabilities"].values())
    assert len(data["panel"]) == 3 and not {"a1", "a2"} <= set(data["panel"])  # one per household
    assert data["seed"] == 5 and data["lottery"] is None
    again = select(files, "--format", "json", "--seed", 5, "--household", "adresse")
    assert json.loads(again.stdout)["panel"] == data["panel"]  # reproducible from the seed
    assert "Secret" not in result.output


def test_select_text_output(files: dict[str, Path]) -> None:
    result = select(files, "--seed", 1, "--algorithm", "legacy")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Algorithm: legacy" in out and "Seats: 3 from 6 respondents (seed 1)" in out
    assert "Selection probability: min" in out and "Composition against the quotas:" in out
    assert "Genre/Femme" in out and "(min 1, max 2)" in out and "OUT OF BOUNDS" not in out


def test_ids_are_row_numbers_without_an_id_column(files: dict[str, Path]) -> None:
    respondents = files["dir"] / "noid.csv"
    respondents.write_text("Genre,Âge\nFemme,jeune\nHomme,âgé\nHomme,jeune\n", encoding="utf-8")
    result = run(
        "select",
        "--respondents",
        respondents,
        "--quotas",
        files["quotas"],
        "--seats",
        2,
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.stdout)["probabilities"]) == {"1", "2", "3"}


def test_lottery_round_trip(files: dict[str, Path]) -> None:
    folder = files["dir"] / "lottery"
    result = select(files, "--out", folder, "--seed", 9, "--lottery-size", 20)
    assert result.exit_code == 0, result.output
    digest = json.loads((folder / "manifest.json").read_text())["digest"]
    assert f"Digest to publish before the draw: {digest}" in result.stdout
    assert f"kleroterion draw {folder} --number N" in result.stdout
    assert "Panel (" not in result.stdout  # no panel before the public number

    drawn = run("draw", folder, "--number", 123457, "--format", "json")
    assert drawn.exit_code == 0, drawn.output
    data = json.loads(drawn.stdout)
    assert data["panel_number"] == 17 and len(data["panel"]) == 3
    assert run("draw", folder, "--number", 5).exit_code == 1  # drawn once only

    verified = run("verify", folder, "--digest", digest, "--number", 123457)
    assert verified.exit_code == 0, verified.output
    assert verified.stdout.startswith("OK")
    assert f"panel drawn by 123457: {', '.join(data['panel'])}" in verified.stdout
    assert "whose digest was published before the draw" in verified.stdout
    # Another public number than the one announced: exit 1, naming the field.
    other = run("verify", folder, "--digest", digest, "--number", 123458)
    assert other.exit_code == 1 and "draw.number" in other.stdout

    text = (folder / "panels.csv").read_text().splitlines()
    number, first, *rest = text[5].split(",")
    text[5] = ",".join([number, "a6" if first != "a6" else "a5", *rest])
    (folder / "panels.csv").write_text("\n".join(text) + "\n")
    tampered = run("verify", folder, "--format", "json")
    assert tampered.exit_code == 1
    report = json.loads(tampered.stdout)
    assert report["ok"] is False
    assert {"file": "panels.csv", "where": "panel 4"} in [
        {k: d[k] for k in ("file", "where")} for d in report["differences"]
    ]


def test_select_with_number_now(files: dict[str, Path]) -> None:
    folder = files["dir"] / "lottery"
    result = select(files, "--out", folder, "--number", 1042, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["lottery"]["panel_number"] == 42 and data["lottery"]["m"] == 1000
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["draw"]["panel"] == sorted(data["panel"])
    # Without --out the number picks from the same numbered list, unpublished.
    direct = select(files, "--number", 1042, "--format", "json", "--seed", data["seed"])
    assert json.loads(direct.stdout)["panel"] == data["panel"]


def test_infeasible_quotas_print_the_relaxation(files: dict[str, Path]) -> None:
    files["quotas"].write_text("feature,value,min,max\nGenre,Femme,4,4\nGenre,Homme,0,3\n")
    folder = files["dir"] / "lottery"
    result = select(files, "--out", folder)
    assert result.exit_code == 3, result.output
    assert "cannot all be met" in result.stderr and "Genre/Femme: minimum 4 → 3" in result.stderr
    assert "Traceback" not in result.output and not folder.exists()


@pytest.mark.parametrize(
    ("respondents", "quotas", "args", "phrases"),
    [
        (
            RESPONDENTS.replace("Femme;jeune;1", "Autre;jeune;1"),
            QUOTAS,
            [],
            ["respondents.csv", "line 2", "'Autre'", "Femme, Homme"],
        ),
        (
            RESPONDENTS.replace("a3;", "a2;"),
            QUOTAS,
            [],
            ["respondents.csv", "line 4", "'a2'", "duplicate"],
        ),
        (RESPONDENTS.replace("Âge", "age"), QUOTAS, [], ["respondents.csv", "line 1", "'Âge'"]),
        ("", QUOTAS, [], ["respondents.csv", "empty"]),
        (
            RESPONDENTS,
            QUOTAS,
            ["--household", "adresse,cp"],
            ["respondents.csv", "household column 'cp'"],
        ),
        (RESPONDENTS, QUOTAS, ["--seats", 7], ["--seats", "'7'", "6 respondents"]),
        (
            RESPONDENTS,
            QUOTAS.replace("Homme,1,2", "Homme,3,2"),
            [],
            ["quotas.csv", "line 3", "'3'", "above the maximum"],
        ),
        (
            RESPONDENTS,
            QUOTAS.replace("Homme,1,2", "Homme,un,2"),
            [],
            ["quotas.csv", "line 3", "column 3 ('min')", "'un'"],
        ),
        (RESPONDENTS, QUOTAS, ["--id-column", "ref"], ["respondents.csv", "no id column 'ref'"]),
    ],
)
def test_bad_inputs_give_one_line_and_no_output(
    files: dict[str, Path], respondents: str, quotas: str, args: list[object], phrases: list[str]
) -> None:
    files["respondents"].write_text(respondents, encoding="utf-8")
    files["quotas"].write_text(quotas, encoding="utf-8")
    folder = files["dir"] / "lottery"
    result = select(files, "--out", folder, *args)
    assert_one_line_error(result, *phrases)
    assert not folder.exists()


def test_used_output_folder_is_refused_before_any_work(files: dict[str, Path]) -> None:
    folder = files["dir"] / "lottery"
    folder.mkdir()
    (folder / "mine.txt").write_text("x")
    assert_one_line_error(select(files, "--out", folder), "--out", "not an empty folder")


def test_quota_groups_and_missing_options(files: dict[str, Path]) -> None:
    files["quotas"].write_text(
        "feature,value,min,max,group\nGenre,Femme,1,2,a\nGenre,Homme,1,2,a\nGenre,Femme,0,1,b\nGenre,Homme,1,1,b\n"
    )
    assert_one_line_error(select(files), "has seat groups", "a, b")
    result = select(files, "--group", "b", "--seats", 2, "--format", "json")
    assert result.exit_code == 0, result.output
    panel = json.loads(result.stdout)["panel"]
    # Group b's quotas (one Femme at most, exactly one Homme), not group a's.
    assert len(panel) == 2 and len(set(panel) & {"a2", "a4", "a6"}) == 1
    assert_one_line_error(
        run("select", "--respondents", files["respondents"], "--seats", 2), "--quotas is required"
    )


# ----------------------------------------------------------------------------- cities


def test_select_from_a_city_seat_group(files: dict[str, Path]) -> None:
    respondents = files["dir"] / "jeunes.csv"
    rows = [["id", "gender"]] + [[f"j{i}", "femme" if i % 2 else "homme"] for i in range(8)]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    respondents.write_text(buffer.getvalue())
    result = run(
        "select",
        "--city",
        "paris",
        "--group",
        "jeunes",
        "--respondents",
        respondents,
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["seats"] == 5 and data["algorithm"] == "leximin"
    assert "one person per household" in result.stderr
    assert_one_line_error(
        run("select", "--city", "paris", "--respondents", respondents), "--group", "jeunes"
    )
    assert_one_line_error(
        run("select", "--city", "atlantis", "--respondents", respondents), "atlantis", "paris"
    )


# ----------------------------------------------------------------------------- invite


def test_invite_command(files: dict[str, Path]) -> None:
    roll = files["dir"] / "roll.csv"
    roll.write_text(
        "nom;arrondissement\n" + "".join(f"P{i};{'AB'[i % 3 == 0]}\n" for i in range(30))
    )
    out = files["dir"] / "letters.csv"
    result = run(
        "invite",
        "--registry",
        roll,
        "--count",
        6,
        "--stratify-by",
        "arrondissement",
        "--seed",
        3,
        "--out",
        out,
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["strata"] == {"A": {"size": 20, "invited": 4}, "B": {"size": 10, "invited": 2}}
    assert len(out.read_text().splitlines()) == 7
    text = run("invite", "--registry", roll, "--count", 6, "--seed", 3, "--out", out)
    assert text.exit_code == 0 and "Invited 6 of 30 rows (seed 3)" in text.stdout

    missing = files["dir"] / "none.csv"
    bad = run(
        "invite", "--registry", roll, "--count", 6, "--stratify-by", "quartier", "--out", missing
    )
    assert_one_line_error(bad, "roll.csv", "line 1", "'quartier'", "accepted: nom, arrondissement")
    assert not missing.exists()
    too_many = run("invite", "--registry", roll, "--count", 31, "--out", missing)
    assert_one_line_error(too_many, "--count", "'31'", "cannot invite 31 of 30")
    assert not missing.exists()


# ----------------------------------------------------------------------------- help


def test_every_command_and_option_has_help() -> None:
    names = {command.name for command in COMMANDS}
    assert names == {"invite", "select", "draw", "verify"}
    for command in COMMANDS:
        assert command.help and len(command.help) > 40, command.name
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, (command.name, param.name)
        assert run(command.name, "--help").exit_code == 0


def test_standard_output_holds_only_the_answer(files: dict[str, Path]) -> None:
    """HiGHS's banner (printed by its first instance in a process) never lands in the JSON.

    A process of its own: the banner comes once per process, and only the real file
    descriptor 1 shows it (the click runner captures Python's stdout only).
    """
    command = [sys.executable, "-c", "from kleroterion.cli import main; main()", "select",
               "--respondents", str(files["respondents"]), "--quotas", str(files["quotas"]),
               "--seats", "3", "--format", "json", "--seed", "5"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    data = json.loads(done.stdout)
    assert len(data["panel"]) == 3 and "HiGHS" not in done.stdout
