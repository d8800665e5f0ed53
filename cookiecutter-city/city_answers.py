"""The answers of cookiecutter-city: read, checked, and turned into a city plugin's code.

One module serves the whole template. The pre-generation hook calls ``problems`` to
refuse impossible answers before any file is written; the Jinja extension
``CityExtension`` (listed in cookiecutter.json's ``_extensions``) gives the
template files the ``city_code`` filter, which writes each hook's return value as
Python source built from kleroterion's dataclasses, laid out one keyword per line
so that the generated module reads like the bundled Paris, Poitiers and Brussels
plugins and passes ruff.

It imports only the standard library and Jinja (which cookiecutter brings), because
the template is baked before kleroterion is necessarily installed.
"""

from __future__ import annotations

import json
import re
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from jinja2 import Environment
from jinja2.ext import Extension

# Mirrors of kleroterion.city.types and kleroterion.city.schemas, kept here because
# the template must work without kleroterion; tests/newcity checks they agree.
SLUG = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")
KEY = re.compile(r"^[a-z][a-z0-9_-]*$")
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
DISTRIBUTION = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")
REGISTRY_KINDS = ("electoral_roll", "addresses", "residents_card", "population_register",
                  "volunteers")
TIME_UNITS = ("half_day", "day", "session", "hour")
BUNDLED_CITIES = ("paris", "poitiers", "brussels")
WIDTH = 100  # the line length of kleroterion's ruff configuration
TODO_TRANSLATE = "TODO translate"

Texts = dict[str, str]  # language code -> text, as kleroterion's Localized


class AnswerError(ValueError):
    """One answer that cannot make a city plugin, with the question it answers."""

    def __init__(self, question: str, given: Any, message: str) -> None:
        self.question = question
        self.given = given
        super().__init__(f"{question} = {given!r}: {message}")


# --- Presets, modelled on the three reference cities --------------------------

#: Stratification criteria offered by name; weights are rough shares to replace.
CRITERIA: dict[str, tuple[Texts, bool, list[tuple[str, Texts, float]]]] = {
    "gender": (
        {"fr": "Genre", "en": "Gender", "nl": "Geslacht"},
        False,
        [
            ("woman", {"fr": "Femme", "en": "Woman", "nl": "Vrouw"}, 1),
            ("man", {"fr": "Homme", "en": "Man", "nl": "Man"}, 1),
        ],
    ),
    "age": (
        {"fr": "Âge", "en": "Age", "nl": "Leeftijd"},
        True,
        [
            ("{young}-29", {"fr": "{young}-29 ans", "en": "{young}-29", "nl": "{young}-29 jaar"},
             240),
            ("30-44", {"fr": "30-44 ans", "en": "30-44", "nl": "30-44 jaar"}, 290),
            ("45-59", {"fr": "45-59 ans", "en": "45-59", "nl": "45-59 jaar"}, 220),
            ("60-74", {"fr": "60-74 ans", "en": "60-74", "nl": "60-74 jaar"}, 150),
            ("75+", {"fr": "75 ans et plus", "en": "75 and over", "nl": "75 jaar en ouder"}, 70),
        ],
    ),
    "education": (
        {"fr": "Niveau d'études", "en": "Education level", "nl": "Opleidingsniveau"},
        True,
        [
            ("low", {"fr": "Faible", "en": "Low", "nl": "Laag"}, 30),
            ("medium", {"fr": "Moyen", "en": "Medium", "nl": "Midden"}, 30),
            ("high", {"fr": "Élevé", "en": "High", "nl": "Hoog"}, 40),
        ],
    ),
    "background": (
        {"fr": "Situation socio-économique", "en": "Socio-economic background",
         "nl": "Socio-economische situatie"},
        True,
        [
            ("employed", {"fr": "En emploi", "en": "Employed", "nl": "Werkend"}, 55),
            ("job-seeker", {"fr": "Demandeur d'emploi", "en": "Job-seeker", "nl": "Werkzoekend"},
             12),
            ("student", {"fr": "Étudiant", "en": "Student", "nl": "Student"}, 10),
            ("retired", {"fr": "Pensionné", "en": "Retired", "nl": "Gepensioneerd"}, 15),
            ("other", {"fr": "Autre situation", "en": "Other", "nl": "Andere situatie"}, 8),
        ],
    ),
}

#: Sub-bodies offered by name: label, purpose, seats (role, count, selection, note), size.
BODIES: dict[str, tuple[Texts, str, list[tuple[str, int | None, str, str]], int | None]] = {
    "workshops": (
        {"fr": "Ateliers thématiques", "en": "Thematic workshops", "nl": "Thematische werkgroepen"},
        "thematic workshops whose members are chosen among the panel (Paris's model)",
        [("member", None, "chosen_by_members", "")],
        None,
    ),
    "proposals-group": (
        {"fr": "Groupe de propositions", "en": "Proposals group", "nl": "Voorstellengroep"},
        "works the subject between sessions, without decision power (Poitiers's model)",
        [
            ("member", 20, "volunteer", "volunteers among the drawn residents"),
            ("elected", 4, "appointed", ""),
            ("elected_opposition", 2, "appointed", ""),
            ("agent", 4, "appointed", "municipal agents"),
        ],
        30,
    ),
    "methodology-committee": (
        {"fr": "Comité méthodologique", "en": "Methodology committee",
         "nl": "Methodologisch comité"},
        "organises the assembly; never deals with content (Poitiers's model)",
        [
            ("member", 3, "drawn", "volunteers drawn at random among the drawn"),
            ("elected", 3, "appointed", ""),
            ("agent", 3, "appointed", ""),
            ("facilitator", None, "appointed", ""),
        ],
        None,
    ),
    "guarantors": (
        {"fr": "Comité de garants", "en": "Guarantors' committee", "nl": "Comité van garanten"},
        "external guarantors of the process, whom any member can seize (Paris's model)",
        [("guarantor", None, "appointed", "")],
        None,
    ),
}
FOLLOW_UP_BODY = "follow-up-committee"

