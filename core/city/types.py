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
from typing import Any, Literal

# The model's vocabulary, re-exported: plugins import everything from here.
from kleroterion.city import acts, declaration, mandate, policy

# The acts live in city.acts, the sections on money, answers and institution in
# city.policy (both re-exported).
from kleroterion.city.acts import ProposalKind as ProposalKind
from kleroterion.city.acts import ProposalState as ProposalState
from kleroterion.city.acts import Transition as Transition
from kleroterion.city.acts import Verdict as Verdict
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
    GENDERS as GENDERS,
)
from kleroterion.city.declaration import (
    KEY_ERROR as KEY_ERROR,
)
from kleroterion.city.declaration import (
    KEY_PATTERN as KEY_PATTERN,
)
from kleroterion.city.declaration import (
    QUESTIONS as QUESTIONS,
)
from kleroterion.city.declaration import (
    REGISTRY_KINDS as REGISTRY_KINDS,
)
from kleroterion.city.declaration import (
    SELECTION_METHODS as SELECTION_METHODS,
)
from kleroterion.city.declaration import (
    SUBJECT_ORIGINS as SUBJECT_ORIGINS,
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
    SubjectOrigin as SubjectOrigin,
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

# The sections on money, answers and institution live in city.policy (re-exported).
from kleroterion.city.mandate import MandateRules as MandateRules
from kleroterion.city.mandate import Phase as Phase
from kleroterion.city.mandate import SessionKind as SessionKind
from kleroterion.city.policy import (
    AccountabilityRules as AccountabilityRules,
)
from kleroterion.city.policy import (
    Extra as Extra,
)
from kleroterion.city.policy import (
    FollowUpCommittee as FollowUpCommittee,
)
from kleroterion.city.policy import (
    IndemnityPolicy as IndemnityPolicy,
)
from kleroterion.city.policy import (
    Institution as Institution,
)
from kleroterion.city.policy import (
    ResponseDeadline as ResponseDeadline,
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
    name: Localized = fact(
        "the city's own name per language, as it names itself, e.g. fr = \"Ville de Paris\","
        " en = \"City of Paris\"; the default language is required, another missing one"
        " falls back like the assembly's name; a single string is read as every language",
        compare=("identity", "Ville", "City", "Stad"),
        plain=True,
    )
    assembly_name: Localized = fact(
        "the assembly's official name per language",
        compare=("identity", "Nom de l'assemblée", "Assembly", "Naam van de burgerraad"),
    )
    country: str = fact(
        "ISO 3166-1 alpha-2 code, e.g. FR, BE",
        pattern=r"^[A-Z]{2}$",
        pattern_error="must be ISO 3166 alpha-2",
        compare=("identity", "Pays", "Country", "Land"),
    )
    languages: tuple[str, ...] = fact(
        "languages of the assembly, the first is the default",
        min_items=1,
        compare=("identity", "Langues", "Languages", "Talen"),
    )
    timezone: str = fact("IANA time zone, e.g. Europe/Paris")
    currency: str = fact(
        "ISO 4217 code, e.g. EUR",
        pattern=r"^[A-Z]{3}$",
        pattern_error="must be an ISO 4217 code such as 'EUR'",
    )
    population: int | None = fact(
        "residents of the city",
        None,
        unit="people",
        minimum=1,
        compare=("identity", "Population", "Population", "Bevolking"),
    )
    website: str = fact("the city's or the assembly's website", "")
    summary: Localized = fact("one paragraph on the assembly, for practitioners", {}, prose=True)
    sources: tuple[Source, ...] = sources_fact()
    evidence: dict[str, Evidence] = evidence_fact()

    def __post_init__(self) -> None:
        # An older file or plugin gives the name as one string: it is every language's.
        if isinstance(self.name, str):
            object.__setattr__(self, "name", dict.fromkeys(self.languages, self.name))


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

    seats: int = fact(
        "seats drawn for the panel",
        unit="seats",
        minimum=1,
        compare=(
            "sortition",
            "Sièges tirés au sort",
            "Seats drawn by lot",
            "Bij loting toegewezen zetels",
        ),
    )
    seat_groups: tuple[SeatGroup, ...] = fact(
        "the seat groups, adding up to the seats",
        min_items=1,
        compare=("sortition", "Collèges", "Seat groups", "Zetelgroepen"),
    )
    features: tuple[Feature, ...] = fact(
        "stratification criteria",
        (),
        compare=(
            "sortition",
            "Critères de stratification",
            "Stratification criteria",
            "Stratificatiecriteria",
        ),
    )
    registry_size: int | None = fact(
        "people in the registry the first draw reads",
        None,
        unit="people",
        minimum=1,
        compare=(
            "sortition",
            "Personnes dans le fichier du tirage",
            "People in the registry drawn from",
            "Personen in het lotingsbestand",
        ),
    )
    registry_note: Localized = fact("what the registry is", {}, prose=True)
    joint_draw: bool = fact("all seat groups are filled in one draw", False)
    one_per_household: bool = fact(
        "at most one person per household is selected",
        True,
        compare=(
            "sortition",
            "Une personne au plus par foyer",
            "At most one per household",
            "Hoogstens één persoon per huishouden",
        ),
    )
    open_volunteers: bool = fact(
        "anyone else may join the sessions",
        False,
        compare=(
            "sortition",
            "Ouverte aux volontaires",
            "Open to volunteers",
            "Open voor vrijwilligers",
        ),
    )
    open_volunteers_vote: bool = fact(
        "open volunteers vote",
        False,
        compare=(
            "sortition",
            "Les volontaires votent",
            "Volunteers vote",
            "Vrijwilligers stemmen mee",
        ),
    )
    minimum_age: int = fact(
        "youngest member admitted; 0: no minimum age, the assembly is open at every age",
        16,
        unit="years",
        minimum=0,
        compare=("sortition", "Âge minimum", "Minimum age", "Minimumleeftijd"),
    )
    selection_algorithm: Literal["leximin", "legacy"] = fact(
        "the panel draw's algorithm", "leximin"
    )
    draw_oversight: Localized = fact(
        "who oversees the draw, e.g. a bailiff's record",
        {},
        prose=True,
        compare=("sortition", "Contrôle du tirage", "Draw oversight", "Toezicht op de loting"),
    )
    consent: Localized = fact("what an invitee agrees to by answering: who keeps the answer, "
                              "for what, and how to reach or erase it; on the answer page",
                              {}, prose=True)
    answers_retention_months: int = fact(
        "an answer's personal data are blanked this long after it was given, unless its author "
        "sits (``kleroterion privacy purge --expired``)", 24, unit="months", minimum=1)
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


#: The modules that declare the city model.
MODEL_MODULES = (__name__, declaration.__name__, acts.__name__, mandate.__name__,
                 policy.__name__)

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
        if cls in seen or cls.__module__ not in MODEL_MODULES:
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

    @classmethod
    def from_answers(cls, plugin: str, answers: dict[str, Any]) -> CityConfig:
        """The configuration from the answers of its hooks, by hook name (every one of
        ``hookspecs.CONFIG_HOOKS``): a loaded plugin's, or a data file's sections."""
        return cls(
            plugin=plugin,
            profile=answers["city_profile"],
            composition=answers["panel_composition"],
            bodies=tuple(answers["assembly_bodies"]),
            mandate=answers["mandate_rules"],
            proposal_kinds=tuple(answers["proposal_kinds"]),
            indemnity=answers["indemnity_policy"],
            accountability=answers["accountability_rules"],
            institution=answers["institution"],
        )

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
