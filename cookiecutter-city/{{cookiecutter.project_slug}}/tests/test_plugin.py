{%- set code = cookiecutter | city_code -%}
"""{{ (code.city.city_name ~ "'s plugin as kleroterion sees it: discovered, valid, comparable.") | wordwrap(88, break_long_words=false, break_on_hyphens=false) }}

These tests need the plugin installed (``pip install -e .``) beside kleroterion,
whose bundled Paris plugin is the comparison's other column.
"""

from __future__ import annotations

import json

from click.testing import CliRunner
from kleroterion import plugins
from kleroterion.cli import main

SLUG = {{ cookiecutter.slug | pyvalue(7) }}
DISTRIBUTION = {{ cookiecutter.project_slug | pyvalue(15) }}


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


def test_it_appears_in_compare() -> None:
    result = CliRunner().invoke(main, ["compare", SLUG, "paris", "--format", "json"])
    assert result.exit_code == 0, result.output
    table = json.loads(result.stdout)
    assert table["cities"] == [SLUG, "paris"]
