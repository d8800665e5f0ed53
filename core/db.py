"""Where the database is, how to open it, and one transaction per unit of work.

The URL is ``KLEROTERION_DATABASE_URL`` when set (PostgreSQL in production:
``postgresql+psycopg://user@host/db``), else the SQLite file ``kleroterion.sqlite3``
in the instance folder (:func:`instance_path`).

``session_scope`` is the one way services are run: everything inside commits
together or not at all, and the plugin event hooks queued by services
(``queue_event``) run only after a successful commit, so a hook never reports a
change that was rolled back.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

DATABASE_URL_VARIABLE = "KLEROTERION_DATABASE_URL"
INSTANCE_PATH_VARIABLE = "KLEROTERION_INSTANCE_PATH"
SQLITE_FILENAME = "kleroterion.sqlite3"

#: session.info keys
_EVENTS = "kleroterion.events"
ACTOR = "kleroterion.actor"


def instance_path() -> Path:
    """The instance folder, the one rule for the CLI, the web app and the workers.

    ``KLEROTERION_INSTANCE_PATH`` when set, else ``instance`` in the current directory;
    either made absolute against the current directory, so that a command and the web
    app started from the same directory read and write the same folder (lottery
    folders, letters, exports, the SQLite database and queue, the secret key).
    """
    return Path(os.environ.get(INSTANCE_PATH_VARIABLE) or "instance").resolve()


def database_url() -> str:
    """The configured URL, or the instance folder's SQLite file."""
    url = os.environ.get(DATABASE_URL_VARIABLE)
    if url:
        return url
    return f"sqlite:///{instance_path() / SQLITE_FILENAME}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite; the domain relies on them.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url`` (default: :func:`database_url`); creates the SQLite folder."""
    url = url or database_url()
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    # A failing statement's parameters are rows of personal data: never in a message.
    kwargs.setdefault("hide_parameters", True)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _run_events(session: Session) -> None:
    pending = session.info.pop(_EVENTS, [])
    for callback in pending:
        callback()


def _drop_events(session: Session, *_: Any) -> None:
    session.info.pop(_EVENTS, None)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose sessions run queued event hooks after each commit."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    event.listen(factory, "after_commit", _run_events)
    event.listen(factory, "after_rollback", _drop_events)
    return factory


def queue_event(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the session's transaction commits; forget it on rollback."""
    session.info.setdefault(_EVENTS, []).append(callback)


@contextmanager
def session_scope(
    factory: sessionmaker[Session] | Engine | None = None, *, actor: str = "system"
) -> Iterator[Session]:
    """One transaction: commit when the block ends normally, roll back on any exception.

    ``actor`` names who makes the changes; the audit log records it.
    """
    if factory is None:
        factory = make_sessionmaker(make_engine())
    elif isinstance(factory, Engine):
        factory = make_sessionmaker(factory)
    session = factory()
    session.info[ACTOR] = actor
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str | None = None) -> Any:
    """The Alembic configuration of the shipped migrations, for ``url``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("kleroterion") / "migrations")
    )
    # ConfigParser interpolation would read "%" in a password as a reference.
    config.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Bring the database at ``url`` up to ``revision`` with the shipped migrations."""
    from alembic import command

    url = url or database_url()
    make_engine(url).dispose()  # creates the SQLite folder when needed
    command.upgrade(alembic_config(url), revision)


def current_revision(url: str | None = None) -> str | None:
    """The revision the database is at, or None when it has never been migrated."""
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
