"""The login throttle: shared by every worker through the database, per account and client,
behind a configured number of proxies, bounded, and silent about which usernames exist."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kleroterion.db import upgrade
from kleroterion.models import LoginAttempt, User
from kleroterion.services import users
from kleroterion.web import create_app
from kleroterion.web.auth import throttle
from kleroterion.web.throttle import ACCOUNT_LIMIT, CLIENT_LIMIT, PAIR_LIMIT, WINDOW, client_of
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from .conftest import in_database
from .test_access import PASSWORD, add_user, csrf_token

WRONG = "wrong password!"


def _login(client: FlaskClient, username: str, password: str, *, address: str = "192.0.2.1",
           headers: dict[str, str] | None = None) -> int:
    token = csrf_token(client)
    response = client.post("/admin/login?lang=en", data={
        "csrf_token": token, "username": username, "password": password,
    }, environ_base={"REMOTE_ADDR": address}, headers=headers or {})
    return response.status_code


def _rows(app: Flask) -> int:
    return in_database(app, lambda s: s.scalar(select(func.count()).select_from(LoginAttempt)))


def test_failures_in_one_worker_count_in_every_other(app: Flask) -> None:
    """Two app instances on one database stand for two gunicorn workers (or machines)."""
    username = add_user(app, "secretariat")
    other = create_app("paris", {"TESTING": True, "SECRET_KEY": "test secret"})
    first, second = app.test_client(), other.test_client()
    for attempt in range(PAIR_LIMIT):
        worker = first if attempt % 2 else second
        assert _login(worker, username, WRONG) == 401
    assert _login(first, username, PASSWORD) == 429
    assert _login(second, username, PASSWORD) == 429


def test_one_client_does_not_lock_the_account_for_another(app: Flask) -> None:
    username = add_user(app, "secretariat")
    attacker, user = app.test_client(), app.test_client()
    for _ in range(PAIR_LIMIT):
        assert _login(attacker, username, WRONG, address="198.51.100.7") == 401
    assert _login(attacker, username, PASSWORD, address="198.51.100.7") == 429
    assert _login(user, username, PASSWORD, address="203.0.113.5") == 302


def test_a_client_trying_many_usernames_is_locked_out_of_all(app: Flask) -> None:
    username = add_user(app, "secretariat")
    client = app.test_client()
    for number in range(CLIENT_LIMIT):
        assert _login(client, f"guess-{number}", WRONG, address="198.51.100.9") == 401
    assert _login(client, username, PASSWORD, address="198.51.100.9") == 429
    assert _login(client, username, PASSWORD, address="198.51.100.10") == 302


def test_a_guess_spread_over_many_addresses_spares_the_known_clients(app: Flask) -> None:
    username = add_user(app, "secretariat")
    known, stranger = app.test_client(), app.test_client()
    assert _login(known, username, PASSWORD, address="203.0.113.5") == 302
    for number in range(ACCOUNT_LIMIT):
        assert _login(app.test_client(), username, WRONG,
                      address=f"10.{number // 250}.{number % 250}.1") == 401
    assert _login(stranger, username, PASSWORD, address="203.0.113.99") == 429
    assert _login(app.test_client(), username, PASSWORD, address="203.0.113.5") == 302


def test_forwarded_addresses_are_trusted_only_as_configured(
        instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Behind one proxy, the proxy's address is everyone's: only the forwarded one tells."""
    proxy = "10.0.0.2"
    trusting = create_app("paris", {"TESTING": True, "SECRET_KEY": "test secret",
                                    "KLEROTERION_TRUSTED_PROXIES": 1})
    username = add_user(trusting, "secretariat")
    attacker, user = trusting.test_client(), trusting.test_client()
    for _ in range(PAIR_LIMIT + 1):
        _login(attacker, username, WRONG, address=proxy,
               headers={"X-Forwarded-For": "198.51.100.7"})
    assert _login(user, username, PASSWORD, address=proxy,
                  headers={"X-Forwarded-For": "203.0.113.5"}) == 302

    # Without the setting, the header is the client's word: it changes nothing.
    plain = create_app("paris", {"TESTING": True, "SECRET_KEY": "test secret"})
    attacker = plain.test_client()
    for number in range(PAIR_LIMIT):
        assert _login(attacker, username, WRONG, address="198.51.100.8",
                      headers={"X-Forwarded-For": f"192.0.2.{number}"}) == 401
    assert _login(attacker, username, PASSWORD, address="198.51.100.8",
                  headers={"X-Forwarded-For": "192.0.2.200"}) == 429


def test_an_untrusted_forwarding_proxy_is_reported_once(
        client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="kleroterion.web.security"):
        client.get("/healthz")
        for _ in range(3):
            client.get("/healthz", headers={"X-Forwarded-For": "198.51.100.7"})
    warnings = [r.getMessage() for r in caplog.records if "X-Forwarded-For" in r.getMessage()]
    assert len(warnings) == 1 and "KLEROTERION_TRUSTED_PROXIES" in warnings[0]
    assert "198.51.100.7" not in warnings[0]  # an address is personal data


