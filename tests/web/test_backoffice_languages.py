"""The back office writes every language of the city: a move's reason, an answer's
summary, a guest heard at a session and a city event, from Brussels's French and Dutch.

Each form offers one field per language of the city (and English for visitors),
labelled with the language's name in the page's language, and none for a language the
city does not offer; what is saved shows on the public pages in the reader's language.
A text in another language without the first language's is refused, naming the field,
and nothing is written; a read-only account is refused; the audit log records each
change. Guests and events are added, corrected and removed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kleroterion.db import make_engine, make_sessionmaker, session_scope, upgrade
from kleroterion.models import AuditEntry, CityEvent, Proposal, SessionGuest
from kleroterion.services import events, mandates, proposals, sessions
from kleroterion.web import create_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from .conftest import in_database
from .test_access import csrf_token, log_in

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    """Brussels: a cycle, a recommendation adopted (next: sent to the government), one
    sent (its answers due), a session with a guest heard."""
    url = f"sqlite:///{tmp_path / 'languages.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    with session_scope(make_sessionmaker(engine), actor="test") as session:
        mandate = mandates.open_mandate(session, "brussels", "cycle 2026", dt.date(2026, 3, 1))
        adopted = proposals.create(session, mandate.id, "recommandation", "Rénover",
                                   dt.date(2026, 5, 10))
        proposals.move(session, adopted.id, "adoptee", dt.date(2026, 5, 24))
        sent = proposals.create(session, mandate.id, "recommandation", "Planter",
                                dt.date(2026, 5, 10))
        for target, on in (("adoptee", dt.date(2026, 5, 24)),
                           ("transmise", dt.date(2026, 5, 31))):
            proposals.move(session, sent.id, target, on)
        meeting = sessions.add_session(session, mandate.id, "journee", dt.date(2026, 4, 7))
        sessions.add_guest(session, meeting.id, "Experte fictive", "expert",
                           "Université (démo)", {"nl": "Universiteit (demo)"})
    engine.dispose()
    yield url


@pytest.fixture
def app(instance: Path, database: str) -> Flask:
    return create_app("brussels", {"TESTING": True, "SECRET_KEY": "test",
                                   "KLEROTERION_DATABASE_URL": database,
                                   "KLEROTERION_TODAY": TODAY})


def _ids(app: Flask) -> dict[str, int]:
    def read(session: Session) -> dict[str, int]:
        acts = {p.title: p.id for p in session.scalars(select(Proposal))}
        guest = session.scalars(select(SessionGuest)).one()
        return {"adopted": acts["Rénover"], "sent": acts["Planter"],
                "session": guest.session_id, "guest": guest.id}
    return in_database(app, read)


def _actions(app: Flask) -> list[tuple[str, dict[str, Any]]]:
    return in_database(app, lambda s: [(e.action, json.loads(e.data)) for e in s.scalars(
        select(AuditEntry).order_by(AuditEntry.seq))])


def _post(client: FlaskClient, url: str, page: str, **fields: str) -> tuple[int, str]:
    token = csrf_token(client, page)
    response = client.post(url, data={"csrf_token": token, **fields})
    return response.status_code, response.get_data(as_text=True)


def _error(page: str, field_id: str) -> str:
    """The refusal shown next to ``field_id``."""
    found = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">([^<]*)</p>', page)
    assert found, f"no error next to {field_id}"
    return found.group(1).replace("&#39;", "'")


def test_a_move_s_reason_is_written_in_french_and_dutch(app: Flask,
                                                        client: FlaskClient) -> None:
    act = _ids(app)["adopted"]
    log_in(client, "secretariat")
    page = client.get(f"/admin/proposals/{act}?lang=fr").get_data(as_text=True)
    for code, name in (("nl", "néerlandais"), ("en", "anglais")):
        assert f'name="transmise-reason_{code}"' in page
        assert re.search(rf'<label for="transmise-reason_{code}">[^<]*\({name}\)</label>', page)
    assert re.search(r'<label for="transmise-reason">[^<]*\(français\)</label>', page)
    assert 'name="transmise-reason_de"' not in page
    url, at = f"/admin/proposals/{act}/move/transmise?lang=en", f"/admin/proposals/{act}"
    status, refused = _post(client, url, at, **{
        "transmise-on": "2026-05-30", "transmise-expected_version": "2",
        "transmise-reason_nl": "Verzonden"})
    assert status == 422
    assert "in French too" in _error(refused, "transmise-reason")
    assert 'value="2026-05-30"' in refused and "Verzonden</textarea>" in refused
    assert in_database(app, lambda s: s.get(Proposal, act).state) == "adoptee"
    status, _ = _post(client, url, at, **{
        "transmise-on": "2026-05-30", "transmise-expected_version": "2",
        "transmise-reason": "Envoyé au gouvernement", "transmise-reason_nl": "Verzonden",
        "transmise-reason_de": "Gesendet"})
    assert status == 302, re.findall(r"class=\"error\"[^<]*<", _)
    dutch = client.get(f"/proposals/{act}?lang=nl").get_data(as_text=True)
    french = client.get(f"/proposals/{act}?lang=fr").get_data(as_text=True)
    assert "Verzonden" in dutch and "Envoyé au gouvernement" not in dutch
    assert "Envoyé au gouvernement" in french and "Verzonden" not in french
    assert "Gesendet" not in dutch + french  # a language the city does not offer: not read
    action, data = _actions(app)[-1]
    assert action == "proposal.move"
    assert data["texts"] == {"reason": {"fr": "Envoyé au gouvernement", "nl": "Verzonden"}}


def test_an_answer_s_summary_is_written_in_french_and_dutch(app: Flask,
                                                            client: FlaskClient) -> None:
    act = _ids(app)["sent"]
    log_in(client, "secretariat")
    at = f"/admin/proposals/{act}/follow-up"
    page = client.get(at + "?lang=nl").get_data(as_text=True)
    prefix = "response-premiere-reponse"
    assert re.search(rf'<label for="{prefix}-summary_nl">[^<]*\(Nederlands\)</label>', page)
    assert re.search(rf'<label for="{prefix}-summary">[^<]*\(Frans\)</label>', page)
    url = f"{at}/responses/premiere-reponse?lang=en"
    status, refused = _post(client, url, at, **{f"{prefix}-on": "2026-08-20",
                                                 f"{prefix}-summary_nl": "Antwoord"})
    assert status == 422 and "in French too" in _error(refused, f"{prefix}-summary")
    status, refused = _post(client, url, at, **{f"{prefix}-on": "",
                                                 f"{prefix}-summary_nl": "Antwoord"})
    assert status == 422 and "in French too" in _error(refused, f"{prefix}-summary")
    assert _error(refused, f"{prefix}-on")  # each refused field is named at once
    status, refused = _post(client, url, at, **{
        f"{prefix}-on": "2026-08-20", f"{prefix}-summary": "Réponse",
        f"{prefix}-summary_nl": "x" * 2001})
    assert status == 422 and "Réponse</textarea>" in refused
    assert in_database(app, lambda s: s.get(Proposal, act).responses) == []
    status, _ = _post(client, url, at, **{
        f"{prefix}-on": "2026-08-20", f"{prefix}-summary": "Le gouvernement étudie",
        f"{prefix}-summary_nl": "De regering onderzoekt"})
    assert status == 302
    dutch = client.get(f"/proposals/{act}?lang=nl").get_data(as_text=True)
    french = client.get(f"/proposals/{act}?lang=fr").get_data(as_text=True)
    assert "De regering onderzoekt" in dutch and "Le gouvernement étudie" not in dutch
    assert "Le gouvernement étudie" in french and "De regering onderzoekt" not in french
    action, data = _actions(app)[-1]
    assert action == "followup.respond" and data["texts"]["summary"]["nl"] == (
        "De regering onderzoekt")


def test_guests_are_added_corrected_and_removed_in_each_language(
        app: Flask, client: FlaskClient) -> None:
    ids = _ids(app)
    at = f"/admin/sessions/{ids['session']}/texts"
    log_in(client, "secretariat")
    listed = client.get("/admin/sessions/?lang=fr").get_data(as_text=True)
    assert f'href="{at}#guests">Personnes entendues</a>' in listed  # the way to them
    page = client.get(at + "?lang=fr").get_data(as_text=True)
    assert 'id="guests"' in page and "Experte fictive" in page
    assert 'name="guest-organisation_nl"' in page
    assert 'value="Universiteit (demo)"' in page  # the guest's own form, filled
    status, refused = _post(client, f"{at.rsplit('/', 1)[0]}/guests?lang=en", at, **{
        "guest-name": "", "guest-role": "elected", "guest-organisation_nl": "Parlement"})
    assert status == 422
    assert "Enter the name." in _error(refused, "guest-name")
    assert "in French too" in _error(refused, "guest-organisation")
    status, _ = _post(client, f"{at.rsplit('/', 1)[0]}/guests", at, **{
        "guest-name": "Élu fictif", "guest-role": "elected",
        "guest-organisation": "Parlement bruxellois",
        "guest-organisation_nl": "Brussels Parlement"})
    assert status == 302
    dutch = client.get("/sessions?lang=nl").get_data(as_text=True)
    assert "Élu fictif" in dutch and "Brussels Parlement" in dutch
    assert "Parlement bruxellois" not in dutch
    guest = ids["guest"]
    edit = f"{at.rsplit('/', 1)[0]}/guests/{guest}"
    status, _ = _post(client, edit, at, **{
        f"guest{guest}-name": "Experte invitée", f"guest{guest}-role": "expert",
        f"guest{guest}-organisation": "Université (démo)",
        f"guest{guest}-organisation_nl": ""})
    assert status == 302
    row = in_database(app, lambda s: s.get(SessionGuest, guest))
    assert (row.name, row.organisation, row.texts) == ("Experte invitée", "Université (démo)",
                                                       {})
    status, _ = _post(client, edit, at, **{f"guest{guest}-name": "X",
                                            f"guest{guest}-role": "boss"})
    assert status == 422
    status, _ = _post(client, edit + "/remove", at)
    assert status == 302
    assert in_database(app, lambda s: s.get(SessionGuest, guest)) is None
    assert client.post(f"{edit}/remove", data={"csrf_token": csrf_token(client, at)}
                       ).status_code == 404
    actions = [action for action, _ in _actions(app)]
    assert actions[-3:] == ["session.guest", "session.guest.edit", "session.guest.remove"]


def test_city_events_are_added_corrected_and_deleted_in_each_language(
        app: Flask, client: FlaskClient) -> None:
    log_in(client, "secretariat")
    menu = client.get("/admin/?lang=nl").get_data(as_text=True)
    assert 'href="/admin/events/"' in menu
    at = "/admin/events/"
    page = client.get(at + "?lang=fr").get_data(as_text=True)
    assert 'name="title_nl"' in page and 'name="summary_nl"' in page
    assert 'name="title_de"' not in page
    status, refused = _post(client, at + "?lang=en", at, kind="follow_up",
                            held_on="2026-12-02", title="", title_nl="Opvolging",
                            starts_at="14:00", ends_at="12:00")
    assert status == 422 and "Enter a title." in _error(refused, "title")
    assert in_database(app, lambda s: s.scalars(select(CityEvent)).all()) == []
    status, refused = _post(client, at + "?lang=en", at, kind="follow_up",
                            held_on="2026-12-02", title="Suivi", starts_at="14:00",
                            ends_at="12:00")
    assert status == 422 and "ends at 12:00" in _error(refused, "ends_at")
    status, _ = _post(client, at, at, kind="follow_up", held_on="2026-12-02",
                      title="Réunion de suivi", title_nl="Opvolgingsvergadering",
                      place="Parlement", place_nl="Parlement (nl)",
                      summary="Le gouvernement rend compte.",
                      summary_nl="De regering legt verantwoording af.")
    assert status == 302
    event = in_database(app, lambda s: s.scalars(select(CityEvent)).one().id)
    dutch = client.get("/sessions?lang=nl").get_data(as_text=True)
    assert "Opvolgingsvergadering" in dutch and "Réunion de suivi" not in dutch
    assert "Opvolgingsvergadering" in client.get(at + "?lang=nl").get_data(as_text=True)
    edit = f"/admin/events/{event}"
    assert 'value="Opvolgingsvergadering"' in client.get(edit).get_data(as_text=True)
    status, refused = _post(client, edit + "?lang=en", edit, kind="accountability",
                            held_on="2026-12-03", title="Reddition de comptes",
                            mandates="999")
    assert status == 422 and "no mandate 999" in _error(refused, "mandates")
    status, _ = _post(client, edit, edit, kind="accountability", held_on="2026-12-03",
                      title="Reddition de comptes", title_nl="", place="Parlement",
                      place_nl="Parlement (nl)", summary="Le gouvernement rend compte.",
                      summary_nl="De regering legt verantwoording af.", mandates="1")
    assert status == 302
    assert "cycle 2026" in client.get(at + "?lang=fr").get_data(as_text=True)
    row = in_database(app, lambda s: s.get(CityEvent, event))
    assert row.mandate_ids == [1]
    assert (row.kind, row.held_on, row.title) == (
        "accountability", dt.date(2026, 12, 3), "Reddition de comptes")
    assert row.texts == {"place": {"nl": "Parlement (nl)"},
                         "summary": {"nl": "De regering legt verantwoording af."}}
    status, _ = _post(client, f"{edit}/delete", edit)
    assert status == 302
    assert in_database(app, lambda s: s.get(CityEvent, event)) is None
    assert client.get(edit).status_code == 404
    actions = [action for action, _ in _actions(app)]
    assert actions[-3:] == ["event.record", "event.edit", "event.delete"]


def test_a_read_only_account_sees_but_cannot_write(app: Flask, client: FlaskClient) -> None:
    ids = _ids(app)
    log_in(client, "read-only")
    at = f"/admin/sessions/{ids['session']}/texts"
    assert "Experte fictive" in client.get(at).get_data(as_text=True)
    event = in_database(app, lambda s: events.record_event(
        s, "brussels", "follow_up", dt.date(2026, 12, 2), "Réunion de suivi",
        translations={"title": {"nl": "Opvolgingsvergadering"}}).id)
    listed = client.get("/admin/events/?lang=nl").get_data(as_text=True)
    assert "Opvolgingsvergadering" in listed and 'name="title_nl"' not in listed
    shown = client.get(f"/admin/events/{event}?lang=nl").get_data(as_text=True)
    assert '<dd lang="nl">Opvolgingsvergadering</dd>' in shown and "<form" not in shown.split(
        "<main", 1)[1]
    before = len(_actions(app))
    token = csrf_token(client, "/admin/")
    for url, data in ((f"/admin/sessions/{ids['session']}/guests",
                       {"guest-name": "X", "guest-role": "expert"}),
                      (f"/admin/sessions/{ids['session']}/guests/{ids['guest']}/remove", {}),
                      ("/admin/events/", {"kind": "other", "held_on": "2026-12-01",
                                          "title": "X"}),
                      (f"/admin/events/{event}/delete", {}),
                      (f"/admin/proposals/{ids['adopted']}/move/transmise",
                       {"transmise-on": "2026-05-30", "transmise-reason": "x"})):
        assert client.post(url, data={"csrf_token": token, **data}).status_code == 403, url
    assert len(_actions(app)) == before


def test_a_city_without_dutch_offers_no_dutch_field(instance: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'paris.sqlite3'}"
    upgrade(url)
    paris = create_app("paris", {"TESTING": True, "SECRET_KEY": "test",
                                 "KLEROTERION_DATABASE_URL": url,
                                 "KLEROTERION_TODAY": TODAY})
    client = paris.test_client()
    log_in(client, "secretariat")
    page = client.get("/admin/events/?lang=fr").get_data(as_text=True)
    assert 'name="title_en"' in page and "_nl" not in page
    status, _ = _post(client, "/admin/events/", "/admin/events/", kind="accountability",
                      held_on="2026-12-02", title="Droit de suite", title_nl="Opvolging")
    assert status == 302
    assert in_database(paris, lambda s: s.scalars(select(CityEvent.texts)).one()) == {}


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30)
       .filter(lambda t: t.strip()))
def test_any_dutch_organisation_is_kept_as_typed_or_refused_with_a_4xx(
        app: Flask, text: str) -> None:
    ids = _ids(app)
    client = app.test_client()
    log_in(client, "secretariat")
    at = f"/admin/sessions/{ids['session']}/texts"
    token = csrf_token(client, at)
    edit = f"/admin/sessions/{ids['session']}/guests/{ids['guest']}"
    prefix = f"guest{ids['guest']}"
    before = in_database(app, lambda s: s.get(SessionGuest, ids["guest"]).texts)
    response = client.post(edit, data={
        "csrf_token": token, f"{prefix}-name": "Experte fictive", f"{prefix}-role": "expert",
        f"{prefix}-organisation": "Université", f"{prefix}-organisation_nl": text})
    assert response.status_code in (302, 400, 422), response.status_code
    kept = in_database(app, lambda s: s.get(SessionGuest, ids["guest"]).texts)
    if response.status_code == 302:
        assert kept == {"organisation": {"nl": text.strip()}}
    else:  # a NUL: refused whole, nothing written
        assert "\x00" in text and kept == before
