"""The lifecycle from the terminal: every command has help; bad input changes nothing.

Each test gets its own database (SQLite file or PostgreSQL schema) migrated with
``kleroterion db upgrade``. A refused command must exit non-zero with one line on
stderr and leave every table exactly as it was.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from kleroterion.cli import main
from kleroterion.cli.lifecycle import COMMANDS, dispose_engines
from kleroterion.models import Base
from kleroterion.services.context import city
from sqlalchemy import create_engine, text

from tests.lifecycle.citydata import write_respondents

Invoke = Callable[..., Result]


@pytest.fixture
def invoke(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Invoke]:
    monkeypatch.setenv("KLEROTERION_DATABASE_URL", database_url)
    monkeypatch.setenv("KLEROTERION_ACTOR", "secretariat-test")
    runner = CliRunner()

    def call(*args: object, ok: bool = True) -> Result:
        result = runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, (args, result.output, result.stderr)
        return result

    call("db", "upgrade")
    yield call
    dispose_engines()


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary key order."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                name: [tuple(row) for row in connection.execute(
                    table.select().order_by(*table.primary_key.columns))]
                for name, table in Base.metadata.tables.items()
            }
    finally:
        engine.dispose()


def _walk(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[
        tuple[tuple[str, ...], click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _walk(sub, (*path, name))


def test_every_command_and_option_has_help() -> None:
    runner = CliRunner()
    for top in COMMANDS:
        for path, command in _walk(top, (top.name or "",)):
            assert command.help, f"kleroterion {' '.join(path)} has no help"
            for param in command.params:
                if isinstance(param, click.Option):
                    assert param.help, f"kleroterion {' '.join(path)} {param.name}: no help"
            result = runner.invoke(main, [*path, "--help"])
            assert result.exit_code == 0 and "Usage:" in result.output


def _brussels_cycle(invoke: Invoke, tmp_path: Path) -> dict[str, Any]:
    """Open a Brussels cycle, import, draw, plan a session: the state bad commands start from."""
    config = city("brussels").config
    invoke("mandate", "open", "brussels", "cycle 2025", "--start", "2025-03-01",
           "--end", "31/05/2025")
    path = tmp_path / "panel.csv"
    write_respondents(path, config, config.composition.seat_groups[0], rows=100,
                      delimiter=";")
    invoke("respondents", "import", 1, "panel", path)
    invoke("panel", "draw", 1, "panel", "--date", "2025-02-01", "--seed", 3)
    members = invoke("member", "list", 1, "--active").output.splitlines()
    assert len(members) == 80
    seated = [int(line.split("\t")[0]) for line in members]
    invoke("session", "add", 1, "journee", "--date", "2025-03-08")
    invoke("proposal", "create", 1, "recommandation", "Isoler les écoles", "--date",
           "2025-05-01")
    return {"path": path, "seated": seated}


def test_a_cycle_from_the_terminal(invoke: Invoke, tmp_path: Path, database_url: str) -> None:
    state = _brussels_cycle(invoke, tmp_path)
    first, second = state["seated"][:2]
    invoke("member", "confirm", first, "--date", "2025-02-10", "--version", 1)
    invoke("member", "personal", first, "--email", "first@example.org", "--family-quotient",
           "912,50")
    invoke("member", "withdraw", second, "--date", "2025-02-20", "--reason", "health")
    replaced = invoke("member", "replace", second, "--date", "2025-02-21", "--public-number",
                      "271828")
    assert f"replaces member {second}" in replaced.output
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(f"member;status\n{first};présent\n", encoding="cp1252")
    invoke("attendance", "import", 1, sheet)
    invoke("indemnity", "claim", first, "garde-enfants", "12,50", "--date", "2025-03-08")
    out = tmp_path / "finance.csv"
    invoke("indemnity", "export", 1, "--from", "2025-03-01", "--to", "2025-05-31", "-o", out)
    raw = out.read_bytes()
    assert raw.startswith("\ufeff".encode())  # Brussels's first language: French
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert [(r["Indemnisé"], r["Indemnisation"], r["Frais remboursés"], r["Total"])
            for r in rows] == [("oui", "35,00", "12,50", "47,50")]
    assert "Nom" not in rows[0] and "IBAN" not in rows[0]  # no names unless asked for
    dutch = invoke("indemnity", "export", 1, "--from", "2025-03-01", "--to", "2025-05-31",
                   "--lang", "nl").output
    assert dutch.startswith("\ufeff") and ";ja;" in dutch and "47,50" in dutch
    invoke("proposal", "move", 1, "adoptee", "--date", "2025-05-20", "--reason", "vote")
    # A reason in each language of Brussels's site: the French one in the column.
    invoke("proposal", "move", 1, "transmise", "--date", "2025-05-31", "--reason-in",
           "fr=envoi au gouvernement", "--reason-in", "nl=verzending naar de regering")
    late = invoke("followup", "overdue", "--date", "2025-09-01")
    assert "response 1" in late.output and "due 2025-08-31" in late.output
    invoke("body", "draw", 1, "comite-suivi", "--date", "2025-05-31", "--seed", 8)
    assert len(invoke("body", "show", 1, "comite-suivi").output.splitlines()) == 10
    invoke("panel", "finalize", 1)
    assert "blanked" in invoke("privacy", "purge", 1).output
    report = invoke("followup", "report", 1, "--year", "2025").output
    assert report.startswith("# Follow-up report 2025")
    assert "intact" in invoke("audit", "verify").output
    log = invoke("audit", "log", "--entity", "member", "--id", second).output
    assert "member.withdraw" in log and "secretariat-test" in log
    assert "health" not in log  # a withdrawal's reason may be personal
    personal = invoke("audit", "log", "--entity", "respondent").output
    assert "personal_data.update" in personal and '"fields":["email","family_quotient"]' in personal
    assert "example.org" not in personal and "912" not in personal
    history = invoke("member", "history", second).output.splitlines()
    assert [line.split("\t")[1] for line in history] == ["drawn", "withdrawn", "replaced"]


BAD_COMMANDS: list[tuple[str, list[object], str]] = [
    ("unknown mandate", ["session", "add", 99, "journee", "--date", "2025-03-08"],
     "no mandate with id 99"),
    ("unknown member", ["member", "withdraw", 9999, "--date", "2025-03-08", "--reason", "x"],
     "no member with id 9999"),
    ("unknown city", ["mandate", "open", "atlantis", "2025", "--start", "2025-01-01"],
     "unknown city 'atlantis'"),
    ("date out of the mandate", ["session", "add", 1, "journee", "--date", "2025-07-01"],
     "outside mandate 1"),
    ("attendance for a non-member", ["attendance", "record", 1, 9999, "present"],
     "member 9999 is not a member of mandate 1"),
    ("transition not allowed", ["proposal", "move", 1, "realisee", "--date", "2025-05-02"],
     "allowed from 'redigee': adoptee (by assembly)"),
    ("duplicate import", ["respondents", "import", 1, "panel", "{path}"], "already imported"),
    ("malformed CSV", ["respondents", "import", 1, "panel", "{malformed}"],
     "line 3, column 2 ('gender'): value 'martian': is not a value"),
    ("rate above the maximum", ["indemnity", "statements", 1, "--from", "2025-03-01", "--to",
                                "2025-05-31", "--rate", "36"], "maximum 35"),
    ("stale version", ["member", "confirm", "{member}", "--date", "2025-02-10", "--version", 7],
     "changed by someone else"),
    ("second panel draw", ["panel", "draw", 1, "panel", "--date", "2025-02-01", "--seed", 4],
     "already drawn"),
    ("bad date", ["session", "add", 1, "journee", "--date", "31/02/2025"], "not a date"),
    ("unknown body", ["body", "draw", 1, "atelier", "--date", "2025-05-31", "--seed", 1],
     "no body 'atelier'"),
    ("purge before final", ["privacy", "purge", 1], "not final"),
    ("nothing to set", ["member", "personal", "{member}"], "at least one field"),
    ("withdrawal after the end", ["member", "withdraw", "{member}", "--date", "2025-06-01",
                                  "--reason", "x"], "must fall between the seat"),
    ("control character in a public name", ["member", "name-consent", "{member}", "--name",
                                            "Marie\x07 D.", "--date", "2025-03-02"],
     "control character (U+0007) at position 6"),
    ("withdrawing a consent never given", ["member", "name-withdraw", "{member}", "--date",
                                           "2025-03-02"], "has not consented"),
    ("checking a malformed file", ["respondents", "import", 1, "panel", "{malformed}",
                                   "--check"], "line 3, column 2 ('gender'): value 'martian'"),
]


def test_bad_input_changes_nothing(invoke: Invoke, tmp_path: Path, database_url: str) -> None:
    """Every refused command leaves every table as it was (so they can run one after another)."""
    state = _brussels_cycle(invoke, tmp_path)
    malformed = tmp_path / "malformed.csv"
    malformed.write_text("id,gender,age,commune,education,background\n"
                         "n1,femme,30-44,Uccle,moyen,emploi\n"
                         "n2,martian,30-44,Uccle,moyen,emploi\n", encoding="utf-8")
    values = {"{path}": state["path"], "{malformed}": malformed,
              "{member}": state["seated"][0]}
    before = snapshot(database_url)
    for case, args, message in BAD_COMMANDS:
        result = invoke(*[values.get(str(a), a) for a in args], ok=False)
        assert result.exit_code != 0, case
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
        assert len(errors) == 1 and message in errors[0], (case, result.stderr)
        assert "Traceback" not in result.output + result.stderr, case
        assert before == snapshot(database_url), f"{case}: the database changed"


def test_audit_verify_detects_tampering(invoke: Invoke, tmp_path: Path,
                                        database_url: str) -> None:
    _brussels_cycle(invoke, tmp_path)
    assert "intact" in invoke("audit", "verify").output
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2"))
        edited = invoke("audit", "verify", ok=False)
        assert edited.exit_code == 1 and "entry 2: its content does not match" in edited.stderr
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM audit_log WHERE seq = 2"))
        removed = invoke("audit", "verify", ok=False)
        assert "entry 3" in removed.stderr and "removed" in removed.stderr
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM audit_log WHERE seq >= 2"))
        cut = invoke("audit", "verify", ok=False)
        assert "removed from the end" in cut.stderr
    finally:
        engine.dispose()


@pytest.mark.real_engine
def test_panel_publish_then_choose_from_the_terminal(
    invoke: Invoke, tmp_path: Path, database_url: str
) -> None:
    """The two steps of the published lottery; `kleroterion verify` passes on the folder."""
    config = city("paris").config
    invoke("mandate", "open", "paris", "promotion 2025", "--start", "2025-09-01")
    seat = next(g for g in config.composition.seat_groups if g.key == "jeunes")
    path = tmp_path / "jeunes.csv"
    write_respondents(path, config, seat, rows=12)
    invoke("respondents", "import", 1, "jeunes", path)
    root = tmp_path / "lotteries"
    published = invoke("panel", "publish", 1, "jeunes", "--lotteries", root).output
    assert "draw 1 (leximin) published, awaiting the public number" in published
    digest = published.split("panel list digest: ")[1].split()[0]
    folder = root / "1-jeunes-1"
    assert f"lottery folder: {folder.resolve()}" in published
    assert "awaits its public number" in invoke("panel", "publish", 1, "jeunes", "--lotteries",
                                                root, ok=False).stderr
    before = snapshot(database_url)
    refused = invoke("panel", "choose", 1, "douze", "--date", "2025-09-01", ok=False)
    assert refused.exit_code == 1 and "'douze' is not a whole number" in refused.stderr
    assert snapshot(database_url) == before
    assert "published" in invoke("panel", "list", 1).output
    chosen = invoke("panel", "choose", 1, "31415", "--date", "2025-09-01").output
    assert "panel 415 chosen by 31415; 5 seated among 12" in chosen
    assert f"kleroterion verify {folder.resolve()} --digest {digest}" in chosen
    assert len(invoke("member", "list", 1).output.splitlines()) == 5
    verified = invoke("verify", folder, "--digest", digest)
    assert "OK" in verified.output and "31415 mod 1000 = 415" in verified.output
    again = invoke("panel", "choose", 1, "27", "--date", "2025-09-01", ok=False)
    assert "already chosen with the number 31415" in again.stderr
    assert "chosen" in invoke("panel", "show", 1).output


def test_a_mandate_edited_from_the_terminal(invoke: Invoke, database_url: str) -> None:
    """The CLI's ``mandate edit`` and the back office share ``mandates.edit_mandate``."""
    invoke("mandate", "open", "paris", "promotion 2027", "--start", "2027-01-01",
           "--end", "2027-12-31")
    before = snapshot(database_url)
    refused = invoke("mandate", "edit", 1, "--end", "2029-12-31", ok=False)
    assert "lasts" in refused.output and snapshot(database_url) == before
    done = invoke("mandate", "edit", 1, "--label", "promotion Simone Veil", "--end",
                  "2028-06-30")
    assert "promotion Simone Veil, 2027-01-01 to 2028-06-30" in done.output


