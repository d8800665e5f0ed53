"""The errors services raise: each carries one sentence a secretariat can act on.

Messages name ids, dates and keys the user gave, never personal data (names,
addresses, birth dates, contact details). ``field``, when set, names the service's
parameter the refusal is about, so that a form (or an API answer) can show it next
to the right input.

A refusal is written once, in English, as a template and its parameters, so that the
back office can show it in its reader's language while everything else reads English::

    raise InvalidInput("the due date %(due)s is before %(date)s",
                       due=due_on.isoformat(), date=on.isoformat(), field="due_on")

* ``message`` is an English sentence with ``%(name)s`` (or ``%(name)r``, where an
  f-string had ``!r``) placeholders; the keyword arguments other than ``field`` are
  its parameters (so no parameter is named ``field`` or ``message``). Write the
  template as a literal in the call: ``pybabel extract`` takes the first argument of
  these classes' constructors (the keywords of ``babel.cfg``), and a template kept in
  a variable is marked with :func:`kleroterion.messages.N_` where it is written.
* ``str(error)`` is ``message % params``, exactly what an f-string would have made:
  the command line, the logs, the JSON API and ``pytest.raises(match=...)`` read it.
* ``error.translated(gettext, language)`` renders it through a catalog (the web's
  ``refusal_text`` does, with Flask-Babel's ``gettext``); a template no catalog knows
  (a plugin's own) is shown in English.
* Parameters are values shown as they are: ids, dates, keys, file and column names,
  counts, lists of keys. A parameter that is English prose must be translatable too:
  prefer one whole sentence per case (two templates rather than a sentence with a
  ``"none"`` slot; a template per call of a helper rather than a phrase passed in),
  as translators need whole sentences; else pass a :class:`~kleroterion.messages.Message`
  (or another refusal), which is rendered in the reader's language. A city's
  ``Localized`` label may be a parameter: it is shown in the reader's language.
* A sentence that names a field names it by its label, never by its key:
  ``what=field_label("title")`` (:mod:`kleroterion.services.field_labels`, where
  every field a refusal is about has its French, English and Dutch label); the key
  stays in ``field``.
* Keep every message free of personal data: a parameter is shown on screens and
  written to logs. Quote what the user typed only when it cannot be personal.

New templates need a French and a Dutch translation in ``core/web/translations``
(``tests/web/test_translations.py`` says which are missing).
"""

from __future__ import annotations

from kleroterion.messages import Gettext, Message


class ServiceError(Exception):
    """A request the domain rules refuse; ``str(error)`` is the English sentence to show.

    ``message`` is an English template filled with ``params`` (see the module's
    docstring), or a ready :class:`~kleroterion.messages.Message` without params.
    """

    def __init__(self, message: str, *, field: str | None = None, **params: object) -> None:
        if isinstance(message, Message) and not params:
            self.message = message
        else:
            self.message = Message(message, **params)
        super().__init__(str(self.message))
        self.field = field

    @property
    def template(self) -> str:
        """The English template, as the catalogs know it."""
        return self.message.template

    @property
    def params(self) -> dict[str, object]:
        return dict(self.message.params)

    def translated(self, gettext: Gettext, language: str = "en") -> str:
        """The sentence in the language of ``gettext`` (Localized parameters in ``language``)."""
        return self.message.translated(gettext, language)


class NotFound(ServiceError):
    """An id or key that does not exist."""


class InvalidInput(ServiceError):
    """A value, a date or a file the rules do not accept."""


class NotAllowed(ServiceError):
    """An action the city's rules or the current state forbid."""


class ConflictError(ServiceError):
    """Someone else changed the same record since it was read; reload and try again."""