STATES: dict[str, Texts] = {
    "drafted": {"fr": "Rédigé", "en": "Drafted", "nl": "Opgesteld"},
    "adopted-by-assembly": {"fr": "Adopté par l'assemblée", "en": "Adopted by the assembly",
                            "nl": "Aangenomen door de burgerraad"},
    "submitted": {"fr": "Déposé au conseil", "en": "Submitted to the council",
                  "nl": "Ingediend bij de raad"},
    "debated": {"fr": "Débattu en conseil", "en": "Debated by the council",
                "nl": "Besproken door de raad"},
    "adopted": {"fr": "Adopté", "en": "Adopted", "nl": "Aangenomen"},
    "rejected": {"fr": "Rejeté", "en": "Rejected", "nl": "Verworpen"},
    "withdrawn": {"fr": "Retiré", "en": "Withdrawn", "nl": "Ingetrokken"},
    "asked": {"fr": "Posée en conseil", "en": "Asked in the council", "nl": "Gesteld in de raad"},
    "answered": {"fr": "Réponse de l'exécutif", "en": "Answered by the executive",
                 "nl": "Beantwoord door het bestuur"},
    "decided": {"fr": "Décidé par l'assemblée", "en": "Decided by the assembly",
                "nl": "Beslist door de burgerraad"},
    "sent-to-council": {"fr": "Transmis au conseil", "en": "Sent to the council",
                        "nl": "Bezorgd aan de raad"},
    "referendum": {"fr": "Soumis à référendum local", "en": "Put to a local referendum",
                   "nl": "Voorgelegd aan een lokaal referendum"},
    "sent-to-executive": {"fr": "Transmise à l'exécutif", "en": "Sent to the executive",
                          "nl": "Bezorgd aan het bestuur"},
    "first-response": {"fr": "Première réponse", "en": "First response", "nl": "Eerste antwoord"},
    "carried-out": {"fr": "Mise en œuvre", "en": "Carried out", "nl": "Uitgevoerd"},
    "not-carried-out": {"fr": "Non retenue (justifiée)", "en": "Not carried out (justified)",
                        "nl": "Niet weerhouden (gemotiveerd)"},
}
#: The states in which an act reaches its addressee: response deadlines run from them.
SENT = ("submitted", "asked", "sent-to-council", "sent-to-executive")
FINAL = {"adopted": "adopted", "rejected": "rejected", "withdrawn": "withdrawn",
         "answered": "answered", "carried-out": "adopted", "not-carried-out": "rejected"}

#: Proposal kind presets: key, label, description, addressee answer, power, legal force
#: (binding), note,
#: states, transitions (source, target, actor), per mandate.
ADOPTION = (
    ["drafted", "adopted-by-assembly", "submitted", "debated", "adopted", "rejected", "withdrawn"],
    [("drafted", "adopted-by-assembly", "assembly"), ("drafted", "withdrawn", "assembly"),
     ("adopted-by-assembly", "submitted", "secretariat"), ("submitted", "debated", "council"),
     ("debated", "adopted", "council"), ("debated", "rejected", "council")],
)
PROPOSAL_PRESETS: dict[str, list[dict[str, Any]]] = {
    "paris": [
        dict(key="question", label={"fr": "Question d'actualité", "en": "Topical question",
                                    "nl": "Actualiteitsvraag"},
             description="a question put to the executive during a council meeting",
             addressee="executive_name", binding=False, power="consultative",
             binding_note="the executive answers in session; no vote",
             states=["drafted", "adopted-by-assembly", "asked", "answered", "withdrawn"],
             transitions=[("drafted", "adopted-by-assembly", "assembly"),
                          ("drafted", "withdrawn", "assembly"),
                          ("adopted-by-assembly", "asked", "secretariat"),
                          ("asked", "answered", "executive")]),
        dict(key="wish", label={"fr": "Vœu", "en": "Wish (vœu)", "nl": "Wens"},
             description="a wish submitted to and voted by the council",
             addressee="council_name", binding=False, power="council_vote",
             binding_note="voted by the council; a wish states a position, not a decision",
             states=ADOPTION[0], transitions=ADOPTION[1]),
        dict(key="deliberation", label={"fr": "Délibération citoyenne",
                                        "en": "Citizens' deliberation", "nl": "Burgerbesluit"},
             description="a draft decision submitted to the council, which adopts or rejects it",
             addressee="council_name", binding=True, power="council_vote",
             binding_note="once adopted by the council it is a municipal decision",
             states=ADOPTION[0], transitions=ADOPTION[1]),
    ],
    "poitiers": [
        dict(key="action-plan", label={"fr": "Plan d'action", "en": "Action plan",
                                       "nl": "Actieplan"},
             description="the action plan the assembly decides at the end of its sessions",
             addressee="council_name", binding=True, power="adopted_as_proposed",
             binding_note="the council adopts it as a decision, or puts it to a local referendum",
             states=["drafted", "decided", "sent-to-council", "referendum", "adopted", "rejected"],
             transitions=[("drafted", "decided", "assembly"),
                          ("decided", "sent-to-council", "secretariat"),
                          ("sent-to-council", "adopted", "council"),
                          ("sent-to-council", "rejected", "council"),
                          ("sent-to-council", "referendum", "council"),
                          ("referendum", "adopted", "citizens"),
                          ("referendum", "rejected", "citizens")],
             per_mandate=1),
    ],
    "brussels": [
        dict(key="recommendation", label={"fr": "Recommandation", "en": "Recommendation",
                                          "nl": "Aanbeveling"},
             description="a recommendation to the executive, which must answer it",
             addressee="executive_name", binding=False, power="consultative",
             binding_note=("not binding; the executive must justify every recommendation it "
                           "does not carry out"),
             states=["drafted", "adopted-by-assembly", "sent-to-executive", "first-response",
                     "carried-out", "not-carried-out"],
             transitions=[("drafted", "adopted-by-assembly", "assembly"),
                          ("adopted-by-assembly", "sent-to-executive", "secretariat"),
                          ("sent-to-executive", "first-response", "executive"),
                          ("first-response", "carried-out", "executive"),
                          ("first-response", "not-carried-out", "executive")]),
    ],
}

