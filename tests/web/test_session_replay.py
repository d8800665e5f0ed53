"""Sessions end on the server: a copy of the session cookie, replayed after a logout, a
password change or a deactivation, no longer opens the back office."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from kleroterion.services import users

from .conftest import in_database
from .test_access import PASSWORD, add_user, csrf_token

COOKIE = "session"


def _logged_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    response = client.post("/admin/login", data={
        "csrf_token": csrf_token(client), "username": username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    return client


def _replay(app: Flask, client: FlaskClient) -> int:
    """The status of the dashboard for a new client holding a copy of ``client``'s cookie."""
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie.value)
    return thief.get("/admin/").status_code


def test_a_cookie_copied_before_logout_is_refused_after_it(app: Flask) -> None:
    username = add_user(app, "secretariat")
    client = _logged_in(app, username)
    assert _replay(app, client) == 200  # the copy works while the session lasts
    stolen = client.get_cookie(COOKIE)
    assert stolen is not None
    assert client.post("/admin/logout",
                       data={"csrf_token": csrf_token(client, "/admin/")}).status_code == 302
    thief = app.test_client()
    thief.set_cookie(COOKIE, stolen.value)
    response = thief.get("/admin/")
    assert response.status_code == 302 and "/admin/login" in response.location
    assert _logged_in(app, username).get("/admin/").status_code == 200  # logging in again


def test_a_password_change_ends_every_session_of_the_user(app: Flask) -> None:
    username = add_user(app, "administrator")
    other = add_user(app, "secretariat")
    laptop, phone, colleague = (_logged_in(app, username), _logged_in(app, username),
                                _logged_in(app, other))
    cookies = [c.get_cookie(COOKIE) for c in (laptop, phone)]
    in_database(app, lambda s: users.set_password(s, users.by_username(s, username).id,
                                                  "a new password 2026"))
    for client, cookie in zip((laptop, phone), cookies, strict=True):
        assert client.get("/admin/").status_code == 302
        thief = app.test_client()
        assert cookie is not None
        thief.set_cookie(COOKIE, cookie.value)
        assert thief.get("/admin/").status_code == 302
    assert colleague.get("/admin/").status_code == 200  # another user's session goes on


def test_a_deactivated_account_loses_its_sessions(app: Flask) -> None:
    username = add_user(app, "secretariat")
    client = _logged_in(app, username)
    in_database(app, lambda s: users.deactivate(s, users.by_username(s, username).id))
    assert client.get("/admin/").status_code == 302


def test_a_cookie_without_the_session_token_is_refused(app: Flask) -> None:
    """Cookies made before sessions carried a token (the user id alone) open nothing."""
    username = add_user(app, "secretariat")
    user_id = in_database(app, lambda s: users.by_username(s, username).id)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    assert client.get("/admin/").status_code == 302
    with client.session_transaction() as session:
        session["_user_id"] = f"{user_id}:{'0' * 64}"
    assert client.get("/admin/").status_code == 302

