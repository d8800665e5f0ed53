"""Subjects corrected and deleted through the API (a secretariat's token) and the back
office (a form per subject, texts in each of the city's languages): the same service and
refusals as the command line, named by field; a subject acts answer is not deleted; a
subject of another city is unknown (404)."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from kleroterion.db import make_engine, make_sessionmaker, session_scope
from kleroterion.models import AuditEntry, Subject
from kleroterion.services import mandates, subjects
from kleroterion.web.database import database_url
from sqlalchemy import select

from .test_access import api_token, csrf_token, log_in
from .test_api import _check
from .test_subject_pages import TODAY, app, database

__all__ = ["app", "database"]  # the two Brussels cycles of the subjects pages' tests


def _ids(client: FlaskClient) -> tuple[int, int]:
    """The sitting cycle's theme (an act answers it) and the past cycle's."""
    every = client.get("/api/subjects").get_json()
    return every[0]["id"], every[1]["id"]


def _paris_subject(app: Flask) -> int:
    engine = make_engine(database_url(app))
    with session_scope(make_sessionmaker(engine), actor="test") as session:
        mandate = mandates.open_mandate(session, "paris", "promotion 2026", TODAY)
        ident = subjects.add_subject(session, mandate.id, {"fr": "Chaleur"}, "assembly").id
    engine.dispose()
    return ident


def _titles(app: Flask) -> dict[int, dict[str, str]]:
    engine = make_engine(database_url(app))
    with session_scope(make_sessionmaker(engine)) as session:
        found = {s.id: dict(s.title) for s in session.scalars(select(Subject))}
        actions = [e.action for e in session.scalars(select(AuditEntry))]
    engine.dispose()
    found[0] = {str(n): a for n, a in enumerate(actions) if a.startswith("subject.")}
    return found


def test_the_api_corrects_a_subject_field_by_field(app: Flask, client: FlaskClient) -> None:
    _, past = _ids(client)
    token = api_token(app, "secretariat")
    bearer = {"Authorization": f"Bearer {token}"}
    document = client.get("/api/openapi.json").get_json()
    answer = client.patch(f"/api/subjects/{past}?lang=nl", headers=bearer,
                          json={"title": {"nl": "Gezonde voeding"}, "proposed_on": None})
    assert answer.status_code == 200, answer.get_json()
    schema = document["paths"]["/api/subjects/{ident}"]["patch"]["responses"]["200"]
    _check(answer.get_json(), schema["content"]["application/json"]["schema"], document, "patch")
    assert answer.get_json()["title"] == "Gezonde voeding"
    assert client.get(f"/api/subjects/{past}").get_json()["title"] == {
        "fr": "Se nourrir", "nl": "Gezonde voeding"}
    before = _titles(app)
    for body, field in [({"origin": "assembly"}, "origin"),
                        ({"origin_note": {"de": "x"}}, "origin_note"),
                        ({"workshops": ["atelier"]}, "workshops"),
                        ({"title": {"fr": "", "nl": ""}}, "title"),
                        ({"proposed_on": "2031-01-01"}, "proposed_on")]:
        refused = client.patch(f"/api/subjects/{past}", headers=bearer, json=body)
        assert refused.status_code == 422, body
        assert set(refused.get_json()["errors"]) == {field}, refused.get_json()
    assert client.patch(f"/api/subjects/{past}", headers=bearer, json={}).status_code == 422
    assert client.patch(f"/api/subjects/{past}", json={"origin": "council"}).status_code == 401
    assert _titles(app) == before


def test_the_api_deletes_a_subject_no_act_answers(app: Flask, client: FlaskClient) -> None:
    theme, past = _ids(client)
    paris = _paris_subject(app)
    bearer = {"Authorization": f"Bearer {api_token(app, 'secretariat')}"}
    refused = client.delete(f"/api/subjects/{theme}", headers=bearer)
    assert refused.status_code == 409
    assert "answered by 1 act(s)" in refused.get_json()["message"]
    assert "Réparer plutôt" in refused.get_json()["message"]
    for ident in (paris, 999):
        assert client.delete(f"/api/subjects/{ident}", headers=bearer).status_code == 404
        assert client.patch(f"/api/subjects/{ident}", headers=bearer,
                            json={"origin": "council"}).status_code == 404
    deleted = client.delete(f"/api/subjects/{past}", headers=bearer)
    assert deleted.status_code == 200 and deleted.get_json() == {"id": past, "workshops": []}
    assert client.get(f"/api/subjects/{past}").status_code == 404
    assert paris in _titles(app)


def _form(page: str) -> dict[str, Any]:
    """The values the subject's form shows, as a browser would send them back."""
    form = page.split('action="/admin/subjects/', 1)[1].split("</form>", 1)[0]
    values: dict[str, Any] = dict(re.findall(r'<input[^>]*?name="([\w-]+)"[^>]*?value="([^"]*)"',
                                             form))
    values.update(re.findall(r'<textarea[^>]*name="([\w-]+)"[^>]*>([^<]*)</textarea>', form))
    values["origin"] = "previous_panel"
    return values


def test_the_back_office_corrects_and_deletes(app: Flask, client: FlaskClient) -> None:
    theme, past = _ids(client)
    paris = _paris_subject(app)
    log_in(client, "secretariat")
    listing = client.get("/admin/subjects/?lang=fr").get_data(as_text=True)
    assert "Se nourrir" in listing and "Consommer &lt;b&gt;autrement" in listing
    page = client.get(f"/admin/subjects/{past}?lang=fr").get_data(as_text=True)
    assert 'name="title-nl"' in page and 'value="Voeding"' in page
    values = _form(page) | {"title-nl": "Gezonde voeding", "summary-fr": "Manger local"}
    saved = client.post(f"/admin/subjects/{past}?lang=fr", data=values)
    assert saved.status_code == 302
    assert client.get(f"/api/subjects/{past}").get_json()["summary"] == {"fr": "Manger local"}
    refused = client.post(f"/admin/subjects/{past}?lang=fr",
                          data=values | {"title-fr": "", "title-nl": ""})
    assert refused.status_code == 422
    assert "au moins une langue" in refused.get_data(as_text=True)
    stale = client.post(f"/admin/subjects/{past}?lang=fr", data=values | {"workshops": "x"})
    assert stale.status_code == 422 and "ses ateliers" in stale.get_data(as_text=True)
    token = csrf_token(client, f"/admin/subjects/{theme}")
    kept = client.post(f"/admin/subjects/{theme}/delete?lang=fr", data={"csrf_token": token})
    assert kept.status_code == 422 and "Réparer plutôt" in kept.get_data(as_text=True)
    assert client.get(f"/admin/subjects/{paris}").status_code == 404
    assert client.post(f"/admin/subjects/{paris}/delete",
                       data={"csrf_token": token}).status_code == 404
    gone = client.post(f"/admin/subjects/{past}/delete", data={"csrf_token": token})
    assert gone.status_code == 302
    assert past not in _titles(app) and paris in _titles(app)


def test_a_read_only_account_reads_but_cannot_change(app: Flask, client: FlaskClient) -> None:
    _, past = _ids(client)
    log_in(client, "read-only")
    page = client.get(f"/admin/subjects/{past}?lang=fr").get_data(as_text=True)
    assert "Voeding" in page
    assert 'name="title-nl"' not in page and "/delete" not in page
    token = csrf_token(client, "/admin/")
    assert client.post(f"/admin/subjects/{past}/delete",
                       data={"csrf_token": token}).status_code == 403
