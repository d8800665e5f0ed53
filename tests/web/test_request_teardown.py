"""The end of a request never fails: a database connection the server terminated (a
PostgreSQL restart, an administrator's pg_terminate_backend) is dropped quietly."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from kleroterion.db import make_engine, upgrade
from kleroterion.web import create_app
from kleroterion.web.database import db_session
from sqlalchemy import text


def _terminate(url: str, pid: int) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        engine.dispose()


def test_a_terminated_connection_does_not_fail_the_request(instance: Path,
                                                           empty_url: str) -> None:
    if not empty_url.startswith("postgresql"):
        pytest.skip("only a server terminates connections")
    upgrade(empty_url)
    app: Flask = create_app("paris", {"TESTING": True, "SECRET_KEY": "t",
                                      "KLEROTERION_DATABASE_URL": empty_url})

    @app.route("/_probe")
    def probe() -> str:
        session = db_session()
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        _terminate(empty_url, pid)
        return "read"

    try:
        response = app.test_client().get("/_probe")
        assert response.status_code == 200 and response.get_data(as_text=True) == "read"
        assert app.test_client().get("/").status_code == 200  # the pool recovers
    finally:
        app.extensions["kleroterion.sessionmaker"].kw["bind"].dispose()
