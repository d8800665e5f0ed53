"""The subjects page, a subject's page and the API: what each promotion works on, who
proposed it, the workshops on it, the acts that answer it and the powers that apply; the
city's word for a term (Brussels: « cycle », « cyclus », plural « cycli ») on every page."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kleroterion.db import make_engine, make_sessionmaker, session_scope, upgrade
from kleroterion.services import mandates, proposals, subjects
from kleroterion.web import create_app

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    """Two Brussels cycles, each with its theme; the sitting one with a recommendation."""
    url = f"sqlite:///{tmp_path / 'web.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    with session_scope(make_sessionmaker(engine), actor="test") as session:
        past = mandates.open_mandate(session, "brussels", "cycle 2025", dt.date(2025, 3, 1))
        sitting = mandates.open_mandate(session, "brussels", "cycle 2026", dt.date(2026, 10, 1))
        subjects.add_subject(session, past.id,
                             {"fr": "Se nourrir", "nl": "Voeding"}, "previous_panel")
        theme = subjects.add_subject(
            session, sitting.id, {"fr": "Consommer <b>autrement</b>",
                                              "nl": "Anders consumeren"}, "previous_panel",
            origin_note={"fr": "choisi par un quart du cycle précédent",
                         "nl": "gekozen door een kwart van de vorige cyclus"})
        act = proposals.create(session, sitting.id, "recommandation", "Réparer plutôt",
                               dt.date(2026, 11, 2))
        subjects.link_act(session, act.id, theme.id)
    engine.dispose()
    yield url


@pytest.fixture
def app(instance: Path, database: str) -> Flask:
    return create_app("brussels", {"TESTING": True, "SECRET_KEY": "test",
                                   "KLEROTERION_DATABASE_URL": database,
                                   "KLEROTERION_TODAY": TODAY})


def test_the_subjects_page_lists_every_cycle_s_theme(client: FlaskClient) -> None:
    page = client.get("/subjects?lang=nl").get_data(as_text=True)
    assert "Anders consumeren" in page and "Voeding" in page
    assert "leden van het vorige panel" in page
    assert "gekozen door een kwart van de vorige cyclus" in page
    french = client.get("/subjects?lang=fr").get_data(as_text=True)
    assert "Consommer &lt;b&gt;autrement&lt;/b&gt;" in french  # a title is text, not markup
    assert "<b>autrement" not in french


def test_a_subject_s_page_shows_its_acts_and_the_powers_that_apply(client: FlaskClient) -> None:
    listing = client.get("/api/subjects?lang=fr").get_json()
    theme = next(s for s in listing if s["origin_note"])
    page = client.get(f"/subjects/{theme['id']}?lang=fr").get_data(as_text=True)
    assert "Réparer plutôt" in page
    assert "Recommandation" in page and "consultatif" in page
    assert "ensemble de l" in page  # no workshop: the whole assembly
    assert client.get("/subjects/999?lang=fr").status_code == 404


def test_the_api_gives_subjects_per_promotion_and_the_act_s_subject(client: FlaskClient
                                                                    ) -> None:
    every = client.get("/api/subjects").get_json()
    assert [s["title"]["nl"] for s in every] == ["Anders consumeren", "Voeding"]
    one = client.get(f"/api/subjects?promotion={every[1]['mandate_id']}&lang=nl").get_json()
    assert [(s["title"], s["origin"]) for s in one] == [("Voeding", "previous_panel")]
    acts = client.get("/api/proposals").get_json()
    assert [a["subject"] for a in acts] == [every[0]["id"]]
    assert client.get("/api/workshops").get_json() == []
    assert client.get("/api/subjects?promotion=999").status_code == 422
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert {"/api/subjects", "/api/subjects/{ident}", "/api/workshops"} <= set(paths)


@pytest.mark.parametrize(("language", "words"), [
    ("fr", ("<h1>Cycles</h1>", "Tous les cycles", "2 cycles")),
    ("nl", ("<h1>Cycli</h1>", "Alle cycli", "2 cycli")),
])
def test_brussels_says_cycle_never_promotion(client: FlaskClient, language: str,
                                             words: tuple[str, ...]) -> None:
    page = client.get(f"/promotions?lang={language}").get_data(as_text=True)
    assert words[0] in page
    listing = client.get(f"/proposals?lang={language}").get_data(as_text=True)
    assert words[1] in listing and words[2].replace(" ", "\u00a0") in listing
    for path in ("/", "/promotions", "/proposals", "/sessions", "/subjects", "/follow-up"):
        page = client.get(f"{path}?lang={language}").get_data(as_text=True)
        visible = re.sub(r"<[^>]+>", " ", page.split("<body", 1)[1])
        assert "romotion" not in visible, path
