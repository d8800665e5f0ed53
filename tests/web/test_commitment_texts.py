"""Commitments and milestones in Brussels's two languages: API, CLI, public pages, report.

A Brussels recommendation carried out gets a commitment written in French and Dutch;
the Dutch pages, report and API say it in Dutch, the French ones in French, and a
milestone written in French only shows on a Dutch page marked ``lang="fr"``. Any
text goes through the API and back unchanged, and the pages escape it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kleroterion.cli import main
from kleroterion.db import upgrade
from kleroterion.models import Commitment, Milestone
from kleroterion.services import followup, mandates, proposals, texts, users
from kleroterion.web import create_app
from kleroterion.web.database import database_url
from markupsafe import escape
from sqlalchemy.orm import Session

from .conftest import in_database

D = dt.date
TODAY = D(2026, 11, 23)
TITLES = {"fr": "Prime à la rénovation", "nl": "Renovatiepremie"}
DEPARTMENTS = {"fr": "Bruxelles Environnement", "nl": "Leefmilieu Brussel"}


def _cycle(session: Session) -> dict[str, Any]:
    """A Brussels recommendation carried out, a commitment in French and Dutch."""
    mandate = mandates.open_mandate(session, "brussels", "cycle 2026", D(2026, 3, 1))
    rec = proposals.create(session, mandate.id, "recommandation", "Rénover", D(2026, 4, 10))
    for target, on in (("adoptee", D(2026, 5, 24)), ("transmise", D(2026, 5, 31)),
                       ("reponse", D(2026, 8, 20)), ("realisee", D(2026, 8, 25))):
        proposals.move(session, rec.id, target, on)
    commitment = followup.add_commitment(session, rec.id, "", "", D(2026, 9, 1),
                                         due_on=D(2027, 6, 30), titles=TITLES,
                                         departments=DEPARTMENTS)
    followup.add_milestone(session, commitment.id, "Appel à projets", D(2026, 10, 1))
    user = users.create_user(session, "secretariaat", "een lang wachtwoord 123", "secretariat")
    _row, token = users.issue_token(session, user.id, "test")
    return {"act": rec.id, "mandate": mandate.id, "commitment": commitment.id,
            "headers": {"Authorization": f"Bearer {token}"}}


@pytest.fixture
def city() -> str:
    return "brussels"


@pytest.fixture
def app(city: str, instance: Path) -> Flask:
    application = create_app(city, {"TESTING": True, "SECRET_KEY": "test secret",
                                    "KLEROTERION_TODAY": TODAY,
                                    "KLEROTERION_PAGE_CACHE": False})
    upgrade(database_url(application))
    return application


@pytest.fixture
def made(app: Flask) -> dict[str, Any]:
    result: dict[str, Any] = in_database(app, _cycle)
    return result


def _page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_each_page_says_it_in_its_language(client: FlaskClient, made: dict[str, Any]) -> None:
    act = made["act"]
    for url in ("/follow-up", f"/follow-up/{act}", "/follow-up/report-2026"):
        dutch = _page(client, f"{url}?lang=nl")
        french = _page(client, f"{url}?lang=fr")
        assert "Renovatiepremie" in dutch and "Leefmilieu Brussel" in dutch, url
        assert "Prime à la rénovation" not in dutch and "Bruxelles Environnement" not in dutch
        assert "Prime à la rénovation" in french and "Renovatiepremie" not in french, url
    # Written in French only: the Dutch page shows it marked as French.
    story = _page(client, f"/follow-up/{act}?lang=nl")
    assert '<span lang="fr">Appel à projets</span>' in story
    csv_nl = _page(client, "/follow-up/report-2026.csv?lang=nl")
    assert "Renovatiepremie;Leefmilieu Brussel;" in csv_nl and "Appel à projets" in csv_nl
    markdown = _page(client, "/follow-up/report-2026.md?lang=fr")
    assert "| Prime à la rénovation | Bruxelles Environnement |" in markdown


def test_the_api_writes_and_reads_each_language(client: FlaskClient,
                                                made: dict[str, Any]) -> None:
    headers, act = made["headers"], made["act"]
    body = {"on": "2026-09-02", "titles": {"fr": "Des arbres", "nl": "Bomen"},
            "departments": DEPARTMENTS}
    created = client.post(f"/api/proposals/{act}/commitments?lang=nl", json=body,
                          headers=headers)
    assert created.status_code == 201, created.get_json()
    data = created.get_json()
    assert (data["title"], data["department"]) == ("Bomen", "Leefmilieu Brussel")
    assert data["titles"] == body["titles"] and data["departments"] == DEPARTMENTS
    french = client.post(f"/api/proposals/{act}/commitments?lang=fr", json={
        **body, "titles": {"nl": "Banken"}}, headers=headers)
    assert french.status_code == 422
    assert "'fr'" in french.get_json()["message"]
    refused = client.post(f"/api/proposals/{act}/commitments?lang=en", json={
        **body, "departments": {"de": "Umwelt"}}, headers=headers)
    assert refused.status_code == 422
    assert "'de' is not a language of this city" in refused.get_json()["message"]
    changed = client.patch(f"/api/commitments/{data['id']}?lang=fr", json={
        "titles": {"fr": "Des arbres de rue"}, "expected_version": data["version"]},
        headers=headers)
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["titles"] == {"fr": "Des arbres de rue", "nl": "Bomen"}
    stale = client.patch(f"/api/commitments/{data['id']}", json={
        "titles": {"nl": "Straatbomen"}, "expected_version": data["version"]},
        headers=headers)
    assert stale.status_code == 409
    milestone = client.post(f"/api/commitments/{data['id']}/milestones?lang=nl", json={
        "titles": {"fr": "Plantation", "nl": "Aanplanting"}, "due_on": "2026-11-15"},
        headers=headers)
    assert milestone.status_code == 201, milestone.get_json()
    assert milestone.get_json()["title"] == "Aanplanting"
    journey = client.get(f"/api/follow-up/{act}?lang=nl").get_json()
    shown = next(c for c in journey["commitments"] if c["id"] == made["commitment"])
    assert {"what": "committed", "title": "Renovatiepremie",
            "actor": "Leefmilieu Brussel"}.items() <= next(
        step for step in journey["steps"] if step["what"] == "committed").items()
    assert shown["title"] == "Renovatiepremie" and shown["titles"] == TITLES
    assert shown["departments"] == DEPARTMENTS


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(french=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1,
                      max_size=80).filter(lambda t: bool(t.strip())),
       dutch=st.sampled_from(["<script>alert(1)</script>", "a & b", '"Bomen" <b>', "Ü"]))
def test_any_text_comes_back_through_the_api_and_is_escaped_on_the_page(
        client: FlaskClient, made: dict[str, Any], french: str, dutch: str) -> None:
    response = client.post(f"/api/proposals/{made['act']}/commitments?lang=nl", json={
        "on": "2026-09-02", "titles": {"fr": french, "nl": dutch},
        "departments": DEPARTMENTS}, headers=made["headers"])
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["titles"] == {"fr": french.strip(), "nl": dutch}
    page = _page(client, f"/follow-up/{made['act']}?lang=nl")
    assert f"<strong>{escape(dutch)}</strong>" in page
    assert "<script>alert" not in page


def test_the_followup_commands_take_each_language(app: Flask, made: dict[str, Any],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLEROTERION_DATABASE_URL", database_url(app))
    runner = CliRunner()
    done = runner.invoke(main, [
        "followup", "commit", str(made["act"]), "Des bancs", "--title-in", "nl=Banken",
        "--department-in", "fr=Bruxelles Mobilité", "--department-in", "nl=Brussel Mobiliteit",
        "--date", "2026-09-03"])
    assert done.exit_code == 0, done.output
    ident = int(done.output.split()[1].rstrip(":"))
    refused = runner.invoke(main, ["followup", "update", str(ident), "--title-in",
                                   "de=Bänke"])
    assert refused.exit_code == 1 and "'de' is not a language of this city" in refused.output
    updated = runner.invoke(main, ["followup", "update", str(ident), "--department-in",
                                   "nl=Brussel Mobiliteit (BM)", "--version", "1"])
    assert updated.exit_code == 0, updated.output
    milestone = runner.invoke(main, ["followup", "milestone", str(ident), "Pose",
                                     "--title-in", "nl=Plaatsing", "--due", "2026-12-01"])
    assert milestone.exit_code == 0, milestone.output
    milestone_id = int(milestone.output.split()[1].rstrip(":"))
    renamed = runner.invoke(main, ["followup", "milestone-title", str(milestone_id),
                                   "--title-in", "fr=Pose des bancs", "--version", "1"])
    assert renamed.exit_code == 0, renamed.output

    def read(session: Session) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
        commitment = session.get(Commitment, ident)
        milestone_ = session.get(Milestone, milestone_id)
        assert commitment is not None and milestone_ is not None
        return (texts.all_texts(commitment, ("title", "department"), "fr"),
                texts.texts_of(milestone_, "title", "fr"))

    written, titled = in_database(app, read)
    assert written == {"title": {"fr": "Des bancs", "nl": "Banken"},
                       "department": {"fr": "Bruxelles Mobilité",
                                      "nl": "Brussel Mobiliteit (BM)"}}
    assert titled == {"fr": "Pose des bancs", "nl": "Plaatsing"}
