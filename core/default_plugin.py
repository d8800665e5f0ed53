"""The core's own answers to the configuration and behaviour hooks a city may leave out.

Registered first and marked ``trylast``, so any city plugin's answer wins. A city
must still answer ``city_profile``, ``panel_composition``, ``mandate_rules`` and
``proposal_kinds``: the core cannot guess those. The behaviour hooks' defaults read
the city's declared configuration as its rules.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kleroterion import hookimpl
from kleroterion.city.behaviour import Candidate, Entitlement, Move, MoveRule, PaidMember
from kleroterion.city.dates import add_months
from kleroterion.city.types import (
    AccountabilityRules,
    Body,
    CityConfig,
    IndemnityPolicy,
    Institution,
    ProposalKind,
    ResponseDeadline,
    SeatGroup,
)


@hookimpl(trylast=True)
def assembly_bodies() -> tuple[Body, ...]:
    """No sub-body: the panel works in plenary only."""
    return ()


@hookimpl(trylast=True)
def indemnity_policy() -> IndemnityPolicy:
    """Members are not paid."""
    return IndemnityPolicy(rate=Decimal("0"), currency="EUR", unit="session", paid=False)


@hookimpl(trylast=True)
def accountability_rules() -> AccountabilityRules:
    """The secretariat publishes a yearly report on what became of each act."""
    return AccountabilityRules(
        reporter={
            "fr": "le secrétariat de l'assemblée",
            "en": "the assembly's secretariat",
            "nl": "het secretariaat van de burgerraad",
        },
        audience={
            "fr": "l'assemblée et le public",
            "en": "the assembly and the public",
            "nl": "de burgerraad en het publiek",
        },
        report_every_months=12,
        public_status=True,
    )


@hookimpl(trylast=True)
def institution() -> Institution:
    """Nothing is known: every fact is unknown until the city gives it with a source."""
    return Institution()


# -- behaviour: the declared configuration, read as the rules -------------------------


@hookimpl(trylast=True)
def indemnity_entitlement(city: CityConfig, member: PaidMember, on: dt.date) -> Entitlement:
    """Pay at the policy's rate, only the bodies it names, under its means test."""
    policy = city.indemnity
    if not policy.paid:
        return Entitlement(False, reason="the city pays no indemnity")
    if policy.paid_bodies and not set(member.bodies) & set(policy.paid_bodies):
        return Entitlement(
            False, reason=f"only members of {', '.join(policy.paid_bodies)} are paid"
        )
    if policy.family_quotient_max is not None:
        if member.family_quotient is None:
            return Entitlement(False, reason="no family quotient recorded (means-tested indemnity)")
        if member.family_quotient > policy.family_quotient_max:
            return Entitlement(False, reason=f"family quotient above {policy.family_quotient_max}")
    return Entitlement(True, rate=policy.rate)


@hookimpl(trylast=True)
def transition_rule(city: CityConfig, move: Move) -> MoveRule:
    """A move the lifecycle declares with ``justification`` needs one."""
    kind = city.proposal_kind(move.kind)
    declared = next(
        (t for t in kind.transitions if t.source == move.source and t.target == move.target), None
    )
    if declared is not None and declared.justification:
        return MoveRule(requires=("justification",))
    return MoveRule()


@hookimpl(trylast=True)
def response_due(
    city: CityConfig, kind: ProposalKind, deadline: ResponseDeadline, sent_on: dt.date
) -> dt.date:
    """``deadline.months`` calendar months after the act was sent (clamped to month ends)."""
    return add_months(sent_on, deadline.months)


@hookimpl(trylast=True)
def seat_group_eligibility(city: CityConfig, group: SeatGroup, candidate: Candidate) -> str:
    """The group's age bounds, when the candidate's age is known."""
    if candidate.age is None:
        return ""
    if group.minimum_age is not None and candidate.age < group.minimum_age:
        return f"younger than {group.minimum_age}, the youngest age of {group.key}"
    if group.maximum_age is not None and candidate.age > group.maximum_age:
        return f"older than {group.maximum_age}, the oldest age of {group.key}"
    return ""
