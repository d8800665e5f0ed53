"""The record's indicators against hand computations, on SQLite and PostgreSQL.

A small Paris promotion is written row by row so that every figure can be computed by
hand: 35 letters in three arrondissements and 7 answers, four members seated (three
women), two sessions in two calendar years, one withdrawal and one replacement, a
vœu with a commitment and two milestones; and a Brussels recommendation answered
after 60 and 150 days. The expected numbers are written out, not recomputed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kleroterion.models import InvitationDraw, Member, Respondent
from kleroterion.services import followup, indicators, mandates, proposals, sessions
from sqlalchemy.orm import Session

D = dt.date
TODAY = D(2027, 3, 1)
SEATED = D(2026, 4, 10)


def _respondent(session: Session, mandate_id: int, n: int, arrondissement: str, gender: str,
                source: str = "respondent", group: str = "liste-electorale") -> Respondent:
    row = Respondent(public_id=f"RT{n:04d}", mandate_id=mandate_id, seat_group=group,
                     source=source, external_id=f"x{n}",
                     features={"gender": gender, "age": "30-44",
                               "arrondissement": arrondissement, "diploma": "bac"},
                     household=None, status="pool")
    session.add(row)
    session.flush()
    return row


def _member(session: Session, mandate_id: int, respondent: Respondent, n: int, *,
            source: str = "drawn", seated: dt.date = SEATED) -> Member:
    respondent.status = "selected"
    member = Member(mandate_id=mandate_id,
                    respondent_id=respondent.id, seat_group="liste-electorale", source=source,
                    status="seated", seated_on=seated)
    session.add(member)
    session.flush()
    return member


@pytest.fixture
def paris(run: Any) -> dict[str, Any]:
    mandate = run(mandates.open_mandate, "paris", "promotion 2026", D(2026, 4, 1))

    def write(session: Session) -> dict[str, Any]:
        session.add(InvitationDraw(
            mandate_id=mandate.id, seat_group="liste-electorale", registry_name="roll.csv",
            registry_digest="0" * 64, output_digest="1" * 64, seed=1, count=35, rows=121000,
            stratify_by="arrondissement",
            strata={"10e": [84000, 5], "2e": [21000, 20], "1er": [16000, 10]}))
        people = [("1er", "femme"), ("1er", "femme"), ("1er", "homme"), ("2e", "femme"),
                  ("2e", "homme"), ("2e", "homme"), ("2e", "femme")]
        rows = [_respondent(session, mandate.id, n, *p) for n, p in enumerate(people)]
        # a volunteer of another source is no answer to a letter
        _respondent(session, mandate.id, 99, "2e", "homme", source="volunteer")
        seated = [_member(session, mandate.id, rows[i], i) for i in (0, 1, 3, 4)]
        return {"mandate": mandate.id, "members": [m.id for m in seated],
                "spare": rows[2].id}

    ids: dict[str, Any] = run(write)
    m1, m2, m3, m4 = ids["members"]
    first = run(sessions.add_session, ids["mandate"], "atelier", D(2026, 6, 1))
    second = run(sessions.add_session, ids["mandate"], "atelier", D(2027, 1, 15))
    run(sessions.add_session, ids["mandate"], "atelier", D(2027, 6, 1))  # to come
    marks = {first.id: {m1: "present", m2: "present", m3: "present", m4: "absent"},
             second.id: {m1: "present", m2: "absent", m3: "excused", m4: "present"}}
    for meeting, rolls in marks.items():
        for member, status in rolls.items():
            run(sessions.record_attendance, meeting, member, status)

    def withdraw_and_replace(session: Session) -> None:
        leaving = session.get(Member, m4)
        assert leaving is not None
        leaving.status, leaving.withdrawn_on = "withdrawn", D(2027, 2, 1)
        spare = session.get(Respondent, ids["spare"])
        assert spare is not None
        _member(session, ids["mandate"], spare, 5, source="replacement", seated=D(2027, 2, 2))

    run(withdraw_and_replace)
    voeu = run(proposals.create, ids["mandate"], "voeu", "Des fontaines", D(2026, 5, 1))
    for target, on in (("adopte-assemblee", D(2026, 5, 10)), ("depose", D(2026, 6, 1)),
                       ("debattu", D(2026, 7, 1)), ("adopte", D(2026, 7, 2))):
        run(proposals.move, voeu.id, target, on)
    run(proposals.create, ids["mandate"], "voeu", "Encore un brouillon", D(2026, 9, 1))
    commitment = run(followup.add_commitment, voeu.id, "Cent fontaines", "Eau", D(2026, 7, 10),
                     responsible="Cheffe fictive", due_on=D(2027, 1, 1))
    early = run(followup.add_milestone, commitment.id, "Plans", D(2026, 9, 1))
    late = run(followup.add_milestone, commitment.id, "Chantier", D(2026, 12, 1))
    run(followup.add_milestone, commitment.id, "Inauguration", D(2027, 9, 1))  # not due
    run(followup.complete_milestone, early.id, D(2026, 8, 20))
    run(followup.complete_milestone, late.id, D(2026, 12, 20))
    return ids


def test_a_promotion_s_indicators_are_the_hand_computed_ones(run: Any,
                                                             paris: dict[str, Any]) -> None:
    found = run(indicators.mandate_indicators, paris["mandate"], TODAY)

    (roll,) = [f for f in found.funnel if f.seat_group == "liste-electorale"]
    assert (roll.letters, roll.answers, roll.seated) == (35, 7, 4)
    assert roll.answer_rate == 0.2
    assert roll.stratified_by == "arrondissement"
    assert [(s.value, s.letters, s.answers, s.rate) for s in roll.strata] == [
        ("1er", 10, 3, 0.3), ("2e", 20, 4, 0.2), ("10e", 5, 0, 0.0)]  # the city's order

    (panel, *_) = found.representativeness
    gender = {row.value: row for row in panel.rows if row.feature == "gender"}
    # on 1 March 2027 the sitting roll members are m1, m2, m3 (women, woman, woman) and
    # the replacement (a man): 3 women and 1 man for 80 seats shared half and half
    assert panel.seated == 4
    assert (gender["femme"].target_share, gender["femme"].target_seats) == (0.5, 40.0)
    assert (gender["femme"].seated, gender["homme"].seated) == (3, 1)
    assert gender["femme"].seated_share == 0.75

    attendance = found.attendance
    assert [(s.on_roll, s.present) for s in attendance.sessions] == [(4, 3), (4, 2)]
    assert attendance.overall_rate == 5 / 8
    assert attendance.members_by_rate == (0, 0, 3, 1)  # 0.5, 0.5, 0.5 and 1.0
    assert attendance.median_member_rate == 0.5

    retention = found.retention
    assert (retention.seated, retention.withdrawn, retention.replacements,
            retention.sitting, retention.still_sitting) == (4, 1, 1, 4, 3)
    assert retention.retention_rate == 0.75

    # a workshop is one half-day at 44 EUR: 3 presences in 2026, 2 in 2027
    assert [(y.year, y.total, y.members_paid, y.mean_per_member) for y in found.indemnities] == [
        (2026, Decimal(132), 3, Decimal("44.00")), (2027, Decimal(88), 2, Decimal("44.00"))]

    assert {(a.kind, a.outcome): a.count for a in found.acts} == {
        ("voeu", "adopted"): 1, ("voeu", "open"): 1}
    commitments = found.commitments
    assert (commitments.total, commitments.due, commitments.done,
            commitments.milestones_due, commitments.milestones_on_time) == (1, 1, 0, 2, 1)
    assert commitments.on_time_share == 0.5


def test_the_city_s_indicators_span_its_promotions_by_year(run: Any,
                                                          paris: dict[str, Any]) -> None:
    later = run(mandates.open_mandate, "paris", "promotion 2027", D(2027, 1, 1))
    run(mandates.open_mandate, "paris", "promotion 2028", D(2028, 1, 1))  # not started
    found = run(indicators.city_indicators, "paris", TODAY)
    assert [m.mandate_id for m in found.mandates] == [paris["mandate"], later.id]
    assert [(y.year, y.total, y.members_paid) for y in found.indemnities_by_year] == [
        (2026, Decimal(132), 3), (2027, Decimal(88), 2)]
    data = found.to_dict()
    assert data["schema_version"] == indicators.SCHEMA_VERSION
    assert data["indemnities_by_year"][0]["total"] == "132.00"
    assert data["mandates"][0]["starts_on"] == "2026-04-01"


def test_indicators_hold_no_personal_data(run: Any, paris: dict[str, Any]) -> None:
    text = repr(run(indicators.city_indicators, "paris", TODAY).to_dict())
    for planted in ("x1", "RT0001", "Cheffe fictive"):
        assert planted not in text


def test_answer_delays_run_from_the_day_the_act_reached_its_addressee(run: Any) -> None:
    mandate = run(mandates.open_mandate, "brussels", "cycle 2026", D(2026, 3, 1))
    sent = run(proposals.create, mandate.id, "recommandation", "Rénover", D(2026, 5, 10))
    for target, on in (("adoptee", D(2026, 5, 24)), ("transmise", D(2026, 5, 31))):
        run(proposals.move, sent.id, target, on)
    run(followup.record_response, sent.id, "premiere-reponse", D(2026, 7, 30))
    run(followup.record_response, sent.id, "reponse-finale", D(2026, 10, 28))
    run(proposals.create, mandate.id, "recommandation", "Brouillon", D(2026, 5, 10))
    delays = run(indicators.mandate_indicators, mandate.id, D(2026, 12, 1)).delays
    assert (delays.acts_sent, delays.first_answered, delays.final_answered) == (1, 1, 1)
    assert (delays.median_days_to_first, delays.median_days_to_final) == (60.0, 150.0)
    # on a day before the answers, none is counted
    before = run(indicators.mandate_indicators, mandate.id, D(2026, 7, 1)).delays
    assert (before.acts_sent, before.first_answered, before.median_days_to_first) == (1, 0, None)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.sampled_from(["present", "excused", "absent"]), min_size=1,
                         max_size=6), min_size=1, max_size=12))
def test_every_member_falls_in_exactly_one_attendance_bucket(marks: list[list[str]]) -> None:
    rates = [sum(m == "present" for m in row) / len(row) for row in marks]
    buckets = indicators.bucket_rates(rates)
    assert sum(buckets) == len(rates)
    for rate in rates:
        index = indicators.bucket_of(rate)
        assert indicators.ATTENDANCE_BUCKETS[index] <= rate
        assert rate < indicators.ATTENDANCE_BUCKETS[index + 1] or (
            rate == 1.0 and index == len(buckets) - 1)
