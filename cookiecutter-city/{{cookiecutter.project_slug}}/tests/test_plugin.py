{%- set city = cookiecutter | city -%}
"""{{ (city.city_name ~ "'s plugin as kleroterion sees it: discovered, valid, comparable.") | wordwrap(88, break_long_words=false, break_on_hyphens=false) }}

These tests need the plugin installed (``pip install -e .``) beside kleroterion,
whose bundled Paris plugin is the comparison's other column.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from kleroterion import plugins
from kleroterion.cli import main

SLUG = (
    {{ cookiecutter.slug | pystr }}
)
DISTRIBUTION = (
    {{ cookiecutter.project_slug | pystr }}
)


def test_the_entry_point_is_discovered() -> None:
    found = {plugin.name: plugin for plugin in plugins.discover()}
    assert SLUG in found, f"no {SLUG!r} in the kleroterion entry points: is the plugin installed?"
    assert found[SLUG].is_city
    assert found[SLUG].distribution == DISTRIBUTION


def test_the_configuration_validates() -> None:
    # load_city validates every hook's answer and raises a PluginError naming the
    # hook and the field of the first mistake.
    config = plugins.load_city(SLUG).config
    assert config.profile.slug == SLUG
    assert config.composition.seats == sum(group.seats for group in config.composition.seat_groups)
    assert config.proposal_kinds
    for language in config.profile.languages:
        assert language in config.profile.assembly_name
        assert language in config.profile.summary


def test_a_badly_written_data_file_names_its_line(tmp_path: Path) -> None:
    from kleroterion.city.datafile import CityFile, CityFileError

    source = Path(plugins.load_city(SLUG).plugin.obj.__file__).with_name("city.toml")
    broken = tmp_path / "city.toml"
    broken.write_text(source.read_text(encoding="utf-8").replace("seats = ", "seats = -", 1),
                      encoding="utf-8")
    with pytest.raises(CityFileError, match=r"city\.toml, line \d+: field 'composition\.seats'"):
        CityFile(broken).city_profile()


def test_it_appears_in_compare() -> None:
    result = CliRunner().invoke(main, ["compare", SLUG, "paris", "--format", "json"])
    assert result.exit_code == 0, result.output
    table = json.loads(result.stdout)
    assert [city["slug"] for city in table["cities"]] == [SLUG, "paris"]
