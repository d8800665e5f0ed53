"""A badly written plugin stops start-up with one message naming plugin, hook and field."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kleroterion import plugins
from kleroterion.city.types import PanelComposition, ProposalKind, Transition
from kleroterion.sortition.types import Quota

from tests.foundation.citykit import city_plugin


def load_error(**answers: Any) -> str:
    with pytest.raises(plugins.PluginError) as error:
        plugins.load_city("testcity", plugins=[city_plugin("broken", **answers)])
    return str(error.value)


def test_negative_seats() -> None:
    def negative(composition: PanelComposition) -> PanelComposition:
        groups = list(composition.seat_groups)
        groups[2] = dataclasses.replace(groups[2], seats=-5)
        return dataclasses.replace(composition, seats=90, seat_groups=tuple(groups))

    message = load_error(panel_composition=negative)
    assert message.startswith("plugin 'broken', hook 'panel_composition': ")
    assert "field 'seat_groups.2.seats': Must be greater than or equal to 0." in message


def test_seat_groups_not_summing_to_the_total() -> None:
    message = load_error(panel_composition=lambda c: dataclasses.replace(c, seats=101))
    assert message == (
        "plugin 'broken', hook 'panel_composition': field 'seat_groups': seat groups add up "
        "to 100 (80 (liste-electorale) + 15 (non-europeens) + 5 (jeunes)), not to the 101 seats"
    )


def test_quota_minimum_above_maximum() -> None:
    def inverted(composition: PanelComposition) -> PanelComposition:
        group = dataclasses.replace(
            composition.seat_groups[0], quotas=(Quota("gender", "femme", 45, 40),)
        )
        return dataclasses.replace(composition, seat_groups=(group, *composition.seat_groups[1:]))

    message = load_error(panel_composition=inverted)
    assert "hook 'panel_composition'" in message
    assert "field 'seat_groups.0.quotas.0.min': minimum 45 is above maximum 40" in message


def test_unknown_proposal_state_in_a_transition() -> None:
    def typo(kinds: tuple[ProposalKind, ...]) -> tuple[ProposalKind, ...]:
        first = kinds[0]
        bad = dataclasses.replace(
            first, transitions=(*first.transitions, Transition("posee", "adoptée", "council"))
        )
        return (bad, *kinds[1:])

    message = load_error(proposal_kinds=typo)
    assert "plugin 'broken', hook 'proposal_kinds'" in message
    assert "field '0.transitions.4.target': unknown proposal state 'adoptée'" in message


def test_rate_without_currency() -> None:
    message = load_error(indemnity_policy=lambda p: dataclasses.replace(p, currency=""))
    assert "plugin 'broken', hook 'indemnity_policy': field 'currency'" in message
    assert "ISO 4217" in message


def test_paid_body_that_does_not_exist() -> None:
    message = load_error(indemnity_policy=lambda p: dataclasses.replace(p, paid_bodies=("jury",)))
    assert message.startswith(
        "plugin 'broken', hook 'indemnity_policy': field 'paid_bodies.0': unknown body 'jury'"
    )


def test_label_missing_a_language_of_the_assembly() -> None:
    def english_less(kinds: tuple[ProposalKind, ...]) -> tuple[ProposalKind, ...]:
        return (dataclasses.replace(kinds[0], label={"fr": "Question"}), *kinds[1:])

    message = load_error(proposal_kinds=english_less)
    assert "hook 'proposal_kinds': field '0.label': has no text in 'en'" in message


def test_wrong_type_returned() -> None:
    message = load_error(mandate_rules={"min_months": 12})
    assert message == ("plugin 'broken', hook 'mandate_rules': expected MandateRules, got dict")


def test_state_with_no_way_out() -> None:
    def stuck(kinds: tuple[ProposalKind, ...]) -> tuple[ProposalKind, ...]:
        first = kinds[0]
        kept = tuple(t for t in first.transitions if t.source != "posee")
        return (dataclasses.replace(first, transitions=kept), *kinds[1:])

    message = load_error(proposal_kinds=stuck)
    assert message == (
        "plugin 'broken', hook 'proposal_kinds': field '0.transitions': "
        "states never reached from 'redigee': repondue"
    )


def test_bad_time_zone_and_slug() -> None:
    message = load_error(city_profile=lambda p: dataclasses.replace(p, timezone="Paris"))
    assert "field 'timezone': 'Paris' is not an IANA time zone" in message
    with pytest.raises(plugins.PluginError, match="field 'slug'"):
        plugins.installed_cities([city_plugin("broken", slug="Saint Denis")])


def test_follow_up_committee_larger_than_the_panel() -> None:
    import kleroterion_brussels

    rules = kleroterion_brussels.accountability_rules()
    bigger = dataclasses.replace(
        rules,
        follow_up_committee=dataclasses.replace(rules.follow_up_committee, size=500),
    )
    message = load_error(accountability_rules=bigger)
    assert "field 'follow_up_committee.size': 500 is more than the panel's 100 seats" in message


# Each example builds a plugin manager: its time says nothing (no timed unit tests).
@settings(deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=120), min_size=1, max_size=4),
    st.integers(min_value=1, max_value=300),
)
def test_seat_groups_are_valid_exactly_when_they_sum_to_the_seats(
    sizes: list[int], seats: int
) -> None:
    def composition(original: PanelComposition) -> PanelComposition:
        template = original.seat_groups[2]
        groups = tuple(
            dataclasses.replace(template, key=f"g{index}", seats=size)
            for index, size in enumerate(sizes)
        )
        return dataclasses.replace(original, seats=seats, seat_groups=groups)

    plugin = city_plugin("generated", panel_composition=composition)
    if sum(sizes) == seats:
        assert plugins.load_city("testcity", plugins=[plugin]).config.composition.seats == seats
    else:
        with pytest.raises(plugins.PluginError, match="seat groups add up to"):
            plugins.load_city("testcity", plugins=[plugin])


# Each example builds a plugin manager: its time says nothing (no timed unit tests).
@settings(deadline=None)
@given(st.decimals(min_value=-1000, max_value=1000, places=2))
def test_rates_are_valid_exactly_when_positive(rate: Decimal) -> None:
    plugin = city_plugin("generated", indemnity_policy=lambda p: dataclasses.replace(p, rate=rate))
    if rate > 0:
        assert plugins.load_city("testcity", plugins=[plugin]).config.indemnity.rate == rate
    else:
        with pytest.raises(plugins.PluginError, match="field 'rate'"):
            plugins.load_city("testcity", plugins=[plugin])


def test_only_one_state_may_be_marked_sent() -> None:
    def two_sent(kinds: tuple[ProposalKind, ...]) -> tuple[ProposalKind, ...]:
        first = kinds[1]
        states = tuple(dataclasses.replace(s, sent=True) for s in first.states[:2])
        return (kinds[0], dataclasses.replace(first, states=states + first.states[2:]), kinds[2])

    message = load_error(proposal_kinds=two_sent)
    assert message == (
        "plugin 'broken', hook 'proposal_kinds': field '1.states': "
        "only one state may be marked sent, not redige, adopte-assemblee, depose"
    )
