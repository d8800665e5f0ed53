"""What the app tells browsers and proxies: HSTS over https, ``no-store`` on what is private;
and a GET that writes nothing, not even the expiry of an interrupted draw."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kleroterion.db import session_scope
from kleroterion.models import Draw
from kleroterion.services import panel
from kleroterion.web import create_app
from sqlalchemy import Engine, event, select

from .test_access import _urls, api_token, log_in
from .test_panel_draw import GROUP, PAGE, _factory, pool  # noqa: F401 (a fixture)

HSTS = "Strict-Transport-Security"


def test_hsts_is_sent_over_https_only(client: FlaskClient) -> None:
    assert HSTS not in client.get("/").headers
    header = client.get("/", base_url="https://localhost").headers[HSTS]
    assert header == "max-age=31536000; includeSubDomains"


def test_hsts_follows_the_proxy_scheme_only_when_the_proxy_is_trusted(instance: Path) -> None:
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.5"}
    behind = create_app("paris", {"TESTING": True, "SECRET_KEY": "t",
                                  "KLEROTERION_TRUSTED_PROXIES": 1}).test_client()
    assert behind.get("/", headers=forwarded).headers[HSTS].startswith("max-age=")
    alone = create_app("paris", {"TESTING": True, "SECRET_KEY": "t"}).test_client()
    assert HSTS not in alone.get("/", headers=forwarded).headers
    off = create_app("paris", {"TESTING": True, "SECRET_KEY": "t",
                               "KLEROTERION_HSTS_SECONDS": 0}).test_client()
    assert HSTS not in off.get("/", base_url="https://localhost").headers
    with pytest.raises(ValueError, match="KLEROTERION_HSTS_SECONDS='a year'"):
        create_app("paris", {"SECRET_KEY": "t", "KLEROTERION_HSTS_SECONDS": "a year"})


def test_back_office_and_authenticated_answers_are_never_stored(
        client: FlaskClient, app: Flask) -> None:
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    assert client.get("/admin/login").headers["Cache-Control"] == "no-store"
    log_in(client, "read-only")
    for url in ("/admin/", "/admin/login", "/"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url
    bearer = {"Authorization": f"Bearer {api_token(app, 'read-only')}"}
    anonymous = app.test_client()
    assert "no-store" not in anonymous.get("/api/city").headers.get("Cache-Control", "")
    answer = anonymous.get("/api/city", headers=bearer)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"


_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER)\b", re.IGNORECASE)


@contextmanager
def _writes() -> Iterator[list[str]]:
    """The writing statements any engine executes within the block."""
    seen: list[str] = []

    def spy(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if _WRITE.match(statement):
            seen.append(statement)

    event.listen(Engine, "before_cursor_execute", spy)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", spy)


def test_the_draw_page_and_its_poll_write_nothing(client: FlaskClient, app: Flask,
                                                  pool: int) -> None:  # noqa: F811
    """An interrupted draw shows as failed from a read; its failure is recorded by a write."""
    with session_scope(_factory(app), actor="test") as session:
        draw = panel.start_draw(session, pool, GROUP)
        draw.heartbeat_at = draw.heartbeat_at - panel.STALE_AFTER * 2
        ident = draw.id
    log_in(client, "secretariat")
    with _writes() as writes:
        page = client.get(f"{PAGE}?lang=en").get_data(as_text=True)
        state = client.get(f"{PAGE}/status.json").get_json()["state"]
    assert writes == []
    assert "The last computation failed" in page and "interrupted" in page
    assert state == "failed"
    with session_scope(_factory(app), actor="test") as session:
        assert session.scalar(select(Draw.state).where(Draw.id == ident)) == "running"
        panel.expire_interrupted(session, pool)  # what starting a new draw does first
    with session_scope(_factory(app), actor="test") as session:
        assert session.scalar(select(Draw.state).where(Draw.id == ident)) == "failed"


def test_no_page_a_signed_in_user_reads_writes(client: FlaskClient, app: Flask,
                                               pool: int) -> None:  # noqa: F811
    """Every GET of the URL map, as an administrator with a draw running: nothing written.

    But the indemnity exports (CSV and spreadsheet), which record themselves in the audit
    log: an export of personal data is accounted for.
    """
    with session_scope(_factory(app), actor="test") as session:
        panel.start_draw(session, pool, GROUP)
    log_in(client, "administrator")
    seen: dict[str, list[str]] = {}
    for rule, url in _urls(app):
        if "GET" in (rule.methods or set()):
            with _writes() as writes:
                client.get(url).close()
            seen[url] = writes
    seen.pop("/admin/indemnities.csv")
    seen.pop("/admin/indemnities.xlsx")
    assert len(seen) >= 40 and {url: w for url, w in seen.items() if w} == {}