PHASES = [
    ("learning", {"fr": "Information et apprentissage", "en": "Information and learning",
                  "nl": "Informatie en vorming"}, "hearings, site visits, training"),
    ("deliberation", {"fr": "Délibération", "en": "Deliberation", "nl": "Beraadslaging"}, ""),
    ("proposals", {"fr": "Propositions", "en": "Proposals", "nl": "Voorstellen"},
     "the acts are written and adopted"),
]
SESSION_KINDS = [
    ("plenary", {"fr": "Séance plénière", "en": "Plenary session", "nl": "Plenaire zitting"}),
    ("workshop", {"fr": "Atelier", "en": "Workshop", "nl": "Werkgroep"}),
]


# --- Reading answers ----------------------------------------------------------


def _text(answers: Mapping[str, Any], name: str) -> str:
    value = answers.get(name, "")
    return "" if value is None else str(value).strip()


def _integer(answers: Mapping[str, Any], name: str, minimum: int = 0) -> int:
    raw = _text(answers, name)
    try:
        value = int(raw)
    except ValueError:
        raise AnswerError(name, raw, "must be a whole number") from None
    if value < minimum:
        what = "a positive number" if minimum == 1 else f"at least {minimum}"
        raise AnswerError(name, raw, f"must be {what}")
    return value


def _amount(answers: Mapping[str, Any], name: str, what: str) -> Decimal:
    raw = _text(answers, name)
    try:
        # A French spreadsheet habit: "41,22" means 41.22.
        value = Decimal(raw.replace(",", ".") or "0")
    except InvalidOperation:
        raise AnswerError(name, raw, f"must be a number such as 44 or 41.22 ({what})") from None
    if not value.is_finite():
        raise AnswerError(name, raw, f"must be a number such as 44 or 41.22 ({what})")
    if value < 0:
        raise AnswerError(name, raw, f"{what} cannot be negative; give 0 for none")
    # "44.00" is written 44, "41.22" as given; never an exponent such as 1E+3.
    return Decimal(int(value)) if value == value.to_integral() else value


def _flag(answers: Mapping[str, Any], name: str) -> bool:
    value = answers.get(name, False)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "t", "yes", "y", "on", "oui", "ja"):
        return True
    if text in ("", "0", "false", "f", "no", "n", "off", "non", "nee"):
        return False
    raise AnswerError(name, value, "must be yes or no")


def _items(raw: str) -> list[str]:
    return [item.strip() for item in re.split(r"[;,]", raw) if item.strip()]


def _labels(answers: Mapping[str, Any], name: str) -> Texts:
    """``fr: Texte | en: Text``, or one text for every language."""
    raw = _text(answers, name)
    if not raw:
        raise AnswerError(name, raw, "needs a text")
    if not re.match(r"^[a-z]{2,3}\s*:", raw):
        return {"": raw}
    texts: Texts = {}
    for part in raw.split("|"):
        language, _, text = part.partition(":")
        language, text = language.strip(), text.strip()
        if not LANGUAGE.match(language) or not text:
            raise AnswerError(name, raw, "write 'fr: Texte | en: Text', or one text for all "
                              "languages")
        texts[language] = text
    return texts


def localized(
    texts: Texts, languages: tuple[str, ...], keep_extra: bool = False
) -> tuple[Texts, set[str]]:
    """A label in every language of the city, and the languages filled in by copy.

    A preset's text is used where it has the language; otherwise the English text
    (else the first one) is copied, to be translated. ``keep_extra`` keeps the
    languages the city gave beyond its own (Paris names its assembly in Dutch too).
    """
    label: Texts = {}
    copied: set[str] = set()
    fallback = texts.get("en") or texts.get("") or next(iter(texts.values()))
    for language in languages:
        if texts.get(language):
            label[language] = texts[language]
        else:
            label[language] = fallback
            copied.add(language)
    for language, text in texts.items():
        if keep_extra and language and language not in label:
            label[language] = text
    return label, copied


def _check_key(question: str, key: str, raw: str) -> None:
    if not KEY.match(key):
        raise AnswerError(question, raw, f"{key!r} is not a key: use lowercase letters, digits, "
                          "- or _, starting with a letter")


@dataclass
class SeatGroupAnswer:
    key: str
    seats: int
    registry: str


