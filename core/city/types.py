"""What a city plugin tells the core about its assembly: plain, typed, immutable data.

Every configuration hook returns one of these dataclasses. They hold facts a city
can correct (seat counts, rates, deadlines, sources), never logic; the core derives
everything else from them. ``kleroterion.city.schemas`` validates them when a plugin
manager is built, so a mistake in a plugin stops start-up with a message naming the
plugin, the hook and the field.

This module is the **one declaration** of the city model: every field is declared
with ``fact(...)``, which carries its documentation, its unit, whether it is prose
shown to people, and its bounds. The validation schemas (``city.schemas``), the
API's dump schemas and OpenAPI components (``web.schemas``), the configuration
reference (docs/configuration.md, ``city.reference``) and the new-city questions
are derived from it; a test fails when any of them drifts.

Labels shown to people are ``Localized`` mappings from a language code (``fr``,
``en``, ``nl``) to text; they must at least hold the city's default language.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

# The model's vocabulary, re-exported: plugins import everything from here.
from kleroterion.city import declaration
from kleroterion.city.declaration import (
    BODY_ROLES as BODY_ROLES,
)
from kleroterion.city.declaration import (
    BODY_SELECTIONS as BODY_SELECTIONS,
)
from kleroterion.city.declaration import (
    CONFIDENCES as CONFIDENCES,
)
from kleroterion.city.declaration import (
    DECISION_POWERS as DECISION_POWERS,
)
from kleroterion.city.declaration import (
    KEY_ERROR as KEY_ERROR,
)
from kleroterion.city.declaration import (
    KEY_PATTERN as KEY_PATTERN,
)
from kleroterion.city.declaration import (
    REGISTRY_KINDS as REGISTRY_KINDS,
)
from kleroterion.city.declaration import (
    SELECTION_METHODS as SELECTION_METHODS,
)
from kleroterion.city.declaration import (
    TIME_UNITS as TIME_UNITS,
)
from kleroterion.city.declaration import (
    BodyRole as BodyRole,
)
from kleroterion.city.declaration import (
    BodySelection as BodySelection,
)
from kleroterion.city.declaration import (
    Confidence as Confidence,
)
from kleroterion.city.declaration import (
    DecisionPower as DecisionPower,
)
from kleroterion.city.declaration import (
    Evidence as Evidence,
)
from kleroterion.city.declaration import (
    Localized as Localized,
)
from kleroterion.city.declaration import (
    RegistryKind as RegistryKind,
)
from kleroterion.city.declaration import (
    SelectionMethod as SelectionMethod,
)
from kleroterion.city.declaration import (
    Source as Source,
)
from kleroterion.city.declaration import (
    TimeUnit as TimeUnit,
)
from kleroterion.city.declaration import (
    evidence_fact as evidence_fact,
)
from kleroterion.city.declaration import (
    fact as fact,
)
from kleroterion.city.declaration import (
    key_fact as key_fact,
)
from kleroterion.city.declaration import (
    label_fact as label_fact,
)
from kleroterion.city.declaration import (
    sources_fact as sources_fact,
)
from kleroterion.sortition.types import Quota


@dataclass(frozen=True)
class CityProfile:
    """Who the city is and how its assembly is called (hook ``city_profile``)."""

    slug: str = fact(
        "lowercase ascii, digits and hyphens: the name used on the command line",
        pattern=r"^[a-z][a-z0-9-]*[a-z0-9]$",
        pattern_error="must be lowercase ascii letters, digits and hyphens",
    )
    name: str = fact("the city's own name, e.g. Paris, Région de Bruxelles-Capitale", nonempty=True)
    assembly_name: Localized = label_fact("the assembly's official name per language")
    country: str = fact(
        "ISO 3166-1 alpha-2 code, e.g. FR, BE",
        pattern=r"^[A-Z]{2}$",
        pattern_error="must be ISO 3166 alpha-2",
    )
    languages: tuple[str, ...] = fact(
        "languages of the assembly, the first is the default", min_items=1
    )
    timezone: str = fact("IANA time zone, e.g. Europe/Paris")
    currency: str = fact(
        "ISO 4217 code, e.g. EUR",
        pattern=r"^[A-Z]{3}$",
        pattern_error="must be an ISO 4217 code such as 'EUR'",
    )
    population: int | None = fact("residents of the city", None, unit="people", minimum=1)
    website: str = fact("the city's or the assembly's website", "")
    summary: Localized = fact("one paragraph on the assembly, for practitioners", {}, prose=True)
    sources: tuple[Source, ...] = sources_fact()
    evidence: dict[str, Evidence] = evidence_fact()


@dataclass(frozen=True)
class FeatureValue:
    """One value of a stratification criterion with its weight in the population."""

    key: str = fact("the value as respondents' files write it", nonempty=True)
    label: Localized = label_fact()
    population: float = fact(
        "its weight in the population: count or share, only the proportions matter", above=0
    )


@dataclass(frozen=True)
class Feature:
    """A stratification criterion (gender, age band, arrondissement, diploma...)."""

    key: str = key_fact("the criterion's column in respondents' files")
    label: Localized = label_fact()
    values: tuple[FeatureValue, ...] = fact("its values and their weights", min_items=1)
    tolerance: int = fact(
        "seats either side of the proportional target", 1, unit="seats", minimum=0
    )
    approximate: bool = fact("the weights are estimates to be replaced", False)


@dataclass(frozen=True)
class SeatGroup:
    """Seats filled from one source with their own rules (a "collège")."""

    key: str = key_fact("the seat group's key")
    label: Localized = label_fact()
    seats: int = fact("seats of the group", unit="seats", minimum=0)
    registry: RegistryKind = fact("where the group's candidates come from")
    selection: SelectionMethod = fact("how the group's seats are filled", "stratified")
    invitations: int | None = fact(
        "letters sent in the first draw, if any", None, unit="letters", minimum=0
    )
    stratify_invitations_by: str = fact("registry column used to spread the letters", "")
    features: tuple[str, ...] = fact("keys of the stratification criteria applied", ())
    eligibility: Localized = fact("who may be drawn", {}, prose=True)
    minimum_age: int | None = fact("youngest age admitted", None, unit="years", minimum=0)
    maximum_age: int | None = fact("oldest age admitted", None, unit="years", minimum=0)
    quotas: tuple[Quota, ...] = fact("explicit bounds, overriding the proportional ones", ())


@dataclass(frozen=True)
class PanelComposition:
    """How the panel is made (hook ``panel_composition``).

    ``seats`` counts the seats drawn for the panel; ``open_volunteers`` says whether
    anyone else may join and vote (Poitiers). ``joint_draw`` fills all seat groups in
    one draw instead of one draw per group.
    """

    seats: int = fact("seats drawn for the panel", unit="seats", minimum=1)
    seat_groups: tuple[SeatGroup, ...] = fact(
        "the seat groups, adding up to the seats", min_items=1
    )
    features: tuple[Feature, ...] = fact("stratification criteria", ())
    registry_size: int | None = fact(
        "people in the registry the first draw reads", None, unit="people", minimum=1
    )
    registry_note: Localized = fact("what the registry is", {}, prose=True)
    joint_draw: bool = fact("all seat groups are filled in one draw", False)
    one_per_household: bool = fact("at most one person per household is selected", True)
    open_volunteers: bool = fact("anyone else may join the sessions", False)
    open_volunteers_vote: bool = fact("open volunteers vote", False)
    minimum_age: int = fact("youngest member admitted", 16, unit="years", minimum=0)
    selection_algorithm: Literal["leximin", "legacy"] = fact(
        "the panel draw's algorithm", "leximin"
    )
    draw_oversight: Localized = fact(
        "who oversees the draw, e.g. a bailiff's record", {}, prose=True
    )
    sources: tuple[Source, ...] = sources_fact()
    evidence: dict[str, Evidence] = evidence_fact()


@dataclass(frozen=True)
class BodySeat:
    """Seats of one role in a body; ``count`` None means "as many as come"."""

    role: BodyRole = fact("who sits")
    selection: BodySelection = fact("how these seats are filled")
    count: int | None = fact("how many; none: as many as come", None, unit="seats", minimum=0)
    note: Localized = fact("anything else about these seats", {}, prose=True)


@dataclass(frozen=True)
class Body:
    """A sub-body of the assembly with its own composition (hook ``assembly_bodies``)."""

    key: str = key_fact("the body's key")
    label: Localized = label_fact()
    purpose: Localized = fact("what the body does", prose=True)
    seats: tuple[BodySeat, ...] = fact("its seats, by role")
    size: int | None = fact(
        "total seats when the sources give one; checked against the seats",
        None,
        unit="seats",
        minimum=1,
    )
    decides: bool = fact("the body itself has decision power", False)
    formed: Literal["start", "during", "end"] = fact(
        "when in the mandate the body is formed", "start"
    )
    term_months: int | None = fact("how long it sits", None, unit="months", minimum=1)
    formal_meetings: int | None = fact("formal meetings it holds", None, unit="meetings", minimum=0)
    note: Localized = fact("anything else", {}, prose=True)
    sources: tuple[Source, ...] = sources_fact()
    evidence: dict[str, Evidence] = evidence_fact()


@dataclass(frozen=True)
class SessionKind:
    """A kind of meeting (plenary, workshop, hearing...) and how long one usually lasts."""

    key: str = key_fact("the session kind's key")
    label: Localized = label_fact()
    unit: TimeUnit = fact("the unit attendance is counted and paid in")
    default_duration: float = fact("usual length, in the unit", 1.0, above=0)


@dataclass(frozen=True)
class Phase:
    """A phase of a mandate, in order."""

    key: str = key_fact("the phase's key")
    label: Localized = label_fact()
    description: Localized = fact("what happens in it", {}, prose=True)
    months: float | None = fact("typical length", None, unit="months", above=0)


@dataclass(frozen=True)
class MandateRules:
    """How long a panel sits and how its work unfolds (hook ``mandate_rules``)."""

    term_name: Localized = label_fact("what a term is called: promotion, édition, cycle...")
    min_months: int = fact("shortest term", unit="months", minimum=1)
    max_months: int = fact("longest term", unit="months", minimum=1)
    renewal_months: int = fact("a new panel every...", 12, unit="months", minimum=1)
    phases: tuple[Phase, ...] = fact("the phases of a term, in order", ())
    session_kinds: tuple[SessionKind, ...] = fact("the kinds of sessions held", ())
    sessions_per_mandate: int | None = fact(
        "assembly sessions per term (Poitiers: 4)", None, unit="sessions", minimum=1
    )
    working_days_min: int | None = fact(
        "fewest working days per term", None, unit="days", minimum=1
    )
    working_days_max: int | None = fact("most working days per term", None, unit="days", minimum=1)
    typical_year_units: float | None = fact(
        "indemnity units a fully present member works in a year",
        None,
        unit="indemnity units",
        minimum=0,
    )
    typical_year_note: Localized = fact("how the typical year is counted", {}, prose=True)
    subjects_per_mandate: int | None = fact(
        "subjects worked per term", None, unit="subjects", minimum=1
    )
    subject_choice: Localized = fact("how the subject is chosen", {}, prose=True)
    next_theme_chosen_by_share: Decimal | None = fact(
        "share of members choosing the next theme (Brussels: a quarter)",
        None,
        unit="share, 0 to 1",
        above=0,
        maximum=1,
    )
    start_month: int | None = fact(
        "usual month a term starts", None, unit="month, 1-12", minimum=1, maximum=12
    )
    replacement_months: int | None = fact(
        "members who leave are replaced until this many months after the term starts "
        "(the reserve list's contact data are kept until then); none: until the term ends",
        None,
        unit="months",
        minimum=0,
    )
    personal_data_months: int | None = fact(
        "members' personal data are purged this many months after the term ends "
        "(kleroterion privacy purge --due); none: only when purged by hand",
        None,
        unit="months",
        minimum=0,
    )
    sources: tuple[Source, ...] = sources_fact()
    evidence: dict[str, Evidence] = evidence_fact()


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


@dataclass(frozen=True)
class Extra:
    """A cost reimbursed on top of the indemnity (childcare, travel...)."""

    key: str = key_fact("the cost's key")
    label: Localized = label_fact()
    note: Localized = fact("how it is reimbursed", {}, prose=True)
    ceiling: Decimal | None = fact("most reimbursed", None, unit="currency", minimum=0)


@dataclass(frozen=True)
class IndemnityPolicy:
    """What members are paid for attendance (hook ``indemnity_policy``).

    ``paid_bodies`` empty means every panel member is paid; otherwise only members of
    those bodies. ``family_quotient_max`` is a means test (Poitiers). ``max_units`` caps
    the units paid per mandate, ``annual_ceiling`` the amount per calendar year.
    """

    rate: Decimal = fact("amount paid per unit attended", unit="currency per unit", minimum=0)
    currency: str = fact(
        "ISO 4217 code",
        pattern=r"^[A-Z]{3}$",
        pattern_error="must be an ISO 4217 code such as 'EUR'",
    )
    unit: TimeUnit = fact("the unit attendance is paid in")
    paid: bool = fact("members are paid at all", True)
    paid_bodies: tuple[str, ...] = fact(
        "only members of these bodies are paid; empty: every member", ()
    )
    family_quotient_max: Decimal | None = fact(
        "means test: highest family quotient paid", None, unit="currency", minimum=0
    )
    max_units: int | None = fact("most units paid per term", None, unit="units", minimum=1)
    annual_ceiling: Decimal | None = fact(
        "most paid per calendar year", None, unit="currency", minimum=0
    )
    rate_is_maximum: bool = fact("the rate is a ceiling rather than a fixed sum", False)
    extras: tuple[Extra, ...] = fact("costs reimbursed on top", ())
    legal_basis: Localized = fact("the rule the indemnity rests on", {}, prose=True)
    conditions: Localized = fact("anything else about who is paid and how", {}, prose=True)
    sources: tuple[Source, ...] = sources_fact()
    evidence: dict[str, Evidence] = evidence_fact()


@dataclass(frozen=True)
class ResponseDeadline:
    """A deadline for the addressee to answer the assembly's acts."""

    key: str = key_fact("the deadline's key")
    label: Localized = label_fact()
    months: int = fact("months after the act is sent", unit="months", minimum=1)
    by: str = fact("who answers", nonempty=True)


