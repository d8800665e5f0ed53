"""The online answer page and the secretariat's answer desk, through the test client.

Letters are generated in the app's own database and their codes read back from the
PDF, as an invitee reads them; answers then go through ``/answer`` in French (Paris)
and in Dutch (Brussels), and through ``/admin/answers`` as the phone brings them.
Refused, replayed, forged and oversized answers leave the pool as it was.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kleroterion.letters.template import load
from kleroterion.models import Respondent
from kleroterion.services import letters, mandates, recruitment
from kleroterion.web import create_app
from pypdf import PdfReader
from sqlalchemy import func, select

from tests.web.conftest import in_database
from tests.web.test_access import add_user, csrf_token, log_in

TODAY = dt.date(2026, 3, 10)
CODE = re.compile(r"\b[0-9A-Z]{5}-[0-9A-Z]{5}\b")
PARIS = {"feature-gender": "femme", "feature-age": "30-44", "feature-arrondissement": "11e",
         "feature-diploma": "bac"}
CONTACT = {"name": "Prénom Fictive", "address": "3 rue de l'Essai, 75011 Paris",
           "birth_date": "1985-05-01", "email": "fictive@example.org", "phone": "",
           "consent": "yes"}


def _letters(app: Flask, tmp_path: Path, city: str, group: str, column: str,
             values: list[str]) -> list[str]:
    add_user(app, "secretariat")  # migrates the database
    registry = tmp_path / "registry.csv"
    with registry.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["numero", "prenom", "nom", "adresse", "code_postal", "ville", column])
        for i in range(30):
            writer.writerow([i, f"P{i}", f"N{i}", f"{i} rue", "75011", "Paris",
                             values[i % len(values)]])

    def make(session: Any) -> list[str]:
        mandate = mandates.open_mandate(session, city, "promotion", dt.date(2026, 4, 1))
        draw = recruitment.record_invitation_draw(session, mandate.id, group, registry,
                                                  tmp_path / "merge.csv", seed=3, count=4,
                                                  stratify_by=column)
        letters.generate(session, draw.id, tmp_path / "merge.csv", tmp_path / "out", load(),
                         answers_until=dt.date(2026, 4, 15), url="https://x.example/answer",
                         today=dt.date(2026, 3, 1))
        return []

    in_database(app, make)
    reader = PdfReader(str(tmp_path / "out" / "letters.pdf"))
    found = [CODE.findall(page.extract_text())[0] for page in reader.pages]
    return list(dict.fromkeys(found))  # Brussels: one code on two pages


def _read(response: Any) -> str:
    """The page as a person reads it (entities such as &#39; decoded)."""
    return html.unescape(response.get_data(as_text=True))


def _pool(app: Flask) -> int:
    count: int = in_database(app, lambda s: s.scalar(select(func.count()).select_from(
        Respondent)))
    return count


def _app(city: str) -> Flask:
    return create_app(city, {"TESTING": True, "SECRET_KEY": "test", "KLEROTERION_TODAY": TODAY})


@pytest.fixture
def paris(instance: Path, tmp_path: Path) -> tuple[Flask, list[str]]:
    app = _app("paris")
    return app, _letters(app, tmp_path, "paris", "liste-electorale", "arrondissement",
                         ["1er", "2e"])


def _post(client: FlaskClient, code: str, **fields: str) -> Any:
    token = csrf_token(client, f"/answer?code={code}")
    return client.post("/answer", data={"csrf_token": token, "step": "answer", "code": code,
                                        **PARIS, **CONTACT, **fields})


def test_a_code_from_the_letter_opens_the_form_in_french(paris: tuple[Flask, list[str]]
                                                        ) -> None:
    app, codes = paris
    client = app.test_client()
    empty = _read(client.get("/answer"))
    assert "Votre code personnel" in empty
    page = client.get(f"/answer?code={codes[0]}")
    text = _read(page)
    assert page.status_code == 200
    assert "Genre" in text and "Femme" in text and "Arrondissement" in text
    assert "15 avril 2026" in text  # answers are open until the letters' last day


def test_an_answer_joins_the_pool_once(paris: tuple[Flask, list[str]]) -> None:
    app, codes = paris
    client = app.test_client()
    done = _post(client, codes[0])
    assert done.status_code == 200, _read(done)
    assert "votre réponse est enregistrée" in _read(done)
    assert _pool(app) == 1
    again = _post(client, codes[0])
    assert again.status_code == 422
    assert "n'est pas valable ou a déjà servi" in _read(again)
    unknown = client.get("/answer?code=ZZZZZ-ZZZZZ")
    assert unknown.status_code == 422
    assert "n'est pas valable ou a déjà servi" in _read(unknown)
    assert _pool(app) == 1


def test_a_refused_answer_says_why_next_to_its_field_and_stores_nothing(
        paris: tuple[Flask, list[str]]) -> None:
    app, codes = paris
    client = app.test_client()
    cases = [({"consent": ""}, "consentement"),
             ({"feature-gender": "autre"}, "ne fait pas partie des réponses proposées"),
             ({"birth_date": "hier"}, "date de naissance"),
             ({"name": "X" * 5000}, "dépasse 200 caractères"),
             ({"email": "", "phone": ""}, "adresse électronique ou un numéro")]
    for change, expected in cases:
        refused = _post(client, codes[1], **change)
        assert refused.status_code == 422, change
        assert expected in _read(refused), change
        assert len(refused.get_data()) < 60_000  # no echo of an oversized field
    assert _pool(app) == 0
    assert _post(client, codes[1]).status_code == 200  # the code was not spent


def test_a_forged_post_without_the_form_s_token_is_refused(paris: tuple[Flask, list[str]]
                                                          ) -> None:
    app, codes = paris
    forged = app.test_client().post("/answer", data={"step": "answer", "code": codes[2],
                                                     **PARIS, **CONTACT})
    assert forged.status_code == 400
    assert _pool(app) == 0


def test_codes_cannot_be_tried_in_bulk(paris: tuple[Flask, list[str]]) -> None:
    app, codes = paris
    client = app.test_client()
    statuses = [client.get(f"/answer?code=AAAAA-{n:05d}").status_code for n in range(31)]
    assert statuses[:30] == [422] * 30 and statuses[30] == 429
    # even the right code waits now, from this client
    assert client.get(f"/answer?code={codes[0]}").status_code == 429


def test_brussels_answers_in_dutch(instance: Path, tmp_path: Path) -> None:
    app = _app("brussels")
    codes = _letters(app, tmp_path, "brussels", "panel", "commune", ["Ixelles", "Schaerbeek"])
    client = app.test_client()
    page = _read(client.get(f"/answer?code={codes[0]}&lang=nl"))
    assert '<html lang="nl">' in page and "Uw antwoord" in page
    features = {f"feature-{key}": value for key, value in in_database(app, lambda s: {
        f.key: f.values[0].key for f in app.extensions["kleroterion.city"].config
        .composition.features
        if f.key in app.extensions["kleroterion.city"].config.composition.seat_groups[0]
        .features}).items()}
    token = csrf_token(client, f"/answer?code={codes[0]}")
    done = client.post("/answer", data={"csrf_token": token, "step": "answer",
                                        "code": codes[0], **features, **CONTACT})
    assert done.status_code == 200, _read(done)
    assert "uw antwoord is geregistreerd" in _read(done)
    assert _pool(app) == 1


def test_the_secretariat_records_a_phone_answer(paris: tuple[Flask, list[str]]) -> None:
    app, _ = paris
    client = app.test_client()
    assert client.get("/admin/answers").status_code == 302  # to the login page
    log_in(client, "secretariat")
    desk = _read(client.get("/admin/answers"))
    assert "Taux de réponse" in desk
    target = re.search(r'name="target" value="(\d+:liste-electorale)"', desk)
    assert target is not None
    token = csrf_token(client, "/admin/answers")
    done = client.post("/admin/answers", data={
        "csrf_token": token, "target": target.group(1), "channel": "phone", "code": "",
        **PARIS, **CONTACT})
    assert done.status_code == 200, _read(done)
    assert "La réponse est enregistrée" in _read(done)
    assert _pool(app) == 1
    refused = client.post("/admin/answers", data={
        "csrf_token": token, "target": target.group(1), "channel": "phone", "code": "",
        **PARIS, **CONTACT, "consent": ""})
    assert refused.status_code == 422 and _pool(app) == 1


def test_the_form_shows_the_city_s_consent_text_and_retention(
        paris: tuple[Flask, list[str]], instance: Path, tmp_path: Path) -> None:
    app, codes = paris
    french = _read(app.test_client().get(f"/answer?code={codes[0]}"))
    assert "La Ville de Paris traite vos réponses pour le tirage au sort" in french
    assert "sont effacés 24 mois après votre réponse" in french
    english = _read(app.test_client().get(f"/answer?code={codes[0]}&lang=en"))
    assert "The City of Paris processes your answers" in english
    assert "deleted 24 months after you answer" in english
    brussels = _app("brussels")
    (tmp_path / "b").mkdir()
    code = _letters(brussels, tmp_path / "b", "brussels", "panel", "commune", ["Ixelles"])[0]
    dutch = _read(brussels.test_client().get(f"/answer?code={code}&lang=nl"))
    assert "Het Brussels Hoofdstedelijk Gewest verwerkt uw antwoorden" in dutch
    assert "worden 12 maanden na uw antwoord gewist" in dutch


class _Ids(HTMLParser):
    """Every ``id`` of a page, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids.extend(value for name, value in attrs if name == "id" and value is not None)


def _duplicate_ids(page: str) -> list[str]:
    parser = _Ids()
    parser.feed(page)
    return sorted({i for i in parser.ids if parser.ids.count(i) > 1})


def test_the_answer_desk_repeats_no_id_across_its_seat_group_forms(
        paris: tuple[Flask, list[str]]) -> None:
    """Paris' desk has one form per seat group drawn by lot; a refused field is shown in the
    form that was sent, under ids of that form only (a label, an error, aria-describedby
    point at one element each)."""
    app, _ = paris
    client = app.test_client()
    log_in(client, "secretariat")
    desk = client.get("/admin/answers").get_data(as_text=True)
    targets = re.findall(r'name="target" value="([^"]+)"', desk)
    assert len(targets) >= 2, targets
    assert _duplicate_ids(desk) == []
    token = csrf_token(client, "/admin/answers")
    for field in ("consent", "name", "feature-gender"):
        refused = client.post("/admin/answers", data={
            "csrf_token": token, "target": targets[0], "channel": "phone", "code": "",
            **PARIS, **CONTACT, field: "" if field != "feature-gender" else "autre"})
        assert refused.status_code == 422
        page = refused.get_data(as_text=True)
        assert _duplicate_ids(page) == [], field
        # The refusal is said once, in the form that was sent, and what it points at exists.
        errors = re.findall(r'class="field-error" id="([^"]+)"', page)
        assert len(errors) == 1, (field, errors)
        described = re.findall(r'aria-describedby="([^"]+)"', page)
        assert any(errors[0] in value.split() for value in described), field
    assert _pool(app) == 0
