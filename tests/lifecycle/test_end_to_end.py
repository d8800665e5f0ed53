"""Whole mandates through the services: a Paris promotion, a Poitiers edition, a Brussels cycle.

From the invitation draw to the follow-up report, on SQLite and PostgreSQL, with
indemnity totals computed by hand from the cities' published rates.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from kleroterion.city.quotas import group_quotas
from kleroterion.models import Member, PersonalData, Respondent
from kleroterion.services import (
    audit,
    bodies,
    followup,
    indemnities,
    mandates,
    members,
    panel,
    privacy,
    proposals,
    recruitment,
    sessions,
    statement_export,
)
from kleroterion.services.context import city
from kleroterion.services.errors import InvalidInput, NotAllowed

from tests.lifecycle.citydata import write_respondents

D = dt.date


def _registry(path: Path, column: str, values: list[str], rows: int) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["numero", "nom", column])
        for i in range(rows):
            writer.writerow([i, f"Voter {i}", values[i % len(values)]])
    return path


def _active(run: Any, mandate_id: int, group: str | None = None) -> list[Member]:
    return run(members.list_members, mandate_id, active_only=True, seat_group=group)


def test_paris_promotion(run: Any, tmp_path: Path) -> None:
    config = city("paris").config
    mandate = run(mandates.open_mandate, "paris", "promotion 2025", D(2025, 9, 1), D(2026, 8, 31))
    assert [p.key for p in mandate.phases] == ["decouverte", "mandat", "approfondissement"]
    assert mandate.phases[0].starts_on == D(2025, 9, 1)
    assert mandate.phases[-1].ends_on == D(2026, 8, 31)

    # 1. Invitation draw from a registry, stratified by arrondissement.
    registry = _registry(tmp_path / "roll.csv", "arrondissement", ["1er", "15e", "20e"], 300)
    draw = run(recruitment.record_invitation_draw, mandate.id, "liste-electorale", registry,
               tmp_path / "letters.csv", seed=7, count=30)
    assert draw.count == 30 and draw.rows == 300 and draw.stratify_by == "arrondissement"
    assert sum(invited for _, invited in draw.strata.values()) == 30

    # 2. Respondents of the three seat groups.
    for group, rows in (("liste-electorale", 160), ("non-europeens", 30), ("jeunes", 10)):
        seat = next(g for g in config.composition.seat_groups if g.key == group)
        path = tmp_path / f"{group}.csv"
        write_respondents(path, config, seat, rows=rows, seed=len(group))
        run(recruitment.import_respondents, mandate.id, group, path)
    with pytest.raises(InvalidInput, match="already imported"):
        run(recruitment.import_respondents, mandate.id, "jeunes", tmp_path / "jeunes.csv")

    # 3. Panel draws: a seed, a public number, a seed.
    draws = [
        run(panel.draw_panel, mandate.id, "liste-electorale", D(2025, 6, 20), seed=1),
        run(panel.draw_panel, mandate.id, "non-europeens", D(2025, 6, 20),
            public_number="48213"),
        run(panel.draw_panel, mandate.id, "jeunes", D(2025, 6, 20), seed=3),
    ]
    assert [d.seats for d in draws] == [80, 15, 5]
    assert draws[1].inputs["number"] == 48213 and draws[0].panels_digest
    with pytest.raises(NotAllowed, match="already drawn"):
        run(panel.draw_panel, mandate.id, "jeunes", D(2025, 6, 20), seed=4)
    seated = _active(run, mandate.id)
    assert len(seated) == 100
    assert Counter(m.seat_group for m in seated) == {"liste-electorale": 80,
                                                     "non-europeens": 15, "jeunes": 5}
    with pytest.raises(NotAllowed, match="not open to volunteers"):
        run(recruitment.add_volunteer, mandate.id, D(2025, 9, 1), external_id="v1")

    # 4. Confirm, withdraw, replace under the quotas left.
    a, b, x = seated[0], seated[1], seated[2]
    for m in (a, b, x):
        run(members.confirm, m.id, D(2025, 7, 1))
    run(members.withdraw, x.id, D(2025, 10, 15), "moved away")
    replacement = run(panel.replace_member, x.id, D(2025, 10, 20), seed=9)
    assert replacement.replaces_id == x.id and replacement.seat_group == x.seat_group
    group = next(g for g in config.composition.seat_groups if g.key == x.seat_group)
    sitting = _active(run, mandate.id, x.seat_group)
    assert len(sitting) == group.seats

    def features(member: Member) -> dict[str, str]:
        return run(lambda s: s.get(Respondent, member.respondent_id).features)

    counts = Counter((f, v) for m in sitting for f, v in features(m).items())
    for quota in group_quotas(config.composition, group):
        assert quota.min <= counts[(quota.feature, quota.value)] <= quota.max
    history = run(members.history, x.id)
    assert [e.kind for e in history] == ["drawn", "confirmed", "withdrawn", "replaced"]

    # 5. Workshops chosen by members; a guarantor appointed.
    run(bodies.join, mandate.id, "atelier-exploration", a.id, D(2025, 9, 20))
    run(bodies.join, mandate.id, "atelier-deliberation", b.id, D(2025, 9, 20))
    run(bodies.appoint, mandate.id, "comite-garants", "guarantor", "A. Garant", D(2025, 9, 1))
    with pytest.raises(NotAllowed, match="already sits"):
        run(bodies.join, mandate.id, "atelier-exploration", a.id, D(2025, 9, 21))

    # 6. Sessions in half-days, attendance.
    plenary = run(sessions.add_session, mandate.id, "pleniere", D(2025, 9, 13))
    workshop = run(sessions.add_session, mandate.id, "atelier", D(2025, 10, 4),
                   body_key="atelier-exploration")
    hearing = run(sessions.add_session, mandate.id, "audition", D(2025, 11, 8),
                  duration=Decimal("1.5"))
    assert plenary.duration == 2 and plenary.unit == "half_day"
    for m, meeting, status in ((a, plenary, "present"), (a, workshop, "present"),
                               (a, hearing, "present"), (b, plenary, "present"),
                               (x, plenary, "present"), (replacement, hearing, "absent")):
        run(sessions.record_attendance, meeting.id, m.id, status)
    with pytest.raises(NotAllowed, match="did not sit"):
        run(sessions.record_attendance, hearing.id, x.id, "present")
    with pytest.raises(NotAllowed, match="does not sit in"):
        run(sessions.record_attendance, workshop.id, b.id, "present")

    # 7. Indemnities: 44 € per half-day, for every member.
    statements = {s.member_id: s for s in run(indemnities.statements, mandate.id,
                                                D(2025, 9, 1), D(2025, 12, 31))}
    assert statements[a.id].total == Decimal("44") * Decimal("4.5") == Decimal("198.00")
    assert statements[b.id].total == Decimal("88.00")
    assert statements[x.id].total == Decimal("88.00")
    assert replacement.id not in statements  # absent: nothing to pay, no line
    raw = run(lambda session: statement_export.export(
        session, "paris", D(2025, 9, 1), D(2025, 12, 31), language="fr",
        gettext=statement_export.catalog("fr"), mandate_id=mandate.id, with_names=False)[0])
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(text.splitlines(), delimiter=";"))
    assert rows[0][:3] == ["Identifiant public", "Mandat", "Collège"]
    assert "198,00" in [row[rows[0].index("Total")] for row in rows[1:]]
    assert "Person" not in text  # no names unless asked for

    # 8. A vœu through the Conseil de Paris.
    voeu = run(proposals.create, mandate.id, "voeu", "Végétaliser les cours d'école",
               D(2026, 3, 1))
    with pytest.raises(NotAllowed, match="allowed from 'redige': adopte-assemblee"):
        run(proposals.move, voeu.id, "adopte", D(2026, 3, 2))
    for target, on in (("adopte-assemblee", D(2026, 3, 14)), ("depose", D(2026, 4, 1)),
                       ("debattu", D(2026, 5, 12)), ("adopte", D(2026, 5, 13))):
        run(proposals.move, voeu.id, target, on, reason="vote")

    # 9. Follow-up: a commitment with a responsible person, milestones, overdue, report.
    with pytest.raises(InvalidInput, match="responsible"):
        run(followup.add_commitment, voeu.id, "Cours oasis", "DASCO", D(2026, 6, 1))
    commitment = run(followup.add_commitment, voeu.id, "Cours oasis: 10 écoles", "DASCO",
                     D(2026, 6, 1), responsible="Chef de projet", due_on=D(2026, 12, 31))
    milestone = run(followup.add_milestone, commitment.id, "5 écoles", D(2026, 9, 30))
    run(followup.update_commitment, commitment.id, status="in_progress", progress=40)
    late = run(followup.overdue, D(2026, 10, 15), city="paris")
    assert [(o.what, o.ident) for o in late] == [("milestone", milestone.id)]
    run(followup.complete_milestone, milestone.id, D(2026, 10, 20))
    assert run(followup.overdue, D(2026, 10, 21), mandate_id=mandate.id) == []
    # The yearly report: due a year after the first adoption, then a year after each report.
    assert run(followup.report_due, mandate.id) == D(2027, 5, 13)
    late = run(followup.overdue, D(2027, 6, 1), mandate_id=mandate.id)
    assert [(o.what, o.due_on) for o in late] == [("commitment", D(2026, 12, 31)),
                                                  ("report", D(2027, 5, 13))]
    markdown = run(followup.report, mandate.id, 2026)
    assert run(followup.report_due, mandate.id) == D(2027, 12, 31)
    assert "Cours oasis: 10 écoles" in markdown and "| DASCO | Chef de projet |" in markdown
    report_csv = run(followup.report, mandate.id, 2026, "csv")
    assert "in_progress" in report_csv and "40%" in report_csv

    # 10. Purge once the draws are final; the audit chain holds.
    with pytest.raises(NotAllowed, match="not final"):
        run(privacy.purge, mandate.id)
    for d in draws:
        run(panel.finalize_draw, d.id)
    purged = run(privacy.purge, mandate.id)
    assert purged == 200 - 100 - 1  # respondents never seated (one replacement was)

    def personal_names(session: Any) -> list[tuple[str, str | None]]:
        rows = session.query(Respondent.status, PersonalData.name).join(PersonalData)
        return [(status, name) for status, name in rows]

    names = run(personal_names)
    assert all(name is None for status, name in names if status == "not_selected")
    assert all(name for status, name in names if status == "selected")
    assert run(audit.verify) == []


def test_poitiers_edition(run: Any, tmp_path: Path) -> None:
    config = city("poitiers").config
    mandate = run(mandates.open_mandate, "poitiers", "édition 2025", D(2025, 1, 1))
    assert mandate.ends_on == D(2025, 12, 31)
    seat = config.composition.seat_groups[0]
    addresses = _registry(tmp_path / "adresses.csv", "quartier", ["Centre", "Gibauderie"], 500)
    letters = run(recruitment.record_invitation_draw, mandate.id, "adresses", addresses,
                  tmp_path / "visites.csv", seed=2, count=150, stratify_by="quartier")
    assert letters.strata == {"Centre": [250, 75], "Gibauderie": [250, 75]}
    path = tmp_path / "repondants.csv"
    write_respondents(path, config, seat, rows=130, quotients=["850", "1 200,50", ""],
                      delimiter=";")
    run(recruitment.import_respondents, mandate.id, "adresses", path)
    draw = run(panel.draw_panel, mandate.id, "adresses", D(2025, 1, 10), seed=5)
    assert draw.algorithm == "uniform" and len(draw.entries) == 130
    assert {e.probability for e in draw.entries} == {100 / 130}
    volunteer = run(recruitment.add_volunteer, mandate.id, D(2025, 2, 1), external_id="vol-1",
                    name="Volunteer One", family_quotient="700")
    assert len(_active(run, mandate.id)) == 101

    def quotient(member: Member) -> Decimal | None:
        return run(lambda s: s.get(PersonalData, member.respondent_id).family_quotient)

    drawn = _active(run, mandate.id, "adresses")
    low = [m for m in drawn if quotient(m) == Decimal("850")]
    high = [m for m in drawn if quotient(m) == Decimal("1200.50")]
    unknown = [m for m in drawn if quotient(m) is None]
    groupe = low[:17] + high[:1] + unknown[:1] + [volunteer]
    for m in groupe:
        run(bodies.join, mandate.id, "groupe-propositions", m.id, D(2025, 2, 1))
    with pytest.raises(NotAllowed, match="20 seats"):
        run(bodies.join, mandate.id, "groupe-propositions", low[18].id, D(2025, 2, 1))
    for role, count in (("elected", 4), ("elected_opposition", 2), ("agent", 4)):
        for i in range(count):
            run(bodies.appoint, mandate.id, "groupe-propositions", role, f"{role} {i}",
                D(2025, 2, 1))
    with pytest.raises(NotAllowed, match="2 seats for 'elected_opposition'"):
        run(bodies.appoint, mandate.id, "groupe-propositions", "elected_opposition", "x",
            D(2025, 2, 1))
    assert len(run(bodies.composition, mandate.id, "groupe-propositions")) == 30
    comite = run(bodies.draw, mandate.id, "comite-methodologique", D(2025, 2, 2),
                 candidates=[m.id for m in groupe], seed=11)
    assert sum(e.selected for e in comite.entries) == 3

    # 4 assembly sessions and 24 meetings of the groupe: 28 sessions, 25 paid at most.
    assembly = [run(sessions.add_session, mandate.id, "assemblee", D(2025, 3 + 2 * i, 5))
                for i in range(4)]
    meetings = [run(sessions.add_session, mandate.id, "groupe", D(2025, 2, 10) +
                    dt.timedelta(days=10 * i), body_key="groupe-propositions")
                for i in range(24)]
    # Who is drawn follows the published ids (the uniform rule), which each import makes
    # anew: the outsider is a low-quotient member outside the groupe, whichever it is.
    eligible, means, missing, outsider = low[0], high[0], unknown[0], low[-1]
    assert len(low) > 19 and outsider not in groupe
    for meeting in assembly + meetings:
        for m in (eligible, means, missing):
            run(sessions.record_attendance, meeting.id, m.id, "present")
    for meeting in assembly:
        run(sessions.record_attendance, meeting.id, outsider.id, "present")
    for meeting in assembly[:2]:
        run(sessions.record_attendance, meeting.id, volunteer.id, "present")
    found = {s.member_id: s for s in run(indemnities.statements, mandate.id, D(2025, 1, 1),
                                           D(2025, 12, 31))}
    assert found[eligible.id].paid_units == 25
    assert found[eligible.id].total == Decimal("41.22") * 25 == Decimal("1030.50")
    assert found[means.id].total == 0 and "family quotient above" in found[means.id].reason
    assert found[missing.id].total == 0 and "no family quotient" in found[missing.id].reason
    assert found[outsider.id].total == 0 and "only members of" in found[outsider.id].reason
    assert found[volunteer.id].total == Decimal("82.44")
    # The cap holds across periods: the first half pays what it can, the second the rest.
    first = run(indemnities.statement, eligible.id, D(2025, 1, 1), D(2025, 6, 30))
    second = run(indemnities.statement, eligible.id, D(2025, 7, 1), D(2025, 12, 31))
    assert first.paid_units + second.paid_units == 25
    assert first.total + second.total == Decimal("1030.50")

    plan = run(proposals.create, mandate.id, "plan-action", "Plan mobilité", D(2025, 9, 5))
    with pytest.raises(NotAllowed, match="at most 1"):
        run(proposals.create, mandate.id, "plan-action", "Un second plan", D(2025, 9, 6))
    for target, on in (("decide", D(2025, 9, 5)), ("transmis", D(2025, 9, 20)),
                       ("referendum", D(2025, 11, 2)), ("adopte", D(2026, 2, 1))):
        run(proposals.move, plan.id, target, on)
    commitment = run(followup.add_commitment, plan.id, "Pistes cyclables", "Mobilités",
                     D(2026, 2, 10), due_on=D(2026, 12, 31))
    run(followup.update_commitment, commitment.id, status="done")
    assert "done" in run(followup.report, mandate.id, 2026)
    assert run(audit.verify) == []


def test_brussels_cycle(run: Any, tmp_path: Path) -> None:
    config = city("brussels").config
    mandate = run(mandates.open_mandate, "brussels", "cycle 2025", D(2025, 3, 1), D(2025, 5, 31))
    suivi = mandate.phases[-1]
    assert suivi.key == "suivi" and suivi.starts_on == D(2025, 6, 1)
    assert suivi.ends_on > D(2026, 5, 1)
    seat = config.composition.seat_groups[0]
    addresses = _registry(tmp_path / "adresses.csv", "commune", ["Uccle", "Ixelles", "Evere"],
                          600)
    letters = run(recruitment.record_invitation_draw, mandate.id, "panel", addresses,
                  tmp_path / "lettres.csv", seed=5, count=60)
    assert letters.stratify_by == "commune" and letters.count == 60
    with pytest.raises(InvalidInput, match="--count"):
        run(recruitment.record_invitation_draw, mandate.id, "panel", addresses,
            tmp_path / "x.csv", seed=5, count=601)
    path = tmp_path / "panel.csv"
    write_respondents(path, config, seat, rows=160)
    run(recruitment.import_respondents, mandate.id, "panel", path)
    run(panel.draw_panel, mandate.id, "panel", D(2025, 2, 1), seed=21)
    seated = _active(run, mandate.id)
    assert len(seated) == 80
    days = [run(sessions.add_session, mandate.id, "journee", D(2025, 3, 8) +
                dt.timedelta(days=7 * i)) for i in range(6)]
    full, partial = seated[0], seated[1]
    for meeting in days:
        run(sessions.record_attendance, meeting.id, full.id, "present")
    for meeting, status in zip(days, ["present", "excused", "absent", "present", "present",
                                      "absent"], strict=True):
        run(sessions.record_attendance, meeting.id, partial.id, status)
    run(indemnities.claim_extra, full.id, "garde-enfants", D(2025, 4, 12), Decimal("45.50"))
    with pytest.raises(NotAllowed, match="reimburses no 'taxi'"):
        run(indemnities.claim_extra, full.id, "taxi", D(2025, 4, 12), Decimal("10"))
    period = (mandate.id, D(2025, 3, 1), D(2025, 5, 31))
    found = {s.member_id: s for s in run(indemnities.statements, *period)}
    assert found[full.id].indemnity == Decimal("210.00")  # 6 days × 35 €
    assert found[full.id].total == Decimal("255.50")  # plus childcare
    assert found[partial.id].total == Decimal("105.00")  # 3 days
    lower = {s.member_id: s for s in run(indemnities.statements, *period, rate=Decimal("30"))}
    assert lower[full.id].indemnity == Decimal("180.00")
    with pytest.raises(InvalidInput, match="maximum 35"):
        run(indemnities.statements, *period, rate=Decimal("40"))

    # The follow-up committee: 10 drawn from the panel at the end of the cycle.
    committee = run(bodies.draw, mandate.id, "comite-suivi", D(2025, 5, 31), seed=4)
    chosen = {e.respondent_id for e in committee.entries if e.selected}
    assert len(chosen) == 10
    meeting = run(sessions.add_session, mandate.id, "suivi", D(2025, 9, 15),
                  body_key="comite-suivi")
    inside = next(m for m in seated if m.respondent_id in chosen)
    outside = next(m for m in seated if m.respondent_id not in chosen)
    run(sessions.record_attendance, meeting.id, inside.id, "present")
    with pytest.raises(NotAllowed, match="does not sit in 'comite-suivi'"):
        run(sessions.record_attendance, meeting.id, outside.id, "present")
    with pytest.raises(InvalidInput, match="outside mandate"):
        run(sessions.add_session, mandate.id, "journee", D(2025, 9, 15))

    # A recommendation, the government's deadlines, overdue, answered, carried out.
    rec = run(proposals.create, mandate.id, "recommandation", "Rénover 10 000 logements",
              D(2025, 5, 10))
    for target, on in (("adoptee", D(2025, 5, 24)), ("transmise", D(2025, 5, 31))):
        run(proposals.move, rec.id, target, on)
    dues = run(followup.deadlines, rec.id)
    assert [(d.key, d.due_on) for d in dues] == [("premiere-reponse", D(2025, 8, 31)),
                                                 ("reponse-finale", D(2026, 5, 31))]
    late = run(followup.overdue, D(2025, 9, 1), city="brussels")
    assert [(o.what, o.due_on) for o in late] == [("response", D(2025, 8, 31))]
    run(followup.record_response, rec.id, "premiere-reponse", D(2025, 9, 3), "first answer")
    run(proposals.move, rec.id, "reponse", D(2025, 9, 3), by="government")
    with pytest.raises(NotAllowed, match="made by 'government', not 'assembly'"):
        run(proposals.move, rec.id, "realisee", D(2026, 5, 1), by="assembly")
    run(proposals.move, rec.id, "realisee", D(2026, 5, 1), by="government")
    run(followup.record_response, rec.id, "reponse-finale", D(2026, 5, 2))
    commitment = run(followup.add_commitment, rec.id, "Primes rénovation", "Urban.brussels",
                     D(2026, 5, 5), due_on=D(2026, 12, 31))
    run(followup.update_commitment, commitment.id, progress=60)
    assert run(followup.overdue, D(2026, 6, 1), city="brussels") == []
    report = run(followup.report, mandate.id, 2026)
    assert "answered 2025-09-03" in report and "60%" in report
    assert run(audit.verify) == []


@pytest.mark.real_engine
def test_a_draw_and_a_replacement_with_the_real_engine(run: Any, tmp_path: Path) -> None:
    """The persisted draw holds the engine's LEXIMIN probabilities; they sum to the seats."""
    config = city("paris").config
    mandate = run(mandates.open_mandate, "paris", "promotion", D(2025, 9, 1), D(2026, 8, 31))
    seat = next(g for g in config.composition.seat_groups if g.key == "jeunes")
    path = tmp_path / "jeunes.csv"
    write_respondents(path, config, seat, rows=12)
    run(recruitment.import_respondents, mandate.id, "jeunes", path)
    draw = run(panel.draw_panel, mandate.id, "jeunes", D(2025, 6, 1), public_number="1234")
    assert draw.algorithm == "leximin" and len(draw.panels_digest or "") == 64
    assert sum(e.probability for e in draw.entries) == pytest.approx(5)
    assert sum(e.selected for e in draw.entries) == 5
    first = _active(run, mandate.id)[0]
    run(members.withdraw, first.id, D(2025, 9, 10), "declined")
    new = run(panel.replace_member, first.id, D(2025, 9, 12), seed=3)
    assert new.replaces_id == first.id and len(_active(run, mandate.id)) == 5
