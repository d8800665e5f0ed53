"""Each hook: documented, in docs/hooks.md, and exercised by a test named after it.

The drift tests fail when a hook is added without a docstring, without its
``test_hook_<name>`` test, or when docs/hooks.md or docs/cities.md are stale.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import logging
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from kleroterion import docs, hookimpl, hookspecs, plugins
from kleroterion.city.behaviour import (
    Candidate,
    Entitlement,
    MemberWithdrawn,
    Move,
    MoveRule,
    PaidMember,
    ProposalDecided,
    ProposalMoved,
)
from kleroterion.cli import KleroterionGroup, main
from kleroterion.services.context import deliver

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
    # A plugin that still gives one string names the city so in every language.
    profile = city.config.profile
    assert profile.name == dict.fromkeys(profile.languages, "Ville-Test")
    names = {"fr": "Ville de Test", "en": "City of Test"}
    city = load(city_profile=lambda p: dataclasses.replace(p, name=names))
    assert city.config.profile.name == names
    with pytest.raises(plugins.PluginError, match="field 'name': has no text in 'en'"):
        load(city_profile=lambda p: dataclasses.replace(p, name={"fr": "Ville de Test"}))
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
    """An extension listening to the typed events."""

    def __init__(self) -> None:
        self.events: list[Any] = []

    @hookimpl
    def on_withdrawal(self, event: MemberWithdrawn) -> None:
        self.events.append(event)

    @hookimpl
    def on_transition(self, event: ProposalMoved) -> None:
        self.events.append(event)

    @hookimpl
    def on_decision(self, event: ProposalDecided) -> None:
        self.events.append(event)


D = dt.date


def test_hook_on_withdrawal() -> None:
    recorder = Recorder()
    city = plugins.load_city("paris", extra=[recorder])
    event = MemberWithdrawn(city="paris", on=D(2026, 2, 1), mandate=1, member="M-7")
    city.hook.on_withdrawal(event=event)
    assert recorder.events == [event]
    assert "reason" not in {f.name for f in dataclasses.fields(MemberWithdrawn)}


def test_hook_on_transition() -> None:
    recorder = Recorder()
    city = plugins.load_city("paris", extra=[recorder])
    event = ProposalMoved(city="paris", on=D(2026, 3, 1), mandate=1, proposal="P-1",
                          kind="voeu", source="redige", target="adopte-assemblee",
                          actor="assembly")
    city.hook.on_transition(event=event)
    assert recorder.events == [event]


def test_hook_on_decision() -> None:
    recorder = Recorder()
    city = plugins.load_city("brussels", extra=[recorder])
    event = ProposalDecided(city="brussels", on=D(2026, 5, 1), mandate=2, proposal="R-3",
                            kind="recommandation", outcome="rejected")
    city.hook.on_decision(event=event)
    assert recorder.events == [event]


class OldListener:
    """An extension written for the event hooks before they were typed."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    @hookimpl
    def on_member_withdrawn(self, member_id: str, reason: str, date: str) -> None:
        self.calls.append((member_id, reason))

    @hookimpl
    def on_proposal_transition(self, proposal_id: str, target: str) -> None:
        self.calls.append((proposal_id, target))

    @hookimpl
    def on_proposal_decided(self, proposal_id: str, outcome: str) -> None:
        self.calls.append((proposal_id, outcome))


def test_hook_on_member_withdrawn() -> None:
    """Deprecated: still called through the typed event, never with the reason."""
    listener = OldListener()
    with pytest.warns(DeprecationWarning) as caught:
        city = plugins.load_city("paris", extra=[listener])
    assert any("implement on_withdrawal" in str(w.message) for w in caught)
    deliver(city, MemberWithdrawn(city="paris", on=D(2026, 2, 1), mandate=1,
                                         member="M-7"))
    assert ("M-7", "") in listener.calls


def test_hook_on_proposal_transition() -> None:
    listener = OldListener()
    with pytest.warns(DeprecationWarning) as caught:
        city = plugins.load_city("paris", extra=[listener])
    assert any("implement on_transition" in str(w.message) for w in caught)
    deliver(city, (ProposalMoved(
        city="paris", on=D(2026, 3, 1), mandate=1, proposal="P-1", kind="voeu",
        source="redige", target="adopte-assemblee", actor="assembly")))
    assert listener.calls == [("P-1", "adopte-assemblee")]


def test_hook_on_proposal_decided() -> None:
    listener = OldListener()
    with pytest.warns(DeprecationWarning) as caught:
        city = plugins.load_city("brussels", extra=[listener])
    assert any("implement on_decision" in str(w.message) for w in caught)
    deliver(city, (ProposalDecided(
        city="brussels", on=D(2026, 5, 1), mandate=2, proposal="R-3", kind="recommandation",
        outcome="rejected")))
    assert listener.calls == [("R-3", "rejected")]


