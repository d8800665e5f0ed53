"""JSON API writes: bearer tokens, each endpoint's change and refusals, no personal data.

The demo mandate of Paris (built once per module with the lifecycle tests' quick
stand-in engine, with a person planted as responsible for every commitment and
personal data on a seated member) is copied for each test, so that every test
changes its own database. Brussels, whose acts owe answers by deadlines, gets a
small mandate built through the services. Every answer is checked against the
OpenAPI document, and none may hold the planted personal data.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kleroterion.models import (
    ApiToken,
    AssemblySession,
    Attendance,
    AuditEntry,
    Commitment,
    Member,
    Milestone,
    Proposal,
)
from kleroterion.services import audit, mandates, members, proposals, users
from kleroterion.web import create_app
from kleroterion.web.api import endpoint
from kleroterion.web.api_writes import MilestoneDoneInput, MilestoneSchema
from kleroterion.web.database import database_url
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.config._checks import NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from . import test_public_records
from .test_access import add_user, api_token, csrf_token, log_in
from .test_api import _check
from .test_public_records import PLANTED, RESPONSIBLE, TODAY, _query

#: Acts of the Paris demo: a deliberation just drafted, and an adopted wish.
DRAFTED, ADOPTED = 13, 10

#: The demo mandate of Paris with its planted personal data, built once per module.
database = test_public_records.database


@pytest.fixture(scope="module")
def template(database: str) -> Path:
    """The database file each test copies, to change its own."""
    return Path(database.removeprefix("sqlite:///"))


@pytest.fixture
def app(instance: Path, template: Path, tmp_path: Path) -> Flask:
    copy = tmp_path / "paris.sqlite3"
    shutil.copyfile(template, copy)
    return create_app("paris", {"TESTING": True, "SECRET_KEY": "test",
                                "KLEROTERION_DATABASE_URL": f"sqlite:///{copy}",
                                "KLEROTERION_TODAY": TODAY})


@pytest.fixture
def secretariat(app: Flask) -> str:
    """A token of a secretariat account."""
    return api_token(app, "secretariat")


@pytest.fixture
def document(client: FlaskClient) -> dict[str, Any]:
    result: dict[str, Any] = client.get("/api/openapi.json").get_json()
    return result


def send(client: FlaskClient, method: str, url: str, body: Any = None, *,
         token: str | None = None, **kwargs: Any) -> TestResponse:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if body is not None:
        kwargs["json"] = body
    return client.open(url, method=method, headers=headers, **kwargs)


def documented(document: dict[str, Any], response: TestResponse, path: str,
               method: str = "post") -> Any:
    """The answer's JSON, after checking it against what the document says of its status."""
    answers = document["paths"][path][method]["responses"]
    assert str(response.status_code) in answers, (path, response.status_code)
    schema = answers[str(response.status_code)]["content"]["application/json"]["schema"]
    data = response.get_json()
    _check(data, schema, document, f"{method} {path} {response.status_code}")
    text = response.get_data(as_text=True)
    for value in [*PLANTED.values(), RESPONSIBLE]:
        assert value not in text, (path, value)
    return data


