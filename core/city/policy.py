"""The city model's sections on money, answers and institution: indemnity, accountability,
institution (legal basis, budget, staff, experts, articulation, engagement).

Part of the one declaration of the city model (``kleroterion.city.types`` re-exports
every class); split from it to keep files short. Every field is declared with
``fact(...)``; those with ``compare=`` are rows of the practitioners' comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from kleroterion.city.declaration import (
    BodySelection,
    Evidence,
    Localized,
    Source,
    TimeUnit,
    evidence_fact,
    fact,
    key_fact,
    label_fact,
    sources_fact,
)


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

    rate: Decimal = fact(
        "amount paid per unit attended",
        unit="currency per unit",
        minimum=0,
        compare=("indemnity", "Montant", "Rate", "Bedrag"),
        applies_if="paid",
    )
    currency: str = fact(
        "ISO 4217 code",
        pattern=r"^[A-Z]{3}$",
        pattern_error="must be an ISO 4217 code such as 'EUR'",
    )
    unit: TimeUnit = fact(
        "the unit attendance is paid in",
        compare=("indemnity", "Unité indemnisée", "Unit paid", "Vergoede eenheid"),
        applies_if="paid",
    )
    paid: bool = fact(
        "members are paid at all",
        True,
        compare=("indemnity", "Membres indemnisés", "Members paid", "Leden vergoed"),
    )
    paid_bodies: tuple[str, ...] = fact(
        "only members of these bodies are paid; empty: every member",
        (),
        compare=(
            "indemnity",
            "Seules instances indemnisées",
            "Only these bodies are paid",
            "Alleen deze organen vergoed",
        ),
        applies_if="paid",
    )
    family_quotient_max: Decimal | None = fact(
        "means test: highest family quotient paid",
        None,
        unit="currency",
        minimum=0,
        compare=(
            "indemnity",
            "Plafond de quotient familial",
            "Means test: highest family quotient",
            "Inkomenstoets: hoogste gezinsquotiënt",
        ),
        applies_if="paid",
    )
    max_units: int | None = fact(
        "most units paid per term",
        None,
        unit="units",
        minimum=1,
        compare=(
            "indemnity",
            "Unités indemnisées au plus par mandat",
            "Most units paid per term",
            "Hoogstens vergoede eenheden per mandaat",
        ),
        applies_if="paid",
    )
    annual_ceiling: Decimal | None = fact(
        "most paid per calendar year",
        None,
        unit="currency",
        minimum=0,
        compare=("indemnity", "Plafond annuel", "Annual ceiling", "Jaarlijks plafond"),
        applies_if="paid",
    )
    rate_is_maximum: bool = fact(
        "the rate is a ceiling rather than a fixed sum",
        False,
        compare=(
            "indemnity",
            "Montant plafond",
            "The rate is a ceiling",
            "Het bedrag is een maximum",
        ),
        applies_if="paid",
    )
    extras: tuple[Extra, ...] = fact(
        "costs reimbursed on top",
        (),
        compare=(
            "indemnity",
            "Frais remboursés en plus",
            "Costs reimbursed on top",
            "Bijkomend terugbetaalde kosten",
        ),
    )
    legal_basis: Localized = fact(
        "the rule the indemnity rests on",
        {},
        prose=True,
        compare=(
            "indemnity",
            "Fondement de l'indemnité",
            "Basis of the indemnity",
            "Grondslag van de vergoeding",
        ),
        applies_if="paid",
    )
    conditions: Localized = fact(
        "anything else about who is paid and how",
        {},
        prose=True,
        compare=("indemnity", "Conditions", "Conditions", "Voorwaarden"),
        applies_if="paid",
    )
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

    reporter: Localized = fact(
        "who reports",
        prose=True,
        compare=("accountability", "Qui rend compte", "Who reports", "Wie legt verantwoording af"),
    )
    audience: Localized = fact(
        "to whom", prose=True, compare=("accountability", "À qui", "To whom", "Aan wie")
    )
    report_every_months: int | None = fact(
        "a follow-up report every...",
        None,
        unit="months",
        minimum=1,
        compare=("accountability", "Compte rendu tous les", "A report every", "Een verslag om de"),
    )
    response_deadlines: tuple[ResponseDeadline, ...] = fact(
        "deadlines to answer the acts",
        (),
        compare=("accountability", "Délais de réponse", "Response deadlines", "Antwoordtermijnen"),
    )
    follow_up_committee: FollowUpCommittee | None = fact(
        "members who follow the response after the term",
        None,
        compare=("accountability", "Comité de suivi", "Follow-up committee", "Opvolgingscomité"),
    )
    owner_per_measure: bool = fact(
        "a named person answers for each measure",
        False,
        compare=(
            "accountability",
            "Un responsable nommé par mesure",
            "A named owner per measure",
            "Een verantwoordelijke per maatregel",
        ),
    )
    justify_rejections: bool = fact(
        "every act not carried out is justified",
        False,
        compare=(
            "accountability",
            "Refus motivés",
            "Rejections justified",
            "Weigeringen gemotiveerd",
        ),
    )
    public_status: bool = fact(
        "the state of each measure is published",
        False,
        compare=(
            "accountability",
            "État de chaque mesure publié",
            "State of each measure published",
            "Stand van elke maatregel bekendgemaakt",
        ),
    )
    citizens_in_implementation: bool = fact(
        "citizens take part in carrying it out",
        False,
        compare=(
            "accountability",
            "Citoyens associés à la mise en œuvre",
            "Citizens in the implementation",
            "Burgers betrokken bij de uitvoering",
        ),
    )
    note: Localized = fact("anything else", {}, prose=True)
    sources: tuple[Source, ...] = sources_fact()
    evidence: dict[str, Evidence] = evidence_fact()


@dataclass(frozen=True)
class Institution:
    """How the assembly is instituted, funded, staffed and tied to officials (hook ``institution``).

    The questions practitioners compare cities on. A fact left empty is unknown; a
    fact given must cite its source in ``evidence`` (the city's load fails otherwise).
    """

    founding_act: Localized = fact(
        "the act that created the assembly",
        {},
        prose=True,
        compare=("legal", "Acte fondateur", "Founding act", "Oprichtingsakte"),
        sourced=True,
    )
    founding_date: str = fact(
        "date of the founding act",
        "",
        unit="ISO date",
        pattern=r"^(\d{4}-\d{2}-\d{2})?$",
        pattern_error="must be an ISO date such as 2021-10-15",
        compare=(
            "legal",
            "Date de l'acte fondateur",
            "Date of the founding act",
            "Datum van de oprichtingsakte",
        ),
        sourced=True,
    )
    rules_of_procedure: Localized = fact(
        "its rules of procedure (règlement intérieur, charter)",
        {},
        prose=True,
        compare=("legal", "Règlement intérieur", "Rules of procedure", "Huishoudelijk reglement"),
        sourced=True,
    )
    follow_up_in_law: bool | None = fact(
        "the droit de suite is written in a legal act; none: unknown",
        None,
        compare=(
            "legal",
            "Droit de suite inscrit dans un acte juridique",
            "Follow-up right written in a legal act",
            "Opvolgingsrecht vastgelegd in een rechtshandeling",
        ),
        sourced=True,
    )
    follow_up_basis: Localized = fact(
        "where the droit de suite is written",
        {},
        prose=True,
        compare=(
            "accountability",
            "Fondement du droit de suite",
            "Basis of the follow-up right",
            "Grondslag van het opvolgingsrecht",
        ),
        sourced=True,
    )
    annual_budget_min: Decimal | None = fact(
        "lowest yearly budget given",
        None,
        unit="currency per year",
        minimum=0,
        compare=(
            "budget",
            "Budget annuel, bas de la fourchette",
            "Yearly budget, low end",
            "Jaarbudget, onderkant",
        ),
        sourced=True,
    )
    annual_budget_max: Decimal | None = fact(
        "highest yearly budget given",
        None,
        unit="currency per year",
        minimum=0,
        compare=(
            "budget",
            "Budget annuel, haut de la fourchette",
            "Yearly budget, high end",
            "Jaarbudget, bovenkant",
        ),
        sourced=True,
    )
    staff: Localized = fact(
        "who runs the assembly day to day",
        {},
        prose=True,
        compare=("budget", "Équipe", "Staff", "Personeel"),
        sourced=True,
    )
    staff_fte: float | None = fact(
        "staff in full-time equivalents",
        None,
        unit="full-time equivalents",
        minimum=0,
        compare=(
            "budget",
            "Équipe en équivalents temps plein",
            "Staff in full-time equivalents",
            "Personeel in voltijdequivalenten",
        ),
        sourced=True,
    )
    experts_and_stakeholders: Localized = fact(
        "the place of experts, associations and stakeholders",
        {},
        prose=True,
        compare=(
            "experts",
            "Place des experts et des parties prenantes",
            "Place of experts and stakeholders",
            "Plaats van experts en belanghebbenden",
        ),
        sourced=True,
    )
    articulation: Localized = fact(
        "how the assembly's work meets that of elected officials and agents",
        {},
        prose=True,
        compare=(
            "articulation",
            "Articulation avec les élus et les agents",
            "How the work meets officials and agents",
            "Samenwerking met verkozenen en ambtenaren",
        ),
        sourced=True,
    )
    engagement: Localized = fact(
        "what keeps members engaged over time (indemnity, training, replacements)",
        {},
        prose=True,
        compare=(
            "sortition",
            "Mesures d'engagement",
            "Engagement measures",
            "Maatregelen voor betrokkenheid",
        ),
        sourced=True,
    )
    training: bool | None = fact(
        "members are offered training; none: unknown",
        None,
        compare=(
            "sortition",
            "Formation des membres",
            "Training for members",
            "Opleiding van de leden",
        ),
        sourced=True,
    )
    replacements: bool | None = fact(
        "members who drop out are replaced; none: unknown",
        None,
        compare=(
            "sortition",
            "Remplacement des membres qui se retirent",
            "Members who drop out are replaced",
            "Vervanging van leden die afhaken",
        ),
        sourced=True,
    )
    dropouts: Localized = fact(
        "how members who stop coming are counted and followed up",
        {},
        prose=True,
        compare=(
            "sortition",
            "Départs en cours de mandat",
            "Members who drop out",
            "Leden die afhaken",
        ),
        sourced=True,
    )
    institutionalisation: Localized = fact(
        "how lasting the assembly is meant to be: standing body, renewed decision, trial",
        {},
        prose=True,
        compare=(
            "legal",
            "Institutionnalisation",
            "Institutionalisation",
            "Institutionalisering",
        ),
        sourced=True,
    )
    sources: tuple[Source, ...] = sources_fact()
    evidence: dict[str, Evidence] = evidence_fact()