def seat_groups(answers: Mapping[str, Any], seats: int, registry: str) -> list[SeatGroupAnswer]:
    """``key=seats[@registry]; ...``; empty means one group holding every seat."""
    raw = _text(answers, "seat_groups")
    if not raw:
        return [SeatGroupAnswer("panel", seats, registry)]
    groups: list[SeatGroupAnswer] = []
    for item in _items(raw):
        match = re.match(r"^([^=@\s]+)\s*=\s*(-?\d+)\s*(?:@\s*(\S+))?$", item)
        if not match:
            raise AnswerError("seat_groups", raw, f"cannot read {item!r}; write key=seats or "
                              "key=seats@registry, separated by ';', e.g. "
                              "'roll=80@electoral_roll; youth=20@residents_card'")
        key, count, kind = match.group(1), int(match.group(2)), match.group(3) or registry
        _check_key("seat_groups", key, raw)
        if count < 0:
            raise AnswerError("seat_groups", raw, f"group {key!r} has a negative number of seats")
        if kind not in REGISTRY_KINDS:
            raise AnswerError("seat_groups", raw, f"group {key!r}: unknown registry {kind!r}; "
                              f"choose among {', '.join(REGISTRY_KINDS)}")
        if any(group.key == key for group in groups):
            raise AnswerError("seat_groups", raw, f"two groups share the key {key!r}")
        groups.append(SeatGroupAnswer(key, count, kind))
    total = sum(group.seats for group in groups)
    if total != seats:
        detail = " + ".join(f"{group.seats} ({group.key})" for group in groups)
        raise AnswerError("seat_groups", raw, f"the seat groups add up to {detail} = {total}, "
                          f"not to the {seats} seats of the panel (question 'seats')")
    return groups


def districts(answers: Mapping[str, Any]) -> list[tuple[str, float]]:
    """``Name=population, ...``; a name alone weighs 1 (equal shares)."""
    raw = _text(answers, "districts")
    found: list[tuple[str, float]] = []
    for item in _items(raw):
        name, sign, weight = item.partition("=")
        name = name.strip()
        try:
            population = float(weight.replace(",", ".")) if sign else 1.0
        except ValueError:
            raise AnswerError("districts", raw, f"{item!r}: the population after '=' must be a "
                              "number") from None
        if not name or population <= 0:
            raise AnswerError("districts", raw, f"{item!r}: write Name=population with a "
                              "population above 0")
        if any(name == other for other, _ in found):
            raise AnswerError("districts", raw, f"the district {name!r} is given twice")
        found.append((name, population))
    return found


@dataclass
class CityAnswers:
    """Every answer, read and checked."""

    city_name: str
    slug: str
    project_slug: str
    package_name: str
    country: str
    languages: tuple[str, ...]
    timezone: str
    currency: str
    population: int
    website: str
    assembly_name: Texts
    council_name: str
    executive_name: str
    registry: str
    registry_size: int
    invitations: int
    seats: int
    groups: list[SeatGroupAnswer]
    criteria: list[str]
    district_criterion: str
    districts: list[tuple[str, float]]
    minimum_age: int
    open_volunteers: bool
    term_name: Texts
    months_min: int
    months_max: int
    renewal_months: int
    sessions: int
    session_unit: str
    bodies: list[str]
    presets: list[str]
    rate: Decimal
    unit: str
    paid_bodies: list[str]
    family_quotient_max: Decimal
    max_units: int
    annual_ceiling: Decimal
    rate_is_maximum: bool
    childcare: bool
    legal_basis: str
    conditions: str
    annual_report: bool
    reporter: str
    audience: str
    deadlines: list[int]
    justify_rejections: bool
    owner_per_measure: bool
    follow_up_size: int
    follow_up_months: int
    follow_up_meetings: int

    @property
    def default_language(self) -> str:
        return self.languages[0]