def _move(body: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    base = {"target": "adopte-assemblee", "on": "2026-11-02", "reason": "vote du 2 novembre",
            "expected_version": 1}
    return {**(body or base), **changes}


# -- tokens -----------------------------------------------------------------------------


def test_a_write_without_a_token_is_challenged(client: FlaskClient, app: Flask,
                                               document: dict[str, Any]) -> None:
    response = send(client, "POST", f"/api/proposals/{DRAFTED}/transitions", _move())
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="kleroterion"'
    data = documented(document, response, "/api/proposals/{ident}/transitions")
    assert "Authorization: Bearer" in data["message"]
    basic = client.post(f"/api/proposals/{DRAFTED}/transitions", json=_move(),
                        headers={"Authorization": "Basic dXNlcjpwYXNzd29yZA=="})
    assert basic.status_code == 401
    assert _state(app, DRAFTED) == ("redige", 1)


def _state(app: Flask, ident: int) -> tuple[str, int]:
    def read(session: Session) -> tuple[str, int]:
        proposal = session.get(Proposal, ident)
        assert proposal is not None
        return proposal.state, proposal.version
    result: tuple[str, int] = _query(database_url(app), read)
    return result


@pytest.mark.parametrize("case", ["unknown", "wrong secret", "revoked", "inactive user",
                                  "malformed"])
def test_a_bad_token_is_refused_with_invalid_token(client: FlaskClient, app: Flask,
                                                   secretariat: str, case: str) -> None:
    token = {"unknown": "klr_00000000_" + "x" * 43,
             "wrong secret": secretariat[:-4] + "AAAA",
             "malformed": "not-a-token",
             "revoked": secretariat, "inactive user": secretariat}[case]
    if case in ("revoked", "inactive user"):
        def disable(session: Session) -> None:
            row = session.scalars(select(ApiToken)).one()
            if case == "revoked":
                users.revoke_token(session, row.id)
            else:
                users.deactivate(session, row.user_id)
        _query(database_url(app), disable)
    response = send(client, "POST", f"/api/proposals/{DRAFTED}/transitions", _move(),
                    token=token)
    assert response.status_code == 401
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="kleroterion", error="invalid_token"')
    assert token not in response.get_data(as_text=True)
    assert _state(app, DRAFTED) == ("redige", 1)


def test_a_read_only_token_is_forbidden(client: FlaskClient, app: Flask,
                                        document: dict[str, Any]) -> None:
    for token in (api_token(app, "read-only"),
                  api_token(app, "administrator", token_role="read-only")):
        response = send(client, "POST", f"/api/proposals/{DRAFTED}/transitions", _move(),
                        token=token)
        assert response.status_code == 403
        assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
        data = documented(document, response, "/api/proposals/{ident}/transitions")
        assert data["message"] == (f"token {token[:12]} acts as read-only; this endpoint "
                                   "needs secretariat or above")
    assert _state(app, DRAFTED) == ("redige", 1)


def test_a_logged_in_browser_cannot_write_through_the_api(client: FlaskClient,
                                                          app: Flask) -> None:
    log_in(client, "administrator")
    token = csrf_token(client, "/admin/")
    for extra in ({}, {"headers": {"X-CSRFToken": token}}):
        response = client.post(f"/api/proposals/{DRAFTED}/transitions",
                               json=_move(), **extra)  # type: ignore[arg-type]
        assert response.status_code == 401
    response = client.post(f"/api/proposals/{DRAFTED}/transitions",
                           data={"csrf_token": token, **_move()})
    assert response.status_code == 401
    assert _state(app, DRAFTED) == ("redige", 1)
    assert client.get("/admin/").status_code == 200  # the cookie itself still works


def test_the_token_records_its_last_use_and_its_user_is_the_audit_actor(
    client: FlaskClient, app: Flask, secretariat: str
) -> None:
    def last_used(session: Session) -> dt.datetime | None:
        return session.scalars(select(ApiToken)).one().last_used_at

    assert _query(database_url(app), last_used) is None
    response = send(client, "POST", f"/api/proposals/{DRAFTED}/transitions", _move(),
                    token=secretariat)
    assert response.status_code == 200
    used = _query(database_url(app), last_used)
    assert used is not None and used >= dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)

    def last_entry(session: Session) -> tuple[str, str, str]:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert entry is not None
        assert audit.verify(session) == []
        return entry.actor, entry.action, entry.data

    actor, action, data = _query(database_url(app), last_entry)
    assert (actor, action) == ("user:secretariat-user", "proposal.move")
    assert secretariat not in data and secretariat[12:] not in data


# -- body checks --------------------------------------------------------------------


def test_only_json_bodies_are_accepted(client: FlaskClient, secretariat: str,
                                       document: dict[str, Any]) -> None:
    url = f"/api/proposals/{DRAFTED}/transitions"
    form = send(client, "POST", url, token=secretariat, data=_move())
    assert form.status_code == 415
    assert "application/x-www-form-urlencoded" in documented(
        document, form, "/api/proposals/{ident}/transitions")["message"]
    text = send(client, "POST", url, token=secretariat, data=json.dumps(_move()),
                content_type="text/plain")
    assert text.status_code == 415
    broken = send(client, "POST", url, token=secretariat, data='{"target": ',
                  content_type="application/json")
    assert broken.status_code == 400
    assert documented(document, broken, "/api/proposals/{ident}/transitions")["message"] == (
        "the body is not valid JSON")


