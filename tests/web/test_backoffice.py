"""The back office: logging in and out, CSRF, the login throttle, roles, the dashboard."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kleroterion.web.auth import ACCOUNT_LIMIT, LoginThrottle, throttle

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
    for _ in range(ACCOUNT_LIMIT):
        assert _login(client, username, "wrong password!")[0] == 401
    status, page = _login(client, username, PASSWORD)  # even the right password now
    assert status == 429
    assert "Logging in is locked for 15 more minutes." in page
    assert client.get("/admin/").status_code == 302


def test_the_throttle_counts_per_address_and_forgets_after_the_window() -> None:
    now = [0.0]
    limiter = LoginThrottle(window=60, limits={"account": 2, "address": 3},
                            clock=lambda: now[0])
    for name in ("a", "b", "c"):
        limiter.fail({"account": name, "address": "10.0.0.1"})
    assert limiter.wait_seconds({"account": "d", "address": "10.0.0.1"}) == 60
    assert limiter.wait_seconds({"account": "d", "address": "10.0.0.2"}) == 0
    now[0] = 61
    assert limiter.wait_seconds({"account": "d", "address": "10.0.0.1"}) == 0


def test_a_success_clears_the_account_count(client: FlaskClient, app: Flask) -> None:
    username = add_user(app, "read-only")
    for _ in range(ACCOUNT_LIMIT - 1):
        _login(client, username, "wrong password!")
    assert _login(client, username, PASSWORD)[0] == 302
    with app.app_context():
        assert throttle().wait_seconds({"account": username, "address": "x"}) == 0


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
