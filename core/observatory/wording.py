"""The compared facts in words, in French, English or Dutch.

A ``Fact`` is typed and free of language; ``Words(language)`` says it as a reader of
that language expects: numbers, money and dates in the locale's own form (« 44 € par
demi-journée », « 1 350 000 personnes »), enumerations by their names, a city's prose
in that language (else the city's own). Words come from the web interface's message
catalogs, so the comparison reads the same on a page and on a terminal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, get_month_names
from babel.numbers import format_currency, format_decimal, format_percent
from babel.support import Translations
from kleroterion.city.types import localize
from kleroterion.messages import N_
from kleroterion.observatory.configuration import Fact, Row

TRANSLATIONS = Path(__file__).parents[1] / "web" / "translations"
LANGUAGES = ("fr", "en", "nl")

#: Names of the model's enumerations (the same words as the city's site).
VOCABULARY: dict[str, str] = {
    "half_day": N_("half-day"), "day": N_("day"), "session": N_("session"), "hour": N_("hour"),
    "electoral_roll": N_("electoral roll"), "addresses": N_("addresses"),
    "residents_card": N_("holders of the residents' card"),
    "population_register": N_("population register"), "volunteers": N_("volunteers"),
    "stratified": N_("draw under quotas"), "uniform": N_("plain lottery"),
    "open": N_("open to every volunteer"),
    "drawn": N_("drawn by lot"), "chosen_by_members": N_("chosen by the members"),
    "appointed": N_("appointed"), "volunteer": N_("volunteers"), "elected": N_("elected"),
    "expert": N_("experts"), "guarantor": N_("guarantors"), "facilitator": N_("facilitators"),
    "government": N_("the government"), "council": N_("the council"),
    "executive": N_("the executive"), "assembly": N_("the assembly"),
    "panel": N_("the panel"),
    "consultative": N_("consultative"), "council_vote": N_("submitted to a council vote"),
    "adopted_as_proposed": N_("adopted as proposed"),
}
#: Fields of a listed object left out of its words: its key, its label (said first),
#: and details a comparison does not need (a quota's tolerance, an age bound).
SKIPPED = frozenset({"key", "label", "tolerance", "minimum_age", "maximum_age"})
PER: dict[str, str] = {
    "half_day": N_("per half-day"), "day": N_("per day"), "session": N_("per session"),
    "hour": N_("per hour"), "year": N_("per year"),
}


class Words:
    """The comparison's words in one language."""

    def __init__(self, language: str, fallback: bool = True) -> None:
        self.language = language if language in LANGUAGES else "fr"
        #: Whether a city's text missing in the language is shown in another one (the
        #: terminal); a page says instead that it is not written in its language, so
        #: that nothing in it reads in a language it does not declare.
        self.fallback = fallback
        self.catalog = Translations.load(str(TRANSLATIONS), [self.language], domain="messages")

    def gettext(self, text: str, **params: Any) -> str:
        translated = self.catalog.gettext(text)
        return translated % params if params else translated

    def ngettext(self, singular: str, plural: str, count: float) -> str:
        # A fraction (1.5 full-time equivalents) takes the plural, as French and Dutch do.
        number = int(count) if float(count).is_integer() else 2
        return self.catalog.ngettext(singular, plural, number) % {"num": self.number(count)}

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.language)

    def text(self, label: Any) -> str:
        if isinstance(label, dict):
            if label and self.language not in label and not self.fallback:
                return self.gettext("not written in this language")
            return localize(label, self.language)
        return "" if label is None else str(label)

    def name(self, key: str) -> str:
        return self.gettext(VOCABULARY[key]) if key in VOCABULARY else key

    def yes(self, value: bool) -> str:
        return self.gettext("yes") if value else self.gettext("no")

    def status(self, status: str) -> str:
        return self.gettext("unknown") if status == "unknown" else self.gettext("not applicable")

    def confidence(self, confidence: str) -> str:
        return {"approximate": self.gettext("estimate"),
                "unsourced": self.gettext("source not given")}.get(confidence, "")

    def money(self, value: float, unit: str) -> str:
        currency, _, per = unit.partition("/")
        pattern = Locale.parse(self.language).currency_formats["standard"].pattern
        if float(value).is_integer():  # 44 €, not 44,00 €
            pattern = pattern.replace(".00", "")
        amount = format_currency(value, currency or "EUR", pattern, locale=self.language,
                                 currency_digits=False)
        return f"{amount} {self.gettext(PER[per])}" if per in PER else amount

    def quantity(self, value: float, unit: str) -> str:
        counted = {
            "months": ("%(num)s month", "%(num)s months"),
            "people": ("%(num)s person", "%(num)s people"),
            "seats": ("%(num)s seat", "%(num)s seats"),
            "years": ("%(num)s year", "%(num)s years"),
            "days": ("%(num)s day", "%(num)s days"),
            "sessions": ("%(num)s session", "%(num)s sessions"),
            "session": ("%(num)s session", "%(num)s sessions"),
            "subjects": ("%(num)s subject", "%(num)s subjects"),
            "letters": ("%(num)s letter", "%(num)s letters"),
            "members": ("%(num)s member", "%(num)s members"),
            "meetings": ("%(num)s meeting", "%(num)s meetings"),
            "half_day": ("%(num)s half-day", "%(num)s half-days"),
            "day": ("%(num)s day", "%(num)s days"),
            "hour": ("%(num)s hour", "%(num)s hours"),
            "units": ("%(num)s unit", "%(num)s units"),
            "full-time equivalents": ("%(num)s full-time equivalent",
                                      "%(num)s full-time equivalents"),
        }
        if unit not in counted:
            return self.number(value)
        singular, plural = counted[unit]
        return self.ngettext(singular, plural, value)

    def _plural_words(self) -> None:  # pragma: no cover - the catalogs' entries, for pybabel
        self.ngettext("%(num)s month", "%(num)s months", 1)
        self.ngettext("%(num)s person", "%(num)s people", 1)
        self.ngettext("%(num)s seat", "%(num)s seats", 1)
        self.ngettext("%(num)s year", "%(num)s years", 1)
        self.ngettext("%(num)s day", "%(num)s days", 1)
        self.ngettext("%(num)s session", "%(num)s sessions", 1)
        self.ngettext("%(num)s subject", "%(num)s subjects", 1)
        self.ngettext("%(num)s letter", "%(num)s letters", 1)
        self.ngettext("%(num)s member", "%(num)s members", 1)
        self.ngettext("%(num)s meeting", "%(num)s meetings", 1)
        self.ngettext("%(num)s half-day", "%(num)s half-days", 1)
        self.ngettext("%(num)s hour", "%(num)s hours", 1)
        self.ngettext("%(num)s unit", "%(num)s units", 1)
        self.ngettext("%(num)s full-time equivalent", "%(num)s full-time equivalents", 1)

    @property
    def colon(self) -> str:
        """": " as the reader's language writes it (French: a no-break space before)."""
        return "\u00a0: " if self.language == "fr" else ": "

    @property
    def semicolon(self) -> str:
        """"; " as the reader's language writes it (French: a no-break space before)."""
        return "\u00a0; " if self.language == "fr" else "; "

    # -- one value ------------------------------------------------------------------------

    def _item(self, row: Row, item: dict[str, Any], currency: str) -> str:
        """One element of a list of objects (a seat group, a deadline, a committee)."""
        import dataclasses

        head = self.text(item.get("label")) if item.get("label") else ""
        details: list[str] = []
        fields = dataclasses.fields(row.item_class) if row.item_class else ()
        for declared in fields:
            name, value = declared.name, item.get(declared.name)
            unit = str(declared.metadata.get("unit", ""))
            if name in SKIPPED or value in (None, "", [], {}):
                continue
            if isinstance(value, bool | dict | list):
                continue
            if isinstance(value, int | float):
                details.append(self.money(value, currency) if unit == "currency"
                               else self.quantity(value, unit))
            elif isinstance(value, str) and value in VOCABULARY:
                details.append(self.name(value))
        if head and details:
            return f"{head} ({', '.join(details)})"
        return head or ", ".join(details)

    def value(self, row: Row, fact: Fact, currency: str = "EUR") -> str:
        """A known fact's value in words."""
        value, kind = fact.value, row.kind
        if row.key == "indemnity.paid_bodies" and not value:
            return self.gettext("every member")
        if row.key == "composition.minimum_age" and value == 0:  # 0 is "no minimum"
            return self.gettext("no minimum age")
        if value is None or value == [] or value == {}:
            return self.gettext("none")
        if kind == "boolean":
            return self.yes(bool(value))
        if kind == "money":
            return self.money(float(value), fact.unit or currency)
        if kind == "share":
            return format_percent(value, locale=self.language)
        if kind == "month":
            return str(get_month_names(locale=self.language)[int(value)])
        if kind == "date":
            import datetime as dt

            return format_date(dt.date.fromisoformat(str(value)), "long", locale=self.language)
        if kind == "number":
            return self.quantity(float(value), fact.unit)
        if kind == "enum":
            return self.name(str(value))
        if kind == "roles":
            return ", ".join(self.name(str(role)) for role in value)
        if kind == "acts":
            return self.semicolon.join(
                f"{self.text(act.get('label'))}{self.colon}{self.name(str(act.get('power')))}"
                for act in value if isinstance(act, dict))
        if row.key == "profile.country":
            return str(Locale.parse(self.language).territories.get(str(value), value))
        if kind == "list" and row.key.endswith(".languages"):
            return ", ".join(Locale.parse(str(code)).get_display_name(self.language) or code
                             for code in value)
        if kind == "list":
            return ", ".join(self.text(item) for item in value)
        if kind == "items":
            items = value if isinstance(value, list) else [value]
            return self.semicolon.join(self._item(row, item, currency) for item in items
                                       if isinstance(item, dict))
        return self.text(value)

    def cell(self, row: Row, fact: Fact, currency: str = "EUR") -> str:
        """The cell as a reader sees it: the value, marked when estimated; or its status."""
        if fact.status != "known":
            return self.status(fact.status)
        text = self.value(row, fact, currency)
        if fact.confidence == "approximate":
            text = f"{text} ({self.confidence('approximate')})"
        return text
