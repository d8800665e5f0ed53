"""`kleroterion compare`, `cities` and `plugins`: content, formats, languages and bad input.

The comparison's rows are the city model's compared facts (``fact(..., compare=...)``
and the derived facts): a test walks the declaration and finds every one in every
format, under its ICPC question, with a status, a typed value and its sources.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from click.testing import CliRunner
from kleroterion import compare, plugins
from kleroterion.city import types as t
from kleroterion.city.quotas import largest_remainder
from kleroterion.cli import main
from kleroterion.observatory import configuration

from tests.foundation.citykit import city_plugin

CITIES = ["paris", "poitiers", "brussels"]
ICPC = ("indemnity", "accountability", "experts", "sortition", "articulation", "legal",
        "budget", "renewal")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


Cells = dict[str, dict[str, dict[str, Any]]]


def rows_of(document: dict[str, Any]) -> Cells:
    return {row["key"]: row["values"] for q in document["questions"] for row in q["rows"]}


@pytest.fixture(scope="module")
def as_json() -> Cells:
    code, out, _ = run("compare", *CITIES, "--format", "json", "--lang", "en")
    assert code == 0
    data = json.loads(out)
    assert [city["slug"] for city in data["cities"]] == CITIES
    assert data["schema_version"] == configuration.SCHEMA_VERSION
    return rows_of(data)


def test_every_icpc_question_has_rows_from_the_declaration(as_json: Cells) -> None:
    declared = {f"{table}.{item.name}"
                for table, attribute in configuration.SECTIONS.items()
                for item in dataclasses.fields(
                    type(getattr(plugins.load_city("paris").config, attribute)))
                if item.metadata.get("question")}
    assert declared <= set(as_json)
    questions = {row.question for row in configuration.ROWS}
    assert set(ICPC) <= questions
    for row in configuration.ROWS:
        assert set(row.label) == {"fr", "en", "nl"} and all(row.label.values()), row.key
    # The questions, each with the facts practitioners named.
    for key in ("institution.founding_act", "institution.founding_date",
                "institution.rules_of_procedure", "institution.follow_up_in_law",
                "institution.annual_budget_min", "institution.staff_fte",
                "institution.experts_and_stakeholders", "institution.articulation",
                "institution.training", "institution.replacements", "institution.dropouts",
                "mandate.renewal_months", "indemnity.rate", "accountability.response_deadlines"):
        assert key in as_json


def test_a_new_compared_fact_is_a_row_without_an_edit(monkeypatch: pytest.MonkeyPatch) -> None:
    @dataclasses.dataclass(frozen=True)
    class Grown(t.Institution):
        trial: int | None = t.fact("a test fact", None, unit="people",
                                   compare=("budget", "Essai", "Trial", "Proef"))

    classes = {"institution": Grown}
    original = configuration._section_class
    monkeypatch.setattr(configuration, "_section_class",
                        lambda attribute: classes.get(attribute) or original(attribute))
    grown = configuration.rows()
    assert [row.key for row in grown if row.question == "budget"][-1] == "institution.trial"
    assert next(row for row in grown if row.key == "institution.trial").kind == "number"


def test_values_are_typed_with_units_and_sources(as_json: Cells) -> None:
    rate = as_json["indemnity.rate"]
    assert (rate["paris"]["value"], rate["paris"]["unit"]) == (44, "EUR/half_day")
    assert (rate["poitiers"]["value"], rate["poitiers"]["unit"]) == (41.22, "EUR/session")
    assert (rate["brussels"]["value"], rate["brussels"]["unit"]) == (35, "EUR/day")
    assert rate["paris"]["confidence"] == "verified"
    assert rate["paris"]["sources"][0]["url"] == "https://www.paris.fr"
    assert rate["poitiers"]["sources"][0]["date"] == "2023-06-26"
    assert as_json["composition.seats"]["brussels"]["value"] == 80
    assert as_json["composition.seats"]["brussels"]["confidence"] == "approximate"
    assert as_json["accountability.owner_per_measure"]["paris"]["value"] is True
    assert as_json["institution.annual_budget_max"]["paris"]["value"] == 50000
    assert as_json["institution.annual_budget_max"]["paris"]["unit"] == "EUR/year"
    deadlines = as_json["accountability.response_deadlines"]["brussels"]["value"]
    assert [(d["months"], d["by"]) for d in deadlines] == [(3, "government"),
                                                          (12, "government")]
    assert as_json["institution.institutionalisation"]["brussels"]["status"] == "known"


def test_nothing_verified_reads_unknown_never_no(as_json: Cells) -> None:
    # Paris never said whether it justifies rejections: unknown, not "no".
    assert as_json["accountability.justify_rejections"]["paris"]["status"] == "unknown"
    assert as_json["accountability.justify_rejections"]["paris"]["text"] == "unknown"
    assert as_json["accountability.justify_rejections"]["brussels"]["value"] is True
    for key in ("founding_act", "founding_date", "rules_of_procedure", "dropouts"):
        assert {c["status"] for c in as_json[f"institution.{key}"].values()} == {"unknown"}
    assert as_json["institution.follow_up_in_law"]["poitiers"]["status"] == "unknown"
    for cells in as_json.values():
        for cell in cells.values():
            if cell["status"] != "known":
                assert cell["value"] is None and cell["sources"] == []


def test_not_applicable_when_the_fact_it_rests_on_is_false() -> None:
    city = plugins.load_city("testcity", plugins=[city_plugin(
        indemnity_policy=lambda p: dataclasses.replace(p, paid=False, rate=Decimal(0),
                                                       evidence={}))])
    facts = configuration.facts_of(city.config).facts
    assert facts["indemnity.rate"].status == "not_applicable"
    assert facts["indemnity.paid"].status == "known" and facts["indemnity.paid"].value is False
    words = compare.Words("fr")
    row = next(r for r in configuration.ROWS if r.key == "indemnity.rate")
    assert words.cell(row, facts["indemnity.rate"]) == "sans objet"


def test_derived_rows_are_computed_from_the_data(as_json: Cells) -> None:
    # 18 half-days x 44 EUR; 25 sessions x 41.22 EUR (the cap); 6 days x 35 EUR.
    year = as_json["derived.typical_year"]
    assert [year[c]["value"] for c in CITIES] == [792, 1030.5, 210]
    assert year["paris"]["confidence"] == "approximate"  # its units are an estimate
    assert as_json["derived.elected_seats"]["poitiers"]["value"] == 9
    assert as_json["derived.opposition_seats"]["poitiers"]["value"] == 2
    assert as_json["derived.drawn_share"]["paris"]["value"] == 1.0


def test_typical_year_respects_caps_and_ceilings() -> None:
    city = plugins.load_city("testcity", plugins=[city_plugin(
        indemnity_policy=lambda p: dataclasses.replace(
            p, max_units=10, annual_ceiling=Decimal("400")))])
    # 18 half-days capped at 10 units = 440 EUR, then at the 400 EUR ceiling.
    assert compare.typical_year_amount(city.config) == Decimal("400")


@pytest.mark.parametrize(("language", "expected"), [
    ("fr", ["44\xa0€ par demi-journée", "inconnu", "Indemnisation des membres", "1\u202f000\xa0€"]),
    ("en", ["€44 per half-day", "unknown", "Members' indemnity", "€1,000"]),
    ("nl", ["€\xa044 per halve dag", "onbekend", "Vergoeding van de leden", "€\xa01.000"]),
])
def test_each_language_reads_its_own_words_and_numbers(language: str,
                                                       expected: list[str]) -> None:
    code, out, err = run("compare", *CITIES, "--lang", language, "--width", "300")
    assert code == 0, err
    for text in expected:
        assert text in out, text


def test_french_is_the_default() -> None:
    _, out, _ = run("compare", "paris", "--width", "200")
    assert "Indemnisation des membres" in out and "44\xa0€ par demi-journée" in out


def test_all_formats_carry_the_same_content(as_json: Cells) -> None:
    _, csv_out, _ = run("compare", *CITIES, "--format", "csv", "--lang", "en")
    rows = list(csv.DictReader(io.StringIO(csv_out)))
    assert len(rows) == len(as_json) * len(CITIES)
    for row in rows:
        cell = as_json[row["key"]][row["city"]]
        assert row["status"] == cell["status"] and row["text"] == cell["text"]
        assert row["source_title"] == " | ".join(s["title"] for s in cell["sources"])
        if isinstance(cell["value"], bool):
            assert row["value"] == str(cell["value"]).lower()
        elif isinstance(cell["value"], int | float):
            assert float(row["value"]) == cell["value"]
    _, markdown, _ = run("compare", *CITIES, "--format", "markdown", "--lang", "en")
    assert markdown.count("\n| ") == len(as_json) + len(t.QUESTIONS)  # and a header each
    assert "| €44 per half-day [1] |" in markdown and "## Sources" in markdown
    assert "\n1. Ville de Paris" in markdown
    _, text, _ = run("compare", *CITIES, "--width", "200", "--lang", "en")
    assert "€41.22 per session" in text and "== Members' indemnity" in text


def test_the_bundled_comparison_is_docs_cities() -> None:
    from pathlib import Path

    from kleroterion.docs import cities_markdown

    path = Path(__file__).resolve().parents[2] / "docs" / "cities.md"
    assert path.read_text(encoding="utf-8") == cities_markdown()


def test_columns_follow_the_order_asked() -> None:
    _, out, _ = run("compare", "brussels", "paris", "--format", "json")
    assert [c["slug"] for c in json.loads(out)["cities"]] == ["brussels", "paris"]


def test_unknown_city_is_one_clear_line() -> None:
    code, out, err = run("compare", "paris", "lyon")
    assert code == 1 and out == ""
    installed = ", ".join(plugins.installed_cities())
    assert err == f"Error: unknown city 'lyon'; installed cities: {installed}\n"
    assert "brussels, paris, poitiers" in installed


def test_unknown_format_and_language_are_refused() -> None:
    code, _, err = run("compare", "paris", "--format", "xlsx")
    assert code == 2 and "'xlsx' is not one of 'text', 'markdown', 'json', 'csv'" in err
    code, _, err = run("compare", "paris", "--lang", "de")
    assert code == 2 and "'de' is not one of 'fr', 'en', 'nl'" in err
    assert "Traceback" not in err


def test_a_compared_fact_without_a_source_is_refused_naming_it() -> None:
    sourced = [item.name for item in dataclasses.fields(t.Institution)
               if item.metadata.get("sourced")]
    assert {"dropouts", "institutionalisation", "founding_act", "staff"} <= set(sourced)
    for name in sourced:
        item = t.Institution.__dataclass_fields__[name]
        value: Any = {"fr": "x", "en": "x"} if "Localized" in str(item.type) else (
            True if "bool" in str(item.type) else "2021-01-01" if name == "founding_date"
            else Decimal(1))
        with pytest.raises(plugins.PluginError) as error:
            plugins.load_city("testcity", plugins=[city_plugin(
                institution=lambda facts, n=name, v=value: dataclasses.replace(
                    facts, evidence={k: e for k, e in facts.evidence.items() if k != n},
                    **{n: v}))])
        assert f"hook 'institution': field '{name}': a fact without a source" in str(
            error.value)


def test_broken_plugin_and_duplicate_slug_are_one_clear_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broken = city_plugin("broken", panel_composition=lambda c: dataclasses.replace(c, seats=7))
    monkeypatch.setattr(plugins, "discover", lambda: [broken])
    code, _, err = run("compare", "testcity")
    assert code == 1 and err.count("\n") == 1
    assert err.startswith("Error: plugin 'broken', hook 'panel_composition': field 'seat_groups'")
    twins = [city_plugin("one", "twin"), city_plugin("two", "twin")]
    monkeypatch.setattr(plugins, "discover", lambda: twins)
    for command in (["cities"], ["compare", "twin"]):
        code, _, err = run(*command)
        assert code == 1
        assert err == (
            "Error: plugins 'one' and 'two' both claim the city slug 'twin'; "
            "uninstall one of them\n"
        )


def test_plugin_that_fails_to_import_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata

    broken = importlib.metadata.EntryPoint(
        name="atlantis", value="kleroterion_atlantis_missing", group="kleroterion"
    )
    monkeypatch.setattr(plugins.importlib.metadata, "entry_points", lambda group: [broken])
    code, _, err = run("cities")
    assert code == 1 and err.count("\n") == 1 and "plugin 'atlantis'" in err


def test_cities_and_plugins_list_what_is_installed() -> None:
    code, out, _ = run("cities")
    assert code == 0
    listed = [line.split()[0] for line in out.splitlines()]
    assert listed == list(plugins.installed_cities())
    assert {"brussels", "paris", "poitiers"} <= set(listed)
    code, out, _ = run("plugins", "--format", "json")
    listed = {row["name"]: row for row in json.loads(out)}
    assert listed["paris"]["kind"] == "city"
    assert listed["paris"]["hooks"][:2] == ["city_profile", "panel_composition"]
    assert listed["paris"]["version"]


def test_docs_check_detects_a_stale_file(tmp_path: object) -> None:
    from pathlib import Path

    target = Path(str(tmp_path)) / "hooks.md"
    assert run("docs", "hooks", "-o", str(target))[0] == 0
    assert run("docs", "hooks", "-o", str(target), "--check")[0] == 0
    target.write_text("stale\n", encoding="utf-8")
    code, _, err = run("docs", "hooks", "-o", str(target), "--check")
    assert code == 1 and "is out of date" in err


def test_largest_remainder_properties() -> None:
    from hypothesis import given
    from hypothesis import strategies as st

    @given(
        st.lists(st.floats(min_value=0.01, max_value=1e6), min_size=1, max_size=25),
        st.integers(min_value=0, max_value=500),
    )
    def check(weights: list[float], total: int) -> None:
        shares = largest_remainder(weights, total)
        assert sum(shares) == total
        whole = sum(weights)
        for weight, share in zip(weights, shares, strict=True):
            exact = weight * total / whole
            assert exact - 1 < share < exact + 1

    check()