def test_the_proxy_count_is_checked(instance: Path) -> None:
    with pytest.raises(ValueError, match="KLEROTERION_TRUSTED_PROXIES='two'"):
        create_app("paris", {"SECRET_KEY": "t", "KLEROTERION_TRUSTED_PROXIES": "two"})


def test_old_failures_are_forgotten_and_nothing_names_the_guesses(app: Flask) -> None:
    """Unknown usernames do not pile up: a row per failure, deleted after the window."""
    add_user(app, "secretariat")
    client = app.test_client()
    now = [dt.datetime(2026, 12, 7, 4, 0, tzinfo=dt.UTC)]
    with app.app_context():
        throttle().clock = lambda: now[0]
    for number in range(10):
        _login(client, f"nobody-{number}@example.org", WRONG, address=f"192.0.2.{number}")
    assert _rows(app) == 10 * 3  # the account and client, the client, the account
    stored = in_database(app, lambda s: [(r.key, r.kind) for r in s.scalars(
        select(LoginAttempt))])
    assert all("nobody" not in key and "192.0.2" not in key for key, _ in stored)
    now[0] += WINDOW + dt.timedelta(seconds=1)
    _login(client, "nobody-new", WRONG, address="192.0.2.200")
    assert _rows(app) == 3
    assert _login(client, "nobody-0@example.org", WRONG, address="192.0.2.0") == 401


def test_a_locked_client_leaves_no_trace_of_its_further_attempts(app: Flask) -> None:
    username = add_user(app, "secretariat")
    client = app.test_client()
    for _ in range(PAIR_LIMIT):
        _login(client, username, WRONG)
    before = _rows(app)
    for _ in range(20):
        assert _login(client, username, WRONG) == 429
    assert _rows(app) == before


def test_an_ipv6_client_is_counted_by_its_network() -> None:
    assert client_of("2001:db8:1:2:aaaa::1") == client_of("2001:db8:1:2:bbbb::2")
    assert client_of("2001:db8:1:3::1") != client_of("2001:db8:1:2::1")
    assert client_of("::ffff:192.0.2.1") == "192.0.2.1"
    assert client_of(None) == "unknown"


def test_an_unknown_username_costs_a_password_check_too(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Answering an unknown username sooner would tell which usernames exist."""
    username = add_user(app, "secretariat")
    checked: list[str] = []

    def spy(pwhash: str, password: str) -> bool:
        checked.append(pwhash.split("$")[0])
        return check_password_hash(pwhash, password)

    monkeypatch.setattr(users, "check_password_hash", spy)
    monkeypatch.setattr("kleroterion.models.users.check_password_hash", spy)
    real = in_database(app, lambda s: s.scalar(select(User.password_hash).where(
        User.username == username)))
    assert real is not None
    for name in (username, "nobody-at-all"):
        in_database(app, lambda s, name=name: users.authenticate(s, name, WRONG))
    in_database(app, lambda s: users.deactivate(s, users.by_username(s, username).id))
    in_database(app, lambda s: users.authenticate(s, username, PASSWORD))
    assert checked == [real.split("$")[0]] * 3  # same method and cost each time


def test_racing_workers_check_no_more_passwords_than_the_limit(
        instance: Path, empty_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if not empty_url.startswith("postgresql"):
        pytest.skip("threads racing on one SQLite file wait for each other anyway")
    upgrade(empty_url)
    apps = [create_app("paris", {"TESTING": True, "SECRET_KEY": "s",
                                 "KLEROTERION_DATABASE_URL": empty_url}) for _ in range(4)]
    username = add_user(apps[0], "secretariat")
    checks = []
    real = users.authenticate

    def counted(session: Session, name: str, password: str) -> User | None:
        checks.append(name)
        return real(session, name, password)

    monkeypatch.setattr(users, "authenticate", counted)
    barrier = threading.Barrier(12)
    statuses: list[int] = []

    def guess(app: Flask) -> None:
        client = app.test_client()
        token = csrf_token(client)
        barrier.wait()
        statuses.append(client.post("/admin/login", data={
            "csrf_token": token, "username": username, "password": WRONG},
            environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code)

    threads = [threading.Thread(target=guess, args=(apps[i % 4],)) for i in range(12)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for app in apps:
            app.extensions["kleroterion.sessionmaker"].kw["bind"].dispose()
    # A burst may be refused whole (each attempt counts the others'): never more checks.
    assert set(statuses) <= {401, 429} and 429 in statuses and len(statuses) == 12
    assert len(checks) == statuses.count(401) <= PAIR_LIMIT
