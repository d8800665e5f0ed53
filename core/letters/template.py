"""The text of an invitation letter: kleroterion's defaults, overridden by the city's file.

``defaults.toml`` beside this module holds a letter in French, Dutch and English. A
city changes any part of it in a ``letters.toml`` (by default in the instance folder):
a language table (``[fr]``, ``[nl]``...) overrides that language's keys, and the top
level sets ``signatory`` (a text per language), ``logo`` (an image, relative to the
file), ``address_lines`` (the lines of the address block, with the mail-merge file's
columns as placeholders: ``["{prenom} {nom}", "{adresse}", "{code_postal} {ville}"]``)
and ``answer_url``. A key the letter does not know, a text where a list is expected or
a file that is not TOML stops the command naming the file, the key and what is
accepted, before any letter is written.
"""

from __future__ import annotations

import string
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kleroterion.services.errors import InvalidInput

DEFAULTS = Path(__file__).with_name("defaults.toml")
#: The keys of a language table, and whether each is a text (else a list of pairs).
TEXT_KEYS = ("subject", "salutation", "body", "closing", "answer_heading", "answer_text",
             "code_label", "faq_heading", "reminder")
TOP_KEYS = ("languages", "signatory", "logo", "address_lines", "answer_url")
#: Placeholders every text may use (the address lines use the mail-merge columns).
PLACEHOLDERS = ("assembly", "city", "url", "deadline", "code")
#: Columns tried, in order, for each default address line (case-insensitive).
ADDRESS_GUESSES = (
    (("civilite", "civilité", "titre", "title", "aanspreking"),
     ("prenom", "prénom", "first_name", "firstname", "voornaam"),
     ("nom", "name", "last_name", "lastname", "achternaam", "naam")),
    (("adresse", "address", "rue", "street", "straat", "adres"),),
    (("complement", "complément", "address2", "bus"),),
    (("code_postal", "cp", "postcode", "postal_code", "zip"),
     ("ville", "commune", "city", "gemeente", "localite", "localité")),
)


@dataclass(frozen=True)
class LanguageText:
    language: str
    texts: dict[str, str]
    faq: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class LetterTemplate:
    languages: dict[str, LanguageText]
    signatory: dict[str, str] = field(default_factory=dict)
    logo: Path | None = None
    address_lines: tuple[str, ...] = ()
    answer_url: str = ""
    source: str = "defaults"
    #: The languages of each letter, in order; empty: the city's (``letter_languages``).
    letter_languages: tuple[str, ...] = ()

    def languages_for(self, city_languages: tuple[str, ...]) -> list[str]:
        """The languages a letter is written in: the file's choice, else the city's
        languages but English (a courtesy of the site, not of a municipal letter), else
        the city's first."""
        chosen = list(self.letter_languages) or [
            code for code in city_languages if code != "en"] or list(city_languages[:1])
        return [code for code in chosen if code in self.languages]


def _refuse(where: str, key: str, problem: str, accepted: str) -> InvalidInput:
    return InvalidInput("%(file)s, key %(key)s: %(problem)s; accepted: %(accepted)s",
                        file=where, key=key, problem=problem, accepted=accepted)


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise InvalidInput("%(file)s is not valid TOML: %(problem)s", file=str(path),
                           problem=str(error)) from None
    except OSError as error:
        raise InvalidInput("%(file)s cannot be read (%(problem)s)", file=str(path),
                           problem=error.strerror or "") from None


def _check_placeholders(where: str, key: str, text: str) -> None:
    for _, name, _, _ in string.Formatter().parse(text):
        if name is not None and name not in PLACEHOLDERS:
            raise _refuse(where, key, f"unknown placeholder {{{name}}}",
                          ", ".join(f"{{{p}}}" for p in PLACEHOLDERS))