def test_a_failing_event_hook_is_logged_and_the_others_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Broken:
        @hookimpl
        def on_withdrawal(self, event: MemberWithdrawn) -> None:
            raise ValueError("Marie Dupont is ill")

    recorder = Recorder()
    city = plugins.load_city("paris", extra=[Broken(), recorder])
    event = MemberWithdrawn(city="paris", on=D(2026, 2, 1), mandate=1, member="M-7")
    with caplog.at_level(logging.ERROR, logger="kleroterion.events"):
        deliver(city, event)  # does not raise
    assert recorder.events == [event]
    assert "on_withdrawal" in caplog.text and "ValueError" in caplog.text
    assert "Dupont" not in caplog.text


# -- behaviour hooks -----------------------------------------------------------------


def test_hook_indemnity_entitlement() -> None:
    poitiers = plugins.load_city("poitiers")
    config = poitiers.config
    def answer(bodies: tuple[str, ...], quotient: str | None) -> Entitlement:
        member = PaidMember("M-1", "adresses", bodies,
                            Decimal(quotient) if quotient is not None else None)
        result: Entitlement = poitiers.hook.indemnity_entitlement(
            city=config, member=member, on=D(2025, 3, 1))
        return result

    assert answer(("groupe-propositions",), "900") == Entitlement(True, Decimal("41.22"))
    assert answer(("groupe-propositions",), "1200").reason == "family quotient above 1000"
    assert not answer((), "500").paid
    assert answer(("comite-methodologique",), None).reason.startswith("no family quotient")

    class Solidarity:
        """A city that pays members outside the bodies half the rate."""

        @hookimpl
        def indemnity_entitlement(self, city: Any, member: PaidMember, on: dt.date) -> Any:
            if not member.bodies:
                return Entitlement(True, city.indemnity.rate / 2)
            return None

    city = plugins.load_city("testcity", plugins=[city_plugin(
        extra_hooks=Solidarity())])
    assert city.hook.indemnity_entitlement(
        city=city.config, member=PaidMember("M-2", "liste-electorale", ()), on=D(2025, 3, 1)
    ) == Entitlement(True, Decimal(22))


def test_hook_transition_rule() -> None:
    brussels = plugins.load_city("brussels")
    move = Move("R-1", "recommandation", "reponse", "non-retenue", "government", D(2026, 5, 1))
    assert brussels.hook.transition_rule(city=brussels.config, move=move).requires == (
        "justification",)
    carried = dataclasses.replace(move, target="realisee")
    assert brussels.hook.transition_rule(city=brussels.config, move=carried) == MoveRule()


def test_hook_response_due() -> None:
    brussels = plugins.load_city("brussels")
    kind = brussels.config.proposal_kind("recommandation")
    first, final = brussels.config.accountability.response_deadlines
    due = [brussels.hook.response_due(city=brussels.config, kind=kind, deadline=d,
                                      sent_on=D(2025, 11, 30)) for d in (first, final)]
    assert due == [D(2026, 2, 28), D(2026, 11, 30)]


def test_hook_seat_group_eligibility() -> None:
    paris = plugins.load_city("paris")
    youth = paris.config.composition.seat_groups[2]
    def why(age: int | None) -> str:
        answer: str = paris.hook.seat_group_eligibility(
            city=paris.config, group=youth, candidate=Candidate("R-1", age))
        return answer

    assert why(16) == "" and why(None) == ""
    assert why(18) == "older than 17, the oldest age of jeunes"
    assert why(15).startswith("younger than 16")


@pytest.mark.parametrize("hook", ["indemnity_policy", "transition_rule"])
def test_an_extension_answering_a_city_hook_is_refused(hook: str) -> None:
    """An extension once turned Paris's 44 € into 1 € for every city."""

    class Meddler:
        @hookimpl
        def indemnity_policy(self) -> Any:
            return None

        @hookimpl
        def transition_rule(self, move: Move) -> Any:
            return MoveRule(allowed=False)

    namespace = type("Only", (), {hook: getattr(Meddler, hook)})()
    meddler = plugins.Plugin(name="meddler", obj=namespace)
    with pytest.raises(plugins.PluginError) as error:
        plugins.load_city("paris", plugins=[*plugins.discover(), meddler])
    kind = "configuration" if hook == "indemnity_policy" else "behaviour"
    assert str(error.value).startswith(
        f"plugin 'meddler' implements the {kind} hook {hook!r} of the city plugin 'paris': "
        "only a city's own plugin may answer it"
    )
