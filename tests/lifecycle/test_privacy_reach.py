"""Personal data live where the purge and the right of access reach them, never in the log.

The audit log (append-only, so neither purgeable nor exported) must not hold the name
of a commitment's responsible person nor of a body's appointee; the purge must blank
the external id (an electoral number) and the household key with the rest; and a
person's export must answer a right of access whole: features, probabilities,
withdrawal reason, history, body seats, attendance, indemnity, by person.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from kleroterion.cli import main
from kleroterion.cli.lifecycle import dispose_engines
from kleroterion.models import Member, Respondent
from kleroterion.services import (
    audit,
    bodies,
    followup,
    mandates,
    members,
    panel,
    privacy,
    proposals,
    recruitment,
    sessions,
)
from kleroterion.services.context import city
from sqlalchemy import select

from tests.lifecycle.citydata import write_respondents

D = dt.date
RESPONSIBLE, SUCCESSOR, OFFICIAL = "Anatole Responsable", "Bérénice Suivante", "Élue Nommée"
REASON = "raison de santé confidentielle"


def _log(run: Any) -> str:
    return "\n".join(run(lambda s: [e.data for e in audit.entries(s)]))


def test_the_audit_log_names_no_responsible_person_nor_appointee(run: Any) -> None:
    mandate = run(mandates.open_mandate, "poitiers", "édition", D(2025, 1, 1))
    plan = run(proposals.create, mandate.id, "plan-action", "Plan", D(2025, 9, 5))
    for target, on in (("decide", D(2025, 9, 5)), ("transmis", D(2025, 9, 20)),
                       ("referendum", D(2025, 11, 2)), ("adopte", D(2026, 2, 1))):
        run(proposals.move, plan.id, target, on)
    commitment = run(followup.add_commitment, plan.id, "Pistes", "Mobilités", D(2026, 2, 10),
                     responsible=RESPONSIBLE)
    run(followup.update_commitment, commitment.id, responsible=SUCCESSOR)
    run(bodies.appoint, mandate.id, "groupe-propositions", "elected", OFFICIAL, D(2025, 2, 1))
    log = _log(run)
    assert "followup.commit" in run(lambda s: [e.action for e in audit.entries(s)])
    for name in (RESPONSIBLE, SUCCESSOR, OFFICIAL):
        assert name not in log
    assert '"responsible_named":true' in log and '"responsible":"changed"' in log


def test_purge_blanks_external_ids_and_household_keys_and_a_person_is_exported_whole(
        run: Any, tmp_path: Path, monkeypatch: Any, database_url: str) -> None:
    config = city("poitiers").config
    mandate = run(mandates.open_mandate, "poitiers", "édition", D(2025, 1, 1))
    path = tmp_path / "r.csv"
    write_respondents(path, config, config.composition.seat_groups[0], rows=110)
    run(recruitment.import_respondents, mandate.id, "adresses", path)
    draw = run(panel.draw_panel, mandate.id, "adresses", D(2025, 1, 2), seed=1)
    run(panel.finalize_draw, draw.id)
    seated = run(lambda s: s.scalars(select(Member).order_by(Member.id)).first())
    other = run(lambda s: s.scalars(select(Member).order_by(Member.id.desc())).first())
    run(bodies.join, mandate.id, "groupe-propositions", seated.id, D(2025, 2, 1))
    meeting = run(sessions.add_session, mandate.id, "assemblee", D(2025, 3, 5))
    run(sessions.record_attendance, meeting.id, seated.id, "present")
    run(members.withdraw, other.id, D(2025, 4, 1), REASON)

    assert run(privacy.purge, mandate.id) == 10
    purged = run(lambda s: list(s.scalars(select(Respondent).where(
        Respondent.status != "seated", Respondent.member == None))))  # noqa: E711
    assert len(purged) == 10
    for respondent in purged:
        assert respondent.external_id == respondent.public_id and respondent.household is None

    public_id = run(lambda s: s.get(Respondent, seated.respondent_id).public_id)
    external = run(lambda s: s.get(Respondent, seated.respondent_id).external_id)
    record = json.loads(run(privacy.export_person, external, "droit d'accès"))
    assert record["respondent"]["public_id"] == public_id
    assert set(record["respondent"]["selection_features"]) == set(
        config.composition.seat_groups[0].features)
    assert record["personal_data"]["name"].startswith("Person")
    assert record["draws"] and 0 < record["draws"][0]["probability"] <= 1
    assert record["draws"][0]["selected"] is True
    member = record["member"]
    assert [seat["body"] for seat in member["body_seats"]] == ["groupe-propositions"]
    assert member["attendance"] == [{"session": meeting.id, "held_on": "2025-03-05",
                                     "kind": "assemblee", "status": "present"}]
    assert member["indemnity"]["units_attended"] in ("1", "1.00")
    left = json.loads(run(privacy.export_person, run(
        lambda s: s.get(Respondent, other.respondent_id).public_id), "droit d'accès"))
    assert left["member"]["withdrawal_reason"] == REASON
    assert any(event["reason"] == REASON for event in left["member"]["history"])
    # The export is recorded by pseudonymous id, never with the data.
    log = _log(run)
    assert '"what":"person"' in log and REASON not in log and "Person " not in log

    monkeypatch.setenv("KLEROTERION_DATABASE_URL", database_url)
    result = CliRunner().invoke(main, ["privacy", "export-person", public_id,
                                       "--purpose", "droit d'accès"])
    dispose_engines()
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["respondent"]["public_id"] == public_id
    missing = CliRunner().invoke(main, ["privacy", "export-person", "R" + "9" * 400,
                                        "--purpose", "x"])
    dispose_engines()
    assert missing.exit_code == 1 and "Traceback" not in missing.output
