"""What a city plugin tells the core about its assembly: plain, typed, immutable data.

Every configuration hook returns one of these dataclasses. They hold facts a city
can correct (seat counts, rates, deadlines, sources), never logic; the core derives
everything else from them. ``kleroterion.city.schemas`` validates them when a plugin
manager is built, so a mistake in a plugin stops start-up with a message naming the
plugin, the hook and the field.

Labels shown to people are ``Localized`` mappings from a language code (``fr``,
``en``, ``nl``) to text; they must at least hold the city's default language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from kleroterion.sortition.types import Quota

#: Text in several languages, keyed by language code ("fr", "en", "nl").
Localized = dict[str, str]

#: Where a seat group's candidates come from.
RegistryKind = Literal[
    "electoral_roll",  # liste électorale
    "addresses",  # address database, door to door or letters to addresses
    "residents_card",  # Paris "Carte citoyenne" holders who volunteered
    "population_register",  # rijksregister, registre national
    "volunteers",  # anyone who comes forward
]
REGISTRY_KINDS: tuple[str, ...] = RegistryKind.__args__  # type: ignore[attr-defined]

#: How the seats of a group are filled.
SelectionMethod = Literal[
    "stratified",  # panel draw under quotas (LEXIMIN by default)
    "uniform",  # plain lottery among the candidates
    "open",  # every volunteer who comes takes part
]
SELECTION_METHODS: tuple[str, ...] = SelectionMethod.__args__  # type: ignore[attr-defined]

#: The unit in which sessions are counted and indemnities paid.
TimeUnit = Literal["half_day", "day", "session", "hour"]
TIME_UNITS: tuple[str, ...] = TimeUnit.__args__  # type: ignore[attr-defined]

#: Who sits in a body.
BodyRole = Literal[
    "member",  # a member of the panel (drawn)
    "volunteer",  # an open volunteer
    "elected",  # an elected official of the majority
    "elected_opposition",  # an elected official of the opposition
    "agent",  # a municipal or regional civil servant
    "facilitator",  # a professional facilitator
    "guarantor",  # an external guarantor
    "expert",  # researcher, association, business, invited expert
]
BODY_ROLES: tuple[str, ...] = BodyRole.__args__  # type: ignore[attr-defined]

#: How a body's seats of one role are filled.
BodySelection = Literal["drawn", "chosen_by_members", "appointed", "volunteer", "elected"]
BODY_SELECTIONS: tuple[str, ...] = BodySelection.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Source:
    """A public document a plugin's facts come from."""

    title: str
    url: str = ""
    date: str = ""  # ISO date of the document or of the reading
    note: str = ""


@dataclass(frozen=True)
class CityProfile:
    """Who the city is and how its assembly is called (hook ``city_profile``)."""

    slug: str  # lowercase ascii, digits and hyphens: the name used on the command line
    name: str  # the city's own name, e.g. "Paris", "Région de Bruxelles-Capitale"
    assembly_name: Localized  # the assembly's official name per language
    country: str  # ISO 3166-1 alpha-2, e.g. "FR", "BE"
    languages: tuple[str, ...]  # languages of the assembly, first is the default
    timezone: str  # IANA name, e.g. "Europe/Paris"
    currency: str  # ISO 4217, e.g. "EUR"
    population: int | None = None
    website: str = ""
    summary: str = ""  # one paragraph in English for practitioners
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class FeatureValue:
    """One value of a stratification criterion with its weight in the population."""

    key: str
    label: Localized
    population: float  # count or share: only the proportions matter


@dataclass(frozen=True)
class Feature:
    """A stratification criterion (gender, age band, arrondissement, diploma...)."""

    key: str
    label: Localized
    values: tuple[FeatureValue, ...]
    tolerance: int = 1  # seats either side of the proportional target
    approximate: bool = False  # True when the weights are estimates to be replaced


@dataclass(frozen=True)
class SeatGroup:
    """Seats filled from one source with their own rules (a "collège")."""

    key: str
    label: Localized
    seats: int
    registry: RegistryKind
    selection: SelectionMethod = "stratified"
    invitations: int | None = None  # letters sent in the first draw, if any
    stratify_invitations_by: str = ""  # registry column used to spread the letters
    features: tuple[str, ...] = ()  # keys of the stratification criteria applied
    eligibility: str = ""  # who may be drawn, in English
    minimum_age: int | None = None
    maximum_age: int | None = None
    quotas: tuple[Quota, ...] = ()  # explicit bounds, overriding the proportional ones


@dataclass(frozen=True)
class PanelComposition:
    """How the panel is made (hook ``panel_composition``).

    ``seats`` counts the seats drawn for the panel; ``open_volunteers`` says whether
    anyone else may join and vote (Poitiers). ``joint_draw`` fills all seat groups in
    one draw instead of one draw per group.
    """

    seats: int
    seat_groups: tuple[SeatGroup, ...]
    features: tuple[Feature, ...] = ()
    registry_size: int | None = None  # people in the registry the first draw reads
    registry_note: str = ""
    joint_draw: bool = False
    one_per_household: bool = True
    open_volunteers: bool = False
    open_volunteers_vote: bool = False
    minimum_age: int = 16
    selection_algorithm: str = "leximin"
    draw_oversight: str = ""  # e.g. a bailiff's formal record
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class BodySeat:
    """Seats of one role in a body; ``count`` None means "as many as come"."""

    role: BodyRole
    count: int | None
    selection: BodySelection
    note: str = ""


