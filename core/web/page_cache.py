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
``MAX_BYTES`` bytes, least recently used first out.

**A write drops only what it changed.** The stamp read carries the head's sequence
number too. When it moves (from ``seq`` a to b), the worker reads the actions of the
audit entries a+1..b (one indexed query, once per change and worker, not per
request) and drops the answers of the areas those actions change (``CHANGES``: an
act moved drops the acts' and follow-up's pages, not the panel's or the sessions'),
keeping the others under the new stamp. An action ``CHANGES`` does not list, more
than ``MAX_STEPS`` entries at once, a log whose entries do not match the head
(rewritten, emptied) or a failed read drop everything, as before. An answer made
under an older stamp than the store's is not stored.

**Workers share their renders through Redis** when the site has it: the second level
(``kleroterion.web.page_store``), keyed by the stamp, URL, language and date too, is
read when this worker holds no answer and written with each answer this worker
stores, so one render after a write serves every worker; with no Redis, or when it
fails, each worker renders for itself.

Setting ``KLEROTERION_PAGE_CACHE`` (default True): False renders every request (and
skips Redis). ``KLEROTERION_PAGE_CACHE_URL``: see ``kleroterion.web.page_store``.
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
from kleroterion.models import AuditEntry, AuditHead
from kleroterion.web import page_store
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

#: What each cached endpoint shows of the database, by area; none: the configuration only.
_ACTS = frozenset({"mandate", "proposals"})
AREAS: dict[str, frozenset[str] | None] = {
    # The record's indicators count everything (attendance, indemnities, answers...).
    "observatory.indicators_page": None, "api.open_data_indicators": None,
    "public.home": frozenset({"mandate", "sessions"}),
    "public.sessions_page": frozenset({"mandate", "sessions"}),
    "public.panel": frozenset({"mandate", "members"}),
    "records.draw_page": frozenset({"mandate", "draws"}), "api.draws": frozenset({"mandate",
                                                                                 "draws"}),
    **{endpoint: _ACTS for endpoint in (
        "records.proposals_page", "records.proposal_page", "records.follow_up_page",
        "records.follow_up_item", "api.proposals_list", "api.proposal", "api.follow_up",
        "api.follow_up_item")},
    **{endpoint: frozenset() for endpoint in (
        "public.powers", "public.power", "public.indemnity", "public.accountability",
        "api.city", "api.composition", "api.bodies", "api.mandate", "api.proposal_kinds",
        "api.proposal_kind", "api.indemnity", "api.accountability", "api.openapi")},
}
#: The areas an audited action changes, by action or by its prefix before the dot. An
#: action not listed here (a draw, a member's change, a mandate, a purge) changes all.
CHANGES: dict[str, frozenset[str]] = {
    "proposal": frozenset({"proposals"}), "followup": frozenset({"proposals"}),
    "session.add": frozenset({"sessions"}),
    # Shown on no cached page: attendance, indemnities, accounts, tokens, exports.
    "attendance.record": frozenset(), "indemnity": frozenset(), "user": frozenset(),
    "token": frozenset(), "personal_data.export": frozenset(),
    "personal_data.update": frozenset(),
}
#: Entries between two stamps read to drop only what changed; more drop everything.
MAX_STEPS = 64


def changed_areas(actions: list[str]) -> frozenset[str] | None:
    """The areas a run of audited actions changed, or None for all of them."""
    areas: set[str] = set()
    for action in actions:
        found = CHANGES.get(action, CHANGES.get(action.split(".", 1)[0]))
        if found is None:
            return None
        areas |= found
    return frozenset(areas)


class Stamp(str):
    """The audit head's hash, which a stored answer is made under, with its sequence number."""

    seq: int | None = None

    @classmethod
    def of(cls, text: str, seq: int | None) -> Stamp:
        stamp = cls(text)
        stamp.seq = seq
        return stamp


@dataclass(frozen=True)
class Stored:
    body: bytes
    headers: tuple[tuple[str, str], ...]
    #: What of the database the answer shows (``AREAS``); None: everything.
    areas: frozenset[str] | None = None


