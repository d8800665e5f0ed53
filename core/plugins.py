"""Finding plugins and building one plugin manager per city.

Plugins are found through the ``kleroterion`` entry-point group, the same for the
bundled cities and for any installed one. A plugin implementing ``city_profile`` is
a city plugin; any other is an extension, loaded for every city. Nothing is loaded
at import time: ``load_city`` builds a fresh manager each call (hook specs, the
core's defaults, the chosen city, the extensions, then ``check_pending``) and
validates every configuration hook's answer, so a broken plugin stops start-up with
one message naming the plugin, the hook and the field.

Set ``KLEROTERION_TRACE_HOOKS=1`` to print every hook call on stderr.
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pluggy
from kleroterion import default_plugin, hookspecs
from kleroterion.city.schemas import check_city, validate_config
from kleroterion.city.types import CityConfig, CityProfile

PROJECT = "kleroterion"
DEFAULT_PLUGIN_NAME = "kleroterion.default"


class PluginError(Exception):
    """A plugin cannot be loaded or returned an invalid configuration."""


class UnknownCity(LookupError):
    """No installed city plugin has the requested slug."""

    def __init__(self, slug: str, known: Sequence[str]) -> None:
        self.slug = slug
        self.known = list(known)
        super().__init__(
            f"unknown city {slug!r}; installed cities: {', '.join(self.known) or 'none'}"
        )

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Plugin:
    """An installed plugin: its entry-point name, the loaded object and its distribution."""

    name: str
    obj: Any
    distribution: str = ""
    version: str = ""
    value: str = ""  # the entry point's "module:attr"

    @property
    def is_city(self) -> bool:
        return hasattr(self.obj, "city_profile")


def discover() -> list[Plugin]:
    """Load every plugin of the ``kleroterion`` entry-point group, sorted by name."""
    plugins = []
    for entry_point in importlib.metadata.entry_points(group=PROJECT):
        try:
            obj = entry_point.load()
        except Exception as error:  # a plugin's own import error, whatever it is
            raise PluginError(
                f"plugin {entry_point.name!r} ({entry_point.value}) failed to import: "
                f"{type(error).__name__}: {error}"
            ) from error
        dist = entry_point.dist
        plugins.append(
            Plugin(
                name=entry_point.name,
                obj=obj,
                distribution=dist.name if dist else "",
                version=dist.version if dist else "",
                value=entry_point.value,
            )
        )
    return sorted(plugins, key=lambda plugin: plugin.name)


def _new_manager() -> pluggy.PluginManager:
    manager = pluggy.PluginManager(PROJECT)
    manager.add_hookspecs(hookspecs)
    manager.register(default_plugin, name=DEFAULT_PLUGIN_NAME)
    if os.environ.get("KLEROTERION_TRACE_HOOKS"):
        manager.trace.root.setwriter(sys.stderr.write)
        manager.enable_tracing()
    return manager


def _register(manager: pluggy.PluginManager, plugin: Plugin) -> None:
    try:
        manager.register(plugin.obj, name=plugin.name)
    except ValueError as error:
        raise PluginError(f"plugin {plugin.name!r} cannot be registered: {error}") from error


def _check_pending(manager: pluggy.PluginManager) -> None:
    try:
        manager.check_pending()
    except pluggy.PluginValidationError as error:
        name = manager.get_name(error.plugin) or repr(error.plugin)
        raise PluginError(
            f"plugin {name!r}: {error} (known hooks: {', '.join(hookspecs.hook_names())})"
        ) from error


def call_config_hook(manager: pluggy.PluginManager, hook: str) -> tuple[str, Any]:
    """Call a ``firstresult`` configuration hook; return (plugin name, validated answer).

    Implementations are called one by one in pluggy's order so that the plugin whose
    answer is used is known, and named when its answer is invalid.
    """
    caller = getattr(manager.hook, hook)
    for implementation in reversed(caller.get_hookimpls()):
        try:
            answer = implementation.function()
        except Exception as error:
            raise PluginError(
                f"plugin {implementation.plugin_name!r}, hook {hook!r}: raised "
                f"{type(error).__name__}: {error}"
            ) from error
        if answer is None:
            continue
        problems = validate_config(hook, answer)
        if problems:
            details = "; ".join(
                f"field {path!r}: {message}" if path else message for path, message in problems
            )
            raise PluginError(f"plugin {implementation.plugin_name!r}, hook {hook!r}: {details}")
        return implementation.plugin_name, answer
    raise PluginError(f"no plugin answers the hook {hook!r}, and the core has no default for it")


@dataclass
class City:
    """One city's plugin manager and its validated configuration."""

    slug: str
    manager: pluggy.PluginManager
    config: CityConfig
    plugin: Plugin

    @property
    def hook(self) -> Any:
        return self.manager.hook


