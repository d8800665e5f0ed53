"""The core's own answers to the configuration hooks a city may leave out.

Registered first and marked ``trylast``, so any city plugin's answer wins. A city
must still answer ``city_profile``, ``panel_composition``, ``mandate_rules`` and
``proposal_kinds``: the core cannot guess those.
"""

from __future__ import annotations

from decimal import Decimal

from kleroterion import hookimpl
from kleroterion.city.types import AccountabilityRules, Body, IndemnityPolicy, Institution


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
