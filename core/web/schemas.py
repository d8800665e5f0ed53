"""marshmallow schemas of the JSON API: what each endpoint returns and which query it takes.

Response schemas dump the city's configuration dataclasses as they are. A label is a
``Localized`` mapping, or a plain string when the request asked for one language
(``?lang=``); the language travels in marshmallow's context. Nothing here reads a
person: these schemas describe the city, never its residents. Query schemas are
built per request because their accepted values (languages, seat groups) are the
city's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict

from kleroterion.city.types import CityConfig, Localized, PanelComposition, localize
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


class SourceSchema(BaseSchema):
    title = fields.String()
    url = fields.String()
    date = fields.String()
    note = fields.String()


class CityProfileSchema(BaseSchema):
    slug = fields.String()
    name = fields.String()
    assembly_name = LocalizedField()
    country = fields.String()
    languages = fields.List(fields.String())
    site_languages = fields.List(fields.String())
    timezone = fields.String()
    currency = fields.String()
    population = fields.Integer(allow_none=True)
    website = fields.String()
    summary = fields.String(metadata={"description": "in English, for practitioners"})
    sources = fields.List(fields.Nested(SourceSchema))


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


class SeatGroupSchema(BaseSchema):
    key = fields.String()
    label = LocalizedField()
    seats = fields.Integer()
    registry = fields.String()
    selection = fields.String()
    invitations = fields.Integer(allow_none=True)
    stratify_invitations_by = fields.String()
    features = fields.List(fields.String())
    eligibility = fields.String()
    minimum_age = fields.Integer(allow_none=True)
    maximum_age = fields.Integer(allow_none=True)
    quota_targets = fields.List(fields.Nested(FeatureTargetsSchema))


class FeatureValueSchema(BaseSchema):
    key = fields.String()
    label = LocalizedField()
    population = fields.Float()


class FeatureSchema(BaseSchema):
    key = fields.String()
    label = LocalizedField()
    values = fields.List(fields.Nested(FeatureValueSchema))
    tolerance = fields.Integer()
    approximate = fields.Boolean()


class CompositionSchema(BaseSchema):
    seats = fields.Integer()
    seat_groups = fields.List(fields.Nested(SeatGroupSchema))
    features = fields.List(fields.Nested(FeatureSchema))
    registry_size = fields.Integer(allow_none=True)
    registry_note = fields.String()
    joint_draw = fields.Boolean()
    one_per_household = fields.Boolean()
    open_volunteers = fields.Boolean()
    open_volunteers_vote = fields.Boolean()
    minimum_age = fields.Integer()
    selection_algorithm = fields.String()
    draw_oversight = fields.String()
    sources = fields.List(fields.Nested(SourceSchema))

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


class BodySeatSchema(BaseSchema):
    role = fields.String()
    count = fields.Integer(allow_none=True, metadata={"description": "null: as many as come"})
    selection = fields.String()
    note = fields.String()


class BodySchema(BaseSchema):
    key = fields.String()
    label = LocalizedField()
    purpose = fields.String()
    seats = fields.List(fields.Nested(BodySeatSchema))
    size = fields.Integer(allow_none=True)
    decides = fields.Boolean()
    formed = fields.String()
    term_months = fields.Integer(allow_none=True)
    formal_meetings = fields.Integer(allow_none=True)
    note = fields.String()
    sources = fields.List(fields.Nested(SourceSchema))


class PhaseSchema(BaseSchema):
    key = fields.String()
    label = LocalizedField()
    description = fields.String()
    months = fields.Float(allow_none=True)


class SessionKindSchema(BaseSchema):
    key = fields.String()
    label = LocalizedField()
    unit = fields.String()
    default_duration = fields.Float()


class MandateSchema(BaseSchema):
    term_name = LocalizedField()
    min_months = fields.Integer()
    max_months = fields.Integer()
    renewal_months = fields.Integer()
    phases = fields.List(fields.Nested(PhaseSchema))
    session_kinds = fields.List(fields.Nested(SessionKindSchema))
    sessions_per_mandate = fields.Integer(allow_none=True)
    working_days_min = fields.Integer(allow_none=True)
    working_days_max = fields.Integer(allow_none=True)
    typical_year_units = fields.Float(allow_none=True)
    typical_year_note = fields.String()
    subjects_per_mandate = fields.Integer(allow_none=True)
    subject_choice = fields.String()
    next_theme_chosen_by_share = fields.Decimal(as_string=True, allow_none=True)
    start_month = fields.Integer(allow_none=True)
    sources = fields.List(fields.Nested(SourceSchema))


class ProposalStateSchema(BaseSchema):
    key = fields.String()
    label = LocalizedField()
    final = fields.Boolean()
    outcome = fields.String()


class TransitionSchema(BaseSchema):
    source = fields.String()
    target = fields.String()
    actor = fields.String()
    label = LocalizedField()


class ProposalKindSchema(BaseSchema):
    key = fields.String()
    label = LocalizedField()
    description = fields.String()
    addressee = fields.String()
    binding = fields.Boolean()
    binding_note = fields.String()
    states = fields.List(fields.Nested(ProposalStateSchema))
    initial = fields.String()
    transitions = fields.List(fields.Nested(TransitionSchema))
    per_mandate = fields.Integer(allow_none=True)
    sources = fields.List(fields.Nested(SourceSchema))


class ExtraSchema(BaseSchema):
    key = fields.String()
    label = LocalizedField()
    note = fields.String()
    ceiling = fields.Decimal(as_string=True, allow_none=True)


class IndemnitySchema(BaseSchema):
    rate = fields.Decimal(as_string=True)
    currency = fields.String()
    unit = fields.String()
    paid = fields.Boolean()
    paid_bodies = fields.List(fields.String())
    family_quotient_max = fields.Decimal(as_string=True, allow_none=True)
    max_units = fields.Integer(allow_none=True)
    annual_ceiling = fields.Decimal(as_string=True, allow_none=True)
    rate_is_maximum = fields.Boolean()
    extras = fields.List(fields.Nested(ExtraSchema))
    legal_basis = fields.String()
    conditions = fields.String()
    typical_year_amount = fields.Decimal(
        as_string=True,
        allow_none=True,
        metadata={"description": "what a fully present member earns in a typical year"},
    )
    sources = fields.List(fields.Nested(SourceSchema))


class ResponseDeadlineSchema(BaseSchema):
    key = fields.String()
    label = LocalizedField()
    months = fields.Integer()
    by = fields.String()


class FollowUpCommitteeSchema(BaseSchema):
    size = fields.Integer()
    drawn_from = fields.String()
    selection = fields.String()
    term_months = fields.Integer(allow_none=True)
    formal_meetings = fields.Integer(allow_none=True)


class AccountabilitySchema(BaseSchema):
    reporter = fields.String()
    audience = fields.String()
    report_every_months = fields.Integer(allow_none=True)
    response_deadlines = fields.List(fields.Nested(ResponseDeadlineSchema))
    follow_up_committee = fields.Nested(FollowUpCommitteeSchema, allow_none=True)
    owner_per_measure = fields.Boolean()
    justify_rejections = fields.Boolean()
    public_status = fields.Boolean()
    citizens_in_implementation = fields.Boolean()
    note = fields.String()
    sources = fields.List(fields.Nested(SourceSchema))


class ErrorSchema(BaseSchema):
    """Every API error; ``message`` and ``errors`` only where there is something to say."""

    status = fields.Integer()
    error = fields.String(metadata={"description": "the HTTP status's name, or what was invalid"})
    message = fields.String(metadata={
        "optional": True, "description": "a sentence saying why the request was refused"})
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