def test_bad_fields_get_422_with_a_message_per_field(client: FlaskClient, app: Flask,
                                                     secretariat: str,
                                                     document: dict[str, Any]) -> None:
    url = f"/api/proposals/{DRAFTED}/transitions"
    response = send(client, "POST", url, {"on": "2026-13-45", "expected_version": "1",
                                          "target": "nowhere", "colour": "red"},
                    token=secretariat)
    assert response.status_code == 422
    data = documented(document, response, "/api/proposals/{ident}/transitions")
    assert data["error"] == "Invalid request body"
    errors = data["errors"]
    assert errors["on"] == ["Not a valid date."]
    assert errors["expected_version"] == ["Not a valid integer."]
    assert errors["target"][0].startswith("Must be one of: ")
    assert "nowhere" not in errors["target"][0] and "adopte-assemblee" in errors["target"][0]
    assert errors["colour"] == ["Unknown field."]
    missing = send(client, "POST", url, {}, token=secretariat).get_json()["errors"]
    assert missing == {name: ["Missing data for required field."]
                       for name in ("target", "on", "expected_version")}
    assert send(client, "POST", url, [1, 2], token=secretariat).get_json()["errors"] == {
        "_schema": ["Invalid input type."]}
    assert _state(app, DRAFTED) == ("redige", 1)


def test_a_bad_query_refuses_the_write_before_any_change(client: FlaskClient, app: Flask,
                                                       secretariat: str) -> None:
    response = send(client, "POST", f"/api/proposals/{DRAFTED}/transitions?lang=de",
                    _move(), token=secretariat)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"lang": ["Must be one of: fr, en."]}
    assert _state(app, DRAFTED) == ("redige", 1)


def test_a_write_endpoint_cannot_be_declared_without_a_role() -> None:
    with pytest.raises(ValueError, match="must declare a role"):
        endpoint("Open to anyone", MilestoneSchema, method="POST", body=MilestoneDoneInput)


_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**12), st.text(max_size=12),
                    st.sampled_from(["2026-11-02", "02/11/2026", "adopte-assemblee", "1"]),
                    st.lists(st.integers(), max_size=2))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.dictionaries(st.sampled_from(["target", "on", "reason", "expected_version",
                                             "extra"]), _VALUES))
def test_any_body_gets_an_answer_the_document_describes(
    client: FlaskClient, secretariat: str, document: dict[str, Any], body: dict[str, Any]
) -> None:
    response = send(client, "POST", f"/api/proposals/{DRAFTED}/transitions", body,
                    token=secretariat)
    assert response.status_code in (200, 409, 422), response.get_data(as_text=True)
    data = documented(document, response, "/api/proposals/{ident}/transitions")
    if response.status_code == 422:
        assert data["errors"] and set(data["errors"]) <= {*body, "target", "on",
                                                          "expected_version", "_schema"}


# -- moving an act -----------------------------------------------------------------------


def test_an_act_moves_along_an_allowed_transition(client: FlaskClient, app: Flask,
                                                  secretariat: str,
                                                  document: dict[str, Any]) -> None:
    response = send(client, "POST", f"/api/proposals/{DRAFTED}/transitions?lang=en", _move(),
                    token=secretariat)
    assert response.status_code == 200
    data = documented(document, response, "/api/proposals/{ident}/transitions")
    assert data["state"] == "adopte-assemblee" and data["version"] == 2
    assert isinstance(data["state_label"], str)  # one language was asked
    assert data["transitions"][-1] == {
        "on": "2026-11-02", "source": "redige", "source_label": data["transitions"][-1][
            "source_label"], "target": "adopte-assemblee",
        "target_label": data["state_label"], "actor": "assembly", "reason": "vote du 2 novembre",
        "reasons": {"fr": "vote du 2 novembre"}}
    assert _state(app, DRAFTED) == ("adopte-assemblee", 2)
    # The public record shows the new version, to be sent back for the next move.
    assert client.get(f"/api/proposals/{DRAFTED}").get_json()["version"] == 2


def test_a_moves_reason_is_written_and_read_in_each_language(
        client: FlaskClient, app: Flask, secretariat: str) -> None:
    reasons = {"fr": "vote du 2 novembre", "en": "vote of 2 November"}
    response = send(client, "POST", f"/api/proposals/{DRAFTED}/transitions?lang=en",
                    _move(reason="", reasons=reasons), token=secretariat)
    assert response.status_code == 200
    step = response.get_json()["transitions"][-1]
    assert step["reason"] == "vote of 2 November" and step["reasons"] == reasons
    french = client.get(f"/api/proposals/{DRAFTED}?lang=fr").get_json()
    assert french["transitions"][-1]["reason"] == "vote du 2 novembre"


