"""A per-worker cache of the public pages and read-only API answers that is never stale.

Rendering a page of the public record costs 5 to 20 ms (queries, the ORM, Jinja, the
charts' SVG); serving it again costs a tenth of that. A stored answer is reused only
while three things hold:

- the **database has not changed**: every change goes through the services, which
  append to the hash-chained audit log and move its head row in the same transaction
  (``kleroterion.services.audit``). Each request reads that head's hash first, one
  primary-key lookup, and a stored answer made under another hash is never served,
  so a new transition, commitment or draw shows on the very next request, in every
  gunicorn worker. The hash is read before the page's own queries: a change committed
  between the two can only make a stored page newer than its hash, never older.
- the **request is the same**: the full URL (host, path, query string, so the
  language switcher's ``?lang=`` and the API's filters), the language the visitor gets
  (from ``?lang=``, the cookie or the browser's preferences, as resolved by
  ``kleroterion.web.i18n``: a French page is never served to a Dutch reader) and the
  date the pages are computed for (upcoming sessions, overdue deadlines).
- the **visitor is anonymous**: a request with a session cookie, a remember-me cookie
  or an ``Authorization`` header always gets a fresh answer, so no page or API answer
  made for someone logged in is kept.

Only answers 200 of the endpoints in ``CACHED`` are stored (not the iCalendar feed,
which is stamped with the time it was made, nor the follow-up report downloads); a
database without an audit head (never written through the services) is not cached.
The after-request hooks (security headers, the language cookie, ``Vary``) run on
every answer, stored or not. Each worker keeps at most ``MAX_ENTRIES`` answers and
``MAX_BYTES`` bytes, least recently used first out, and forgets them all when the
database changes.

Setting ``KLEROTERION_PAGE_CACHE`` (default True): False renders every request.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, request
from kleroterion.db import make_engine
from kleroterion.models import AuditHead
from kleroterion.web.database import database_url
from kleroterion.web.i18n import current_language
from kleroterion.web.public import today
from sqlalchemy import select
from sqlalchemy.pool import NullPool, PoolProxiedConnection

SETTING = "KLEROTERION_PAGE_CACHE"
_KEY = "kleroterion.page_cache"
_READER = "kleroterion.page_cache.stamp"
MAX_ENTRIES = 512
MAX_BYTES = 32 * 1024 * 1024
#: Stamp connections a worker keeps between requests (more run at once are closed after).
KEPT_CONNECTIONS = 8

#: Endpoints whose answer depends only on the database, the URL, the language and the date.
CACHED = frozenset({
    "public.home", "public.sessions_page", "public.panel", "public.powers", "public.power",
    "public.indemnity", "public.accountability",
    "records.draw_page", "records.proposals_page", "records.proposal_page",
    "records.follow_up_page", "records.follow_up_item",
    "observatory.indicators_page", "api.open_data_indicators",
    "api.city", "api.composition", "api.bodies", "api.mandate", "api.proposal_kinds",
    "api.proposal_kind", "api.indemnity", "api.accountability", "api.openapi",
    "api.draws", "api.proposals_list", "api.proposal", "api.follow_up", "api.follow_up_item",
})
#: Headers a view sets that belong to the answer itself (the hooks add the others).
_KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Link")

Key = tuple[str, str, dt.date]


@dataclass(frozen=True)
class Stored:
    body: bytes
    headers: tuple[tuple[str, str], ...]


class PageCache:
    """The answers of one worker, all made under one database stamp."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self.stamp: str | None = None
        self._entries: OrderedDict[Key, Stored] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()  # `kleroterion serve` answers from threads

    def get(self, stamp: str, key: Key) -> Stored | None:
        with self._lock:
            if stamp != self.stamp:
                return None
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, stamp: str, key: Key, stored: Stored) -> None:
        if len(stored.body) > self.max_bytes:
            return
        with self._lock:
            if stamp != self.stamp:
                # The database changed: every answer kept so far is out of date.
                self._entries.clear()
                self._bytes = 0
                self.stamp = stamp
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._bytes -= len(previous.body)
            self._entries[key] = stored
            self._bytes += len(stored.body)
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped.body)

    def __len__(self) -> int:
        return len(self._entries)


def cache_of(app: Flask) -> PageCache:
    cache = app.extensions[_KEY]
    assert isinstance(cache, PageCache)
    return cache


#: Built once: read on every cached request, it must cost next to nothing.
_STAMP = select(AuditHead.__table__.c.hash).where(AuditHead.__table__.c.id == 1)


