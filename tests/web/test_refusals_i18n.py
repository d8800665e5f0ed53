"""The services' refusals in the visitor's language: the catalogs, the raise sites, the pages.

Every refusal is an English template with its parameters (``services.errors``). The
catalogs must render each one in French and Dutch with the very placeholders the
code fills; the back office must show the French (or Dutch) sentence next to the
field, and the English one nowhere.
"""

from __future__ import annotations

import ast
import datetime as dt
import html
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from babel.support import Translations
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from kleroterion.db import upgrade
from kleroterion.messages import Message
from kleroterion.services import context, mandates, proposals, sessions
from kleroterion.web.database import database_url
from sqlalchemy.orm import Session

from .conftest import in_database
from .test_access import csrf_token, log_in

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "core" / "web" / "translations"
LANGUAGES = ("fr", "nl")
#: Where refusals are raised, and the constructors whose first argument is a template.
SOURCES = sorted([*(ROOT / "core" / "services").glob("*.py"), *(ROOT / "core" / "web").glob(
    "*.py"), ROOT / "core" / "sortition" / "io.py"])
REFUSALS = {"ServiceError", "NotFound", "InvalidInput", "NotAllowed", "ConflictError"}
TEMPLATES = REFUSALS | {"Message"}
PLACEHOLDER = re.compile(r"%\((\w+)\)([-#0 +]*\d*(?:\.\d+)?[a-zA-Z])")


def placeholders(text: str) -> set[tuple[str, str]]:
    """The named placeholders of a template, with their conversion (``s``, ``r``, ``04X``)."""
    return set(PLACEHOLDER.findall(text))


def _catalog(name: str) -> Catalog:
    path = TRANSLATIONS / (name if name.endswith(".pot") else f"{name}/LC_MESSAGES/messages.po")
    with path.open("rb") as handle:
        return read_po(handle)


TEMPLATE = _catalog("messages.pot")
#: Every message with placeholders, with its context (a word's gender, or None).
PLACEHOLDED = sorted(((message.id, message.context) for message in TEMPLATE
                      if isinstance(message.id, str) and placeholders(message.id)),
                     key=lambda pair: (pair[0], pair[1] or ""))
#: Those without a context: the refusals' templates, which gettext reads.
WITH_PLACEHOLDERS = sorted({msgid for msgid, context in PLACEHOLDED if context is None})


# --- The catalogs -----------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_translation_has_exactly_the_placeholders_of_its_template(language: str) -> None:
    catalog = _catalog(language)
    wrong = []
    for msgid, gender in PLACEHOLDED:
        message = catalog.get(msgid, context=gender)
        assert message is not None and message.string, (msgid, gender)
        if placeholders(str(message.string)) != placeholders(msgid):
            wrong.append((msgid, gender, message.string))
    assert not wrong
    assert len(WITH_PLACEHOLDERS) > 150  # the refusals are in the template


def _sample(conversion: str) -> st.SearchStrategy[object]:
    if conversion[-1] in "diouxX":
        return st.integers(0, 0xFFFF)
    return st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1,
                   max_size=12)


@st.composite
def filled(draw: st.DrawFn) -> tuple[str, dict[str, object]]:
    msgid = draw(st.sampled_from(WITH_PLACEHOLDERS))
    params = {name: draw(_sample(conversion)) for name, conversion in placeholders(msgid)}
    return msgid, params


def _translations(language: str) -> Translations:
    return Translations.load(str(TRANSLATIONS), [language])


@pytest.mark.parametrize("language", LANGUAGES)
@settings(max_examples=300, deadline=None)
@given(case=filled())
def test_every_template_renders_translated_with_every_value_shown(
    language: str, case: tuple[str, dict[str, object]]
) -> None:
    """Any values in any template: the French or Dutch sentence shows each of them."""
    msgid, params = case
    message = Message(msgid, **params)
    text = message.translated(_translations(language).gettext)
    for name, conversion in placeholders(msgid):
        value = params[name]
        shown = (repr(value) if conversion == "r" else str(value) if conversion == "s"
                 else f"%{conversion}" % value)
        assert shown in text, (msgid, name)


# --- The raise sites ---------------------------------------------------------------------


