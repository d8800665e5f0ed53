"""The record of a Brussels cycle in Dutch and French: the report page and downloads in
the visitor's language, the city's answers written through the API (with the reason of
a refusal) and through ``kleroterion record``; built through the services, no demo."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from kleroterion.cli import main
from kleroterion.services import followup, mandates, proposals, users
from kleroterion.web import create_app

from .conftest import in_database

D = dt.date
TODAY = D(2026, 11, 23)


@pytest.fixture
def city() -> str:
    return "brussels"


@pytest.fixture
def app(city: str, instance: Path) -> Flask:
    application = create_app(city, {"TESTING": True, "SECRET_KEY": "test secret",
                                    "KLEROTERION_TODAY": TODAY,
                                    "KLEROTERION_PAGE_CACHE": False})
    from kleroterion.db import upgrade
    from kleroterion.web.database import database_url

    upgrade(database_url(application))
    return application


def _cycle(session: Any) -> dict[str, Any]:
    """A Brussels cycle with a recommendation sent on 31 May 2026 and a commitment."""
    mandate = mandates.open_mandate(session, "brussels", "cycle 2026", D(2026, 3, 1))
    rec = proposals.create(session, mandate.id, "recommandation", "Rénover / Renoveren",
                           D(2026, 4, 10))
    for target, on in (("adoptee", D(2026, 5, 24)), ("transmise", D(2026, 5, 31)),
                       ("reponse", D(2026, 8, 20)), ("realisee", D(2026, 8, 25))):
        proposals.move(session, rec.id, target, on)
    followup.record_answer(session, rec.id, "first", D(2026, 8, 20), summary="Eerste",
                           text={"nl": "Het antwoord van de regering.", "fr": "La réponse."})
    commitment = followup.add_commitment(session, rec.id, "Renovatiepremie", "Leefmilieu",
                                         D(2026, 9, 1), due_on=D(2027, 6, 30))
    followup.update_commitment(session, commitment.id, status="in_progress", progress=40)
    user = users.create_user(session, "secretariaat", "een lang wachtwoord 123", "secretariat")
    _row, token = users.issue_token(session, user.id, "test")
    return {"act": rec.id, "mandate": mandate.id, "token": token}


def test_the_report_speaks_dutch_and_french(app: Flask, client: FlaskClient) -> None:
    in_database(app, _cycle)
    dutch = client.get("/follow-up/report-2026?lang=nl").get_data(as_text=True)
    assert '<html lang="nl">' in dutch and "<h1>Opvolgingsverslag 2026</h1>" in dutch
    assert "Verbintenissen per status" in dutch and "bezig" in dutch
    assert "eerste antwoord" in dutch
    csv_nl = client.get("/follow-up/report-2026.csv?lang=nl").get_data(as_text=True)
    assert csv_nl.splitlines()[0].startswith("Aanbeveling;Cyclus;")
    assert "30/06/2027" in csv_nl and "40 %" in csv_nl
    markdown = client.get("/follow-up/report-2026.md?lang=fr").get_data(as_text=True)
    assert markdown.startswith("# Rapport de suivi 2026") and "en cours" in markdown
    page = client.get("/proposals/1?lang=nl").get_data(as_text=True)
    assert "Het antwoord van de regering." in page and "De antwoorden van de overheid" in page


def test_an_answer_is_written_through_the_api_or_refused_with_its_reason(
        app: Flask, client: FlaskClient) -> None:
    made = in_database(app, _cycle)
    headers = {"Authorization": f"Bearer {made['token']}"}
    url = f"/api/proposals/{made['act']}/answers"
    refused = client.post(url, json={"kind": "yearly", "on": "2026-12-01", "summary": "x"},
                          headers=headers)
    assert refused.status_code == 409
    assert "makes no periodic report" in refused.get_json()["message"]
    done = client.post(url, json={"kind": "final", "on": "2027-05-20", "summary": "Evaluatie",
                                  "verdict": "not_retained"}, headers=headers)
    assert done.status_code == 201, done.get_json()
    answers = done.get_json()["answers"]
    assert [(a["kind"], a["verdict"]) for a in answers] == [
        ("first", None), ("final", "not_retained")]
    bad = client.post(url, json={"kind": "final", "on": "2027-05-20", "verdict": "maybe"},
                      headers=headers)
    assert bad.status_code == 422
    assert client.post(url, json={"kind": "reasons", "on": "2027-05-21"}).status_code == 401


def test_an_answers_summary_is_shown_in_the_readers_language(
        app: Flask, client: FlaskClient) -> None:
    made = in_database(app, _cycle)
    headers = {"Authorization": f"Bearer {made['token']}"}
    url = f"/api/proposals/{made['act']}/answers?lang=nl"
    summaries = {"fr": "Évaluation publiée", "nl": "Evaluatie gepubliceerd"}
    done = client.post(url, json={"kind": "final", "on": "2027-05-20",
                                  "summaries": summaries, "verdict": "retained"},
                       headers=headers)
    assert done.status_code == 201, done.get_json()
    final = done.get_json()["answers"][-1]
    assert final["summary"] == "Evaluatie gepubliceerd" and final["summaries"] == summaries
    dutch = client.get(f"/proposals/{made['act']}?lang=nl").get_data(as_text=True)
    french = client.get(f"/proposals/{made['act']}?lang=fr").get_data(as_text=True)
    assert "Evaluatie gepubliceerd" in dutch and "Évaluation publiée" not in dutch
    assert "Évaluation publiée" in french and "Evaluatie gepubliceerd" not in french
    refused = client.post(url, json={"kind": "reasons", "on": "2027-05-21",
                                     "summaries": {"de": "Gründe"}}, headers=headers)
    assert refused.status_code == 422
    assert "'de' is geen taal van deze stad" in refused.get_json()["message"]


def test_the_record_commands(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    from kleroterion.web.database import database_url

    made = in_database(app, _cycle)
    monkeypatch.setenv("KLEROTERION_DATABASE_URL", database_url(app))
    runner = CliRunner()
    refused = runner.invoke(main, ["record", "answer", str(made["act"]), "--kind", "yearly",
                                   "--on", "2026-12-01", "--summary", "x"])
    assert refused.exit_code == 1 and "makes no periodic report" in refused.output
    unknown = runner.invoke(main, ["record", "answer", str(made["act"]), "--kind", "final",
                                   "--on", "2027-05-20", "--summary-in", "de=Bewertung"])
    assert unknown.exit_code == 1 and "'de' is not a language of this city" in unknown.output
    final = runner.invoke(main, ["record", "answer", str(made["act"]), "--kind", "final",
                                 "--on", "2027-05-20", "--summary-in", "fr=Évaluation",
                                 "--summary-in", "nl=Evaluatie"])
    assert final.exit_code == 0, final.output
    event = runner.invoke(main, ["record", "event", "brussels", "follow_up", "2026-10-01",
                                 "Opvolgingsvergadering 1", "--start", "14:00", "--end",
                                 "16:00", "--mandate", str(made["mandate"])])
    assert event.exit_code == 0, event.output
    bad_time = runner.invoke(main, ["record", "event", "brussels", "follow_up", "2026-10-01",
                                    "x", "--start", "25:00"])
    assert bad_time.exit_code == 2 and "'25:00' is not a time" in bad_time.output
    report = runner.invoke(main, ["record", "report", "brussels", "--year", "2026",
                                  "--format", "csv", "--lang", "nl", "--french"])
    assert report.exit_code == 0, report.output
    assert report.output.startswith("Aanbeveling;Cyclus;") and "30/06/2027" in report.output
