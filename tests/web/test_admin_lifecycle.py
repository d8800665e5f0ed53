"""The back office's lifecycle forms refuse what the CLI refuses, and change nothing then.

Poitiers from an empty database: each refusal shows the service's own sentence (the
one the CLI prints, in English) translated into the page's language; a form without
its CSRF token is refused before anything runs; members ticked together are all
confirmed or none; an administrator cannot deactivate their own account.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kleroterion.db import upgrade
from kleroterion.models import AssemblySession, Mandate, Member, Proposal, User
from kleroterion.services import mandates, members, panel, recruitment
from kleroterion.services.context import city
from kleroterion.services.errors import ServiceError
from kleroterion.web.database import database_url
from kleroterion.web.i18n import refusal_text
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.lifecycle.citydata import write_respondents

from .conftest import in_database
from .test_access import csrf_token, log_in

pytestmark = pytest.mark.parametrize("city", ["poitiers"])
TODAY = dt.date(2027, 2, 15)


def _count(app: Flask, model: Any) -> int:
    return int(in_database(app, lambda s: s.scalar(select(func.count()).select_from(model))))


@pytest.fixture
def ready(app: Flask, tmp_path: Any) -> Flask:
    upgrade(database_url(app))
    app.config["KLEROTERION_TODAY"] = TODAY
    app.config["KLEROTERION_LOTTERY_ROOT"] = str(tmp_path / "lotteries")
    return app


def _cli_refusal(app: Flask, work: Any, language: str) -> str:
    """The sentence a service refuses ``work`` with, as the page shows it in ``language``."""
    def run(session: Session) -> str:
        try:
            work(session)
        except ServiceError as refusal:
            with app.test_request_context(f"/?lang={language}"):
                return refusal_text(refusal)
        raise AssertionError("the service accepted it")
    return str(in_database(app, run))


def test_a_term_the_city_refuses_is_refused_in_french_and_nothing_is_opened(
    ready: Flask, client: FlaskClient
) -> None:
    log_in(client, "secretariat")
    token = csrf_token(client, "/admin/mandates/")
    response = client.post("/admin/mandates/?lang=fr", data={
        "csrf_token": token, "label": "édition 2027", "starts_on": "2027-01-04",
        "ends_on": "2027-04-03"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and _count(ready, Mandate) == 0
    expected = _cli_refusal(ready, lambda s: mandates.open_mandate(
        s, "poitiers", "édition 2027", dt.date(2027, 1, 4), dt.date(2027, 4, 3)), "fr")
    assert expected and "lasts" not in expected  # translated, not the CLI's English
    assert expected.replace("'", "&#39;") in page or expected in page
    # Without its CSRF token the same form is refused before anything runs.
    response = client.post("/admin/mandates/", data={
        "label": "édition 2027", "starts_on": "2027-01-04"})
    assert response.status_code in (400, 422) and _count(ready, Mandate) == 0
    # The right term opens it.
    response = client.post("/admin/mandates/", data={
        "csrf_token": token, "label": "édition 2027", "starts_on": "2027-01-04"})
    assert response.status_code == 302 and _count(ready, Mandate) == 1


def _seated(app: Flask, tmp_path: Any) -> int:
    config = city("poitiers").config
    seat = next(g for g in config.composition.seat_groups if g.key == "adresses")
    path = tmp_path / "adresses.csv"
    write_respondents(path, config, seat, rows=seat.seats + 5)

    def work(session: Session) -> int:
        mandate = mandates.open_mandate(session, "poitiers", "2027", dt.date(2027, 1, 4))
        recruitment.import_respondents(session, mandate.id, seat.key, path)
        # The candidates are published (their digest) before the public number is taken.
        panel.open_draw(session, mandate.id, seat.key, tmp_path / "lotteries")
        panel.use_public_number(session, mandate.id, seat.key, "12", dt.date(2027, 1, 20),
                                tmp_path / "lotteries")
        return mandate.id
    return int(in_database(app, work))


def test_members_ticked_together_are_confirmed_all_or_none(
    ready: Flask, client: FlaskClient, tmp_path: Any
) -> None:
    _seated(ready, tmp_path)
    ids = in_database(ready, lambda s: list(s.scalars(select(Member.id).order_by(Member.id))))
    in_database(ready, lambda s: members.confirm(s, ids[1], dt.date(2027, 1, 25)))
    log_in(client, "secretariat")
    token = csrf_token(client, "/admin/members/confirm")
    # The second one ticked is no longer seated (a stale page): nobody is confirmed.
    response = client.post("/admin/members/confirm?lang=en", data={
        "csrf_token": token, "on": "2027-02-01", "members": [ids[0], ids[1]]})
    assert response.status_code == 422
    assert "Nobody was confirmed" in response.get_data(as_text=True)
    confirmed = select(func.count()).select_from(Member).where(Member.status == "confirmed")
    assert in_database(ready, lambda s: s.scalar(confirmed)) == 1
    # A date before the draw is refused whole too, with the service's sentence.
    response = client.post("/admin/members/confirm?lang=en", data={
        "csrf_token": token, "on": "2027-01-05", "all": "1"})
    assert response.status_code == 422 and "must fall between the seat" in \
        response.get_data(as_text=True)
    assert in_database(ready, lambda s: s.scalar(confirmed)) == 1
    response = client.post("/admin/members/confirm", data={
        "csrf_token": token, "on": "2027-02-01", "all": "1"})
    assert response.status_code == 302
    assert in_database(ready, lambda s: s.scalar(confirmed)) == len(ids)


def test_sessions_and_acts_out_of_the_mandate_are_refused_and_nothing_is_written(
    ready: Flask, client: FlaskClient, tmp_path: Any
) -> None:
    _seated(ready, tmp_path)
    log_in(client, "secretariat")
    token = csrf_token(client, "/admin/sessions/")
    response = client.post("/admin/sessions/?lang=en", data={
        "csrf_token": token, "kind": "assemblee", "held_on": "2029-01-01", "body": ""})
    assert response.status_code == 422 and "outside mandate" in response.get_data(as_text=True)
    response = client.post("/admin/sessions/?lang=en", data={
        "csrf_token": token, "kind": "assemblee", "held_on": "2027-02-15", "body": "",
        "starts_at": "20:00", "ends_at": "18:00"})
    assert response.status_code == 422  # the describe step refused: the session is gone too
    assert _count(ready, AssemblySession) == 0
    response = client.post("/admin/acts/?lang=en", data={
        "csrf_token": token, "kind": "plan-action", "title": "  ", "on": "2027-02-01"})
    assert response.status_code == 422 and _count(ready, Proposal) == 0
    response = client.post("/admin/acts/", data={
        "csrf_token": token, "kind": "plan-action", "title": "Plan", "on": "2027-02-01"})
    assert response.status_code == 302 and _count(ready, Proposal) == 1
    # The purge is refused while the panel's draw is not final, as the CLI refuses it.
    response = client.post("/admin/personal-data/purge?lang=en", data={"csrf_token": token})
    assert response.status_code == 422 and "not final" in response.get_data(as_text=True)


def test_accounts_are_for_administrators_who_cannot_deactivate_themselves(
    ready: Flask, client: FlaskClient
) -> None:
    log_in(client, "secretariat")
    assert client.get("/admin/accounts/").status_code == 403
    log_in(client, "administrator")
    me = in_database(ready, lambda s: s.scalar(select(User.id).where(
        User.username == "administrator-user")))
    token = csrf_token(client, "/admin/accounts/")
    response = client.post(f"/admin/accounts/{me}/deactivate?lang=en",
                           data={"csrf_token": token})
    assert response.status_code == 422 and "your own account" in response.get_data(as_text=True)
    assert in_database(ready, lambda s: s.get(User, me).active)
    response = client.post("/admin/accounts/?lang=en", data={
        "csrf_token": token, "username": "new", "password": "short", "role": "secretariat"})
    assert response.status_code == 422 and "at least 10 characters" in \
        response.get_data(as_text=True)
    assert in_database(ready, lambda s: s.scalar(select(User.id).where(
        User.username == "new"))) is None


def test_an_acts_texts_in_each_language_and_a_stale_page(
    ready: Flask, client: FlaskClient, tmp_path: Any
) -> None:
    from kleroterion.services import proposals

    mandate = _seated(ready, tmp_path)
    act = in_database(ready, lambda s: proposals.create(
        s, mandate, "plan-action", "Plan", dt.date(2027, 2, 1)).id)
    log_in(client, "secretariat")
    url = f"/admin/acts/{act}/texts"
    page = client.get(f"{url}?lang=en").get_data(as_text=True)
    assert 'id="summary-fr" name="summary-fr" lang="fr"' in page and 'id="full_text-en"' in page
    token = csrf_token(client, url)
    response = client.post(url, data={"csrf_token": token, "expected_version": "1",
                                      "summary-fr": "Un résumé.", "summary-en": "A summary.",
                                      "full_text-fr": "Le texte.", "full_text-en": ""})
    assert response.status_code == 302
    saved = in_database(ready, lambda s: (s.get(Proposal, act).summary,
                                          s.get(Proposal, act).full_text))
    assert saved == ({"fr": "Un résumé.", "en": "A summary."}, {"fr": "Le texte."})
    # The same page posted again: someone (this page) changed it since; nothing written.
    response = client.post(f"{url}?lang=en", data={
        "csrf_token": token, "expected_version": "1", "summary-fr": "Autre.",
        "summary-en": "", "full_text-fr": "", "full_text-en": ""})
    assert response.status_code == 409 and "Someone else changed" in \
        response.get_data(as_text=True)
    assert in_database(ready, lambda s: s.get(Proposal, act).summary)["fr"] == "Un résumé."


def test_a_mandate_is_renamed_and_its_term_kept_to_the_city_rules(
    ready: Flask, client: FlaskClient, tmp_path: Any
) -> None:
    mandate = _seated(ready, tmp_path)
    log_in(client, "secretariat")
    url = f"/admin/mandates/{mandate}/edit"
    token = csrf_token(client, url)
    # Poitiers' edition lasts exactly twelve months: another last day is refused.
    response = client.post(f"{url}?lang=en", data={
        "csrf_token": token, "label": "édition 2027", "ends_on": "2027-06-30"})
    assert response.status_code == 422 and "lasts 12 to 12 months" in \
        response.get_data(as_text=True)
    assert in_database(ready, lambda s: s.get(Mandate, mandate).label) == "2027"
    assert 'name="label-en"' in client.get(f"{url}?lang=en").get_data(as_text=True)
    response = client.post(url, data={"csrf_token": token, "label": "édition 2027",
                                      "ends_on": "2028-01-03", "label-en": "2027 edition"})
    assert response.status_code == 302
    assert in_database(ready, lambda s: s.get(Mandate, mandate).label) == "édition 2027"
    assert in_database(ready, lambda s: s.get(Mandate, mandate).labels) == {
        "en": "2027 edition"}
    # Only the English name changes: the rest is as it was, and the public pages say it.
    response = client.post(url, data={"csrf_token": token, "label": "édition 2027",
                                      "ends_on": "2028-01-03", "label-en": "Edition 2027"})
    assert response.status_code == 302
    assert "Edition 2027" in client.get("/promotions?lang=en").get_data(as_text=True)
    assert "édition 2027" in client.get("/promotions?lang=fr").get_data(as_text=True)
    refused = client.post(f"{url}?lang=en", data={"csrf_token": token, "label": "édition 2027",
                                                  "ends_on": "2028-01-03",
                                                  "label-en": "x" * 121})
    assert refused.status_code == 422 and "more than 120" in refused.get_data(as_text=True)


def test_the_dashboard_says_what_is_due_and_the_menu_marks_the_page(
    ready: Flask, client: FlaskClient, tmp_path: Any
) -> None:
    from kleroterion.services import sessions

    mandate = _seated(ready, tmp_path)
    in_database(ready, lambda s: sessions.add_session(
        s, mandate, "assemblee", TODAY + dt.timedelta(days=3), title="Plénière du jeudi"))
    in_database(ready, lambda s: sessions.add_session(
        s, mandate, "assemblee", TODAY + dt.timedelta(days=8), title="La semaine suivante"))
    log_in(client, "read-only")
    page = client.get("/admin/?lang=en").get_data(as_text=True)
    week = page.split('id="week-title"')[1].split("</section>")[0]
    assert "Plénière du jeudi" in week and "La semaine suivante" not in week
    draws = page.split('id="draws-title"')[1].split("</section>")[0]
    assert "drawn, to be declared final" in draws
    assert '<a href="/admin/" aria-current="page">What is due</a>' in page
    assert 'href="/admin/accounts/"' not in page  # administrators only
    assert 'href="/admin/personal-data/"' not in page  # the secretariat's
    french = client.get("/admin/?lang=fr").get_data(as_text=True)
    assert "Séances de la semaine" in french and "What is due" not in french
