"""Fixtures of the lifecycle tests: a clean database per test, on SQLite and on PostgreSQL.

Every test using ``database_url`` (or ``engine``, ``factory``) runs twice: on a
SQLite file in its temporary folder, and in a fresh schema of the PostgreSQL of
``KLEROTERION_TEST_POSTGRESQL_URL`` (default: postgres@127.0.0.1:5432/test),
dropped afterwards. When no PostgreSQL answers, the PostgreSQL runs are skipped
with the reason.
"""

from __future__ import annotations

import functools
import inspect
import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from kleroterion.db import make_engine, make_sessionmaker, session_scope
from kleroterion.models import Base
from kleroterion.services.engine import LEXIMIN, SETTING, SortitionEngine
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from tests.lifecycle import engine_standin

POSTGRESQL_URL = os.environ.get(
    "KLEROTERION_TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
T = TypeVar("T")


@functools.cache
def postgresql_unavailable() -> str | None:
    """Why PostgreSQL tests cannot run here, or None when the server answers."""
    try:
        engine = create_engine(POSTGRESQL_URL, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except Exception as error:  # any failure to connect means: skip, with the reason
        return (f"no PostgreSQL answers at KLEROTERION_TEST_POSTGRESQL_URL={POSTGRESQL_URL} "
                f"({type(error).__name__})")
    return None


def _schema_url(schema: str) -> str:
    separator = "&" if "?" in POSTGRESQL_URL else "?"
    return f"{POSTGRESQL_URL}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """An empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/kleroterion.sqlite3"
        return
    reason = postgresql_unavailable()
    if reason:
        pytest.skip(reason)
    schema = "klt_" + uuid.uuid4().hex[:16]
    admin = create_engine(POSTGRESQL_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _schema_url(schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a database holding the current models' tables."""
    engine = make_engine(database_url)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


@pytest.fixture
def run(factory: sessionmaker[Session], sortition_engine: SortitionEngine) -> Callable[..., Any]:
    """``run(service, *args, **kwargs)``: call a service in its own committed transaction.

    A service that takes an ``engine`` is given the test's (``sortition_engine``)
    unless the call names one.
    """

    def call(service: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if "engine" not in kwargs and _takes_engine(service):
            kwargs["engine"] = sortition_engine
        with session_scope(factory, actor="test") as session:
            return service(session, *args, **kwargs)

    return call


@pytest.fixture(autouse=True)
def instance_folder(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """An instance folder of the test's own: panel draws write their lottery folders there."""
    monkeypatch.setenv("KLEROTERION_INSTANCE_PATH", str(tmp_path / "instance"))


def _takes_engine(service: Callable[..., Any]) -> bool:
    try:
        return "engine" in inspect.signature(service).parameters
    except (TypeError, ValueError):
        return False


@pytest.fixture(autouse=True)
def sortition_engine(request: pytest.FixtureRequest,
                     monkeypatch: pytest.MonkeyPatch) -> SortitionEngine:
    """A quick stand-in for the engine, unless a test is marked ``real_engine``.

    These tests are about persistence and the domain's rules, not fairness (the engine
    has its own tests); exact LEXIMIN on every panel of every test would take minutes.
    The engine is chosen as an installation chooses it: the setting
    ``KLEROTERION_SORTITION_ENGINE`` (for the commands and the apps a test makes), and
    the ``engine`` parameter of the services ``run`` calls.
    """
    if request.node.get_closest_marker("real_engine") is not None:
        monkeypatch.delenv(SETTING, raising=False)
        return LEXIMIN
    monkeypatch.setenv(SETTING, engine_standin.SETTING)
    return engine_standin.ENGINE


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "real_engine: draw with the real sortition engine")
