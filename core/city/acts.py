"""The city model's acts: the kinds of act an assembly produces, their states, moves and
verdicts (hook ``proposal_kinds``).

Part of the one declaration of the city model (``kleroterion.city.types`` re-exports
every class); split from it to keep files short.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kleroterion.city.declaration import (
    DecisionPower,
    Evidence,
    Localized,
    Source,
    evidence_fact,
    fact,
    key_fact,
    label_fact,
    sources_fact,
)


@dataclass(frozen=True)
class ProposalState:
    """A state in a proposal kind's lifecycle; ``outcome`` marks final decisions.

    ``sent`` marks the state in which the act reaches its addressee (submitted to
    the council, sent to the government): the accountability rules' response
    deadlines run from the day the act first enters it.
    """

    key: str = key_fact("the state's key")
    label: Localized = label_fact()
    final: bool = fact("no transition leaves this state", False)
    outcome: Literal["adopted", "rejected", "withdrawn", "answered", ""] = fact(
        "the decision a final state records", ""
    )
    sent: bool = fact("the act has reached its addressee: response deadlines run from here", False)


@dataclass(frozen=True)
class Transition:
    """A move from one state to another, made by ``actor``."""

    source: str = fact("the state the act leaves")
    target: str = fact("the state the act enters")
    actor: str = fact(
        "who makes the move: assembly, secretariat, executive, council, government, citizens...",
        nonempty=True,
    )
    label: Localized = fact("the action's name, per language", {})
    justification: bool = fact("the actor must say why (e.g. a recommendation not retained)", False)


@dataclass(frozen=True)
class Verdict:
    """The addressee's answer on whether it retains an act, apart from how far it is done."""

    key: str = key_fact("the verdict's key")
    label: Localized = label_fact()
    retained: Literal["yes", "partly", "no"] = fact("whether the act is retained")
    justification: bool = fact("the addressee must say why", False)


@dataclass(frozen=True)
class ProposalKind:
    """An act the assembly may produce, its addressee, its lifecycle (hook ``proposal_kinds``)."""

    key: str = key_fact("the act kind's key")
    label: Localized = label_fact()
    description: Localized = fact("what the act is", prose=True)
    addressee: Localized = fact("who receives it, e.g. the Conseil de Paris", prose=True)
    power: DecisionPower = fact(
        "what the addressee does with it: consultative (an opinion it answers), council_vote "
        "(submitted to a vote of the council, which may reject it), adopted_as_proposed (the "
        "council adopts it as it stands, or puts it to the people)"
    )
    binding_note: Localized = fact("what adoption means", prose=True)
    states: tuple[ProposalState, ...] = fact("its lifecycle's states", min_items=2)
    initial: str = fact("the state a new act starts in")
    transitions: tuple[Transition, ...] = fact("the moves allowed", min_items=1)
    per_mandate: int | None = fact(
        "how many a panel may produce, if limited", None, unit="acts", minimum=1
    )
    legal_force: bool = fact("once adopted, it has the force of the addressee's decision", False)
    verdicts: tuple[Verdict, ...] = fact(
        "the answers the addressee gives on retaining it, kept apart from implementation", ()
    )
    sources: tuple[Source, ...] = sources_fact()
    evidence: dict[str, Evidence] = evidence_fact()

    @property
    def binding(self) -> bool:
        """Whether adoption makes it a decision with legal force."""
        return self.legal_force
