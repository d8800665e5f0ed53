"""Cities' configurations compared on the practitioners' questions, as typed open data.

The rows are the city model's own declaration: every field declared with
``fact(..., compare=...)`` in ``kleroterion.city.types`` (and its sibling modules) and
every derived fact of ``kleroterion.city.derived``, grouped by the ICPC question it
answers (``QUESTIONS``). No row is written here: a fact added to the model with
``compare=`` is a row everywhere (``kleroterion compare``, the comparison page, the
configuration open data, the observatory's static site).

``facts_of(config)`` reads one city: for each row a ``Fact`` with its status
(``known``, ``unknown`` or ``not_applicable``), its typed value (numbers, booleans,
ISO dates, enumeration keys, texts per language), its unit, its confidence and its
sources (title, date, address). ``document``/``read_document`` are the versioned JSON
form other instances publish at ``/api/open-data/configuration``; ``remote`` reads one.

A fact is *unknown* when the city's evidence says so, or when the city left it at the
model's default without citing a source: a practitioner must never read "no" where
nobody knows. It is *not applicable* when the field it depends on (``applies_if``) is
false, e.g. an indemnity's rate when members are not paid.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kleroterion.city import types as t
from kleroterion.city.derived import DERIVED
from kleroterion.city.schemas import is_localized, optional_type

SCHEMA_VERSION = 1
OPEN_DATA = "/open-data/configuration"
STATUSES = ("known", "unknown", "not_applicable")
#: How sure a known fact is; "unsourced": given by the city without evidence.
CONFIDENCES = ("verified", "approximate", "unsourced")

#: The sections compared, by their table name in a city's data file (the row keys'
#: prefix) and the attribute of ``CityConfig`` that holds each.
SECTIONS = {
    "profile": "profile",
    "composition": "composition",
    "mandate": "mandate",
    "indemnity": "indemnity",
    "accountability": "accountability",
    "institution": "institution",
}


@dataclass(frozen=True)
class Row:
    """One compared fact: ``section.field`` for a declared one, ``derived.key`` else."""

    key: str
    question: str
    label: t.Localized
    kind: str  # text, prose, boolean, number, money, share, month, date, enum, list, items...
    unit: str = ""
    item_class: type | None = None  # the dataclass of an ``items`` value
    enum: str = ""  # the field whose vocabulary names an enumeration's values


@dataclass(frozen=True)
class Fact:
    """One city's answer to one row, free of language: the page and the CLI word it."""

    status: str
    value: Any = None
    unit: str = ""
    confidence: str = ""
    sources: tuple[dict[str, str], ...] = ()
    note: t.Localized = field(default_factory=dict)


@dataclass(frozen=True)
class CityFacts:
    """A city's compared configuration: who it is, and a ``Fact`` per row key."""

    slug: str
    name: t.Localized  # the city's own name per language
    assembly_name: t.Localized
    languages: tuple[str, ...]
    currency: str
    facts: dict[str, Fact]


def _kind(item: dataclasses.Field[Any], hint: Any) -> tuple[str, type | None]:
    if is_localized(item):
        return "prose", None
    inner, _ = optional_type(hint)
    unit = str(item.metadata.get("unit", ""))
    origin = typing.get_origin(inner)
    if origin is typing.Literal:
        return "enum", None
    if origin is tuple:
        (element,) = typing.get_args(inner)[:1]
        if dataclasses.is_dataclass(element):
            return "items", element  # type: ignore[return-value]
        return "list", None
    if dataclasses.is_dataclass(inner) and isinstance(inner, type):
        return "items", inner
    if inner is bool:
        return "boolean", None
    if inner is Decimal:
        return ("money" if "currency" in unit else "share"), None
    if unit.startswith("month,"):
        return "month", None
    if unit == "ISO date":
        return "date", None
    if inner in (int, float):
        return "number", None
    return "text", None


