"""Wording a public administration would write, where a rule can be checked mechanically.

The terms come from ``docs/glossary.md``: Dutch pages call what the assembly adopts an
« aanbeveling » (the Brussels assembly's own word), never a « handeling » (a deed) or an
« akte » (a notarial deed), a seat group a « zetelgroep », never a « college » (a Belgian
board of aldermen), and no « pool » (an anglicism); French pages call the published
files of a draw « le dossier du tirage », never « la loterie »; the main menu never says
one word for two pages; a French page writes the first of a month « 1er avril », and an
English page writes dates and times the British and European way (« 1 April 2026 »,
« 14:00 »), not the American; the home page names the languages in the page's language.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kleroterion.web.i18n import (
    Said,
    date_text,
    datetime_text,
    document_date,
    plural_count,
    repeats,
)
from markupsafe import Markup

from .conftest import CITIES, CITY_LANGUAGES

TRANSLATIONS = Path(__file__).resolve().parents[2] / "core" / "web" / "translations"
#: Words the glossary sets aside, per language, with the word chosen instead.
BANNED = {
    "nl": {r"\b[Hh]andeling(en)?\b": "aanbeveling", r"\b[Aa]kten?\b": "aanbeveling",
           r"\b[Cc]olleges?\b": "zetelgroep", r"\bpool\b": "wie aan de loting deelneemt"},
    "fr": {r"\bdossier de (la )?loterie\b": "dossier du tirage"},
}
MENU = re.compile(r'<nav class="main-nav".*?</nav>', re.S)
MENU_LABEL = re.compile(r"<a [^>]*>([^<]+)</a>")
ENGLISH_MONTH = ("January|February|March|April|May|June|July|August|September|October|"
                 "November|December")


@pytest.mark.parametrize("language", sorted(BANNED))
def test_catalogs_use_the_glossary_terms(language: str) -> None:
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    found = []
    for message in catalog:
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in texts:
            words = re.sub(r"%\(\w+\)[a-z]", "", text or "")  # placeholders aside
            for banned, chosen in BANNED[language].items():
                if re.search(banned, words):
                    found.append(f"{text!r}: write {chosen!r}")
    assert found == []


@pytest.mark.parametrize(("city", "language"),
                         [(city, language) for city in CITIES
                          for language in CITY_LANGUAGES[city]])
def test_the_menu_names_each_page_once(client: FlaskClient, language: str) -> None:
    page = client.get(f"/?lang={language}").get_data(as_text=True)
    labels = [html.unescape(label).strip()
              for label in MENU_LABEL.findall(MENU.search(page).group(0))]  # type: ignore[union-attr]
    assert len(labels) >= 10
    assert sorted(label for label in set(labels) if labels.count(label) > 1) == []


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_french_writes_the_first_of_a_month_as_an_ordinal(app: Flask, day: dt.date) -> None:
    with app.test_request_context("/?lang=fr"):
        for form in ("long", "full", "medium"):
            text = date_text(day, form)
            assert ("1er" in text.split()) == (day.day == 1), (form, text)
            assert str(day.year) in text


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_english_writes_dates_the_british_way(app: Flask, day: dt.date) -> None:
    with app.test_request_context("/?lang=en"):
        assert re.fullmatch(rf"{day.day} (?:{ENGLISH_MONTH}) {day.year}",
                            date_text(day, "long"))
        assert "er" not in date_text(day, "long").split()[0]


def test_english_and_french_clocks_are_24_hour(app: Flask) -> None:
    moment = dt.datetime(2026, 4, 1, 14, 5, tzinfo=dt.UTC)
    with app.test_request_context("/?lang=en"):
        english = datetime_text(moment, "long")
    with app.test_request_context("/?lang=fr"):
        french = datetime_text(moment, "long")
    assert "1 April 2026" in english and "PM" not in english and "16:05" in english
    assert french.startswith("1er avril 2026") and "16:05" in french


@pytest.mark.parametrize(("language", "size", "written"), [
    ("fr", 1, "1\u00a0octet"), ("fr", 108, "108\u00a0octets"), ("fr", 1234, "1,2\u00a0ko"),
    ("fr", 2_500_000, "2,5\u00a0Mo"), ("en", 108, "108 bytes"), ("en", 1234, "1.2 kB")])
def test_file_sizes_in_the_page_language(app: Flask, language: str, size: int,
                                         written: str) -> None:
    with app.test_request_context(f"/?lang={language}"):
        template = app.jinja_env.from_string("{{ size|filesizeformat }}")
        assert template.render(size=size).replace(" ", "\u00a0") == written.replace(
            " ", "\u00a0")


@pytest.mark.parametrize(("city", "language", "written"), [
    ("paris", "fr", "français, anglais"), ("paris", "en", "French, English"),
    ("brussels", "nl", "Frans, Nederlands"), ("brussels", "fr", "français, néerlandais")])
def test_the_home_page_names_the_languages_in_the_page_language(
        client: FlaskClient, language: str, written: str) -> None:
    page = client.get(f"/?lang={language}").get_data(as_text=True)
    assert f"<dd>{written}</dd>" in page


@pytest.mark.parametrize(("language", "given_date", "written"), [
    ("fr", "2025-03-13", "13 mars 2025"), ("fr", "2005-07-01", "1er juillet 2005"),
    ("en", "2025-03-13", "13 March 2025"), ("fr", "2021/2025", "2021–2025"),
    ("en", "2024", "2024")])
def test_a_source_date_is_written_as_the_page_writes_dates(
        app: Flask, language: str, given_date: str, written: str) -> None:
    with app.test_request_context(f"/?lang={language}"):
        assert document_date(given_date) == written


@pytest.mark.parametrize(("language", "value", "count"), [
    ("fr", 0.5, 1), ("fr", 1.5, 1), ("fr", 2.0, 2), ("fr", 2.6, 2),
    ("en", 0.5, 2), ("en", 1, 1), ("en", 1.5, 2)])
def test_a_decimal_count_agrees_as_the_language_wants(
        app: Flask, language: str, value: float, count: int) -> None:
    """« 1,5 siège » in French (singular below 2), « 1.5 seats » in English."""
    with app.test_request_context(f"/?lang={language}"):
        assert plural_count(value) == count


@pytest.mark.parametrize(("said_already", "added", "repeated"), [
    ("Opvolgingsvergadering 2", "Opvolgingsvergadering", True),
    ("Réunion du comité de suivi", "Comité de suivi", True),
    ("Vergadering van het opvolgingscomité", "Opvolgingscomité", True),
    ("Yearly accountability meeting (droit de suite)", "Yearly accountability meeting", True),
    ("Atelier Exploration", Markup('<span lang="fr">Atelier Exploration</span>'), True),
    ("un mandat de travail de l'exécutif, adopté en séance plénière",
     "mandat de travail de l'exécutif, adopté en séance plénière", True),
    ("Adopté", "adopté", True), ("Séance plénière", "", True),
    ("Yearly follow-up meeting", "Yearly accountability meeting", False),
    ("Comité", "Comité de suivi", False), ("Jaarvergadering", "vergadering", False),
    ("Réunion de suivi", "suivi des actes", False),
    ("Adopté par l'assemblée", "rejeté", False)])
def test_a_page_names_a_thing_once(said_already: object, added: object,
                                   repeated: bool) -> None:
    """A kind, a body or a note a page would append in parentheses is left out when the
    name before it says it already (whole words, case and markup aside)."""
    assert repeats(said_already, added) is repeated


WORD = st.text(alphabet="abcdeéèfgklmnoprstuvz", min_size=1, max_size=8)


@given(st.lists(WORD, max_size=3), st.lists(WORD, min_size=1, max_size=3),
       st.lists(WORD, max_size=3))
def test_a_name_within_a_title_is_said_already(before: list[str], name: list[str],
                                                after: list[str]) -> None:
    title = " ".join([*before, *name, *after])
    assert repeats(title.upper(), " ".join(name))
    assert repeats(title, f"{' '.join(name)}!")


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["follow_up", "accountability"]),
       language=st.sampled_from(["fr", "en"]), number=st.integers(min_value=1, max_value=99))
def test_an_event_titled_with_its_kind_shows_the_kind_once(app: Flask, kind: str,
                                                           language: str, number: int) -> None:
    """The meeting list's rule: « Réunion de suivi 2 », not « Réunion de suivi 2
    (Réunion de suivi) »; a title that does not say the kind keeps it in parentheses."""
    with app.test_request_context(f"/?lang={language}"):
        globals_ = app.jinja_env.globals
        name = str(globals_["word"](globals_["words"]["event"], kind))  # type: ignore[operator,index]
        macro = app.jinja_env.get_template("public/_record.html").module.meeting_kind  # type: ignore[attr-defined]
        said_twice = html.unescape(re.sub(r"<[^>]+>", "", str(macro(
            _Meeting(Said(f"{name} {number}"), kind)))))
        other = html.unescape(re.sub(r"<[^>]+>", "", str(macro(
            _Meeting(Said(f"Séance d'information {number}"), kind)))))
    assert said_twice.strip() == f"{name} {number}"
    assert other.strip() == f"Séance d'information {number} ({name})"


@dataclass(frozen=True)
class _Meeting:
    """What the meeting list's macro reads of a city event."""

    title: Said
    event_kind: str
