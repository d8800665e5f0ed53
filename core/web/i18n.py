"""Languages of a city's site: choosing the locale, the switcher, translated labels.

A site speaks the city's languages plus English, among those the interface has
catalogs for (French, English, Dutch): Paris fr and en, Brussels fr, nl and en. The
city's first language is the default. The locale comes from ``?lang=`` (the language
switcher's links, remembered in a cookie), then that cookie, then the browser's
preferences, then the default.

Interface strings are written in English in the code and templates and translated
through the catalogs in ``translations/``. City-provided labels and prose are ``Localized``
mappings shown with the ``l10n`` (or ``localize``) filter; a text missing in the
page's language falls back to English and is marked ``lang="en"`` so that screen
readers switch voice (RGAA 8.7).
The services' refusals are English templates with parameters, shown translated
with ``refusal_text``.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode

from babel import Locale
from flask import Flask, Response, current_app, request
from flask_babel import (
    Babel,
    format_date,
    format_datetime,
    format_decimal,
    get_locale,
    gettext,
    lazy_gettext,
    ngettext,
    to_user_timezone,
)
from kleroterion.city.types import CityConfig, Localized, localize
from kleroterion.messages import translate
from kleroterion.services.texts import Written, texts_of
from kleroterion.web.context import city_of, current_config
from markupsafe import Markup, escape

TRANSLATIONS = Path(__file__).parent / "translations"
LANG_PARAM = "lang"
LANG_COOKIE = "lang"
LANG_COOKIE_AGE = 365 * 24 * 3600

#: Languages the interface has catalogs for (English is the source language),
#: each named in its own language for the switcher.
INTERFACE_LANGUAGES: dict[str, str] = {"fr": "Français", "en": "English", "nl": "Nederlands"}

#: The locale whose conventions (dates, times, numbers) a language's pages follow, where
#: it is not the language's default: English pages are written as British and European
#: institutions write (« 1 April 2026 », « 14:00 »), not American (« April 1, 2026 »).
LOCALE_OF: dict[str, str] = {"en": "en_GB"}

babel = Babel()


def site_languages(config: CityConfig) -> tuple[str, ...]:
    """The languages a city's site offers: the city's own, then English."""
    wanted = [*config.profile.languages, "en"]
    offered: list[str] = []
    for code in wanted:
        if code in INTERFACE_LANGUAGES and code not in offered:
            offered.append(code)
    return tuple(offered)


def default_language(config: CityConfig) -> str:
    return site_languages(config)[0]


def requested_language() -> str | None:
    """The language asked for by the switcher's ``?lang=``, if the site offers it."""
    code = request.args.get(LANG_PARAM, "")
    return code if code in site_languages(current_config()) else None


def select_locale() -> str:
    """Flask-Babel's locale selector."""
    offered = site_languages(current_config())
    chosen = requested_language()
    if not chosen:
        cookie = request.cookies.get(LANG_COOKIE, "")
        chosen = cookie if cookie in offered else (
            request.accept_languages.best_match(offered) or offered[0])
    return LOCALE_OF.get(chosen, chosen)


#: A day of the month written alone before the month's name or abbreviation.
_FIRST_DAY = re.compile(r"(?<![\d:])1(?=[\s\u00a0\u202f][^\W\d])")


def _first_of_month(text: str, day: int) -> str:
    """« 1er avril 2026 »: French writes the first day of a month as an ordinal."""
    if day != 1 or current_language() != "fr":
        return text
    return _FIRST_DAY.sub("1er", text, count=1)


def date_text(value: dt.date | None, format: str = "medium") -> str:
    """A date as the page's locale writes it (the ``dateformat`` filter), the first of
    a month « 1er » in French."""
    if value is None:
        return ""
    day = (to_user_timezone(value) if isinstance(value, dt.datetime) else value).day
    return _first_of_month(format_date(value, format), day)


def datetime_text(value: dt.datetime | None, format: str = "medium") -> str:
    """A date and time as the page's locale writes them (the ``datetimeformat`` filter),
    the first of a month « 1er » in French."""
    if value is None:
        return ""
    return _first_of_month(format_datetime(value, format), to_user_timezone(value).day)


