"""Bad input on the answer page: each gets a clear refusal in the visitor's language, and
the pool stays as it was.

A Brussels invitation draw (French and Dutch) and its letters are made once for the
module, the codes read back from the PDF. Bad codes, a replayed code, forged posts
(without the form's token, with a token of another session, with a field the form
does not have or one sent twice) and oversized fields are each sent in French and in
Dutch; every refusal is checked for its sentence and the pool for its size. The fields'
declared maximum lengths are checked against the database columns, the form's
``maxlength`` and the anonymous body limit: an answer filling every field to its
maximum in 4-byte characters is recorded, not refused for its size.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kleroterion.models import PersonalData
from kleroterion.services.answers import FIELD_LIMITS, LIMITS
from kleroterion.web import create_app
from kleroterion.web.limits import DEFAULTS
from werkzeug.datastructures import MultiDict

from tests.web.conftest import instance_folder
from tests.web.test_access import csrf_token
from tests.web.test_answer_page import _letters, _pool

TODAY = dt.date(2026, 3, 10)
CONTACT = {"name": "Prénom Fictive", "address": "3 rue de l'Essai, 1050 Ixelles",
           "birth_date": "1985-05-01", "email": "fictive@example.org", "phone": "",
           "consent": "yes"}
#: What each language's refusal says, in part.
SAYS = {
    "refused code": {"fr": "n'est pas valable ou a déjà servi",
                     "nl": "is niet geldig of werd al gebruikt"},
    "forged": {"fr": "Ce formulaire ne provient pas de cette page",
               "nl": "Dit formulier komt niet van deze pagina"},
    "unknown field": {"fr": "contient un champ que cette page n'a pas",
                      "nl": "bevat een veld dat deze pagina niet heeft"},
    "twice": {"fr": "deux fois", "nl": "twee keer"},
    "too long": {"fr": "dépasse", "nl": "is langer dan"},
    "not offered": {"fr": "ne fait pas partie des réponses proposées",
                    "nl": "is geen van de voorgestelde antwoorden"},
    "too large": {"fr": "plus volumineux que ce que ce site accepte",
                  "nl": "groter dan wat deze site aanvaardt"},
}
LANGUAGES = ("fr", "nl")
_ADDRESSES = itertools.count(1)


@pytest.fixture(scope="module")
def brussels(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, list[str]]]:
    with instance_folder(tmp_path_factory.mktemp("instance")):
        app = create_app("brussels", {"TESTING": True, "SECRET_KEY": "test",
                                      "KLEROTERION_TODAY": TODAY})
        codes = _letters(app, tmp_path_factory.mktemp("letters"), "brussels", "panel",
                         "commune", ["Ixelles", "Schaerbeek"])
    yield app, codes


def _client(app: Flask) -> FlaskClient:
    """A client of its own address, so that no test spends another's code checks."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"10.0.0.{next(_ADDRESSES)}"
    return client


def _features(app: Flask) -> dict[str, str]:
    config = app.extensions["kleroterion.city"].config
    group = config.composition.seat_groups[0]
    by_key = {f.key: f for f in config.composition.features}
    return {f"feature-{key}": by_key[key].values[0].key for key in group.features}


