"""marshmallow schemas of the JSON API: what each endpoint returns and which query it takes.

Response schemas are derived from the city model's declaration
(``kleroterion.city.types``): every declared field is dumped, documented by its
``fact`` metadata, so a field added to the model reaches the API and its OpenAPI
components without an edit here. A label is a
``Localized`` mapping, or a plain string when the request asked for one language
(``?lang=``); the language travels in marshmallow's context. Nothing here reads a
person: these schemas describe the city, never its residents. Query schemas are
built per request because their accepted values (languages, seat groups) are the
city's.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypedDict

from kleroterion.city.schemas import is_localized, optional_type
from kleroterion.city.types import (
    AccountabilityRules,
    Body,
    CityConfig,
    CityProfile,
    IndemnityPolicy,
    Localized,
    MandateRules,
    PanelComposition,
    ProposalKind,
    SeatGroup,
    Source,
    localize,
)
from kleroterion.compare import typical_year_amount
from kleroterion.web.charts import group_charts
from marshmallow import EXCLUDE, RAISE, Schema, fields, pre_dump, validate
from marshmallow.experimental.context import Context


class DumpContext(TypedDict):
    language: str | None


DumpContextVar = Context[DumpContext]


class LocalizedField(fields.Field[Any]):
    """A ``Localized`` label: the whole mapping, or its text in the requested language."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        language = DumpContextVar.get({"language": None})["language"]
        label: Localized = dict(value)
        return localize(label, language) if language else label


class BaseSchema(Schema):
    """Every response schema: read-only, ordered as declared, unknown input ignored."""

    class Meta:
        unknown = EXCLUDE


def _description(item: dataclasses.Field[Any]) -> dict[str, Any]:
    doc = item.metadata.get("doc", "")
    unit = item.metadata.get("unit", "")
    return {"description": f"{doc} ({unit})" if unit and doc else doc} if doc else {}


def _dump_inner(hint: Any, metadata: dict[str, Any]) -> fields.Field[Any]:
    hint, allow_none = optional_type(hint)
    origin = typing.get_origin(hint)
    options: dict[str, Any] = {"allow_none": allow_none, "metadata": metadata}
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return fields.Nested(dump_schema(hint), **options)
    if origin is typing.Literal:
        return fields.String(validate=validate.OneOf(typing.get_args(hint)), **options)
    if origin is tuple:
        return fields.List(_dump_inner(typing.get_args(hint)[0], {}), **options)
    if origin is dict:
        return fields.Dict(
            keys=fields.String(), values=_dump_inner(typing.get_args(hint)[1], {}), **options
        )
    if hint is Decimal:
        return fields.Decimal(as_string=True, **options)
    simple: dict[Any, type[fields.Field[Any]]] = {
        str: fields.String, bool: fields.Boolean, int: fields.Integer, float: fields.Float,
    }
    if hint in simple:
        return simple[hint](**options)
    raise TypeError(f"no API field for the type {hint!r}")


#: Component names kept from the hand-written schemas, so clients see no rename.
COMPONENT_NAMES: dict[type, str] = {
    PanelComposition: "Composition",
    MandateRules: "Mandate",
    IndemnityPolicy: "Indemnity",
    AccountabilityRules: "Accountability",
}

#: Derived fields some responses add to a declared dataclass (not stored facts).
ADDED: dict[type, Callable[[], dict[str, fields.Field[Any]]]] = {}

_DUMP: dict[type, type[Schema]] = {}


def dump_schema(cls: type) -> type[Schema]:
    """The API's response schema of one dataclass of the city model, derived from it.

    Every declared field is dumped, with its documentation as description; a
    ``Localized`` one as a ``LocalizedField`` (the mapping, or one language's text).
    """
    if cls in _DUMP:
        return _DUMP[cls]
    name = COMPONENT_NAMES.get(cls, cls.__name__) + "Schema"
    schema = type(name, (BaseSchema,), {})
    _DUMP[cls] = schema
    hints = typing.get_type_hints(cls)
    declared: dict[str, fields.Field[Any]] = {}
    for item in dataclasses.fields(cls):
        metadata = _description(item)
        if is_localized(item):
            declared[item.name] = LocalizedField(metadata=metadata)
        else:
            declared[item.name] = _dump_inner(hints[item.name], metadata)
    added = ADDED.get(cls)
    declared.update(added() if added else {})
    schema._declared_fields = declared  # type: ignore[attr-defined]
    return schema