def file_size(size: int) -> str:
    """A file's size as the page's language writes it: « 108 octets », « 1,2 Mo » in
    French (Jinja's ``filesizeformat`` writes English: « 108 Bytes », « 1.2 MB »)."""
    if size < 1000:
        return str(ngettext("%(num)s byte", "%(num)s bytes", size))
    if size < 1000 * 1000:
        return str(gettext("%(size)s kB", size=format_decimal(round(size / 1000, 1))))
    return str(gettext("%(size)s MB", size=format_decimal(round(size / 1000 / 1000, 1))))


def document_date(text: str) -> str:
    """A source's date as the page writes dates (« 13 mars 2025 »), when it is an ISO date;
    a period (« 2021/2025 ») or a year stays as written."""
    try:
        return date_text(dt.date.fromisoformat(text), "long")
    except ValueError:
        return text.replace("/", "–") if re.fullmatch(r"\d{4}/\d{4}", text) else text


def language_name(code: str) -> str:
    """A language's name in the page's language, as Babel (CLDR) writes it: « français,
    anglais » on a French page, « Frans, Nederlands » on a Dutch one."""
    return Locale.parse(code).get_display_name(current_language()) or code


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "en"


def _remember_language(response: Response) -> Response:
    chosen = requested_language()
    if chosen and request.cookies.get(LANG_COOKIE) != chosen:
        response.set_cookie(
            LANG_COOKIE,
            chosen,
            max_age=LANG_COOKIE_AGE,
            secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
            httponly=True,
            samesite="Lax",
        )
    # Pages differ by language: shared caches must not serve one to another.
    response.vary.add("Cookie")
    response.vary.add("Accept-Language")
    return response


def switcher_url(code: str) -> str:
    """The current page in language ``code``."""
    args = {key: value for key, value in request.args.items() if key != LANG_PARAM}
    args[LANG_PARAM] = code
    return f"{request.path}?{urlencode(args)}"


# -- city labels --------------------------------------------------------------------


def _label_language(label: Localized, language: str) -> str:
    if language in label:
        return language
    if "en" in label:
        return "en"
    return next(iter(label), language)


#: The first word of a text, after an opening tag (a label marked with its language).
_FIRST_WORD = re.compile(r"^((?:<[^>]+>)?)(\w[\w'-]*)")


def _lowered(word: str) -> str:
    """A capitalised common noun lowered (« Panel » → « panel »); an acronym or a word
    with a capital inside (« CPAS », « McLean ») is a name and keeps its letters."""
    if len(word) > 1 and (word.isupper() or any(c.isupper() for c in word[1:])):
        return word
    return word[:1].lower() + word[1:]


def in_sentence(text: str) -> str:
    """A seat group's or a body's name put inside a sentence: « Quotadoelen …, panel van
    de cyclus », « Wie zetelt in opvolgingscomité ». Those labels are common nouns the
    city writes capitalised for a heading; a plain text stays plain, a marked one
    (``l10n``) stays marked."""
    lowered = _FIRST_WORD.sub(lambda m: m.group(1) + _lowered(m.group(2)), str(text), count=1)
    return Markup(lowered) if isinstance(text, Markup) else lowered


def l10n_text(label: Localized) -> str:
    """A city label as plain text in the current language (titles, attributes)."""
    return localize(label, current_language())


class Labelled(Protocol):
    """A record named in the city's first language, and in others (a mandate)."""

    label: str
    labels: dict[str, str]


def mandate_label(mandate: Labelled) -> str:
    """A mandate's name in the page's language (« cyclus 2026 »), else as it was opened."""
    return mandate.labels.get(current_language()) or mandate.label


@dataclass(frozen=True)
class Said:
    """A secretariat's text (a session's place, an event's summary) as a page shows it:
    in the page's language, else in the first language written, then marked ``lang``."""

    text: str = ""
    #: The text's language when it is not the page's (a fallback), else None.
    lang: str | None = None

    def __bool__(self) -> bool:
        return bool(self.text)

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> Markup:
        if self.lang:
            return Markup('<span lang="{}">{}</span>').format(self.lang, self.text)
        return Markup(escape(self.text))

    def paragraphs(self) -> list[str]:
        return self.text.split("\n\n") if self.text else []