def _profile(plugin: Plugin) -> CityProfile:
    manager = _new_manager()
    _register(manager, plugin)
    _check_pending(manager)
    _, profile = call_config_hook(manager, "city_profile")
    assert isinstance(profile, CityProfile)
    return profile


def installed_cities(plugins: Sequence[Plugin] | None = None) -> dict[str, Plugin]:
    """Map each city slug to its plugin; two plugins claiming one slug are an error."""
    plugins = discover() if plugins is None else plugins
    cities: dict[str, Plugin] = {}
    for plugin in plugins:
        if not plugin.is_city:
            continue
        slug = _profile(plugin).slug
        if slug in cities:
            raise PluginError(
                f"plugins {cities[slug].name!r} and {plugin.name!r} both claim the city "
                f"slug {slug!r}; uninstall one of them"
            )
        cities[slug] = plugin
    return dict(sorted(cities.items()))


def build_config(manager: pluggy.PluginManager) -> CityConfig:
    """Call and validate every configuration hook of a built manager."""
    answers: dict[str, Any] = {}
    plugin_name = ""
    for hook in hookspecs.CONFIG_HOOKS:
        name, answers[hook] = call_config_hook(manager, hook)
        if hook == "city_profile":
            plugin_name = name
    config = CityConfig.from_answers(plugin_name, answers)
    problems = check_city(config)
    if problems:
        hook, path, message = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise PluginError(f"plugin {plugin_name!r}, hook {hook!r}: field {path!r}: {message}{more}")
    return config


def load_city(
    slug: str,
    *,
    plugins: Sequence[Plugin] | None = None,
    extra: Sequence[Any] = (),
) -> City:
    """Build the plugin manager of one city and validate its configuration.

    ``plugins`` replaces entry-point discovery (tests, embedding); ``extra`` adds
    plugin objects (extensions) after the discovered ones.
    """
    plugins = discover() if plugins is None else list(plugins)
    cities = installed_cities(plugins)
    if slug not in cities:
        raise UnknownCity(slug, list(cities))
    manager = _new_manager()
    _register(manager, cities[slug])
    for plugin in plugins:
        if not plugin.is_city:
            _register(manager, plugin)
    for index, obj in enumerate(extra):
        _register(manager, Plugin(name=getattr(obj, "__name__", f"extra-{index}"), obj=obj))
    _check_pending(manager)
    _refuse_foreign_answers(manager, cities[slug].name)
    return City(slug=slug, manager=manager, config=build_config(manager), plugin=cities[slug])


def _refuse_foreign_answers(manager: pluggy.PluginManager, city_plugin: str) -> None:
    """Only the city's own plugin (and the core's defaults) answer its configuration.

    An extension answering ``indemnity_policy`` once turned Paris's 44 € into 1 €
    for every city: an extension that implements a configuration or behaviour hook
    is refused, naming both plugins.
    """
    allowed = {city_plugin, DEFAULT_PLUGIN_NAME}
    for hook in (*hookspecs.CONFIG_HOOKS, *hookspecs.BEHAVIOUR_HOOKS):
        for implementation in getattr(manager.hook, hook).get_hookimpls():
            if implementation.plugin_name not in allowed:
                kind = "configuration" if hook in hookspecs.CONFIG_HOOKS else "behaviour"
                raise PluginError(
                    f"plugin {implementation.plugin_name!r} implements the {kind} hook "
                    f"{hook!r} of the city plugin {city_plugin!r}: only a city's own plugin "
                    f"may answer it; remove {hook!r} from {implementation.plugin_name!r}"
                )


def manager_of_all(plugins: Sequence[Plugin] | None = None) -> pluggy.PluginManager:
    """A manager holding every installed plugin, cities and extensions alike.

    Used for the hooks that concern the installation rather than one city, such as
    ``register_commands``. Configuration hooks must not be called on it.
    """
    manager = _new_manager()
    for plugin in discover() if plugins is None else plugins:
        _register(manager, plugin)
    _check_pending(manager)
    return manager


def hooks_implemented(manager: pluggy.PluginManager, plugin_name: str) -> list[str]:
    """The hooks a registered plugin implements, in declaration order."""
    plugin = manager.get_plugin(plugin_name)
    implemented = {caller.name for caller in manager.get_hookcallers(plugin) or ()}
    return [name for name in hookspecs.hook_names() if name in implemented]


def plugin_hooks(plugin: Plugin) -> list[str]:
    """The hooks one plugin implements, found by registering it in a fresh manager."""
    manager = _new_manager()
    _register(manager, plugin)
    return hooks_implemented(manager, plugin.name)
