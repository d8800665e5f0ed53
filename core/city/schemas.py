"""marshmallow schemas that validate a city's configuration, derived from its declaration.

The schemas are not written by hand: ``schema_for`` builds one per dataclass of
``kleroterion.city.types`` from its fields' types and ``fact`` metadata (required
or not, bounds, patterns, enumerations), and loading through it returns the
dataclass itself. The checks that span several fields of one dataclass live here
(``CHECKS``), those that span several hooks in ``check_city``. Unknown keys are
errors, so a misspelt field in a plugin or a city's data file is named.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
import zoneinfo
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from kleroterion.city import types as t
from kleroterion.sortition.types import Quota
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

LANGUAGE = re.compile(r"^[a-z]{2,3}$")


def _check_localized(value: Mapping[str, str]) -> None:
    if not value:
        raise ValidationError("needs at least one language")
    _check_languages(value)


def _check_languages(value: Mapping[str, str]) -> None:
    for language, text in value.items():
        if not LANGUAGE.match(language):
            raise ValidationError(f"{language!r} is not a language code such as 'fr', 'en', 'nl'")
        if not text.strip():
            raise ValidationError(f"the {language!r} text is empty")


def _unique(items: list[Any], key: str, what: str, field_name: str) -> None:
    seen: set[Any] = set()
    for item in items:
        value = _get(item, key)
        if value in seen:
            raise ValidationError(f"two {what} share the key {value!r}", field_name)
        seen.add(value)


def _get(item: Any, name: str, default: Any = None) -> Any:
    """A field of a loaded item: nested schemas already return dataclasses."""
    if isinstance(item, Mapping):
        return item.get(name, default)
    return getattr(item, name, default)


class Base(Schema):
    """Unknown keys are errors (marshmallow's default, said again for the reader)."""

    class Meta:
        unknown = "raise"


# -- checks across the fields of one dataclass ----------------------------------------


def _check_profile(data: dict[str, Any]) -> None:
    for language in data["languages"]:
        if not LANGUAGE.match(language):
            raise ValidationError(f"{language!r} is not a language code", "languages")
    for field_name in ("assembly_name", "name"):
        if isinstance(data[field_name], Mapping) and data["languages"][0] not in data[field_name]:
            raise ValidationError(
                f"needs the default language {data['languages'][0]!r}", field_name
            )
    try:
        zoneinfo.ZoneInfo(data["timezone"])
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError(
            f"{data['timezone']!r} is not an IANA time zone such as 'Europe/Paris'",
            "timezone",
        ) from error


def _check_quota(data: dict[str, Any]) -> None:
    for bound in ("min", "max", "min_flex", "max_flex"):
        if (data.get(bound) or 0) < 0:
            raise ValidationError("Must be greater than or equal to 0.", bound)
    if data["min"] > data["max"]:
        raise ValidationError(
            f"minimum {data['min']} is above maximum {data['max']} "
            f"for {data['feature']}/{data['value']}",
            "min",
        )


def _check_feature(data: dict[str, Any]) -> None:
    _unique(list(data["values"]), "key", "values", "values")


def _check_seat_group(data: dict[str, Any]) -> None:
    low, high = data.get("minimum_age"), data.get("maximum_age")
    if low is not None and high is not None and low > high:
        raise ValidationError(f"minimum age {low} is above maximum age {high}", "minimum_age")
    for index, quota in enumerate(data.get("quotas", ())):
        if quota.max > data["seats"] and quota.min > data["seats"]:
            raise ValidationError(
                f"quota minimum {quota.min} is above the group's {data['seats']} seats",
                f"quotas.{index}.min",
            )


def _check_composition(data: dict[str, Any]) -> None:
    groups = list(data["seat_groups"])
    _unique(groups, "key", "seat groups", "seat_groups")
    total = sum(group.seats for group in groups)
    if total != data["seats"]:
        detail = " + ".join(f"{g.seats} ({g.key})" for g in groups)
        raise ValidationError(
            f"seat groups add up to {total} ({detail}), not to the {data['seats']} seats",
            "seat_groups",
        )
    features = {feature.key: feature for feature in data.get("features", ())}
    _unique(list(data.get("features", ())), "key", "features", "features")
    for index, group in enumerate(groups):
        for name in group.features:
            if name not in features:
                raise ValidationError(
                    f"unknown feature {name!r}; declared: {', '.join(features) or 'none'}",
                    f"seat_groups.{index}.features",
                )
        for q_index, quota in enumerate(group.quotas):
            feature = features.get(quota.feature)
            where = f"seat_groups.{index}.quotas.{q_index}"
            if feature is None:
                raise ValidationError(f"unknown feature {quota.feature!r}", where)
            if quota.value not in {v.key for v in feature.values}:
                raise ValidationError(
                    f"unknown value {quota.value!r} of feature {quota.feature!r}", where
                )


def _check_body(data: dict[str, Any]) -> None:
    size = data.get("size")
    if size is None:
        return
    counts = [seat.count for seat in data["seats"]]
    known = sum(count for count in counts if count is not None)
    if None not in counts and known != size:
        raise ValidationError(f"seats add up to {known}, not to the size {size}", "size")
    if known > size:
        raise ValidationError(f"seats add up to {known}, more than the size {size}", "size")


def _check_mandate(data: dict[str, Any]) -> None:
    if data["min_months"] > data["max_months"]:
        raise ValidationError(
            f"{data['min_months']} is above max_months {data['max_months']}", "min_months"
        )
    low, high = data.get("working_days_min"), data.get("working_days_max")
    if low is not None and high is not None and low > high:
        raise ValidationError(f"{low} is above working_days_max {high}", "working_days_min")
    _unique(list(data.get("phases", ())), "key", "phases", "phases")
    _check_languages(data.get("term_plural", {}))
    _check_languages(data.get("term_gender", {}))
    for language, gender in data.get("term_gender", {}).items():
        if gender not in t.GENDERS:
            raise ValidationError(
                f"{gender!r} is not a gender ({language}); accepted: {', '.join(t.GENDERS)}",
                "term_gender",
            )
    _unique(list(data.get("session_kinds", ())), "key", "session kinds", "session_kinds")


def _check_proposal_kind(data: dict[str, Any]) -> None:
    _unique(list(data["states"]), "key", "states", "states")
    states = {state.key: state for state in data["states"]}
    transitions = list(data["transitions"])
    known = ", ".join(states)
    if data["initial"] not in states:
        raise ValidationError(
            f"unknown proposal state {data['initial']!r}; states: {known}", "initial"
        )
    for index, transition in enumerate(transitions):
        for end in ("source", "target"):
            if getattr(transition, end) not in states:
                raise ValidationError(
                    f"unknown proposal state {getattr(transition, end)!r}; states: {known}",
                    f"transitions.{index}.{end}",
                )
        if states[transition.source].final:
            raise ValidationError(
                f"final state {transition.source!r} cannot have a transition",
                f"transitions.{index}.source",
            )
    reached = {data["initial"]}
    frontier = [data["initial"]]
    while frontier:
        current = frontier.pop()
        for transition in transitions:
            if transition.source == current and transition.target not in reached:
                reached.add(transition.target)
                frontier.append(transition.target)
    unreachable = [key for key in states if key not in reached]
    if unreachable:
        raise ValidationError(
            f"states never reached from {data['initial']!r}: {', '.join(unreachable)}",
            "transitions",
        )
    stuck = [
        key
        for key, state in states.items()
        if not state.final and not any(t.source == key for t in transitions)
    ]
    if stuck:
        raise ValidationError(
            f"states that are not final but have no way out: {', '.join(stuck)}", "states"
        )
    sent = [key for key, state in states.items() if state.sent]
    if len(sent) > 1:
        raise ValidationError(f"only one state may be marked sent, not {', '.join(sent)}", "states")
    for key, state in states.items():
        if state.outcome and not state.final:
            raise ValidationError(f"state {key!r} has an outcome but is not final", "states")


def _check_indemnity(data: dict[str, Any]) -> None:
    if data.get("paid", True) and data["rate"] == 0:
        raise ValidationError("a paid indemnity needs a rate above 0", "rate")


def _check_evidence(cls: type, data: dict[str, Any]) -> None:
    """Evidence names real fields and cites a source for every fact it vouches for."""
    names = [item.name for item in dataclasses.fields(cls) if item.name not in NOT_FACTS]
    for name, evidence in (data.get("evidence") or {}).items():
        if name not in names:
            raise ValidationError(
                f"evidence for an unknown field {name!r}; fields: {', '.join(names)}",
                f"evidence.{name}",
            )
        if evidence.confidence != "unknown" and not evidence.source:
            raise ValidationError(
                f"a {evidence.confidence} fact needs the key of its source",
                f"evidence.{name}.source",
            )


#: Fields that hold no fact of their own.
NOT_FACTS = frozenset({"sources", "evidence"})


def _check_sourced(cls: type, data: dict[str, Any]) -> None:
    """A fact declared ``sourced`` (``fact(..., sourced=True)``) that is given must cite
    its source: practitioners compare on these, and an unsourced figure misleads."""
    evidence = data.get("evidence") or {}
    for item in dataclasses.fields(cls):
        value = data.get(item.name)
        if not item.metadata.get("sourced") or value in (None, "", {}, ()):
            continue
        found = evidence.get(item.name)
        if found is None or not found.source:
            raise ValidationError(
                f"a fact without a source: cite one in evidence.{item.name} "
                "(source = the key of one of the sources, confidence = verified or approximate)",
                item.name,
            )
        if found.confidence == "unknown":
            raise ValidationError(
                "a fact given cannot be of unknown confidence: leave it empty instead", item.name
            )


#: Checks across the fields of one dataclass, run after its fields are valid.
CHECKS: dict[type, Callable[[dict[str, Any]], None]] = {
    t.CityProfile: _check_profile,
    Quota: _check_quota,
    t.Feature: _check_feature,
    t.SeatGroup: _check_seat_group,
    t.PanelComposition: _check_composition,
    t.Body: _check_body,
    t.MandateRules: _check_mandate,
    t.ProposalKind: _check_proposal_kind,
    t.IndemnityPolicy: _check_indemnity,
}


# -- deriving the schemas ---------------------------------------------------------------


def is_localized(item: dataclasses.Field[Any]) -> bool:
    """Whether a declared field holds a ``Localized`` text (by its written annotation)."""
    return isinstance(item.type, str) and item.type.startswith("Localized")


def _validators(meta: Mapping[str, Any], hint: Any) -> list[Any]:
    found: list[Any] = []
    if meta.get("minimum") is not None or meta.get("maximum") is not None:
        found.append(validate.Range(min=meta.get("minimum"), max=meta.get("maximum")))
    if meta.get("above") is not None:
        found.append(
            validate.Range(min=meta["above"], max=meta.get("maximum"), min_inclusive=False)
        )
    if meta.get("pattern"):
        found.append(validate.Regexp(meta["pattern"], error=meta.get("pattern_error") or None))
    if meta.get("min_items") is not None:
        found.append(validate.Length(min=meta["min_items"]))
    if meta.get("nonempty"):
        found.append(validate.Length(min=1))
    return found


def optional_type(hint: Any) -> tuple[Any, bool]:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        if len(args) == 1 and len(typing.get_args(hint)) == 2:
            return args[0], True
    return hint, False


def _inner_field(hint: Any) -> fields.Field[Any]:
    """The field of a list's items or a value with no metadata of its own."""
    hint, allow_none = optional_type(hint)
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return fields.Nested(schema_for(hint), allow_none=allow_none)
    if origin is typing.Literal:
        return fields.Str(validate=validate.OneOf(typing.get_args(hint)), allow_none=allow_none)
    if origin is tuple:
        return fields.List(_inner_field(typing.get_args(hint)[0]), allow_none=allow_none)
    if origin is dict:
        key, value = typing.get_args(hint)
        return fields.Dict(keys=_inner_field(key), values=_inner_field(value))
    simple: dict[Any, type[fields.Field[Any]]] = {
        str: fields.Str,
        bool: fields.Bool,
        float: fields.Float,
        Decimal: fields.Decimal,
    }
    if hint is int:
        return fields.Int(strict=True, allow_none=allow_none)
    if hint in simple:
        return simple[hint](allow_none=allow_none)
    raise TypeError(f"no validation field for the type {hint!r}")


def _field(item: dataclasses.Field[Any], hint: Any) -> fields.Field[Any]:
    meta = item.metadata
    required = item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING
    options: dict[str, Any] = {"required": required}
    if is_localized(item) and meta.get("plain"):
        return _LocalizedOrPlain(required=required)
    if is_localized(item):
        return fields.Dict(
            keys=fields.Str(),
            values=fields.Str(),
            validate=_check_localized if required else _check_languages,
            **options,
        )
    result = _inner_field(hint)
    result.required = required
    result.validators = [*result.validators, *_validators(meta, hint)]
    return result


class _LocalizedOrPlain(fields.Field[Any]):
    """A ``Localized`` text that also accepts one string (read as every language)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            if not value.strip():
                raise ValidationError("the text is empty")
            return value
        if not isinstance(value, Mapping) or not all(
            isinstance(key, str) and isinstance(text, str) for key, text in value.items()
        ):
            raise ValidationError(
                "must be a text per language such as { fr = \"…\", en = \"…\" } or one text"
            )
        _check_localized(value)
        return dict(value)


_SCHEMAS: dict[type, type[Schema]] = {}


def schema_for(cls: type) -> type[Schema]:
    """The validation schema of one dataclass of the city model; loading returns it."""
    if cls in _SCHEMAS:
        return _SCHEMAS[cls]
    hints = typing.get_type_hints(cls)
    tuples = [
        item.name
        for item in dataclasses.fields(cls)
        if typing.get_origin(optional_type(hints[item.name])[0]) is tuple
    ]
    attrs: dict[str, Any] = {}

    def make(self: Schema, data: dict[str, Any], **_: Any) -> Any:
        for name in tuples:
            if data.get(name) is not None:
                data[name] = tuple(data[name])
        return cls(**data)

    attrs["_make"] = post_load(make)
    check = CHECKS.get(cls)
    with_evidence = "evidence" in {item.name for item in dataclasses.fields(cls)}
    if check is not None or with_evidence:

        def run_check(self: Schema, data: dict[str, Any], **_: Any) -> None:
            if with_evidence:
                _check_evidence(cls, data)
                _check_sourced(cls, data)
            if check is not None:
                check(data)

        attrs["_check"] = validates_schema(run_check)
    schema = type(f"{cls.__name__}Schema", (Base,), attrs)
    _SCHEMAS[cls] = schema  # before the fields: a dataclass may nest itself
    schema._declared_fields = {  # type: ignore[attr-defined]
        item.name: _field(item, hints[item.name]) for item in dataclasses.fields(cls)
    }
    return schema


#: hooks that answer a tuple of their section's dataclass rather than one
MANY = frozenset({"assembly_bodies", "proposal_kinds"})


def hook_schema(hook: str) -> tuple[type, type[Schema], bool]:
    """(expected type, schema, whether the hook returns a tuple of them)."""
    cls = t.SECTIONS[hook]
    return cls, schema_for(cls), hook in MANY


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
    expected, schema_class, many = hook_schema(hook)
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
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _labels(inner, f"{path}.{key}" if path else str(key))


def check_city(config: t.CityConfig) -> list[tuple[str, str, str]]:
    """Checks across hooks; return ``(hook, field path, message)`` triples."""
    problems: list[tuple[str, str, str]] = []
    languages = config.profile.languages
    by_hook: dict[str, Any] = {
        "city_profile": config.profile,
        "panel_composition": config.composition,
        "assembly_bodies": config.bodies,
        "mandate_rules": config.mandate,
        "proposal_kinds": config.proposal_kinds,
        "indemnity_policy": config.indemnity,
        "accountability_rules": config.accountability,
        "institution": config.institution,
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
    problems += _check_citations(config)
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


def _sections(config: t.CityConfig) -> Iterator[tuple[str, str, Any]]:
    """(hook, path prefix, dataclass) of every section, one per body and act kind."""
    yield "city_profile", "", config.profile
    yield "panel_composition", "", config.composition
    for index, body in enumerate(config.bodies):
        yield "assembly_bodies", f"{index}.", body
    yield "mandate_rules", "", config.mandate
    for index, kind in enumerate(config.proposal_kinds):
        yield "proposal_kinds", f"{index}.", kind
    yield "indemnity_policy", "", config.indemnity
    yield "accountability_rules", "", config.accountability
    yield "institution", "", config.institution


def _check_citations(config: t.CityConfig) -> list[tuple[str, str, str]]:
    """Every evidence cites a source the city declares (in any section)."""
    keys = {
        source.key
        for _, _, section in _sections(config)
        for source in section.sources
        if source.key
    }
    problems: list[tuple[str, str, str]] = []
    for hook, prefix, section in _sections(config):
        for name, evidence in section.evidence.items():
            if evidence.source and evidence.source not in keys:
                problems.append(
                    (
                        hook,
                        f"{prefix}evidence.{name}.source",
                        f"unknown source {evidence.source!r}; sources: "
                        f"{', '.join(sorted(keys)) or 'none has a key'}",
                    )
                )
    return problems
