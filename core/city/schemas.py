"""marshmallow schemas that validate what city plugins return.

Each configuration dataclass has a schema here. ``validate_config`` turns the
dataclass into a dict, loads it through its schema and returns the field errors as
``path -> messages``; ``check_city`` adds the checks that span several hooks (paid
bodies must exist, labels must speak the city's default language...). Unknown keys
are errors, so a field added to a dataclass without its schema fails the tests.
"""

from __future__ import annotations

import dataclasses
import re
import zoneinfo
from collections.abc import Iterator, Mapping
from typing import Any

from kleroterion.city import types as t
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

KEY = validate.Regexp(r"^[a-z][a-z0-9_-]*$", error="must be lowercase letters, digits, - or _")
SLUG = validate.Regexp(
    r"^[a-z][a-z0-9-]*[a-z0-9]$", error="must be lowercase ascii letters, digits and hyphens"
)
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
NON_NEGATIVE = validate.Range(min=0)
POSITIVE = validate.Range(min=1)


def _check_localized(value: Mapping[str, str]) -> None:
    if not value:
        raise ValidationError("needs at least one language")
    for language, text in value.items():
        if not LANGUAGE.match(language):
            raise ValidationError(f"{language!r} is not a language code such as 'fr', 'en', 'nl'")
        if not text.strip():
            raise ValidationError(f"the {language!r} text is empty")


def Label() -> fields.Dict:
    return fields.Dict(
        keys=fields.Str(), values=fields.Str(), required=True, validate=_check_localized
    )


def _unique(items: list[dict[str, Any]], key: str, what: str, field_name: str) -> None:
    seen: set[Any] = set()
    for item in items:
        if item[key] in seen:
            raise ValidationError(f"two {what} share the key {item[key]!r}", field_name)
        seen.add(item[key])


class Base(Schema):
    """Unknown keys are errors (marshmallow's default, said again for the reader)."""

    class Meta:
        unknown = "raise"


class SourceSchema(Base):
    title = fields.Str(required=True, validate=validate.Length(min=1))
    url = fields.Str(load_default="")
    date = fields.Str(load_default="")
    note = fields.Str(load_default="")


def Sources() -> fields.List[Any]:
    return fields.List(fields.Nested(SourceSchema), load_default=())


class CityProfileSchema(Base):
    slug = fields.Str(required=True, validate=SLUG)
    name = fields.Str(required=True, validate=validate.Length(min=1))
    assembly_name = Label()
    country = fields.Str(
        required=True, validate=validate.Regexp(r"^[A-Z]{2}$", error="must be ISO 3166 alpha-2")
    )
    languages = fields.List(fields.Str(), required=True, validate=validate.Length(min=1))
    timezone = fields.Str(required=True)
    currency = fields.Str(
        required=True,
        validate=validate.Regexp(r"^[A-Z]{3}$", error="must be an ISO 4217 code such as 'EUR'"),
    )
    population = fields.Int(allow_none=True, validate=POSITIVE)
    website = fields.Str()
    summary = fields.Str()
    sources = Sources()

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        for language in data["languages"]:
            if not LANGUAGE.match(language):
                raise ValidationError(f"{language!r} is not a language code", "languages")
        if data["languages"][0] not in data["assembly_name"]:
            raise ValidationError(
                f"needs the default language {data['languages'][0]!r}", "assembly_name"
            )
        try:
            zoneinfo.ZoneInfo(data["timezone"])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
            raise ValidationError(
                f"{data['timezone']!r} is not an IANA time zone such as 'Europe/Paris'",
                "timezone",
            ) from error


class QuotaSchema(Base):
    feature = fields.Str(required=True)
    value = fields.Str(required=True)
    min = fields.Int(required=True, strict=True, validate=NON_NEGATIVE)
    max = fields.Int(required=True, strict=True, validate=NON_NEGATIVE)
    min_flex = fields.Int(allow_none=True, validate=NON_NEGATIVE)
    max_flex = fields.Int(allow_none=True, validate=NON_NEGATIVE)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if data["min"] > data["max"]:
            raise ValidationError(
                f"minimum {data['min']} is above maximum {data['max']} "
                f"for {data['feature']}/{data['value']}",
                "min",
            )


class FeatureValueSchema(Base):
    key = fields.Str(required=True, validate=validate.Length(min=1))
    label = Label()
    population = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False))


