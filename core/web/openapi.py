"""The OpenAPI 3.1 document of a city's JSON API, built from the URL map and the schemas.

Each route of the ``api`` blueprint must be declared with ``api.endpoint``; its
response schema and query fields are translated to JSON Schema here. Building from
the live URL map (not from a list kept by hand) is what makes "every route is
documented" true: an undeclared route makes ``document`` fail.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from kleroterion import __version__
from kleroterion.city.types import CityConfig, localize
from kleroterion.web import schemas
from kleroterion.web.api import API_VERSION, ENDPOINTS, Endpoint, bp, query_fields
from marshmallow import Schema, fields, validate

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


def field_schema(field: fields.Field[Any], components: dict[str, JsonSchema]) -> JsonSchema:
    """The JSON Schema of one marshmallow field; nested schemas go to ``components``."""
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
        spec = {"$ref": "#/components/schemas/" + add_component(nested, components)}
        if field.many:
            spec = {"type": "array", "items": spec}
    elif isinstance(field, fields.List):
        spec = {"type": "array", "items": field_schema(field.inner, components)}
    elif isinstance(field, fields.Dict):
        values = field.value_field
        spec = {
            "type": "object",
            "additionalProperties": field_schema(values, components) if values else {},
        }
    elif isinstance(field, fields.Decimal):
        spec = {"type": "string", "format": "decimal"} if field.as_string else {"type": "number"}
    elif isinstance(field, fields.Boolean):
        spec = {"type": "boolean"}
    elif isinstance(field, fields.Integer):
        spec = {"type": "integer"}
    elif isinstance(field, fields.Float):
        spec = {"type": "number"}
    elif isinstance(field, fields.String):
        spec = {"type": "string"}
    else:
        raise TypeError(f"no JSON Schema for field type {type(field).__name__}")
    for validator in field.validators:
        if isinstance(validator, validate.OneOf):
            spec["enum"] = list(validator.choices)
    description = field.metadata.get("description")
    if description:
        spec = {**spec, "description": description}
    return _nullable(spec, field)


def add_component(schema: type[Schema], components: dict[str, JsonSchema]) -> str:
    """Add ``schema`` (and what it nests) to ``components``; return its name."""
    name = component_name(schema)
    if name in components:
        return name
    components[name] = {}  # reserve the name first: schemas may nest each other
    properties: dict[str, JsonSchema] = {}
    for field_name, field in schema().dump_fields.items():
        properties[field.data_key or field_name] = field_schema(field, components)
    components[name] = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
    }
    return name


def _parameters(declared: Endpoint, config: CityConfig, path_names: list[str],
                components: dict[str, JsonSchema]) -> list[JsonSchema]:
    parameters: list[JsonSchema] = []
    for name in path_names:
        parameters.append(
            {
                "name": name,
                "in": "path",
                "required": True,
                "description": declared.path_parameters.get(name, ""),
                "schema": {"type": "string"},
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


def _responses(declared: Endpoint, has_path_parameters: bool,
               components: dict[str, JsonSchema]) -> JsonSchema:
    error_ref = {"$ref": "#/components/schemas/" + add_component(schemas.ErrorSchema, components)}
    if declared.response is None:
        body: JsonSchema = {"type": "object", "description": "an OpenAPI 3.1 document"}
    else:
        body = {"$ref": "#/components/schemas/" + add_component(declared.response, components)}
        if declared.many:
            body = {"type": "array", "items": body}
    responses: JsonSchema = {
        "200": {"description": "OK", "content": {"application/json": {"schema": body}}},
        "422": {
            "description": "a query parameter is not valid; messages by parameter",
            "content": {"application/json": {"schema": error_ref}},
        },
    }
    if has_path_parameters:
        responses["404"] = {
            "description": "no such item",
            "content": {"application/json": {"schema": error_ref}},
        }
    return responses


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
        operations: JsonSchema = {}
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operations[method.lower()] = {
                "operationId": rule.endpoint.removeprefix(bp.name + "."),
                "summary": declared.summary,
                "tags": [declared.tag],
                "parameters": _parameters(declared, config, path_names, components),
                "responses": _responses(declared, bool(path_names), components),
            }
        paths[path] = operations
    profile = config.profile
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": f"{localize(profile.assembly_name, 'en')}: kleroterion API",
            "version": f"{API_VERSION} (kleroterion {__version__})",
            "description": (
                "Read-only, public description of the assembly's configuration. "
                "No endpoint returns personal data."
            ),
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": "city", "description": "the city's configuration"}],
        "paths": paths,
        "components": {"schemas": components},
    }

