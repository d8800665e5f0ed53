"""The application factory: one city per app, instance folder, secret key, security defaults."""

from __future__ import annotations

import importlib
import stat
import sys
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kleroterion.plugins import UnknownCity
from kleroterion.web import MissingCity, create_app
from kleroterion.web.context import city_of
from kleroterion.web.security import SECRET_FILE


def test_the_city_comes_from_the_argument_or_the_environment(
    instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert city_of(create_app("brussels")).slug == "brussels"
    monkeypatch.setenv("KLEROTERION_CITY", "poitiers")
    assert city_of(create_app()).slug == "poitiers"
    assert city_of(create_app("paris")).slug == "paris"  # the argument wins


def test_no_city_is_a_clear_error(instance: Path) -> None:
    with pytest.raises(MissingCity, match="KLEROTERION_CITY"):
        create_app()


def test_an_unknown_city_names_the_installed_ones(instance: Path) -> None:
    with pytest.raises(UnknownCity, match="installed cities: brussels, paris, poitiers"):
        create_app("atlantis")


def test_instance_path_comes_from_the_environment(instance: Path) -> None:
    assert Path(create_app("paris").instance_path) == instance


def test_a_secret_key_is_generated_once_and_kept_private(instance: Path) -> None:
    first = create_app("paris").config["SECRET_KEY"]
    key_file = instance / SECRET_FILE
    assert key_file.read_text().strip() == first
    assert len(first) == 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # A restart, or a second gunicorn worker, signs with the same key.
    assert create_app("brussels").config["SECRET_KEY"] == first


def test_the_secret_key_from_config_or_environment_wins(
    instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert create_app("paris", {"SECRET_KEY": "given"}).config["SECRET_KEY"] == "given"
    monkeypatch.setenv("KLEROTERION_SECRET_KEY", "from env")
    assert create_app("paris").config["SECRET_KEY"] == "from env"
    assert not (instance / SECRET_FILE).exists()


def test_cookies_are_secure_by_default_and_relaxable(instance: Path) -> None:
    config = create_app("paris").config
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    relaxed = create_app("paris", {"SESSION_COOKIE_SECURE": False}).config
    assert relaxed["SESSION_COOKIE_SECURE"] is False


def test_security_headers_forbid_inline_code_and_framing(client: FlaskClient) -> None:
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_every_form_needs_a_csrf_token(instance: Path) -> None:
    app = create_app("paris", {"SECRET_KEY": "test"})

    @app.post("/form-under-test")
    def form_under_test() -> str:
        return "accepted"

    client = app.test_client()
    refused = client.post("/form-under-test", data={"name": "x"})
    assert refused.status_code == 400
    assert "Requête incorrecte" in refused.get_data(as_text=True)


def test_the_api_is_exempt_from_csrf_tokens(app: Flask) -> None:
    # Its writes authenticate with a bearer token, never with the cookie: a write
    # without a valid token is refused before its view (tests/web/test_api_writes.py).
    from kleroterion.web.security import csrf

    assert app.blueprints["api"] in csrf._exempt_blueprints
    assert app.blueprints["public"] not in csrf._exempt_blueprints


def test_the_wsgi_module_serves_the_city_of_the_environment(
    instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KLEROTERION_CITY", "brussels")
    sys.modules.pop("kleroterion.web.wsgi", None)
    module = importlib.import_module("kleroterion.web.wsgi")
    try:
        assert isinstance(module.app, Flask)
        assert city_of(module.app).slug == "brussels"
    finally:
        sys.modules.pop("kleroterion.web.wsgi", None)


def test_the_health_check_answers_without_a_database(app: Flask, instance: Path) -> None:
    # The instance folder holds no database: a load balancer's probe (and the load
    # benchmark's baseline) must not depend on one, nor create one.
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == "ok\n"
    assert response.headers["X-Frame-Options"] == "DENY"  # the app's own hooks ran
    assert not list(instance.glob("*.sqlite3"))