@dataclass(frozen=True)
class FollowUpCommittee:
    """Members who follow the response after the mandate."""

    size: int = fact("members of the committee", unit="members", minimum=1)
    drawn_from: str = fact("where its members come from, e.g. panel")
    selection: BodySelection = fact("how they are chosen")
    term_months: int | None = fact("how long it sits", None, unit="months", minimum=1)
    formal_meetings: int | None = fact("formal meetings it holds", None, unit="meetings", minimum=0)


@dataclass(frozen=True)
class AccountabilityRules:
    """How the city answers for what it did with the acts (hook ``accountability_rules``)."""

    reporter: Localized = fact("who reports", prose=True)
    audience: Localized = fact("to whom", prose=True)
    report_every_months: int | None = fact(
        "a follow-up report every...", None, unit="months", minimum=1
    )
    response_deadlines: tuple[ResponseDeadline, ...] = fact("deadlines to answer the acts", ())
    follow_up_committee: FollowUpCommittee | None = fact(
        "members who follow the response after the term", None
    )
    owner_per_measure: bool = fact("a named person answers for each measure", False)
    justify_rejections: bool = fact("every act not carried out is justified", False)
    public_status: bool = fact("the state of each measure is published", False)
    citizens_in_implementation: bool = fact("citizens take part in carrying it out", False)
    note: Localized = fact("anything else", {}, prose=True)
    sources: tuple[Source, ...] = sources_fact()
    evidence: dict[str, Evidence] = evidence_fact()


