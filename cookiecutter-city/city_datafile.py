"""The city's data file (``city.toml``) that cookiecutter-city writes from the answers.

The answers (``city_answers.read``) and the presets (``city_presets``) become the
tables kleroterion reads (docs/configuration.md): profile, composition, bodies,
mandate, act kinds, indemnity, accountability, and the sources they cite. A text
copied from another language to be translated carries a ``# TODO translate``
comment on its line; nothing here is Python code to maintain. The Jinja extension
``CityExtension`` (cookiecutter.json's ``_extensions``) gives the template files
its filters.

It imports only the standard library and Jinja (which cookiecutter brings).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from city_answers import CityAnswers, localized, read
from city_presets import (
    BODIES,
    CRITERIA,
    FINAL,
    FOLLOW_UP_BODY,
    PHASES,
    PROPOSAL_PRESETS,
    SENT,
    SESSION_KINDS,
    STATES,
    TERM_FORMS,
    Texts,
)
from jinja2 import Environment
from jinja2.ext import Extension
from toml_writer import TODO_TRANSLATE, Label, Table, string, table

CITY_SOURCE = "city"  # the key of the source every table cites until the city adds its own


def call(kind: str, /, _comments: dict[str, str] | None = None, **fields: Any) -> Table:
    """One table of the data file: its fields, leaving out the empty ones.

    ``kind`` names the city model's dataclass the table is read into (for the reader
    of this module); ``_comments`` are written above the fields they concern.
    """
    table = {
        key: value
        for key, value in fields.items()
        if value is not None and value != () and not (isinstance(value, Label) and not value.texts)
    }
    if _comments:
        table["__comments__"] = _comments
    return table


def _label(city: CityAnswers, texts: Texts, keep_extra: bool = False) -> Label:
    if "" in texts:  # an answer given once is in the assembly's first language
        texts = {city.default_language: texts[""], **{k: v for k, v in texts.items() if k}}
    label, copied = localized(texts, city.languages, keep_extra)
    return Label(label, frozenset(copied))


def _prose(city: CityAnswers, texts: Texts) -> Label:
    """The city's prose in each of its languages (copied, to translate, where missing)."""
    return _label(city, texts) if texts else Label({})


def _term_forms(city: CityAnswers, given: Texts, place: int) -> Label:
    """The term's plural (``place`` 0) or gender (1) per language: as the city gave them
    (one answer: the first language's), else the known forms of its name, else what
    kleroterion assumes (the name with an s; masculine), marked to check."""
    name = {k if k else city.default_language: v for k, v in city.term_name.items()}
    found = {language: TERM_FORMS[(language, word.lower())][place]
             for language, word in name.items() if (language, word.lower()) in TERM_FORMS}
    found.update({k if k else city.default_language: v for k, v in given.items()})
    if not found:
        return Label({})  # nothing known: kleroterion's defaults apply, unwritten
    fallback = localized(name, city.languages, keep_extra=True)[0]
    guessed = {language for language in fallback if language not in found}
    for language in guessed:
        found[language] = f"{fallback[language]}s" if place == 0 else "masculine"
    return Label(found, frozenset(guessed))


def _key_text(key: str) -> Texts:
    """A label made from a key the city gave, in the assembly's first language."""
    return {"": key.replace("-", " ").replace("_", " ").capitalize()}


def _sources() -> tuple[str, ...]:
    return (CITY_SOURCE,)


def _none_if_zero(value: Any) -> Any:
    return value if value else None


def city_profile(city: CityAnswers) -> Table:
    return call(
        "CityProfile",
        _comments={"sources": "Cite the public documents your facts come from (see the README)."},
        slug=city.slug,
        # One text is every language's name; texts per language are the city's own.
        name=city.official_name[""] if set(city.official_name) == {""}
        else _label(city, city.official_name, keep_extra=True),
        assembly_name=_label(city, city.assembly_name, keep_extra=True),
        country=city.country,
        languages=tuple(city.languages),
        timezone=city.timezone,
        currency=city.currency,
        population=_none_if_zero(city.population),
        website=city.website,
        summary=_prose(city, _summary(city)),
        sources=_sources(),
    )


