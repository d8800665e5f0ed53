"""English messages that a page can render in its reader's language.

The domain speaks English: services, the command line and the logs show English
sentences. A :class:`Message` is such a sentence, and a ``str`` whose value is
exactly it (``template % params``), so that everything that reads it as text keeps
working. It also keeps its ``template`` (an English sentence with ``%(name)s`` or
``%(name)r`` placeholders) and its ``params``, so that the web interface can render
it through its catalogs: ``message.translated(gettext, language)`` looks the
template up and fills it with the same values.

Parameters are shown as they are (ids, dates, keys, file and column names, counts):
they are values, not prose. Three kinds are rendered in the reader's language:

* a parameter that is itself translatable (a ``Message``, a refusal, a located
  file problem: anything with a ``translated(gettext, language)`` method), rendered
  recursively;
* a ``Mapping`` of language codes to text (a city's ``Localized`` label), shown in
  the reader's language, in English in ``str()``;
* nothing else: a plain ``str`` parameter is never looked up in a catalog.

Templates are extracted by ``pybabel extract`` (see ``babel.cfg``) from the first
argument of ``Message(...)``, of the service errors' constructors, and of ``N_(...)``,
the marker of a template kept in a variable until it is used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Protocol, runtime_checkable

__all__ = ["N_", "Gettext", "Message", "Translatable", "translate"]

#: A catalog lookup: Flask-Babel's ``gettext``, ``gettext.gettext``, or ``str`` for English.
Gettext = Callable[[str], str]

#: The template of :meth:`Message.of`: the value as it is, never extracted nor translated.
_AS_IS = "%(text)s"


def N_(template: str) -> str:
    """Mark ``template`` for extraction; it is returned unchanged, translated when shown."""
    return template


@runtime_checkable
class Translatable(Protocol):
    """Something that renders itself through a catalog: a Message, a refusal, a file problem."""

    def translated(self, gettext: Gettext, language: str = "en") -> str: ...


def _localized(value: Mapping[object, object], language: str) -> str:
    for code in (language, "en"):
        if code in value:
            return str(value[code])
    return str(next(iter(value.values()), ""))


def _english(value: object) -> object:
    return _localized(value, "en") if isinstance(value, Mapping) else value


def _rendered(value: object, gettext: Gettext, language: str) -> object:
    if isinstance(value, Translatable):
        return value.translated(gettext, language)
    if isinstance(value, Mapping):
        return _localized(value, language)
    return value


class Message(str):
    """An English sentence (this ``str``) with the template and parameters it was made of.

    ``Message("member %(member)s is not seated", member=12)`` is the string
    ``"member 12 is not seated"``. Without parameters the template is the sentence
    as it is (a ``%`` in it is not a placeholder).
    """

    template: str
    params: Mapping[str, object]

    def __new__(cls, template: str, /, **params: object) -> Message:
        if params:
            text = template % {name: _english(value) for name, value in params.items()}
        else:
            text = template
        message = super().__new__(cls, text)
        message.template = str(template)
        message.params = params
        return message

    def translated(self, gettext: Gettext, language: str = "en") -> str:
        """The sentence through ``gettext``, its translatable parameters in ``language``."""
        if not self.template:
            return ""  # gettext("") is a catalog's header, not an empty string
        text = gettext(self.template)
        if not self.params:
            return text
        return text % {name: _rendered(value, gettext, language)
                       for name, value in self.params.items()}

    @classmethod
    def of(cls, value: object) -> Message:
        """``value`` as a Message: its own text, rendered as it renders itself."""
        if isinstance(value, Message):
            return value
        return cls(_AS_IS, text=value)

    @classmethod
    def joined(cls, separator: str, items: Iterable[object]) -> Message:
        """``separator.join(items)``, each item rendered as a parameter is.

        The separator is punctuation (", ", "; "), the same in every language.
        """
        values = list(items)
        glue = separator.replace("%", "%%")
        template = glue.join(f"%({index})s" for index in range(len(values)))
        return cls(template, **{str(index): value for index, value in enumerate(values)})

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (self.template, dict(self.params)))


def _rebuild(template: str, params: dict[str, object]) -> Message:
    return Message(template, **params)


def translate(value: object, gettext: Gettext, language: str = "en") -> str:
    """``value`` in ``language``: translated when it can be, else its text as it is."""
    if isinstance(value, Translatable):
        return value.translated(gettext, language)
    return str(value)
