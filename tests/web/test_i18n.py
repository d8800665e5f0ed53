"""Languages: French by default, the switcher, the cookie, the city's own set of languages."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from kleroterion.web.i18n import LANG_COOKIE


def _html_lang(client: FlaskClient, url: str, **kwargs: object) -> str:
    page = client.get(url, **kwargs).get_data(as_text=True)  # type: ignore[arg-type]
    match = re.search(r'<html lang="([a-z]+)">', page)
    assert match, page[:200]
    return match.group(1)


def test_french_by_default(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "Aller au contenu principal" in page
    assert "Comment ça marche" in page


def test_the_switcher_changes_the_language_and_remembers_it(client: FlaskClient) -> None:
    response = client.get("/panel?lang=en")
    assert '<html lang="en">' in response.get_data(as_text=True)
    cookie = client.get_cookie(LANG_COOKIE)
    assert cookie is not None and cookie.value == "en"
    assert cookie.http_only
    # Later pages, without the parameter, stay in English.
    assert _html_lang(client, "/powers") == "en"
    assert _html_lang(client, "/powers?lang=fr") == "fr"
    assert _html_lang(client, "/indemnity") == "fr"


def test_the_browser_preference_is_used_among_the_offered_languages(client: FlaskClient) -> None:
    assert _html_lang(client, "/", headers={"Accept-Language": "en-GB,en;q=0.8"}) == "en"
    # Paris offers no Dutch: the default stays.
    assert _html_lang(client, "/", headers={"Accept-Language": "nl-BE"}) == "fr"


def test_a_language_the_city_does_not_offer_is_ignored(client: FlaskClient) -> None:
    assert _html_lang(client, "/?lang=nl") == "fr"
    assert _html_lang(client, "/?lang=xx") == "fr"
    assert client.get_cookie(LANG_COOKIE) is None


@pytest.mark.parametrize("city", ["brussels"])
def test_brussels_speaks_french_dutch_and_english(client: FlaskClient) -> None:
    page = client.get("/?lang=nl").get_data(as_text=True)
    assert '<html lang="nl">' in page
    assert "Naar de hoofdinhoud" in page
    assert "Burgerraad voor het klimaat" in page
    assert _html_lang(client, "/?lang=en") == "en"


@pytest.mark.parametrize("city", ["brussels"])
def test_the_switcher_is_an_accessible_navigation(client: FlaskClient) -> None:
    page = client.get("/panel?lang=nl").get_data(as_text=True)
    nav = re.search(r'<nav class="languages" aria-label="([^"]+)">(.*?)</nav>', page, re.S)
    assert nav and nav.group(1) == "Kies een taal"
    links = re.findall(r'<a href="([^"]+)" lang="([a-z]+)" hreflang="([a-z]+)"([^>]*)>([^<]+)</a>',
                       nav.group(2))
    assert [(href, lang, name) for href, lang, _, _, name in links] == [
        ("/panel?lang=fr", "fr", "Français"),
        ("/panel?lang=nl", "nl", "Nederlands"),
        ("/panel?lang=en", "en", "English"),
    ]
    assert [bool("aria-current" in extra) for *_, extra, _ in links] == [False, True, False]
    # Search engines and assistive tools find the other versions too.
    assert '<link rel="alternate" hreflang="fr" href="/panel?lang=fr">' in page


def test_city_labels_follow_the_language(client: FlaskClient) -> None:
    assert "Collège des électeurs" in client.get("/panel").get_data(as_text=True)
    assert "Electoral roll" in client.get("/panel?lang=en").get_data(as_text=True)


def test_city_prose_speaks_the_page_language(client: FlaskClient) -> None:
    """The city's prose is a Localized text: French on French pages, unmarked."""
    french = client.get("/").get_data(as_text=True)
    assert "<p>Assemblée permanente de 100 Parisiennes et Parisiens" in french
    assert "A permanent assembly of 100 Parisians" not in french
    powers = client.get("/powers").get_data(as_text=True)
    assert "le Conseil de Paris, par l'intermédiaire de l'adjoint" in powers.replace("&#39;", "'")
    assert '<span lang="en">' not in powers
    english = client.get("/?lang=en").get_data(as_text=True)
    assert "<p>A permanent assembly of 100 Parisians" in english


def test_an_approximate_figure_reads_as_an_estimate_never_as_a_tag(client: FlaskClient) -> None:
    page = client.get("/indemnity").get_data(as_text=True)
    assert "(estimation)" in page
    assert "[A" not in page and "[P]" not in page and "approximate" not in page
    assert "(estimate)" in client.get("/indemnity?lang=en").get_data(as_text=True)


@pytest.mark.parametrize("city", ["brussels"])
def test_the_follow_up_committee_is_drawn_from_the_panel_in_each_language(
    client: FlaskClient,
) -> None:
    assert "het panel" in client.get("/accountability?lang=nl").get_data(as_text=True)
    assert "le panel" in client.get("/accountability?lang=fr").get_data(as_text=True)


def test_numbers_and_money_are_formatted_for_the_language(client: FlaskClient) -> None:
    assert "44,00\u00a0€ par demi-journée" in client.get("/indemnity").get_data(as_text=True)
    assert "€44.00 per half-day" in client.get("/indemnity?lang=en").get_data(as_text=True)