class StampReader:
    """Reads the stamp on driver connections of its own, held from one request to the next.

    The read is the one round trip of a cached answer, so it bypasses what would
    cost more than the rest of the answer: through the request's ORM session it
    would add a ping, BEGIN and ROLLBACK (four round trips to PostgreSQL instead of
    one), and even through a Core connection the pool checkout and the statement's
    execution context cost three times the round trip itself (measured: 390 µs
    against 110 µs on loopback PostgreSQL). So the reader keeps the driver (DBAPI)
    connections it opened through its engine, one per concurrent request (a gunicorn
    sync worker needs one; ``kleroterion serve`` answers from threads), and sends the
    statement, compiled once for the database, on a fresh cursor.

    The connections are in autocommit, and a guard rollback (no round trip when no
    transaction is open) ends any transaction a driver may have begun: each read
    sees what was committed before it, and none holds a snapshot. A connection the
    server dropped (a restart) fails once: it is discarded and the read retried on
    a new one.
    """

    def __init__(self, url: str) -> None:
        # No pool: the reader keeps its connections itself, as many as requests ran at
        # once, up to KEPT_CONNECTIONS.
        self.engine = make_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        dialect = self.engine.dialect
        self.statement = str(_STAMP.compile(dialect=dialect,
                                            compile_kwargs={"literal_binds": True}))
        self._idle: list[PoolProxiedConnection] = []
        self._lock = threading.Lock()

    def _checkout(self) -> PoolProxiedConnection:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return self.engine.raw_connection()

    def _checkin(self, connection: PoolProxiedConnection) -> None:
        with self._lock:
            if len(self._idle) < KEPT_CONNECTIONS:
                self._idle.append(connection)
                return
        connection.close()

    def _discard_all(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.invalidate()
            connection.close()

    def read(self) -> str | None:
        """The audit log head's hash, or None without one (or without a database yet)."""
        dbapi = self.engine.dialect.loaded_dbapi
        for attempt in (1, 2):
            connection = self._checkout()
            try:
                cursor = connection.cursor()
                try:
                    cursor.execute(self.statement)
                    row = cursor.fetchone()
                finally:
                    cursor.close()
                connection.rollback()
            except dbapi.Error as error:
                if self.engine.dialect.is_disconnect(error, connection.dbapi_connection,
                                                     None):
                    # The server went away: every connection kept is as dead as this one.
                    connection.invalidate(error)
                    connection.close()
                    self._discard_all()
                    if attempt == 1:
                        continue
                    raise
                connection.rollback()
                self._checkin(connection)
                if isinstance(error, dbapi.OperationalError | dbapi.ProgrammingError):
                    return None  # no tables yet: nothing to cache
                raise
            except BaseException:
                connection.close()
                raise
            self._checkin(connection)
            return None if row is None else str(row[0])
        return None

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()
        self.engine.dispose()


def reader_of(app: Flask) -> StampReader:
    """The app's stamp reader, made on first use (in the worker, after gunicorn forks)."""
    reader = app.extensions.get(_READER)
    if reader is None:
        reader = app.extensions[_READER] = StampReader(database_url(app))
    assert isinstance(reader, StampReader)
    return reader


def database_stamp() -> str | None:
    """The current database stamp for the app handling this request."""
    return reader_of(current_app._get_current_object()).read()  # type: ignore[attr-defined]


def close(app: Flask) -> None:
    """Release the stamp's connections (a test's app, a server shutting down)."""
    reader = app.extensions.pop(_READER, None)
    if isinstance(reader, StampReader):
        reader.close()


def _anonymous() -> bool:
    config = current_app.config
    cookies = (config.get("SESSION_COOKIE_NAME", "session"),
               config.get("REMEMBER_COOKIE_NAME", "remember_token"))
    return "Authorization" not in request.headers and not any(
        name in request.cookies for name in cookies)


def _cached(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def answer(**kwargs: Any) -> Any:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        if not app.config.get(SETTING, True) or not _anonymous():
            return view(**kwargs)
        stamp = database_stamp()
        if stamp is None:
            return view(**kwargs)
        cache = cache_of(app)
        key: Key = (request.url, current_language(), today())
        stored = cache.get(stamp, key)
        if stored is not None:
            return Response(stored.body, status=200, headers=list(stored.headers))
        response = app.make_response(view(**kwargs))
        if response.status_code == 200 and not response.is_streamed:
            headers = tuple((name, value) for name, value in response.headers.items()
                            if name in _KEPT_HEADERS)
            cache.put(stamp, key, Stored(response.get_data(), headers))
        return response

    return answer


def init_app(app: Flask) -> None:
    """Wrap the cached endpoints' views; call once every blueprint is registered."""
    app.config.setdefault(SETTING, True)
    app.extensions[_KEY] = PageCache()
    for endpoint in CACHED & set(app.view_functions):
        app.view_functions[endpoint] = _cached(app.view_functions[endpoint])
