"""The app's database: one engine per app, one SQLAlchemy session per request.

The URL is the app's ``KLEROTERION_DATABASE_URL`` setting, else the environment
variable of that name, else the SQLite file ``kleroterion.sqlite3`` in the app's
instance folder (where ``kleroterion db upgrade`` puts it, see ``kleroterion.db``).
The engine is made on first use, so building the app never touches the database;
pages read through the services with ``db_session()``, closed when the request ends.
Closing never fails the request: a connection the server terminated meanwhile (a
restart, ``pg_terminate_backend``) cannot be rolled back; it is invalidated, so the
pool replaces it, and the answer already made is sent.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask, current_app, g
from kleroterion.db import DATABASE_URL_VARIABLE, SQLITE_FILENAME, make_engine, make_sessionmaker
from kleroterion.models import Mandate
from kleroterion.web.context import current_city
from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

URL_SETTING = "KLEROTERION_DATABASE_URL"
_FACTORY = "kleroterion.sessionmaker"
_SESSION = "kleroterion_db_session"

log = logging.getLogger(__name__)


def database_url(app: Flask) -> str:
    return str(app.config[URL_SETTING])


def _factory(app: Flask) -> sessionmaker[Session]:
    factory = app.extensions.get(_FACTORY)
    if factory is None:
        engine: Engine = make_engine(database_url(app), pool_pre_ping=True)
        factory = make_sessionmaker(engine)
        app.extensions[_FACTORY] = factory
    assert isinstance(factory, sessionmaker)
    return factory


def db_session() -> Session:
    """The current request's session (created on first use)."""
    session = g.get(_SESSION)
    if session is None:
        session = _factory(current_app)()
        setattr(g, _SESSION, session)
    assert isinstance(session, Session)
    return session


def current_engine() -> Engine:
    """The app's engine, for a change made in its own transaction (``session_scope``)."""
    bind = _factory(current_app).kw["bind"]
    assert isinstance(bind, Engine)
    return bind


def current_mandate() -> Mandate | None:
    """The mandate the back office works on: the sitting one that started first.

    Two promotions may sit at once (Paris); the one in full work (its acts, attendance
    and indemnities under way) comes first, a newly opened one once the other ended.
    Without a sitting one: the last that started, else the first to come. The public
    site shows every mandate (``kleroterion.web.promotions``). None when there is none
    (or no database yet): a site started before ``kleroterion db upgrade`` shows its
    configuration pages and says that no mandate is open, rather than failing.
    """
    from kleroterion.web.promotions import status_of
    from kleroterion.web.public import today

    try:
        every = list(db_session().scalars(
            select(Mandate).where(Mandate.city == current_city().slug)
            .order_by(Mandate.starts_on, Mandate.id)))
    except (OperationalError, ProgrammingError):
        db_session().rollback()
        return None
    day = today()
    sitting = [m for m in every if status_of(m, day) == "sitting"]
    if sitting:
        return sitting[0]
    started = [m for m in every if m.starts_on <= day]
    return started[-1] if started else (every[0] if every else None)


def _close(_: BaseException | None) -> None:
    session = g.pop(_SESSION, None)
    if session is None:
        return
    try:
        session.close()
    except DBAPIError as error:
        # The class of error only: its text may quote the statement's parameters.
        log.warning("dropped a broken database connection at the end of a request (%s)",
                    type(error.orig).__name__)
        session.invalidate()


def init_app(app: Flask) -> None:
    if not app.config.get(URL_SETTING):
        app.config[URL_SETTING] = os.environ.get(DATABASE_URL_VARIABLE) or (
            f"sqlite:///{Path(app.instance_path).resolve() / SQLITE_FILENAME}"
        )
    app.teardown_appcontext(_close)