class AnswersRefused(ValueError):
    """Answers that cannot make a city plugin; ``problems`` holds one sentence each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def read(answers: Mapping[str, Any]) -> CityAnswers:
    """Read every answer; raise ``AnswersRefused`` listing every impossible one."""
    found: list[str] = []
    city = _read(answers, found)
    if found or city is None:
        raise AnswersRefused(found)
    return city


def problems(answers: Mapping[str, Any]) -> list[str]:
    """Every impossible answer, as sentences naming the question and what would do."""
    found: list[str] = []
    _read(answers, found)
    return found


def _read(answers: Mapping[str, Any], found: list[str]) -> CityAnswers | None:
    # Independent questions are checked one by one, so that every mistake is reported at
    # once; answers that depend on earlier ones stop at the first error.
    def attempt(function: Callable[[], Any], default: Any) -> Any:
        try:
            return function()
        except AnswerError as error:
            found.append(str(error))
            return default

    def check(ok: bool, question: str, message: str) -> None:
        if not ok:
            found.append(str(AnswerError(question, answers.get(question, ""), message)))

    name = _text(answers, "city_name")
    check(bool(name), "city_name", "the city needs a name")
    # The name is written inside docstrings and strings of the generated code.
    check('"' not in name and "\\" not in name, "city_name",
          "may not contain double quotes or backslashes")
    slug = _text(answers, "slug")
    check(bool(SLUG.match(slug)), "slug", "must be lowercase ascii letters, digits and "
          "hyphens, start with a letter and not end with a hyphen, e.g. 'villeneuve-sur-mer'")
    check(slug not in BUNDLED_CITIES, "slug", f"{slug!r} is a city bundled with kleroterion; "
          "choose another slug")
    project_slug = _text(answers, "project_slug")
    check(bool(DISTRIBUTION.match(project_slug)), "project_slug",
          "must be a distribution name such as 'kleroterion-villeneuve-sur-mer'")
    country = _text(answers, "country")
    check(bool(re.match(r"^[A-Z]{2}$", country)), "country",
          "must be an ISO 3166-1 alpha-2 code in capitals, e.g. 'FR', 'BE'")
    languages = tuple(item.lower() for item in _items(_text(answers, "languages")))
    check(bool(languages) and all(LANGUAGE.match(code) for code in languages), "languages",
          "must be language codes separated by commas, the default first, e.g. 'fr, en'")
    check(len(set(languages)) == len(languages), "languages", "a language is given twice")
    timezone = _text(answers, "timezone")
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        check(False, "timezone", "must be an IANA time zone such as 'Europe/Paris'")
    currency = _text(answers, "currency")
    check(bool(re.match(r"^[A-Z]{3}$", currency)), "currency",
          "must be an ISO 4217 code in capitals, e.g. 'EUR', 'CHF'")
    population = attempt(lambda: _integer(answers, "population"), 0)
    assembly_name = attempt(lambda: _labels(answers, "assembly_name"), {"": "?"})
    term_name = attempt(lambda: _labels(answers, "term_name"), {"": "?"})
    registry = _text(answers, "registry")
    check(registry in REGISTRY_KINDS, "registry", f"choose among {', '.join(REGISTRY_KINDS)}")
    registry_size = attempt(lambda: _integer(answers, "registry_size"), 0)
    invitations = attempt(lambda: _integer(answers, "invitations"), 0)
    seats = attempt(lambda: _integer(answers, "seats", 1), 0)
    groups = attempt(lambda: seat_groups(answers, seats, registry), []) if seats else []
    criteria = [item.lower() for item in _items(_text(answers, "criteria"))]
    unknown = [item for item in criteria if item not in CRITERIA]
    check(not unknown, "criteria", f"unknown {', '.join(map(repr, unknown))}; choose among "
          f"{', '.join(CRITERIA)} (give districts with the question 'districts')")
    check(len(set(criteria)) == len(criteria), "criteria", "a criterion is given twice")
    district_criterion = _text(answers, "district_criterion") or "district"
    check(bool(KEY.match(district_criterion)) and district_criterion not in CRITERIA,
          "district_criterion", "must be a key such as 'district', 'arrondissement' or "
          "'commune', other than the preset criteria")
    district_list = attempt(lambda: districts(answers), [])
    minimum_age = attempt(lambda: _integer(answers, "minimum_age"), 16)
    months_min = attempt(lambda: _integer(answers, "mandate_months_min", 1), 1)
    months_max = attempt(lambda: _integer(answers, "mandate_months_max", 1), 1)
    check(months_min <= months_max, "mandate_months_min",
          f"is above mandate_months_max ({months_max})")
    renewal = attempt(lambda: _integer(answers, "renewal_months", 1), 12)
    sessions = attempt(lambda: _integer(answers, "sessions_per_mandate"), 0)
    session_unit = _text(answers, "session_unit")
    check(session_unit in TIME_UNITS, "session_unit", f"choose among {', '.join(TIME_UNITS)}")
    body_list = [item.lower() for item in _items(_text(answers, "bodies"))]
    unknown = [item for item in body_list if item not in BODIES]
    check(not unknown, "bodies", f"unknown {', '.join(map(repr, unknown))}; choose among "
          f"{', '.join(BODIES)} (the follow-up committee comes from "
          "'follow_up_committee_size')")
    presets = [item.lower() for item in _items(_text(answers, "proposal_presets"))]
    unknown = [item for item in presets if item not in PROPOSAL_PRESETS]
    check(bool(presets) and not unknown, "proposal_presets",
          f"give one or more of {', '.join(PROPOSAL_PRESETS)}, separated by commas")
    check(len(set(presets)) == len(presets), "proposal_presets", "a preset is given twice")
    rate = attempt(lambda: _amount(answers, "indemnity_rate", "an indemnity rate"), Decimal(0))
    unit = _text(answers, "indemnity_unit")
    check(unit in TIME_UNITS, "indemnity_unit", f"choose among {', '.join(TIME_UNITS)}")
    family_quotient = attempt(
        lambda: _amount(answers, "family_quotient_max", "a family quotient"), Decimal(0))
    max_units = attempt(lambda: _integer(answers, "max_units"), 0)
    ceiling = attempt(lambda: _amount(answers, "annual_ceiling", "a ceiling"), Decimal(0))
    follow_up_size = attempt(lambda: _integer(answers, "follow_up_committee_size"), 0)
    check(follow_up_size <= max(seats, 0), "follow_up_committee_size",
          f"is more than the panel's {seats} seats")
    follow_up_months = attempt(lambda: _integer(answers, "follow_up_months", 1), 12)
    follow_up_meetings = attempt(lambda: _integer(answers, "follow_up_meetings"), 0)
    all_bodies = body_list + ([FOLLOW_UP_BODY] if follow_up_size else [])
    paid_bodies = [item.lower() for item in _items(_text(answers, "paid_bodies"))]
    unknown = [item for item in paid_bodies if item not in all_bodies]
    check(not unknown, "paid_bodies", f"unknown {', '.join(map(repr, unknown))}; the "
          f"assembly's bodies are: {', '.join(all_bodies) or 'none (question bodies)'}; "
          "leave empty to pay every member")
    deadlines: list[int] = []
    for item in _items(_text(answers, "response_deadlines")):
        if not item.isdigit() or int(item) < 1:
            check(False, "response_deadlines", "must be numbers of months above 0, separated "
                  "by commas, e.g. '3, 12'")
            break
        deadlines.append(int(item))
    flags = {
        name: attempt(lambda name=name: _flag(answers, name), False)
        for name in ("open_volunteers", "rate_is_maximum", "childcare", "annual_report",
                     "justify_rejections", "owner_per_measure")
    }
    if found:
        return None
    return CityAnswers(
        city_name=name, slug=slug, project_slug=project_slug,
        package_name="kleroterion_" + slug.replace("-", "_"), country=country,
        languages=languages, timezone=timezone, currency=currency, population=population,
        website=_text(answers, "website"), assembly_name=assembly_name,
        council_name=_text(answers, "council_name") or f"the municipal council of {name}",
        executive_name=_text(answers, "executive_name") or f"the executive of {name}",
        registry=registry, registry_size=registry_size, invitations=invitations, seats=seats,
        groups=groups, criteria=criteria, district_criterion=district_criterion,
        districts=district_list, minimum_age=minimum_age,
        open_volunteers=flags["open_volunteers"], term_name=term_name, months_min=months_min,
        months_max=months_max, renewal_months=renewal, sessions=sessions,
        session_unit=session_unit, bodies=body_list, presets=presets, rate=rate, unit=unit,
        paid_bodies=paid_bodies, family_quotient_max=family_quotient, max_units=max_units,
        annual_ceiling=ceiling, rate_is_maximum=flags["rate_is_maximum"],
        childcare=flags["childcare"], legal_basis=_text(answers, "legal_basis"),
        conditions=_text(answers, "indemnity_conditions"),
        annual_report=flags["annual_report"],
        reporter=_text(answers, "reporter") or "the departments concerned",
        audience=_text(answers, "audience") or "the assembly and the public",
        deadlines=deadlines, justify_rejections=flags["justify_rejections"],
        owner_per_measure=flags["owner_per_measure"], follow_up_size=follow_up_size,
        follow_up_months=follow_up_months, follow_up_meetings=follow_up_meetings,
    )


# --- Writing code -------------------------------------------------------------


@dataclass(frozen=True)
class Raw:
    """Python source written as is (a name, an expression)."""

    code: str


@dataclass(frozen=True)
class Label:
    """A Localized label; the languages in ``copied`` get a ``# TODO translate``."""

    texts: Texts
    copied: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Call:
    """``Name(keyword=value, ...)``; ``comments`` go on the line above a keyword."""

    name: str
    arguments: tuple[tuple[str, Any], ...]
    comments: tuple[tuple[str, str], ...] = ()


