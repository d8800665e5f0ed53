"""The indicators page and its open data, on the Paris demo with personal data planted.

The page and ``/api/open-data/indicators`` must give what the service computes (the
service itself is checked against hand computations in tests/lifecycle), in the
visitor's language and number format, documented in the OpenAPI document, and must
never show a planted name, address or e-mail.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kleroterion.db import make_engine, make_sessionmaker, session_scope
from kleroterion.models import Member
from kleroterion.services import indicators, recruitment
from kleroterion.web import create_app, demo
from sqlalchemy import select

from tests.lifecycle import engine_standin

TODAY = dt.date(2026, 11, 23)
PLANTED = {"name": "Zébulon Indicateur", "address": "3 impasse Chiffrée",
           "email": "zebulon.indicateur@example.org", "phone": "+33 6 00 00 00 42"}


def _query(url: str, work: Any) -> Any:
    engine = make_engine(url)
    try:
        with session_scope(make_sessionmaker(engine), actor="test") as session:
            return work(session)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    login = demo.prepare(tmp_path_factory.mktemp("demo"), "paris", today=TODAY,
                         engine=engine_standin.ENGINE)

    def plant(session: Any) -> None:
        for member in session.scalars(select(Member).order_by(Member.id).limit(3)):
            recruitment.set_personal_data(session, member.respondent_id, **PLANTED)

    _query(login.database_url, plant)
    yield login.database_url


@pytest.fixture
def app(instance: Path, database: str) -> Flask:
    return create_app("paris", {"TESTING": True, "SECRET_KEY": "test",
                                "KLEROTERION_DATABASE_URL": database,
                                "KLEROTERION_TODAY": TODAY})


def test_the_open_data_is_what_the_service_computes(client: FlaskClient, database: str) -> None:
    expected = _query(database, lambda s: indicators.city_indicators(s, "paris", TODAY))
    response = client.get("/api/open-data/indicators")
    assert response.status_code == 200
    data = response.get_json()
    assert data["schema_version"] == indicators.SCHEMA_VERSION
    assert data["city"] == "paris" and data["as_of"] == TODAY.isoformat()
    assert data == expected.to_dict()
    first = data["mandates"][0]
    # the demo seats a panel and records attendance: the figures are not empty
    assert first["retention"]["seated"] > 0
    assert first["attendance"]["sessions"]
    assert sum(first["attendance"]["members_by_rate"]) > 0


def test_the_openapi_document_describes_the_open_data(client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").get_json()
    operation = document["paths"]["/api/open-data/indicators"]["get"]
    reference = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    name = reference.rsplit("/", 1)[-1]
    described = document["components"]["schemas"][name]["properties"]
    assert {"schema_version", "mandates", "indemnities_by_year"} <= set(described)


def test_the_page_reads_in_french_with_french_numbers(client: FlaskClient,
                                                      database: str) -> None:
    found = _query(database, lambda s: indicators.city_indicators(s, "paris", TODAY))
    page = client.get("/indicators").get_data(as_text=True)
    assert "<h1>Indicateurs</h1>" in page
    first = found.mandates[0]
    assert first.label in page
    rate = first.attendance.overall_rate
    assert rate is not None
    # French percentages: a no-break space before the sign, a decimal comma
    shown = f"{round(rate, 3) * 100:.1f}".removesuffix(".0").replace(".", ",")
    assert shown + "\u00a0%" in page, shown
    # no passage in another language, the language switcher aside
    body = re.sub(r'<nav class="languages".*?</nav>', "", page, flags=re.S)
    assert ' lang="en"' not in body


def test_the_page_in_english(client: FlaskClient) -> None:
    page = client.get("/indicators?lang=en").get_data(as_text=True)
    assert "<h1>Indicators</h1>" in page and "Recruitment" in page


def test_no_personal_data_on_the_page_or_in_the_open_data(client: FlaskClient) -> None:
    for url in ("/indicators", "/indicators?lang=en", "/api/open-data/indicators"):
        text = client.get(url).get_data(as_text=True)
        for value in PLANTED.values():
            assert value not in text, (url, value)


def test_a_site_without_a_record_says_so(instance: Path) -> None:
    app = create_app("brussels", {"TESTING": True, "SECRET_KEY": "test"})
    client = app.test_client()
    page = client.get("/indicators")
    assert page.status_code == 200
    data = client.get("/api/open-data/indicators").get_json()
    assert data["mandates"] == [] and data["city"] == "brussels"