@dataclass(frozen=True)
class Institution:
    """How the assembly is instituted, funded, staffed and tied to officials (hook ``institution``).

    The questions practitioners compare cities on. A fact left empty is unknown; a
    fact given must cite its source in ``evidence`` (the city's load fails otherwise).
    """

    founding_act: Localized = fact("the act that created the assembly", {}, prose=True)
    founding_date: str = fact(
        "date of the founding act",
        "",
        unit="ISO date",
        pattern=r"^(\d{4}-\d{2}-\d{2})?$",
        pattern_error="must be an ISO date such as 2021-10-15",
    )
    rules_of_procedure: Localized = fact(
        "its rules of procedure (règlement intérieur, charter)", {}, prose=True
    )
    follow_up_in_law: bool | None = fact(
        "the droit de suite is written in a legal act; none: unknown", None
    )
    follow_up_basis: Localized = fact("where the droit de suite is written", {}, prose=True)
    annual_budget_min: Decimal | None = fact(
        "lowest yearly budget given", None, unit="currency per year", minimum=0
    )
    annual_budget_max: Decimal | None = fact(
        "highest yearly budget given", None, unit="currency per year", minimum=0
    )
    staff: Localized = fact("who runs the assembly day to day", {}, prose=True)
    staff_fte: float | None = fact(
        "staff in full-time equivalents", None, unit="full-time equivalents", minimum=0
    )
    experts_and_stakeholders: Localized = fact(
        "the place of experts, associations and stakeholders", {}, prose=True
    )
    articulation: Localized = fact(
        "how the assembly's work meets that of elected officials and agents", {}, prose=True
    )
    engagement: Localized = fact(
        "what keeps members engaged over time (indemnity, training, replacements)",
        {},
        prose=True,
    )
    training: bool | None = fact("members are offered training; none: unknown", None)
    replacements: bool | None = fact("members who drop out are replaced; none: unknown", None)
    sources: tuple[Source, ...] = sources_fact()
    evidence: dict[str, Evidence] = evidence_fact()


