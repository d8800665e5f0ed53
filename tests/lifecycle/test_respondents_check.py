"""A respondents file is read whole: every problem is reported at its line, nothing imported.

Files are generated with errors planted at random rows (unknown feature values,
blank and duplicate ids, short rows, unreadable birth dates), between blank lines
that shift the line numbers; the check must find each one where it was planted
and nothing else, and the import must refuse the file with the same list.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kleroterion.models import Mandate, Respondent
from kleroterion.services import mandates, recruitment
from kleroterion.services.context import city
from kleroterion.services.respondents_file import RespondentsCheck, RespondentsRefused
from sqlalchemy import func, select

from tests.lifecycle.citydata import write_respondents

GROUP = "liste-electorale"
FEATURES = ("gender", "age", "arrondissement", "diploma")
HEADER = ["id", *FEATURES, "nom", "date_naissance"]
KINDS = ("unknown value", "blank id", "duplicate id", "short row", "bad date")


def _values() -> dict[str, list[str]]:
    config = city("paris").config
    return {f.key: [v.key for v in f.values] for f in config.composition.features
            if f.key in FEATURES}


def _good_row(number: int, values: dict[str, list[str]]) -> list[str]:
    return [f"R{number:04d}", *(values[f][number % len(values[f])] for f in FEATURES),
            f"Personne Fictive {number}", "1980-01-31"]


def _mandate(run: Any) -> int:
    mandate_id: int = run(mandates.open_mandate, "paris", "2026", dt.date(2026, 1, 1)).id
    return mandate_id


def _count(run: Any) -> int:
    return int(run(lambda s: s.scalar(select(func.count()).select_from(Respondent))))


def _located(check: RespondentsCheck) -> set[tuple[int | None, str | None]]:
    return {(p.line, p.column) for p in check.problems}


@st.composite
def planted_files(draw: st.DrawFn) -> tuple[str, dict[int, tuple[str, str | None, str | None]]]:
    """A CSV text, and for each planted error its line, column and value."""
    values = _values()
    rows = draw(st.integers(min_value=3, max_value=40))
    bad_rows = draw(st.sets(st.integers(min_value=1, max_value=rows - 1), min_size=2,
                            max_size=min(8, rows - 1)))
    lines = [",".join(HEADER)]
    planted: dict[int, tuple[str, str | None, str | None]] = {}
    for number in range(rows):
        if draw(st.booleans()) and draw(st.booleans()):
            lines.append("")  # a blank line: skipped, but counted in the line numbers
        line = len(lines) + 1
        row = _good_row(number, values)
        if number in bad_rows:
            kind = draw(st.sampled_from(KINDS))
            if kind == "unknown value":
                feature = draw(st.sampled_from(FEATURES))
                wrong = draw(st.text(alphabet="xyzw", min_size=1, max_size=6))
                row[HEADER.index(feature)] = wrong
                planted[line] = (kind, feature, wrong)
            elif kind == "blank id":
                row[0] = ""
                planted[line] = (kind, "id", "")
            elif kind == "duplicate id":
                row[0] = "R0000"  # row 0 is never planted, so its id comes first
                planted[line] = (kind, "id", "R0000")
            elif kind == "short row":
                row = row[:draw(st.integers(min_value=1, max_value=len(HEADER) - 1))]
                planted[line] = (kind, None, None)
            else:
                row[HEADER.index("date_naissance")] = "le 3 mai"
                planted[line] = (kind, "date_naissance", None)  # personal: never quoted
        lines.append(",".join(row))
    return "\n".join(lines) + "\n", planted


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(planted_files())
def test_every_planted_error_is_reported_at_its_line(run: Any, tmp_path: Path,
                                                     file: tuple[str, dict[int, Any]]) -> None:
    text, planted = file
    mandate_id = _shared_mandate(run)
    path = tmp_path / "planted.csv"
    path.write_text(text, encoding="utf-8")
    check = run(recruitment.check_respondents, mandate_id, GROUP, path)
    assert _located(check) == {(line, column) for line, (_, column, _) in planted.items()}
    assert len(check.problems) == len(planted)
    for problem in check.problems:
        kind, _, value = planted[problem.line]
        assert problem.value == value, (kind, problem)
        if kind == "unknown value" and problem.column == "gender":
            assert problem.accepted == "femme, homme"
        assert "Personne Fictive" not in str(problem)
    again = run(recruitment.check_respondents, mandate_id, GROUP, path)
    assert [str(p) for p in again.problems] == [str(p) for p in check.problems]
    with pytest.raises(RespondentsRefused) as refused:
        run(recruitment.import_respondents, mandate_id, GROUP, path)
    assert [str(p) for p in refused.value.check.problems] == [str(p) for p in check.problems]
    for line in planted:
        assert f"line {line}," in str(refused.value) or f"line {line}:" in str(refused.value)
    assert _count(run) == 0


def _shared_mandate(run: Any) -> int:
    # Hypothesis runs every example on the test's one database: one mandate for them all.
    existing = run(lambda s: s.scalar(select(Mandate.id)))
    return int(existing) if existing is not None else _mandate(run)


def test_a_row_longer_than_the_header_is_refused_without_quoting_it(run: Any,
                                                                     tmp_path: Path) -> None:
    mandate_id = _mandate(run)
    path = tmp_path / "shifted.csv"
    path.write_text("id,nom,gender,age,arrondissement,diploma\n"
                    "R1,Dupont, Marie,femme,30-44,11e,bac\n"  # the comma shifts every cell
                    "R2,Durand,homme,30-44,11e,bac,,\n", encoding="utf-8")  # empty extras: fine
    check = run(recruitment.check_respondents, mandate_id, GROUP, path)
    assert [(p.line, p.column, p.value) for p in check.problems] == [(2, None, None)]
    assert "the row has 7 fields but the header has 6" in check.problems[0].problem
    assert "Marie" not in check.summary() and "Dupont" not in check.summary()


def test_missing_columns_are_all_named_and_the_rows_still_checked(run: Any,
                                                                  tmp_path: Path) -> None:
    mandate_id = _mandate(run)
    path = tmp_path / "columns.csv"
    path.write_text("ident,gender,age,arrondissement\nR1,femme,30-44,11e\nR2,dragon,30-44,11e\n",
                    encoding="utf-8")
    check = run(recruitment.check_respondents, mandate_id, GROUP, path)
    messages = [p.problem for p in check.problems]
    assert [p.line for p in check.problems] == [1, 1, 1, 3]
    assert "the header has no 'id' column" in messages[0]
    assert "no column 'diploma'" in messages[1]
    # A column the import does not read is reported, never silently dropped.
    assert "the column 'ident' is not one this import reads" in messages[2]
    assert check.problems[0].accepted and "id, gender, age, arrondissement, diploma" in (
        check.problems[0].accepted)
    assert (check.problems[3].column, check.problems[3].value) == ("gender", "dragon")


@pytest.mark.parametrize(("content", "expected"), [
    (b"", "the file is empty"),
    (b"  \n\n", "the file is empty"),
    (b"id,gender,age,arrondissement,diploma\n", "a header but no rows"),
    ("id,gender\nR1,femme\n".encode("utf-16"), "NUL bytes: it looks like UTF-16"),
])
def test_a_file_without_rows_is_one_problem(run: Any, tmp_path: Path, content: bytes,
                                            expected: str) -> None:
    mandate_id = _mandate(run)
    path = tmp_path / "file.csv"
    path.write_bytes(content)
    check = run(recruitment.check_respondents, mandate_id, GROUP, path)
    assert len(check.problems) == 1 and expected in check.problems[0].problem
    with pytest.raises(RespondentsRefused, match=expected):
        run(recruitment.import_respondents, mandate_id, GROUP, path)


def test_a_latin1_semicolon_file_is_read_and_its_errors_located(run: Any,
                                                                tmp_path: Path) -> None:
    mandate_id = _mandate(run)
    rows = ["id;gender;age;arrondissement;diploma;nom;adresse",
            "R1;femme;30-44;11e;bac;Hélène Dupré;3 rue de l'Église",
            "R2;homme;18-29;20e;bac+2;François Lœb;8 boulevard Périphérique"]
    path = tmp_path / "latin1.csv"
    path.write_bytes(("\r\n".join([*rows, "R3;homme;âgé;20e;bac;Zoé Ñ;1 place"]) + "\r\n")
                     .encode("cp1252"))
    check = run(recruitment.check_respondents, mandate_id, GROUP, path)
    assert [(p.line, p.column, p.value) for p in check.problems] == [(4, "age", "âgé")]
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1252"))
    run(recruitment.import_respondents, mandate_id, GROUP, path)
    names = run(lambda s: sorted(r.personal.name for r in s.scalars(select(Respondent))))
    assert names == ["François Lœb", "Hélène Dupré"]


def test_lines_in_a_second_encoding_are_named(run: Any, tmp_path: Path) -> None:
    mandate_id = _mandate(run)
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"id,gender,age,arrondissement,diploma,nom\n"
                     + "R1,femme,30-44,11e,bac,Hélène\n".encode()
                     + "R2,homme,30-44,11e,bac,Noé\n".encode("latin-1")
                     + "R3,homme,30-44,11e,bac,Zoé\n".encode("latin-1"))
    check = run(recruitment.check_respondents, mandate_id, GROUP, path)
    assert [p.line for p in check.problems] == [3, 4]
    assert "is not UTF-8, while line 2 is" in check.problems[0].problem
    assert check.problems[0].accepted and "UTF-8" in check.problems[0].accepted
    assert "Noé" not in str(check.problems[0])


def test_an_id_already_in_the_mandate_and_a_file_imported_twice(run: Any,
                                                                tmp_path: Path) -> None:
    mandate_id = _mandate(run)
    config = city("paris").config
    group = config.composition.seat_groups[0]
    first = tmp_path / "first.csv"
    write_respondents(first, config, group, rows=5)
    run(recruitment.import_respondents, mandate_id, GROUP, first)
    check = run(recruitment.check_respondents, mandate_id, GROUP, first)
    assert len(check.problems) == 1 and "already imported" in check.problems[0].problem
    second = tmp_path / "second.csv"
    write_respondents(second, config, group, rows=7)  # the same first five ids, two new
    check = run(recruitment.check_respondents, mandate_id, GROUP, second)
    assert [p.line for p in check.problems] == [2, 3, 4, 5, 6]
    assert all("already a respondent of mandate" in p.problem for p in check.problems)
    assert _count(run) == 5


def test_an_invitation_draw_refuses_an_arrondissement_paris_does_not_have(
        run: Any, tmp_path: Path) -> None:
    from kleroterion.services.errors import InvalidInput

    mandate_id = _mandate(run)
    roll = tmp_path / "roll.csv"
    rows = [f"{i},Voter {i},{['1er', '15e', '20e'][i % 3]}" for i in range(60)]
    roll.write_text("numero,nom,arrondissement\n" + "\n".join(rows) + "\n75021,X,21e\n",
                    encoding="utf-8")
    out = tmp_path / "letters.csv"
    with pytest.raises(InvalidInput, match=r"line 62, column 3 \('arrondissement'\): value "
                                           r"'21e': is not a stratum of the city"):
        run(recruitment.record_invitation_draw, mandate_id, GROUP, roll, out, seed=1, count=10)
    assert not out.exists()
    roll.write_text("numero,nom,arrondissement\n" + "\n".join(rows) + "\n", encoding="utf-8")
    draw = run(recruitment.record_invitation_draw, mandate_id, GROUP, roll, out, seed=1,
               count=10)
    assert draw.rows == 60