def test_a_reason_in_a_language_the_city_does_not_offer_is_refused(
        client: FlaskClient, app: Flask, secretariat: str) -> None:
    response = send(client, "POST", f"/api/proposals/{DRAFTED}/transitions?lang=en",
                    _move(reasons={"nl": "stemming"}), token=secretariat)
    assert response.status_code == 422
    message = response.get_json()["message"]
    assert "'nl' is not a language of this city" in message and "reason" in message
    assert _state(app, DRAFTED) == ("redige", 1)


def test_a_stale_version_or_a_move_the_state_forbids_is_a_conflict(
    client: FlaskClient, app: Flask, secretariat: str, document: dict[str, Any]
) -> None:
    url = f"/api/proposals/{DRAFTED}/transitions"
    stale = send(client, "POST", url, _move(expected_version=7), token=secretariat)
    assert stale.status_code == 409
    assert documented(document, stale, "/api/proposals/{ident}/transitions")["message"] == (
        f"proposal {DRAFTED} was changed by someone else (version 1, you had version 7); "
        "reload it and try again")
    forbidden = send(client, "POST", url, _move(target="adopte"), token=secretariat)
    assert forbidden.status_code == 409
    assert "cannot go from 'redige' to 'adopte'" in forbidden.get_json()["message"]
    assert _state(app, DRAFTED) == ("redige", 1)


def test_a_date_the_rules_refuse_is_shown_under_the_date_field(
    client: FlaskClient, app: Flask, secretariat: str
) -> None:
    response = send(client, "POST", f"/api/proposals/{DRAFTED}/transitions",
                    _move(on="2020-01-01"), token=secretariat)
    assert response.status_code == 422
    data = response.get_json()
    assert data["errors"] == {"on": [data["message"]]}
    assert "2020-01-01" in data["message"]
    assert _state(app, DRAFTED) == ("redige", 1)


@pytest.mark.parametrize("url", [
    "/api/proposals/9999/transitions", "/api/proposals/x1/transitions",
    "/api/proposals/10000000000000000000/transitions", "/api/proposals/%C2%B2/transitions",
    "/api/proposals/9999/responses", "/api/proposals/9999/commitments",
    "/api/commitments/9999", "/api/commitments/9999/milestones", "/api/milestones/9999/done",
    "/api/sessions/9999/attendance",
])
def test_unknown_ids_are_404(client: FlaskClient, secretariat: str, url: str,
                             document: dict[str, Any]) -> None:
    method = "PATCH" if url == "/api/commitments/9999" else "POST"
    bodies = {"transitions": _move(), "responses": {"deadline": "x", "on": "2026-11-02"},
              "commitments": {"title": "t", "department": "d", "on": "2026-11-02"},
              "9999": {"status": "done", "expected_version": 1},
              "milestones": {"title": "t", "due_on": "2026-12-01"},
              "done": {"on": "2026-11-02"},
              "attendance": {"attendance": [{"member": 1, "status": "present"}]}}
    body = bodies[url.rsplit("/", 1)[1]]
    response = send(client, method, url, body, token=secretariat)
    if url.endswith("/responses"):  # Paris sets no deadline: the body is refused first
        assert response.status_code == 422
        return
    assert response.status_code == 404, response.get_json()
    assert response.get_json()["status"] == 404


@pytest.mark.parametrize("ident", ["10000000000000000000", "2147483648", "%C2%B2", "%D9%A1"])
def test_numbers_no_record_can_have_are_404_not_errors(client: FlaskClient, secretariat: str,
                                                      ident: str) -> None:
    urls = [f"/api/proposals/{ident}", f"/api/follow-up/{ident}"]
    if ident.isdigit():  # the pages' int converter reads other digits as numbers too
        urls += [f"/proposals/{ident}", f"/follow-up/{ident}"]
    for url in urls:
        assert client.get(url).status_code == 404, url
    response = send(client, "POST", f"/api/sessions/{ident}/attendance",
                    {"attendance": [{"member": 1, "status": "present"}]}, token=secretariat)
    assert response.status_code == 404
    huge = send(client, "POST", "/api/sessions/1/attendance",
                {"attendance": [{"member": 2**31, "status": "present"}]}, token=secretariat)
    assert huge.get_json()["errors"] == {"attendance.0.member": [
        "Must be greater than or equal to 1 and less than or equal to 2147483647."]}


