"""The city model's section on a term: how long a panel sits, its phases, the kinds of
its sessions and how its subjects are chosen (hook ``mandate_rules``).

Part of the one declaration of the city model (``kleroterion.city.types`` re-exports
every class); split from it to keep files short. Every field is declared with
``fact(...)``; those with ``compare=`` are rows of the practitioners' comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from kleroterion.city.declaration import (
    Evidence,
    Localized,
    Source,
    SubjectOrigin,
    TimeUnit,
    evidence_fact,
    fact,
    key_fact,
    label_fact,
    sources_fact,
)


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

    term_name: Localized = fact(
        "what a term is called: promotion, édition, cycle...",
        compare=("renewal", "Nom du mandat", "Name of a term", "Naam van een mandaat"),
    )
    min_months: int = fact(
        "shortest term",
        unit="months",
        minimum=1,
        compare=("renewal", "Durée minimale du mandat", "Shortest term", "Kortste mandaat"),
    )
    max_months: int = fact(
        "longest term",
        unit="months",
        minimum=1,
        compare=("renewal", "Durée maximale du mandat", "Longest term", "Langste mandaat"),
    )
    renewal_months: int = fact(
        "a new panel every...",
        12,
        unit="months",
        minimum=1,
        compare=("renewal", "Nouveau panel tous les", "New panel every", "Nieuw panel om de"),
    )
    term_plural: Localized = fact(
        "the plural of the term's name, per language (Brussels in Dutch: cycli); "
        "none given: the name with an s",
        {},
    )
    term_gender: Localized = fact(
        "the grammatical gender of the term's name, per language: masculine, feminine or "
        "neuter (French: une promotion, un cycle; Dutch: de cyclus); none given: masculine",
        {},
    )
    phases: tuple[Phase, ...] = fact("the phases of a term, in order", ())
    session_kinds: tuple[SessionKind, ...] = fact("the kinds of sessions held", ())
    sessions_per_mandate: int | None = fact(
        "assembly sessions per term (Poitiers: 4)",
        None,
        unit="sessions",
        minimum=1,
        compare=(
            "renewal",
            "Séances de l'assemblée par mandat",
            "Assembly sessions per term",
            "Zittingen van de burgerraad per mandaat",
        ),
    )
    working_days_min: int | None = fact(
        "fewest working days per term",
        None,
        unit="days",
        minimum=1,
        compare=(
            "renewal",
            "Jours de travail, au moins",
            "Working days, at least",
            "Werkdagen, minstens",
        ),
    )
    working_days_max: int | None = fact(
        "most working days per term",
        None,
        unit="days",
        minimum=1,
        compare=(
            "renewal",
            "Jours de travail, au plus",
            "Working days, at most",
            "Werkdagen, hoogstens",
        ),
    )
    typical_year_units: float | None = fact(
        "indemnity units a fully present member works in a year",
        None,
        unit="indemnity units",
        minimum=0,
        compare=(
            "indemnity",
            "Unités indemnisées d'une année type",
            "Units paid in a typical year",
            "Vergoede eenheden in een doorsneejaar",
        ),
    )
    typical_year_note: Localized = fact("how the typical year is counted", {}, prose=True)
    subjects_per_mandate: int | None = fact(
        "subjects worked per term",
        None,
        unit="subjects",
        minimum=1,
        compare=("renewal", "Sujets par mandat", "Subjects per term", "Onderwerpen per mandaat"),
    )
    subject_choice: Localized = fact(
        "how the subject is chosen",
        {},
        prose=True,
        compare=(
            "articulation",
            "Choix du sujet",
            "How the subject is chosen",
            "Keuze van het onderwerp",
        ),
    )
    subject_origins: tuple[SubjectOrigin, ...] = fact(
        "who may propose the subjects a term works on: assembly, executive, council, "
        "call_for_subjects, petition, previous_panel; empty: any of them",
        (),
    )
    next_theme_chosen_by_share: Decimal | None = fact(
        "share of members choosing the next theme (Brussels: a quarter)",
        None,
        unit="share, 0 to 1",
        above=0,
        maximum=1,
        compare=(
            "articulation",
            "Part des membres qui choisissent le thème suivant",
            "Share of members choosing the next theme",
            "Aandeel van de leden dat het volgende thema kiest",
        ),
    )
    start_month: int | None = fact(
        "usual month a term starts",
        None,
        unit="month, 1-12",
        minimum=1,
        maximum=12,
        compare=(
            "renewal",
            "Mois de début habituel",
            "Usual starting month",
            "Gebruikelijke startmaand",
        ),
    )
    replacement_months: int | None = fact(
        "members who leave are replaced until this many months after the term starts "
        "(the reserve list's contact data are kept until then); none: until the term ends",
        None,
        unit="months",
        minimum=0,
        compare=("renewal", "Remplacement des membres possible pendant",
                 "Members replaceable for", "Leden vervangbaar gedurende"),
    )
    personal_data_months: int | None = fact(
        "members' personal data are purged this many months after the term ends "
        "(kleroterion privacy purge --due); none: only when purged by hand",
        None,
        unit="months",
        minimum=0,
        compare=("renewal", "Données personnelles des membres conservées après le mandat",
                 "Members' personal data kept after the term",
                 "Persoonsgegevens van de leden bewaard na het mandaat"),
    )
    sources: tuple[Source, ...] = sources_fact()
    evidence: dict[str, Evidence] = evidence_fact()