class FeatureSchema(Base):
    key = fields.Str(required=True, validate=KEY)
    label = Label()
    values = fields.List(
        fields.Nested(FeatureValueSchema), required=True, validate=validate.Length(min=1)
    )
    tolerance = fields.Int(validate=NON_NEGATIVE)
    approximate = fields.Bool()

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        _unique(data["values"], "key", "values", "values")


class SeatGroupSchema(Base):
    key = fields.Str(required=True, validate=KEY)
    label = Label()
    seats = fields.Int(required=True, strict=True, validate=NON_NEGATIVE)
    registry = fields.Str(required=True, validate=validate.OneOf(t.REGISTRY_KINDS))
    selection = fields.Str(validate=validate.OneOf(t.SELECTION_METHODS))
    invitations = fields.Int(allow_none=True, validate=NON_NEGATIVE)
    stratify_invitations_by = fields.Str()
    features = fields.List(fields.Str())
    eligibility = fields.Str()
    minimum_age = fields.Int(allow_none=True, validate=NON_NEGATIVE)
    maximum_age = fields.Int(allow_none=True, validate=NON_NEGATIVE)
    quotas = fields.List(fields.Nested(QuotaSchema))

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        low, high = data.get("minimum_age"), data.get("maximum_age")
        if low is not None and high is not None and low > high:
            raise ValidationError(f"minimum age {low} is above maximum age {high}", "minimum_age")
        for index, quota in enumerate(data.get("quotas", ())):
            if quota["max"] > data["seats"] and quota["min"] > data["seats"]:
                raise ValidationError(
                    f"quota minimum {quota['min']} is above the group's {data['seats']} seats",
                    f"quotas.{index}.min",
                )


class PanelCompositionSchema(Base):
    seats = fields.Int(required=True, strict=True, validate=POSITIVE)
    seat_groups = fields.List(
        fields.Nested(SeatGroupSchema), required=True, validate=validate.Length(min=1)
    )
    features = fields.List(fields.Nested(FeatureSchema))
    registry_size = fields.Int(allow_none=True, validate=POSITIVE)
    registry_note = fields.Str()
    joint_draw = fields.Bool()
    one_per_household = fields.Bool()
    open_volunteers = fields.Bool()
    open_volunteers_vote = fields.Bool()
    minimum_age = fields.Int(validate=NON_NEGATIVE)
    selection_algorithm = fields.Str(validate=validate.OneOf(("leximin", "legacy")))
    draw_oversight = fields.Str()
    sources = Sources()

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        groups = data["seat_groups"]
        _unique(groups, "key", "seat groups", "seat_groups")
        total = sum(group["seats"] for group in groups)
        if total != data["seats"]:
            detail = " + ".join(f"{g['seats']} ({g['key']})" for g in groups)
            raise ValidationError(
                f"seat groups add up to {total} ({detail}), not to the {data['seats']} seats",
                "seat_groups",
            )
        features = {feature["key"]: feature for feature in data.get("features", ())}
        _unique(list(data.get("features", ())), "key", "features", "features")
        for index, group in enumerate(groups):
            for name in group.get("features", ()):
                if name not in features:
                    raise ValidationError(
                        f"unknown feature {name!r}; declared: {', '.join(features) or 'none'}",
                        f"seat_groups.{index}.features",
                    )
            for q_index, quota in enumerate(group.get("quotas", ())):
                feature = features.get(quota["feature"])
                where = f"seat_groups.{index}.quotas.{q_index}"
                if feature is None:
                    raise ValidationError(f"unknown feature {quota['feature']!r}", where)
                if quota["value"] not in {v["key"] for v in feature["values"]}:
                    raise ValidationError(
                        f"unknown value {quota['value']!r} of feature {quota['feature']!r}", where
                    )


class BodySeatSchema(Base):
    role = fields.Str(required=True, validate=validate.OneOf(t.BODY_ROLES))
    count = fields.Int(required=True, allow_none=True, strict=True, validate=NON_NEGATIVE)
    selection = fields.Str(required=True, validate=validate.OneOf(t.BODY_SELECTIONS))
    note = fields.Str()