def test_an_act_of_another_city_is_unknown_here(client: FlaskClient, app: Flask,
                                                secretariat: str) -> None:
    def brussels_act(session: Session) -> int:
        mandate = mandates.open_mandate(session, "brussels", "cycle 2026", dt.date(2026, 1, 1))
        return proposals.create(session, mandate.id, "recommandation", "Des bancs",
                                dt.date(2026, 2, 1)).id

    ident = _query(database_url(app), brussels_act)
    response = send(client, "POST", f"/api/proposals/{ident}/transitions",
                    _move(target="adoptee"), token=secretariat)
    assert response.status_code == 404
    assert response.get_json()["message"] == f"no proposal with id {ident}"


# -- follow-up ----------------------------------------------------------------------------


def test_a_commitment_is_opened_without_returning_who_is_responsible(
    client: FlaskClient, app: Flask, secretariat: str, document: dict[str, Any]
) -> None:
    body = {"title": "Des fontaines dans chaque square", "department": "DEVE",
            "on": "2026-11-20", "due_on": "2027-06-30", "responsible": RESPONSIBLE}
    response = send(client, "POST", f"/api/proposals/{ADOPTED}/commitments", body,
                    token=secretariat)
    assert response.status_code == 201
    data = documented(document, response, "/api/proposals/{ident}/commitments")
    assert {k: data[k] for k in ("proposal", "title", "department", "status", "progress",
                                 "due_on", "responsible_named", "version", "milestones")} == {
        "proposal": ADOPTED, "title": body["title"], "department": "DEVE",
        "status": "planned", "progress": 0, "due_on": "2027-06-30",
        "responsible_named": True, "version": 1, "milestones": []}

    def stored(session: Session) -> str:
        commitment = session.get(Commitment, data["id"])
        assert commitment is not None
        return commitment.responsible

    assert _query(database_url(app), stored) == RESPONSIBLE


def test_commitment_refusals(client: FlaskClient, secretariat: str,
                             document: dict[str, Any]) -> None:
    body = {"title": "Des bancs", "department": "DVD", "on": "2026-11-20"}
    # Paris names a person responsible for each measure: the service says so.
    unnamed = send(client, "POST", f"/api/proposals/{ADOPTED}/commitments", body,
                   token=secretariat)
    assert unnamed.status_code == 422
    assert "names a person responsible" in documented(
        document, unnamed, "/api/proposals/{ident}/commitments")["message"]
    # Commitments follow adopted acts only.
    draft = send(client, "POST", f"/api/proposals/{DRAFTED}/commitments",
                 {**body, "responsible": "X"}, token=secretariat)
    assert draft.status_code == 409
    assert draft.get_json()["message"] == (f"proposal {DRAFTED} is 'redige'; commitments "
                                           "follow an adopted act")
    blank = send(client, "POST", f"/api/proposals/{ADOPTED}/commitments",
                 {**body, "title": ""}, token=secretariat)
    assert blank.status_code == 422
    assert blank.get_json()["message"] == ("a commitment needs a title in 'fr', the city's "
                                           "first language")


def _commitment(app: Flask, ident: int) -> tuple[str, int, int]:
    def read(session: Session) -> tuple[str, int, int]:
        commitment = session.get(Commitment, ident)
        assert commitment is not None
        return commitment.status, commitment.progress, commitment.version
    result: tuple[str, int, int] = _query(database_url(app), read)
    return result


def test_a_commitment_is_updated_with_the_version_read(client: FlaskClient, app: Flask,
                                                       secretariat: str,
                                                       document: dict[str, Any]) -> None:
    journey = client.get(f"/api/follow-up/{ADOPTED}").get_json()
    first = journey["commitments"][0]
    assert first["status"] == "in_progress"
    url = f"/api/commitments/{first['id']}"
    response = send(client, "PATCH", url, {"progress": 80,
                                           "expected_version": first["version"]},
                    token=secretariat)
    assert response.status_code == 200
    data = documented(document, response, "/api/commitments/{ident}", "patch")
    assert (data["progress"], data["version"]) == (80, first["version"] + 1)
    assert data["responsible_named"] is True
    assert [m["done_on"] is not None for m in data["milestones"]] == [True, False]
    stale = send(client, "PATCH", url, {"status": "done",
                                        "expected_version": first["version"]},
                 token=secretariat)
    assert stale.status_code == 409
    assert _commitment(app, first["id"]) == ("in_progress", 80, first["version"] + 1)
    blind = send(client, "PATCH", url, {"status": "done"}, token=secretariat)
    assert blind.status_code == 422  # no version read: it would overwrite blindly
    assert blind.get_json()["errors"] == {"expected_version": ["Missing data for required field."]}
    done = send(client, "PATCH", url, {"status": "done", "expected_version": first["version"] + 1},
                token=secretariat)
    assert done.get_json()["progress"] == 100  # done means fully done
    assert _commitment(app, first["id"]) == ("done", 100, first["version"] + 2)


