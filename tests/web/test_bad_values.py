"""Ordinary bad values are the sender's mistake, answered 4xx: never a 500, never a huge echo.

Every write endpoint of the API is walked with a NUL character and a lone UTF-16
surrogate in each of its string fields, a body nested 100,000 deep, ``NaN`` and a number
that overflows a float; a back-office form with a NUL; an upload named ``..`` or with
a 300-character name; a refused line of 1 MB (echoed as a short excerpt); an
anonymous 200 MB POST (refused from its length, before it is read); and a member id
of 400 digits in an attendance sheet and in a record's address.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kleroterion.models import (
    AssemblySession,
    Commitment,
    Mandate,
    Milestone,
    ProposalResponse,
    Subject,
)
from kleroterion.services import sessions
from kleroterion.services.errors import InvalidInput, NotFound
from kleroterion.web.api import ENDPOINTS
from kleroterion.web.database import database_url
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import test_api_writes
from .test_access import csrf_token, log_in
from .test_api_writes import ADOPTED, DRAFTED
from .test_public_records import _query

#: The demo mandate of Paris copied for each test, and a secretariat's API token.
database = test_api_writes.database
template = test_api_writes.template
app = test_api_writes.app
secretariat = test_api_writes.secretariat

#: A valid body of each write endpoint; the walk spoils one field at a time.
BODIES: dict[str, dict[str, Any]] = {
    "move_proposal": {"target": "adopte-assemblee", "on": "2026-11-02", "reason": "vote",
                      "expected_version": 1},
    "record_response": {"deadline": "x", "on": "2026-11-02", "summary": "réponse"},
    "record_answer": {"kind": "yearly", "on": "2026-11-02", "summary": "réponse",
                      "text": {"fr": "texte"}},
    "add_commitment": {"title": "Titre", "department": "Voirie", "on": "2026-11-02",
                       "responsible": "Quelqu'un"},
    "update_commitment": {"status": "in_progress", "progress": 10},
    "add_milestone": {"title": "Étape", "due_on": "2026-12-02"},
    "complete_milestone": {"on": "2026-11-02"},
    "record_attendance": {"attendance": [{"member": 1, "status": "present"}]},
    "edit_subject": {"title": {"fr": "Titre"}, "origin": "assembly"},
    "delete_subject": {},
    "edit_session_texts": {"place": {"fr": "Salle 2", "en": "Room 2"}},
    "create_proposal": {"kind": "voeu", "on": "2026-11-02", "title": "Titre",
                        "titles": {"en": "Title"}},
    "edit_proposal_texts": {"titles": {"fr": "Titre", "en": "Title"}, "expected_version": 1},
    "edit_answer": {"summary": "réponse", "summaries": {"en": "answer"},
                    "text": {"fr": "texte"}, "expected_revision": "x"},
}
BAD_TEXTS = {"NUL": "avant\x00après", "surrogate": "avant\ud800après"}
STRING_FIELDS = {"move_proposal": ["target", "reason"], "record_response": ["deadline",
                                                                            "summary"],
                 "record_answer": ["kind", "summary"],
                 "add_commitment": ["title", "department", "responsible"],
                 "update_commitment": ["status"], "add_milestone": ["title"],
                 "complete_milestone": ["on"], "record_attendance": [],
                 "edit_subject": ["origin"], "delete_subject": [],
                 "edit_session_texts": [], "create_proposal": ["kind", "title", "tabled_by"],
                 "edit_proposal_texts": ["tabled_by"],
                 "edit_answer": ["summary", "expected_revision", "verdict"]}


def _urls(app: Flask) -> dict[str, tuple[str, str]]:
    """The method and a URL of an existing record, of every write endpoint."""
    def ids(session: Session) -> dict[str, int]:
        return {"commitment": session.scalars(select(Commitment.id)).first() or 1,
                "milestone": session.scalars(select(Milestone.id)).first() or 1,
                "session": session.scalars(select(AssemblySession.id)).first() or 1,
                "subject": session.scalars(select(Subject.id)).first() or 1,
                "mandate": session.scalars(select(Mandate.id)).first() or 1,
                "answer": session.scalars(select(ProposalResponse.id)).first() or 1}
    found: dict[str, int] = _query(database_url(app), ids)
    paths = {"move_proposal": f"/api/proposals/{DRAFTED}/transitions",
             "record_response": f"/api/proposals/{ADOPTED}/responses",
             "record_answer": f"/api/proposals/{ADOPTED}/answers",
             "add_commitment": f"/api/proposals/{ADOPTED}/commitments",
             "update_commitment": f"/api/commitments/{found['commitment']}",
             "add_milestone": f"/api/commitments/{found['commitment']}/milestones",
             "complete_milestone": f"/api/milestones/{found['milestone']}/done",
             "record_attendance": f"/api/sessions/{found['session']}/attendance",
             "edit_subject": f"/api/subjects/{found['subject']}",
             # A DELETE reads no body: the walk's bodies go to a subject that does not
             # exist, so each answer is the 404 and nothing is deleted on the way.
             "delete_subject": "/api/subjects/987654",
             "edit_session_texts": f"/api/sessions/{found['session']}",
             "create_proposal": f"/api/promotions/{found['mandate']}/proposals",
             "edit_proposal_texts": f"/api/proposals/{DRAFTED}/texts",
             "edit_answer": f"/api/answers/{found['answer']}"}
    methods = {name.split(".")[-1]: declared.method for name, declared in ENDPOINTS.items()}
    return {name: (methods[name], url) for name, url in paths.items()}


def _raw(client: FlaskClient, method: str, url: str, text: str, token: str) -> Any:
    return client.open(url, method=method, data=text.encode("utf-8", "surrogatepass"),
                       content_type="application/json",
                       headers={"Authorization": f"Bearer {token}"})


def test_the_walk_covers_every_write_endpoint(app: Flask) -> None:
    writes = {name.split(".")[-1] for name, declared in ENDPOINTS.items()
              if declared.method != "GET"}
    assert writes == set(BODIES) == set(_urls(app))


def test_every_write_endpoint_answers_bad_values_with_a_4xx(app: Flask,
                                                          secretariat: str) -> None:
    client = app.test_client()
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash is a 500 here, not an exception
    for name, (method, url) in _urls(app).items():
        bodies: list[tuple[str, str]] = []
        for field in STRING_FIELDS[name]:
            for label, bad in BAD_TEXTS.items():
                bodies.append((f"{field} {label}",
                               json.dumps({**BODIES[name], field: bad})))
        bodies.append(("key NUL", json.dumps({**BODIES[name], "x\x00": 1})))
        if name == "record_attendance":
            bodies.append(("line status NUL", json.dumps(
                {"attendance": [{"member": 1, "status": "present\x00"}]})))
        bodies.append(("deep", '{"x": ' + "[" * 100_000 + "]" * 100_000 + "}"))
        bodies.append(("NaN", json.dumps({**BODIES[name], "progress": "X"}).replace(
            '"X"', "NaN")))
        bodies.append(("overflow", json.dumps({**BODIES[name], "progress": "X"}).replace(
            '"X"', "1e400")))
        bodies.append(("big integer", json.dumps({**BODIES[name], "expected_version": 10**40,
                                                  "progress": 10**40})))
        raw = {label: text.encode("utf-8", "surrogatepass") for label, text in bodies}
        for field in STRING_FIELDS[name]:  # a surrogate as raw bytes, not escaped
            raw[f"{field} raw surrogate"] = json.dumps(
                {**BODIES[name], field: "avant\ud800après"}, ensure_ascii=False
            ).encode("utf-8", "surrogatepass")
        for label, data in raw.items():
            response = client.open(url, method=method, data=data,
                                   content_type="application/json",
                                   headers={"Authorization": f"Bearer {secretariat}"})
            assert 400 <= response.status_code < 500, (name, label, response.status_code)
            data = response.get_json()
            assert data is not None and data["status"] == response.status_code


def test_a_bad_value_sent_to_no_endpoint_is_a_404(app: Flask, secretariat: str) -> None:
    client = app.test_client()
    app.config["PROPAGATE_EXCEPTIONS"] = False
    for url in ("/api/nothing-here?q=a%00b", "/nothing-here?q=a%00b"):
        response = _raw(client, "POST", url, '{"x": "a\\u0000b"}', secretariat)
        assert response.status_code in (404, 405), url


def test_a_nul_in_a_back_office_form_is_a_400_page(app: Flask) -> None:
    client = app.test_client()
    log_in(client, "secretariat")
    response = client.post("/admin/respondents", data={
        "csrf_token": csrf_token(client, "/admin/respondents"), "seat_group": "a\x00b"})
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


@pytest.mark.parametrize("filename", ["..", "../../etc/passwd", "x" * 300 + ".csv", "."])
def test_an_upload_whatever_its_name_is_read_not_a_500(app: Flask, filename: str) -> None:
    client = app.test_client()
    log_in(client, "secretariat")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    page = client.get("/admin/respondents").get_data(as_text=True)
    group = page.split('name="seat_group"')[1].split('value="')[1].split('"')[0]
    response = client.post("/admin/respondents", data={
        "csrf_token": csrf_token(client, "/admin/respondents"), "seat_group": group,
        "upload": (io.BytesIO(b"id;x\n1;2\n"), filename)}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "x" * 101 not in response.get_data(as_text=True)


def test_a_refused_line_is_echoed_as_a_short_excerpt(app: Flask) -> None:
    client = app.test_client()
    log_in(client, "secretariat")
    page = client.get("/admin/respondents").get_data(as_text=True)
    group = page.split('name="seat_group"')[1].split('value="')[1].split('"')[0]
    long_line = "<b>" + "y" * 400_000  # under the 500 KB a test request spools to a file
    content = f"id,unknown\n1,{long_line}\n".encode()
    response = client.post("/admin/respondents", data={
        "csrf_token": csrf_token(client, "/admin/respondents"), "seat_group": group,
        "upload": (io.BytesIO(content), "r.csv")}, content_type="multipart/form-data")
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert len(text) < 100_000 and "<b>yyy" not in text and "&lt;b&gt;yyy" in text


class _Unread(io.BytesIO):
    """A body that fails the test if the application reads it."""

    def read(self, *args: Any) -> bytes:
        raise AssertionError("the oversized body was read")

    readline = read


def test_an_oversized_post_is_refused_before_it_is_read(app: Flask, secretariat: str) -> None:
    client = app.test_client()
    length = str(200 * 1024 * 1024)
    for url, headers in (("/admin/login", {}),
                         (f"/api/proposals/{DRAFTED}/transitions",
                          {"Authorization": f"Bearer {secretariat}"})):
        response = client.post(url, headers=headers, content_type="application/json",
                               input_stream=_Unread(),
                               environ_overrides={"CONTENT_LENGTH": length})
        assert response.status_code == 413, url
    # An anonymous visitor's POST is small: 100 KB is already too much.
    response = client.post("/admin/login", data={"username": "x" * 100_000, "password": "y"})
    assert response.status_code == 413


def test_a_400_digit_member_id_is_a_located_error(app: Flask, tmp_path: Path) -> None:
    sheet = tmp_path / "presences.csv"
    sheet.write_text("member,status\n" + "9" * 400 + ",present\n", encoding="utf-8")

    def attempt(session: Session) -> None:
        meeting = session.scalars(select(AssemblySession.id)).first()
        with pytest.raises(InvalidInput, match=r"line 2, column 1 \('member'\)") as refused:
            sessions.import_attendance(session, meeting, sheet)
        assert len(str(refused.value)) < 200
        with pytest.raises(InvalidInput, match="is not a member of mandate"):
            sessions.record_attendance(session, meeting, 10**400, "present")
        with pytest.raises(NotFound):
            sessions.record_attendance(session, 10**400, 1, "present")

    _query(database_url(app), attempt)


def test_numbers_that_overflow_their_column_are_refused_before_the_database(
        app: Flask) -> None:
    from decimal import Decimal

    from kleroterion.models import ExtraClaim
    from kleroterion.services.values import column_problem
    from kleroterion.web.forms import StartDrawForm
    from werkzeug.datastructures import MultiDict

    def attempt(session: Session) -> None:
        mandate = session.scalars(select(AssemblySession.mandate_id)).first()
        with pytest.raises(InvalidInput, match="duration is too large"):
            sessions.add_session(session, mandate, "pleniere", dt.date(2026, 12, 1),
                                 duration=Decimal("1e20"))

    # What claim_extra checks (Paris reimburses no extra cost to claim one here).
    assert column_problem(ExtraClaim, "amount", Decimal("1e15")) is not None
    assert column_problem(ExtraClaim, "amount", Decimal("9999999999.99")) is None
    assert column_problem(ExtraClaim, "amount", Decimal("9999999999.995")) is not None

    _query(database_url(app), attempt)
    with app.test_request_context():
        for text in ("1e400", "inf", "100000"):
            form = StartDrawForm(formdata=MultiDict({"algorithm": "x", "time_limit": text}),
                                 meta={"csrf": False})
            form.algorithm.choices = [("x", "x")]
            assert not form.validate() and form.time_limit.errors, text
