"""Logs, request ids and metrics: what the operator sees, and no personal value in it.

The personal-data test plants marker values in every personal column of a
respondents file, runs a representative flow (upload through the back office, a
bad upload, a draw computed by the job worker, public pages, a crash whose
exception quotes the marker) and searches every log record, formatted as plain
text and as JSON, for any of them.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kleroterion import observability
from kleroterion.city.types import SeatGroup
from kleroterion.db import make_engine, make_sessionmaker, session_scope, upgrade
from kleroterion.jobs import BrokerError, make_huey
from kleroterion.services import mandates
from kleroterion.services.context import city
from kleroterion.web.database import database_url

from tests.lifecycle.citydata import write_respondents

from .test_access import csrf_token, log_in

GROUP = "jeunes"
#: Planted personal values (the birth date one of a 16-17 year old on 2025-09-01: the
#: seat group "jeunes" admits no other at its draw).
MARKERS = ("Zyxwvutsrq Marqueur", "rue du Marqueur Secret", "2009-02-03",
           "marqueur.secret@example.org", "+33 6 99 88 77 66")


class Everything(logging.Handler):
    """Keeps every record, from every logger, formatted the two ways the operator may."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.addFilter(observability._RequestIdFilter())

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def texts(self) -> list[str]:
        return [formatter.format(record) for record in self.records
                for formatter in (observability.PlainFormatter(),
                                  observability.JsonFormatter())]


@pytest.fixture
def logs() -> Iterator[Everything]:
    """Every record of the test, whatever an earlier app made of the loggers' levels."""
    handler = Everything()
    loggers = [logging.getLogger(), *(logging.getLogger(n) for n in observability.LOGGERS)]
    previous = [(logger, logger.level, logger.propagate) for logger in loggers]
    loggers[0].addHandler(handler)
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    for logger in loggers[1:]:
        logger.propagate = True
    try:
        yield handler
    finally:
        loggers[0].removeHandler(handler)
        for logger, level, propagate in previous:
            logger.setLevel(level)
            logger.propagate = propagate


def _marked_file(path: Path, group: SeatGroup) -> None:
    config = city("paris").config
    write_respondents(path, config, group, rows=12)
    text = path.read_text(encoding="utf-8").splitlines()
    header, rows = text[0], text[1:]
    # One address each: a shared one would make one household of everyone.
    marked = [",".join([*row.split(",")[:2], MARKERS[0], f'"{n} {MARKERS[1]}"', MARKERS[2],
                        MARKERS[3]]) for n, row in enumerate(rows)]
    path.write_text("\n".join([header, *marked]) + "\n", encoding="utf-8")


def test_no_personal_value_reaches_a_log_record(
    client: FlaskClient, app: Flask, tmp_path: Path, logs: Everything
) -> None:
    upgrade(database_url(app))
    app.config["KLEROTERION_TODAY"] = dt.date(2025, 9, 15)
    app.config["KLEROTERION_LOTTERY_ROOT"] = str(tmp_path / "lotteries")
    engine = make_engine(database_url(app))
    with session_scope(make_sessionmaker(engine), actor="test") as session:
        mandates.open_mandate(session, "paris", "promotion 2025", dt.date(2025, 9, 1))
    engine.dispose()
    group = next(g for g in city("paris").config.composition.seat_groups if g.key == GROUP)
    path = tmp_path / "marked.csv"
    _marked_file(path, group)

    # As a driver's error does: the failing row's values in the message (built apart
    # from the line that raises, which a traceback shows).
    quoted = f"row ({MARKERS[0]}, {MARKERS[3]}) violates a constraint"

    @app.route("/crash-with-personal-data")
    def crash() -> str:
        raise ValueError(quoted)

    log_in(client, "secretariat")
    token = csrf_token(client, "/admin/respondents")
    for payload in (path.read_bytes(), path.read_bytes().replace(b"jeu0003", b"jeu0001")):
        response = client.post("/admin/respondents", data={
            "csrf_token": token, "seat_group": GROUP,
            "upload": (io.BytesIO(payload), "marked.csv")},
            content_type="multipart/form-data")
        assert response.status_code < 500
    response = client.post(f"/admin/draw/{GROUP}/start", data={
        "csrf_token": csrf_token(client, f"/admin/draw/{GROUP}"), "algorithm": "leximin"})
    assert response.status_code == 302
    deadline = time.monotonic() + 60
    while client.get(f"/admin/draw/{GROUP}/status.json").get_json()["state"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    for page in ("/", "/panel", "/draw", f"/admin/draw/{GROUP}?q={MARKERS[0]}",
                 f"/admin/members?search={MARKERS[3]}"):
        client.get(page)
    app.testing = False  # let Flask log the crash as in production
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.get("/crash-with-personal-data").status_code == 500

    texts = logs.texts()
    assert any("job panel_draw" in text and "complete" in text for text in texts)
    assert any("ValueError: (message withheld" in text for text in texts)
    assert any("POST /admin/respondents" in text for text in texts)
    leaks = [(marker, text) for text in texts for marker in MARKERS if marker in text]
    assert leaks == []


def test_every_answer_and_record_carries_a_request_id(
    client: FlaskClient, logs: Everything
) -> None:
    first = client.get("/healthz")
    ident = first.headers["X-Request-ID"]
    assert len(ident) == 32 and client.get("/healthz").headers["X-Request-ID"] != ident
    kept = client.get("/healthz", headers={"X-Request-ID": "proxy-42.a_b"})
    assert kept.headers["X-Request-ID"] == "proxy-42.a_b"
    refused = client.get("/healthz", headers={"X-Request-ID": "x" * 65})
    assert refused.headers["X-Request-ID"] != "x" * 65
    injected = client.get("/healthz", headers={"X-Request-ID": "a b\tc"})
    assert " " not in injected.headers["X-Request-ID"]
    lines = [r for r in logs.records if r.name == "kleroterion.web"]
    assert [getattr(r, "request_id", None) for r in lines][:3] == [
        ident, lines[1].request_id, "proxy-42.a_b"]
    entry = json.loads(observability.JsonFormatter().format(lines[2]))
    assert entry["request_id"] == "proxy-42.a_b" and entry["route"] == "/healthz"
    assert entry["status"] == 200 and entry["method"] == "GET"
    assert "[proxy-42.a_b]" in observability.PlainFormatter().format(lines[2])


def test_a_bad_log_format_is_named() -> None:
    with pytest.raises(ValueError, match="'xml' is not a log format; expected plain or json"):
        observability.make_handler("xml")


def test_metrics_for_the_loopback_or_a_token(client: FlaskClient, app: Flask) -> None:
    client.get("/healthz")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'kleroterion_http_requests_total{method="GET",route="/healthz",status="200"}' in text
    assert "kleroterion_http_request_duration_seconds_bucket" in text
    assert "kleroterion_jobs_queued 0.0" in text
    elsewhere = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", environ_base=elsewhere).status_code == 404
    app.config[observability.METRICS_TOKEN_SETTING] = "s3cret"
    assert client.get("/metrics").status_code == 404  # a token replaces the loopback rule
    assert client.get("/metrics", environ_base=elsewhere,
                      headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert client.get("/metrics", environ_base=elsewhere,
                      headers={"Authorization": "Bearer wrong"}).status_code == 404


def test_a_broker_url_kleroterion_does_not_know_is_named() -> None:
    with pytest.raises(BrokerError, match="'amqp://x' is not a broker kleroterion knows"):
        make_huey("amqp://x")