def test_commitment_updates_are_checked_per_field(client: FlaskClient, app: Flask,
                                                  secretariat: str,
                                                  document: dict[str, Any]) -> None:
    url = "/api/commitments/1"
    cases = [
        ({}, {"expected_version": ["Missing data for required field."]}),
        ({"expected_version": 3}, {"_schema": ["give at least one of status, progress, "
                                               "due_on, titles, departments"]}),
        ({"progress": 101}, {"progress": ["Must be greater than or equal to 0 and less than "
                                          "or equal to 100."]}),
        ({"progress": "50"}, {"progress": ["Not a valid integer."]}),
        ({"status": "finished"}, {"status": [
            "Must be one of: planned, in_progress, done, abandoned."]}),
        ({"responsible": RESPONSIBLE}, {"responsible": ["Unknown field."]}),
    ]
    for body, errors in cases:
        if body:
            body = {"expected_version": 1, **body}
        response = send(client, "PATCH", url, body, token=secretariat)
        assert response.status_code == 422, body
        assert documented(document, response, "/api/commitments/{ident}",
                          "patch")["errors"] == errors
    early = send(client, "PATCH", url, {"due_on": "2020-01-01",
                                        "expected_version": _commitment(app, 1)[2]},
                 token=secretariat)
    assert early.status_code == 422 and "is before the commitment" in early.get_json()["message"]


def test_milestones_are_added_and_marked_done(client: FlaskClient, app: Flask,
                                              secretariat: str,
                                              document: dict[str, Any]) -> None:
    added = send(client, "POST", "/api/commitments/3/milestones",
                 {"title": "Appel d'offres", "due_on": "2027-01-15"}, token=secretariat)
    assert added.status_code == 201
    milestone = documented(document, added, "/api/commitments/{ident}/milestones")
    assert {k: milestone[k] for k in ("commitment", "title", "due_on", "done_on")} == {
        "commitment": 3, "title": "Appel d'offres", "due_on": "2027-01-15", "done_on": None}
    url = f"/api/milestones/{milestone['id']}/done"
    done = send(client, "POST", url, {"on": "2026-11-22"}, token=secretariat)
    assert done.status_code == 200
    assert documented(document, done, "/api/milestones/{ident}/done")["done_on"] == "2026-11-22"
    again = send(client, "POST", url, {"on": "2026-11-23"}, token=secretariat)
    assert again.status_code == 409
    assert again.get_json()["message"] == (f"milestone {milestone['id']} was already done on "
                                           "2026-11-22")

    def read(session: Session) -> dt.date | None:
        row = session.get(Milestone, milestone["id"])
        assert row is not None
        return row.done_on

    assert _query(database_url(app), read) == dt.date(2026, 11, 22)
    early = send(client, "POST", "/api/commitments/3/milestones",
                 {"title": "Trop tôt", "due_on": "2020-01-01"}, token=secretariat)
    assert early.status_code == 422
    assert list(early.get_json()["errors"]) == ["due_on"]
    missing = send(client, "POST", "/api/commitments/3/milestones", {"title": "x"},
                   token=secretariat)
    assert missing.get_json()["errors"] == {"due_on": ["Missing data for required field."]}


def test_paris_sets_no_response_deadline(client: FlaskClient, secretariat: str) -> None:
    response = send(client, "POST", f"/api/proposals/{ADOPTED}/responses",
                    {"deadline": "premiere-reponse", "on": "2026-11-02"}, token=secretariat)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "deadline": ["City of Paris sets no response deadline."]}


