"""Fixtures of the web tests: one app per test for a city (Paris unless a test says),
its test client, and the cities and languages the pages are walked in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

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


def in_database(app: Flask, work: Callable[[Session], T]) -> T:
    """Run ``work`` in one transaction on the app's database, outside any request."""
    engine = make_engine(database_url(app))
    try:
        with session_scope(make_sessionmaker(engine), actor="test") as session:
            return work(session)
    finally:
        engine.dispose()