def _calls(path: Path) -> Iterator[tuple[int, str, ast.Call]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in TEMPLATES and node.args:
                yield node.lineno, name, node


def test_every_refusal_is_a_template_whose_parameters_are_all_given() -> None:
    """No f-string refusal is left, and each literal template's placeholders are filled."""
    problems = []
    sites = 0
    for path in SOURCES:
        where = path.relative_to(ROOT)
        for line, name, call in _calls(path):
            first = call.args[0]
            if isinstance(first, ast.JoinedStr) and name in REFUSALS:
                problems.append(f"{where}:{line}: an f-string cannot be translated")
                continue
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            sites += 1
            given_names = {keyword.arg for keyword in call.keywords if keyword.arg} - {"field"}
            needed = {name for name, _ in placeholders(first.value)}
            if any(keyword.arg is None for keyword in call.keywords):
                continue  # **params: checked when it runs
            if needed != given_names:
                problems.append(f"{where}:{line}: {first.value!r} is given {sorted(given_names)}")
            if first.value not in TEMPLATE:
                problems.append(f"{where}:{line}: {first.value!r} is not in messages.pot")
    assert not problems
    assert sites > 180  # 187 when this was written


def test_the_sentences_of_the_helpers_have_the_placeholders_the_helpers_fill() -> None:
    by_helper = {
        "get": (context.MISSING.values(), {"id"}),
        "check_version": (context.CHANGED.values(), {"id", "version", "expected"}),
        "flush": (context.CHANGED_NOW.values(), {"id"}),
        "check_in_mandate": (proposals.MOVE_DATE.values(), {"date", "mandate", "start", "end"}),
        "add_session": (sessions.NOT_A_LENGTH.values(), {"length"}),
    }
    for helper, (templates, names) in by_helper.items():
        for template in templates:
            assert {name for name, _ in placeholders(template)} == names, (helper, template)
            assert template in TEMPLATE, template
    # Every call of check_in_mandate passes a whole sentence with its four placeholders.
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "check_in_mandate"
                    and isinstance(node.args[2], ast.Call)):
                sentence = node.args[2].args[0]
                assert isinstance(sentence, ast.Constant), path
                assert {n for n, _ in placeholders(sentence.value)} == {
                    "date", "mandate", "start", "end"}, (path, node.lineno)


def test_every_table_services_look_up_has_its_own_not_found_sentence() -> None:
    used = set()
    for path in SOURCES:
        used |= set(re.findall(r"\bget\(session, (\w+),", path.read_text(encoding="utf-8")))
    from kleroterion import models

    tables = {getattr(models, name).__tablename__ for name in used}
    assert tables <= set(context.MISSING), tables - set(context.MISSING)


# --- The back office ----------------------------------------------------------------------

TODAY = dt.date(2026, 11, 23)


def _text(page: str) -> str:
    """The page's text as read: entities decoded, runs of spaces made one."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _error_of(page: str, field_id: str) -> str:
    found = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">(.*?)</p>', page, re.S)
    assert found, f"no error next to {field_id}"
    return _text(found.group(1))


def _act(app: Flask, city: str, starts_on: dt.date, created_on: dt.date, kind: str) -> int:
    """A mandate of ``city`` from ``starts_on`` and an act of ``kind`` in it; the act's id."""
    upgrade(database_url(app))
    app.config["KLEROTERION_TODAY"] = TODAY

    def build(session: Session) -> int:
        mandate = mandates.open_mandate(session, city, "promotion 2026", starts_on)
        return proposals.create(session, mandate.id, kind, "Des fontaines", created_on).id

    return in_database(app, build)


def _move(client: FlaskClient, ident: int, target: str, on: str, language: str) -> tuple[int, str]:
    token = csrf_token(client, f"/admin/proposals/{ident}")
    response = client.post(f"/admin/proposals/{ident}/move/{target}?lang={language}", data={
        "csrf_token": token, f"{target}-on": on, f"{target}-expected_version": "1"})
    return response.status_code, response.get_data(as_text=True)


def test_a_move_before_the_last_step_is_refused_in_french_next_to_the_date(
    client: FlaskClient, app: Flask
) -> None:
    act = _act(app, "paris", dt.date(2026, 4, 1), dt.date(2026, 6, 1), "deliberation")
    log_in(client, "secretariat")
    status, page = _move(client, act, "adopte-assemblee", "2026-05-01", "fr")
    assert status == 422
    error = _error_of(page, "adopte-assemblee-on")
    assert error == ("le 2026-05-01 est antérieur à la dernière étape de la proposition "
                     "(2026-06-01)")
    assert "is before the proposal's last step" not in _text(page)
    # The same refusal in English, as the services and the API say it.
    status, page = _move(client, act, "adopte-assemblee", "2026-05-01", "en")
    assert _error_of(page, "adopte-assemblee-on") == (
        "2026-05-01 is before the proposal's last step (2026-06-01)")