@pytest.fixture
def brussels(instance: Path, tmp_path: Path) -> Iterator[tuple[Flask, int]]:
    """A Brussels app and one recommendation sent to the government on 2026-03-01."""
    url = f"sqlite:///{tmp_path}/brussels.sqlite3"
    application = create_app("brussels", {"TESTING": True, "SECRET_KEY": "test",
                                          "KLEROTERION_DATABASE_URL": url,
                                          "KLEROTERION_TODAY": TODAY})
    add_user(application, "secretariat")

    def act(session: Session) -> int:
        mandate = mandates.open_mandate(session, "brussels", "cycle 2026", dt.date(2026, 1, 1))
        ident = proposals.create(session, mandate.id, "recommandation", "Des bancs",
                                 dt.date(2026, 2, 1)).id
        proposals.move(session, ident, "adoptee", dt.date(2026, 2, 15))
        proposals.move(session, ident, "transmise", dt.date(2026, 3, 1))
        return ident

    yield application, _query(url, act)


def test_an_answer_to_a_deadline_is_recorded_once(brussels: tuple[Flask, int]) -> None:
    app, ident = brussels
    client = app.test_client()
    document = client.get("/api/openapi.json").get_json()
    token = api_token(app, "secretariat")
    url = f"/api/proposals/{ident}/responses"
    response = send(client, "POST", url + "?lang=nl",
                    {"deadline": "premiere-reponse", "on": "2026-05-20",
                     "summary": "Le gouvernement étudie la proposition."}, token=token)
    assert response.status_code == 201
    data = documented(document, response, "/api/proposals/{ident}/responses")
    assert data == {"proposal": ident, "deadlines": [
        {"key": "premiere-reponse", "label": "Eerste antwoord", "by": "government",
         "due_on": "2026-06-01", "answered_on": "2026-05-20", "overdue": False},
        {"key": "reponse-finale", "label": "Definitief antwoord en evaluatie",
         "by": "government", "due_on": "2027-03-01", "answered_on": None, "overdue": False}]}
    again = send(client, "POST", url, {"deadline": "premiere-reponse", "on": "2026-05-21"},
                 token=token)
    assert again.status_code == 409 and "already recorded" in again.get_json()["message"]
    early = send(client, "POST", url, {"deadline": "reponse-finale", "on": "2026-02-01"},
                 token=token)
    assert early.status_code == 422
    assert early.get_json()["errors"] == {"on": [
        "the answer date 2026-02-01 is before the act was sent (2026-03-01)"]}
    unknown = send(client, "POST", url, {"deadline": "plus-tard", "on": "2026-05-21"},
                   token=token)
    assert unknown.get_json()["errors"] == {"deadline": [
        "Must be one of: premiere-reponse, reponse-finale."]}


# -- attendance -----------------------------------------------------------------------


def _seated(app: Flask) -> tuple[int, list[int], dict[int, str]]:
    """The first session, its seated members, and the attendance recorded for it."""
    def read(session: Session) -> tuple[int, list[int], dict[int, str]]:
        meeting = session.scalars(select(AssemblySession).order_by(AssemblySession.id)).first()
        assert meeting is not None
        seated = [m.id for m in members.list_members(session, meeting.mandate_id)
                  if members.sits_on(m, meeting.held_on)]
        recorded = {row.member_id: row.status for row in session.scalars(
            select(Attendance).where(Attendance.session_id == meeting.id))}
        return meeting.id, seated, recorded
    result: tuple[int, list[int], dict[int, str]] = _query(database_url(app), read)
    return result


def test_attendance_is_recorded_all_together(client: FlaskClient, app: Flask,
                                             secretariat: str,
                                             document: dict[str, Any]) -> None:
    meeting, seated, before = _seated(app)
    lines = [{"member": seated[0], "status": "excused"}, {"member": seated[1], "status": "absent"}]
    response = send(client, "POST", f"/api/sessions/{meeting}/attendance",
                    {"attendance": lines}, token=secretariat)
    assert response.status_code == 200
    data = documented(document, response, "/api/sessions/{ident}/attendance")
    after = {**before, seated[0]: "excused", seated[1]: "absent"}
    assert data == {"session": meeting, "held_on": data["held_on"], "recorded": 2,
                    **{s: sum(1 for v in after.values() if v == s)
                       for s in ("present", "excused", "absent")}}
    assert _seated(app)[2] == after