def call(cls: str, /, _comments: dict[str, str] | None = None, **arguments: Any) -> Call:
    """``cls(**arguments)``; ``_comments`` maps a keyword to the comment above it."""
    return Call(cls, tuple(arguments.items()), tuple((_comments or {}).items()))


def literal(text: str) -> str:
    # JSON's escapes are valid in Python; ensure_ascii=False keeps accents readable.
    return json.dumps(text, ensure_ascii=False)


def _inline(value: Any) -> str | None:
    """The value on one line, or None when it needs several (comments, TODOs)."""
    if isinstance(value, Raw):
        return value.code
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return repr(value)
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return f'Decimal("{value:f}")'
    if isinstance(value, str):
        return literal(value)
    if isinstance(value, Label):
        if value.copied:
            return None
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.texts.items()) + "}"
    if isinstance(value, tuple):
        parts = [_inline(item) for item in value]
        if any(part is None for part in parts):
            return None
        if len(parts) == 1:
            return f"({parts[0]},)"
        return "(" + ", ".join(parts) + ")"  # type: ignore[arg-type]
    if isinstance(value, Call):
        if value.comments:
            return None
        parts = [_inline(item) for _, item in value.arguments]
        if any(part is None for part in parts):
            return None
        return value.name + "(" + ", ".join(
            f"{key}={part}" for (key, _), part in zip(value.arguments, parts, strict=True)
        ) + ")"
    raise TypeError(f"cannot write {type(value).__name__} as Python")


def emit(value: Any, column: int, indent: int, suffix: str = "") -> str:
    """``value`` as Python source starting at ``column``, its inner lines at ``indent``.

    ``suffix`` (a comma, a comment) follows the value; lines stay within ``WIDTH``
    except a string with no space to break at, which ruff's E501 tolerates.
    """
    one_line = _inline(value)
    if one_line is not None and column + len(one_line) + len(suffix) <= WIDTH:
        return one_line + suffix
    inner = " " * (indent + 4)
    close = " " * indent
    if isinstance(value, str):
        return "(\n" + "".join(f"{inner}{chunk}\n" for chunk in _chunks(value, indent + 4)) + (
            f"{close}){suffix}"
        )
    if isinstance(value, Label):
        lines = []
        for language, text in value.texts.items():
            note = f"  # {TODO_TRANSLATE}" if language in value.copied else ""
            start = f"{inner}{literal(language)}: "
            lines.append(start + emit(text, len(start), indent + 4, "," + note))
        return "{\n" + "\n".join(lines) + f"\n{close}}}{suffix}"
    if isinstance(value, tuple):
        lines = [inner + emit(item, indent + 4, indent + 4, ",") for item in value]
        return "(\n" + "\n".join(lines) + f"\n{close}){suffix}"
    if isinstance(value, Call):
        comments = dict(value.comments)
        lines = []
        for key, item in value.arguments:
            if key in comments:
                lines.extend(f"{inner}# {line}" for line in _wrap(comments[key], indent + 6))
            start = f"{inner}{key}="
            lines.append(start + emit(item, len(start), indent + 4, ","))
        return f"{value.name}(\n" + "\n".join(lines) + f"\n{close}){suffix}"
    # A value with no layout of its own (a long name): leave it long.
    return f"{one_line}{suffix}"


