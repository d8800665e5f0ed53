"""The OpenAPI 3.1 document of a city's JSON API, built from the URL map and the schemas.

Each route of the ``api`` blueprint must be declared with ``api.endpoint``; its
response schema, query fields and, for a write, its request body's load schema and
least role are translated here (JSON Schema, a ``bearer`` security scheme, the
answers a refusal may take). Building from the live URL map (not from a list kept
by hand) is what makes "every route is documented" true: an undeclared route makes
``document`` fail.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from kleroterion import __version__
from kleroterion.city.types import CityConfig, localize
from kleroterion.web import schemas
from kleroterion.web.api import (
    API_VERSION,
    ENDPOINTS,
    Endpoint,
    body_schema,
    bp,
    query_fields,
)
from marshmallow import RAISE, Schema, fields, validate

OPENAPI_VERSION = "3.1.0"
_PATH_PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")

JsonSchema = dict[str, Any]


class UndocumentedRoute(LookupError):
    """An API route was added without ``@endpoint``."""


def component_name(schema: type[Schema]) -> str:
    name = schema.__name__
    return name.removesuffix("Schema") or name


def _nullable(spec: JsonSchema, field: fields.Field[Any]) -> JsonSchema:
    if not field.allow_none:
        return spec
    if "$ref" in spec:
        return {"oneOf": [spec, {"type": "null"}]}
    kind = spec.get("type")
    if isinstance(kind, str):
        return {**spec, "type": [kind, "null"]}
    return {"oneOf": [spec, {"type": "null"}]}


def field_schema(field: fields.Field[Any], components: dict[str, JsonSchema],
                 *, load: bool = False) -> JsonSchema:
    """The JSON Schema of one marshmallow field; nested schemas go to ``components``.

    ``load``: the field is read from a request body (nested schemas then list their
    load fields, and their required ones).
    """
    spec: JsonSchema
    if isinstance(field, schemas.LocalizedField):
        spec = {
            "oneOf": [
                {"type": "object", "additionalProperties": {"type": "string"},
                 "description": "text by language code"},
                {"type": "string", "description": "text in the language asked with lang"},
            ]
        }
    elif isinstance(field, fields.Nested):
        nested = field.nested
        if not (isinstance(nested, type) and issubclass(nested, Schema)):
            raise TypeError(f"nested field {field.name!r} must name a Schema class")
        spec = {"$ref": "#/components/schemas/" + add_component(nested, components, load=load)}
        if field.many:
            spec = {"type": "array", "items": spec}
    elif isinstance(field, fields.List):
        spec = {"type": "array", "items": field_schema(field.inner, components, load=load)}
    elif isinstance(field, fields.Dict):
        values = field.value_field
        spec = {
            "type": "object",
            "additionalProperties": (field_schema(values, components, load=load)
                                     if values else {}),
        }
    elif isinstance(field, fields.Decimal):
        spec = {"type": "string", "format": "decimal"} if field.as_string else {"type": "number"}
    elif isinstance(field, fields.Date):
        spec = {"type": "string", "format": "date"}
    elif isinstance(field, fields.Boolean):
        spec = {"type": "boolean"}
    elif isinstance(field, fields.Integer):
        spec = {"type": "integer"}
    elif isinstance(field, fields.Float):
        spec = {"type": "number"}
    elif isinstance(field, fields.String):
        spec = {"type": "string"}
    elif type(field) is fields.Raw:
        spec = {}  # any JSON value; the field's description says which
    else:
        raise TypeError(f"no JSON Schema for field type {type(field).__name__}")
    for validator in field.validators:
        if isinstance(validator, validate.OneOf):
            if validator.choices:  # no choice at all (a city without deadlines): no enum
                spec["enum"] = list(validator.choices)
        elif isinstance(validator, validate.Range):
            if validator.min is not None:
                spec["minimum"] = validator.min
            if validator.max is not None:
                spec["maximum"] = validator.max
        elif isinstance(validator, validate.Length):
            low, high = ("minItems", "maxItems") if spec.get("type") == "array" else (
                "minLength", "maxLength")
            if validator.min is not None:
                spec[low] = validator.min
            if validator.max is not None:
                spec[high] = validator.max
    description = field.metadata.get("description")
    if description:
        spec = {**spec, "description": description}
    return _nullable(spec, field)


def add_component(schema: type[Schema], components: dict[str, JsonSchema], *,
                  load: bool = False) -> str:
    """Add ``schema`` (and what it nests) to ``components``; return its name.

    A response lists every field as required unless its metadata says
    ``optional``; a request body (``load``) requires its required fields and, when
    unknown fields are refused, no other property.
    """
    name = component_name(schema)
    if name in components:
        return name
    components[name] = {}  # reserve the name first: schemas may nest each other
    instance = schema()
    properties: dict[str, JsonSchema] = {}
    required: list[str] = []
    declared = instance.load_fields if load else instance.dump_fields
    for field_name, field in declared.items():
        key = field.data_key or field_name
        properties[key] = field_schema(field, components, load=load)
        if (field.required if load else not field.metadata.get("optional")):
            required.append(key)
    component: JsonSchema = {"type": "object", "properties": properties, "required": required}
    if load and instance.unknown == RAISE:
        component["additionalProperties"] = False
    # Rules across fields (a schema-level validator) that JSON Schema can say too.
    component.update(getattr(schema, "openapi_constraints", {}))
    components[name] = component
    return name


def _parameters(declared: Endpoint, config: CityConfig, path_names: list[str],
                components: dict[str, JsonSchema]) -> list[JsonSchema]:
    parameters: list[JsonSchema] = []
    for name in path_names:
        spec: JsonSchema = {"type": "string"}
        if name == "ident":  # a record's number: anything else is a 404 (api_records._number)
            spec["pattern"] = "^[0-9]{1,10}$"
        parameters.append(
            {
                "name": name,
                "in": "path",
                "required": True,
                "description": declared.path_parameters.get(name, ""),
                "schema": spec,
            }
        )
    for name, field in query_fields(config, declared.query).items():
        spec = field_schema(field, components)
        description = spec.pop("description", "")
        parameters.append(
            {"name": name, "in": "query", "required": False, "description": description,
             "schema": spec}
        )
    return parameters


#: What each refusal of a write means, as the document says it.
WRITE_REFUSALS = {
    "400": "the body is not valid JSON",
    "401": "no API token, or one unknown, revoked or of an inactive account "
           "(with a WWW-Authenticate challenge)",
    "403": "the token's role is below the one this endpoint needs",
    "404": "no such item in this city",
    "409": "the record's state forbids the change, or it changed since you read it "
           "(expected_version); the message says which",
    "413": "the body is larger than a write takes (refused before it is read; "
           "kleroterion.web.limits)",
    "415": "the body is not sent as application/json",
    "422": "a field of the body or a query parameter is not valid, or the rules refuse a "
           "value; messages by field",
}


def _error(description: str, error_ref: JsonSchema) -> JsonSchema:
    return {"description": description, "content": {"application/json": {"schema": error_ref}}}


def _responses(declared: Endpoint, has_path_parameters: bool,
               components: dict[str, JsonSchema]) -> JsonSchema:
    error_ref = {"$ref": "#/components/schemas/" + add_component(schemas.ErrorSchema, components)}
    if declared.response is None:
        body: JsonSchema = {"type": "object", "description": "an OpenAPI 3.1 document"}
    else:
        body = {"$ref": "#/components/schemas/" + add_component(declared.response, components)}
        if declared.many:
            body = {"type": "array", "items": body}
    success = "Created" if declared.status == 201 else "OK"
    responses: JsonSchema = {
        str(declared.status): {"description": success,
                               "content": {"application/json": {"schema": body}}},
    }
    if declared.role is not None:
        for status, description in WRITE_REFUSALS.items():
            responses[status] = _error(description, error_ref)
        return responses
    responses["422"] = _error("a query parameter is not valid; messages by parameter",
                              error_ref)
    if has_path_parameters:
        responses["404"] = _error("no such item", error_ref)
    return responses


def _operation(declared: Endpoint, config: CityConfig, path_names: list[str],
               components: dict[str, JsonSchema]) -> JsonSchema:
    operation: JsonSchema = {
        "operationId": declared.name.removeprefix(bp.name + "."),
        "summary": declared.summary,
        "tags": [declared.tag],
        "parameters": _parameters(declared, config, path_names, components),
        "responses": _responses(declared, bool(path_names), components),
    }
    if declared.body is not None:
        name = add_component(type(body_schema(config, declared)), components, load=True)
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/" + name}}},
        }
    if declared.role is not None:
        operation["security"] = [{BEARER: []}]
        operation["description"] = (f"Needs an API token of the {declared.role} or a higher "
                                    "role. The audit log names the token's user.")
    return operation


BEARER = "bearerToken"


def document(app: Flask, config: CityConfig) -> JsonSchema:
    """The OpenAPI document of ``app``'s API, for the city ``config`` describes."""
    components: dict[str, JsonSchema] = {}
    paths: dict[str, JsonSchema] = {}
    rules = sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith(bp.name + ".")),
        key=lambda rule: rule.rule,
    )
    for rule in rules:
        declared = ENDPOINTS.get(rule.endpoint)
        if declared is None:
            raise UndocumentedRoute(
                f"API route {rule.rule} ({rule.endpoint}) is not declared with @endpoint"
            )
        path_names = _PATH_PARAMETER.findall(rule.rule)
        path = _PATH_PARAMETER.sub(r"{\1}", rule.rule)
        operations: JsonSchema = paths.setdefault(path, {})
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operations[method.lower()] = _operation(declared, config, path_names, components)
    profile = config.profile
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": f"{localize(profile.assembly_name, 'en')}: kleroterion API",
            "version": f"{API_VERSION} (kleroterion {__version__})",
            "description": (
                "The assembly's configuration and public record, public and read-only; and "
                "the changes a city's own tools automate (tag changes), which need a bearer "
                "token (kleroterion user token). No endpoint returns personal data."
            ),
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": "city", "description": "the city's configuration and public record"},
                 {"name": "changes", "description": "writes, with an API token"}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {BEARER: {
                "type": "http", "scheme": "bearer",
                "description": "an API token, issued with kleroterion user token",
            }},
        },
    }
