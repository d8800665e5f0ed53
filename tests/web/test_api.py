"""JSON API: read endpoints, field-level 422s, 404s, and the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kleroterion.city.quotas import group_quotas
from kleroterion.web.api import ENDPOINTS
from kleroterion.web.context import city_of

from .conftest import CITIES

READ_URLS = (
    "/api/city",
    "/api/composition",
    "/api/bodies",
    "/api/mandate",
    "/api/proposal-kinds",
    "/api/indemnity",
    "/api/accountability",
    "/api/openapi.json",
)


@pytest.mark.parametrize("city", CITIES)
def test_every_read_endpoint_answers_json(client: FlaskClient) -> None:
    for url in READ_URLS:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.is_json, url


def test_labels_are_mappings_or_text_in_the_language_asked(client: FlaskClient) -> None:
    whole = client.get("/api/city").get_json()
    assert whole["assembly_name"]["fr"] == "Assemblée citoyenne de Paris"
    assert whole["site_languages"] == ["fr", "en"]
    english = client.get("/api/city?lang=en").get_json()
    assert english["assembly_name"] == "Paris Citizens' Assembly"


def test_the_composition_carries_the_quota_targets(app: Flask, client: FlaskClient) -> None:
    composition = city_of(app).config.composition
    data = client.get("/api/composition?lang=en").get_json()
    for group, dumped in zip(composition.seat_groups, data["seat_groups"], strict=True):
        flat = [
            (target["feature"], value["value"], value["minimum"], value["maximum"])
            for target in dumped["quota_targets"]
            for value in target["values"]
        ]
        quotas = group_quotas(composition, group)
        assert flat == [(q.feature, q.value, q.min, q.max) for q in quotas]
    only = client.get("/api/composition?group=jeunes").get_json()
    assert [group["key"] for group in only["seat_groups"]] == ["jeunes"]


def test_money_is_exact(client: FlaskClient) -> None:
    data = client.get("/api/indemnity").get_json()
    assert data["rate"] == "44" and data["currency"] == "EUR"
    assert data["typical_year_amount"] == "792"


def test_bad_query_parameters_get_422_with_a_message_per_parameter(client: FlaskClient) -> None:
    response = client.get("/api/composition?lang=de&group=nope&colour=red")
    assert response.status_code == 422
    body = response.get_json()
    assert body["status"] == 422
    assert body["errors"] == {
        "lang": ["Must be one of: fr, en."],
        "group": ["Must be one of: liste-electorale, non-europeens, jeunes."],
        "colour": ["Unknown field."],
    }


def test_unknown_items_and_addresses_get_json_404(client: FlaskClient) -> None:
    for url in ("/api/proposal-kinds/nope", "/api/nope"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.get_json() == {"status": 404, "error": "Not Found"}
    assert client.get("/api/proposal-kinds/voeu").get_json()["key"] == "voeu"


def test_the_api_takes_no_write_without_a_route(client: FlaskClient) -> None:
    response = client.post("/api/city", json={})
    assert response.status_code == 405
    assert response.is_json


# -- OpenAPI ----------------------------------------------------------------------


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if "$ref" in node else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def _check(instance: Any, schema: dict[str, Any], document: dict[str, Any], where: str) -> None:
    """A small JSON Schema check, enough for the shapes the generator emits."""
    if "$ref" in schema:
        _check(instance, _resolve(document, schema["$ref"]), document, where)
        return
    if "oneOf" in schema:
        errors = []
        for option in schema["oneOf"]:
            try:
                _check(instance, option, document, where)
                return
            except AssertionError as error:
                errors.append(str(error))
        raise AssertionError(f"{where}: matches no option: {errors}")
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds or []
    python = {
        "object": dict, "array": list, "string": str, "integer": int,
        "number": (int, float), "boolean": bool, "null": type(None),
    }
    if kinds:
        matches = [kind for kind in kinds if isinstance(instance, python[kind])]
        assert matches and not (isinstance(instance, bool) and "boolean" not in kinds), (
            f"{where}: {instance!r} is not {kinds}"
        )
    if "enum" in schema:
        assert instance in schema["enum"], where
    if isinstance(instance, dict):
        for name in schema.get("required", []):
            assert name in instance, f"{where}: missing {name}"
        properties = schema.get("properties", {})
        for name, value in instance.items():
            if name in properties:
                _check(value, properties[name], document, f"{where}.{name}")
            elif isinstance(schema.get("additionalProperties"), dict):
                _check(value, schema["additionalProperties"], document, f"{where}.{name}")
            elif properties:
                raise AssertionError(f"{where}: undocumented property {name}")
    if isinstance(instance, list) and "items" in schema:
        for index, item in enumerate(instance):
            _check(item, schema["items"], document, f"{where}[{index}]")


@pytest.mark.parametrize("city", CITIES)
def test_the_openapi_document_is_well_formed(app: Flask, client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] and document["info"]["version"]
    for path, operations in document["paths"].items():
        assert path.startswith("/api/")
        for method, operation in operations.items():
            assert method in {"get", "post", "put", "patch", "delete"}
            assert operation["operationId"] and operation["summary"]
            responses = operation["responses"]
            assert {"200", "201"} & set(responses) and "422" in responses
            for parameter in operation["parameters"]:
                assert parameter["in"] in {"path", "query"}
                if parameter["in"] == "path":
                    assert "{" + parameter["name"] + "}" in path and parameter["required"]
            if method == "get":
                assert "security" not in operation and "requestBody" not in operation
                continue
            # A write: a JSON body (a deletion has none), a bearer token, and every
            # refusal it may answer.
            assert operation["security"] == [{"bearerToken": []}]
            assert {"400", "401", "403", "404", "409", "415", "422"} <= set(responses)
            if method == "delete":
                assert "requestBody" not in operation
                continue
            body = operation["requestBody"]["content"]["application/json"]["schema"]
            component = _resolve(document, body["$ref"])
            assert component["additionalProperties"] is False
            assert set(component["required"]) <= set(component["properties"])
    assert document["components"]["securitySchemes"]["bearerToken"] == {
        "type": "http", "scheme": "bearer",
        "description": "an API token, issued with kleroterion user token"}
    ids = [op["operationId"] for ops in document["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))
    for ref in _refs(document):
        assert _resolve(document, ref) is not None


@pytest.mark.parametrize("city", CITIES)
def test_every_api_route_is_in_the_openapi_document(app: Flask, client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").get_json()
    documented = {
        (path, method.upper()) for path, ops in document["paths"].items() for method in ops
    }
    routes = {
        (rule.rule.replace("<", "{").replace(">", "}"), method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert routes == documented
    assert {rule.endpoint for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("api.")} == set(ENDPOINTS)
    writes = {(path, method.upper()) for path, ops in document["paths"].items()
              for method, op in ops.items() if "security" in op}
    assert writes == {
        ("/api/proposals/{ident}/transitions", "POST"),
        ("/api/proposals/{ident}/responses", "POST"),
        ("/api/proposals/{ident}/answers", "POST"),
        ("/api/answers/{ident}", "PATCH"),
        ("/api/proposals/{ident}/commitments", "POST"),
        ("/api/commitments/{ident}", "PATCH"),
        ("/api/commitments/{ident}/milestones", "POST"),
        ("/api/milestones/{ident}/done", "POST"),
        ("/api/sessions/{ident}/attendance", "POST"),
        ("/api/sessions/{ident}", "PATCH"),
        ("/api/subjects/{ident}", "PATCH"),
        ("/api/subjects/{ident}", "DELETE"),
        ("/api/promotions/{ident}/proposals", "POST"),
        ("/api/proposals/{ident}/texts", "PATCH"),
    }
    # Each write's body is its load schema, field by field, with what is required.
    for name, declared in ENDPOINTS.items():
        if declared.body is None:
            continue
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == name)
        path = rule.rule.replace("<", "{").replace(">", "}")
        operation = document["paths"][path][declared.method.lower()]
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        component = _resolve(document, ref)
        fields = declared.body().load_fields
        assert set(component["properties"]) == set(fields), name
        assert set(component["required"]) == {k for k, f in fields.items() if f.required}, name


@pytest.mark.parametrize("city", CITIES)
def test_every_answer_matches_its_documented_schema(client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").get_json()
    kinds = client.get("/api/proposal-kinds").get_json()
    for path, operations in document["paths"].items():
        if "{ident}" in path:  # one record: checked on a filled database (test_public_records)
            continue
        url = path.replace("{kind}", kinds[0]["key"])
        schema = operations["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        for query in ("", "?lang=en"):
            _check(client.get(url + query).get_json(), schema, document, url + query)
    error = document["paths"]["/api/city"]["get"]["responses"]["422"]
    _check(client.get("/api/city?lang=xx").get_json(),
           error["content"]["application/json"]["schema"], document, "422")


def test_the_openapi_lang_parameter_lists_the_city_languages(client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").get_json()
    parameters = document["paths"]["/api/composition"]["get"]["parameters"]
    assert {p["name"]: p["schema"].get("enum") for p in parameters} == {
        "lang": ["fr", "en"],
        "group": ["liste-electorale", "non-europeens", "jeunes"],
    }