def _wrap(text: str, column: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and column + len(current) + 1 + len(word) > WIDTH:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    return [*lines, current] if current else lines


def _chunks(text: str, column: int) -> list[str]:
    """A long string as implicitly concatenated literals, broken after spaces."""
    room = WIDTH - column - 1  # the closing comma or parenthesis
    words = re.split(r"(?<= )", text)
    chunks: list[str] = []
    current = ""
    for word in words:
        if current and len(literal(current + word)) > room:
            chunks.append(literal(current))
            current = word
        else:
            current += word
    chunks.append(literal(current))
    # A chunk still too long is one word (a URL): ruff's E501 lets such lines be.
    return chunks


# --- The plugin's values ------------------------------------------------------


def _label(city: CityAnswers, texts: Texts, keep_extra: bool = False) -> Label:
    label, copied = localized(texts, city.languages, keep_extra)
    return Label(label, frozenset(copied))


def _prose(city: CityAnswers, text: str) -> Label:
    """The city's prose in each of its languages (the answer copied where untranslated)."""
    return _label(city, {"en": text}) if text else Label({})


def _key_text(key: str) -> Texts:
    """A label made from a key the city gave, in no particular language."""
    return {"": key.replace("-", " ").replace("_", " ").capitalize()}


def _sources() -> tuple[Raw, ...]:
    return (Raw("CITY_SOURCE"),)


def _none_if_zero(value: Any) -> Any:
    return value if value else None


def city_profile(city: CityAnswers) -> Call:
    return call(
        "CityProfile",
        _comments={"sources": "Cite the public documents your facts come from (see the README)."},
        slug=city.slug,
        name=city.city_name,
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


def _summary(city: CityAnswers) -> str:
    kinds = [kind["label"]["en"].lower() for preset in city.presets
             for kind in PROPOSAL_PRESETS[preset]]
    opened = " and open to every volunteer" if city.open_volunteers else ""
    paid = (f", paid {city.rate} {city.currency} per {city.unit.replace('_', '-')}"
            if city.rate else ", unpaid")
    return (f"A permanent assembly of {city.seats} residents of {city.city_name}, drawn by lot"
            f"{opened}, renewed every {city.renewal_months} months{paid}; its acts: "
            f"{', '.join(kinds)}.")


def _features(city: CityAnswers) -> tuple[Call, ...]:
    young = min(max(city.minimum_age, 16), 25)
    features = []
    for key in city.criteria:
        texts, approximate, values = CRITERIA[key]
        features.append(call(
            "Feature",
            key=key,
            label=_label(city, texts),
            values=tuple(
                call("FeatureValue", key=value.format(young=young),
                     label=_label(city, {k: v.format(young=young) for k, v in names.items()}),
                     population=weight)
                for value, names, weight in values
            ),
            tolerance=1 if key == "gender" else 2,
            approximate=approximate,
        ))
    if city.districts:
        features.append(call(
            "Feature",
            key=city.district_criterion,
            label=_label(city, _key_text(city.district_criterion)),
            values=tuple(
                call("FeatureValue", key=name, label=_label(city, {"": name}), population=weight)
                for name, weight in city.districts
            ),
            tolerance=1,
        ))
    return tuple(features)


def panel_composition(city: CityAnswers) -> Call:
    feature_keys = tuple(city.criteria) + ((city.district_criterion,) if city.districts else ())
    groups = []
    for index, group in enumerate(city.groups):
        stratified = bool(feature_keys) and group.registry != "volunteers"
        invited = index == 0 and city.invitations and group.registry != "volunteers"
        groups.append(call(
            "SeatGroup",
            key=group.key,
            label=_label(city, _key_text(group.key) if city.groups[0].key != "panel"
                         or len(city.groups) > 1
                         else {"fr": "Panel", "en": "Panel", "nl": "Panel"}),
            seats=group.seats,
            registry=group.registry,
            selection="stratified" if stratified else (
                "open" if group.registry == "volunteers" else "uniform"),
            invitations=city.invitations if invited else None,
            stratify_invitations_by=(
                city.district_criterion if invited and city.districts else ""),
            features=feature_keys if stratified else (),
        ))
    comments = {"seat_groups": "The seat groups must add up to `seats`."}
    if any(key != "gender" for key in feature_keys):
        comments["features"] = ("Weights marked approximate are estimates: replace them with "
                                "your official population tables.")
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
        sources=_sources(),
    )


def assembly_bodies(city: CityAnswers) -> tuple[Call, ...]:
    bodies = []
    for key in city.bodies:
        texts, purpose, seats, size = BODIES[key]
        bodies.append(call(
            "Body",
            key=key,
            label=_label(city, texts),
            purpose=_prose(city, purpose),
            seats=tuple(call("BodySeat", role=role, count=count, selection=selection,
                             note=_prose(city, note))
                        if note else call("BodySeat", role=role, count=count,
                                          selection=selection)
                        for role, count, selection, note in seats),
            size=size,
        ))
    if city.follow_up_size:
        bodies.append(call(
            "Body",
            key=FOLLOW_UP_BODY,
            label=_label(city, {"fr": "Comité de suivi", "en": "Follow-up committee",
                                "nl": "Opvolgingscomité"}),
            purpose=_prose(city, "follows the response to the assembly's acts after the mandate"),
            seats=(call("BodySeat", role="member", count=city.follow_up_size,
                        selection="drawn", note=_prose(city, "drawn from the panel")),),
            size=city.follow_up_size,
            formed="end",
            term_months=city.follow_up_months,
            formal_meetings=_none_if_zero(city.follow_up_meetings),
        ))
    return tuple(bodies)


def mandate_rules(city: CityAnswers) -> Call:
    return call(
        "MandateRules",
        _comments={"phases": "Generic phases: rename, remove or add your own."},
        term_name=_label(city, city.term_name, keep_extra=True),
        min_months=city.months_min,
        max_months=city.months_max,
        renewal_months=city.renewal_months,
        sessions_per_mandate=_none_if_zero(city.sessions),
        phases=tuple(
            call("Phase", key=key, label=_label(city, texts), description=_prose(city, description))
            if description else call("Phase", key=key, label=_label(city, texts))
            for key, texts, description in PHASES
        ),
        session_kinds=tuple(
            call("SessionKind", key=key, label=_label(city, texts), unit=city.session_unit)
            for key, texts in SESSION_KINDS
        ),
        typical_year_units=(
            float(city.sessions * 12 // city.renewal_months) if city.sessions else None),
        typical_year_note=_prose(
            city, "estimate: one unit per assembly session; count your own calendar"
            if city.sessions else ""),
        sources=_sources(),
    )


def proposal_kinds(city: CityAnswers) -> tuple[Call, ...]:
    kinds = []
    for preset in city.presets:
        for kind in PROPOSAL_PRESETS[preset]:
            kinds.append(call(
                "ProposalKind",
                key=kind["key"],
                label=_label(city, kind["label"]),
                description=_prose(city, kind["description"]),
                addressee=_prose(city, getattr(city, kind["addressee"])),
                power=kind["power"],
                legal_force=kind["binding"],
                binding_note=_prose(city, kind["binding_note"]),
                states=tuple(
                    call("ProposalState", key=state, label=_label(city, STATES[state]),
                         final=True, outcome=FINAL[state])
                    if state in FINAL else
                    call("ProposalState", key=state, label=_label(city, STATES[state]),
                         sent=True)
                    if state in SENT else
                    call("ProposalState", key=state, label=_label(city, STATES[state]))
                    for state in kind["states"]
                ),
                initial=kind["states"][0],
                transitions=tuple(
                    call("Transition", source=source, target=target, actor=actor)
                    for source, target, actor in kind["transitions"]
                ),
                per_mandate=kind.get("per_mandate"),
                sources=_sources(),
            ))
    return tuple(kinds)


def indemnity_policy(city: CityAnswers) -> Call:
    paid = city.rate > 0
    extras = ()
    if city.childcare:
        extras = (call("Extra", key="childcare",
                       label=_label(city, {"fr": "Frais de garde d'enfants",
                                           "en": "Childcare costs",
                                           "nl": "Kosten voor kinderopvang"}),
                       note=_prose(city, "reimbursed on top of the indemnity")),)
    return call(
        "IndemnityPolicy",
        _comments={"paid_bodies": "Empty: every panel member is paid; otherwise only members "
                                 "of these bodies."},
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


def accountability_rules(city: CityAnswers) -> Call:
    deadlines = []
    for index, months in enumerate(sorted(set(city.deadlines))):
        final = index == len(set(city.deadlines)) - 1 and index > 0
        texts = ({"fr": "Réponse finale", "en": "Final response", "nl": "Definitief antwoord"}
                 if final else
                 {"fr": f"Réponse sous {months} mois", "en": f"Response within {months} months",
                  "nl": f"Antwoord binnen {months} maanden"})
        deadlines.append(call("ResponseDeadline", key=f"response-{months}-months",
                              label=_label(city, texts), months=months,
                              by=city.executive_name))
    committee = None
    if city.follow_up_size:
        committee = call("FollowUpCommittee", size=city.follow_up_size, drawn_from="panel",
                         selection="drawn", term_months=city.follow_up_months,
                         formal_meetings=_none_if_zero(city.follow_up_meetings))
    return call(
        "AccountabilityRules",
        _comments={"response_deadlines": "Months after an act is submitted; they drive the "
                                        "overdue list."},
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


HOOKS: dict[str, Callable[[CityAnswers], Any]] = {
    "city_profile": city_profile,
    "panel_composition": panel_composition,
    "assembly_bodies": assembly_bodies,
    "mandate_rules": mandate_rules,
    "proposal_kinds": proposal_kinds,
    "indemnity_policy": indemnity_policy,
    "accountability_rules": accountability_rules,
}


def _names(value: Any, found: set[str]) -> None:
    if isinstance(value, Call):
        found.add(value.name)
        for _, item in value.arguments:
            _names(item, found)
    elif isinstance(value, tuple):
        for item in value:
            _names(item, found)
    elif isinstance(value, Decimal):
        found.add("Decimal")


@dataclass
class PluginCode:
    """What the template's files need: the answers, each hook's code, the imports."""

    city: CityAnswers
    hooks: dict[str, str]
    types: list[str]
    uses_decimal: bool
    source: str  # the CITY_SOURCE constant's value

    def label_text(self, texts: Texts) -> str:
        return localized(texts, self.city.languages)[0][self.city.default_language]


def plugin_code(answers: Mapping[str, Any]) -> PluginCode:
    """Each hook's return expression, written at the indentation of a ``return``."""
    city = read(answers)
    found: set[str] = {"CityProfile", "PanelComposition", "Body", "MandateRules",
                       "ProposalKind", "IndemnityPolicy", "AccountabilityRules", "Source"}
    hooks = {}
    for name, build in HOOKS.items():
        value = build(city)
        _names(value, found)
        hooks[name] = emit(value, len("    return "), 4)
    uses_decimal = "Decimal" in found
    found.discard("Decimal")
    source = call("Source", title=f"{city.city_name}, pages of the citizens' assembly",
                  url=city.website)
    return PluginCode(city, hooks, sorted(found), uses_decimal,
                      emit(source, len("CITY_SOURCE = "), 0))


def answers_json(answers: Mapping[str, Any]) -> str:
    """The answers a city gave, readable (accents kept) and in the questions' order.

    The generated project keeps them in cookiecutter-answers.json, which
    ``kleroterion new-city --answers`` reads back to bake the plugin again.
    """
    public = {key: value for key, value in answers.items() if not key.startswith("_")}
    return json.dumps(public, ensure_ascii=False, indent=2)


class CityExtension(Extension):
    """Jinja filters of the template: ``city_code``, ``pystr``, ``pyvalue``, ``instring``,
    ``answers_json``."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters["city_code"] = plugin_code
        environment.filters["pystr"] = literal
        # A Python value after ``column`` characters, e.g. ``SLUG = {{ slug | pyvalue(7) }}``.
        environment.filters["pyvalue"] = lambda value, column: emit(value, column, 0)
        # The inside of a double-quoted string: JSON's escapes are also TOML's.
        environment.filters["instring"] = lambda text: literal(str(text))[1:-1]
        environment.filters["answers_json"] = answers_json
