"""The name of each field a service's refusal is about, in the reader's language.

A refusal keeps the service's parameter it is about as ``field`` (a key: the forms
put the message next to that input, the API answers it as it is). When the sentence
itself names the field, it names it with :func:`field_label`, never with the key::

    raise InvalidInput("the %(name)s %(problem)s", name=field_label(field),
                       problem=unfit, field=field)

A label is a mapping of language codes to text, so a :class:`~kleroterion.messages.Message`
shows it in the reader's language and ``str(error)`` (the command line, the logs) in
English. ``tests/services/test_field_labels.py`` walks every ``field=`` of
``core/services`` and fails on a field with no label in French, English and Dutch,
or on a sentence that names a field by its key.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["FIELD_LABELS", "LANGUAGES", "field_label"]

#: The languages every label is written in.
LANGUAGES = ("en", "fr", "nl")


def _label(en: str, fr: str, nl: str) -> Mapping[str, str]:
    return {"en": en, "fr": fr, "nl": nl}


#: Every field a service names in a refusal, by key. French: a public administration's
#: words; Dutch: the Brussels region's.
FIELD_LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "abstentions": _label("abstentions", "abstentions", "onthoudingen"),
    "address": _label("address", "adresse", "adres"),
    "agenda": _label("agenda", "ordre du jour", "agenda"),
    "amount": _label("amount", "montant", "bedrag"),
    "answers_until": _label("last day to answer", "dernier jour pour répondre",
                            "laatste dag om te antwoorden"),
    "birth_date": _label("birth date", "date de naissance", "geboortedatum"),
    "body": _label("body", "instance", "orgaan"),
    "channel": _label("channel", "canal", "kanaal"),
    "code": _label("code", "code", "code"),
    "consent": _label("consent", "consentement", "toestemming"),
    "deadline_key": _label("response deadline", "délai de réponse", "antwoordtermijn"),
    "department": _label("department", "service", "dienst"),
    "due_on": _label("due date", "échéance", "vervaldatum"),
    "duration": _label("duration", "durée", "duur"),
    "email": _label("e-mail", "courriel", "e-mail"),
    "end": _label("end", "fin", "einde"),
    "ends_at": _label("end time", "heure de fin", "einduur"),
    "ends_on": _label("end date", "date de fin", "einddatum"),
    "external_id": _label("identifier", "identifiant", "identificatiecode"),
    "family_quotient": _label("family quotient", "quotient familial", "gezinsquotiënt"),
    "feature": _label("criterion", "critère", "criterium"),
    "file": _label("file", "fichier", "bestand"),
    "format": _label("format", "format", "formaat"),
    "full_text": _label("full text", "texte intégral", "volledige tekst"),
    "guardian": _label("guardian's agreement", "accord du représentant légal",
                       "toestemming van de voogd"),
    "iban": _label("IBAN", "IBAN", "IBAN"),
    "organisation": _label("organisation", "organisme", "organisatie"),
    "invitation_draw_id": _label("invitation draw", "tirage des invitations",
                                 "loting van de uitnodigingen"),
    "key": _label("key", "clé", "sleutel"),
    "kind": _label("kind", "type", "soort"),
    "label": _label("name", "nom", "naam"),
    "labels": _label("names in other languages", "noms dans d'autres langues",
                     "namen in andere talen"),
    "lang": _label("language", "langue", "taal"),
    "language": _label("language", "langue", "taal"),
    "mailmerge": _label("mail-merge file", "fichier de publipostage",
                        "mailmergebestand"),
    "mandate": _label("mandate", "mandat", "mandaat"),
    "minutes": _label("minutes", "compte rendu", "verslag"),
    "mandate_ids": _label("mandates", "mandats", "mandaten"),
    "max": _label("maximum", "maximum", "maximum"),
    "min": _label("minimum", "minimum", "minimum"),
    "name": _label("name", "nom", "naam"),
    "note": _label("how it came", "origine détaillée", "hoe het tot stand kwam"),
    "on": _label("date", "date", "datum"),
    "optional": _label("optional", "facultative", "facultatief"),
    "origin": _label("origin", "origine", "herkomst"),
    "phone": _label("telephone", "téléphone", "telefoon"),
    "place": _label("place", "lieu", "plaats"),
    "progress": _label("progress", "avancement", "voortgang"),
    "proposed_on": _label("date proposed", "date de proposition", "datum van voorstel"),
    "purpose": _label("purpose", "objet", "doel"),
    "reason": _label("reason", "motif", "reden"),
    "reference": _label("reference", "référence", "referentie"),
    "responsible": _label("person responsible", "responsable", "verantwoordelijke"),
    "role": _label("role", "rôle", "rol"),
    "start": _label("start", "début", "begin"),
    "status": _label("status", "état", "status"),
    "strata": _label("strata", "strates", "strata"),
    "subject": _label("subject", "sujet", "onderwerp"),
    "summary": _label("summary", "résumé", "samenvatting"),
    "tabled_by": _label("tabled by", "déposé par", "ingediend door"),
    "text": _label("text", "texte", "tekst"),
    "title": _label("title", "titre", "titel"),
    "url": _label("web address", "adresse web", "webadres"),
    "value": _label("value", "valeur", "waarde"),
    "verdict": _label("verdict", "appréciation", "beoordeling"),
    "votes_against": _label("votes against", "voix contre", "stemmen tegen"),
    "votes_for": _label("votes for", "voix pour", "stemmen voor"),
    "workshop": _label("workshop", "atelier", "werkgroep"),
    "year": _label("year", "année", "jaar"),
})


def field_label(field: str) -> Mapping[str, str]:
    """The label of ``field`` by language (a plugin's unknown field: its key, in English).

    A new dict each time (a refusal's parameters are pickled with it, and nobody
    changes the registry through one).
    """
    return dict(FIELD_LABELS.get(field) or {"en": field})