@dataclass(frozen=True)
class Body:
    """A sub-body of the assembly with its own composition (hook ``assembly_bodies``)."""

    key: str
    label: Localized
    purpose: str  # in English
    seats: tuple[BodySeat, ...]
    size: int | None = None  # total when the sources give one; checked against the seats
    decides: bool = False  # whether the body itself has decision power
    formed: Literal["start", "during", "end"] = "start"
    term_months: int | None = None
    formal_meetings: int | None = None
    note: str = ""
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class SessionKind:
    """A kind of meeting (plenary, workshop, hearing...) and how long one usually lasts."""

    key: str
    label: Localized
    unit: TimeUnit
    default_duration: float = 1.0  # in ``unit``


@dataclass(frozen=True)
class Phase:
    """A phase of a mandate, in order."""

    key: str
    label: Localized
    description: str = ""
    months: float | None = None  # typical length


@dataclass(frozen=True)
class MandateRules:
    """How long a panel sits and how its work unfolds (hook ``mandate_rules``)."""

    term_name: Localized  # promotion, édition, cycle...
    min_months: int
    max_months: int
    renewal_months: int = 12  # a new panel every ... months
    phases: tuple[Phase, ...] = ()
    session_kinds: tuple[SessionKind, ...] = ()
    sessions_per_mandate: int | None = None  # assembly sessions (Poitiers: 4)
    working_days_min: int | None = None  # Brussels: 4 to 6 working days per cycle
    working_days_max: int | None = None
    typical_year_units: float | None = (
        None  # indemnity units a fully present member works in a year
    )
    typical_year_note: str = ""
    subjects_per_mandate: int | None = None
    subject_choice: str = ""  # how the subject is chosen, in English
    next_theme_chosen_by_share: Decimal | None = None  # Brussels: a quarter of members
    start_month: int | None = None  # usual month a mandate starts, 1-12
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class ProposalState:
    """A state in a proposal kind's lifecycle; ``outcome`` marks final decisions.

    ``sent`` marks the state in which the act reaches its addressee (submitted to
    the council, sent to the government): the accountability rules' response
    deadlines run from the day the act first enters it.
    """

    key: str
    label: Localized
    final: bool = False
    outcome: Literal["adopted", "rejected", "withdrawn", "answered", ""] = ""
    sent: bool = False  # the act has reached its addressee: response deadlines run from here


@dataclass(frozen=True)
class Transition:
    """A move from one state to another, made by ``actor``."""

    source: str
    target: str
    actor: str  # assembly, secretariat, executive, council, government, citizens...
    label: Localized = field(default_factory=dict)


@dataclass(frozen=True)
class ProposalKind:
    """An act the assembly may produce, its addressee, its lifecycle (hook ``proposal_kinds``)."""

    key: str
    label: Localized
    description: str  # in English
    addressee: str  # who receives it, e.g. "Conseil de Paris"
    binding: bool  # whether adoption makes it a decision with legal force
    binding_note: str
    states: tuple[ProposalState, ...]
    initial: str
    transitions: tuple[Transition, ...]
    per_mandate: int | None = None  # how many a panel may produce, if limited
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class Extra:
    """A cost reimbursed on top of the indemnity (childcare, travel...)."""

    key: str
    label: Localized
    note: str = ""
    ceiling: Decimal | None = None


@dataclass(frozen=True)
class IndemnityPolicy:
    """What members are paid for attendance (hook ``indemnity_policy``).

    ``paid_bodies`` empty means every panel member is paid; otherwise only members of
    those bodies. ``family_quotient_max`` is a means test (Poitiers). ``max_units`` caps
    the units paid per mandate, ``annual_ceiling`` the amount per calendar year.
    """

    rate: Decimal
    currency: str
    unit: TimeUnit
    paid: bool = True
    paid_bodies: tuple[str, ...] = ()
    family_quotient_max: Decimal | None = None
    max_units: int | None = None
    annual_ceiling: Decimal | None = None
    rate_is_maximum: bool = False  # the rate is a ceiling (Brussels) rather than a fixed sum
    extras: tuple[Extra, ...] = ()
    legal_basis: str = ""
    conditions: str = ""  # anything else, in English
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class ResponseDeadline:
    """A deadline for the addressee to answer the assembly's acts."""

    key: str
    label: Localized
    months: int
    by: str  # who answers


@dataclass(frozen=True)
class FollowUpCommittee:
    """Members who follow the response after the mandate."""

    size: int
    drawn_from: str  # e.g. "panel"
    selection: BodySelection
    term_months: int | None = None
    formal_meetings: int | None = None


@dataclass(frozen=True)
class AccountabilityRules:
    """How the city answers for what it did with the acts (hook ``accountability_rules``)."""

    reporter: str  # who reports, e.g. "City departments, one named person per measure"
    audience: str  # to whom
    report_every_months: int | None = None  # Paris: 12 (yearly report)
    response_deadlines: tuple[ResponseDeadline, ...] = ()
    follow_up_committee: FollowUpCommittee | None = None
    owner_per_measure: bool = False
    justify_rejections: bool = False
    public_status: bool = False  # the state of each measure is published
    citizens_in_implementation: bool = False
    note: str = ""
    sources: tuple[Source, ...] = ()


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