@pytest.mark.parametrize("city", ["brussels"])
@pytest.mark.parametrize(("language", "expected", "english"), [
    ("nl", "de datum 2026-09-01 van een stap door de burgerraad valt buiten mandaat {mandate} "
           "(2026-04-01 tot 2026-06-30)", "is outside mandate"),
    ("fr", "la date 2026-09-01 d'une étape décidée par l'assemblée est en dehors du mandat "
           "{mandate} (du 2026-04-01 au 2026-06-30)", "is outside mandate"),
])
def test_a_move_outside_the_mandate_is_refused_in_the_visitor_s_language(
    client: FlaskClient, app: Flask, language: str, expected: str, english: str
) -> None:
    """Brussels: the sentence made whole from "the date of a move by the " + its actor."""
    act = _act(app, "brussels", dt.date(2026, 4, 1), dt.date(2026, 5, 1), "recommandation")
    mandate = in_database(app, lambda session: mandates.list_mandates(session, "brussels")[0].id)
    log_in(client, "secretariat")
    status, page = _move(client, act, "adoptee", "2026-09-01", language)
    assert status == 422
    assert f'<html lang="{language}"' in page
    assert _error_of(page, "adoptee-on") == expected.format(mandate=mandate)
    assert english not in _text(page) and "the date of a move" not in _text(page)


# --- The respondents upload ----------------------------------------------------------------

HEADER = "id,gender,age,arrondissement,diploma,nom,date_naissance\n"
GOOD = "R-1,femme,30-44,11e,bac,Synthétique Une,1980-02-03\n"


def _upload(client: FlaskClient, content: bytes, language: str) -> tuple[int, str]:
    token = csrf_token(client, "/admin/respondents")
    response = client.post(f"/admin/respondents?lang={language}", data={
        "csrf_token": token, "seat_group": "liste-electorale",
        "upload": (io.BytesIO(content), "repondants.csv"),
    }, content_type="multipart/form-data")
    return response.status_code, response.get_data(as_text=True)


def _reasons(page: str) -> list[str]:
    body = page[page.index("<tbody>"):page.index("</tbody>")]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [_text(re.findall(r"<td>(.*?)</td>", row, re.S)[-1]) for row in rows]


@pytest.fixture
def paris_mandate(app: Flask) -> int:
    return _act(app, "paris", dt.date(2026, 4, 1), dt.date(2026, 6, 1), "deliberation")


def test_a_bad_line_of_an_upload_is_explained_in_french(
    client: FlaskClient, app: Flask, paris_mandate: int
) -> None:
    log_in(client, "secretariat")
    bad_value = "R-2,dragon,30-44,11e,bac,Synthétique Deux,1981-04-05\n"
    bad_date = "R-3,homme,30-44,11e,bac,Synthétique Trois,le 5 avril\n"
    short = "R-4,homme\n"
    status, page = _upload(client, (HEADER + GOOD + bad_value + bad_date + short).encode(), "fr")
    assert status == 422
    reasons = _reasons(page)
    assert len(reasons) == 3
    assert reasons[0].startswith("n'est pas une valeur de 'gender' ; attendu : ")
    assert reasons[1] == "n'est pas une date : format attendu AAAA-MM-JJ ou JJ/MM/AAAA"
    assert reasons[2] == ("la ligne a 2 champs mais l'en-tête en a 7 ; attendu : un champ par "
                          "colonne de l'en-tête ; mettez entre guillemets une valeur qui "
                          "contient le séparateur")
    text = _text(page)
    for english in ("is not a value of", "not a date", "fields but the header", "accepted:"):
        assert english not in text
    assert "<td lang=\"en\">" not in page


def test_a_file_refused_whole_is_explained_in_french(
    client: FlaskClient, paris_mandate: int
) -> None:
    log_in(client, "secretariat")
    status, page = _upload(client, b"   \n", "fr")
    assert status == 422
    assert _reasons(page) == ["le fichier est vide ; une ligne d'en-tête et des lignes de "
                              "données sont attendues"]
    status, page = _upload(client, "id;gender\r\n".encode("utf-16"), "fr")
    assert _reasons(page)[0].startswith("le fichier contient des octets NUL : il semble être "
                                        "en UTF-16")
    assert "un seul encodage pour tout le fichier" in _reasons(page)[0]


def test_the_same_upload_is_explained_in_english_on_an_english_page(
    client: FlaskClient, paris_mandate: int
) -> None:
    log_in(client, "secretariat")
    status, page = _upload(client, (HEADER + "R-2,dragon,30-44,11e,bac,X,\n").encode(), "en")
    assert status == 422
    assert _reasons(page)[0].startswith("is not a value of 'gender'; accepted: ")
