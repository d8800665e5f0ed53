"""Correcting a recorded answer of a Brussels cycle: the API's PATCH, ``followup
answer-edit``, the back office's form (secretariat only), and the public act page
showing the corrected text in each language; built through the services, no demo."""

from __future__ import annotations

import datetime as dt
import re
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
from .test_access import csrf_token, log_in

D = dt.date
TODAY = D(2026, 11, 23)


@pytest.fixture
def app(instance: Path) -> Flask:
    application = create_app("brussels", {"TESTING": True, "SECRET_KEY": "test secret",
                                          "KLEROTERION_TODAY": TODAY,
                                          "KLEROTERION_PAGE_CACHE": False})
    from kleroterion.db import upgrade
    from kleroterion.web.database import database_url

    upgrade(database_url(application))
    return application


def _cycle(session: Any) -> dict[str, Any]:
    """A Brussels recommendation sent on 31 May 2026 with its first answer."""
    mandate = mandates.open_mandate(session, "brussels", "cycle 2026", D(2026, 3, 1))
    rec = proposals.create(session, mandate.id, "recommandation", "Renoveren", D(2026, 4, 10))
    for target, on in (("adoptee", D(2026, 5, 24)), ("transmise", D(2026, 5, 31))):
        proposals.move(session, rec.id, target, on)
    answer = followup.record_answer(
        session, rec.id, "first", D(2026, 8, 20),
        summaries={"fr": "Réponse reçu", "nl": "Antwoord ontvnagen"},
        text={"nl": "Het antwoord.", "fr": "La réponse."})
    user = users.create_user(session, "secretariaat", "een lang wachtwoord 123", "secretariat")
    _row, token = users.issue_token(session, user.id, "test")
    return {"act": rec.id, "answer": answer.id, "token": token}


def _first_answer(client: FlaskClient, act: int) -> dict[str, Any]:
    answer: dict[str, Any] = client.get(f"/api/proposals/{act}").get_json()["answers"][0]
    return answer


def test_the_api_corrects_an_answer_or_refuses_with_its_field(
        app: Flask, client: FlaskClient) -> None:
    made = in_database(app, _cycle)
    headers = {"Authorization": f"Bearer {made['token']}"}
    read = _first_answer(client, made["act"])
    assert read["id"] == made["answer"]
    url = f"/api/answers/{made['answer']}"
    refused = client.patch(url, json={"on": "2026-05-01", "expected_revision": read["revision"]},
                           headers=headers)
    assert refused.status_code == 422
    assert refused.get_json()["field"] == "on"
    assert "before the act was sent" in refused.get_json()["message"]
    assert _first_answer(client, made["act"]) == read  # nothing changed
    done = client.patch(url, json={"summaries": {"nl": "Antwoord ontvangen"},
                                   "verdict": "retained", "on": "2026-08-21",
                                   "expected_revision": read["revision"]}, headers=headers)
    assert done.status_code == 200, done.get_json()
    now = done.get_json()["answers"][0]
    assert now["summaries"] == {"fr": "Réponse reçu", "nl": "Antwoord ontvangen"}
    assert (now["verdict"], now["on"]) == ("retained", "2026-08-21")
    # The revision read before the correction is stale now.
    stale = client.patch(url, json={"summary": "Réponse reçue",
                                    "expected_revision": read["revision"]}, headers=headers)
    assert stale.status_code == 409
    removed = client.patch(url, json={"verdict": None, "summary": "Réponse reçue",
                                      "expected_revision": now["revision"]}, headers=headers)
    assert removed.status_code == 200, removed.get_json()
    assert removed.get_json()["answers"][0]["verdict"] is None
    assert removed.get_json()["answers"][0]["summaries"]["fr"] == "Réponse reçue"
    unknown = client.patch("/api/answers/9999", json={"verdict": "retained",
                                                      "expected_revision": "x"},
                           headers=headers)
    assert unknown.status_code == 404 and "no answer with id 9999" in unknown.get_json()[
        "message"]
    empty = client.patch(url, json={"expected_revision": "x"}, headers=headers)
    assert empty.status_code == 422
    assert client.patch(url, json={"verdict": "retained"}).status_code == 401


