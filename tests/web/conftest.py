"""Fixtures of the web tests: one app per test for a city (Paris unless a test says),
its test client, and the cities and languages the pages are walked in; an app on a
database a test fills first; services run as another process would; apps closed after."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kleroterion.db import make_engine, make_sessionmaker, session_scope, upgrade
from kleroterion.web import INSTANCE_ENV, create_app, page_cache
from kleroterion.web.database import _factory, database_url
from sqlalchemy import event
from sqlalchemy.orm import Session

# ``empty_url``: an empty database per test, a SQLite file and (when the server answers)
# a PostgreSQL schema of its own, as the lifecycle tests have it.
from tests.lifecycle.conftest import database_url as empty_url  # noqa: F401

CITIES = ("paris", "poitiers", "brussels")

#: Every language each bundled city's site offers.
CITY_LANGUAGES = {"paris": ("fr", "en"), "poitiers": ("fr", "en"), "brussels": ("fr", "nl", "en")}


@pytest.fixture
def city() -> str:
    """The city under test; override with ``@pytest.mark.parametrize("city", ...)``."""
    return "paris"


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh instance folder, as ``KLEROTERION_INSTANCE_PATH``."""
    folder = tmp_path / "instance"
    monkeypatch.setenv(INSTANCE_ENV, str(folder))
    monkeypatch.delenv("KLEROTERION_SECRET_KEY", raising=False)
    monkeypatch.delenv("KLEROTERION_CITY", raising=False)
    return folder


@pytest.fixture
def app(city: str, instance: Path) -> Iterator[Flask]:
    application = create_app(city, {"TESTING": True, "SECRET_KEY": "test secret"})
    yield application


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


T = TypeVar("T")


@contextmanager
def instance_folder(folder: Path) -> Iterator[Path]:
    """``KLEROTERION_INSTANCE_PATH`` set to ``folder`` for a while (a module's fixture,
    where ``monkeypatch`` cannot reach): apps created meanwhile keep their database there."""
    previous = os.environ.get(INSTANCE_ENV)
    os.environ[INSTANCE_ENV] = str(folder)
    try:
        yield folder
    finally:
        if previous is None:
            os.environ.pop(INSTANCE_ENV, None)
        else:
            os.environ[INSTANCE_ENV] = previous


def in_database(app: Flask, work: Callable[[Session], T]) -> T:
    """Run ``work`` in one transaction on the app's database, outside any request."""
    engine = make_engine(database_url(app))
    try:
        with session_scope(make_sessionmaker(engine), actor="test") as session:
            return work(session)
    finally:
        engine.dispose()


def seeded_database(path: Path, fill: Callable[[Session], object]) -> str:
    """The URL of a new SQLite database at ``path``, migrated, holding what ``fill`` writes
    in one transaction (as the actor ``test``)."""
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with session_scope(make_sessionmaker(engine), actor="test") as session:
            fill(session)
    finally:
        engine.dispose()
    return url


def app_on(city: str, database: str, today: dt.date) -> Flask:
    """An app of ``city`` on ``database`` (see :func:`seeded_database`), on the day ``today``."""
    return create_app(city, {"TESTING": True, "SECRET_KEY": "test",
                             "KLEROTERION_DATABASE_URL": database, "KLEROTERION_TODAY": today})


#: A service called as :func:`run` calls it: ``run(service, *args, **kwargs)``.
Run = Callable[..., Any]


@pytest.fixture
def run(empty_url: str) -> Iterator[Run]:  # noqa: F811 (the fixture imported above)
    """Call a service in a committed transaction of its own, as another process (the back
    office, the CLI) would, on the migrated database ``empty_url``."""
    upgrade(empty_url)
    engine = make_engine(empty_url)
    factory = make_sessionmaker(engine)

    def call(service: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with session_scope(factory, actor="test") as session:
            return service(session, *args, **kwargs)

    yield call
    engine.dispose()


def queries(app: Flask) -> list[str]:
    """The statements ``app`` sends from now on: its sessions' and the page cache's stamp's.

    The stamp goes on a driver connection of its own, below the engine's events, so
    its reads are counted where they are made.
    """
    seen: list[str] = []
    event.listen(_factory(app).kw["bind"], "before_cursor_execute",
                 lambda _c, _r, statement, *_: seen.append(statement))
    reader = page_cache.reader_of(app)
    read = reader.read

    def counted() -> page_cache.Stamp | None:
        seen.append(reader.statement)
        return read()

    reader.read = counted  # type: ignore[method-assign]
    return seen


_MADE: list[Flask] = []


def closed_after(app: Flask) -> Flask:
    """``app``, whose page cache and connections the fixture ``close_apps`` releases after
    the test (PostgreSQL's would warn when lost)."""
    _MADE.append(app)
    return app


@pytest.fixture
def close_apps() -> Iterator[None]:
    """Release every app :func:`closed_after` was given during the test."""
    yield
    while _MADE:
        made = _MADE.pop()
        page_cache.close(made)
        if "kleroterion.sessionmaker" in made.extensions:
            _factory(made).kw["bind"].dispose()


# -- Browser tests: Debian's chromium through Playwright, and axe-core from npm ----------
# (tests/web/test_browser.py explains both; every browser test module shares these.)

CHROMIUM = Path(os.environ.get("KLEROTERION_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).parent / ".axe" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.skip(f"axe-core is missing: npm install --prefix {AXE.parents[2]} axe-core")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    # bypass_csp: the site's policy forbids inline scripts, axe is injected as one.
    context = browser.new_context(bypass_csp=True, locale="fr-FR")
    yield context.new_page()
    context.close()
