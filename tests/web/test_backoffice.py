"""The back office: logging in and out, CSRF, the login throttle, roles, the dashboard,
the moves of an act."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kleroterion.db import make_engine, make_sessionmaker, session_scope, upgrade
from kleroterion.models import Proposal, Respondent
from kleroterion.services import mandates, proposals, sessions
from kleroterion.web import demo
from kleroterion.web.database import database_url
from kleroterion.web.throttle import PAIR_LIMIT
from sqlalchemy import func, select

from tests.lifecycle import engine_standin

from .test_access import PASSWORD, add_user, csrf_token, log_in


def _login(client: FlaskClient, username: str, password: str) -> tuple[int, str]:
    response = client.post("/admin/login?lang=en", data={
        "csrf_token": csrf_token(client), "username": username, "password": password,
    })
    return response.status_code, response.get_data(as_text=True)


def test_logging_in_leads_to_the_dashboard_and_out_again(client: FlaskClient, app: Flask) -> None:
    username = add_user(app, "secretariat")
    response = client.post("/admin/login?next=/admin/", data={
        "csrf_token": csrf_token(client), "username": username, "password": PASSWORD,
    })
    assert response.status_code == 302 and response.location == "/admin/"
    page = client.get("/admin/?lang=en").get_data(as_text=True)
    assert "Logged in as secretariat-user (secretariat)" in page
    assert "No mandate is open." in page
    token = csrf_token(client, "/admin/")
    assert client.post("/admin/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/admin/").status_code == 302


def test_a_wrong_password_re_renders_the_form_with_the_username_kept(
    client: FlaskClient, app: Flask
) -> None:
    username = add_user(app, "secretariat")
    status, page = _login(client, username, "not the password")
    assert status == 401
    assert "Unknown username or wrong password." in page
    assert f'value="{username}"' in page
    assert "not the password" not in page


def test_empty_fields_are_named_next_to_the_field(client: FlaskClient, app: Flask) -> None:
    status, page = _login(client, "", "")
    assert status == 422
    assert 'id="username-error"' in page and "Enter your username." in page
    assert 'aria-describedby="username-error"' in page
    assert "Enter your password." in page


def test_the_login_page_speaks_french_by_default(client: FlaskClient) -> None:
    page = client.get("/admin/login").get_data(as_text=True)
    assert "Connexion à l&#39;espace de gestion" in page or "Connexion à l'espace" in page
    assert "Mot de passe" in page


def test_a_post_without_csrf_token_is_refused(client: FlaskClient, app: Flask) -> None:
    username = add_user(app, "secretariat")
    response = client.post("/admin/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/admin/").status_code == 302  # not logged in


def test_an_account_is_locked_after_repeated_failures(client: FlaskClient, app: Flask) -> None:
    username = add_user(app, "secretariat")
    for _ in range(PAIR_LIMIT):
        assert _login(client, username, "wrong password!")[0] == 401
    status, page = _login(client, username, PASSWORD)  # even the right password now
    assert status == 429
    assert "Logging in is locked for 15 more minutes." in page
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/"])
def test_next_never_leaves_the_site(client: FlaskClient, app: Flask, target: str) -> None:
    username = add_user(app, "read-only")
    response = client.post(f"/admin/login?next={target}", data={
        "csrf_token": csrf_token(client), "username": username, "password": PASSWORD,
    })
    assert response.location == "/admin/"


def test_anonymous_visitors_are_sent_to_the_login_page(client: FlaskClient) -> None:
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login" in response.location


def test_read_only_accounts_see_the_dashboard(client: FlaskClient) -> None:
    log_in(client, "read-only")
    assert client.get("/admin/").status_code == 200


def test_the_session_cookie_is_secure_by_default(client: FlaskClient, app: Flask) -> None:
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    username = add_user(app, "read-only")
    client.post("/admin/login", data={
        "csrf_token": csrf_token(client), "username": username, "password": PASSWORD,
    })
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.secure and cookie.http_only


# --- Acts: only the moves the city allows, dates and reasons, conflicts -------------

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def act(app: Flask) -> int:
    """A deliberation of a Paris promotion, in its initial state; its id."""
    upgrade(database_url(app))
    app.config["KLEROTERION_TODAY"] = TODAY
    engine = make_engine(database_url(app))
    with session_scope(make_sessionmaker(engine), actor="test") as session:
        mandate = mandates.open_mandate(session, "paris", "promotion 2026", dt.date(2026, 4, 1))
        ident = proposals.create(session, mandate.id, "deliberation", "Des fontaines",
                                 dt.date(2026, 6, 1)).id
    engine.dispose()
    return ident


def _moves(app: Flask, ident: int) -> list[tuple[str, str]]:
    engine = make_engine(database_url(app))
    with session_scope(make_sessionmaker(engine)) as session:
        moves = proposals.allowed_moves(session, ident)
    engine.dispose()
    return moves


def _move(client: FlaskClient, ident: int, target: str, **fields: str) -> tuple[int, str]:
    token = csrf_token(client, f"/admin/proposals/{ident}")
    data = {"csrf_token": token, **{f"{target}-{k}": v for k, v in fields.items()}}
    response = client.post(f"/admin/proposals/{ident}/move/{target}?lang=en", data=data)
    return response.status_code, response.get_data(as_text=True)


def test_the_act_page_offers_only_the_moves_the_city_allows(
    client: FlaskClient, app: Flask, act: int
) -> None:
    log_in(client, "secretariat")
    page = client.get(f"/admin/proposals/{act}?lang=en").get_data(as_text=True)
    moves = _moves(app, act)
    assert moves
    assert page.count("<fieldset>") == len(moves)
    for target, _by in moves:
        assert f"/admin/proposals/{act}/move/{target}" in page


def test_read_only_accounts_see_the_act_without_forms(
    client: FlaskClient, app: Flask, act: int
) -> None:
    log_in(client, "read-only")
    page = client.get(f"/admin/proposals/{act}").get_data(as_text=True)
    assert "<fieldset>" not in page
    target = _moves(app, act)[0][0]
    token = csrf_token(client, "/admin/")
    response = client.post(f"/admin/proposals/{act}/move/{target}",
                           data={"csrf_token": token, f"{target}-on": "2026-07-01"})
    assert response.status_code == 403


def test_a_move_is_recorded_with_its_date_and_reason(
    client: FlaskClient, app: Flask, act: int
) -> None:
    log_in(client, "secretariat")
    target = _moves(app, act)[0][0]
    status, _ = _move(client, act, target, on="2026-07-01", reason="vote du 1er juillet",
                      expected_version="1")
    assert status == 302
    page = client.get(f"/admin/proposals/{act}?lang=en").get_data(as_text=True)
    assert "vote du 1er juillet" in page and "The step is recorded." in page
    assert _moves(app, act) != [] or "final step" in page


def test_a_move_without_a_date_re_renders_keeping_the_reason(
    client: FlaskClient, app: Flask, act: int
) -> None:
    log_in(client, "secretariat")
    target = _moves(app, act)[0][0]
    status, page = _move(client, act, target, on="", reason="gardez-moi", expected_version="1")
    assert status == 422
    assert "gardez-moi" in page and "Enter a valid date." in page
    assert f'aria-describedby="{target}-on-error"' in page


def test_a_move_before_the_last_step_is_refused_next_to_the_date(
    client: FlaskClient, app: Flask, act: int
) -> None:
    log_in(client, "secretariat")
    target = _moves(app, act)[0][0]
    status, page = _move(client, act, target, on="2026-05-01", expected_version="1")
    assert status == 422
    assert f'id="{target}-on-error"' in page and "2026-05-01" in page


def test_a_stale_page_gets_a_conflict_message(client: FlaskClient, app: Flask, act: int) -> None:
    log_in(client, "secretariat")
    target = _moves(app, act)[0][0]
    engine = make_engine(database_url(app))
    with session_scope(make_sessionmaker(engine)) as session:  # someone else edits
        session.get(Proposal, act).title = "Des fontaines publiques"  # type: ignore[union-attr]
    engine.dispose()
    status, page = _move(client, act, target, on="2026-07-01", expected_version="1")
    assert status == 409
    assert "Someone else changed this act" in page and "Des fontaines publiques" in page


def test_a_move_without_csrf_token_is_refused(client: FlaskClient, app: Flask, act: int) -> None:
    log_in(client, "secretariat")
    target = _moves(app, act)[0][0]
    response = client.post(f"/admin/proposals/{act}/move/{target}",
                           data={f"{target}-on": "2026-07-01"})
    assert response.status_code == 400
    assert _moves(app, act)[0][0] == target  # nothing moved


def test_an_unknown_act_is_a_404_page_in_french(client: FlaskClient, act: int) -> None:
    log_in(client, "read-only")
    response = client.get("/admin/proposals/999")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True) or \
        'lang="fr"' in response.get_data(as_text=True)


# --- The attendance grid ---------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The demo mandate of Paris, built once for the module; its file and first session."""
    folder = tmp_path_factory.mktemp("demo-template")
    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    mandate_id = demo.build(factory, "paris", TODAY, folder / "work", lambda _: None,
                            engine=engine_standin.ENGINE)  # the quick stand-in
    with session_scope(factory) as session:
        meeting = sessions.sessions_of(session, mandate_id)[0].id
    engine.dispose()
    return folder / "demo.sqlite3", meeting


