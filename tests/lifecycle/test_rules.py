"""Domain rules in detail: event hooks after commit, indemnity caps, privacy, accounts."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import logging
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kleroterion import hookimpl
from kleroterion.city.behaviour import MemberWithdrawn, ProposalDecided, ProposalMoved
from kleroterion.db import session_scope
from kleroterion.models import Member, PersonalData, Respondent
from kleroterion.plugins import load_city
from kleroterion.services import (
    audit,
    bodies,
    indemnities,
    mandates,
    members,
    panel,
    privacy,
    proposals,
    recruitment,
    sessions,
    users,
)
from kleroterion.services import context as service_context
from kleroterion.services.context import add_months, city
from kleroterion.services.errors import InvalidInput, NotAllowed, ServiceError

from tests.lifecycle.citydata import write_respondents

D = dt.date


class Recorder:
    """An extension plugin recording the event hooks it receives."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, str]]] = []

    @hookimpl
    def on_withdrawal(self, event: MemberWithdrawn) -> None:
        self.calls.append(("withdrawn", {"member_id": event.member, "date": event.on.isoformat()}))

    @hookimpl
    def on_transition(self, event: ProposalMoved) -> None:
        self.calls.append(("transition", {"target": event.target, "actor": event.actor}))

    @hookimpl
    def on_decision(self, event: ProposalDecided) -> None:
        self.calls.append(("decided", {"outcome": event.outcome}))


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    """Brussels with the recorder plugin, for the services; the plain city afterwards."""
    plugin = Recorder()
    previous = service_context._CITIES.pop("brussels", None)
    service_context.use_city(load_city("brussels", extra=[plugin]))
    yield plugin
    service_context._CITIES.pop("brussels", None)
    if previous is not None:
        service_context.use_city(previous)


def _cycle(run: Any, tmp_path: Path, rows: int = 90) -> tuple[int, list[Member]]:
    config = city("brussels").config
    mandate = run(mandates.open_mandate, "brussels", "cycle", D(2025, 3, 1), D(2025, 5, 31))
    path = tmp_path / "panel.csv"
    write_respondents(path, config, config.composition.seat_groups[0], rows=rows)
    run(recruitment.import_respondents, mandate.id, "panel", path)
    run(panel.draw_panel, mandate.id, "panel", D(2025, 2, 1), seed=2)
    return mandate.id, run(members.list_members, mandate.id)


def test_event_hooks_run_after_commit_only(run: Any, factory: Any, tmp_path: Path,
                                           recorder: Recorder) -> None:
    mandate_id, seated = _cycle(run, tmp_path)
    public_id = run(lambda s: s.get(Respondent, seated[0].respondent_id).public_id)
    with pytest.raises(RuntimeError), session_scope(factory, actor="test") as session:
        members.withdraw(session, seated[0].id, D(2025, 4, 1), "moved")
        raise RuntimeError("the rest of the request failed")
    assert recorder.calls == []  # rolled back: nothing happened, nothing reported
    assert run(lambda s: s.get(Member, seated[0].id).status) == "seated"
    run(members.withdraw, seated[0].id, D(2025, 4, 1), "moved")
    assert recorder.calls == [("withdrawn", {"member_id": public_id, "date": "2025-04-01"})]
    recorder.calls.clear()
    rec = run(proposals.create, mandate_id, "recommandation", "R", D(2025, 5, 1))
    for target, on in (("adoptee", D(2025, 5, 2)), ("transmise", D(2025, 5, 3)),
                       ("reponse", D(2025, 8, 1))):
        run(proposals.move, rec.id, target, on)
    # Not retaining a recommendation needs a justification (Brussels's transition rule).
    with pytest.raises(NotAllowed, match="needs a justification"):
        run(proposals.move, rec.id, "non-retenue", D(2026, 5, 1))
    run(proposals.move, rec.id, "non-retenue", D(2026, 5, 1),
        reason="outside the Region's competence")
    assert recorder.calls[-2:] == [("transition", {"target": "non-retenue",
                                                   "actor": "government"}),
                                   ("decided", {"outcome": "rejected"})]


@pytest.fixture
def ceiling() -> Iterator[Decimal]:
    """Brussels with an annual ceiling of 100 €, to see it bite."""
    base = load_city("brussels")
    policy = dataclasses.replace(base.config.indemnity, annual_ceiling=Decimal("100"))
    previous = service_context._CITIES.pop("brussels", None)
    service_context.use_city(dataclasses.replace(
        base, config=dataclasses.replace(base.config, indemnity=policy)))
    yield Decimal("100")
    service_context._CITIES.pop("brussels", None)
    if previous is not None:
        service_context.use_city(previous)