def test_a_mandate_is_named_in_the_site_s_other_languages(invoke: Invoke,
                                                           database_url: str) -> None:
    invoke("mandate", "open", "brussels", "cycle 2026", "--start", "2026-03-01",
           "--label-in", "nl=cyclus 2026")
    before = snapshot(database_url)
    for option, message in [("de=Zyklus 2027", "'de' is not a language of this city"),
                            ("cyclus 2027", "expected LANG=TEXT")]:
        refused = invoke("mandate", "open", "brussels", "cycle 2027", "--start",
                         "2027-03-01", "--label-in", option, ok=False)
        assert refused.exit_code != 0 and message in refused.output, refused.output
    assert snapshot(database_url) == before
    engine = create_engine(database_url)
    with engine.connect() as connection:
        labels = connection.execute(text("SELECT labels FROM mandates")).scalar_one()
    engine.dispose()
    assert "cyclus 2026" in str(labels)
    invoke("mandate", "edit", 1, "--label-in", "nl=cyclus 2026 (proef)", "--label-in", "en=")
    engine = create_engine(database_url)
    with engine.connect() as connection:
        labels = connection.execute(text("SELECT labels FROM mandates")).scalar_one()
    engine.dispose()
    assert "cyclus 2026 (proef)" in str(labels)


