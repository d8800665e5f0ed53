"""Finding plugins through entry points and building one manager per city."""

from __future__ import annotations

import importlib.metadata

import pytest
from kleroterion import hookimpl, plugins

from tests.foundation.citykit import city_plugin


def test_bundled_cities_are_found_through_the_entry_point_group() -> None:
    group = importlib.metadata.entry_points(group="kleroterion")
    assert {ep.name for ep in group} >= {"paris", "poitiers", "brussels"}
    cities = plugins.installed_cities()
    assert {"brussels", "paris", "poitiers"} <= set(cities)
    assert list(cities) == sorted(cities)
    assert cities["paris"].name == "paris" and cities["paris"].distribution == "kleroterion"


def test_each_city_gets_its_own_manager() -> None:
    paris = plugins.load_city("paris")
    poitiers = plugins.load_city("poitiers")
    assert paris.manager is not poitiers.manager
    assert paris.manager.get_plugin("poitiers") is None
    assert paris.config.profile.slug == "paris"
    assert poitiers.config.composition.open_volunteers
    # Built anew each call: nothing is cached at import time.
    assert plugins.load_city("paris").manager is not paris.manager


def test_city_answer_overrides_core_default() -> None:
    # The core's default pays nobody; Paris's own policy wins.
    assert plugins.load_city("paris").config.indemnity.paid


def test_core_default_fills_hooks_a_city_leaves_out() -> None:
    plugin = city_plugin()
    del plugin.obj.assembly_bodies
    del plugin.obj.indemnity_policy
    city = plugins.load_city("testcity", plugins=[plugin])
    assert city.config.bodies == ()
    assert not city.config.indemnity.paid


def test_unknown_city_names_the_installed_ones() -> None:
    with pytest.raises(plugins.UnknownCity) as error:
        plugins.load_city("lyon")
    installed = ", ".join(plugins.installed_cities())
    assert str(error.value) == f"unknown city 'lyon'; installed cities: {installed}"


def test_two_plugins_claiming_one_slug_are_refused() -> None:
    with pytest.raises(plugins.PluginError, match="'one' and 'two' both claim the city slug 'xy'"):
        plugins.installed_cities([city_plugin("one", "xy"), city_plugin("two", "xy")])


def test_misspelled_hook_fails_loudly() -> None:
    plugin = city_plugin("typo")

    @hookimpl
    def city_profil() -> None:  # misspelled on purpose
        return None

    plugin.obj.city_profil = city_profil
    with pytest.raises(plugins.PluginError, match=r"plugin 'typo'.*city_profil"):
        plugins.load_city("testcity", plugins=[plugin])


def test_plugin_that_fails_to_import_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = importlib.metadata.EntryPoint(
        name="atlantis", value="kleroterion_atlantis_missing", group="kleroterion"
    )
    monkeypatch.setattr(plugins.importlib.metadata, "entry_points", lambda group: [broken])
    with pytest.raises(plugins.PluginError) as error:
        plugins.discover()
    assert "plugin 'atlantis' (kleroterion_atlantis_missing) failed to import" in str(error.value)
    assert "ModuleNotFoundError" in str(error.value)


def test_plugin_raising_in_a_hook_is_named() -> None:
    plugin = city_plugin("boom")

    @hookimpl
    def mandate_rules() -> None:
        raise RuntimeError("spreadsheet not found")

    plugin.obj.mandate_rules = mandate_rules
    with pytest.raises(plugins.PluginError) as error:
        plugins.load_city("testcity", plugins=[plugin])
    assert str(error.value) == (
        "plugin 'boom', hook 'mandate_rules': raised RuntimeError: spreadsheet not found"
    )


def test_extension_plugins_are_loaded_for_every_city() -> None:
    class Extension:
        @hookimpl
        def register_commands(self, cli: object) -> None:
            pass

    extension = plugins.Plugin(name="ext", obj=Extension())
    available = [city_plugin("a", "city-a"), city_plugin("b", "city-b"), extension]
    for slug in ("city-a", "city-b"):
        city = plugins.load_city(slug, plugins=available)
        assert city.manager.get_plugin("ext") is extension.obj
    assert plugins.plugin_hooks(extension) == ["register_commands"]


def test_hook_tracing_writes_calls_to_stderr(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KLEROTERION_TRACE_HOOKS", "1")
    city = plugins.load_city("paris")
    city.hook.on_member_withdrawn(member_id="P-1", reason="moved", date="2026-01-05")
    assert "on_member_withdrawn" in capsys.readouterr().err