class BodySchema(Base):
    key = fields.Str(required=True, validate=KEY)
    label = Label()
    purpose = fields.Str(required=True)
    seats = fields.List(fields.Nested(BodySeatSchema), required=True)
    size = fields.Int(allow_none=True, strict=True, validate=POSITIVE)
    decides = fields.Bool()
    formed = fields.Str(validate=validate.OneOf(("start", "during", "end")))
    term_months = fields.Int(allow_none=True, validate=POSITIVE)
    formal_meetings = fields.Int(allow_none=True, validate=NON_NEGATIVE)
    note = fields.Str()
    sources = Sources()

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        size = data.get("size")
        if size is None:
            return
        counts = [seat["count"] for seat in data["seats"]]
        known = sum(count for count in counts if count is not None)
        if None not in counts and known != size:
            raise ValidationError(f"seats add up to {known}, not to the size {size}", "size")
        if known > size:
            raise ValidationError(f"seats add up to {known}, more than the size {size}", "size")


class SessionKindSchema(Base):
    key = fields.Str(required=True, validate=KEY)
    label = Label()
    unit = fields.Str(required=True, validate=validate.OneOf(t.TIME_UNITS))
    default_duration = fields.Float(validate=validate.Range(min=0, min_inclusive=False))


class PhaseSchema(Base):
    key = fields.Str(required=True, validate=KEY)
    label = Label()
    description = fields.Str()
    months = fields.Float(allow_none=True, validate=validate.Range(min=0, min_inclusive=False))


class MandateRulesSchema(Base):
    term_name = Label()
    min_months = fields.Int(required=True, validate=POSITIVE)
    max_months = fields.Int(required=True, validate=POSITIVE)
    renewal_months = fields.Int(validate=POSITIVE)
    phases = fields.List(fields.Nested(PhaseSchema))
    session_kinds = fields.List(fields.Nested(SessionKindSchema))
    sessions_per_mandate = fields.Int(allow_none=True, validate=POSITIVE)
    working_days_min = fields.Int(allow_none=True, validate=POSITIVE)
    working_days_max = fields.Int(allow_none=True, validate=POSITIVE)
    typical_year_units = fields.Float(allow_none=True, validate=NON_NEGATIVE)
    typical_year_note = fields.Str()
    subjects_per_mandate = fields.Int(allow_none=True, validate=POSITIVE)
    subject_choice = fields.Str()
    next_theme_chosen_by_share = fields.Decimal(
        allow_none=True, validate=validate.Range(min=0, max=1, min_inclusive=False)
    )
    start_month = fields.Int(allow_none=True, validate=validate.Range(min=1, max=12))
    sources = Sources()

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if data["min_months"] > data["max_months"]:
            raise ValidationError(
                f"{data['min_months']} is above max_months {data['max_months']}", "min_months"
            )
        low, high = data.get("working_days_min"), data.get("working_days_max")
        if low is not None and high is not None and low > high:
            raise ValidationError(f"{low} is above working_days_max {high}", "working_days_min")
        _unique(list(data.get("phases", ())), "key", "phases", "phases")
        _unique(list(data.get("session_kinds", ())), "key", "session kinds", "session_kinds")


class ProposalStateSchema(Base):
    key = fields.Str(required=True, validate=KEY)
    label = Label()
    final = fields.Bool()
    outcome = fields.Str(
        validate=validate.OneOf(("adopted", "rejected", "withdrawn", "answered", ""))
    )
    sent = fields.Bool()


class TransitionSchema(Base):
    source = fields.Str(required=True)
    target = fields.Str(required=True)
    actor = fields.Str(required=True, validate=validate.Length(min=1))
    label = fields.Dict(keys=fields.Str(), values=fields.Str())


