"""Public pages: every page of every city in every language, their content, error pages."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kleroterion.city.quotas import group_quotas
from kleroterion.web.context import city_of
from kleroterion.web.i18n import in_sentence

from .conftest import CITIES, CITY_LANGUAGES

PAGES = ("/", "/panel", "/sessions", "/powers", "/indemnity", "/accountability")


@pytest.mark.parametrize("city", CITIES)
def test_every_page_answers_in_every_language_of_the_city(city: str, client: FlaskClient) -> None:
    kinds = [kind.key for kind in city_of(client.application).config.proposal_kinds]
    for language in CITY_LANGUAGES[city]:
        for url in [*PAGES, *(f"/powers/{kind}" for kind in kinds)]:
            response = client.get(f"{url}?lang={language}")
            assert response.status_code == 200, (url, language)
            page = response.get_data(as_text=True)
            assert f'<html lang="{language}">' in page
            # One main landmark, one h1, a skip link to the main content.
            assert page.count("<main ") == 1 and page.count("<h1") == 1
            assert '<a class="skip-link" href="#content">' in page


def test_the_current_page_is_marked_in_the_main_menu(client: FlaskClient) -> None:
    page = client.get("/panel?lang=en").get_data(as_text=True)
    assert '<a href="/panel" aria-current="page">The panel</a>' in page
    assert page.count('aria-current="page"') == 1


def test_home_tells_how_the_assembly_works(client: FlaskClient) -> None:
    page = client.get("/?lang=en").get_data(as_text=True)
    assert "<h1>Paris Citizens&#39; Assembly</h1>" in page
    assert "100 seats drawn by lot" in page
    assert "First, 10,000 invitation letters are drawn at random" in page
    assert "Guarantors&#39; committee" in page  # a body
    assert 'href="/powers/deliberation"' in page  # a power


def _table_rows(page: str, caption: str) -> list[list[str]]:
    table = re.search(
        r"<caption>" + re.escape(caption) + r"</caption>(.*?)</table>", page, re.S
    )
    assert table, caption
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in rows]
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in row] for row in cells[1:]]


def test_the_panel_page_shows_every_quota_target_as_chart_and_table(
    app: Flask, client: FlaskClient
) -> None:
    composition = city_of(app).config.composition
    page = client.get("/panel?lang=en").get_data(as_text=True)
    for group in composition.seat_groups:
        label = in_sentence(group.label["en"])  # « …, electoral roll »: inside the caption
        expected: dict[str, list[tuple[str, int, int]]] = {}
        for quota in group_quotas(composition, group):
            expected.setdefault(quota.feature, []).append((quota.value, quota.min, quota.max))
        features = {feature.key: feature for feature in composition.features}
        for feature_key, quotas in expected.items():
            feature = features[feature_key]
            caption = f"Quota targets by criterion “{feature.label['en']}”, {label}".replace(
                "'", "&#39;")
            rows = _table_rows(page, caption)
            labels = {value.key: value.label["en"] for value in feature.values}
            assert [(row[0], int(row[3]), int(row[4])) for row in rows] == [
                (labels[value].replace("'", "&#39;"), low, high) for value, low, high in quotas
            ]
            # The drawing is an image with a title and a description, not a bare SVG.
            assert f"<title id=\"chart-{group.key}-{feature_key}-title\">{caption}</title>" in page
    assert page.count('role="img"') == sum(len(g.features) for g in composition.seat_groups)


def test_proportional_seats_add_up_to_the_group(client: FlaskClient) -> None:
    page = client.get("/panel?lang=en").get_data(as_text=True)
    rows = _table_rows(page, "Quota targets by criterion “Arrondissement”, electoral roll")
    assert len(rows) == 20
    # Each figure is rounded to a tenth: twenty of them stay within a seat of 80.
    assert sum(float(row[2]) for row in rows) == pytest.approx(80, abs=1)
    assert rows[14][0] == "15e" and rows[14][1] == "11%"  # 227k of 2,133k


def test_the_closed_value_gets_no_share(client: FlaskClient) -> None:
    # Paris's electoral-roll group has nobody aged 16-17 (an explicit 0-0 quota).
    page = client.get("/panel?lang=en").get_data(as_text=True)
    rows = _table_rows(page, "Quota targets by criterion “Age”, electoral roll")
    assert rows[0] == ["16-17", "0%", "0.0", "0", "0"]


@pytest.mark.parametrize("city", ["poitiers"])
def test_a_group_without_quotas_says_so(client: FlaskClient) -> None:
    page = client.get("/panel?lang=en").get_data(as_text=True)
    assert "No quota applies to this group" in page
    assert 'role="img"' not in page


def test_a_lifecycle_lists_every_state_and_who_moves_it(client: FlaskClient) -> None:
    page = client.get("/powers/deliberation?lang=en").get_data(as_text=True)
    states = re.findall(r'<li class="state[^"]*" id="state-([^"]+)">', page)
    assert states == ["redige", "adopte-assemblee", "depose", "debattu", "adopte", "rejete",
                      "retire"]
    assert 'href="#state-rejete">Rejected</a>\n          — by the council (Reject)' in page
    assert '<span class="tag tag-final">final: adopted</span>' in page


@pytest.mark.parametrize("city", ["poitiers"])
def test_the_indemnity_page_gives_the_means_test_and_the_cap(client: FlaskClient) -> None:
    page = client.get("/indemnity?lang=en").get_data(as_text=True)
    assert "€41.22 per session" in page
    assert "family quotient of at most €1,000.00" in page
    assert "at most 25 sessions per" in page


@pytest.mark.parametrize("city", ["brussels"])
def test_the_accountability_page_lists_the_deadlines(client: FlaskClient) -> None:
    page = client.get("/accountability?lang=nl").get_data(as_text=True)
    rows = _table_rows(page, "Termijnen om op de aanbevelingen van de burgerraad te antwoorden")
    assert [row[1] for row in rows] == ["3 maanden", "12 maanden"]
    assert "Opvolgingscomité" in page


@pytest.mark.parametrize(
    ("language", "title"),
    [("fr", "Page introuvable"), ("en", "Page not found"), ("nl", "Pagina niet gevonden")],
)
@pytest.mark.parametrize("city", ["brussels"])
def test_unknown_addresses_get_a_404_page_in_the_visitor_language(
    client: FlaskClient, language: str, title: str
) -> None:
    for url in ("/no-such-page", "/powers/no-such-kind"):
        response = client.get(f"{url}?lang={language}")
        assert response.status_code == 404
        page = response.get_data(as_text=True)
        assert f'<html lang="{language}">' in page
        assert f"<h1>{title}</h1>" in page


def test_an_unexpected_error_shows_a_localized_page_without_its_message(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    app.config["TESTING"] = False  # let the error handler answer instead of raising

    @app.get("/broken")
    def broken() -> str:
        raise RuntimeError("secret detail: Jeanne Dupont, 12 rue X")

    response = app.test_client().get("/broken?lang=en")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "<h1>Something went wrong</h1>" in page
    assert "Jeanne Dupont" not in page
    french = app.test_client().get("/broken").get_data(as_text=True)
    assert "Une erreur est survenue" in french


def test_the_stylesheet_is_served(client: FlaskClient) -> None:
    with client.get("/static/site.css") as response:
        assert response.status_code == 200
        assert ":focus-visible" in response.get_data(as_text=True)
