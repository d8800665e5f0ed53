"""A city's own name in each language, the draw's times as the reader expects them, an
open age written as such, and a group's name lowered inside a sentence.

Brussels names itself « Région de Bruxelles-Capitale » in French and « Brussels
Hoofdstedelijk Gewest » in Dutch: each page shows its own language's name only. A city
file that still gives one string is read as every language; one whose name lacks the
default language is refused, naming the field; another language missing falls back as
the assembly's name does. The public draw page writes « 7 décembre 2026 à 21 h 13,
heure de Bruxelles », never Babel's « 21:13:54 +0100 » or « CET ». Poitiers's
assembly, open at every age, has « aucun âge minimum » in the comparison, not « 0 an ».
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from kleroterion.city.datafile import CityFileError, read_city_file
from kleroterion.city.types import localize
from kleroterion.models import Draw
from kleroterion.observatory.configuration import ROWS, Fact
from kleroterion.observatory.wording import Words
from kleroterion.services import mandates
from kleroterion.web.i18n import in_sentence
from markupsafe import Markup
from sqlalchemy.orm import Session

from .conftest import app_on, seeded_database

PLUGINS = Path(__file__).parents[2] / "plugins"
FRENCH, DUTCH = "Région de Bruxelles-Capitale", "Brussels Hoofdstedelijk Gewest"


# -- the city's name ------------------------------------------------------------------


@pytest.mark.parametrize("city", ["brussels"])
@pytest.mark.parametrize(("language", "shown", "hidden"), [
    ("fr", FRENCH, DUTCH), ("nl", DUTCH, FRENCH), ("en", "Brussels-Capital Region", DUTCH),
])
def test_each_page_names_the_city_in_its_language(client: FlaskClient, language: str,
                                                  shown: str, hidden: str) -> None:
    page = client.get(f"/?lang={language}").get_data(as_text=True)
    assert shown in page
    assert hidden not in page
    assert " / " + DUTCH not in page and FRENCH + " / " not in page
    # The lead puts the name first, where it needs no article (« de Région de … »).
    assert f"de {FRENCH}" not in page and f"van {DUTCH}" not in page


@pytest.mark.parametrize("city", ["brussels"])
def test_the_api_gives_the_name_per_language_or_in_the_one_asked(client: FlaskClient) -> None:
    assert client.get("/api/city").get_json()["name"] == {
        "fr": FRENCH, "nl": DUTCH, "en": "Brussels-Capital Region"}
    assert client.get("/api/city?lang=nl").get_json()["name"] == DUTCH


def _with_profile_name(tmp_path: Path, city: str, name: str) -> Path:
    text = (PLUGINS / city / "city.toml").read_text(encoding="utf-8")
    changed, count = re.subn(r"(?m)^name = \{[^\n]*\}$", lambda _: f"name = {name}", text,
                             count=1)
    assert count == 1
    path = tmp_path / "city.toml"
    path.write_text(changed, encoding="utf-8")
    return path


def test_a_single_name_is_every_languages(tmp_path: Path) -> None:
    data = read_city_file(_with_profile_name(tmp_path, "brussels", '"Bruxelles / Brussel"'))
    profile = data.answer("city_profile")
    assert profile.name == {"fr": "Bruxelles / Brussel", "nl": "Bruxelles / Brussel"}


def test_a_name_without_the_default_language_is_refused(tmp_path: Path) -> None:
    path = _with_profile_name(tmp_path, "poitiers", '{ en = "City of Poitiers" }')
    with pytest.raises(CityFileError, match=r"profile\.name.*needs the default language 'fr'"):
        read_city_file(path)


@pytest.mark.parametrize("name", ['""', "{ fr = \"\" }", "3", '{ fr = 3 }'])
def test_an_empty_or_mistyped_name_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(CityFileError, match=r"profile\.name"):
        read_city_file(_with_profile_name(tmp_path, "poitiers", name))


def test_a_language_missing_is_refused_or_falls_back_as_the_assembly_name(
        tmp_path: Path) -> None:
    # An assembly's language missing is refused, as for the assembly's name.
    path = _with_profile_name(tmp_path, "brussels", f'{{ fr = "{FRENCH}" }}')
    with pytest.raises(CityFileError, match=r"profile\.name.*no text in 'nl'"):
        read_city_file(path)
    # English, which Brussels's pages offer without writing it: the first language's.
    path = _with_profile_name(tmp_path, "brussels", f'{{ fr = "{FRENCH}", nl = "{DUTCH}" }}')
    profile = read_city_file(path).answer("city_profile")
    assert localize(profile.name, "en") == FRENCH
    assert localize(profile.name, "nl") == DUTCH


# -- the draw's times --------------------------------------------------------------------

PUBLISHED = dt.datetime(2026, 12, 7, 20, 13, 54)  # UTC: 21:13 in Brussels (CET)
CHOSEN = dt.datetime(2026, 12, 7, 20, 45, 2)


def _one_draw(session: Session) -> None:
    mandate = mandates.open_mandate(session, "brussels", "cycle 2026", dt.date(2026, 10, 1))
    session.add(Draw(mandate_id=mandate.id, kind="panel", seat_group="panel",
                     algorithm="leximin", seats=80, inputs={"respondents": 160},
                     state="chosen", public_number="12345", published_at=PUBLISHED,
                     chosen_at=CHOSEN))


@pytest.fixture
def draw_app(instance: Path, tmp_path: Path) -> Flask:
    return app_on("brussels", seeded_database(tmp_path / "draw.sqlite3", _one_draw),
                  dt.date(2026, 12, 8))


@pytest.mark.parametrize(("language", "published", "chosen"), [
    ("fr", "7 décembre 2026 à 21\u00a0h\u00a013, heure de Bruxelles",
     "7 décembre 2026 à 21\u00a0h\u00a045, heure de Bruxelles"),
    ("nl", "7 december 2026 om 21:13, tijd in Brussel",
     "7 december 2026 om 21:45, tijd in Brussel"),
    ("en", "7 December 2026 at 21:13, Brussels time", "7 December 2026 at 21:45, Brussels time"),
])
def test_the_draw_page_writes_times_as_its_readers_do(draw_app: Flask, language: str,
                                                     published: str, chosen: str) -> None:
    page = draw_app.test_client().get(f"/draw?lang={language}").get_data(as_text=True)
    assert published in page and chosen in page
    for babel_form in ("+0100", "CET", "UTC", ":54", "21:13:54"):
        assert babel_form not in page


# -- an open age ---------------------------------------------------------------------------


MINIMUM_AGE = next(row for row in ROWS if row.key == "composition.minimum_age")


@pytest.mark.parametrize(("language", "none", "sixteen"), [
    ("fr", "aucun âge minimum", "16 ans"), ("en", "no minimum age", "16 years"),
    ("nl", "geen minimumleeftijd", "16 jaar"),
])
def test_an_age_of_zero_is_no_minimum(language: str, none: str, sixteen: str) -> None:
    words = Words(language)
    assert words.value(MINIMUM_AGE, Fact("known", 0, "years")) == none
    assert words.value(MINIMUM_AGE, Fact("known", 16, "years")) == sixteen


@pytest.mark.parametrize("city", ["poitiers"])
def test_the_comparison_says_poitiers_is_open_at_every_age(client: FlaskClient) -> None:
    page = client.get("/comparison?lang=fr").get_data(as_text=True)
    assert "aucun âge minimum" in page
    assert "0\u00a0an" not in page and "0 an" not in page


# -- a group's name inside a sentence -------------------------------------------------------


@pytest.mark.parametrize(("label", "expected"), [
    ("Panel van de cyclus", "panel van de cyclus"), ("Comité de suivi", "comité de suivi"),
    ("Électeurs", "électeurs"), ("CPAS de Bruxelles", "CPAS de Bruxelles"),
    ("McLean group", "McLean group"), ("", ""),
])
def test_a_name_inside_a_sentence(label: str, expected: str) -> None:
    assert in_sentence(label) == expected


def test_a_marked_name_stays_marked() -> None:
    marked = in_sentence(Markup('<span lang="en">Cycle panel</span>'))
    assert isinstance(marked, Markup)
    assert marked == Markup('<span lang="en">cycle panel</span>')


@given(st.text(alphabet=st.characters(categories=("L", "N", "Zs", "P")), max_size=40))
def test_only_the_first_letter_may_change(text: str) -> None:
    lowered = in_sentence(text)
    assert len(lowered) == len(text)
    assert lowered[1:] == text[1:]
    assert lowered[:1] in (text[:1], text[:1].lower())


@pytest.mark.parametrize("city", ["brussels"])
def test_the_panel_page_names_the_group_in_lowercase_mid_sentence(client: FlaskClient) -> None:
    page = client.get("/panel?lang=nl").get_data(as_text=True)
    if "Quotadoelen per criterium" not in page:  # no mandate open: nothing to caption
        pytest.skip("no quota charts on this page")
    assert ", panel van de cyclus" in page
    assert ", Panel van de cyclus" not in page
