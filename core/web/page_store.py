"""The page cache's second level: answers shared by every worker through Redis.

``kleroterion.web.page_cache`` keeps each worker's answers in its memory; after a write,
each of gunicorn's workers would render the same dropped page again. When the site
runs with Redis, a worker that renders a cached page also stores it there, under the
same key as in its memory (the database stamp, the full URL, the language, the date),
and a worker that does not hold an answer looks there before rendering: one render
after a write serves every worker and machine. While a worker renders a page, the
others that miss it wait a moment for its answer rather than render it at once too.
The stamp is part of the key, so an answer is never served once the database has
moved on; stored answers expire after ``TTL_SECONDS`` (those of older stamps are
never read again).

Only what the first level would store reaches Redis: answers 200 of the cached
endpoints to anonymous visitors (a request with a session, a remember-me cookie or an
``Authorization`` header never reaches either level).

Setting ``KLEROTERION_PAGE_CACHE_URL`` (app config, else the environment variable of
that name): a ``redis://HOST:PORT/DB`` (or ``rediss://``, ``unix://``) URL; unset,
the job queue's broker (``KLEROTERION_BROKER_URL``) when it is Redis; ``off``: no
second level. With no Redis (the embedded default) nothing changes. Keys start with
the queue's name (``KLEROTERION_QUEUE_NAME``, which two instances sharing a Redis
database set apart) and the city.

Redis is a help, never a need: a failure (refused, timed out, unknown host, the
``redis`` package missing) is logged once, without the URL or any page, and the
worker renders by itself; the store is tried again after ``RETRY_SECONDS``, and its
recovery is logged.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Any

from flask import Flask
from kleroterion.jobs import BROKER_SETTING, QUEUE_NAME, QUEUE_NAME_SETTING
from kleroterion.web.context import city_of

#: The Redis of the shared level (app config, else environment): ``redis://HOST:PORT/DB``;
#: unset, the broker (``KLEROTERION_BROKER_URL``) when it is Redis; ``off``: none.
URL_SETTING = "KLEROTERION_PAGE_CACHE_URL"
#: The value of the setting that turns the second level off.
OFF = "off"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
#: How long Redis keeps an answer (a day's pages are keyed by their date anyway).
TTL_SECONDS = 3600
#: The largest answer stored in Redis.
MAX_BYTES = 4 * 1024 * 1024
#: How long a worker waits for Redis before rendering by itself.
TIMEOUT_SECONDS = 0.25
#: After a failure, how long the worker renders alone before trying Redis again.
RETRY_SECONDS = 10.0

#: A page's claim: the key of a render in progress, which the other workers wait for.
CLAIM = ":rendering"
#: How long a claim holds if its worker dies before releasing it.
CLAIM_MS = 5000
#: How long a worker waits for the render another worker claimed, and how often it looks.
WAIT_SECONDS = 0.5
POLL_SECONDS = 0.005

_STORE = "kleroterion.page_store"
#: What a call to Redis gives when it failed (the caller renders by itself).
FAILED = object()
log = logging.getLogger("kleroterion.web")


def store_url(app: Flask) -> str | None:
    """The Redis URL of the shared level, or None when there is none."""
    configured = app.config.get(URL_SETTING)
    if configured is None:
        configured = os.environ.get(URL_SETTING)
    if configured is None or configured == "":
        broker = app.config.get(BROKER_SETTING) or os.environ.get(BROKER_SETTING) or ""
        return str(broker) if str(broker).startswith(REDIS_SCHEMES) else None
    value = str(configured).strip()
    if value.lower() == OFF:
        return None
    if not value.startswith(REDIS_SCHEMES):
        raise ValueError(f"{URL_SETTING} {value!r} is not a Redis URL; expected "
                         f"redis://HOST:PORT/DB, rediss://..., unix://PATH or {OFF!r}")
    return value


def encode(body: bytes, headers: tuple[tuple[str, str], ...],
           areas: frozenset[str] | None) -> bytes:
    """An answer as Redis keeps it: a JSON line (headers, areas), then the body."""
    head = {"headers": [list(pair) for pair in headers],
            "areas": None if areas is None else sorted(areas)}
    return json.dumps(head, separators=(",", ":")).encode() + b"\n" + body


def decode(data: bytes) -> tuple[bytes, tuple[tuple[str, str], ...], frozenset[str] | None]:
    line, _, body = data.partition(b"\n")
    head = json.loads(line)
    headers = tuple((str(name), str(value)) for name, value in head["headers"])
    areas = head["areas"]
    return body, headers, None if areas is None else frozenset(str(a) for a in areas)


@dataclass(frozen=True)
class Lookup:
    """What Redis holds for a page: its answer, or whether this worker renders it."""

    key: str
    data: bytes | None
    #: This worker claimed the render: it stores the answer, then releases the claim.
    mine: bool


class SharedStore:
    """Answers kept in Redis under ``prefix``; every method swallows Redis's failures."""

    def __init__(self, url: str, prefix: str) -> None:
        self.url, self.prefix = url, prefix
        self._client: Any = None
        self._down_until = 0.0
        self._failed = False
        self._lock = threading.Lock()

    def key(self, stamp: str, url: str, language: str, day: str) -> str:
        digest = hashlib.sha256("\0".join((stamp, url, language, day)).encode()).hexdigest()
        return f"{self.prefix}{digest}"

    def _redis(self) -> Any:
        if self._client is None:
            import redis  # the production extra; a missing package is a failure like others

            self._client = redis.Redis.from_url(
                self.url, socket_timeout=TIMEOUT_SECONDS,
                socket_connect_timeout=TIMEOUT_SECONDS, health_check_interval=30)
        return self._client

    def _call(self, work: str, *args: Any, **kwargs: Any) -> Any:
        """``work`` on the client, or ``FAILED`` (the worker renders) when Redis fails."""
        if self._down_until and time.monotonic() < self._down_until:
            return FAILED
        try:
            found = getattr(self._redis(), work)(*args, **kwargs)
        except Exception as error:  # a cache never fails a request
            with self._lock:
                self._down_until = time.monotonic() + RETRY_SECONDS
                first, self._failed = not self._failed, True
            if first:
                # The type only: a message may hold the URL (a password) or a host.
                log.warning("shared page cache unavailable (%s); each worker renders its "
                            "pages until it answers", type(error).__name__)
            return FAILED
        if self._failed:
            with self._lock:
                back, self._failed, self._down_until = self._failed, False, 0.0
            if back:
                log.info("shared page cache available again")
        return found

    def get(self, key: str) -> bytes | None:
        found = self._call("get", key)
        return bytes(found) if isinstance(found, bytes | bytearray) else None

    def lookup(self, key: str) -> Lookup:
        """The answer under ``key``; else whether this worker claims its render.

        After a write every worker misses the same pages at once: the first to claim
        a page renders it, the others wait for its answer (up to ``WAIT_SECONDS``)
        instead of rendering it too, and render it themselves if none comes.
        """
        data = self.get(key)
        if data is not None:
            return Lookup(key, data, mine=False)
        claimed = self._call("set", key + CLAIM, b"1", px=CLAIM_MS, nx=True)
        if claimed is FAILED or claimed:
            return Lookup(key, None, mine=claimed is not FAILED)
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
            found = self._call("mget", [key, key + CLAIM])
            if found is FAILED:
                break
            if isinstance(found[0], bytes | bytearray):
                return Lookup(key, bytes(found[0]), mine=False)
            if found[1] is None:
                break  # the render ended with no answer to share (an error, a 404)
        return Lookup(key, None, mine=False)

    def put(self, key: str, data: bytes) -> None:
        if len(data) <= MAX_BYTES:
            self._call("set", key, data, ex=TTL_SECONDS)

    def release(self, lookup: Lookup) -> None:
        """End this worker's claim on a render (stored or not)."""
        if lookup.mine:
            self._call("delete", lookup.key + CLAIM)

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):  # closing a broken connection
                client.close()


def store_of(app: Flask) -> SharedStore | None:
    """The app's shared level, made on first use (in the worker, after gunicorn forks)."""
    if _STORE not in app.extensions:
        url = store_url(app)
        store = None
        if url is not None:
            name = str(app.config.get(QUEUE_NAME_SETTING)
                       or os.environ.get(QUEUE_NAME_SETTING) or QUEUE_NAME)
            city = city_of(app).slug
            store = SharedStore(url, f"{name}:pages:{city}:")
        app.extensions[_STORE] = store
    found = app.extensions[_STORE]
    assert found is None or isinstance(found, SharedStore)
    return found


def close(app: Flask) -> None:
    store = app.extensions.pop(_STORE, None)
    if isinstance(store, SharedStore):
        store.close()
