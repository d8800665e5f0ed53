"""The public pages' cache (``kleroterion.web.page_cache``): fast, and never stale.

A mandate is written through the services, as the back office or the CLI would from
another process, while the app serves it; every answer must be the one a fresh render
would give: after a transition, in another language, on another day, for someone
logged in. On SQLite and on PostgreSQL (the stamp is read on a connection of its own).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from kleroterion.db import make_engine
from kleroterion.services import mandates, proposals, sessions
from kleroterion.web import create_app, page_cache
from kleroterion.web.public import TODAY_SETTING
from sqlalchemy import text

from .conftest import Run, closed_after, queries

pytestmark = pytest.mark.usefixtures("close_apps")

START = dt.date(2026, 1, 5)
TODAY = dt.date(2026, 3, 2)


def _app(city: str, url: str, **settings: Any) -> Flask:
    return closed_after(create_app(city, {"TESTING": True, "SECRET_KEY": "test",
                                          "KLEROTERION_DATABASE_URL": url, TODAY_SETTING: TODAY,
                                          **settings}))


@pytest.fixture
def app(instance: Path, empty_url: str, run: Run) -> Flask:
    return _app("paris", empty_url)


def _backend_pid(reader: page_cache.StampReader) -> int:
    """The server process behind the connection the reader keeps (PostgreSQL)."""
    held = reader._idle[-1]
    cursor = held.cursor()
    cursor.execute("SELECT pg_backend_pid()")
    pid = cursor.fetchone()[0]
    cursor.close()
    return int(pid)


def _act(run: Run) -> tuple[int, int]:
    mandate = run(mandates.open_mandate, "paris", "Promotion 2026", START)
    act = run(proposals.create, mandate.id, "deliberation", "Des fontaines", START)
    return mandate.id, act.id


def test_a_repeated_page_is_served_for_one_query(app: Flask, run: Run) -> None:
    _act(run)
    client = app.test_client()
    first = client.get("/proposals")
    seen = queries(app)
    again = client.get("/proposals")
    assert again.get_data() == first.get_data()
    assert len(seen) == 1 and "audit_head" in seen[0]
    # The after-request hooks still run on a stored answer.
    assert again.headers["X-Frame-Options"] == "DENY"
    assert "Accept-Language" in again.headers["Vary"]


@pytest.mark.parametrize("url", ["/proposals/{act}", "/proposals", "/api/proposals",
                                 "/api/proposals/{act}"])
def test_a_transition_shows_at_once(app: Flask, run: Run, url: str) -> None:
    _, act = _act(run)
    client = app.test_client()
    path = url.format(act=act)
    before = client.get(path).get_data(as_text=True)
    assert client.get(path).get_data(as_text=True) == before  # stored
    target, _actor = run(proposals.allowed_moves, act)[0]
    run(proposals.move, act, target, START + dt.timedelta(days=3), reason="vote en séance")
    after = client.get(path).get_data(as_text=True)
    assert after != before
    if url.startswith("/api"):
        assert f'"state":"{target}"' in after.replace(" ", "")
    # Exactly what a fresh render gives.
    assert after == _app("paris", app.config["KLEROTERION_DATABASE_URL"],
                         KLEROTERION_PAGE_CACHE=False).test_client().get(path).get_data(
                             as_text=True)


def test_a_new_session_shows_in_every_worker(instance: Path, empty_url: str, run: Run) -> None:
    # Two apps on one database stand for two gunicorn workers.
    mandate, _ = _act(run)
    workers = [_app("paris", empty_url).test_client() for _ in range(2)]
    for client in workers:
        page = client.get("/sessions?lang=en").get_data(as_text=True)
        assert "No session is planned yet." in page
    run(sessions.add_session, mandate, "pleniere", TODAY + dt.timedelta(days=10))
    for client in workers:
        assert "No session is planned yet." not in client.get("/sessions?lang=en").get_data(
            as_text=True)


def test_the_date_is_part_of_the_answer(app: Flask, run: Run) -> None:
    mandate, _ = _act(run)
    run(sessions.add_session, mandate, "pleniere", TODAY + dt.timedelta(days=10))
    client = app.test_client()
    assert "No session has been held yet." in client.get("/sessions?lang=en").get_data(as_text=True)
    app.config[TODAY_SETTING] = TODAY + dt.timedelta(days=20)
    assert "No session is planned yet." in client.get("/sessions?lang=en").get_data(as_text=True)


_LANG = re.compile(r'<html lang="([a-z]+)"')
#: How a visitor asks for a language: the switcher's ?lang=, its cookie, the browser.
ASKS = st.tuples(st.sampled_from(["fr", "nl", "en"]),
                 st.sampled_from(["query", "cookie", "browser"]),
                 st.sampled_from(["/", "/proposals", "/panel"]))


def test_no_page_is_served_in_another_language(instance: Path, empty_url: str,
                                               run: Run) -> None:
    run(mandates.open_mandate, "brussels", "Cycle 2026", START)
    app = _app("brussels", empty_url)  # one cache across the examples, visited in any order

    @settings(max_examples=30, deadline=None)
    @given(asks=st.lists(ASKS, min_size=2, max_size=6))
    def visits(asks: list[tuple[str, str, str]]) -> None:
        for language, how, path in asks:
            client = app.test_client()
            headers = {}
            if how == "query":
                path = f"{path}?lang={language}"
            elif how == "cookie":
                client.set_cookie("lang", language)
            else:
                headers["Accept-Language"] = f"{language};q=1.0"
            page = client.get(path, headers=headers).get_data(as_text=True)
            found = _LANG.search(page)
            assert found and found.group(1) == language, (language, how, path)

    visits()
    assert len(page_cache.cache_of(app)) > 1  # the visits were served from the store too


def test_logged_in_visitors_and_api_tokens_get_fresh_answers(app: Flask, run: Run) -> None:
    _act(run)
    client: FlaskClient = app.test_client()
    client.get("/proposals")
    seen = queries(app)
    client.set_cookie("session", "anything")
    client.get("/proposals")
    assert not any("audit_head" in q for q in seen) and seen  # rendered, not looked up
    seen.clear()
    app.test_client().get("/api/proposals", headers={"Authorization": "Bearer x"})
    assert not any("audit_head" in q for q in seen) and seen


def test_the_cache_can_be_turned_off(instance: Path, empty_url: str, run: Run) -> None:
    _act(run)
    app = _app("paris", empty_url, KLEROTERION_PAGE_CACHE=False)
    client = app.test_client()
    client.get("/proposals")
    seen = queries(app)
    client.get("/proposals")
    assert len(seen) > 1 and not any("audit_head" in q for q in seen)


def test_a_database_never_written_is_not_cached(instance: Path, tmp_path: Path) -> None:
    app = _app("paris", f"sqlite:///{tmp_path / 'none.sqlite3'}")  # no tables at all
    client = app.test_client()
    assert client.get("/proposals").status_code == 200
    assert len(page_cache.cache_of(app)) == 0


def test_concurrent_reads_share_kept_connections_outside_any_transaction(
        app: Flask, run: Run) -> None:
    """Threads (``kleroterion serve``) each read on a connection; none is left in a transaction."""
    _act(run)
    reader = page_cache.reader_of(app)
    expected = reader.read()
    assert expected is not None
    barrier = threading.Barrier(page_cache.KEPT_CONNECTIONS + 4)

    def read(_: int) -> str | None:
        barrier.wait()
        return reader.read()

    def all_at_once() -> set[str | None]:
        with ThreadPoolExecutor(barrier.parties) as pool:
            return set(pool.map(read, range(barrier.parties)))

    assert all_at_once() == {expected}
    assert 1 <= len(reader._idle) <= page_cache.KEPT_CONNECTIONS
    for held in reader._idle:
        driver = held.dbapi_connection
        if reader.engine.dialect.name == "postgresql":
            from psycopg.pq import TransactionStatus

            assert driver.info.transaction_status == TransactionStatus.IDLE
        else:
            assert not driver.in_transaction
    # A change made meanwhile is seen by the next read on every kept connection.
    run(proposals.create, 1, "deliberation", "Des bancs", START)
    changed = all_at_once()
    assert len(changed) == 1 and changed != {expected}


def test_the_stamp_survives_a_restarted_server(app: Flask, run: Run, empty_url: str) -> None:
    if not empty_url.startswith("postgresql"):
        pytest.skip("a SQLite file has no server to lose")
    _act(run)
    client = app.test_client()
    first = client.get("/proposals").get_data()
    reader = page_cache.reader_of(app)
    pid = _backend_pid(reader)
    assert client.get("/proposals").get_data() == first
    assert _backend_pid(reader) == pid  # the one connection, kept between requests
    admin = make_engine(empty_url)
    with admin.begin() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()
    seen = queries(app)
    assert client.get("/proposals").get_data() == first
    # Read again on a new connection, and still served from the store.
    assert seen == [reader.statement]
    assert _backend_pid(reader) != pid


# -- the store's bounds -------------------------------------------------------------


@given(puts=st.lists(st.tuples(st.sampled_from(["a", "b"]), st.integers(0, 30),
                               st.integers(0, 40)), max_size=60))
def test_the_store_stays_within_its_bounds(puts: list[tuple[str, int, int]]) -> None:
    cache = page_cache.PageCache(max_entries=8, max_bytes=100)
    for stamp, path, size in puts:
        key = (f"/{path}", "fr", TODAY)
        cache.put(stamp, key, page_cache.Stored(b"x" * size, ()))
        assert len(cache) <= 8
        assert sum(len(s.body) for s in cache._entries.values()) == cache._bytes <= 100
        assert cache.get(stamp, key) is not None  # the last answer stored is kept
        other = "b" if stamp == "a" else "a"
        assert cache.get(other, key) is None  # never under another database stamp
