"""The configurations compared on the web, as open data, and across instances.

The page ``/comparison`` shows every installed city in the visitor's language; the
open data ``/api/open-data/configuration`` is this city's typed configuration, in the
OpenAPI document. ``kleroterion compare https://…/api`` reads it from instances served
locally in threads (Paris and Brussels), and names each failing source with its reason:
one answering HTML, one publishing an older schema version, one answering a document
that does not match, and an address where nothing listens.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask, jsonify
from flask.testing import FlaskClient
from kleroterion import plugins
from kleroterion.cli import main
from kleroterion.observatory import configuration
from kleroterion.web import create_app

from tests.web.test_browser import LiveServer


@pytest.mark.parametrize(("city", "language", "expected"), [
    ("paris", "fr", ["<h1>Villes comparées</h1>", "44\xa0€ par demi-journée",
                     "Indemnisation des membres", "inconnu"]),
    ("paris", "en", ["<h1>Cities compared</h1>", "€44 per half-day", "unknown"]),
    ("brussels", "nl", ["<h1>Steden vergeleken</h1>", "€\xa044 per halve dag", "onbekend",
                        "niet in het Nederlands opgesteld"]),
])
def test_the_page_reads_in_the_visitors_language(client: FlaskClient, language: str,
                                                 expected: list[str]) -> None:
    page = client.get(f"/comparison?lang={language}").get_data(as_text=True)
    assert f'<html lang="{language}">' in page
    for text in expected:
        assert text in page, text
    # Every installed city is a column, this one first.
    installed = plugins.installed_cities()
    assert page.count('<th scope="col">') == (1 + len(installed)) * 9
    # Figures that compare carry a bar beside them (hidden from screen readers: the
    # number says it); the largest is full.
    assert '<meter min="0" max="1" value="1.0" aria-hidden="true">' in page
    # A source reference leads to its entry.
    assert 'href="#source-1"' in page and 'id="source-1"' in page


def test_bars_only_where_the_values_compare() -> None:
    from kleroterion import compare
    from kleroterion.observatory import tables

    table = compare.collect(["paris", "poitiers", "brussels"])
    row = {r.key: r for r in configuration.ROWS}
    year = tables.bars(table, row["derived.typical_year"])
    assert year[1] == 1.0 and year[0] == pytest.approx(792 / 1030.5)
    assert tables.bars(table, row["indemnity.rate"]) == [None] * 3  # per half-day, session, day
    assert tables.bars(table, row["institution.staff_fte"]) == [None] * 3  # one city knows


def test_the_open_data_is_typed_and_read_back_as_it_was(client: FlaskClient) -> None:
    data = client.get("/api/open-data/configuration").get_json()
    assert data["schema_version"] == configuration.SCHEMA_VERSION
    assert data["facts"]["indemnity.rate"]["value"] == 44
    assert data["facts"]["indemnity.rate"]["unit"] == "EUR/half_day"
    assert data["facts"]["institution.founding_act"]["status"] == "unknown"
    read = configuration.read_document(data)
    assert read == configuration.facts_of(plugins.load_city("paris").config)


def test_the_openapi_document_describes_the_configuration(client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").get_json()
    operation = document["paths"]["/api/open-data/configuration"]["get"]
    reference = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    described = document["components"]["schemas"][reference.rsplit("/", 1)[-1]]
    assert {"schema_version", "city", "facts"} <= set(described["properties"])


# -- across instances ----------------------------------------------------------------------


def _odd(kind: str) -> Flask:
    odd = Flask(kind)

    @odd.get("/api/open-data/configuration")
    def data() -> Any:
        if kind == "html":
            return "<html><body>maintenance</body></html>"
        if kind == "older":
            return jsonify({"schema_version": 0, "city": {}, "facts": {}})
        return jsonify({"schema_version": configuration.SCHEMA_VERSION,
                        "city": {"slug": "odd"},
                        "facts": {"indemnity.rate": {"status": "known", "value": "44 euros"}}})

    return odd


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KLEROTERION_INSTANCE_PATH", str(tmp_path_factory.mktemp("instance")))
        apps = {"paris": create_app("paris", {"SECRET_KEY": "t"}),
                "brussels": create_app("brussels", {"SECRET_KEY": "t"}),
                "html": _odd("html"), "older": _odd("older"), "garbled": _odd("garbled")}
        servers = {name: LiveServer(app) for name, app in apps.items()}
        with socket.socket() as probe:  # a port where nothing listens once closed
            probe.bind(("127.0.0.1", 0))
            closed = probe.getsockname()[1]
        try:
            yield {**{name: f"{s.url}/api" for name, s in servers.items()},
                   "nowhere": f"http://127.0.0.1:{closed}/api"}
        finally:
            for server in servers.values():
                server.stop()


ORDER = ("paris", "brussels", "html", "older", "garbled", "nowhere")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_instances_are_compared_from_their_open_data(served: dict[str, str]) -> None:
    code, out, _ = run("compare", *(served[name] for name in ORDER), "poitiers",
                       "--format", "json", "--lang", "en")
    assert code == 1  # some sources could not be read: said, and the rest compared
    data = json.loads(out)
    cities = {city["source"]: city for city in data["cities"]}
    assert cities[served["paris"]]["slug"] == "paris"
    assert cities[served["paris"]]["problem"] is None
    assert cities[served["brussels"]]["problem"] is None
    expected = {"html": "not_json", "older": "schema_version", "garbled": "invalid",
                "nowhere": "unreachable"}
    for name, code_expected in expected.items():
        problem = cities[served[name]]["problem"]
        assert problem["code"] == code_expected, name
        assert problem["message"]
    assert "0 (this build reads 1)" in cities[served["older"]]["problem"]["message"]
    assert "facts.indemnity.rate.value: expected a number" in (
        cities[served["garbled"]]["problem"]["detail"])
    # What came from afar is what the same cities say here.
    rows = {row["key"]: row["values"] for q in data["questions"] for row in q["rows"]}
    assert list(rows["indemnity.rate"]) == ["paris", "brussels", "poitiers"]
    _, local, _ = run("compare", "paris", "brussels", "poitiers", "--format", "json",
                      "--lang", "en")
    local_rows = {row["key"]: row["values"] for q in json.loads(local)["questions"]
                  for row in q["rows"]}
    assert rows == local_rows


@pytest.mark.parametrize("fmt", ["text", "markdown", "csv"])
def test_every_format_names_what_could_not_be_read(served: dict[str, str], fmt: str) -> None:
    code, out, _ = run("compare", served["paris"], served["older"], served["nowhere"],
                       "--format", fmt, "--lang", "fr", "--width", "200")
    assert code == 1
    assert served["older"] in out and served["nowhere"] in out
    assert "l'instance publie une autre version de la configuration" in out
    assert "44\xa0€ par demi-journée" in out