class ProposalKindSchema(Base):
    key = fields.Str(required=True, validate=KEY)
    label = Label()
    description = fields.Str(required=True)
    addressee = fields.Str(required=True, validate=validate.Length(min=1))
    binding = fields.Bool(required=True)
    binding_note = fields.Str(required=True)
    states = fields.List(
        fields.Nested(ProposalStateSchema), required=True, validate=validate.Length(min=2)
    )
    initial = fields.Str(required=True)
    transitions = fields.List(
        fields.Nested(TransitionSchema), required=True, validate=validate.Length(min=1)
    )
    per_mandate = fields.Int(allow_none=True, validate=POSITIVE)
    sources = Sources()

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        _unique(data["states"], "key", "states", "states")
        states = {state["key"]: state for state in data["states"]}
        known = ", ".join(states)
        if data["initial"] not in states:
            raise ValidationError(
                f"unknown proposal state {data['initial']!r}; states: {known}", "initial"
            )
        for index, transition in enumerate(data["transitions"]):
            for end in ("source", "target"):
                if transition[end] not in states:
                    raise ValidationError(
                        f"unknown proposal state {transition[end]!r}; states: {known}",
                        f"transitions.{index}.{end}",
                    )
            if states[transition["source"]].get("final"):
                raise ValidationError(
                    f"final state {transition['source']!r} cannot have a transition",
                    f"transitions.{index}.source",
                )
        reached = {data["initial"]}
        frontier = [data["initial"]]
        while frontier:
            current = frontier.pop()
            for transition in data["transitions"]:
                if transition["source"] == current and transition["target"] not in reached:
                    reached.add(transition["target"])
                    frontier.append(transition["target"])
        unreachable = [key for key in states if key not in reached]
        if unreachable:
            raise ValidationError(
                f"states never reached from {data['initial']!r}: {', '.join(unreachable)}",
                "transitions",
            )
        stuck = [
            key
            for key, state in states.items()
            if not state.get("final") and not any(t["source"] == key for t in data["transitions"])
        ]
        if stuck:
            raise ValidationError(
                f"states that are not final but have no way out: {', '.join(stuck)}", "states"
            )
        sent = [key for key, state in states.items() if state.get("sent")]
        if len(sent) > 1:
            raise ValidationError(
                f"only one state may be marked sent, not {', '.join(sent)}", "states"
            )
        for key, state in states.items():
            if state.get("outcome") and not state.get("final"):
                raise ValidationError(f"state {key!r} has an outcome but is not final", "states")


class ExtraSchema(Base):
    key = fields.Str(required=True, validate=KEY)
    label = Label()
    note = fields.Str()
    ceiling = fields.Decimal(allow_none=True, validate=NON_NEGATIVE)


class IndemnityPolicySchema(Base):
    rate = fields.Decimal(required=True, validate=NON_NEGATIVE)
    currency = fields.Str(
        required=True,
        validate=validate.Regexp(r"^[A-Z]{3}$", error="must be an ISO 4217 code such as 'EUR'"),
    )
    unit = fields.Str(required=True, validate=validate.OneOf(t.TIME_UNITS))
    paid = fields.Bool()
    paid_bodies = fields.List(fields.Str())
    family_quotient_max = fields.Decimal(allow_none=True, validate=NON_NEGATIVE)
    max_units = fields.Int(allow_none=True, validate=POSITIVE)
    annual_ceiling = fields.Decimal(allow_none=True, validate=NON_NEGATIVE)
    rate_is_maximum = fields.Bool()
    extras = fields.List(fields.Nested(ExtraSchema))
    legal_basis = fields.Str()
    conditions = fields.Str()
    sources = Sources()

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("paid", True) and data["rate"] == 0:
            raise ValidationError("a paid indemnity needs a rate above 0", "rate")


class ResponseDeadlineSchema(Base):
    key = fields.Str(required=True, validate=KEY)
    label = Label()
    months = fields.Int(required=True, validate=POSITIVE)
    by = fields.Str(required=True, validate=validate.Length(min=1))


class FollowUpCommitteeSchema(Base):
    size = fields.Int(required=True, strict=True, validate=POSITIVE)
    drawn_from = fields.Str(required=True)
    selection = fields.Str(required=True, validate=validate.OneOf(t.BODY_SELECTIONS))
    term_months = fields.Int(allow_none=True, validate=POSITIVE)
    formal_meetings = fields.Int(allow_none=True, validate=NON_NEGATIVE)


class AccountabilityRulesSchema(Base):
    reporter = fields.Str(required=True, validate=validate.Length(min=1))
    audience = fields.Str(required=True, validate=validate.Length(min=1))
    report_every_months = fields.Int(allow_none=True, validate=POSITIVE)
    response_deadlines = fields.List(fields.Nested(ResponseDeadlineSchema))
    follow_up_committee = fields.Nested(FollowUpCommitteeSchema, allow_none=True)
    owner_per_measure = fields.Bool()
    justify_rejections = fields.Bool()
    public_status = fields.Bool()
    citizens_in_implementation = fields.Bool()
    note = fields.Str()
    sources = Sources()