def test_annual_ceiling_caps_each_calendar_year(run: Any, tmp_path: Path,
                                                ceiling: Decimal) -> None:
    mandate_id, seated = _cycle(run, tmp_path)
    committee = run(bodies.draw, mandate_id, "comite-suivi", D(2025, 5, 31), seed=1)
    chosen = {e.respondent_id for e in committee.entries if e.selected}
    member = next(m for m in seated if m.respondent_id in chosen)
    days = [run(sessions.add_session, mandate_id, "journee", D(2025, 3, 1 + 7 * i))
            for i in range(4)]
    follow = [run(sessions.add_session, mandate_id, "suivi", day, body_key="comite-suivi")
              for day in (D(2025, 11, 3), D(2026, 2, 2))]
    for meeting in days + follow:
        run(sessions.record_attendance, meeting.id, member.id, "present")
    one = run(indemnities.statement, member.id, D(2025, 3, 1), D(2026, 5, 31))
    # 2025: five days × 35 € = 175 €, capped at 100 €; 2026: one day, 35 €.
    assert [line.amount for line in one.lines] == [Decimal(a) for a in
                                                   ("35.00", "35.00", "30.00", "0", "0",
                                                    "35.00")]
    assert one.total == Decimal("135.00")


@settings(max_examples=60, deadline=None)
@given(day=st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 12, 31)),
       months=st.integers(min_value=0, max_value=40))
def test_add_months_lands_in_the_right_month(day: dt.date, months: int) -> None:
    later = add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day == day.day or (later.day < day.day and (later + dt.timedelta(1)).day == 1)


@given(units=st.decimals(min_value=0, max_value=100, places=2))
def test_units_convert_between_half_days_and_days(units: Decimal) -> None:
    assert indemnities.convert(indemnities.convert(units, "day", "half_day"), "half_day",
                               "day") == units
    with pytest.raises(InvalidInput, match="cannot be paid per day"):
        indemnities.convert(units, "session", "day")


