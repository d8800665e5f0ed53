"""Builders of city plugins for tests: the Paris plugin with one hook's answer changed."""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable
from typing import Any

import kleroterion_paris
from kleroterion import hookimpl
from kleroterion.plugins import Plugin

HOOKS = (
    "city_profile",
    "panel_composition",
    "assembly_bodies",
    "mandate_rules",
    "proposal_kinds",
    "indemnity_policy",
    "accountability_rules",
    "institution",
)  # the configuration hooks (kleroterion.hookspecs.CONFIG_HOOKS)


def city_plugin(
    name: str = "testcity", slug: str = "testcity", extra_hooks: Any = None, **answers: Any
) -> Plugin:
    """A city plugin answering like Paris, except for the hooks given as keywords.

    A keyword's value is either the answer itself or a function of Paris's answer.
    ``extra_hooks`` is an object whose hook implementations the city plugin adds
    (behaviour hooks: a city's own logic).
    """
    namespace = types.SimpleNamespace()
    for attribute in dir(extra_hooks) if extra_hooks is not None else ():
        function = getattr(extra_hooks, attribute)
        if hasattr(function, "kleroterion_impl"):
            setattr(namespace, attribute, function)
    for hook in HOOKS:
        original = getattr(kleroterion_paris, hook)()
        if hook == "city_profile":
            original = dataclasses.replace(original, slug=slug)
        if hook in answers:
            change = answers[hook]
            original = change(original) if callable(change) else change
        setattr(namespace, hook, _answer(original))
    return Plugin(name=name, obj=namespace)


def _answer(value: Any) -> Callable[[], Any]:
    @hookimpl
    def hook() -> Any:
        return value

    return hook
