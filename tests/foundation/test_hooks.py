"""Each hook: documented, in docs/hooks.md, and exercised by a test named after it.

The drift tests fail when a hook is added without a docstring, without its
``test_hook_<name>`` test, or when docs/hooks.md or docs/cities.md are stale.
"""

from __future__ import annotations

import ast
import dataclasses
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from kleroterion import docs, hookimpl, hookspecs, plugins
from kleroterion.cli import KleroterionGroup, main

from tests.foundation.citykit import city_plugin

ROOT = Path(__file__).resolve().parents[2]


def test_every_hook_has_a_docstring_and_typed_signature() -> None:
    names = hookspecs.hook_names()
    assert len(names) >= 10
    for name in names:
        function = getattr(hookspecs, name)
        assert (function.__doc__ or "").strip(), f"hook {name} has no docstring"
        assert "return" in function.__annotations__, f"hook {name} has no return type"
        if function.kleroterion_spec.get("firstresult"):
            assert "firstresult" in function.__doc__, f"{name} must say it is firstresult"


def test_every_hook_has_a_test_of_its_own() -> None:
    tested = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_hook_"):
                tested.add(node.name)
    missing = [
        name
        for name in hookspecs.hook_names()
        if not any(
            test == f"test_hook_{name}" or test.startswith(f"test_hook_{name}__") for test in tested
        )
    ]
    assert missing == [], f"hooks without a test_hook_<name> test: {missing}"


@pytest.mark.parametrize("which", sorted(docs.GENERATED))
def test_generated_docs_are_up_to_date(which: str) -> None:
    path = ROOT / "docs" / f"{which}.md"
    assert path.read_text(encoding="utf-8") == docs.GENERATED[which](), (
        f"docs/{which}.md is stale: run `kleroterion docs {which} -o docs/{which}.md`"
    )


def test_hooks_reference_lists_every_signature() -> None:
    text = docs.hooks_markdown()
    for name in hookspecs.hook_names():
        assert f"## `{docs.hook_signature(name)}`" in text


def load(**answers: Any) -> plugins.City:
    return plugins.load_city("testcity", plugins=[city_plugin(**answers)])


def test_hook_city_profile() -> None:
    city = load(city_profile=lambda p: dataclasses.replace(p, name="Ville-Test"))
    assert city.config.profile.name == "Ville-Test"
    assert city.config.plugin == "testcity"


def test_hook_panel_composition() -> None:
    city = load(panel_composition=lambda c: dataclasses.replace(c, one_per_household=False))
    assert city.config.composition.one_per_household is False


def test_hook_assembly_bodies() -> None:
    city = load(assembly_bodies=())
    assert city.config.bodies == ()
    with pytest.raises(KeyError):
        city.config.body("comite-garants")


def test_hook_mandate_rules() -> None:
    city = load(mandate_rules=lambda m: dataclasses.replace(m, min_months=6, max_months=9))
    assert (city.config.mandate.min_months, city.config.mandate.max_months) == (6, 9)


def test_hook_proposal_kinds() -> None:
    city = load(proposal_kinds=lambda kinds: kinds[1:])
    assert [kind.key for kind in city.config.proposal_kinds] == [
        "voeu", "deliberation", "jury", "mission"]


def test_hook_indemnity_policy() -> None:
    city = load(indemnity_policy=lambda p: dataclasses.replace(p, rate=Decimal("50")))
    assert city.config.indemnity.rate == Decimal("50")


def test_hook_accountability_rules() -> None:
    city = load(accountability_rules=lambda r: dataclasses.replace(r, report_every_months=6))
    assert city.config.accountability.report_every_months == 6


def test_hook_institution() -> None:
    city = load(institution=lambda facts: dataclasses.replace(facts, staff_fte=2.0))
    assert city.config.institution.staff_fte == 2.0
    # The core's default knows nothing: a city that says nothing has every fact unknown.
    from kleroterion import default_plugin

    assert default_plugin.institution() == type(city.config.institution)()


def test_hook_institution__a_fact_without_a_source_is_refused() -> None:
    def unsourced(facts: Any) -> Any:
        evidence = {k: v for k, v in facts.evidence.items() if k != "staff"}
        return dataclasses.replace(facts, evidence=evidence)

    with pytest.raises(plugins.PluginError) as error:
        load(institution=unsourced)
    assert str(error.value).startswith(
        "plugin 'testcity', hook 'institution': field 'staff': a fact without a source"
    )


def test_hook_register_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    class Extension:
        @hookimpl
        def register_commands(self, cli: click.Group) -> None:
            @cli.command(name="hello-city")
            def hello() -> None:
                """Say hello."""
                click.echo("bonjour")

    available = [*plugins.discover(), plugins.Plugin(name="hello", obj=Extension())]
    monkeypatch.setattr(plugins, "discover", lambda: available)
    group = KleroterionGroup(name="kleroterion", commands=dict(main.commands))
    result = CliRunner().invoke(group, ["hello-city"])
    assert result.exit_code == 0 and result.output == "bonjour\n"
    assert "hello-city" in CliRunner().invoke(group, ["--help"]).output


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, str]]] = []

    @hookimpl
    def on_member_withdrawn(self, member_id: str, reason: str, date: str) -> None:
        self.calls.append(("withdrawn", {"member_id": member_id, "reason": reason, "date": date}))

    @hookimpl
    def on_proposal_transition(self, proposal_id: str, source: str, target: str) -> None:
        self.calls.append(("transition", {"id": proposal_id, "from": source, "to": target}))

    @hookimpl
    def on_proposal_decided(self, proposal_id: str, outcome: str) -> None:
        self.calls.append(("decided", {"id": proposal_id, "outcome": outcome}))


def test_hook_on_member_withdrawn() -> None:
    recorder = Recorder()
    city = plugins.load_city("paris", extra=[recorder])
    city.hook.on_member_withdrawn(member_id="M-7", reason="moved away", date="2026-02-01")
    assert recorder.calls == [
        ("withdrawn", {"member_id": "M-7", "reason": "moved away", "date": "2026-02-01"})
    ]


def test_hook_on_proposal_transition() -> None:
    recorder = Recorder()
    city = plugins.load_city("paris", extra=[recorder])
    city.hook.on_proposal_transition(
        proposal_id="P-1",
        kind="voeu",
        source="redige",
        target="adopte-assemblee",
        actor="assembly",
    )
    assert recorder.calls == [
        ("transition", {"id": "P-1", "from": "redige", "to": "adopte-assemblee"})
    ]


def test_hook_on_proposal_decided() -> None:
    recorder = Recorder()
    city = plugins.load_city("brussels", extra=[recorder])
    city.hook.on_proposal_decided(proposal_id="R-3", kind="recommandation", outcome="rejected")
    assert recorder.calls == [("decided", {"id": "R-3", "outcome": "rejected"})]