def test_a_session_s_texts_are_written_in_each_language_of_the_site(
        invoke: Invoke, database_url: str) -> None:
    invoke("mandate", "open", "brussels", "cycle 2026", "--start", "2026-03-01")
    invoke("session", "add", 1, "journee", "--date", "2026-03-07", "--title", "Journée 1",
           "--title-in", "nl=Dag 1")
    invoke("record", "session", 1, "--place", "Hôtel de Ville", "--place-in", "nl=Stadhuis",
           "--agenda-in", "nl=1. Onthaal", "--minutes-in", "fr=Compte rendu",
           "--minutes-in", "nl=Verslag")
    invoke("record", "guest", 1, "Experte fictive", "--role", "expert",
           "--organisation", "Université", "--organisation-in", "nl=Universiteit")
    invoke("record", "event", "brussels", "follow_up", "2026-09-01", "Réunion de suivi",
           "--title-in", "nl=Opvolgingsvergadering", "--place-in", "en=Parliament")
    before = snapshot(database_url)
    for command in (["record", "session", 1, "--place-in", "de=Rathaus"],
                    ["record", "guest", 1, "A. Expert", "--role", "expert",
                     "--organisation-in", "de=Universität"],
                    ["record", "event", "brussels", "other", "2026-09-02", "Fête",
                     "--summary-in", "de=Fest"]):
        refused = invoke(*command, ok=False)
        assert refused.exit_code != 0, refused.output
        assert "'de' is not a language of this city" in refused.output, refused.output
    assert snapshot(database_url) == before
    engine = create_engine(database_url)
    with engine.connect() as connection:
        session_row = connection.execute(text(
            "SELECT title, place, minutes, texts FROM sessions")).one()
        guest = connection.execute(text("SELECT organisation, texts FROM session_guests")).one()
        event = connection.execute(text("SELECT title, texts FROM city_events")).one()
    engine.dispose()
    assert session_row[:3] == ("Journée 1", "Hôtel de Ville", "Compte rendu")
    for dutch in ("Dag 1", "Stadhuis", "1. Onthaal", "Verslag"):
        assert dutch in str(session_row[3])
    assert guest[0] == "Université" and "Universiteit" in str(guest[1])
    assert event[0] == "Réunion de suivi" and "Opvolgingsvergadering" in str(event[1])
