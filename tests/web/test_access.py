"""Who may reach what: every route of the URL map, walked as each role.

``ACCESS`` declares the least role each endpoint needs; a route missing from it
fails the first test, so nobody adds a page without saying who may see it. The walk
requests every route as anonymous, read-only, secretariat and administrator and
checks the answer against the declaration. A GET that is allowed must answer 200;
another method (a form's POST, sent with a valid CSRF token and no fields) must
not be refused (it may re-render the form with its messages).

API writes authenticate with a bearer token, never with the session cookie. The
walk sends each of them twice: first with the logged-in cookie and a valid CSRF
token alone, which must be refused (401) whatever the role; then with an
``Authorization: Bearer`` token issued to the role's account, which is judged
against ``ACCESS`` like any other route (allowed: a form body is not JSON, so the
answer is 415, not a refusal).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kleroterion.db import make_engine, make_sessionmaker, session_scope, upgrade
from kleroterion.models import User
from kleroterion.services import users
from kleroterion.web.api import ENDPOINTS
from kleroterion.web.database import database_url
from sqlalchemy import select
from werkzeug.routing import Rule

from .conftest import CITIES

ROLES = ("anonymous", "read-only", "secretariat", "administrator")
LEVEL = {"public": 0, "read-only": 1, "secretariat": 2, "administrator": 3}
ROLE_LEVEL = {"anonymous": 0, "read-only": 1, "secretariat": 2, "administrator": 3}

#: The least role each endpoint needs.
ACCESS: dict[str, str] = {
    "static": "public",
    "public.healthz": "public",
    "public.home": "public",
    "public.sessions_page": "public",
    "public.sessions_calendar": "public",
    "public.panel": "public",
    "public.powers": "public",
    "public.power": "public",
    "public.indemnity": "public",
    "public.accountability": "public",
    "api.city": "public",
    "api.composition": "public",
    "api.bodies": "public",
    "api.mandate": "public",
    "api.proposal_kinds": "public",
    "api.proposal_kind": "public",
    "api.indemnity": "public",
    "api.accountability": "public",
    "api.openapi": "public",
    "records.draw_page": "public",
    "records.proposals_page": "public",
    "records.proposal_page": "public",
    "records.follow_up_page": "public",
    "records.follow_up_item": "public",
    "observatory.indicators_page": "public",
    "comparison.comparison_page": "public",
    "records.follow_up_report": "public",
    "records.report_page": "public",
    "records.promotions_page": "public",
    "records.promotion_page": "public",
    "records.subjects_page": "public",
    "records.subject_page": "public",
    "api.subjects_list": "public",
    "api.subject": "public",
    "api.workshops_list": "public",
    "api.edit_subject": "secretariat",
    "api.delete_subject": "secretariat",
    "admin_subjects.subjects_page": "read-only",
    "admin_subjects.subject_page": "read-only",
    "admin_subjects.save_subject": "secretariat",
    "admin_subjects.delete_subject": "secretariat",
    "records.attachment_download": "public",
    "api.promotions_list": "public",
    "api.sessions_list": "public",
    "api.draws": "public",
    "api.audit_head": "public",
    "anchor.page": "public",
    "api.proposals_list": "public",
    "api.proposal": "public",
    "api.follow_up": "public",
    "api.follow_up_item": "public",
    "api.open_data_indicators": "public",
    "api.open_data_configuration": "public",
    "auth.login": "public",
    # The operator's metrics: the loopback (the test client) or a token, no account
    # (tests/web/test_observability.py refuses other clients).
    "metrics": "public",
    "auth.logout": "public",  # harmless when nobody is logged in
    "backoffice.dashboard": "read-only",
    "backoffice.proposal_page": "read-only",
    "backoffice.move_proposal": "secretariat",
    "backoffice.attendance": "read-only",
    "backoffice.save_attendance": "secretariat",
    "backoffice.sign_in_sheet": "secretariat",
    "backoffice.attendance_template": "secretariat",
    "backoffice.import_attendance_sheet": "secretariat",
    "backoffice.indemnity_statements": "read-only",
    "backoffice.indemnity_csv": "secretariat",
    "backoffice.indemnity_xlsx": "secretariat",
    "backoffice.respondents": "secretariat",
    "backoffice.import_respondents": "secretariat",
    "backoffice.respondents_template": "secretariat",
    "records.lottery_download": "public",
    # The source the instance runs (AGPL-3.0 section 13): anyone may download it.
    "source.download": "public",
    "panel_draw.page": "read-only",
    "panel_draw.status": "read-only",
    "panel_draw.download": "read-only",
    "panel_draw.start": "secretariat",
    "panel_draw.choose": "secretariat",
    # Letters and reports made by a worker (letters' files: secretariat only, in the view).
    "exports.index": "read-only",
    "exports.page": "read-only",
    "exports.download": "read-only",
    "exports.start_letters": "secretariat",
    "exports.start_report": "secretariat",
    "replacement_draw.page": "read-only",
    "replacement_draw.status": "read-only",
    "replacement_draw.download": "read-only",
    "replacement_draw.start": "secretariat",
    "replacement_draw.choose": "secretariat",
    "backoffice_followup.page": "read-only",
    "backoffice_followup.record_response": "secretariat",
    "backoffice_followup.add_commitment": "secretariat",
    "backoffice_followup.update_commitment": "secretariat",
    "backoffice_followup.add_milestone": "secretariat",
    "backoffice_followup.complete_milestone": "secretariat",
    "backoffice_followup.rename_milestone": "secretariat",
    # Correcting a recorded answer: the form too is the secretariat's.
    "admin_answer_edits.answer_page": "secretariat",
    "admin_answer_edits.edit_answer": "secretariat",
    "backoffice.members_page": "read-only",
    "backoffice.member_page": "read-only",
    "backoffice.give_public_name": "secretariat",
    "backoffice.withdraw_public_name": "secretariat",
    "backoffice.set_bank_details": "secretariat",
    # API writes: the role of the bearer token (see the module's docstring).
    "api.move_proposal": "secretariat",
    "api.record_response": "secretariat",
    "api.record_answer": "secretariat",
    "api.edit_answer": "secretariat",
    "api.add_commitment": "secretariat",
    "api.update_commitment": "secretariat",
    "api.add_milestone": "secretariat",
    "api.complete_milestone": "secretariat",
    "api.record_attendance": "secretariat",
    "api.edit_session_texts": "secretariat",
    "api.create_proposal": "secretariat",
    "api.edit_proposal_texts": "secretariat",
    "admin_sessions.texts_page": "read-only",
    "admin_sessions.save_texts": "secretariat",
    "admin_sessions.add_guest": "secretariat",
    "admin_sessions.edit_guest": "secretariat",
    "admin_sessions.remove_guest": "secretariat",
    "admin_events.events_page": "read-only",
    "admin_events.new_event": "secretariat",
    "admin_events.event_page": "read-only",
    "admin_events.save_event": "secretariat",
    "admin_events.delete_event": "secretariat",
    # Answers to the invitation letters: the public page, the secretariat's desk.
    "answer.answer_page": "public",
    "answers_admin.answers_desk": "secretariat",
    # The lifecycle pages of the back office (issue 12).
    "admin_draws.draws_page": "read-only",
    "admin_draws.finalize": "secretariat",
    "admin_acts.acts_page": "read-only",
    "admin_acts.new_act": "secretariat",
    "admin_acts.texts_page": "read-only",
    "admin_acts.save_texts": "secretariat",
    "admin_sessions.sessions_page": "read-only",
    "admin_sessions.new_session": "secretariat",
    "admin_mandates.mandates_page": "read-only",
    "admin_mandates.new_mandate": "secretariat",
    "admin_mandates.close_mandate": "secretariat",
    "admin_mandates.edit_mandate": "secretariat",
    "admin_mandates.save_mandate": "secretariat",
    "admin_members.confirm_page": "secretariat",
    "admin_members.confirm_members": "secretariat",
    "admin_members.seat_page": "read-only",
    "admin_members.withdraw": "secretariat",
    "admin_members.replace": "secretariat",
    "admin_bodies.bodies_page": "read-only",
    "admin_bodies.body_page": "read-only",
    "admin_bodies.join": "secretariat",
    "admin_bodies.draw": "secretariat",
    "admin_bodies.appoint": "secretariat",
    "admin_bodies.leave": "secretariat",
    "admin_privacy.privacy_page": "secretariat",
    "admin_privacy.purge": "secretariat",
    "admin_quotas.quotas_page": "read-only",
    "admin_quotas.group_page": "read-only",
    "admin_quotas.save": "secretariat",
    "admin_quotas.reset": "secretariat",
    "admin_quotas.relax": "secretariat",
    "admin_accounts.accounts_page": "administrator",
    "admin_accounts.new_account": "administrator",
    "admin_accounts.account_page": "administrator",
    "admin_accounts.set_role": "administrator",
    "admin_accounts.deactivate": "administrator",
    "admin_accounts.issue_token": "administrator",
    "admin_accounts.revoke_token": "administrator",
}


def token_endpoints() -> set[str]:
    """Endpoints authenticated by a bearer token rather than the session cookie (read once
    an app exists: building one adds the write endpoints to the API)."""
    return {name for name, declared in ENDPOINTS.items() if declared.role is not None}

#: Endpoints after which the walk must log in again.
LOGS_OUT = {"auth.logout"}

PASSWORD = "a long enough password"
_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')

#: Values for the URL variables of the routes, so that every route can be built.
SAMPLE_VALUES = {"filename": "site.css", "kind": "deliberation", "ident": 1, "year": 2026,
                 "fmt": "md", "proposal_id": 1, "target": "adopted", "session_id": 1,
                 "draw_id": 1, "group_key": "panel",
                 "deadline_key": "premiere-reponse", "commitment_id": 1, "milestone_id": 1,
                 "member_id": 1, "file_id": 1, "export_id": 1,
                 "mandate_id": 1, "key": "groupe-propositions",
                 "seat_id": 1, "user_id": 1, "subject_id": 1, "guest_id": 1, "event_id": 1,
                 "answer_id": 1,
                 "token_id": 999_999}  # not the walk's own bearer token

#: Routes of one record of the database: without that record (an empty database) they
#: answer 404, which the walk accepts for anonymous visitors.
NEEDS_A_RECORD = {"records.proposal_page", "records.follow_up_item", "records.follow_up_report",
                  "records.report_page", "records.promotion_page", "records.subject_page",
                  "api.subject",
                  "records.attachment_download", "api.record_answer", "api.edit_answer",
                  "admin_answer_edits.answer_page",
                  "api.proposal", "api.follow_up_item",
                  "backoffice.proposal_page", "backoffice.attendance",
                  "backoffice.sign_in_sheet", "backoffice.attendance_template",
                  "backoffice.respondents_template",
                  "backoffice.indemnity_csv", "records.lottery_download", "panel_draw.page",
                  "panel_draw.status", "panel_draw.download", "backoffice_followup.page",
                  "replacement_draw.page", "replacement_draw.status",
                  "replacement_draw.download",
                  "backoffice.member_page",
                  "backoffice.give_public_name", "backoffice.withdraw_public_name",
                  "backoffice.set_bank_details",
                  "exports.page", "exports.download",
                  "admin_members.seat_page", "admin_bodies.body_page", "admin_acts.texts_page",
                  "admin_sessions.texts_page", "admin_events.event_page",
                  "admin_mandates.edit_mandate", "admin_quotas.group_page",
                  "admin_subjects.subject_page",
                  # Only the running version's file name exists (the sample name does not).
                  "source.download"}


def _urls(app: Flask) -> Iterator[tuple[Rule, str]]:
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        for rule in app.url_map.iter_rules():
            values = {name: SAMPLE_VALUES[name] for name in rule.arguments}
            yield rule, adapter.build(rule.endpoint, values)


def csrf_token(client: FlaskClient, url: str = "/admin/login") -> str:
    """The CSRF token of the client's session, read from a page with a form."""
    page = client.get(url, follow_redirects=True).get_data(as_text=True)
    found = _TOKEN.search(page)
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def add_user(app: Flask, role: str) -> str:
    """Migrate the app's database if needed and add an account with ``role``; its name."""
    upgrade(database_url(app))
    username = f"{role}-user"
    engine = make_engine(database_url(app))
    with session_scope(make_sessionmaker(engine), actor="test") as session:
        if session.scalar(select(User.id).where(User.username == username)) is None:
            users.create_user(session, username, PASSWORD, role)
    engine.dispose()
    return username