class QuotaTargetSchema(BaseSchema):
    value = fields.String()
    label = LocalizedField()
    share = fields.Float(metadata={"description": "share of the population, 0 to 1"})
    proportional = fields.Float(metadata={"description": "exact proportional seats"})
    minimum = fields.Integer()
    maximum = fields.Integer()


class FeatureTargetsSchema(BaseSchema):
    feature = fields.String()
    label = LocalizedField()
    approximate = fields.Boolean()
    rows = fields.List(fields.Nested(QuotaTargetSchema), data_key="values")


ADDED[CityProfile] = lambda: {
    "site_languages": fields.List(
        fields.String(), metadata={"description": "languages the site offers"}
    )
}
ADDED[SeatGroup] = lambda: {
    "quota_targets": fields.List(
        fields.Nested(FeatureTargetsSchema),
        metadata={"description": "the group's quota targets, derived from the weights"},
    )
}
ADDED[IndemnityPolicy] = lambda: {
    "typical_year_amount": fields.Decimal(
        as_string=True,
        allow_none=True,
        metadata={"description": "what a fully present member earns in a typical year"},
    )
}

SourceSchema = dump_schema(Source)
CityProfileSchema = dump_schema(CityProfile)
BodySchema = dump_schema(Body)
MandateSchema = dump_schema(MandateRules)
ProposalKindSchema = dump_schema(ProposalKind)
IndemnitySchema = dump_schema(IndemnityPolicy)
AccountabilitySchema = dump_schema(AccountabilityRules)


class CompositionSchema(dump_schema(PanelComposition)):  # type: ignore[misc]
    """The panel's composition, with each seat group's derived quota targets."""

    @pre_dump
    def _with_targets(self, composition: PanelComposition, **kwargs: Any) -> dict[str, Any]:
        # Quota targets are derived, not stored: add them to each seat group.
        return {
            **vars(composition),
            "seat_groups": [
                {**vars(group), "quota_targets": group_charts(composition, group)}
                for group in composition.seat_groups
            ],
        }


#: The response schema of each section of the configuration, by its hook.
SECTION_SCHEMAS: dict[str, type[Schema]] = {
    "city_profile": CityProfileSchema,
    "panel_composition": CompositionSchema,
    "assembly_bodies": BodySchema,
    "mandate_rules": MandateSchema,
    "proposal_kinds": ProposalKindSchema,
    "indemnity_policy": IndemnitySchema,
    "accountability_rules": AccountabilitySchema,
}


class ErrorSchema(BaseSchema):
    """Every API error; ``message`` and ``errors`` only where there is something to say."""

    status = fields.Integer()
    error = fields.String(metadata={"description": "the HTTP status's name, or what was invalid"})
    message = fields.String(metadata={
        "optional": True, "description": "a sentence saying why the request was refused: "
                                         "English, or the language asked with lang"})
    field = fields.String(metadata={
        "optional": True, "description": "the body field the refusal is about, as the body "
                                         "names it (never translated)"})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"optional": True,
                  "description": "field-level messages, by query parameter or body field "
                                 "(nested fields as attendance.2.status)"},
    )


def indemnity_view(config: CityConfig) -> dict[str, Any]:
    """The indemnity policy with the derived typical yearly amount."""
    return {**vars(config.indemnity), "typical_year_amount": typical_year_amount(config)}


def profile_view(config: CityConfig, site_languages: Sequence[str]) -> dict[str, Any]:
    return {**vars(config.profile), "site_languages": list(site_languages)}


# -- query schemas ------------------------------------------------------------------


class QuerySchema(Schema):
    """Query parameters: an unknown one is an error, so a typo is not silently ignored."""

    class Meta:
        unknown = RAISE


def language_field(languages: Sequence[str]) -> fields.String:
    return fields.String(
        validate=validate.OneOf(list(languages)),
        metadata={"description": "return labels as text in this language instead of mappings"},
    )
