"""The page cache's second level in Redis (``kleroterion.web.page_store``): one worker's
render serves the others, a write is seen by all of them, a visitor's own pages are
never stored, and a Redis that fails never fails a request.

Two apps on one database and one Redis stand for two gunicorn workers (or machines).
The tests that need Redis use the server at ``KLEROTERION_TEST_REDIS_URL`` (default
127.0.0.1:6379) under a queue name of their own, and skip, saying why, when none
answers; the others need no server.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from kleroterion.services import mandates, proposals
from kleroterion.web import create_app, page_cache, page_store
from kleroterion.web.public import TODAY_SETTING

from .conftest import Run, closed_after, queries

pytestmark = pytest.mark.usefixtures("close_apps")

REDIS_URL = os.environ.get("KLEROTERION_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
START = dt.date(2026, 1, 5)
TODAY = dt.date(2026, 3, 2)
PAGES = ("/proposals", "/api/proposals", "/follow-up?lang=en", "/api/proposals/{act}")


def _redis_unavailable() -> str | None:
    try:
        import redis
    except ImportError:
        return "the redis client is not installed (pip install 'kleroterion[production]')"
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as error:
        return f"no Redis answers at KLEROTERION_TEST_REDIS_URL={REDIS_URL} ({error})"
    return None


@pytest.fixture
def queue() -> Iterator[str]:
    """A queue name of the test's own on the shared Redis; its keys are removed after."""
    reason = _redis_unavailable()
    if reason:
        pytest.skip(reason)
    import redis

    name = f"test-{uuid.uuid4().hex[:12]}"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{name}:*"):
        client.delete(key)
    client.close()


def _worker(url: str, **settings: Any) -> Flask:
    return closed_after(create_app("paris", {"TESTING": True, "SECRET_KEY": "test",
                                             TODAY_SETTING: TODAY, "KLEROTERION_DATABASE_URL": url,
                                             "KLEROTERION_BROKER_URL": "memory://", **settings}))


def _workers(url: str, queue: str, count: int = 2) -> list[Flask]:
    return [_worker(url, KLEROTERION_PAGE_CACHE_URL=REDIS_URL, KLEROTERION_QUEUE_NAME=queue)
            for _ in range(count)]


def _stored(queue: str) -> list[bytes]:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        return list(client.scan_iter(f"{queue}:*"))
    finally:
        client.close()


def _act(run: Run) -> int:
    mandate = run(mandates.open_mandate, "paris", "Promotion 2026", START)
    return int(run(proposals.create, mandate.id, "voeu", "Des fontaines", START).id)


def test_one_workers_render_serves_the_other(empty_url: str, run: Run, queue: str) -> None:
    act = _act(run)
    first, second = _workers(empty_url, queue)
    paths = [path.format(act=act) for path in PAGES]
    rendered = {path: first.test_client().get(path) for path in paths}
    assert len(_stored(queue)) == len(paths)  # the answers; their claims are released
    seen = queries(second)
    for path in paths:
        served = second.test_client().get(path)
        assert served.status_code == 200
        assert served.get_data() == rendered[path].get_data(), path
        assert served.headers["Content-Type"] == rendered[path].headers["Content-Type"]
        assert served.headers["X-Frame-Options"] == "DENY"  # the hooks still ran
    # The stamp's read and nothing else: no worker rendered the pages again.
    assert seen and all("audit_head" in statement for statement in seen), seen
    assert len(seen) == len(paths)
    # Kept in the second worker's memory too: Redis is asked once per page.
    assert second.test_client().get(paths[0]).get_data() == rendered[paths[0]].get_data()


def test_a_write_shows_in_both_workers(empty_url: str, run: Run, queue: str) -> None:
    act = _act(run)
    workers = _workers(empty_url, queue)
    paths = [path.format(act=act) for path in PAGES]
    before = {path: workers[0].test_client().get(path).get_data() for path in paths}
    for path in paths:
        assert workers[1].test_client().get(path).get_data() == before[path]
    target, _actor = run(proposals.allowed_moves, act)[0]
    run(proposals.move, act, target, START + dt.timedelta(days=3), reason="vote en séance")
    fresh = _worker(empty_url, KLEROTERION_PAGE_CACHE=False)
    for path in paths:
        expected = fresh.test_client().get(path).get_data()
        assert expected != before[path] or path.startswith("/follow-up"), path
        for worker in workers:
            assert worker.test_client().get(path).get_data() == expected, path


def _shared_key(app: Flask, path: str, language: str = "fr") -> str:
    store = page_store.store_of(app)
    stamp = page_cache.reader_of(app).read()
    assert store is not None and stamp is not None
    return store.key(stamp, f"http://localhost{path}", language, TODAY.isoformat())