UNIT_WORDS = {
    "fr": {"half_day": "demi-journée", "day": "jour", "session": "séance", "hour": "heure"},
    "en": {"half_day": "half-day", "day": "day", "session": "session", "hour": "hour"},
    "nl": {"half_day": "halve dag", "day": "dag", "session": "zitting", "hour": "uur"},
}


def _summary(city: CityAnswers) -> Texts:
    """One paragraph on the assembly, in French, English and Dutch, from the answers."""

    def kinds(language: str) -> str:
        return ", ".join(
            kind["label"][language].lower()
            for preset in city.presets
            for kind in PROPOSAL_PRESETS[preset]
        )

    name, seats, months = city.city_name, city.seats, city.renewal_months
    rate = f"{city.rate}".replace(".", ",")
    return {
        "fr": (
            f"Une assemblée permanente de {seats} habitantes et habitants de {name}, tirés "
            f"au sort{' et ouverte à toute personne volontaire' if city.open_volunteers else ''}"
            f", renouvelée tous les {months} mois, "
            + (
                f"indemnisée {rate} {city.currency} par {UNIT_WORDS['fr'][city.unit]}"
                if city.rate
                else "non indemnisée"
            )
            + f" ; ses actes : {kinds('fr')}."
        ),
        "en": (
            f"A permanent assembly of {seats} residents of {name}, drawn by lot"
            f"{' and open to every volunteer' if city.open_volunteers else ''}, renewed "
            f"every {months} months, "
            + (
                f"paid {city.rate} {city.currency} per {UNIT_WORDS['en'][city.unit]}"
                if city.rate
                else "unpaid"
            )
            + f"; its acts: {kinds('en')}."
        ),
        "nl": (
            f"Een permanente burgerraad van {seats} gelote inwoners van {name}"
            f"{', open voor elke vrijwilliger' if city.open_volunteers else ''}, die om de "
            f"{months} maanden wordt vernieuwd, "
            + (
                f"vergoed met {rate} {city.currency} per {UNIT_WORDS['nl'][city.unit]}"
                if city.rate
                else "zonder vergoeding"
            )
            + f"; zijn voorstellen: {kinds('nl')}."
        ),
    }


def _features(city: CityAnswers) -> tuple[Table, ...]:
    young = min(max(city.minimum_age, 16), 25)
    features = []
    for key in city.criteria:
        texts, approximate, values = CRITERIA[key]
        features.append(
            call(
                "Feature",
                key=key,
                label=_label(city, texts),
                values=tuple(
                    call(
                        "FeatureValue",
                        key=value.format(young=young),
                        label=_label(city, {k: v.format(young=young) for k, v in names.items()}),
                        population=weight,
                    )
                    for value, names, weight in values
                ),
                tolerance=1 if key == "gender" else 2,
                approximate=approximate,
            )
        )
    if city.districts:
        features.append(
            call(
                "Feature",
                key=city.district_criterion,
                label=_label(city, _key_text(city.district_criterion)),
                values=tuple(
                    call(
                        "FeatureValue", key=name, label=_label(city, {"": name}), population=weight
                    )
                    for name, weight in city.districts
                ),
                tolerance=1,
            )
        )
    return tuple(features)