def test_the_patch_is_in_the_openapi_document(app: Flask, client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").get_json()
    operation = document["paths"]["/api/answers/{ident}"]["patch"]
    assert "Correct one of the city's answers" in operation["summary"]


def test_the_cli_corrects_an_answer(app: Flask, monkeypatch: pytest.MonkeyPatch,
                                    client: FlaskClient) -> None:
    from kleroterion.web.database import database_url

    made = in_database(app, _cycle)
    monkeypatch.setenv("KLEROTERION_DATABASE_URL", database_url(app))
    runner = CliRunner()
    unknown = runner.invoke(main, ["followup", "answer-edit", "9999", "--verdict", "retained"])
    assert unknown.exit_code == 1 and "no answer with id 9999" in unknown.output
    bad = runner.invoke(main, ["followup", "answer-edit", str(made["answer"]),
                               "--summary-in", "de=Antwort"])
    assert bad.exit_code == 1 and "'de' is not a language of this city" in bad.output
    done = runner.invoke(main, ["followup", "answer-edit", str(made["answer"]),
                                "--summary-in", "nl=Antwoord ontvangen", "--summary-in",
                                "en=Answer received", "--text", "fr=", "--verdict",
                                "partly_retained", "--on", "2026-08-22"])
    assert done.exit_code == 0, done.output
    assert f"answer {made['answer']} of proposal {made['act']} corrected" in done.output
    now = _first_answer(client, made["act"])
    assert now["summaries"] == {"fr": "Réponse reçu", "nl": "Antwoord ontvangen",
                                "en": "Answer received"}
    assert now["text"] == {"nl": "Het antwoord."}
    assert (now["verdict"], now["on"]) == ("partly_retained", "2026-08-22")
    cleared = runner.invoke(main, ["followup", "answer-edit", str(made["answer"]),
                                   "--verdict", "none"])
    assert cleared.exit_code == 0, cleared.output
    assert _first_answer(client, made["act"])["verdict"] is None


def _form_page(client: FlaskClient, answer: int) -> str:
    return client.get(f"/admin/answers/{answer}?lang=fr").get_data(as_text=True)


def _value(page: str, name: str) -> str:
    found = re.search(rf'name="{name}"[^>]*>([^<]*)</textarea>', page) or re.search(
        rf'name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', page)
    assert found, name
    return found.group(1)


def test_the_back_office_corrects_an_answer_in_each_language(
        app: Flask, client: FlaskClient) -> None:
    made = in_database(app, _cycle)
    log_in(client, "secretariat")
    follow_up = client.get(f"/admin/proposals/{made['act']}/follow-up?lang=fr").get_data(
        as_text=True)
    assert f'href="/admin/answers/{made["answer"]}"' in follow_up and "Corriger" in follow_up
    page = _form_page(client, made["answer"])
    assert "Corriger la réponse" in page and "Antwoord ontvnagen" in page
    assert "Résumé (facultatif) (néerlandais)" in page
    revision = _value(page, "expected_revision")
    url = f"/admin/answers/{made['answer']}?lang=fr"
    form = {"csrf_token": csrf_token(client, url), "expected_revision": revision,
            "on": "2026-05-01", "summary": "Réponse reçue", "summary_nl": "Antwoord ontvangen",
            "summary_en": "", "verdict": "not_retained"}
    refused = client.post(url, data=form)
    assert refused.status_code == 422
    shown = refused.get_data(as_text=True)
    assert "antérieure à la transmission" in shown
    assert "Antwoord ontvangen" in shown and "Réponse reçue" in shown  # what was typed
    assert _first_answer(client, made["act"])["verdict"] is None  # nothing changed
    done = client.post(url, data={**form, "on": "2026-08-20"})
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/admin/proposals/{made['act']}/follow-up#answers")
    # The public act page shows the corrected text in each language.
    client.get("/admin/logout")
    with app.test_client() as visitor:
        dutch = visitor.get(f"/proposals/{made['act']}?lang=nl").get_data(as_text=True)
        french = visitor.get(f"/proposals/{made['act']}?lang=fr").get_data(as_text=True)
    assert "Antwoord ontvangen" in dutch and "Antwoord ontvnagen" not in dutch
    assert "Réponse reçue" in french and "Réponse reçu<" not in french
    # The form read before the correction is stale now: 409, nothing overwritten.
    log_in(client, "secretariat")
    stale = client.post(url, data={**form, "csrf_token": csrf_token(client, url),
                                   "on": "2026-08-20", "verdict": ""})
    assert stale.status_code == 409
    assert _first_answer(client, made["act"])["verdict"] == "not_retained"


def test_the_first_language_is_required_while_others_translate_it(
        app: Flask, client: FlaskClient) -> None:
    made = in_database(app, _cycle)
    log_in(client, "secretariat")
    url = f"/admin/answers/{made['answer']}?lang=fr"
    page = _form_page(client, made["answer"])
    refused = client.post(url, data={
        "csrf_token": csrf_token(client, url), "on": "2026-08-20",
        "expected_revision": _value(page, "expected_revision"), "summary": "",
        "summary_nl": "Antwoord", "verdict": ""})
    assert refused.status_code == 422
    assert _first_answer(client, made["act"])["summaries"]["fr"] == "Réponse reçu"


def test_a_read_only_account_may_not_correct(app: Flask, client: FlaskClient) -> None:
    made = in_database(app, _cycle)
    log_in(client, "read-only")
    follow_up = client.get(f"/admin/proposals/{made['act']}/follow-up").get_data(as_text=True)
    assert f"/admin/answers/{made['answer']}" not in follow_up
    assert client.get(f"/admin/answers/{made['answer']}").status_code == 403
    url = f"/admin/proposals/{made['act']}/follow-up"
    assert client.post(f"/admin/answers/{made['answer']}", data={
        "csrf_token": csrf_token(client, url), "on": "2026-08-21"}).status_code == 403