def _read(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def _answer(app: Flask, client: FlaskClient, code: str, language: str,
            token: str | None = None, **fields: str) -> Any:
    if token is None:
        token = csrf_token(client, f"/answer?code={code}")
    data = {"csrf_token": token, "step": "answer", "code": code, **_features(app), **CONTACT}
    data.update(fields)
    return client.post(f"/answer?lang={language}", data=data)


@pytest.mark.parametrize("language", LANGUAGES)
def test_bad_codes_are_refused_in_the_visitor_s_language(
        brussels: tuple[Flask, list[str]], language: str) -> None:
    app, _ = brussels
    client = _client(app)
    before = _pool(app)
    for code in ("ZZZZZ-ZZZZZ", "not a code", "0" * 39, "X" * 5000, "IIIII-OOOOO"):
        page = client.get(f"/answer?code={code}&lang={language}")
        assert page.status_code == 422, code
        text = _read(page)
        assert SAYS["refused code"][language] in text, code
        assert f'<html lang="{language}">' in text and len(text) < 40_000
    empty = client.post(f"/answer?lang={language}",
                        data={"csrf_token": csrf_token(client, "/answer"), "code": ""})
    assert empty.status_code == 422
    assert _pool(app) == before


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_replayed_code_is_refused(brussels: tuple[Flask, list[str]], language: str) -> None:
    app, codes = brussels
    client = _client(app)
    code = codes[0]
    first = _answer(app, client, code, language)  # answered here, or by the other language
    assert first.status_code in (200, 422)
    before = _pool(app)
    replayed = _answer(app, client, code, language, token=csrf_token(client, "/answer"))
    assert replayed.status_code == 422
    assert SAYS["refused code"][language] in _read(replayed)
    assert _pool(app) == before


@pytest.mark.parametrize("language", LANGUAGES)
def test_forged_posts_are_refused_and_the_code_is_not_spent(
        brussels: tuple[Flask, list[str]], language: str) -> None:
    app, codes = brussels
    code = codes[1]
    client = _client(app)
    before = _pool(app)
    other = _client(app)
    stolen = csrf_token(other, "/answer")
    for token in ("", "forged", stolen):
        refused = _answer(app, client, code, language, token=token)
        assert refused.status_code == 400, token
        assert SAYS["forged"][language] in _read(refused), token
    for extra, says in (({"status": "selected"}, "unknown field"),
                        ({"feature-unknown": "x"}, "unknown field"),
                        ({"seat_group": "panel"}, "unknown field")):
        refused = _answer(app, client, code, language, **extra)
        assert refused.status_code == 422, extra
        assert SAYS[says][language] in _read(refused), extra
    token = csrf_token(client, f"/answer?code={code}")
    data = [("csrf_token", token), ("step", "answer"), ("code", code),
            *_features(app).items(), *CONTACT.items(), ("name", "Quelqu'un d'autre")]
    twice = client.post(f"/answer?lang={language}", data=MultiDict(data))
    assert twice.status_code == 422
    assert SAYS["twice"][language] in _read(twice)
    assert _pool(app) == before
    if language == "nl":  # the code was never spent
        assert _answer(app, client, code, language).status_code == 200


@pytest.mark.parametrize("language", LANGUAGES)
def test_oversized_fields_are_refused_field_by_field(
        brussels: tuple[Flask, list[str]], language: str) -> None:
    app, codes = brussels
    client = _client(app)
    before = _pool(app)
    for name, limit in LIMITS.items():
        value = "a@" + "é" * (limit - 1) if name == "email" else "é" * (limit + 1)
        refused = _answer(app, client, codes[2], language, **{name: value})
        assert refused.status_code == 422, name
        text = _read(refused)
        assert SAYS["too long"][language] in text and str(limit) in text, name
        assert f'id="{name}-error"' in text and len(text) < 40_000, name
    feature = next(iter(_features(app)))
    refused = _answer(app, client, codes[2], language, **{feature: "x" * 10_000})
    assert refused.status_code == 422
    text = _read(refused)
    assert SAYS["not offered"][language] in text and "x" * 65 not in text
    # Past the anonymous body limit, the whole post is refused before it is read.
    huge = _answer(app, client, codes[2], language, address="x" * 20_000)
    assert huge.status_code == 413
    assert SAYS["too large"][language] in _read(huge)
    assert _pool(app) == before


def test_the_declared_limits_agree_with_the_columns_the_form_and_the_body_limit(
        brussels: tuple[Flask, list[str]]) -> None:
    app, codes = brussels
    columns = PersonalData.__table__.columns
    assert {name: columns[name].type.length for name in LIMITS} == LIMITS
    client = _client(app)
    page = _read(client.get(f"/answer?code={codes[3]}"))
    for name in LIMITS:
        assert re.search(rf'name="{name}"[^>]*maxlength="{LIMITS[name]}"', page), name
    assert f'maxlength="{FIELD_LIMITS["code"]}"' in _read(client.get("/answer"))
    # Every field at its maximum, in 4-byte characters (12 bytes once percent-encoded).
    widest = "\U0001d538"
    full = {"name": widest * LIMITS["name"], "address": widest * LIMITS["address"],
            "email": widest * (LIMITS["email"] - 6) + "@x.org",
            "phone": widest * LIMITS["phone"]}
    body = sum(len(k) + 12 * len(v) + 2 for k, v in full.items())
    assert body < DEFAULTS["KLEROTERION_ANONYMOUS_LIMIT"] - 2048
    before = _pool(app)
    done = _answer(app, client, codes[3], "fr", **full)
    assert done.status_code == 200, _read(done)[:2000]
    assert _pool(app) == before + 1
