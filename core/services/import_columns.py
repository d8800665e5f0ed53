"""The columns of a respondents file in the city's languages, mapped to its features.

A secretariat writes its spreadsheet in its own language: ``sexe``, ``diplôme``,
``prénom`` in Paris, ``geslacht``, ``gemeente`` in Brussels. A feature's column is
found under its key, under its label in any of the city's languages, or under the
usual words for the same criterion (:data:`FEATURE_WORDS`); a value under its key
or its label in any language. Case, accents and the spelling of word separators
are forgiven (``Diplome``, ``date-de-naissance``). A first name column is joined to
the name; any other column is reported as unknown with what is accepted, never
silently dropped. :func:`template` gives the header a file should have, in the
visitor's language, for the back office's downloadable template.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from kleroterion.city.types import CityConfig, Feature, SeatGroup, localize
from kleroterion.messages import Message
from kleroterion.sortition.reader import header_key

#: The usual words for common criteria, in French, Dutch and English.
FEATURE_WORDS: dict[str, tuple[str, ...]] = {
    "gender": ("sexe", "genre", "geslacht", "gender", "sex"),
    "age": ("age", "âge", "tranche_d_age", "tranche_age", "leeftijd", "leeftijdsgroep"),
    "diploma": ("diplome", "diplôme", "niveau_de_diplome", "niveau_diplome", "diploma",
                "opleiding", "opleidingsniveau", "education"),
    "arrondissement": ("arrondissement", "arrdt"),
    "commune": ("commune", "gemeente", "municipality"),
    "quartier": ("quartier", "wijk", "neighbourhood"),
}
#: A first name, joined before the name (``nom``) when both are given.
FIRST_NAME_COLUMNS = ("first_name", "prenom", "prénom", "voornaam", "given_name")
ID_COLUMNS = ("id", "identifiant", "identificatie", "reference", "référence")
#: The template's name of each personal column, per language.
PERSONAL_WORDS = {
    "fr": {"id": "identifiant", "first_name": "prénom", "name": "nom", "address": "adresse",
           "birth_date": "date_naissance", "email": "courriel", "phone": "téléphone",
           "family_quotient": "quotient_familial", "iban": "iban", "household": "foyer"},
    "nl": {"id": "identificatie", "first_name": "voornaam", "name": "naam",
           "address": "adres", "birth_date": "geboortedatum", "email": "e-mail",
           "phone": "telefoon", "family_quotient": "gezinsquotiënt", "iban": "iban",
           "household": "gezin"},
    "en": {"id": "id", "first_name": "first_name", "name": "name", "address": "address",
           "birth_date": "birth_date", "email": "email", "phone": "phone",
           "family_quotient": "family_quotient", "iban": "iban", "household": "household"},
}
#: Dutch names of the personal columns, read as well as the French and English ones.
DUTCH_PERSONAL = {"name": ("naam",), "address": ("adres",),
                  "birth_date": ("geboortedatum",), "email": ("e-mail", "e_mail"),
                  "phone": ("telefoon",), "family_quotient": ("gezinsquotient",)}


def fold(text: str) -> str:
    """A column name or value as compared: no accents, no case, one kind of separator."""
    decomposed = unicodedata.normalize("NFKD", header_key(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def find(header: Sequence[str], names: Iterable[str]) -> int | None:
    """The index of the first column of ``header`` named one of ``names`` (folded)."""
    wanted = {fold(name) for name in names}
    for index, column in enumerate(header):
        if fold(column) in wanted:
            return index
    return None


def feature_names(feature: Feature) -> tuple[str, ...]:
    """Every name a feature's column is found under."""
    return (feature.key, *feature.label.values(), *FEATURE_WORDS.get(feature.key, ()))


def feature_values(feature: Feature) -> dict[str, str]:
    """Each accepted spelling of the feature's values (folded) and the value's key."""
    accepted: dict[str, str] = {}
    for value in feature.values:
        for name in (value.key, *value.label.values()):
            accepted.setdefault(fold(name), value.key)
    return accepted


def template(config: CityConfig, group: SeatGroup, language: str,
             personal: Sequence[str]) -> list[str]:
    """The header of a respondents file for ``group``, in ``language``."""
    words = PERSONAL_WORDS.get(language, PERSONAL_WORDS["en"])
    features = {feature.key: feature for feature in config.composition.features}
    columns = [words["id"]]
    for key in group.features:
        feature = features.get(key)
        columns.append(localize(feature.label, language).lower() if feature else key)
    columns += [words["first_name"], *(words.get(field, field) for field in personal),
                words["household"]]
    return columns


def parse_iban(text: str) -> str:
    """An IBAN, checked (form, country, length, check digits) and written compactly.

    ``python-stdnum`` checks it, a well-kept library of standard numbers. The refusal
    (a ``ValueError`` holding a :class:`Message`) says what is wrong: the form, the
    country code, the length against the country's, or the check digits (a mistyped
    character); the value is personal data and never quoted, only its country code.
    """
    import re

    from stdnum import iban, numdb
    from stdnum.exceptions import InvalidChecksum, ValidationError

    compact = iban.compact(text)
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}", compact):
        raise ValueError(Message("not an IBAN: two letters of its country, two check digits, "
                                 "then up to 30 letters or digits"))
    country = compact[:2]
    found = numdb.get("iban").info(compact)[0][1]
    if not found:
        raise ValueError(Message("%(country)s is not the country code of an IBAN",
                                 country=country))
    expected = 4 + sum(int(n) for n in re.findall(r"(\d+)!?[anc]", found.get("bban", "")))
    if expected > 4 and len(compact) != expected:
        raise ValueError(Message("%(count)s characters, where an IBAN of %(country)s has "
                                 "%(expected)s", count=len(compact), country=country,
                                 expected=expected))
    try:
        return str(iban.validate(compact))
    except InvalidChecksum:
        raise ValueError(Message("the check digits do not match: a character is mistyped")) \
            from None
    except ValidationError:
        raise ValueError(Message("not the form of a bank account of %(country)s",
                                 country=country)) from None
