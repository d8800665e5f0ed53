"""Pages that read the database: the current mandate, its sessions, the iCalendar feed;
and no personal data on any public page or API answer."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kleroterion.db import make_engine, make_sessionmaker, session_scope, upgrade
from kleroterion.services import mandates, recruitment, sessions
from kleroterion.web import create_app
from kleroterion.web.calendar import fold

from .test_access import _urls

TODAY = dt.date(2026, 11, 23)
PLANTED = ("Zébulon Plantédonnée", "17 impasse Témoin", "zebulon.temoin@example.org",
           "PLANTED-4242")


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    """A migrated SQLite database with a Paris promotion, sessions and planted respondents."""
    url = f"sqlite:///{tmp_path / 'web.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    with session_scope(factory, actor="test") as session:
        mandate = mandates.open_mandate(session, "paris", "promotion 2026",
                                        dt.date(2026, 4, 1))
        sessions.add_session(session, mandate.id, "pleniere", dt.date(2026, 5, 16),
                             title="Séance d'ouverture, accueil; présentation")
        sessions.add_session(session, mandate.id, "atelier", dt.date(2026, 11, 23))
        sessions.add_session(session, mandate.id, "audition", dt.date(2027, 1, 9))
    respondents = tmp_path / "respondents.csv"
    respondents.write_text(
        "id,gender,age,arrondissement,diploma,nom,adresse,courriel\n"
        f"{PLANTED[3]},femme,30-44,11e,bac,{PLANTED[0]},{PLANTED[1]},{PLANTED[2]}\n",
        encoding="utf-8",
    )
    with session_scope(factory, actor="test") as session:
        recruitment.import_respondents(session, mandate.id, "liste-electorale", respondents)
    engine.dispose()
    yield url


@pytest.fixture
def app(instance: Path, database: str) -> Flask:
    return create_app("paris", {"TESTING": True, "SECRET_KEY": "test",
                                "KLEROTERION_DATABASE_URL": database,
                                "KLEROTERION_TODAY": TODAY})


def test_home_shows_the_current_mandate_and_the_next_sessions(client: FlaskClient) -> None:
    page = client.get("/?lang=en").get_data(as_text=True)
    assert "<h2 id=\"mandate-title\">Sitting now</h2>" in page  # one term or several
    assert "from 1 April 2026 to 30 September 2027" in page
    assert "Current phase: Work mandate." in page
    upcoming = re.findall(r'<time datetime="([0-9-]+)">', page)
    assert upcoming == ["2026-11-23", "2027-01-09"]  # today counts as upcoming


def test_the_sessions_page_splits_upcoming_and_past(client: FlaskClient) -> None:
    page = client.get("/sessions").get_data(as_text=True)
    upcoming, past = page.split('id="past-title"')
    assert 'datetime="2027-01-09"' in upcoming and 'datetime="2026-05-16"' in past
    assert "samedi 16 mai 2026" in past
    assert "Séance plénière" in past and "2 demi-journées" in past


def _unfold(text: str) -> list[str]:
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def test_the_icalendar_feed_lists_every_session(client: FlaskClient) -> None:
    response = client.get("/sessions.ics?lang=fr")
    assert response.mimetype == "text/calendar"
    raw = response.get_data(as_text=True)
    assert all(len(line.encode()) <= 75 for line in raw.split("\r\n"))
    lines = _unfold(raw)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert lines.count("BEGIN:VEVENT") == 3
    assert "DTSTART;VALUE=DATE:20260516" in lines
    assert ("SUMMARY:Séance plénière – Séance d'ouverture\\, accueil\\; présentation"
            in lines)
    assert len({line for line in lines if line.startswith("UID:")}) == 3


def test_folding_never_splits_a_character() -> None:
    line = "SUMMARY:" + "é" * 80
    folded = fold(line)
    assert all(len(piece.encode()) <= 75 for piece in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


def test_without_a_database_the_pages_say_nothing_has_started(instance: Path) -> None:
    client = create_app("paris", {"SECRET_KEY": "t"}).test_client()
    assert "aucune promotion n&#39;est en cours" in client.get("/").get_data(as_text=True)
    assert "aucune promotion n&#39;est en cours" in client.get("/sessions").get_data(as_text=True)
    assert "BEGIN:VEVENT" not in client.get("/sessions.ics").get_data(as_text=True)


def test_no_public_page_or_api_answer_holds_personal_data(app: Flask,
                                                          client: FlaskClient) -> None:
    seen = 0
    for rule, url in _urls(app):
        if "GET" not in (rule.methods or set()):
            continue
        for language in ("fr", "en"):
            with client.get(f"{url}?lang={language}") as response:
                body = response.get_data(as_text=True)
                seen += 1
                for value in PLANTED:
                    assert value not in body, (url, value)
    assert seen >= 30