class PageCache:
    """The answers of one worker, all valid under one database stamp."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self.stamp: str | None = None
        self._entries: OrderedDict[Key, Stored] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()  # `kleroterion serve` answers from threads

    def _clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    def advance(self, stamp: str,
                actions: Callable[[int, int], list[str] | None]) -> None:
        """Move the store to ``stamp``, dropping the answers of what changed since.

        ``actions(a, b)`` gives the actions of the audit entries a+1..b, or None when
        they cannot be read whole.
        """
        with self._lock:
            if stamp == self.stamp:
                return
            old = getattr(self.stamp, "seq", None)
            new = getattr(stamp, "seq", None)
            if old is not None and new is not None and new < old:
                return  # an older stamp than the store's: a slow request, not the news
            areas = None
            if old is not None and new is not None and 0 < new - old <= MAX_STEPS:
                found = actions(old, new)
                areas = changed_areas(found) if found is not None else None
            if areas is None:
                self._clear()
            else:
                for key in [k for k, v in self._entries.items()
                            if v.areas is None or v.areas & areas]:
                    self._bytes -= len(self._entries.pop(key).body)
            self.stamp = stamp

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
                old = getattr(self.stamp, "seq", None)
                new = getattr(stamp, "seq", None)
                if old is not None and new is not None and new <= old:
                    return  # made under an older stamp: it may show what has changed
                # The database changed in ways not read: every answer kept is out of date.
                self._clear()
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
_HEAD = AuditHead.__table__.c
_STAMP = select(_HEAD.hash, _HEAD.seq).where(_HEAD.id == 1)
_LOG = AuditEntry.__table__.c


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

    def read(self) -> Stamp | None:
        """The audit log head's hash (and seq), or None without one (or without a database)."""
        rows = self._run(self.statement)
        if not rows:
            return None
        return Stamp.of(str(rows[0][0]), int(rows[0][1]))

    def actions(self, after: int, upto: int) -> list[str] | None:
        """The actions of audit entries after..upto, or None unless every one is there."""
        statement = select(_LOG.action).where(_LOG.seq > int(after), _LOG.seq <= int(upto))
        try:
            rows = self._run(str(statement.compile(dialect=self.engine.dialect,
                                                   compile_kwargs={"literal_binds": True})))
        except Exception:
            return None
        if rows is None or len(rows) != upto - after:
            return None
        return [str(row[0]) for row in rows]

    def _run(self, statement: str) -> list[Any] | None:
        """The rows of a statement on a kept connection; None when there are no tables."""
        dbapi = self.engine.dialect.loaded_dbapi
        for attempt in (1, 2):
            connection = self._checkout()
            try:
                cursor = connection.cursor()
                try:
                    cursor.execute(statement)
                    rows = list(cursor.fetchall())
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
            return rows
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


def database_stamp() -> Stamp | None:
    """The current database stamp for the app handling this request."""
    return reader_of(current_app._get_current_object()).read()  # type: ignore[attr-defined]


def close(app: Flask) -> None:
    """Release the stamp's connections (a test's app, a server shutting down)."""
    reader = app.extensions.pop(_READER, None)
    if isinstance(reader, StampReader):
        reader.close()
    page_store.close(app)


def _anonymous() -> bool:
    config = current_app.config
    cookies = (config.get("SESSION_COOKIE_NAME", "session"),
               config.get("REMEMBER_COOKIE_NAME", "remember_token"))
    return "Authorization" not in request.headers and not any(
        name in request.cookies for name in cookies)


def shared_answer(data: bytes | None) -> Stored | None:
    """An answer the workers share in Redis, if readable."""
    if data is None:
        return None
    try:
        return Stored(*page_store.decode(data))
    except (ValueError, KeyError, TypeError):  # not stored by this version: render it
        return None


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
        cache.advance(stamp, reader_of(app).actions)
        key: Key = (request.url, current_language(), today())
        stored = cache.get(stamp, key)
        if stored is not None:
            return Response(stored.body, status=200, headers=list(stored.headers))
        shared = page_store.store_of(app)
        found = shared.lookup(shared.key(stamp, key[0], key[1], key[2].isoformat())
                              ) if shared is not None else None
        stored = shared_answer(found.data if found is not None else None)
        if stored is not None:  # another worker's render, under the same stamp
            cache.put(stamp, key, stored)
            return Response(stored.body, status=200, headers=list(stored.headers))
        try:
            response = app.make_response(view(**kwargs))
            if response.status_code == 200 and not response.is_streamed:
                headers = tuple((name, value) for name, value in response.headers.items()
                                if name in _KEPT_HEADERS)
                stored = Stored(response.get_data(), headers,
                                AREAS.get(str(request.endpoint)))
                cache.put(stamp, key, stored)
                if shared is not None and found is not None:
                    shared.put(found.key, page_store.encode(stored.body, stored.headers,
                                                            stored.areas))
        finally:
            if shared is not None and found is not None:
                shared.release(found)
        return response

    return answer


def init_app(app: Flask) -> None:
    """Wrap the cached endpoints' views; call once every blueprint is registered."""
    app.config.setdefault(SETTING, True)
    page_store.store_url(app)  # a setting that names no Redis stops the app here
    app.extensions[_KEY] = PageCache()
    for endpoint in CACHED & set(app.view_functions):
        app.view_functions[endpoint] = _cached(app.view_functions[endpoint])
