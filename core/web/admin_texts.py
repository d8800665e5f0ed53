"""Back-office forms that take a text in each language of the city.

The services take a secretariat's prose by language (``summaries=``, ``reasons=``,
``organisations=``, ``translations=``): the city's first language, then its others
and English for visitors (``services.texts.languages_of``). A form here shows one
field per such language, labelled with the language's name in the page's language
(``Motif (néerlandais)``), the first language's field being the form's own. A
language the city does not offer has no field, and a value posted under its name is
not read.

``with_languages`` adds those fields to a WTForms form class (``<field>_<code>``);
``by_language`` reads them back; ``without_first`` refuses a text given in other
languages only, naming the field: the first language's text is the one every
language translates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar, cast

from flask_babel import get_locale, gettext
from kleroterion.services import texts
from kleroterion.web.context import current_city
from wtforms import Field, StringField, TextAreaField
from wtforms.validators import Length

F = TypeVar("F")


def languages() -> list[str]:
    """The languages a text may be written in, the city's first language first."""
    return list(texts.languages_of(current_city().slug))


def others() -> list[str]:
    return languages()[1:]


def language_name(code: str) -> str:
    """A language's name in the page's language (``néerlandais`` on a French page)."""
    locale = get_locale()
    name = locale.languages.get(code) if locale is not None else None
    return str(name or code)


def labelled(text: str, code: str) -> str:
    """A field's label followed by its language: ``Reason (optional) (Dutch)``."""
    return str(gettext("%(label)s (%(language)s)", label=text, language=language_name(code)))


def with_languages(form_class: type[F], fields: Mapping[str, int | None],
                   long: Sequence[str] = ()) -> type[F]:
    """``form_class`` with a ``<field>_<code>`` field for each of the city's other
    languages and each of ``fields`` (name -> length limit, None: no limit); the fields
    named in ``long`` are text areas."""
    extra: dict[str, Field] = {}
    for name, limit in fields.items():
        kind = TextAreaField if name in long else StringField
        for code in others():
            validators = [Length(max=limit)] if limit is not None else []
            extra[f"{name}_{code}"] = kind(name, validators=validators,
                                           render_kw={"lang": code})
    return cast(type[F], type(form_class.__name__, (form_class,), extra))


def name_languages(form: F, fields: Sequence[str]) -> F:
    """Label each language's field of ``fields`` with its language (the first language's
    field too); returns ``form``."""
    codes = languages()
    bound: Any = form
    bound.base_labels = {}
    for name in fields:
        base = bound[name].label.text
        bound.base_labels[name] = str(base)
        bound[name].label.text = labelled(str(base), codes[0])
        bound[name].render_kw = {**(bound[name].render_kw or {}), "lang": codes[0]}
        for code in codes[1:]:
            bound[f"{name}_{code}"].label.text = labelled(str(base), code)
    return form


def language_fields(form: Any, name: str) -> list[Any]:
    """The fields of ``name`` in every language, the first language's first."""
    return [form[name], *(form[f"{name}_{code}"] for code in others())]


def by_language(form: Any, name: str) -> dict[str, str]:
    """The texts typed for ``name``, by language (an empty field gives an empty text)."""
    codes = languages()
    found = {codes[0]: (form[name].data or "").strip()}
    for code in codes[1:]:
        found[code] = (form[f"{name}_{code}"].data or "").strip()
    return found


def without_first(form: Any, name: str) -> bool:
    """Whether ``name`` is written in another language but not the first: the field is
    marked with the refusal (the first language's text is the one the others translate)."""
    typed = by_language(form, name)
    first = languages()[0]
    if typed[first] or not any(typed.values()):
        return False
    form[name].errors = [*form[name].errors, gettext(
        "%(field)s: write it in %(language)s too; the other languages translate it.",
        field=getattr(form, "base_labels", {}).get(name, name), language=language_name(first))]
    return True