def said(texts: Mapping[str, str], language: str | None = None) -> Said:
    """``texts`` (language -> text, the city's first language first) in ``language``
    (the page's by default), else the first one written, marked with its language."""
    wanted = language or current_language()
    if texts.get(wanted):
        return Said(texts[wanted])
    for code, text in texts.items():
        if text:
            return Said(text, code)
    return Said()


def l10n(label: Localized) -> Markup:
    """A city label in the current language, marked with its language if it differs."""
    language = current_language()
    text = localize(label, language)
    used = _label_language(label, language)
    if used != language:
        return Markup('<span lang="{}">{}</span>').format(used, text)
    return Markup(escape(text))


#: Markup's tags and what is not a letter or a digit, set aside when two names are compared.
_TAG = re.compile(r"<[^>]+>")
_NOT_WORD = re.compile(r"[^\w]+")


def _plain(text: object) -> str:
    """A name as words only: no markup, no case, no punctuation, single spaces."""
    shown = text.__html__() if hasattr(text, "__html__") else escape(str(text))
    unmarked = html.unescape(_TAG.sub(" ", str(shown)))
    return " ".join(_NOT_WORD.sub(" ", unmarked.casefold()).split())


def repeats(said_already: object, added: object) -> bool:
    """Whether ``added`` (a kind, a body, a note a page would append in parentheses)
    only repeats what ``said_already`` says: « Opvolgingsvergadering 2 » already says
    « Opvolgingsvergadering », « Réunion du comité de suivi » « Comité de suivi »,
    « Atelier Exploration » its body « Atelier Exploration ». Markup, case and
    punctuation aside, whole words only; an empty ``added`` adds nothing either."""
    inner = _plain(added)
    return not inner or f" {inner} " in f" {_plain(said_already)} "


def refusal_text(refusal: object) -> str:
    """A service's refusal (or a file's problem) as plain text in the current language.

    Services raise English templates with their parameters (``services.errors``);
    this renders them through the interface's catalogs. A sentence no catalog knows
    (a plugin's own) is shown in English.
    """
    return translate(refusal, gettext, current_language())


def in_language(text: str, language: str) -> Said:
    """A text written in one ``language`` (a cited document's title): marked with it on
    pages in another language; unmarked when its language is not known."""
    return said({language: text} if language else {current_language(): text})


def title_of(row: Written) -> Said:
    """An act's or an attachment's title in the page's language, else in the city's
    first language (or the first written), marked with its language."""
    return field_of(row, "title")


def field_of(row: Written, field: str) -> Said:
    """A row's text (its column and ``texts``) in the page's language, else in the
    city's first language (or the first written), marked with its language."""
    return said(texts_of(row, field, current_config().profile.languages[0]))


def english(text: str) -> Markup:
    """A plugin's English-only prose, marked as English on other pages."""
    if current_language() == "en" or not text:
        return Markup(escape(text))
    return Markup('<span lang="en">{}</span>').format(text)


# -- the core's own vocabulary --------------------------------------------------------

_ = lazy_gettext

REGISTRY_NAMES: Mapping[str, Any] = {
    "electoral_roll": _("electoral roll"),
    "addresses": _("addresses"),
    "residents_card": _("holders of the residents' card"),
    "population_register": _("population register"),
    "volunteers": _("volunteers"),
}
SELECTION_NAMES: Mapping[str, Any] = {
    "stratified": _("draw under quotas"),
    "uniform": _("plain lottery"),
    "open": _("open to every volunteer"),
}
BODY_SELECTION_NAMES: Mapping[str, Any] = {
    "drawn": _("drawn by lot"),
    "chosen_by_members": _("chosen by the members"),
    "appointed": _("appointed"),
    "volunteer": _("volunteers"),
    "elected": _("elected"),
}
ROLE_NAMES: Mapping[str, Any] = {
    "member": _("panel members"),
    "volunteer": _("open volunteers"),
    "elected": _("elected officials"),
    "elected_opposition": _("elected officials of the opposition"),
    "agent": _("civil servants"),
    "facilitator": _("facilitators"),
    "guarantor": _("guarantors"),
    "expert": _("experts"),
}
ACTOR_NAMES: Mapping[str, Any] = {
    "assembly": _("the assembly"),
    "secretariat": _("the secretariat"),
    "executive": _("the executive"),
    "council": _("the council"),
    "government": _("the government"),
    "citizens": _("the citizens"),
}
OUTCOME_NAMES: Mapping[str, Any] = {
    "adopted": _("adopted"),
    "rejected": _("rejected"),
    "withdrawn": _("withdrawn"),
    "answered": _("answered"),
}
PER_UNIT: Mapping[str, Any] = {
    "half_day": _("per half-day"),
    "day": _("per day"),
    "session": _("per session"),
    "hour": _("per hour"),
}


