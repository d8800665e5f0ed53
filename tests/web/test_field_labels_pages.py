"""Refusals name their field in the reader's language: « titre », not « title ».

The services keep a field's key in ``field`` (the form puts the message next to that
input, the API answers it as ``field``) and name it in their sentence by its label
(``services.field_labels``). The back office shows the sentence in its reader's
language; the API in the language asked with ``?lang=`` (English without it), the
key beside it; the command line in English.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from babel.support import Translations
from flask import Flask
from flask.testing import FlaskClient
from kleroterion.db import make_engine, make_sessionmaker, session_scope
from kleroterion.models import Mandate, Subject
from kleroterion.services import acts, mandates, proposals, quotas, sessions
from kleroterion.services.context import city
from kleroterion.services.errors import ServiceError
from kleroterion.web.database import database_url
from sqlalchemy import select
from sqlalchemy.orm import Session

from .test_access import api_token, log_in
from .test_subject_edits import _form, _ids
from .test_subject_pages import TODAY, app, database

__all__ = ["app", "database"]  # the two Brussels cycles of the subjects pages' tests

TRANSLATIONS = Path(__file__).resolve().parents[2] / "core" / "web" / "translations"
LONG_TITLE = "x" * 201


def _refusal(page: str) -> str:
    """The refusal's sentence on a back-office page (its role=alert box)."""
    found = re.search(r'role="alert"[^>]*>(.*?)</', page, re.S)
    assert found, page
    return html.unescape(found.group(1)).strip()


def _titles(app: Flask) -> list[dict[str, str]]:
    engine = make_engine(database_url(app))
    with session_scope(make_sessionmaker(engine)) as session:
        found = [dict(s.title) for s in session.scalars(select(Subject).order_by(Subject.id))]
    engine.dispose()
    return found


@pytest.mark.parametrize(("language", "said", "key"), [
    ("fr", "le texte fr du champ « titre » compte 201 caractères", "title"),
    ("nl", "de fr tekst van het veld titel telt 201 tekens", "title"),
])
def test_the_back_office_names_a_too_long_title_in_its_readers_language(
        app: Flask, client: FlaskClient, language: str, said: str, key: str) -> None:
    _, past = _ids(client)
    log_in(client, "secretariat")
    page = client.get(f"/admin/subjects/{past}?lang={language}").get_data(as_text=True)
    before = _titles(app)
    refused = client.post(f"/admin/subjects/{past}?lang={language}",
                          data=_form(page) | {"title-fr": LONG_TITLE})
    assert refused.status_code == 422
    sentence = _refusal(refused.get_data(as_text=True))
    assert said in sentence, sentence
    assert key not in sentence
    assert _titles(app) == before


def test_the_api_says_the_label_in_the_language_asked_and_keeps_the_key(
        app: Flask, client: FlaskClient) -> None:
    _, past = _ids(client)
    bearer = {"Authorization": f"Bearer {api_token(app, 'secretariat')}"}
    before = _titles(app)
    french = client.patch(f"/api/subjects/{past}?lang=fr", headers=bearer,
                          json={"title": {"fr": LONG_TITLE}})
    assert french.status_code == 422
    body = french.get_json()
    assert body["field"] == "title" and set(body["errors"]) == {"title"}
    assert "« titre »" in body["message"] and "title" not in body["message"]
    assert body["errors"]["title"] == [body["message"]]
    dutch = client.patch(f"/api/subjects/{past}?lang=nl", headers=bearer,
                         json={"origin_note": {"fr": LONG_TITLE * 10}})
    assert dutch.get_json()["field"] == "origin_note"
    assert "het veld hoe het tot stand kwam" in dutch.get_json()["message"]
    english = client.patch(f"/api/subjects/{past}", headers=bearer,
                           json={"title": {"fr": LONG_TITLE}}).get_json()
    assert english["field"] == "title"
    assert english["message"] == "the fr text of title has 201 characters, more than 200"
    assert _titles(app) == before


def _in(app: Flask, work: Callable[[Session, int], object]) -> ServiceError:
    engine = make_engine(database_url(app))
    try:
        with session_scope(make_sessionmaker(engine), actor="test") as session:
            mandate = session.scalars(select(Mandate.id).order_by(Mandate.id.desc())).first()
            assert mandate is not None
            with pytest.raises(ServiceError) as refused:
                work(session, mandate)
    finally:
        engine.dispose()
    return refused.value


def _said(refusal: ServiceError, language: str) -> str:
    catalog = Translations.load(str(TRANSLATIONS), [language])
    return refusal.translated(catalog.gettext, language)


def test_each_service_names_its_field_by_label(app: Flask) -> None:
    """Subjects, sessions, acts, mandates, votes: the label in each language, the key kept."""
    duration = _in(app, lambda session, mandate: sessions.add_session(
        session, mandate, "journee", dt.date(2026, 11, 10), duration=Decimal("1e20")))
    assert duration.field == "duration" and str(duration).startswith("the duration ")
    assert _said(duration, "fr").startswith("le champ « durée » ")
    assert _said(duration, "nl").startswith("het veld duur ")

    def full_text(session: Session, mandate: int) -> object:
        act = proposals.create(session, mandate, "recommandation", "Un acte", TODAY)
        return acts.set_content(session, act.id, full_text={"de": "Text"})

    refused = _in(app, full_text)
    assert refused.field == "full_text" and str(refused).startswith("full text in 'de'")
    assert _said(refused, "fr").startswith("le champ « texte intégral » en 'de'")
    assert _said(refused, "nl").startswith("het veld volledige tekst in 'de'")

    def votes(session: Session, mandate: int) -> object:
        act = proposals.create(session, mandate, "recommandation", "Un acte", TODAY)
        return acts.record_vote(session, act.id, "assembly", TODAY, -1, 0, 0)

    refused = _in(app, votes)
    assert refused.field == "votes_for" and str(refused).startswith("votes for is a number")
    assert _said(refused, "fr").startswith("le champ « voix pour » est un nombre de voix")
    assert _said(refused, "nl").startswith("het veld stemmen voor is een aantal stemmen")

    refused = _in(app, lambda session, mandate: mandates.edit_mandate(
        session, mandate, labels={"nl": "x" * 121}))
    assert refused.field == "labels"
    assert "du champ « noms dans d'autres langues »" in _said(refused, "fr")
    assert "van het veld namen in andere talen" in _said(refused, "nl")


def test_a_quota_refusal_names_criterion_and_value_by_the_citys_labels() -> None:
    """Quotas name no field by key: the criterion and value are the city's labels."""
    composition = city("brussels").config.composition
    group = composition.seat_groups[0]
    base = quotas.group_quotas(composition, group)
    with pytest.raises(ServiceError) as refused:
        quotas.validate(group, base, {("gender", "femme"): (-1, 10)}, composition.features)
    assert refused.value.field == "min"
    assert str(refused.value).startswith("Gender “Woman”: the minimum -1 is below 0")
    french = _said(refused.value, "fr")
    assert french.startswith("Genre") and "Femme" in french and "le minimum -1" in french
    assert _said(refused.value, "nl").startswith("Geslacht ‘Vrouw’: het minimum -1")
