"""Prose of a session, a guest or a city event in each language of the city's site.

A session's place, agenda and minutes, a guest's organisation, an event's title,
place and summary are written by the secretariat, in as many languages as the site
offers (Brussels: French and Dutch; Paris and Poitiers: French, and English for
visitors). As with a mandate's name (``mandates.labels``), the column (``place``,
``agenda``...) holds the text in the city's first language and ``texts`` the others,
``{"place": {"nl": "..."}}``: rows written before there were several languages keep
their text as the first language's. A page shows the reader's language, else the
first language, marked with its language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from kleroterion.services.context import city
from kleroterion.services.errors import InvalidInput
from kleroterion.services.field_labels import field_label
from kleroterion.services.values import text_problem


class Written(Protocol):
    """A row with prose columns and their texts in other languages."""

    texts: dict[str, Any]


def languages_of(city_slug: str) -> tuple[str, ...]:
    """The languages a text may be written in: the city's own, then English."""
    return tuple(dict.fromkeys((*city(city_slug).config.profile.languages, "en")))


def checked(city_slug: str, given: Mapping[str, Mapping[str, str]] | None,
            limits: Mapping[str, int | None]) -> dict[str, dict[str, str]]:
    """``given`` (field -> language -> text), each field one of ``limits`` and each
    language one of the city's site, the texts stripped and within the field's limit.

    An empty text is kept (empty): it removes that language's text.
    """
    languages = languages_of(city_slug)
    found: dict[str, dict[str, str]] = {}
    for field, values in (given or {}).items():
        if field not in limits:
            raise InvalidInput("%(name)r has no text per language; accepted: %(accepted)s",
                               name=field_label(field), accepted=", ".join(limits), field=field)
        for language, text in values.items():
            if language not in languages:
                raise InvalidInput("the %(what)s in %(language)r: %(language)r is not a "
                                   "language of this city; accepted: %(languages)s",
                                   what=field_label(field), language=language,
                                   languages=", ".join(languages), field=field)
            unfit = text_problem(text)
            if unfit is not None:  # a NUL or a lone surrogate no database column holds
                raise InvalidInput("the %(name)s %(problem)s", name=f"{field} ({language})",
                                   problem=unfit, field=field)
            limit = limits[field]
            if limit is not None and len(text.strip()) > limit:
                raise InvalidInput("the %(language)s text of %(what)s has %(count)s "
                                   "characters, more than %(limit)s", language=language,
                                   what=field_label(field), count=len(text.strip()),
                                   limit=limit,
                                   field=field)
            found.setdefault(field, {})[language] = text.strip()
    return found


def first_language(city_slug: str) -> str:
    return city(city_slug).config.profile.languages[0]


def apply(row: Written, first: str, given: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    """Write checked texts on ``row``: the first language in its column, the others in
    ``texts``. Returns what changed, for the audit log (field -> language -> text)."""
    others = {field: dict(values) for field, values in (row.texts or {}).items()}
    changes: dict[str, Any] = {}
    for field, values in given.items():
        for language, text in values.items():
            if language == first:
                if getattr(row, field) != text:
                    setattr(row, field, text)
                    changes.setdefault(field, {})[language] = text
                continue
            kept = others.setdefault(field, {})
            if kept.get(language, "") != text:
                changes.setdefault(field, {})[language] = text
            if text:
                kept[language] = text
            else:
                kept.pop(language, None)
    # A new mapping: the JSON column does not see changes made inside the old one.
    row.texts = {field: values for field, values in others.items() if values}
    return changes


def texts_of(row: Written, field: str, first: str) -> dict[str, str]:
    """A field's text by language, the first language first; empty texts left out."""
    found = {first: str(getattr(row, field) or "")}
    found.update((row.texts or {}).get(field, {}))
    return {language: text for language, text in found.items() if text}


def all_texts(row: Written, fields: tuple[str, ...], first: str) -> dict[str, dict[str, str]]:
    return {field: texts_of(row, field, first) for field in fields}


def one_field(city_slug: str, field: str, text: str, by_language: Mapping[str, str] | None,
              limit: int | None) -> dict[str, dict[str, str]]:
    """One field's texts (``field`` -> language -> text), checked: ``by_language`` and,
    for the city's first language when ``by_language`` does not give it, ``text`` (the
    single-language value services took before there were several languages)."""
    given = checked(city_slug, {field: by_language} if by_language else None, {field: limit})
    first = first_language(city_slug)
    if text.strip() and not given.get(field, {}).get(first):
        given.setdefault(field, {})[first] = text.strip()
    return given
