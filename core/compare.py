"""Side-by-side comparison of installed cities, for practitioners (``kleroterion compare``).

Rows are the dimensions ICPC practitioners ask about (recruitment, seats, bodies,
mandate, powers, indemnity, accountability, languages), columns the cities. A few
rows are derived from the data to ease comparison: the share of seats drawn by lot
and the indemnity a fully present member earns in a typical year.

docs/cities.md is this module's Markdown output for the bundled cities; a test fails
when it drifts.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal

from kleroterion.city.types import (
    Body,
    CityConfig,
    IndemnityPolicy,
    Institution,
    Localized,
    MandateRules,
    ProposalKind,
    localize,
)
from kleroterion.comparison import (
    FORMATS,
    RENDERERS,
    Cell,
    Comparison,
    Row,
    Section,
    to_csv,
    to_json,
    to_markdown,
    to_text,
)

LANGUAGE = "en"

UNIT_NAMES = {"half_day": "half-day", "day": "day", "session": "session", "hour": "hour"}
REGISTRY_NAMES = {
    "electoral_roll": "electoral roll",
    "addresses": "addresses",
    "residents_card": "residents' card",
    "population_register": "population register",
    "volunteers": "volunteers",
}
ROLE_NAMES = {
    "member": "panel members",
    "volunteer": "open volunteers",
    "elected": "elected officials",
    "elected_opposition": "elected officials of the opposition",
    "agent": "agents",
    "facilitator": "facilitators",
    "guarantor": "guarantors",
    "expert": "experts",
}

POWER_NAMES = {
    "consultative": "consultative",
    "council_vote": "submitted to a council vote",
    "adopted_as_proposed": "adopted as proposed",
}

def _prose(text: Localized) -> str:
    """A city's prose in the comparison's language; empty when the city gives none."""
    return localize(text, LANGUAGE) if text else ""


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _money(amount: Decimal, currency: str) -> str:
    rounded = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{rounded:,.2f}".replace(".00", "")
    return f"{text} {currency}"


def _list(items: Sequence[str], empty: str = "none") -> str:
    return "; ".join(items) if items else empty


def _body(body: Body) -> str:
    parts = []
    for seat in body.seats:
        count = "open number of" if seat.count is None else str(seat.count)
        detail = seat.selection.replace("_", " ")
        parts.append(f"{count} {ROLE_NAMES[seat.role]} ({detail})")
    size = f" [{body.size}]" if body.size else ""
    return f"{localize(body.label, LANGUAGE)}{size}: {', '.join(parts)}"


def _lifecycle(kind: ProposalKind) -> str:
    labels = {state.key: localize(state.label, LANGUAGE) for state in kind.states}
    arrows = [f"{labels[t.source]} → {labels[t.target]} ({t.actor})" for t in kind.transitions]
    return f"{localize(kind.label, LANGUAGE)}: {', '.join(arrows)}"


def _months(rules: MandateRules) -> str:
    if rules.min_months == rules.max_months:
        return f"{rules.min_months} months"
    return f"{rules.min_months} to {rules.max_months} months"


def _rate(policy: IndemnityPolicy) -> str:
    if not policy.paid:
        return "not paid"
    prefix = "at most " if policy.rate_is_maximum else ""
    return f"{prefix}{_money(policy.rate, policy.currency)} per {UNIT_NAMES[policy.unit]}"


def _who_is_paid(config: CityConfig) -> str:
    policy = config.indemnity
    if not policy.paid:
        return "nobody"
    if not policy.paid_bodies:
        return "every panel member"
    names = [localize(config.body(key).label, LANGUAGE) for key in policy.paid_bodies]
    return "members of " + " and ".join(names) + " only"


def _means_test(policy: IndemnityPolicy) -> str:
    if policy.family_quotient_max is None:
        return "none"
    return f"family quotient at most {_money(policy.family_quotient_max, policy.currency)}"


def _caps(policy: IndemnityPolicy) -> str:
    caps = []
    if policy.max_units is not None:
        caps.append(f"{policy.max_units} {UNIT_NAMES[policy.unit]}s")
    if policy.annual_ceiling is not None:
        caps.append(f"{_money(policy.annual_ceiling, policy.currency)} a year")
    return _list(caps)


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


def _roles_in_bodies(config: CityConfig, roles: set[str]) -> str:
    parts = []
    for body in config.bodies:
        counts = [seat.count for seat in body.seats if seat.role in roles]
        if counts:
            known = sum(count for count in counts if count is not None)
            opposition = sum(
                seat.count or 0 for seat in body.seats if seat.role == "elected_opposition"
            )
            detail = (
                f" (of whom {opposition} opposition)" if opposition and "elected" in roles else ""
            )
            parts.append(f"{localize(body.label, LANGUAGE)}: {known}{detail}")
    return _list(parts)


Extractor = Callable[[CityConfig], Cell]

SECTIONS: tuple[tuple[str, tuple[tuple[str, str, Extractor], ...]], ...] = (
    (
        "Identity",
        (
            ("name", "City", lambda c: c.profile.name),
            (
                "assembly",
                "Assembly",
                lambda c: " / ".join(
                    c.profile.assembly_name[lang]
                    for lang in c.profile.languages
                    if lang in c.profile.assembly_name
                ),
            ),
            ("country", "Country", lambda c: c.profile.country),
            ("languages", "Languages", lambda c: ", ".join(c.profile.languages)),
            ("population", "Population", lambda c: c.profile.population),
        ),
    ),
    (
        "Recruitment",
        (
            (
                "registry",
                "Registry",
                lambda c: _list(
                    [
                        f"{REGISTRY_NAMES[g.registry]} ({g.seats} seats)"
                        for g in c.composition.seat_groups
                    ]
                ),
            ),
            ("registry_size", "People in the registry", lambda c: c.composition.registry_size),
            (
                "invitations",
                "Invitations sent",
                lambda c: sum(g.invitations or 0 for g in c.composition.seat_groups) or None,
            ),
            (
                "invitations_by",
                "Invitations spread by",
                lambda c: _list(
                    sorted(
                        {
                            g.stratify_invitations_by
                            for g in c.composition.seat_groups
                            if g.stratify_invitations_by
                        }
                    )
                ),
            ),
            (
                "oversight",
                "Draw oversight",
                lambda c: _prose(c.composition.draw_oversight) or "none",
            ),
        ),
    ),
    (
        "Seats",
        (
            ("seats", "Seats drawn", lambda c: c.composition.seats),
            (
                "seat_groups",
                "Seat groups",
                lambda c: _list(
                    [
                        f"{localize(g.label, LANGUAGE)}: {g.seats} "
                        f"({g.selection}; {_prose(g.eligibility)})"
                        if g.eligibility
                        else f"{localize(g.label, LANGUAGE)}: {g.seats} ({g.selection})"
                        for g in c.composition.seat_groups
                    ]
                ),
            ),
            (
                "drawn_share",
                "Share of seats drawn by lot",
                lambda c: (
                    f"{drawn_share(c):.0%}"
                    + (", and any volunteer may join" if c.composition.open_volunteers else "")
                ),
            ),
            (
                "algorithm",
                "Panel draw",
                lambda c: (
                    (
                        "joint draw of all groups"
                        if c.composition.joint_draw and len(c.composition.seat_groups) > 1
                        else "one draw per seat group"
                    )
                    + (
                        f", {c.composition.selection_algorithm.upper()}"
                        if any(g.selection == "stratified" for g in c.composition.seat_groups)
                        else ", uniform lottery"
                    )
                ),
            ),
            (
                "criteria",
                "Stratification criteria",
                lambda c: _list(
                    [
                        localize(f.label, LANGUAGE)
                        + (" [approximate weights]" if f.approximate else "")
                        for f in c.composition.features
                    ]
                ),
            ),
            (
                "household",
                "At most one per household",
                lambda c: _yes(c.composition.one_per_household),
            ),
            (
                "open_volunteers",
                "Open to volunteers",
                lambda c: (
                    "yes, and they vote"
                    if c.composition.open_volunteers_vote
                    else _yes(c.composition.open_volunteers)
                ),
            ),
            ("minimum_age", "Minimum age", lambda c: c.composition.minimum_age or "none"),
        ),
    ),
    (
        "Bodies",
        (
            ("bodies", "Bodies", lambda c: _list([_body(b) for b in c.bodies])),
            (
                "elected",
                "Elected officials in bodies",
                lambda c: _roles_in_bodies(c, {"elected", "elected_opposition"}),
            ),
            ("agents", "Agents in bodies", lambda c: _roles_in_bodies(c, {"agent"})),
        ),
    ),
    (
        "Mandate",
        (
            ("term", "Term", lambda c: localize(c.mandate.term_name, LANGUAGE)),
            ("length", "Length", lambda c: _months(c.mandate)),
            ("renewal", "New panel every", lambda c: f"{c.mandate.renewal_months} months"),
            (
                "phases",
                "Phases",
                lambda c: (
                    " → ".join(localize(p.label, LANGUAGE) for p in c.mandate.phases) or "none"
                ),
            ),
            ("sessions", "Assembly sessions per mandate", lambda c: c.mandate.sessions_per_mandate),
            (
                "working_days",
                "Working days",
                lambda c: (
                    f"{c.mandate.working_days_min} to {c.mandate.working_days_max}"
                    if c.mandate.working_days_min
                    else None
                ),
            ),
            (
                "session_kinds",
                "Kinds of sessions",
                lambda c: _list(
                    [
                        f"{localize(k.label, LANGUAGE)} "
                        f"({k.default_duration:g} {UNIT_NAMES[k.unit]})"
                        for k in c.mandate.session_kinds
                    ]
                ),
            ),
            (
                "subject",
                "Subject choice",
                lambda c: (
                    _prose(c.mandate.subject_choice) or "set by the executive or the assembly"
                ),
            ),
        ),
    ),
    (
        "Powers",
        (
            (
                "kinds",
                "Acts",
                lambda c: _list([localize(k.label, LANGUAGE) for k in c.proposal_kinds]),
            ),
            (
                "addressees",
                "Addressee",
                lambda c: _list(
                    [
                        f"{localize(k.label, LANGUAGE)}: {_prose(k.addressee)}"
                        for k in c.proposal_kinds
                    ]
                ),
            ),
            (
                "power",
                "Decision power",
                lambda c: _list(
                    [
                        f"{localize(k.label, LANGUAGE)}: {POWER_NAMES[k.power]}"
                        for k in c.proposal_kinds
                    ]
                ),
            ),
            (
                "binding",
                "Binding",
                lambda c: _list(
                    [
                        f"{localize(k.label, LANGUAGE)}: {_yes(k.binding)} "
                        f"({_prose(k.binding_note)})"
                        for k in c.proposal_kinds
                    ]
                ),
            ),
            ("lifecycle", "Lifecycle", lambda c: _list([_lifecycle(k) for k in c.proposal_kinds])),
        ),
    ),
    (
        "Indemnity",
        (
            ("rate", "Rate", lambda c: _rate(c.indemnity)),
            ("paid", "Who is paid", _who_is_paid),
            (
                "means_test",
                "Means test",
                lambda c: _means_test(c.indemnity),
            ),
            ("caps", "Caps", lambda c: _caps(c.indemnity)),
            (
                "extras",
                "Extras",
                lambda c: _list([localize(e.label, LANGUAGE) for e in c.indemnity.extras]),
            ),
            (
                "legal_basis",
                "Legal basis",
                lambda c: _prose(c.indemnity.legal_basis) or "none given",
            ),
            (
                "typical_year",
                "Typical year, fully present member (derived)",
                lambda c: (
                    f"{_money(amount, c.indemnity.currency)} ({c.mandate.typical_year_units:g} "
                    f"{UNIT_NAMES[c.indemnity.unit]}s: {_prose(c.mandate.typical_year_note)})"
                    if (amount := typical_year_amount(c)) is not None
                    else "none"
                ),
            ),
        ),
    ),
    (
        "Accountability",
        (
            ("reporter", "Who reports", lambda c: _prose(c.accountability.reporter)),
            ("audience", "To whom", lambda c: _prose(c.accountability.audience)),
            (
                "report",
                "Periodic report",
                lambda c: (
                    f"every {c.accountability.report_every_months} months"
                    if c.accountability.report_every_months
                    else "none"
                ),
            ),
            (
                "deadlines",
                "Response deadlines",
                lambda c: _list(
                    [
                        f"{localize(d.label, LANGUAGE)}: {d.months} months ({d.by})"
                        for d in c.accountability.response_deadlines
                    ]
                ),
            ),
            (
                "committee",
                "Follow-up committee",
                lambda c: (
                    f"{fc.size} drawn from the {fc.drawn_from}"
                    + (f" for {fc.term_months} months" if fc.term_months else "")
                    + (f", {fc.formal_meetings} formal meetings" if fc.formal_meetings else "")
                    if (fc := c.accountability.follow_up_committee)
                    else "none"
                ),
            ),
            (
                "owner",
                "Named owner per measure",
                lambda c: _yes(c.accountability.owner_per_measure),
            ),
            (
                "justify",
                "Rejections justified",
                lambda c: _yes(c.accountability.justify_rejections),
            ),
            (
                "public",
                "State of each measure published",
                lambda c: _yes(c.accountability.public_status),
            ),
            (
                "citizens",
                "Citizens in implementation",
                lambda c: _yes(c.accountability.citizens_in_implementation),
            ),
        ),
    ),
)


def _fact(config: CityConfig, name: str) -> Cell:
    """One institution fact as a cell: its value, "unknown" when not given, and
    "(estimate)" when its evidence says it is approximate."""
    value = getattr(config.institution, name)
    evidence = config.institution.evidence.get(name)
    if value in (None, "", {}):
        return "unknown"
    if isinstance(value, dict):
        text = _prose(value)
    elif isinstance(value, bool):
        text = _yes(value)
    elif isinstance(value, Decimal):
        text = _money(value, config.profile.currency)
    else:
        text = str(value)
    if evidence is not None and evidence.confidence == "approximate":
        text += " (estimate)"
    return text


def institution_rows() -> tuple[tuple[str, str, Extractor], ...]:
    """The institution section, derived from the city model's declaration: a fact
    declared in ``Institution`` is a row here without an edit."""
    rows = []
    for item in dataclasses.fields(Institution):
        if item.name in ("sources", "evidence"):
            continue
        doc = str(item.metadata.get("doc", item.name)).split(";")[0]
        rows.append((item.name, doc[0].upper() + doc[1:],
                     functools.partial(lambda c, name: _fact(c, name), name=item.name)))
    return tuple(rows)


def compare(configs: Sequence[CityConfig]) -> Comparison:
    """Build the comparison table of the given cities, in the given order."""
    sections = tuple(
        Section(
            title,
            tuple(
                Row(key, label, tuple(extract(config) for config in configs))
                for key, label, extract in rows
            ),
        )
        for title, rows in (*SECTIONS, ("Institution, budget and staff", institution_rows()))
    )
    return Comparison(tuple(config.profile.slug for config in configs), sections)


# The table's shape and its formats live in kleroterion.comparison, re-exported here.
__all__ = [
    "FORMATS",
    "RENDERERS",
    "Cell",
    "Comparison",
    "Row",
    "Section",
    "compare",
    "drawn_share",
    "institution_rows",
    "to_csv",
    "to_json",
    "to_markdown",
    "to_text",
    "typical_year_amount",
]