def panel_composition(city: CityAnswers) -> Table:
    feature_keys = tuple(city.criteria) + ((city.district_criterion,) if city.districts else ())
    groups = []
    for index, group in enumerate(city.groups):
        stratified = bool(feature_keys) and group.registry != "volunteers"
        invited = index == 0 and city.invitations and group.registry != "volunteers"
        groups.append(
            call(
                "SeatGroup",
                key=group.key,
                label=_label(
                    city,
                    _key_text(group.key)
                    if city.groups[0].key != "panel" or len(city.groups) > 1
                    else {"fr": "Panel", "en": "Panel", "nl": "Panel"},
                ),
                seats=group.seats,
                registry=group.registry,
                selection="stratified"
                if stratified
                else ("open" if group.registry == "volunteers" else "uniform"),
                invitations=city.invitations if invited else None,
                stratify_invitations_by=(
                    city.district_criterion if invited and city.districts else ""
                ),
                features=feature_keys if stratified else (),
            )
        )
    comments = {"seat_groups": "The seat groups must add up to `seats`."}
    if any(key != "gender" for key in feature_keys):
        comments["features"] = (
            "Weights marked approximate are estimates: replace them with "
            "your official population tables."
        )
    return call(
        "PanelComposition",
        _comments=comments,
        seats=city.seats,
        seat_groups=tuple(groups),
        features=_features(city),
        registry_size=_none_if_zero(city.registry_size),
        one_per_household=True,
        open_volunteers=city.open_volunteers,
        open_volunteers_vote=city.open_volunteers,
        minimum_age=city.minimum_age,
        consent=_prose(city, city.consent),
        answers_retention_months=city.answers_retention_months,
        sources=_sources(),
    )


def assembly_bodies(city: CityAnswers) -> tuple[Table, ...]:
    bodies = []
    for key in city.bodies:
        texts, purpose, seats, size = BODIES[key]
        bodies.append(
            call(
                "Body",
                key=key,
                label=_label(city, texts),
                purpose=_prose(city, purpose),
                seats=tuple(
                    call(
                        "BodySeat",
                        role=role,
                        count=count,
                        selection=selection,
                        note=_prose(city, note),
                    )
                    if note
                    else call("BodySeat", role=role, count=count, selection=selection)
                    for role, count, selection, note in seats
                ),
                size=size,
            )
        )
    if city.follow_up_size:
        bodies.append(
            call(
                "Body",
                key=FOLLOW_UP_BODY,
                label=_label(
                    city,
                    {
                        "fr": "Comité de suivi",
                        "en": "Follow-up committee",
                        "nl": "Opvolgingscomité",
                    },
                ),
                purpose=_prose(
                    city,
                    {
                        "fr": "suit la réponse donnée aux actes de l'assemblée après le mandat",
                        "en": "follows the response to the assembly's acts after the mandate",
                        "nl": "volgt het antwoord op de voorstellen van de burgerraad op "
                        "na het mandaat",
                    },
                ),
                seats=(
                    call(
                        "BodySeat",
                        role="member",
                        count=city.follow_up_size,
                        selection="drawn",
                        note=_prose(
                            city,
                            {
                                "fr": "tirés au sort parmi le panel",
                                "en": "drawn from the panel",
                                "nl": "geloot uit het panel",
                            },
                        ),
                    ),
                ),
                size=city.follow_up_size,
                formed="end",
                term_months=city.follow_up_months,
                formal_meetings=_none_if_zero(city.follow_up_meetings),
            )
        )
    return tuple(bodies)


