"""Facts the comparison derives from a city's declared facts, declared beside the model.

A practitioner asks "what does a fully present member earn in a year?" or "how many
elected officials sit in the assembly's bodies?": the city does not declare these, the
model computes them from what it declares. Each derived fact names the ICPC question it
answers, its label in French, English and Dutch, its kind (how its value is typed in
the open data) and the declared facts it reads (``inputs``): it is as sure as the least
sure of them, and cites their sources.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kleroterion.city.declaration import Localized
from kleroterion.city.types import CityConfig


def typical_year_amount(config: CityConfig) -> Decimal | None:
    """What a fully present, eligible member earns in a typical year, within the caps."""
    policy, units = config.indemnity, config.mandate.typical_year_units
    if not policy.paid or units is None:
        return None
    # A data file's 18 reads as 18.0: count whole units as such, so 44 x 18 is 792.
    paid_units = Decimal(int(units)) if float(units).is_integer() else Decimal(str(units))
    if policy.max_units is not None:
        paid_units = min(paid_units, Decimal(policy.max_units))
    amount = policy.rate * paid_units
    if policy.annual_ceiling is not None:
        amount = min(amount, policy.annual_ceiling)
    return amount


def drawn_share(config: CityConfig) -> float:
    """Share of the panel's seats filled by lot (stratified or uniform draws)."""
    seats = config.composition.seats
    drawn = sum(
        group.seats for group in config.composition.seat_groups if group.selection != "open"
    )
    return drawn / seats if seats else 0.0


def seats_of(config: CityConfig, roles: frozenset[str]) -> int | None:
    """Seats of these roles in the assembly's bodies (none when no body has one)."""
    counts = [seat.count or 0 for body in config.bodies for seat in body.seats
              if seat.role in roles]
    return sum(counts) if counts else None


def roles_present(config: CityConfig, roles: frozenset[str]) -> list[str]:
    """Which of these roles sit in some body, in the model's order of roles."""
    found = {seat.role for body in config.bodies for seat in body.seats}
    return [role for role in sorted(roles) if role in found]


def act_powers(config: CityConfig) -> list[dict[str, Any]]:
    """Each act kind, its addressee's power and whether adoption has legal force."""
    return [{"label": dict(kind.label), "power": kind.power, "legal_force": kind.legal_force}
            for kind in config.proposal_kinds]


@dataclass(frozen=True)
class Derived:
    """A fact computed from declared ones (``inputs``: ``section.field`` paths)."""

    key: str
    question: str
    label: Localized
    kind: str  # as a declared fact's: money, share, number, enums, acts
    unit: str
    inputs: tuple[str, ...]
    compute: Callable[[CityConfig], Any]


def _label(fr: str, en: str, nl: str) -> Localized:
    return {"fr": fr, "en": en, "nl": nl}


EXPERT_ROLES = frozenset({"expert", "guarantor", "facilitator"})

#: The derived facts, shown after the declared ones of their question.
DERIVED: tuple[Derived, ...] = (
    Derived("typical_year", "indemnity",
            _label("Année type d'un membre présent à tout (calculé)",
                   "Typical year of a fully present member (derived)",
                   "Doorsneejaar van een steeds aanwezig lid (berekend)"),
            "money", "currency per year", ("indemnity.rate", "mandate.typical_year_units"),
            typical_year_amount),
    Derived("drawn_share", "sortition",
            _label("Part des sièges tirés au sort (calculé)",
                   "Share of seats drawn by lot (derived)",
                   "Aandeel van de zetels die bij loting worden toegewezen (berekend)"),
            "share", "share", ("composition.seats", "composition.seat_groups"), drawn_share),
    Derived("invitations", "sortition",
            _label("Lettres d'invitation du premier tirage (calculé)",
                   "Invitation letters of the first draw (derived)",
                   "Uitnodigingsbrieven van de eerste loting (berekend)"),
            "number", "letters", ("composition.seat_groups",),
            lambda c: sum(g.invitations or 0 for g in c.composition.seat_groups) or None),
    Derived("expert_roles", "experts",
            _label("Experts, garants ou animateurs dans les instances (calculé)",
                   "Experts, guarantors or facilitators in the bodies (derived)",
                   "Experts, garanten of begeleiders in de organen (berekend)"),
            "roles", "", ("bodies",), lambda c: roles_present(c, EXPERT_ROLES)),
    Derived("elected_seats", "articulation",
            _label("Sièges d'élus dans les instances (calculé)",
                   "Elected officials' seats in the bodies (derived)",
                   "Zetels van verkozenen in de organen (berekend)"),
            "number", "seats", ("bodies",),
            lambda c: seats_of(c, frozenset({"elected", "elected_opposition"}))),
    Derived("opposition_seats", "articulation",
            _label("dont sièges d'élus de l'opposition (calculé)",
                   "of which opposition seats (derived)",
                   "waarvan zetels van de oppositie (berekend)"),
            "number", "seats", ("bodies",),
            lambda c: seats_of(c, frozenset({"elected_opposition"}))),
    Derived("agent_seats", "articulation",
            _label("Sièges d'agents dans les instances (calculé)",
                   "Agents' seats in the bodies (derived)",
                   "Zetels van ambtenaren in de organen (berekend)"),
            "number", "seats", ("bodies",), lambda c: seats_of(c, frozenset({"agent"}))),
    Derived("act_powers", "articulation",
            _label("Actes et pouvoir de leur destinataire (calculé)",
                   "Acts and their addressee's power (derived)",
                   "Akten en de bevoegdheid van hun bestemmeling (berekend)"),
            "acts", "", ("proposal_kinds",), act_powers),
)
