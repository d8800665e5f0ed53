"""Fixtures of the web tests: one app per test for a city (Paris unless a test says),
its test client, and the cities and languages the pages are walked in."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kleroterion.db import make_engine, make_sessionmaker, session_scope
from kleroterion.web import INSTANCE_ENV, create_app
from kleroterion.web.database import database_url
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
