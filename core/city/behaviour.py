"""What the behaviour hooks receive and answer, and the typed events plugins hear.

Cities differ in logic, not only in numbers: who is paid for an attendance, whether
an act may move and what the move requires, when an answer is due, who may sit in a
seat group. The core asks the city's own plugin through the behaviour hooks
(``kleroterion.hookspecs``) with one of the contexts below and gets one of the
answers below; the core's defaults (``kleroterion.default_plugin``) read the city's
declared configuration.

Events tell extensions what happened after it was saved. They carry the city, the
date and pseudonymous ids only: never a name, never a withdrawal's reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

# -- contexts and answers of the behaviour hooks --------------------------------------


@dataclass(frozen=True)
class PaidMember:
    """A member whose attendance may be paid; ``member`` is the pseudonymous id.

    ``family_quotient`` is given to the city's own plugin only (extensions may not
    answer behaviour hooks) and only for a means-tested indemnity.
    """

    member: str
    seat_group: str
    bodies: tuple[str, ...]
    family_quotient: Decimal | None = None


@dataclass(frozen=True)
class Entitlement:
    """Whether a member is paid and at which rate per unit; ``reason`` when not."""

    paid: bool
    rate: Decimal = Decimal(0)
    reason: str = ""


@dataclass(frozen=True)
class Move:
    """An act about to move in its lifecycle: kind, states, actor, date, justification."""

    proposal: str
    kind: str
    source: str
    target: str
    actor: str
    on: dt.date
    justification: str = ""


@dataclass(frozen=True)
class MoveRule:
    """Whether a move may happen, and what it requires (``"justification"``)."""

    allowed: bool = True
    reason: str = ""
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class Candidate:
    """Someone who may be drawn: pseudonymous id, age when known, selection features."""

    respondent: str
    age: int | None = None
    features: dict[str, str] = field(default_factory=dict)


# -- typed events ----------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """Something saved in a city's record; ``on`` is the day it took effect."""

    city: str
    on: dt.date


@dataclass(frozen=True)
class MemberWithdrawn(Event):
    """A member left the panel. The reason, possibly about health, is not given."""

    mandate: int
    member: str


@dataclass(frozen=True)
class ProposalMoved(Event):
    """An act moved from ``source`` to ``target``, by ``actor``."""

    mandate: int
    proposal: str
    kind: str
    source: str
    target: str
    actor: str


@dataclass(frozen=True)
class ProposalDecided(Event):
    """An act reached a final state with this ``outcome`` (adopted, rejected...)."""

    mandate: int
    proposal: str
    kind: str
    outcome: str