#: The sections of a city's configuration, by the hook that answers each.
SECTIONS: dict[str, type] = {
    "city_profile": CityProfile,
    "panel_composition": PanelComposition,
    "assembly_bodies": Body,
    "mandate_rules": MandateRules,
    "proposal_kinds": ProposalKind,
    "indemnity_policy": IndemnityPolicy,
    "accountability_rules": AccountabilityRules,
    "institution": Institution,
}


def declared_classes() -> list[type]:
    """Every dataclass of the city model reachable from the sections, in order."""
    import typing

    seen: list[type] = []

    def walk(cls: type) -> None:
        if cls in seen or cls.__module__ not in (__name__, declaration.__name__):
            return
        seen.append(cls)
        hints = typing.get_type_hints(cls)
        for item in dataclasses.fields(cls):
            for inner in _classes_in(hints[item.name]):
                walk(inner)

    for cls in SECTIONS.values():
        walk(cls)
    return seen


def _classes_in(hint: Any) -> list[type]:
    import typing

    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return [hint]
    return [inner for arg in typing.get_args(hint) for inner in _classes_in(arg)]


@dataclass(frozen=True)
class CityConfig:
    """Everything the configuration hooks of one city returned, validated."""

    plugin: str  # name of the plugin that provided the profile
    profile: CityProfile
    composition: PanelComposition
    bodies: tuple[Body, ...]
    mandate: MandateRules
    proposal_kinds: tuple[ProposalKind, ...]
    indemnity: IndemnityPolicy
    accountability: AccountabilityRules
    institution: Institution = field(default_factory=Institution)

    def body(self, key: str) -> Body:
        for body in self.bodies:
            if body.key == key:
                return body
        raise KeyError(key)

    def proposal_kind(self, key: str) -> ProposalKind:
        for kind in self.proposal_kinds:
            if kind.key == key:
                return kind
        raise KeyError(key)


def localize(label: Localized, language: str, fallback: str = "en") -> str:
    """The text of a label in ``language``, else ``fallback``, else any language."""
    if language in label:
        return label[language]
    if fallback in label:
        return label[fallback]
    return next(iter(label.values()), "")
