"""The vocabulary and the declaring function of the city model (``fact``), and sources.

``kleroterion.city.types`` declares every field of a city's configuration with
``fact(...)``, defined here with the enumerations its fields take (registries,
selection methods, time units, roles, confidence, decision powers). The field's
metadata is what validation, the API, the OpenAPI document and the configuration
reference are derived from. ``Source`` and ``Evidence`` say where a fact comes
from and how sure it is, beside every section of the model.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

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


#: The questions practitioners compare assemblies on (the ICPC practice group's list,
#: identity first), in the order the comparison shows them, named per language.
QUESTIONS: dict[str, Localized] = {
    "identity": {"fr": "Identité", "en": "Identity", "nl": "Identiteit"},
    "indemnity": {"fr": "Indemnisation des membres", "en": "Members' indemnity",
                  "nl": "Vergoeding van de leden"},
    "accountability": {"fr": "Redevabilité et droit de suite",
                       "en": "Accountability and follow-up", "nl": "Verantwoording en opvolging"},
    "experts": {"fr": "Place des experts et des parties prenantes",
                "en": "Experts and stakeholders", "nl": "Plaats van experts en belanghebbenden"},
    "sortition": {"fr": "Tirage au sort et engagement des membres",
                  "en": "Sortition and members' engagement",
                  "nl": "Loting en betrokkenheid van de leden"},
    "articulation": {"fr": "Articulation avec les élus et les agents",
                     "en": "Work with elected officials and agents",
                     "nl": "Samenwerking met verkozenen en ambtenaren"},
    "legal": {"fr": "Cadre juridique et institutionnalisation",
              "en": "Legal basis and institutionalisation",
              "nl": "Juridisch kader en institutionalisering"},
    "budget": {"fr": "Budget et équipe", "en": "Budget and staff", "nl": "Budget en personeel"},
    "renewal": {"fr": "Mandat et renouvellement", "en": "Term and renewal",
                "nl": "Mandaat en vernieuwing"},
}


def fact(
    doc: str,
    default: Any = dataclasses.MISSING,
    *,
    unit: str = "",
    prose: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
    above: float | None = None,
    pattern: str = "",
    pattern_error: str = "",
    min_items: int | None = None,
    nonempty: bool = False,
    compare: tuple[str, str, str, str] | None = None,
    sourced: bool = False,
    applies_if: str = "",
    plain: bool = False,
) -> Any:
    """Declare one field of the city model.

    ``doc`` says what the field holds (it becomes the API's description and the
    configuration reference); ``unit`` its unit (months, EUR, half-days...);
    ``prose`` marks text shown to people, which must be written in the assembly's
    languages. ``minimum``/``maximum`` bound a number (``above``: strictly greater),
    ``pattern`` a text, ``min_items`` a list; ``nonempty`` refuses an empty text.

    ``compare`` puts the fact in the practitioners' comparison (``kleroterion
    compare``, the comparison page, the configuration open data): the ICPC question it
    answers (a key of ``QUESTIONS``) and its row's label in French, English and Dutch.
    ``sourced``: a value given must cite its source in the section's ``evidence`` (the
    city's load fails otherwise, naming the field). ``applies_if`` names a field of the
    same section without which the fact does not apply (an indemnity's rate when
    members are not paid): the comparison says "not applicable". ``plain``: a
    ``Localized`` field that also accepts one string, read as every language (a field
    that was a single string before it was written per language).
    """
    metadata = {
        "doc": doc,
        "unit": unit,
        "prose": prose,
        "minimum": minimum,
        "maximum": maximum,
        "above": above,
        "pattern": pattern,
        "pattern_error": pattern_error,
        "min_items": min_items,
        "nonempty": nonempty,
        "question": compare[0] if compare else "",
        "label": dict(zip(("fr", "en", "nl"), compare[1:], strict=True)) if compare else {},
        "sourced": sourced,
        "applies_if": applies_if,
        "plain": plain,
    }
    if compare is not None and compare[0] not in QUESTIONS:
        raise ValueError(f"unknown question {compare[0]!r}; questions: {', '.join(QUESTIONS)}")
    if isinstance(default, dict):
        return field(default_factory=dict, metadata=metadata)
    if default is dataclasses.MISSING:
        return field(metadata=metadata)
    return field(default=default, metadata=metadata)


KEY_PATTERN = r"^[a-z][a-z0-9_-]*$"
KEY_ERROR = "must be lowercase letters, digits, - or _"


def key_fact(doc: str) -> Any:
    """A key: lowercase ascii, used in URLs, files and the command line."""
    return fact(doc, pattern=KEY_PATTERN, pattern_error=KEY_ERROR)


def label_fact(doc: str = "the name shown to people, per language") -> Any:
    return fact(doc)


def sources_fact() -> Any:
    return fact("the public documents these facts come from", ())


#: Who may propose a subject a term works on.
SubjectOrigin = Literal[
    "assembly",  # the assembly's own choice
    "executive",  # a work mandate from the executive, adopted in plenary (Paris)
    "council",  # the municipal or regional council
    "call_for_subjects",  # a call for subjects open to residents (Poitiers)
    "petition",  # a citizens' petition
    "previous_panel",  # members of the previous panel (Brussels: a quarter of them)
]
SUBJECT_ORIGINS: tuple[str, ...] = SubjectOrigin.__args__  # type: ignore[attr-defined]

#: The grammatical genders a city's word for a term may take, per language.
GENDERS: tuple[str, ...] = ("masculine", "feminine", "neuter")

#: How sure a fact is: read in a primary source, an estimate to replace, or not known.
Confidence = Literal["verified", "approximate", "unknown"]
CONFIDENCES: tuple[str, ...] = Confidence.__args__  # type: ignore[attr-defined]

#: What the addressee does with an act, from the weakest power to the strongest.
DecisionPower = Literal["consultative", "council_vote", "adopted_as_proposed"]
DECISION_POWERS: tuple[str, ...] = DecisionPower.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Source:
    """A public document a plugin's facts come from."""

    title: str = fact("the document's title", nonempty=True)
    key: str = fact("the short name facts cite it by in ``evidence``", "")
    url: str = fact("its address", "")
    date: str = fact("ISO date of the document or of the reading", "")
    language: str = fact("the language its title is written in (fr, nl, en...): pages in "
                         "another language mark it", "", pattern=r"^([a-z]{2})?$",
                         pattern_error="a two-letter language code, e.g. fr")
    note: Localized = fact("what the document says, or what is approximate in it", {}, prose=True)


@dataclass(frozen=True)
class Evidence:
    """Where one fact comes from and how sure it is."""

    source: str = fact("key of the source the fact comes from", "")
    confidence: Confidence = fact("how sure the fact is", "verified")
    note: Localized = fact("what is approximate, disputed or missing", {}, prose=True)


def evidence_fact() -> Any:
    return fact("source and confidence of the facts above, by field name", {})