def test_no_personal_data_in_messages_logs_or_reprs(run: Any, tmp_path: Path,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    config = city("poitiers").config
    mandate = run(mandates.open_mandate, "poitiers", "édition", D(2025, 1, 1))
    bad = tmp_path / "bad.csv"
    bad.write_text("id,nom,date_naissance\nr1,Marguerite Secret,le 3 mai\n", encoding="utf-8")
    with pytest.raises(ServiceError) as error:
        run(recruitment.import_respondents, mandate.id, "adresses", bad)
    assert "Marguerite" not in str(error.value) and "3 mai" not in str(error.value)
    assert "line 2, column 3 ('date_naissance')" in str(error.value)
    good = tmp_path / "good.csv"
    write_respondents(good, config, config.composition.seat_groups[0], rows=100)
    run(recruitment.import_respondents, mandate.id, "adresses", good)
    run(panel.draw_panel, mandate.id, "adresses", D(2025, 1, 2), seed=1)
    member = run(members.list_members, mandate.id)[0]
    personal = run(lambda s: s.get(PersonalData, member.respondent_id))
    assert personal.name and personal.name not in repr(personal)
    run(members.withdraw, member.id, D(2025, 2, 1), "a private reason")
    entries = run(lambda s: [e.data for e in audit.entries(s)])
    assert not any("Person" in data or "rue Fictive" in data or "private" in data
                   for data in entries)
    assert not any("Person " in record.getMessage() for record in caplog.records)


def test_purge_keeps_rows_and_pseudonyms(run: Any, tmp_path: Path) -> None:
    config = city("poitiers").config
    mandate = run(mandates.open_mandate, "poitiers", "édition", D(2025, 1, 1))
    path = tmp_path / "r.csv"
    write_respondents(path, config, config.composition.seat_groups[0], rows=110)
    run(recruitment.import_respondents, mandate.id, "adresses", path)
    draw = run(panel.draw_panel, mandate.id, "adresses", D(2025, 1, 2), seed=1)
    run(panel.finalize_draw, draw.id)
    assert run(privacy.purge, mandate.id) == 10
    assert run(privacy.purge, mandate.id) == 0  # idempotent

    def rows(session: Any) -> list[tuple[str, str, str | None, Any]]:
        return [(r.public_id, r.status, r.personal.name, r.personal.purged_at)
                for r in session.query(Respondent).order_by(Respondent.id)]

    found = run(rows)
    assert len(found) == 110
    assert all(name is None and purged for _, status, name, purged in found
               if status == "not_selected")
    export = run(privacy.export_personal, mandate.id, "convocations")
    assert export.count("\r\n") == 101
    last = run(lambda s: next(audit.entries(s, limit=1)))
    assert last.action == "personal_data.export" and '"purpose":"convocations"' in last.data
    with pytest.raises(InvalidInput, match="purpose"):
        run(privacy.export_personal, mandate.id, " ")


def test_accounts_and_tokens(run: Any) -> None:
    user = run(users.create_user, "clerk", "a long password", "secretariat")
    with pytest.raises(InvalidInput, match="taken"):
        run(users.create_user, "clerk", "another password", "read-only")
    with pytest.raises(InvalidInput, match="not a role"):
        run(users.create_user, "boss", "a long password", "king")
    with pytest.raises(InvalidInput, match="at least"):
        run(users.create_user, "boss", "short", "administrator")
    assert run(users.authenticate, "clerk", "a long password").id == user.id
    assert run(users.authenticate, "clerk", "wrong password!") is None
    row, token = run(users.issue_token, user.id, "api")
    assert token not in row.token_hash and len(row.token_hash) == 64
    assert run(users.user_for_token, token).id == user.id
    run(users.revoke_token, row.id)
    assert run(users.user_for_token, token) is None
    run(users.deactivate, user.id)
    assert run(users.authenticate, "clerk", "a long password") is None
    with pytest.raises(NotAllowed):
        run(users.issue_token, user.id, "again")
    assert run(audit.verify) == []


POLICIES = {
    "paris": lambda: city("paris").config.indemnity,
    "poitiers": lambda: city("poitiers").config.indemnity,
    "brussels": lambda: city("brussels").config.indemnity,
}


@settings(max_examples=150, deadline=None)
@given(which=st.sampled_from(sorted(POLICIES)),
       sessions_=st.lists(st.tuples(st.dates(min_value=D(2024, 1, 1), max_value=D(2027, 12, 31)),
                                    st.sampled_from([Decimal("0.5"), Decimal(1), Decimal(2)])),
                          max_size=60))
def test_payments_follow_the_policy(which: str,
                                    sessions_: list[tuple[dt.date, Decimal]]) -> None:
    """Rate × units, units capped over the mandate, amounts capped per calendar year."""
    policy = POLICIES[which]()
    attended = sorted(sessions_)
    paid = indemnities.pay(attended, policy, policy.rate)
    units = sum((u for _, u in attended), Decimal(0))
    paid_units = sum((u for u, _ in paid), Decimal(0))
    assert paid_units == (units if policy.max_units is None else min(units, policy.max_units))
    for year in {day.year for day, _ in attended}:
        due = sum((u * policy.rate for (day, _), (u, _) in zip(attended, paid, strict=True)
                   if day.year == year), Decimal(0))
        got = sum((a for (day, _), (_, a) in zip(attended, paid, strict=True)
                   if day.year == year), Decimal(0))
        expected = due if policy.annual_ceiling is None else min(due, policy.annual_ceiling)
        assert got == expected.quantize(Decimal("0.01"))
    assert all(amount >= 0 for _, amount in paid)


def test_a_personal_data_export_holds_every_personal_datum_kept(run: Any,
                                                                tmp_path: Path) -> None:
    """A right-of-access export is whole: every PersonalData column, and the name consent."""
    kept = {column.name for column in PersonalData.__table__.columns} - {"respondent_id",
                                                                         "purged_at"}
    assert kept <= set(privacy.EXPORT_COLUMNS), "export these columns too"
    config = city("poitiers").config
    mandate = run(mandates.open_mandate, "poitiers", "édition", D(2025, 1, 1))
    path = tmp_path / "r.csv"
    write_respondents(path, config, config.composition.seat_groups[0], rows=100)
    run(recruitment.import_respondents, mandate.id, "adresses", path)
    run(panel.draw_panel, mandate.id, "adresses", D(2025, 1, 2), seed=1)
    named, other = run(members.list_members, mandate.id)[:2]

    def set_quotient(session: Any) -> None:
        session.get(PersonalData, named.respondent_id).family_quotient = Decimal("612.50")

    run(set_quotient)
    run(members.give_name_consent, named.id, "Marie D.", D(2025, 1, 20))
    for french, quotient, day in ((False, "612.50", "2025-01-20"), (True, "612,50", "20/01/2025")):
        export = run(privacy.export_personal, mandate.id, "droit d'accès", french=french)
        reader = csv.DictReader(io.StringIO(export, newline=""),
                                delimiter=";" if french else ",")
        table = {row["member"]: row for row in reader}
        mine = table[str(named.id)]
        assert (mine["family_quotient"], mine["public_name"], mine["public_name_consent_on"]) == (
            quotient, "Marie D.", day)
        assert table[str(other.id)]["public_name"] == ""
    # Withdrawn consent: the name is no longer kept, nor exported.
    run(members.withdraw_name_consent, named.id, D(2025, 3, 1))
    export = run(privacy.export_personal, mandate.id, "droit d'accès")
    assert "Marie D." not in export
