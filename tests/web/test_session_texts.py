"""A session's place, agenda and minutes, a guest's organisation and a city event's
title, place and summary in each language of the site: a Dutch page shows the Dutch
text, else the French one marked ``lang="fr"``; the API gives every language and the
calendar marks a place in another language; a text in a language the city does not
speak is refused, naming the field and the language, and nothing is written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kleroterion.models import AssemblySession, CityEvent, SessionGuest
from kleroterion.services import events, mandates, sessions
from kleroterion.services.errors import InvalidInput
from sqlalchemy import select
from sqlalchemy.orm import Session

from .conftest import app_on, in_database, seeded_database
from .test_access import api_token, csrf_token, log_in

TODAY = dt.date(2026, 11, 23)


def _fill(session: Session) -> None:
    mandate = mandates.open_mandate(session, "brussels", "cycle 2026", dt.date(2026, 10, 1))
    both = sessions.add_session(session, mandate.id, "journee", dt.date(2026, 11, 7),
                                title="Journée 2", titles={"nl": "Dag 2"})
    sessions.describe_session(session, both.id, starts_at=dt.time(9, 30),
                              place="Hôtel de Ville, salle 3", agenda="1. Accueil",
                              minutes="Compte rendu du jour",
                              translations={"place": {"nl": "Stadhuis, zaal 3"},
                                            "agenda": {"nl": "1. Onthaal"},
                                            "minutes": {"nl": "Verslag van de dag"}})
    sessions.add_guest(session, both.id, "Experte fictive", "expert", "Université (démo)",
                       {"nl": "Universiteit (demo)"})
    french = sessions.add_session(session, mandate.id, "journee", dt.date(2026, 11, 14))
    sessions.describe_session(session, french.id, place="Maison des associations")
    events.record_event(session, "brussels", "follow_up", dt.date(2026, 11, 20),
                        "Réunion de suivi", place="Parlement bruxellois",
                        translations={"title": {"nl": "Opvolgingsvergadering"}})


@pytest.fixture
def database(tmp_path: Path) -> str:
    return seeded_database(tmp_path / "texts.sqlite3", _fill)


@pytest.fixture
def app(instance: Path, database: str) -> Flask:
    return app_on("brussels", database, TODAY)


def test_a_dutch_page_shows_the_dutch_texts_and_marks_the_french_ones(
        client: FlaskClient) -> None:
    page = client.get("/sessions?lang=nl").get_data(as_text=True)
    for dutch in ("Stadhuis, zaal 3", "1. Onthaal", "Verslag van de dag", "Dag 2",
                  "Universiteit (demo)", "Opvolgingsvergadering"):
        assert dutch in page, dutch
    for french in ("salle 3", "Accueil", "Compte rendu", "Journée 2", "Université",
                   "Réunion de suivi"):
        assert french not in page, french
    # Written in French only: shown in French, marked so (screen readers switch voice).
    assert '<span lang="fr">Maison des associations</span>' in page
    assert '<span lang="fr">Parlement bruxellois</span>' in page
    french_page = client.get("/sessions?lang=fr").get_data(as_text=True)
    assert "Hôtel de Ville, salle 3" in french_page and "Stadhuis" not in french_page
    assert 'lang="nl"' not in french_page.split("<main", 1)[1].split('class="languages"')[0]


def test_the_api_gives_the_reader_s_language_and_every_language_written(
        client: FlaskClient) -> None:
    found = client.get("/api/sessions?lang=nl").get_json()
    by_title = {item["title"]: item for item in found}
    day = by_title["Dag 2"]
    assert day["place"] == "Stadhuis, zaal 3" and day["language"] == {}
    assert day["texts"]["place"] == {"fr": "Hôtel de Ville, salle 3", "nl": "Stadhuis, zaal 3"}
    assert day["guests"][0]["organisation"] == "Universiteit (demo)"
    assert day["guests"][0]["organisations"] == {"fr": "Université (démo)",
                                                 "nl": "Universiteit (demo)"}
    other = next(item for item in found if item["place"] == "Maison des associations")
    assert other["language"] == {"place": "fr"}
    schema = client.get("/api/openapi.json").get_json()
    meeting = schema["components"]["schemas"]["Meeting"]["properties"]
    assert {"texts", "language"} <= set(meeting)


def test_the_calendar_gives_the_place_in_the_reader_s_language(client: FlaskClient) -> None:
    feed = client.get("/sessions.ics?lang=nl").get_data(as_text=True).replace("\r\n ", "")
    assert "LOCATION:Stadhuis\\, zaal 3" in feed
    assert "LOCATION;LANGUAGE=fr:Maison des associations" in feed
    assert "SUMMARY:Opvolgingsvergadering" in feed


@pytest.mark.parametrize(("work", "field", "language"), [
    (lambda s, ident: sessions.describe_session(
        s, ident, place="Ailleurs", translations={"place": {"de": "Rathaus"}}), "place", "de"),
    (lambda s, ident: sessions.describe_session(
        s, ident, translations={"agenda": {"nl": "x"}, "minutes": {"en": "y" * 10},
                                "place": {"nl": "z" * 301}}), "place", "nl"),
    (lambda s, ident: sessions.add_guest(s, ident, "A. Expert", "expert",
                                         organisations={"es": "Universidad"}),
     "organisation", "es"),
    (lambda s, ident: sessions.describe_session(
        s, ident, translations={"minutes": {"nl": "Verslag\x00"}}), "minutes", "nl"),
    (lambda s, ident: sessions.describe_session(
        s, ident, translations={"agenda": {"en": "\ud800"}}), "agenda", "en"),
])
def test_a_text_in_another_language_or_too_long_is_refused_and_nothing_written(
        app: Flask, work: object, field: str, language: str) -> None:
    def state() -> tuple[object, ...]:
        return in_database(app, lambda s: [(r.place, r.agenda, r.texts) for r in s.scalars(
            select(AssemblySession).order_by(AssemblySession.id))])

    kept = state()
    with pytest.raises(InvalidInput) as refused:
        in_database(app, lambda s: work(s, 1))  # type: ignore[operator]
    assert refused.value.field == field
    assert language in str(refused.value).replace("'", " ").replace(":", " ").replace(
        "(", " ").replace(")", " ").split()
    assert state() == kept
    assert in_database(app, lambda s: len(list(s.scalars(select(SessionGuest))))) == 1


def test_an_unknown_field_and_an_event_in_another_language_are_refused(app: Flask) -> None:
    with pytest.raises(InvalidInput, match="'colour' has no text per language"):
        in_database(app, lambda s: sessions.describe_session(
            s, 1, translations={"colour": {"nl": "rood"}}))
    with pytest.raises(InvalidInput, match="'it' is not a language of this city") as bad:
        in_database(app, lambda s: events.record_event(
            s, "brussels", "other", dt.date(2026, 12, 1), "Fête",
            translations={"summary": {"it": "Festa"}}))
    assert bad.value.field == "summary"
    assert in_database(app, lambda s: len(list(s.scalars(select(CityEvent))))) == 1


def test_an_empty_text_removes_that_language_and_keeps_the_others(app: Flask) -> None:
    place, texts = in_database(app, lambda s: (lambda row: (row.place, row.texts))(
        sessions.describe_session(s, 1, translations={"place": {"nl": ""},
                                                      "agenda": {"en": "1. Welcome"}})))
    assert texts == {"title": {"nl": "Dag 2"}, "agenda": {"nl": "1. Onthaal",
                                                            "en": "1. Welcome"},
                     "minutes": {"nl": "Verslag van de dag"}}
    assert place == "Hôtel de Ville, salle 3"


def test_the_back_office_adds_a_session_with_its_place_in_each_language(
        app: Flask, client: FlaskClient) -> None:
    log_in(client, "secretariat")
    page = client.get("/admin/sessions/?lang=fr").get_data(as_text=True)
    assert 'name="place-nl"' in page and 'name="title-nl"' in page
    assert 'name="place-fr"' not in page  # French is the form's own field
    token = csrf_token(client, "/admin/sessions/")
    refused = client.post("/admin/sessions/?lang=en", data={
        "csrf_token": token, "kind": "journee", "held_on": "2026-11-28", "body": "",
        "place": "Salle 5", "place-nl": "z" * 301})
    assert refused.status_code == 422
    assert "nl text of place has 301 characters" in refused.get_data(as_text=True)
    response = client.post("/admin/sessions/", data={
        "csrf_token": token, "kind": "journee", "held_on": "2026-11-28", "body": "",
        "place": "Salle 5", "place-nl": "Zaal 5", "title": "Journée 4", "title-nl": "Dag 4"})
    assert response.status_code == 302, response.get_data(as_text=True)
    row = in_database(app, lambda s: [(r.place, r.title, r.texts) for r in s.scalars(
        select(AssemblySession).where(AssemblySession.held_on == dt.date(2026, 11, 28)))])
    assert row == [("Salle 5", "Journée 4", {
        "title": {"nl": "Dag 4"}, "place": {"nl": "Zaal 5"}})]


def test_the_api_writes_a_session_s_texts_by_language(app: Flask, client: FlaskClient) -> None:
    token = api_token(app, "secretariat")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.patch("/api/sessions/1", json={"place": {"nl": "Raadzaal"}}).status_code == 401
    refused = client.patch("/api/sessions/1?lang=en", headers=headers,
                           json={"place": {"de": "Ratssaal"}, "agenda": {"nl": "1. Iets"}})
    assert refused.status_code == 422, refused.get_data(as_text=True)
    assert "'de' is not a language of this city" in refused.get_json()["errors"]["place"][0]
    assert in_database(app, lambda s: s.get(AssemblySession, 1).texts["agenda"]) == {
        "nl": "1. Onthaal"}
    assert client.patch("/api/sessions/1", headers=headers, json={}).status_code == 422
    done = client.patch("/api/sessions/1?lang=nl", headers=headers,
                        json={"place": {"nl": "Raadzaal", "fr": "Salle du conseil"},
                              "minutes": {"nl": ""}})
    assert done.status_code == 200, done.get_data(as_text=True)
    view = done.get_json()
    assert view["place"] == "Raadzaal" and view["minutes"] == "Compte rendu du jour"
    assert view["language"] == {"minutes": "fr"}
    assert view["texts"]["place"] == {"fr": "Salle du conseil", "nl": "Raadzaal"}
    assert client.patch("/api/sessions/99", headers=headers,
                        json={"place": {"nl": "x"}}).status_code == 404


def test_the_back_office_writes_a_session_s_texts_in_each_language(
        app: Flask, client: FlaskClient) -> None:
    log_in(client, "secretariat")
    page = client.get("/admin/sessions/1/texts?lang=fr").get_data(as_text=True)
    assert 'name="minutes-nl"' in page and "Verslag van de dag" in page
    assert 'name="agenda-en"' in page and 'name="place-fr"' in page
    assert client.get("/admin/sessions/99/texts").status_code == 404
    token = csrf_token(client, "/admin/sessions/1/texts")
    refused = client.post("/admin/sessions/1/texts?lang=en", data={
        "csrf_token": token, "place-nl": "z" * 301, "minutes-nl": "Nieuw verslag"})
    assert refused.status_code == 422
    assert "nl text of place has 301 characters" in refused.get_data(as_text=True)
    assert in_database(app, lambda s: s.get(AssemblySession, 1).texts["minutes"]) == {
        "nl": "Verslag van de dag"}
    response = client.post("/admin/sessions/1/texts", data={
        "csrf_token": token, "minutes-nl": "Nieuw verslag", "agenda-en": "1. Welcome",
        "title-nl": ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert in_database(app, lambda s: s.get(AssemblySession, 1).texts) == {
        "agenda": {"nl": "1. Onthaal", "en": "1. Welcome"},
        "minutes": {"nl": "Nieuw verslag"}, "place": {"nl": "Stadhuis, zaal 3"}}