def test_one_refused_line_records_no_attendance(client: FlaskClient, app: Flask,
                                                secretariat: str,
                                                document: dict[str, Any]) -> None:
    meeting, seated, before = _seated(app)

    def outsider(session: Session) -> int:
        # A member of the mandate seated after the session's day (a replacement).
        held_on = session.get(AssemblySession, meeting).held_on  # type: ignore[union-attr]
        found = session.scalar(select(Member.id).where(Member.seated_on > held_on))
        assert found is not None
        return int(found)

    url = f"/api/sessions/{meeting}/attendance"
    unknown = send(client, "POST", url, {"attendance": [
        {"member": seated[0], "status": "absent"}, {"member": 99999, "status": "present"}]},
        token=secretariat)
    assert unknown.status_code == 422
    data = documented(document, unknown, "/api/sessions/{ident}/attendance")
    assert data["errors"] == {"attendance.1.member": ["member 99999 is not a member of "
                                                      "mandate 1"]}
    assert data["message"].startswith("line 1: ")
    assert _seated(app)[2] == before
    late = _query(database_url(app), outsider)
    refused = send(client, "POST", url, {"attendance": [
        {"member": seated[0], "status": "absent"}, {"member": late, "status": "present"}]},
        token=secretariat)
    assert refused.status_code == 409
    assert f"member {late} did not sit on" in refused.get_json()["message"]
    assert _seated(app)[2] == before
    bad = send(client, "POST", url, {"attendance": [
        {"member": seated[0], "status": "late"}, {"member": seated[0], "status": "absent"}]},
        token=secretariat)
    assert bad.get_json()["errors"] == {
        "attendance.0.status": ["Must be one of: present, excused, absent."],
        "attendance.1.member": [f"member {seated[0]} is already on line 0"]}
    empty = send(client, "POST", url, {"attendance": []}, token=secretariat)
    assert empty.get_json()["errors"] == {"attendance": ["Length must be between 1 and 1000."]}
    assert _seated(app)[2] == before


# -- the whole API against its own document ---------------------------------------------

#: Path values of records the demo holds, so that generated requests reach the rules
#: (a random number is a 404 before anything else).
KNOWN = {"/api/proposals/{ident}": str(ADOPTED), "/api/follow-up/{ident}": str(ADOPTED),
         "/api/proposals/{ident}/transitions": str(DRAFTED),
         "/api/proposals/{ident}/responses": str(ADOPTED),
         "/api/proposals/{ident}/commitments": str(ADOPTED),
         "/api/commitments/{ident}": "1", "/api/commitments/{ident}/milestones": "1",
         "/api/milestones/{ident}/done": "2", "/api/sessions/{ident}/attendance": "1",
         "/api/subjects/{ident}": "1"}


def _exercise(operation: Any, mode: GenerationMode, token: str,
              statuses: dict[str, set[int]]) -> None:
    """Send generated requests of one operation; check each answer against the document."""
    known = KNOWN.get(operation.path)

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=6, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def call(case: Any) -> None:
        if mode is GenerationMode.POSITIVE and known is not None:
            case.path_parameters = {"ident": known}
        if mode is GenerationMode.POSITIVE and "{kind}" in operation.path:
            case.path_parameters = {"kind": "voeu"}
        # A body of the right shape may still be refused by the rules (a date outside
        # the mandate, a move the state forbids): 409/422 with a sentence, as documented.
        response = case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                                          excluded_checks=[positive_data_acceptance])
        statuses.setdefault(operation.label, set()).add(response.status_code)
        for value in [*PLANTED.values(), RESPONSIBLE]:
            assert value not in response.text

    call()


def test_schemathesis_finds_every_answer_as_documented(app: Flask, secretariat: str) -> None:
    """Requests generated from /api/openapi.json, valid ones and broken ones: no 500, and
    every answer's status, headers and body as the document describes them."""
    # A broken body may be refused for its size (413, documented) before it is read.
    config = SchemathesisConfig.from_dict({"checks": {"negative_data_rejection": {
        "expected-statuses": [*NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES, "413"]}}})
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app, config=config)
    statuses: dict[str, set[int]] = {}
    for found in schema.get_all_operations():
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _exercise(found.ok(), mode, secretariat, statuses)
    document = app.test_client().get("/api/openapi.json").get_json()
    operations = {f"{method.upper()} {path}" for path, ops in document["paths"].items()
                  for method in ops}
    # Every operation was called, but the document itself (schemathesis leaves it out).
    assert set(statuses) == operations - {"GET /api/openapi.json"}
    writes = {label: codes for label, codes in statuses.items()
              if not label.startswith("GET ")}
    assert all(codes - {401, 404} for codes in writes.values()), writes  # the rules answered