#: hook name -> (expected type, schema, whether the hook returns a tuple of them)
HOOK_SCHEMAS: dict[str, tuple[type, type[Schema], bool]] = {
    "city_profile": (t.CityProfile, CityProfileSchema, False),
    "panel_composition": (t.PanelComposition, PanelCompositionSchema, False),
    "assembly_bodies": (t.Body, BodySchema, True),
    "mandate_rules": (t.MandateRules, MandateRulesSchema, False),
    "proposal_kinds": (t.ProposalKind, ProposalKindSchema, True),
    "indemnity_policy": (t.IndemnityPolicy, IndemnityPolicySchema, False),
    "accountability_rules": (t.AccountabilityRules, AccountabilityRulesSchema, False),
}


def _flatten(messages: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = prefix if key == "_schema" else (f"{prefix}.{key}" if prefix else str(key))
            yield from _flatten(value, name)
    elif isinstance(messages, list):
        for message in messages:
            yield from _flatten(message, prefix)
    else:
        yield prefix, str(messages)


def validate_config(hook: str, value: Any) -> list[tuple[str, str]]:
    """Validate one hook's result; return ``(field path, message)`` pairs, empty if valid."""
    expected, schema_class, many = HOOK_SCHEMAS[hook]
    items: Any = value
    if many:
        if not isinstance(value, (tuple, list)):
            return [("", f"expected a tuple of {expected.__name__}, got {type(value).__name__}")]
    else:
        items = [value]
    for index, item in enumerate(items):
        if not isinstance(item, expected):
            where = str(index) if many else ""
            return [(where, f"expected {expected.__name__}, got {type(item).__name__}")]
    data = [dataclasses.asdict(item) for item in items]
    schema = schema_class(many=many)
    try:
        schema.load(data if many else data[0])
    except ValidationError as error:
        return list(_flatten(error.messages))
    if many:
        keys = [item["key"] for item in data]
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        if duplicates:
            return [("", f"two entries share the key {duplicates[0]!r}")]
    return []


def _labels(value: Any, path: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Every Localized label inside a configuration value, with its field path."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            inner = getattr(value, item.name)
            name = f"{path}.{item.name}" if path else item.name
            if item.type == "Localized" and inner:
                yield name, inner
            else:
                yield from _labels(inner, name)
    elif isinstance(value, (tuple, list)):
        for index, inner in enumerate(value):
            yield from _labels(inner, f"{path}.{index}" if path else str(index))


def check_city(config: t.CityConfig) -> list[tuple[str, str, str]]:
    """Checks across hooks; return ``(hook, field path, message)`` triples."""
    problems: list[tuple[str, str, str]] = []
    languages = config.profile.languages
    by_hook: dict[str, Any] = {
        "panel_composition": config.composition,
        "assembly_bodies": config.bodies,
        "mandate_rules": config.mandate,
        "proposal_kinds": config.proposal_kinds,
        "indemnity_policy": config.indemnity,
        "accountability_rules": config.accountability,
    }
    for hook, value in by_hook.items():
        for path, label in _labels(value, ""):
            missing = [language for language in languages if language not in label]
            if missing:
                problems.append(
                    (
                        hook,
                        path,
                        f"has no text in {', '.join(map(repr, missing))}, "
                        f"a language of the assembly ({', '.join(languages)})",
                    )
                )
    bodies = {body.key for body in config.bodies}
    for index, key in enumerate(config.indemnity.paid_bodies):
        if key not in bodies:
            problems.append(
                (
                    "indemnity_policy",
                    f"paid_bodies.{index}",
                    f"unknown body {key!r}; bodies: {', '.join(sorted(bodies)) or 'none'}",
                )
            )
    if config.indemnity.paid and config.indemnity.currency != config.profile.currency:
        problems.append(
            (
                "indemnity_policy",
                "currency",
                f"{config.indemnity.currency!r} differs from the city's currency "
                f"{config.profile.currency!r}",
            )
        )
    committee = config.accountability.follow_up_committee
    if committee is not None and committee.size > config.composition.seats:
        problems.append(
            (
                "accountability_rules",
                "follow_up_committee.size",
                f"{committee.size} is more than the panel's {config.composition.seats} seats",
            )
        )
    return problems
