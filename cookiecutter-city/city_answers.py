"""The answers of cookiecutter-city: read and checked, every mistake named at once.

The pre-generation hook calls ``problems`` to refuse impossible answers before any
file is written; ``city_datafile`` turns the answers ``read`` returns into the
city's data file. A text a person reads may be answered per language
(``fr: Texte | en: Text``) or once, in the assembly's first language.

It imports only the standard library, because the template is baked before
kleroterion is necessarily installed; tests/newcity checks its mirrors of
kleroterion's vocabulary.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from city_presets import BODIES, CRITERIA, FOLLOW_UP_BODY, PROPOSAL_PRESETS, Texts

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
GENDERS = ("masculine", "feminine", "neuter")
SUBJECT_ORIGINS = ("assembly", "executive", "council", "call_for_subjects", "petition",
                   "previous_panel")


class AnswerError(ValueError):
    """One answer that cannot make a city plugin, with the question it answers."""

    def __init__(self, question: str, given: Any, message: str) -> None:
        self.question = question
        self.given = given
        super().__init__(f"{question} = {given!r}: {message}")




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


def _labels(answers: Mapping[str, Any], name: str, required: bool = True) -> Texts:
    """``fr: Texte | en: Text``, or one text (``{"": text}``: the first language's)."""
    raw = _text(answers, name)
    if not raw:
        if required:
            raise AnswerError(name, raw, "needs a text")
        return {}
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
    official_name: Texts
    council_name: Texts
    executive_name: Texts
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
    term_plural: Texts
    term_gender: Texts
    months_min: int
    months_max: int
    renewal_months: int
    subject_origins: list[str]
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
    legal_basis: Texts
    conditions: Texts
    annual_report: bool
    reporter: Texts
    audience: Texts
    deadlines: list[int]
    justify_rejections: bool
    owner_per_measure: bool
    follow_up_size: int
    follow_up_months: int
    follow_up_meetings: int
    consent: Texts
    answers_retention_months: int
    replacement_months: int | None
    personal_data_months: int | None

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
    # The name is written inside the generated module's docstring and the project's files.
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
    # Answers recorded before the question existed: the city's name, in every language.
    official_name = attempt(lambda: _labels(answers, "official_name", False), {}) or {"": name}
    term_name = attempt(lambda: _labels(answers, "term_name"), {"": "?"})
    term_plural = attempt(lambda: _labels(answers, "term_plural", False), {})
    term_gender = attempt(lambda: _labels(answers, "term_gender", False), {})
    wrong = sorted({gender for gender in term_gender.values() if gender not in GENDERS})
    check(not wrong, "term_gender", f"{', '.join(map(repr, wrong))}: write "
          f"{', '.join(GENDERS)}, per language as 'fr: feminine | nl: masculine'")
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
    origins = [item.lower() for item in _items(_text(answers, "subject_origins"))]
    unknown = [item for item in origins if item not in SUBJECT_ORIGINS]
    check(not unknown, "subject_origins", f"unknown {', '.join(map(repr, unknown))}; choose "
          f"among {', '.join(SUBJECT_ORIGINS)}, separated by commas (empty: any of them)")
    check(len(set(origins)) == len(origins), "subject_origins", "an origin is given twice")
    retention = attempt(lambda: _integer(answers, "answers_retention_months", 1), 24)
    months_or_none = {
        question: attempt(lambda question=question: _integer(answers, question)
                          if _text(answers, question) else None, None)
        for question in ("replacement_months", "personal_data_months")
    }
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
    prose = {
        question: attempt(lambda question=question: _labels(answers, question, False), {})
        for question in ("council_name", "executive_name", "legal_basis",
                         "indemnity_conditions", "reporter", "audience", "consent")
    }
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
        official_name=official_name,
        council_name=prose["council_name"] or {"fr": f"le conseil municipal de {name}",
                                               "en": f"the municipal council of {name}"},
        executive_name=prose["executive_name"] or {"fr": f"le maire et l'exécutif de {name}",
                                                   "en": f"the mayor and executive of {name}"},
        registry=registry, registry_size=registry_size, invitations=invitations, seats=seats,
        groups=groups, criteria=criteria, district_criterion=district_criterion,
        districts=district_list, minimum_age=minimum_age,
        open_volunteers=flags["open_volunteers"], term_name=term_name,
        term_plural=term_plural, term_gender=term_gender, months_min=months_min,
        months_max=months_max, renewal_months=renewal, subject_origins=origins,
        sessions=sessions,
        session_unit=session_unit, bodies=body_list, presets=presets, rate=rate, unit=unit,
        paid_bodies=paid_bodies, family_quotient_max=family_quotient, max_units=max_units,
        annual_ceiling=ceiling, rate_is_maximum=flags["rate_is_maximum"],
        childcare=flags["childcare"], legal_basis=prose["legal_basis"],
        conditions=prose["indemnity_conditions"],
        annual_report=flags["annual_report"],
        reporter=prose["reporter"] or {"fr": "les services concernés",
                                       "en": "the departments concerned"},
        audience=prose["audience"] or {"fr": "l'assemblée et le public",
                                       "en": "the assembly and the public"},
        deadlines=deadlines, justify_rejections=flags["justify_rejections"],
        owner_per_measure=flags["owner_per_measure"], follow_up_size=follow_up_size,
        follow_up_months=follow_up_months, follow_up_meetings=follow_up_meetings,
        consent=prose["consent"], answers_retention_months=retention,
        replacement_months=months_or_none["replacement_months"],
        personal_data_months=months_or_none["personal_data_months"],
    )
