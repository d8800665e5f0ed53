"""The city's word for one mandate, in the reader's language, and the phrases that agree with it.

Paris says « promotion », Poitiers « édition », Brussels « cycle » in French and
« cyclus » (plural « cycli ») in Dutch: the word, its plural and its gender come from
the city's configuration (``mandate.term_name``, ``term_plural``, ``term_gender``),
never from the interface. A phrase whose words agree with the term (« Toutes les
promotions », « Tous les cycles ») is translated once per gender, the gender being
the message's context (``pgettext``), so each language agrees as its grammar wants.
Templates reach it through the ``term()`` global (macros imported without context
see it too).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from flask_babel import format_number, get_locale, pgettext
from kleroterion.city.types import MandateRules, localize
from kleroterion.web.context import current_config
from kleroterion.web.i18n import current_language


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# Each phrase once per gender, spelled out so that the catalogs' extraction sees every
# context; English reads the same in all three.
PHRASES: dict[str, Callable[[str], str]] = {
    "all": lambda g: {
        "masculine": pgettext("masculine", "All %(terms)s"),
        "feminine": pgettext("feminine", "All %(terms)s"),
        "neuter": pgettext("neuter", "All %(terms)s"),
    }[g],
    "all_past_present": lambda g: {
        "masculine": pgettext("masculine", "All %(terms)s, past and present"),
        "feminine": pgettext("feminine", "All %(terms)s, past and present"),
        "neuter": pgettext("neuter", "All %(terms)s, past and present"),
    }[g],
    "none_yet": lambda g: {
        "masculine": pgettext("masculine", "Nothing has started yet: no %(term)s is under way."),
        "feminine": pgettext("feminine", "Nothing has started yet: no %(term)s is under way."),
        "neuter": pgettext("neuter", "Nothing has started yet: no %(term)s is under way."),
    }[g],
    "sessions_all": lambda g: {
        "masculine": pgettext("masculine", "The sessions of all %(terms)s, and the meetings "
                              "held for them."),
        "feminine": pgettext("feminine", "The sessions of all %(terms)s, and the meetings "
                             "held for them."),
        "neuter": pgettext("neuter", "The sessions of all %(terms)s, and the meetings "
                           "held for them."),
    }[g],
    "indemnities_all": lambda g: {
        "masculine": pgettext("masculine", "Indemnities paid, all %(terms)s together, by year"),
        "feminine": pgettext("feminine", "Indemnities paid, all %(terms)s together, by year"),
        "neuter": pgettext("neuter", "Indemnities paid, all %(terms)s together, by year"),
    }[g],
    "follow_up_lead": lambda g: {
        "masculine": pgettext("masculine", "What the authorities did with each act the "
                              "assembly adopted, in all %(terms)s: the responses they "
                              "owe, their commitments and their milestones."),
        "feminine": pgettext("feminine", "What the authorities did with each act the "
                             "assembly adopted, in all %(terms)s: the responses they "
                             "owe, their commitments and their milestones."),
        "neuter": pgettext("neuter", "What the authorities did with each act the "
                           "assembly adopted, in all %(terms)s: the responses they "
                           "owe, their commitments and their milestones."),
    }[g],
}


@dataclass(frozen=True)
class Term:
    """The term's word in one language: ``one``, ``many``, and its gender."""

    one: str
    many: str
    gender: str

    @property
    def One(self) -> str:
        return _capital(self.one)

    @property
    def Many(self) -> str:
        return _capital(self.many)

    def count(self, number: int) -> str:
        """« 1 promotion », « 3 cycli »: the number in the locale, the word in its plural."""
        locale = get_locale()
        form = locale.plural_form(number) if locale is not None else "other"
        return f"{format_number(number)}\u00a0{self.one if form == 'one' else self.many}"

    def phrase(self, key: str) -> str:
        """The phrase ``key`` agreeing with the term's gender."""
        return PHRASES[key](self.gender) % {"term": self.one, "terms": self.many}


def term_in(rules: MandateRules, language: str) -> Term:
    """The term of a city's mandates in ``language``, or in the language its name falls
    back to (as every label does), with that language's plural and gender."""
    names = rules.term_name
    used = language if language in names else "en" if "en" in names else next(iter(names), "")
    one = localize(names, used)
    return Term(one=one, many=rules.term_plural.get(used) or f"{one}s",
                gender=rules.term_gender.get(used, "masculine"))


def term() -> Term:
    """The current city's term in the page's language."""
    return term_in(current_config().mandate, current_language())


def init_app(app: Flask) -> None:
    app.add_template_global(term, "term")