def vocabulary(table: Mapping[str, Any], key: str) -> Markup:
    """A core enumeration's name in the current language; unknown keys stay as given."""
    if key in table:
        return Markup(escape(str(table[key])))
    return english(key)


def plural_count(value: float) -> int:
    """The count to give ``ngettext`` for a decimal ``value``: French writes « 1,5 siège »
    (singular below 2), English and Dutch « 1.5 seats » (CLDR's plural rules)."""
    locale = get_locale()
    form = locale.plural_form(value) if locale is not None else "other"
    return 1 if form == "one" else 2


def unit_count(unit: str, count: float) -> str:
    """``count`` units, e.g. "18 half-days", in the current language."""
    number = int(count) if float(count).is_integer() else count
    if unit == "half_day":
        return str(ngettext("%(num)s half-day", "%(num)s half-days", number))
    if unit == "day":
        return str(ngettext("%(num)s day", "%(num)s days", number))
    if unit == "hour":
        return str(ngettext("%(num)s hour", "%(num)s hours", number))
    return str(ngettext("%(num)s session", "%(num)s sessions", number))


def _template_context() -> dict[str, Any]:
    language = current_language()
    config = current_config()
    return {
        "lang": language,
        "site_languages": [
            {
                "code": code,
                "name": INTERFACE_LANGUAGES[code],
                "url": switcher_url(code),
                "current": code == language,
            }
            for code in site_languages(config)
        ],
        "assembly_name": localize(config.profile.assembly_name, language),
        "city_name": l10n(config.profile.name),
        "city": config.profile,
    }


def init_app(app: Flask) -> None:
    """Install Flask-Babel with the city's languages and the template helpers."""
    config = city_of(app).config
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(
        app,
        default_locale=LOCALE_OF.get(default_language(config), default_language(config)),
        default_timezone=config.profile.timezone,
        locale_selector=select_locale,
    )
    app.after_request(_remember_language)
    app.add_template_filter(date_text, "dateformat")
    app.add_template_filter(datetime_text, "datetimeformat")
    app.add_template_filter(file_size, "filesizeformat")
    app.add_template_filter(document_date, "document_date")
    app.context_processor(_template_context)
    app.add_template_filter(l10n, "l10n")
    # A city's prose (a Localized text) in the page's language: the same as l10n,
    # named for what templates use it for.
    app.add_template_filter(l10n, "localize")
    app.add_template_filter(l10n_text, "l10n_text")
    app.add_template_filter(in_sentence, "in_sentence")
    # A secretariat's text by language (an answer's summary, a move's reason).
    app.add_template_filter(said, "said")
    app.add_template_filter(in_language, "in_language")
    app.add_template_filter(title_of, "title_of")
    app.add_template_filter(field_of, "field_of")
    app.add_template_filter(mandate_label, "mandate_label")
    app.add_template_filter(english, "en")
    app.add_template_global(vocabulary)
    app.add_template_global(language_name)
    app.add_template_global(unit_count)
    app.add_template_global(plural_count)
    app.add_template_global(repeats)
    app.jinja_env.globals["names"] = {
        "registry": REGISTRY_NAMES,
        "selection": SELECTION_NAMES,
        "body_selection": BODY_SELECTION_NAMES,
        "role": ROLE_NAMES,
        "actor": ACTOR_NAMES,
        "outcome": OUTCOME_NAMES,
        "per_unit": PER_UNIT,
    }
