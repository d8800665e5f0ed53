"""`kleroterion compare`, `cities` and `plugins`: content, formats and bad input."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from click.testing import CliRunner
from kleroterion import compare, plugins
from kleroterion.city.quotas import largest_remainder
from kleroterion.cli import main

from tests.foundation.citykit import city_plugin

CITIES = ["paris", "poitiers", "brussels"]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def as_json() -> dict[str, dict[str, dict[str, object]]]:
    code, out, _ = run("compare", *CITIES, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["cities"] == CITIES
    return {row["key"]: row["values"] for s in data["sections"] for row in s["rows"]}


def test_compare_covers_what_practitioners_ask(as_json: dict[str, dict[str, object]]) -> None:
    assert as_json["seats"] == {"paris": 100, "poitiers": 100, "brussels": 80}
    assert as_json["invitations"] == {"paris": 10000, "poitiers": None, "brussels": 10000}
    assert as_json["rate"] == {
        "paris": "44 EUR per half-day",
        "poitiers": "41.22 EUR per session",
        "brussels": "at most 35 EUR per day",
    }
    assert as_json["means_test"]["poitiers"] == "family quotient at most 1,000 EUR"
    assert as_json["open_volunteers"]["poitiers"] == "yes, and they vote"
    assert "2 opposition" in str(as_json["elected"]["poitiers"])
    assert "Childcare costs" in str(as_json["extras"]["brussels"])
    assert "First response: 3 months" in str(as_json["deadlines"]["brussels"])
    assert str(as_json["committee"]["brussels"]).startswith("10 drawn from the panel")
    assert as_json["languages"]["brussels"] == "fr, nl"
    assert "Conseil de Paris" in str(as_json["addressees"]["paris"])


def test_derived_rows_are_computed_from_the_data(as_json: dict[str, dict[str, object]]) -> None:
    # 18 half-days x 44 EUR; 25 sessions x 41.22 EUR (the cap); 6 days x 35 EUR.
    assert str(as_json["typical_year"]["paris"]).startswith("792 EUR (18 half-days")
    assert str(as_json["typical_year"]["poitiers"]).startswith("1,030.50 EUR (25 sessions")
    assert str(as_json["typical_year"]["brussels"]).startswith("210 EUR (6 days")
    assert as_json["drawn_share"] == {
        "paris": "100%",
        "poitiers": "100%, and any volunteer may join",
        "brussels": "100%",
    }


def test_typical_year_respects_caps_and_ceilings() -> None:
    import dataclasses

    city = plugins.load_city(
        "testcity",
        plugins=[
            city_plugin(
                indemnity_policy=lambda p: dataclasses.replace(
                    p, max_units=10, annual_ceiling=Decimal("400")
                ),
            )
        ],
    )
    # 18 half-days capped at 10 units = 440 EUR, then at the 400 EUR ceiling.
    assert compare.typical_year_amount(city.config) == Decimal("400")


def test_all_formats_carry_the_same_content(as_json: dict[str, dict[str, object]]) -> None:
    _, csv_out, _ = run("compare", *CITIES, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(csv_out)))
    assert [row["key"] for row in rows] == list(as_json)
    for row in rows:
        for city in CITIES:
            expected = as_json[row["key"]][city]
            assert row[city] == ("" if expected is None else str(expected))
    _, markdown, _ = run("compare", *CITIES, "--format", "markdown")
    assert markdown.count("\n| ") == len(as_json) + 9  # one header row per section
    _, text, _ = run("compare", *CITIES, "--width", "200")
    assert "41.22 EUR per session" in text and "== Indemnity" in text


def test_columns_follow_the_order_asked() -> None:
    _, out, _ = run("compare", "brussels", "paris", "--format", "json")
    assert json.loads(out)["cities"] == ["brussels", "paris"]


def test_unknown_city_is_one_clear_line() -> None:
    code, out, err = run("compare", "paris", "lyon")
    assert code == 1 and out == ""
    installed = ", ".join(plugins.installed_cities())
    assert err == f"Error: unknown city 'lyon'; installed cities: {installed}\n"
    assert "brussels, paris, poitiers" in installed


def test_unknown_format_is_refused() -> None:
    code, _, err = run("compare", "paris", "--format", "xlsx")
    assert code == 2 and "'xlsx' is not one of 'text', 'markdown', 'json', 'csv'" in err
    assert "Traceback" not in err


def test_broken_plugin_and_duplicate_slug_are_one_clear_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import dataclasses

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


def test_the_institution_rows_derive_from_the_declaration() -> None:
    import dataclasses as dc

    from kleroterion.city.types import Institution
    from kleroterion.compare import institution_rows

    declared = [f.name for f in dc.fields(Institution) if f.name not in ("sources", "evidence")]
    assert [key for key, _, _ in institution_rows()] == declared
    configs = [plugins.load_city(slug).config for slug in ("paris", "brussels")]
    table = compare.compare(configs)
    section = next(s for s in table.sections if s.title.startswith("Institution"))
    cells = {row.key: row.values for row in section.rows}
    assert cells["annual_budget_min"] == ("40,000 EUR (estimate)", "unknown")
    assert cells["founding_act"] == ("unknown", "unknown")
    assert cells["training"][0] == "yes"