def api_token(app: Flask, role: str, *, token_role: str | None = None) -> str:
    """A fresh API token of the account of ``role`` (acting as ``token_role`` if given)."""
    username = add_user(app, role)
    engine = make_engine(database_url(app))
    with session_scope(make_sessionmaker(engine), actor="test") as session:
        user = users.by_username(session, username)
        _, token = users.issue_token(session, user.id, "walk", role=token_role)
    engine.dispose()
    return token


def log_in(client: FlaskClient, role: str) -> None:
    """Log the client in with a fresh account of ``role`` (nothing for anonymous)."""
    if role == "anonymous":
        return
    assert client.application is not None
    username = add_user(client.application, role)
    response = client.post("/admin/login", data={
        "csrf_token": csrf_token(client), "username": username, "password": PASSWORD,
    })
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.mark.parametrize("city", CITIES)
def test_every_route_declares_who_may_reach_it(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(ACCESS) == set(), "declare these endpoints in ACCESS"
    assert set(ACCESS) - endpoints == set(), "these ACCESS entries have no route"
    assert set(ACCESS.values()) <= set(LEVEL)


def _judge(role: str, rule: Rule, method: str, url: str, status: int,
           location: str | None) -> None:
    allowed = ROLE_LEVEL[role] >= LEVEL[ACCESS[rule.endpoint]]
    refused = status in (401, 403) or (status == 302 and "/login" in (location or ""))
    if allowed and method == "GET":
        expected = {200, 404} if rule.endpoint in NEEDS_A_RECORD else {200}
        assert status in expected, (role, method, url)
    elif allowed:
        assert not refused and status < 500, (role, method, url, status)
    else:
        assert refused, (role, method, url, status)


@pytest.mark.parametrize("role", ROLES)
def test_walk_every_route_as(role: str, client: FlaskClient, app: Flask) -> None:
    log_in(client, role)
    token = csrf_token(client, "/admin/" if role != "anonymous" else "/admin/login")
    bearer = {} if role == "anonymous" else {
        "Authorization": f"Bearer {api_token(app, role)}"}
    written_with_tokens = token_endpoints()
    assert written_with_tokens
    for rule, url in _urls(app):
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            data = None if method == "GET" else {"csrf_token": token}
            if rule.endpoint in written_with_tokens:
                with client.open(url, method=method, data=data) as response:
                    assert response.status_code == 401, (role, method, url, "cookie alone")
                with client.open(url, method=method, data=data, headers=bearer) as response:
                    _judge(role, rule, method, url, response.status_code, response.location)
                continue
            with client.open(url, method=method, data=data) as response:
                _judge(role, rule, method, url, response.status_code, response.location)
            if rule.endpoint in LOGS_OUT and role != "anonymous":
                log_in(client, role)
                token = csrf_token(client, "/admin/")
