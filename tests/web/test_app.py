"""The application factory: one city per app, instance folder, secret key, security defaults."""

from __future__ import annotations

import importlib
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kleroterion.db import make_engine, make_sessionmaker, session_scope, upgrade
from kleroterion.plugins import UnknownCity
from kleroterion.services import users
from kleroterion.web import MissingCity, RecordIdConverter, create_app
from kleroterion.web.context import city_of
from kleroterion.web.records import MAX_ID
from kleroterion.web.security import SECRET_FILE
from werkzeug.routing import IntegerConverter


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


def test_without_the_variable_the_cli_and_the_web_app_share_one_instance_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Letters, exports and lottery folders a command writes are where the web app looks:
    both use ``./instance`` of the directory they start in, not Flask's default (a folder
    beside the installed package)."""
    from kleroterion import db
    from kleroterion.cli.exports import instance as exports_folder
    from kleroterion.cli.record import instance_folder as record_folder
    from kleroterion.services.panel_folder import lottery_root as cli_lotteries
    from kleroterion.web.records import lottery_root as web_lotteries

    monkeypatch.delenv("KLEROTERION_INSTANCE_PATH", raising=False)
    monkeypatch.delenv("KLEROTERION_SECRET_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    app = create_app("paris", {"TESTING": True, "SECRET_KEY": "test secret"})
    expected = tmp_path.resolve() / "instance"
    assert Path(app.instance_path) == expected
    assert db.instance_path() == expected
    assert record_folder() == expected
    assert exports_folder() == expected
    assert web_lotteries(app) == cli_lotteries() == expected / "lotteries"
    # A relative variable is read against the same directory by both.
    monkeypatch.setenv("KLEROTERION_INSTANCE_PATH", "elsewhere")
    assert Path(create_app("paris", {"SECRET_KEY": "s"}).instance_path) == db.instance_path() \
        == tmp_path.resolve() / "elsewhere"


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



_PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def big_id_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    """A secretariat logged in to Paris on an empty database."""
    folder = tmp_path_factory.mktemp("big-ids")
    url = f"sqlite:///{folder / 'db.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    with session_scope(make_sessionmaker(engine), actor="test") as session:
        users.create_user(session, "sec", _PASSWORD, "secretariat")
    engine.dispose()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KLEROTERION_INSTANCE_PATH", str(folder / "instance"))
        app = create_app("paris", {"SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                                   "SESSION_COOKIE_SECURE": False,
                                   "KLEROTERION_DATABASE_URL": url})
    client = app.test_client()
    assert client.post("/admin/login", data={"username": "sec", "password": _PASSWORD}
                       ).status_code == 302
    yield client


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ident=st.integers(min_value=MAX_ID + 1, max_value=10**30))
def test_an_id_beyond_any_record_is_a_404_page_on_every_route(
    big_id_client: FlaskClient, ident: int
) -> None:
    """A number larger than an INTEGER column holds once overflowed the query (a 500)."""
    app = big_id_client.application
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or not any(
                isinstance(kind, RecordIdConverter) for kind in rule._converters.values()):
            continue
        url = rule.rule
        for name in rule.arguments:
            url = url.replace(f"<int:{name}>", str(ident)).replace(f"<{name}>", "x")
        response = big_id_client.get(url, headers={"Accept-Language": "en"})
        assert response.status_code == 404, url
        assert 'lang="en"' in response.get_data(as_text=True), url
        checked += 1
    assert checked >= 5  # the back office's and the public record's routes


def test_every_int_route_is_bounded_by_the_record_id_converter(app: Flask) -> None:
    kinds = [kind for rule in app.url_map.iter_rules() for kind in rule._converters.values()]
    integers = [kind for kind in kinds if isinstance(kind, IntegerConverter)]
    assert integers
    assert all(isinstance(kind, RecordIdConverter) and kind.max == MAX_ID for kind in integers)