@pytest.fixture
def demo_meeting(app: Flask, demo_template: tuple[Path, int]) -> int:
    """The demo mandate of Paris in the app's own database (a copy); its first session."""
    template, meeting = demo_template
    target = Path(database_url(app).removeprefix("sqlite:///"))
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)
    app.config["KLEROTERION_TODAY"] = TODAY
    return meeting


def test_the_attendance_grid_saves_all_or_nothing(
    client: FlaskClient, app: Flask, demo_meeting: int
) -> None:
    log_in(client, "secretariat")
    url = f"/admin/sessions/{demo_meeting}/attendance"
    page = client.get(url + "?lang=en").get_data(as_text=True)
    members = [int(ident) for ident in re.findall(r'name="member-(\d+)" value="present"', page)]
    assert members and page.count('<th scope="row" id="name-') == len(members)
    token = csrf_token(client, url)

    # One bad line: nothing saved, the line marked, every choice kept.
    data = {"csrf_token": token, f"member-{members[0]}": "late",
            **{f"member-{m}": "excused" for m in members[1:]}}
    response = client.post(url + "?lang=en", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="member-{members[0]}-error"' in page
    assert f'aria-describedby="name-{members[0]} member-{members[0]}-error"' in page
    assert "Choose present, excused or absent." in page
    assert page.count('value="excused" aria-pressed="true"') == len(members) - 1
    assert "Nothing was saved" in page

    data = {"csrf_token": token, **{f"member-{m}": "absent" for m in members}}
    assert client.post(url, data=data).status_code == 302
    page = client.get(url + "?lang=en").get_data(as_text=True)
    assert page.count('value="absent" aria-pressed="true"') == len(members)
    assert "The attendance is saved." in page


def test_read_only_accounts_see_the_grid_but_cannot_save(
    client: FlaskClient, demo_meeting: int
) -> None:
    log_in(client, "read-only")
    url = f"/admin/sessions/{demo_meeting}/attendance"
    page = client.get(url + "?lang=en").get_data(as_text=True)
    assert 'name="member-' not in page and "Import a filled sheet" not in page
    token = csrf_token(client, "/admin/")
    assert client.post(url, data={"csrf_token": token}).status_code == 403
    assert client.get("/admin/sessions/99999/attendance").status_code == 404


# --- Indemnity statements -------------------------------------------------------------


def test_indemnity_statements_show_and_download(
    client: FlaskClient, demo_meeting: int
) -> None:
    log_in(client, "secretariat")
    response = client.get("/admin/indemnities?lang=en&start=2026-04-01&end=2026-11-23")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and '<table class="data statement">' in page
    assert "Download as CSV" in page and "Total for" in page
    download = client.get("/admin/indemnities.csv?lang=fr&start=2026-04-01&end=2026-11-23")
    assert download.status_code == 200
    assert download.mimetype == "text/csv"
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.get_data(as_text=True).startswith("\ufeffNom;Identifiant public;")


def test_a_bad_period_re_renders_with_what_was_typed(
    client: FlaskClient, demo_meeting: int
) -> None:
    log_in(client, "read-only")
    response = client.get("/admin/indemnities?lang=en&start=2026-13-45&end=2026-11-23")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="2026-13-45"' in page and 'id="start-error"' in page
    assert "Download as CSV" not in page
    assert client.get("/admin/indemnities.csv").status_code == 403
    response = client.get("/admin/indemnities?lang=en")  # the year so far by default
    assert response.status_code == 200
    assert 'value="2026-01-01"' in response.get_data(as_text=True)


# --- Respondents upload ---------------------------------------------------------------

HEADER = "id,gender,age,arrondissement,diploma,nom,adresse,courriel\n"
GOOD = "R-1,femme,30-44,11e,bac,Synthétique Une,1 rue Fictive,une@example.org\n"


def _upload(client: FlaskClient, text: str) -> tuple[int, str]:
    token = csrf_token(client, "/admin/respondents")
    response = client.post("/admin/respondents?lang=en", data={
        "csrf_token": token, "seat_group": "liste-electorale",
        "upload": (io.BytesIO(text.encode("utf-8")), "repondants.csv"),
    }, content_type="multipart/form-data")
    return response.status_code, response.get_data(as_text=True)


def _respondent_count(app: Flask) -> int:
    engine = make_engine(database_url(app))
    with session_scope(make_sessionmaker(engine)) as session:
        count = session.scalar(select(func.count()).select_from(Respondent)) or 0
    engine.dispose()
    return count


def test_a_bad_line_refuses_the_whole_file_shown_next_to_the_line(
    client: FlaskClient, app: Flask, act: int
) -> None:
    log_in(client, "secretariat")
    bad = "R-2,dragon,30-44,11e,bac,Synthétique Deux,2 rue Fictive,deux@example.org\n"
    status, page = _upload(client, HEADER + GOOD + bad)
    assert status == 422
    assert "repondants.csv has 1 problem" in page
    assert re.search(r'<th scope="row">3</th>\s*<td><code>R-2,dragon,', page)
    assert "<code>dragon</code>" in page
    assert "Nothing was imported" in page and 'aria-describedby="upload-error"' in page
    assert _respondent_count(app) == 0


def test_a_good_file_is_imported(client: FlaskClient, app: Flask, act: int) -> None:
    log_in(client, "secretariat")
    status, _ = _upload(client, HEADER + GOOD)
    assert status == 302
    assert "1 respondent imported." in client.get("/admin/respondents?lang=en").get_data(
        as_text=True)
    assert _respondent_count(app) == 1


def test_an_upload_without_a_file_names_the_field(client: FlaskClient, act: int) -> None:
    log_in(client, "secretariat")
    token = csrf_token(client, "/admin/respondents")
    response = client.post("/admin/respondents?lang=en", data={
        "csrf_token": token, "seat_group": "liste-electorale"})
    assert response.status_code == 422
    assert "Choose a file." in response.get_data(as_text=True)