def rows() -> tuple[Row, ...]:
    """Every compared fact, question by question, in the model's order."""
    found: list[Row] = []
    for table, attribute in SECTIONS.items():
        cls = _section_class(attribute)
        hints = typing.get_type_hints(cls)
        for item in dataclasses.fields(cls):
            question = item.metadata.get("question")
            if not question:
                continue
            kind, item_class = _kind(item, hints[item.name])
            unit = str(item.metadata.get("unit", ""))
            found.append(Row(f"{table}.{item.name}", question, dict(item.metadata["label"]),
                             kind, unit, item_class, item.name if kind == "enum" else ""))
    for derived in DERIVED:
        found.append(Row(f"derived.{derived.key}", derived.question, dict(derived.label),
                         derived.kind, derived.unit))
    order = list(t.QUESTIONS)
    return tuple(sorted(found, key=lambda row: order.index(row.question)))


def _section_class(attribute: str) -> type:
    return typing.get_type_hints(t.CityConfig)[attribute]  # type: ignore[no-any-return]



# -- one city's facts ---------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A model value as JSON-ready data: numbers stay numbers, dataclasses become objects."""
    if isinstance(value, bool) or value is None or isinstance(value, int | float | str):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {str(key): plain(inner) for key, inner in value.items()}
    if isinstance(value, tuple | list):
        return [plain(inner) for inner in value]
    if dataclasses.is_dataclass(value):
        return {item.name: plain(getattr(value, item.name)) for item in dataclasses.fields(value)
                if item.name not in ("sources", "evidence")}
    return str(value)


def _source(source: t.Source) -> dict[str, str]:
    return {"title": source.title, "date": source.date, "url": source.url}


def _cited(config: t.CityConfig, key: str) -> dict[str, str] | None:
    sections: list[Any] = [config.profile, config.composition, config.mandate,
                           config.indemnity, config.accountability, config.institution,
                           *config.bodies, *config.proposal_kinds]
    for section in sections:
        for source in section.sources:
            if source.key == key:
                return _source(source)
    return None


def _empty(value: Any) -> bool:
    return value is None or value in ("", {}, ())


def _unit(row: Row, config: t.CityConfig) -> str:
    """The unit of a value: ``EUR/half_day``, ``EUR/year``, ``EUR``, ``months``..."""
    currency = config.profile.currency
    if row.kind == "money":
        if row.unit == "currency per unit":
            return f"{currency}/{config.indemnity.unit}"
        if row.unit == "currency per year":
            return f"{currency}/year"
        return currency
    if row.kind == "share":
        return "share"
    if row.unit == "indemnity units":
        return config.indemnity.unit
    return row.unit


def _declared(row: Row, config: t.CityConfig) -> Fact:
    table, name = row.key.split(".", 1)
    section = getattr(config, SECTIONS[table])
    value = getattr(section, name)
    item = next(f for f in dataclasses.fields(section) if f.name == name)
    evidence = section.evidence.get(name)
    condition = item.metadata.get("applies_if")
    if condition and not getattr(section, condition):
        return Fact("not_applicable")
    if evidence is not None and evidence.confidence == "unknown":
        return Fact("unknown", note=dict(evidence.note))
    default = item.default
    if item.default_factory is not dataclasses.MISSING:
        default = item.default_factory()
    if evidence is None and (_empty(value) or value == default):
        return Fact("unknown")
    cited = _cited(config, evidence.source) if evidence is not None and evidence.source else None
    confidence = evidence.confidence if evidence is not None else "unsourced"
    shown = plain(value)
    if name == "paid_bodies":  # keys of the city's bodies: their names are what a reader needs
        labels = {body.key: dict(body.label) for body in config.bodies}
        shown = [labels.get(key, {"en": key}) for key in value]
    return Fact("known", shown, _unit(row, config), confidence,
                (cited,) if cited else (), dict(evidence.note) if evidence else {})


def _evidence_of(config: t.CityConfig, path: str) -> t.Evidence | None:
    table, _, name = path.partition(".")
    if table not in SECTIONS or not name:
        return None
    return getattr(config, SECTIONS[table]).evidence.get(name)  # type: ignore[no-any-return]


def _derived(row: Row, config: t.CityConfig) -> Fact:
    derived = next(d for d in DERIVED if f"derived.{d.key}" == row.key)
    value = derived.compute(config)
    evidences = [_evidence_of(config, path) for path in derived.inputs]
    if any(e is not None and e.confidence == "unknown" for e in evidences):
        return Fact("unknown")
    if value is None or value == []:
        facts = [_declared(r, config) for r in ROWS if r.key in derived.inputs]
        if any(f.status == "unknown" for f in facts):
            return Fact("unknown")
    given = [e for e in evidences if e is not None]
    confidence = ("approximate" if any(e.confidence == "approximate" for e in given)
                  else "verified" if given and len(given) == len(evidences) else "unsourced")
    sources = []
    for evidence in given:
        cited = _cited(config, evidence.source) if evidence.source else None
        if cited and cited not in sources:
            sources.append(cited)
    return Fact("known", plain(value), _unit(row, config), confidence, tuple(sources))