def test_a_worker_waits_for_the_render_another_claimed(
        empty_url: str, run: Run, queue: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import redis

    _act(run)
    (app,) = _workers(empty_url, queue, count=1)
    monkeypatch.setattr(page_store, "WAIT_SECONDS", 30.0)  # patient: the machine is busy
    key = _shared_key(app, "/proposals")
    client = redis.Redis.from_url(REDIS_URL)
    # Another worker claimed the page and stores its render a moment later.
    client.set(key + page_store.CLAIM, b"1", px=30_000)
    theirs = page_store.encode(b"<p>rendered by the other worker</p>",
                               (("Content-Type", "text/html; charset=utf-8"),),
                               frozenset({"mandate", "proposals"}))
    later = threading.Timer(0.05, lambda: client.set(key, theirs))
    seen = queries(app)
    later.start()
    try:
        answer = app.test_client().get("/proposals")
    finally:
        later.join()
        client.close()
    assert answer.get_data() == b"<p>rendered by the other worker</p>"
    assert len(seen) == 1 and "audit_head" in seen[0]  # it did not render the page


def test_a_claim_never_answered_is_rendered_anyway(
        empty_url: str, run: Run, queue: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import redis

    _act(run)
    (app,) = _workers(empty_url, queue, count=1)
    monkeypatch.setattr(page_store, "WAIT_SECONDS", 0.05)
    key = _shared_key(app, "/proposals")
    client = redis.Redis.from_url(REDIS_URL)
    client.set(key + page_store.CLAIM, b"1", px=30_000)  # a worker that died rendering
    client.close()
    fresh = _worker(empty_url, KLEROTERION_PAGE_CACHE=False)
    assert app.test_client().get("/proposals").get_data() == (
        fresh.test_client().get("/proposals").get_data())
    assert key.encode() in _stored(queue)  # and shared


def test_a_visitors_own_pages_are_never_stored(empty_url: str, run: Run, queue: str) -> None:
    act = _act(run)
    (app,) = _workers(empty_url, queue, count=1)
    signed_in = app.test_client()
    signed_in.set_cookie("session", "a signed-in visitor's session")
    for path in PAGES:
        assert signed_in.get(path.format(act=act)).status_code == 200
        assert app.test_client().get(path.format(act=act),
                                     headers={"Authorization": "Bearer a-token"}
                                     ).status_code in (200, 401)
    assert _stored(queue) == []
    assert app.test_client().get("/proposals").status_code == 200  # anonymous: stored
    assert len(_stored(queue)) == 1


def test_a_failing_redis_never_fails_a_request(empty_url: str, run: Run,
                                               caplog: pytest.LogCaptureFixture) -> None:
    act = _act(run)
    password = "s3cret-redis-password"
    # Nothing listens on port 1: every connection is refused.
    app = _worker(empty_url, KLEROTERION_PAGE_CACHE_URL=f"redis://:{password}@127.0.0.1:1/0")
    fresh = _worker(empty_url, KLEROTERION_PAGE_CACHE=False)
    caplog.set_level(logging.INFO, logger="kleroterion")
    for _ in range(2):
        for path in PAGES:
            answer = app.test_client().get(path.format(act=act))
            assert answer.status_code == 200
            assert answer.get_data() == fresh.test_client().get(path.format(act=act)).get_data()
    warned = [r for r in caplog.records if "shared page cache" in r.getMessage()]
    assert len(warned) == 1, [r.getMessage() for r in warned]
    assert password not in warned[0].getMessage() and "127.0.0.1" not in warned[0].getMessage()
    assert warned[0].exc_info is None


def test_the_setting(instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(page_store.URL_SETTING, raising=False)
    monkeypatch.delenv("KLEROTERION_BROKER_URL", raising=False)

    def url(**settings: Any) -> str | None:
        return page_store.store_url(_config(**settings))

    # The embedded default: no Redis, no second level, the app as before.
    assert url() is None
    assert url(KLEROTERION_BROKER_URL="sqlite:////tmp/jobs.sqlite3") is None
    assert url(KLEROTERION_BROKER_URL="redis://cache:6379/0") == "redis://cache:6379/0"
    assert url(KLEROTERION_BROKER_URL="redis://cache:6379/0",
               KLEROTERION_PAGE_CACHE_URL="off") is None
    assert url(KLEROTERION_PAGE_CACHE_URL="redis://other:6379/2") == "redis://other:6379/2"
    monkeypatch.setenv(page_store.URL_SETTING, "rediss://env:6380/1")
    assert url() == "rediss://env:6380/1"
    monkeypatch.delenv(page_store.URL_SETTING)
    with pytest.raises(ValueError, match=r"KLEROTERION_PAGE_CACHE_URL 'memcached://x'.*redis://"):
        create_app("paris", {"TESTING": True, "SECRET_KEY": "test",
                             page_store.URL_SETTING: "memcached://x"})
    app = create_app("paris", {"TESTING": True, "SECRET_KEY": "test"})
    assert page_store.store_of(app) is None


def _config(**settings: Any) -> Flask:
    app = Flask("settings")
    app.config.update(settings)
    return app


def test_an_answer_survives_the_trip() -> None:
    headers = (("Content-Type", "text/html; charset=utf-8"), ("Link", "</a>; rel=x"))
    for areas in (None, frozenset(), frozenset({"mandate", "proposals"})):
        body = "Vœux\n{\"json\": true}\n".encode()
        assert page_store.decode(page_store.encode(body, headers, areas)) == (
            body, headers, areas)