def mandate_rules(city: CityAnswers) -> Table:
    return call(
        "MandateRules",
        _comments={"phases": "Generic phases: rename, remove or add your own."},
        term_name=_label(city, city.term_name, keep_extra=True),
        # Not copied into other languages: a plural or a gender is not translated.
        term_plural=_term_forms(city, city.term_plural, 0),
        term_gender=_term_forms(city, city.term_gender, 1),
        min_months=city.months_min,
        max_months=city.months_max,
        renewal_months=city.renewal_months,
        sessions_per_mandate=_none_if_zero(city.sessions),
        phases=tuple(
            call("Phase", key=key, label=_label(city, texts), description=_prose(city, description))
            if description
            else call("Phase", key=key, label=_label(city, texts))
            for key, texts, description in PHASES
        ),
        session_kinds=tuple(
            call("SessionKind", key=key, label=_label(city, texts), unit=city.session_unit)
            for key, texts in SESSION_KINDS
        ),
        typical_year_units=(
            float(city.sessions * 12 // city.renewal_months) if city.sessions else None
        ),
        typical_year_note=_prose(
            city,
            {
                "fr": "une unité par session de l'assemblée ; comptez selon votre calendrier",
                "en": "one unit per assembly session; count your own calendar",
                "nl": "een eenheid per zitting van de burgerraad; tel volgens uw kalender",
            }
            if city.sessions
            else {},
        ),
        subject_origins=tuple(city.subject_origins),
        replacement_months=city.replacement_months,
        personal_data_months=city.personal_data_months,
        sources=_sources(),
    )


def proposal_kinds(city: CityAnswers) -> tuple[Table, ...]:
    kinds = []
    for preset in city.presets:
        for kind in PROPOSAL_PRESETS[preset]:
            kinds.append(
                call(
                    "ProposalKind",
                    key=kind["key"],
                    label=_label(city, kind["label"]),
                    description=_prose(city, kind["description"]),
                    addressee=_prose(city, getattr(city, kind["addressee"])),
                    power=kind["power"],
                    legal_force=kind["binding"],
                    binding_note=_prose(city, kind["binding_note"]),
                    states=tuple(
                        call(
                            "ProposalState",
                            key=state,
                            label=_label(city, STATES[state]),
                            final=True,
                            outcome=FINAL[state],
                        )
                        if state in FINAL
                        else call(
                            "ProposalState", key=state, label=_label(city, STATES[state]), sent=True
                        )
                        if state in SENT
                        else call("ProposalState", key=state, label=_label(city, STATES[state]))
                        for state in kind["states"]
                    ),
                    initial=kind["states"][0],
                    transitions=tuple(
                        call("Transition", source=source, target=target, actor=actor)
                        for source, target, actor in kind["transitions"]
                    ),
                    per_mandate=kind.get("per_mandate"),
                    sources=_sources(),
                )
            )
    return tuple(kinds)


def indemnity_policy(city: CityAnswers) -> Table:
    paid = city.rate > 0
    extras = ()
    if city.childcare:
        extras = (
            call(
                "Extra",
                key="childcare",
                label=_label(
                    city,
                    {
                        "fr": "Frais de garde d'enfants",
                        "en": "Childcare costs",
                        "nl": "Kosten voor kinderopvang",
                    },
                ),
                note=_prose(
                    city,
                    {
                        "fr": "remboursés en plus de l'indemnité",
                        "en": "reimbursed on top of the indemnity",
                        "nl": "terugbetaald bovenop de vergoeding",
                    },
                ),
            ),
        )
    return call(
        "IndemnityPolicy",
        _comments={
            "paid_bodies": "Empty: every panel member is paid; otherwise only members "
            "of these bodies."
        },
        rate=city.rate,
        currency=city.currency,
        unit=city.unit,
        paid=paid,
        paid_bodies=tuple(city.paid_bodies),
        family_quotient_max=_none_if_zero(city.family_quotient_max),
        max_units=_none_if_zero(city.max_units),
        annual_ceiling=_none_if_zero(city.annual_ceiling),
        rate_is_maximum=city.rate_is_maximum,
        extras=extras,
        legal_basis=_prose(city, city.legal_basis),
        conditions=_prose(city, city.conditions),
        sources=_sources(),
    )


def accountability_rules(city: CityAnswers) -> Table:
    deadlines = []
    for index, months in enumerate(sorted(set(city.deadlines))):
        final = index == len(set(city.deadlines)) - 1 and index > 0
        texts = (
            {"fr": "Réponse finale", "en": "Final response", "nl": "Definitief antwoord"}
            if final
            else {
                "fr": f"Réponse sous {months} mois",
                "en": f"Response within {months} months",
                "nl": f"Antwoord binnen {months} maanden",
            }
        )
        deadlines.append(
            call(
                "ResponseDeadline",
                key=f"response-{months}-months",
                label=_label(city, texts),
                months=months,
                by="executive",
            )
        )
    committee = None
    if city.follow_up_size:
        committee = call(
            "FollowUpCommittee",
            size=city.follow_up_size,
            drawn_from="panel",
            selection="drawn",
            term_months=city.follow_up_months,
            formal_meetings=_none_if_zero(city.follow_up_meetings),
        )
    return call(
        "AccountabilityRules",
        _comments={
            "response_deadlines": "Months after an act is submitted; they drive the overdue list."
        },
        reporter=_prose(city, city.reporter),
        audience=_prose(city, city.audience),
        report_every_months=12 if city.annual_report else None,
        response_deadlines=tuple(deadlines),
        follow_up_committee=committee,
        owner_per_measure=city.owner_per_measure,
        justify_rejections=city.justify_rejections,
        public_status=True,
        sources=_sources(),
    )


#: The data file's tables, each built from the answers.
TABLES: dict[str, Callable[[CityAnswers], Any]] = {
    "profile": city_profile,
    "composition": panel_composition,
    "bodies": assembly_bodies,
    "mandate": mandate_rules,
    "proposal_kinds": proposal_kinds,
    "indemnity": indemnity_policy,
    "accountability": accountability_rules,
}


def city_data(city: CityAnswers) -> dict[str, Any]:
    """The data file's tables, from the answers."""
    source = {"title": f"{city.city_name}, pages de l'assemblée citoyenne", "url": city.website}
    return {
        "sources": {CITY_SOURCE: source},
        **{table: build(city) for table, build in TABLES.items()},
    }


def city_toml(answers: Mapping[str, Any]) -> str:
    """The city's ``city.toml``, from the answers given to the template."""
    city = read(answers)
    data = city_data(city)
    out = [
        f"# {city.city_name}: the facts of its citizens' assembly, read by kleroterion.",
        "#",
        "# Written by cookiecutter-city from the answers (cookiecutter-answers.json). Correct",
        "# the facts here, then run pytest: kleroterion names the line and the field of any",
        "# mistake. Every field: docs/configuration.md. Before going public, translate every",
        f"# line marked '{TODO_TRANSLATE}', replace the weights of criteria marked",
        "# approximate with your official tables, and cite your sources: add them under",
        "# [sources.<key>] and say beside each fact where it comes from",
        '# (evidence.<field> = { source = "<key>", confidence = "verified" }).',
    ]
    for key, source in data["sources"].items():
        table(f"sources.{key}", source, out)
    for name in TABLES:
        value = data[name]
        if isinstance(value, (list, tuple)):
            for item in value:
                table(name, item, out, array=True)
        else:
            table(name, value, out)
    return "\n".join(out) + "\n"


def answers_json(answers: Mapping[str, Any]) -> str:
    """The answers a city gave, readable (accents kept) and in the questions' order.

    The generated project keeps them in cookiecutter-answers.json, which
    ``kleroterion new-city --answers`` reads back to bake the plugin again.
    """
    public = {key: value for key, value in answers.items() if not key.startswith("_")}
    return json.dumps(public, ensure_ascii=False, indent=2)


class CityExtension(Extension):
    """Jinja filters of the template: ``city_toml``, ``city``, ``label``, ``pystr``,
    ``instring``, ``answers_json``."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters["city_toml"] = city_toml
        environment.filters["city"] = read
        environment.filters["label"] = lambda texts, city: _label(city, texts).texts[
            city.default_language
        ]
        environment.filters["pystr"] = string
        # The inside of a double-quoted string: JSON's escapes are also TOML's.
        environment.filters["instring"] = lambda text: string(str(text))[1:-1]
        environment.filters["answers_json"] = answers_json