def facts_of(config: t.CityConfig) -> CityFacts:
    """One city's answer to every row."""
    facts = {row.key: (_derived if row.key.startswith("derived.") else _declared)(row, config)
             for row in ROWS}
    profile = config.profile
    return CityFacts(profile.slug, dict(profile.name), dict(profile.assembly_name),
                     tuple(profile.languages), profile.currency, facts)


# -- the open-data document ---------------------------------------------------------------


def document(city: CityFacts) -> dict[str, Any]:
    """The versioned JSON document of one city's compared configuration."""
    return {
        "schema_version": SCHEMA_VERSION,
        "city": {"slug": city.slug, "name": city.name, "assembly_name": city.assembly_name,
                 "languages": list(city.languages), "currency": city.currency},
        "facts": {key: {"status": fact.status, "value": fact.value, "unit": fact.unit,
                        "confidence": fact.confidence, "sources": list(fact.sources),
                        "note": fact.note}
                  for key, fact in city.facts.items()},
    }


class DocumentError(ValueError):
    """A document this build cannot read: ``code`` is schema_version or invalid."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


def _texts(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise DocumentError("invalid", f"{where}: expected texts by language")
    return dict(value)


def read_document(data: Any) -> CityFacts:
    """A city's facts from another instance's document, checked; ``DocumentError`` else.

    A row this build knows and the document lacks is unknown; a fact this build does
    not know (a newer instance's) is left out.
    """
    if not isinstance(data, dict):
        raise DocumentError("invalid", "not a JSON object")
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise DocumentError("schema_version", f"{version!r} (this build reads {SCHEMA_VERSION})")
    city, facts = data.get("city"), data.get("facts")
    if not isinstance(city, dict) or not isinstance(facts, dict):
        raise DocumentError("invalid", "expected the objects 'city' and 'facts'")
    slug = city.get("slug")
    if not isinstance(slug, str) or not slug:
        raise DocumentError("invalid", "city.slug: expected a text")
    read: dict[str, Fact] = {}
    for row in ROWS:
        given = facts.get(row.key)
        if given is None:
            read[row.key] = Fact("unknown")
            continue
        where = f"facts.{row.key}"
        if not isinstance(given, dict) or given.get("status") not in STATUSES:
            raise DocumentError("invalid", f"{where}.status: expected one of {STATUSES}")
        sources = given.get("sources") or []
        if not isinstance(sources, list) or not all(isinstance(s, dict) for s in sources):
            raise DocumentError("invalid", f"{where}.sources: expected a list of objects")
        confidence = given.get("confidence") or ""
        if confidence and confidence not in CONFIDENCES:
            raise DocumentError("invalid", f"{where}.confidence: {confidence!r}")
        value = given.get("value")
        if given["status"] == "known" and row.kind in ("number", "money", "share") and not (
                value is None or (isinstance(value, int | float)
                                  and not isinstance(value, bool))):
            raise DocumentError("invalid", f"{where}.value: expected a number")
        if given["status"] == "known" and row.kind == "boolean" and not isinstance(value, bool):
            raise DocumentError("invalid", f"{where}.value: expected true or false")
        read[row.key] = Fact(
            given["status"], value, str(given.get("unit") or ""), confidence,
            tuple({k: str(s.get(k) or "") for k in ("title", "date", "url")} for s in sources),
            _texts(given.get("note") or {}, f"{where}.note"))
    languages = city.get("languages") or []
    name = city.get("name") or slug
    # A document of an older instance names its city with one string, for every language.
    return CityFacts(slug, {"": name} if isinstance(name, str) else _texts(name, "city.name"),
                     _texts(city.get("assembly_name") or {}, "city.assembly_name"),
                     tuple(str(code) for code in languages if isinstance(code, str)),
                     str(city.get("currency") or ""), read)


#: The rows, read once from the declaration.
ROWS: tuple[Row, ...] = rows()
