"""Indemnity statements over any period across a city's terms, each line's rule, and the
bank details kept as personal data (checked, purged, in a right of access, never logged)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from kleroterion.models import Member, PersonalData
from kleroterion.services import (
    audit,
    mandates,
    members,
    panel,
    payments,
    privacy,
    recruitment,
    sessions,
)
from kleroterion.services.context import city
from kleroterion.services.errors import InvalidInput

from tests.lifecycle.citydata import write_respondents
from tests.lifecycle.test_rules import ceiling  # noqa: F401  (the fixture)

D = dt.date
IBAN = "FR7630006000011234567890189"


def _cycle(run: Any, tmp_path: Path, start: dt.date, end: dt.date,
           name: str) -> tuple[int, list[Member]]:
    config = city("brussels").config
    mandate = run(mandates.open_mandate, "brussels", name, start, end)
    path = tmp_path / f"{name}.csv"
    write_respondents(path, config, config.composition.seat_groups[0], rows=90)
    run(recruitment.import_respondents, mandate.id, "panel", path)
    run(panel.draw_panel, mandate.id, "panel", start - dt.timedelta(days=28), seed=2)
    return mandate.id, run(members.list_members, mandate.id)


def _attend(run: Any, mandate_id: int, member: Member, *days: dt.date) -> None:
    for day in days:
        meeting = run(sessions.add_session, mandate_id, "journee", day)
        run(sessions.record_attendance, meeting.id, member.id, "present")


def test_a_calendar_year_covers_every_term_that_sits_in_it(run: Any, tmp_path: Path) -> None:
    first_id, first = _cycle(run, tmp_path, D(2025, 3, 1), D(2025, 5, 31), "cycle 1")
    second_id, second = _cycle(run, tmp_path, D(2025, 9, 1), D(2025, 11, 30), "cycle 2")
    _attend(run, first_id, first[0], D(2025, 3, 8), D(2025, 4, 12))
    _attend(run, second_id, second[0], D(2025, 9, 13))
    rows = run(payments.period_statements, "brussels", D(2025, 1, 1), D(2025, 12, 31))
    assert {(row.mandate_id, row.statement.member_id) for row in rows} == {
        (first_id, first[0].id), (second_id, second[0].id)}
    rate = city("brussels").config.indemnity.rate
    totals = payments.totals(rows)
    assert totals.members == 2 and totals.indemnity == 3 * rate
    assert all(payments.rule(row.statement, line) == "paid"
               for row in rows for line in row.statement.lines)
    # A period inside one term counts that term only.
    only = run(payments.period_statements, "brussels", D(2025, 9, 1), D(2025, 9, 30))
    assert [row.mandate_id for row in only] == [second_id]
    with pytest.raises(InvalidInput, match="before it starts"):
        run(payments.period_statements, "brussels", D(2025, 12, 31), D(2025, 1, 1))


def test_each_line_says_which_part_of_the_rule_set_its_amount(
    run: Any, tmp_path: Path, ceiling: Decimal  # noqa: F811
) -> None:
    mandate_id, seated = _cycle(run, tmp_path, D(2025, 3, 1), D(2025, 5, 31), "cycle")
    _attend(run, mandate_id, seated[0], *(D(2025, 3, 1 + 7 * i) for i in range(4)))
    (row,) = run(payments.period_statements, "brussels", D(2025, 1, 1), D(2025, 12, 31))
    assert [payments.rule(row.statement, line) for line in row.statement.lines] == [
        "paid", "paid", "annual_ceiling", "annual_ceiling"]


def test_bank_details_are_checked_and_never_quoted(run: Any, tmp_path: Path) -> None:
    _, seated = _cycle(run, tmp_path, D(2025, 3, 1), D(2025, 5, 31), "cycle")
    respondent = seated[0].respondent_id
    with pytest.raises(InvalidInput) as refused:
        run(recruitment.set_personal_data, respondent, iban="FR76 0000 0000 0000")
    assert "0000" not in str(refused.value) and "IBAN" in str(refused.value)
    run(recruitment.set_personal_data, respondent, iban="fr76 3000 6000 0112 3456 7890 189")
    assert run(lambda s: s.get(PersonalData, respondent).iban) == IBAN


def test_bank_details_are_in_a_right_of_access_never_in_the_log_and_purged(
    run: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _, seated = _cycle(run, tmp_path, D(2025, 3, 1), D(2025, 5, 31), "cycle")
    respondent = seated[0].respondent_id
    with caplog.at_level(logging.DEBUG):
        run(recruitment.set_personal_data, respondent, iban=IBAN)
    assert IBAN not in caplog.text
    assert all(IBAN not in json.dumps(entry.data, default=str)
               for entry in run(audit.entries))
    public_id = run(lambda s: s.get(Member, seated[0].id).public_id)
    record = json.loads(run(privacy.export_person, public_id, "right of access"))
    assert record["personal_data"]["iban"] == IBAN
    assert "iban" in privacy.PURGED_FIELDS


def test_a_respondents_file_may_carry_the_bank_details_checked(
    run: Any, tmp_path: Path
) -> None:
    config = city("brussels").config
    mandate = run(mandates.open_mandate, "brussels", "cycle", D(2025, 3, 1), D(2025, 5, 31))
    path = tmp_path / "panel.csv"
    write_respondents(path, config, config.composition.seat_groups[0], rows=3)
    lines = path.read_text(encoding="utf-8").splitlines()
    delimiter = ";" if ";" in lines[0] else ","
    lines = [lines[0] + delimiter + "rib", lines[1] + delimiter + IBAN,
             lines[2] + delimiter + "FR76 1234", lines[3] + delimiter]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    check = run(recruitment.check_respondents, mandate.id, "panel", path)
    assert [problem.line for problem in check.problems] == [3]
    assert "IBAN" in str(check.problems[0].problem)
    assert "1234" not in str(check.problems[0])
