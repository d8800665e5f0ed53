"""No log line holds a row's personal data, whatever crashes, on SQLite and PostgreSQL.

Marker personal data (a name, an address, an e-mail, a phone) are planted in a
respondents file whose family quotient overflows its column, in a form, in API bodies
and in rows a deliberately broken view writes behind the services' checks (an
overflowing number, a NUL character, a duplicate key PostgreSQL quotes in its
``DETAIL``). Every crash class is provoked through the web application; every log
handler's output is captured (pytest's caplog at DEBUG, handlers of our own on the
app's logger, ``werkzeug`` and ``sqlalchemy``, and stderr) and must hold no marker.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import traceback
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kleroterion.db import make_engine, make_sessionmaker, session_scope
from kleroterion.logsafe import safe_traceback
from kleroterion.models import PersonalData, Respondent
from kleroterion.plugins import load_city
from kleroterion.services import mandates
from kleroterion.web import create_app
from kleroterion.web.database import db_session
from kleroterion.web.security import csrf

from tests.lifecycle.citydata import write_respondents
from tests.web.test_access import csrf_token, log_in

MARKERS = {"name": "Ysolde Marqueur-Personnel", "address": "99 allée Témoin-Secret",
           "email": "ysolde.marqueur@example.org", "phone": "+33 6 99 88 77 66"}


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[io.StringIO]:
    """Everything logged at DEBUG by the loggers a crash may write to."""
    caplog.set_level(logging.DEBUG)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    names = ("", "kleroterion", "werkzeug", "sqlalchemy", "sqlalchemy.engine")
    loggers = [logging.getLogger(name) for name in names]
    for logger in loggers:
        logger.addHandler(handler)
    yield stream
    for logger in loggers:
        logger.removeHandler(handler)


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    application = create_app("poitiers", {
        "TESTING": True, "SECRET_KEY": "test", "KLEROTERION_DATABASE_URL": database_url,
        "PROPAGATE_EXCEPTIONS": False,  # a crash is answered 500 and logged, as in production
    })
    application.logger.addHandler(logging.NullHandler())

    @application.route("/test/write-behind-the-checks/<kind>", methods=["POST"])
    def write_behind_the_checks(kind: str) -> str:
        session = db_session()
        personal = PersonalData(**MARKERS)
        if kind == "overflow":
            personal.family_quotient = Decimal("123456789012345")
        elif kind == "nul":
            personal.name = MARKERS["name"] + "\x00"
        respondent = Respondent(public_id=f"RM{kind[:8]}" if kind != "duplicate" else
                                MARKERS["phone"][:16], mandate_id=1, seat_group="adresses",
                                source="respondent", external_id=MARKERS["email"] + kind,
                                features={}, status="pool")
        respondent.personal = personal
        session.add(respondent)
        if kind == "duplicate":
            twin = Respondent(public_id=MARKERS["phone"][:16], mandate_id=1,
                              seat_group="adresses", source="respondent",
                              external_id=MARKERS["name"], features={}, status="pool")
            session.add(twin)
        session.commit()
        return "written"

    csrf.exempt(write_behind_the_checks)

    yield application
    factory = application.extensions.get("kleroterion.sessionmaker")
    if factory is not None:
        factory.kw["bind"].dispose()


def _respondents(path: Path) -> Path:
    config = load_city("poitiers").config
    group = next(g for g in config.composition.seat_groups if g.key == "adresses")
    write_respondents(path, config, group, rows=12, quotients=["850"])
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    for row in rows[1:]:
        row[header.index("nom")] = MARKERS["name"]
        row[header.index("adresse")] = MARKERS["address"]
        row[header.index("courriel")] = MARKERS["email"]
    rows[5][header.index("quotient_familial")] = "123456789012345"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _assert_clean(*outputs: str) -> None:
    for output in outputs:
        for marker in MARKERS.values():
            assert marker not in output


def test_no_crash_writes_personal_data_to_a_log(app: Flask, database_url: str, tmp_path: Path,
                                                logs: io.StringIO,
                                                caplog: pytest.LogCaptureFixture,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    client: FlaskClient = app.test_client()
    log_in(client, "secretariat")
    engine = make_engine(database_url)
    with session_scope(make_sessionmaker(engine), actor="test") as session:
        mandates.open_mandate(session, "poitiers", "édition 2026", dt.date(2026, 1, 1))
    engine.dispose()

    # An ordinary typo: a family quotient of fifteen digits, refused with its location.
    upload = _respondents(tmp_path / "repondants.csv")
    response = client.post("/admin/respondents?lang=en", data={
        "csrf_token": csrf_token(client, "/admin/respondents"), "seat_group": "adresses",
        "upload": (io.BytesIO(upload.read_bytes()), "repondants.csv")},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "quotient_familial" in page and "9 999 999 999.99" in page

    # A NUL character in a form's free text.
    response = client.post("/admin/respondents", data={
        "csrf_token": csrf_token(client, "/admin/respondents"),
        "seat_group": MARKERS["name"] + "\x00"})
    assert response.status_code == 400

    # Behind the checks: what reaches the database anyway is 422 or 500, logged clean.
    statuses = {}
    for kind in ("overflow", "nul", "duplicate"):
        statuses[kind] = client.post(f"/test/write-behind-the-checks/{kind}").status_code
    assert statuses["duplicate"] == 500
    if database_url.startswith("postgresql"):
        assert statuses["overflow"] == statuses["nul"] == 422

    captured = capsys.readouterr()
    _assert_clean(logs.getvalue(), caplog.text, captured.out, captured.err,
                  *(record.getMessage() for record in caplog.records))
    assert "IntegrityError" in logs.getvalue()  # the crash itself is logged, by its class
    if database_url.startswith("postgresql"):
        assert "DataError" in logs.getvalue()


def test_a_safe_traceback_keeps_frames_and_sql_but_not_values(database_url: str) -> None:
    engine = make_engine(database_url)
    from kleroterion.models import Base

    Base.metadata.create_all(engine)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            for _ in range(2):
                session.add(Respondent(public_id="RSAME", mandate_id=None, seat_group="x",
                                       source="respondent", external_id=MARKERS["email"],
                                       features={}, status="pool"))
        raise AssertionError("the duplicate was accepted")
    except Exception as error:
        text = safe_traceback(error)
        unsafe = "".join(traceback.format_exception(error))
    finally:
        engine.dispose()
    assert "INSERT INTO respondents" in text or "INSERT INTO respondent" in text
    assert "test_pii_logs.py" in text  # the frames stay, to find the bug
    _assert_clean(text)
    if database_url.startswith("postgresql"):
        assert "RSAME" in unsafe or "hidden" in unsafe  # what the plain traceback would say