def _language(where: str, code: str, table: Any, base: LanguageText | None) -> LanguageText:
    if not isinstance(table, dict):
        raise _refuse(where, code, "is not a table", "a table of texts")
    texts = dict(base.texts) if base else {}
    faq = base.faq if base else ()
    for key, value in table.items():
        if key == "faq":
            if not (isinstance(value, list) and all(
                    isinstance(pair, list) and len(pair) == 2
                    and all(isinstance(part, str) for part in pair) for pair in value)):
                raise _refuse(where, f"{code}.faq", "is not a list of [question, answer]",
                              'faq = [["Question ?", "Réponse."], ...]')
            faq = tuple((question, answer) for question, answer in value)
            continue
        if key not in TEXT_KEYS:
            raise _refuse(where, f"{code}.{key}", "is not a key of a letter",
                          ", ".join((*TEXT_KEYS, "faq")))
        if not isinstance(value, str):
            raise _refuse(where, f"{code}.{key}", "is not a text", "a text")
        _check_placeholders(where, f"{code}.{key}", value)
        texts[key] = value.strip()
    missing = [key for key in TEXT_KEYS if not texts.get(key)]
    if missing:
        raise _refuse(where, code, f"lacks {', '.join(missing)}", ", ".join(TEXT_KEYS))
    return LanguageText(code, texts, faq)


def load(path: Path | None = None) -> LetterTemplate:
    """The letter: the defaults, with ``path`` (a city's letters.toml) over them."""
    defaults = _read(DEFAULTS)
    languages = {code: _language("defaults.toml", code, table, None)
                 for code, table in defaults.items()}
    if path is None:
        return LetterTemplate(languages)
    where = str(path)
    data = _read(path)
    signatory: dict[str, str] = {}
    logo: Path | None = None
    lines: tuple[str, ...] = ()
    url = ""
    chosen: tuple[str, ...] = ()
    for key, value in data.items():
        if key == "languages":
            if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
                raise _refuse(where, key, "is not a list of language codes", 'languages = ["fr"]')
            chosen = tuple(value)
        elif isinstance(value, dict) and key not in TOP_KEYS:
            languages[key] = _language(where, key, value, languages.get(key))
        elif key == "signatory":
            if isinstance(value, str):
                value = {code: value for code in languages}
            if not (isinstance(value, dict) and all(isinstance(v, str) for v in value.values())):
                raise _refuse(where, key, "is neither a text nor a table of texts",
                              'signatory = "…" or signatory = { fr = "…", nl = "…" }')
            signatory = dict(value)
        elif key == "logo":
            if not isinstance(value, str):
                raise _refuse(where, key, "is not a file name", "a PNG or JPEG file")
            logo = (path.parent / value).resolve()
            if not logo.is_file():
                raise _refuse(where, key, f"{value} does not exist",
                              "a PNG or JPEG file, relative to letters.toml")
        elif key == "address_lines":
            if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
                raise _refuse(where, key, "is not a list of texts",
                              'address_lines = ["{prenom} {nom}", "{adresse}"]')
            lines = tuple(value)
        elif key == "answer_url":
            if not (isinstance(value, str) and value.startswith(("https://", "http://"))):
                raise _refuse(where, key, f"{value!r} is not a web address",
                              "https://…")
            url = value
        else:
            raise _refuse(where, key, "is not a key of letters.toml",
                          ", ".join((*TOP_KEYS, "[fr]", "[nl]", "[en]")))
    unknown = [code for code in chosen if code not in languages]
    if unknown:
        raise _refuse(where, "languages", f"no text in {', '.join(unknown)}",
                      ", ".join(languages))
    return LetterTemplate(languages, signatory, logo, lines, url, where, chosen)


def address_lines(template: LetterTemplate, header: list[str], where: str) -> tuple[str, ...]:
    """The address block's lines: the template's, checked against the mail-merge columns,
    else guessed from the usual column names of French, Dutch and English registries."""
    folded = {column.casefold(): column for column in header}
    if template.address_lines:
        for line in template.address_lines:
            for _, name, _, _ in string.Formatter().parse(line):
                if name is not None and name.casefold() not in folded:
                    raise InvalidInput(
                        "%(template)s, key address_lines: %(file)s has no column %(column)s; "
                        "its columns: %(columns)s", template=template.source, file=where,
                        column=name, columns=", ".join(header))
        return tuple(template.address_lines)
    guessed = []
    for parts in ADDRESS_GUESSES:
        found = [next((folded[name] for name in names if name in folded), None)
                 for names in parts]
        present = [f"{{{column}}}" for column in found if column is not None]
        if present:
            guessed.append(" ".join(present))
    if not guessed:
        raise InvalidInput("%(file)s has no column the letters could address (a name, an "
                           "address); its columns: %(columns)s. Name the address lines in "
                           "letters.toml: address_lines = [\"{nom}\", \"{adresse}\"]",
                           file=where, columns=", ".join(header))
    return tuple(guessed)
