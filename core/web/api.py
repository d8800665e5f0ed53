"""The JSON API: the city's configuration and public record for machines, and its writes.

Every endpoint is declared with ``@endpoint``: its summary, its response schema, its
query parameters and, for a write, its method, its request body's load schema and
the least role its token needs. That declaration serves the request (the query and
the body are validated, bad ones answer 422 with messages per parameter or field;
``kleroterion.web.api_auth`` checks the token) and the OpenAPI 3 document at
``/api/openapi.json``, which ``kleroterion.web.openapi`` builds from the URL map, so
a route cannot exist without being documented. Reads are public and free of
personal data; writes (``kleroterion.web.api_writes``) need a bearer token and
answer without personal data too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from flask import Blueprint, Flask, Response, abort, jsonify, request
from flask_babel import gettext
from kleroterion.city.types import CityConfig
from kleroterion.messages import translate
from kleroterion.web import schemas
from kleroterion.web.context import current_config
from kleroterion.web.i18n import current_language, requested_language, site_languages
from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.http import HTTP_STATUS_CODES

API_PREFIX = "/api"
API_VERSION = "1"
#: Methods that change nothing: the only ones an endpoint without a role may take.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)

#: Extra query parameters of an endpoint, built from the city's configuration.
QueryFields = Callable[[CityConfig], Mapping[str, "fields.Field[Any]"]]


@dataclass(frozen=True)
class Endpoint:
    """What the OpenAPI document says of one route."""

    name: str
    summary: str
    response: type[Schema] | None  # None: the OpenAPI document itself
    many: bool = False
    query: QueryFields | None = None
    path_parameters: dict[str, str] = field(default_factory=dict)
    tag: str = "city"
    method: str = "GET"
    #: The load schema of a write's JSON body; ``body_fields`` adds the city's own.
    body: type[Schema] | None = None
    body_fields: QueryFields | None = None
    #: The least role of the bearer token; None for a public read.
    role: str | None = None
    status: int = 200  # of a success


#: Every declared endpoint, by Flask endpoint name ("api.city").
ENDPOINTS: dict[str, Endpoint] = {}


def endpoint(
    summary: str,
    response: type[Schema] | None,
    *,
    many: bool = False,
    query: QueryFields | None = None,
    path_parameters: dict[str, str] | None = None,
    method: str = "GET",
    body: type[Schema] | None = None,
    body_fields: QueryFields | None = None,
    role: str | None = None,
    status: int = 200,
    tag: str = "city",
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Declare a view as an API endpoint (registered on the blueprint separately)."""

    if method not in SAFE_METHODS and role is None:
        # A write open to anyone would also be open to other sites (no CSRF check here).
        raise ValueError(f"the {method} endpoint {summary!r} must declare a role")

    def declare(view: Callable[..., Response]) -> Callable[..., Response]:
        name = f"{bp.name}.{view.__name__}"
        ENDPOINTS[name] = Endpoint(
            name=name,
            summary=summary,
            response=response,
            many=many,
            query=query,
            path_parameters=dict(path_parameters or {}),
            tag=tag,
            method=method,
            body=body,
            body_fields=body_fields,
            role=role,
            status=status,
        )
        return view

    return declare


class InvalidQuery(Exception):
    """A query parameter is not valid; answered with 422 and the messages."""

    def __init__(self, messages: dict[str, Any]) -> None:
        super().__init__("invalid query")
        self.messages = messages


def query_fields(config: CityConfig, extra: QueryFields | None) -> dict[str, fields.Field[Any]]:
    """Every query parameter of an endpoint: ``lang`` and the endpoint's own."""
    declared: dict[str, fields.Field[Any]] = {
        "lang": schemas.language_field(site_languages(config))
    }
    if extra is not None:
        declared.update(extra(config))
    return declared


def parse_query(view_name: str) -> dict[str, Any]:
    """The validated query of the current request, or ``InvalidQuery``."""
    declared = ENDPOINTS[f"{bp.name}.{view_name}"]
    schema = schemas.QuerySchema.from_dict(
        query_fields(current_config(), declared.query), name="Query"
    )()
    try:
        loaded: dict[str, Any] = schema.load(request.args.to_dict())
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"": error.messages}
        raise InvalidQuery(messages) from None
    return loaded


class ApiRefusal(Exception):
    """An API request refused with ``status``: a sentence, and messages by field if any.

    ``field``, when the refusal is about one, is its key as the body names it: what a
    program reads, while ``message`` is for people (see :func:`refusal_message`).
    """

    def __init__(self, status: int, message: str, *, errors: dict[str, list[str]] | None = None,
                 title: str | None = None, headers: dict[str, str] | None = None,
                 field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.title = title
        self.headers = headers or {}
        self.field = field


def refusal_message(refusal: object) -> str:
    """A service's refusal as the API says it: in the language asked with ``?lang=``.

    Without ``lang`` it is the services' English sentence (``str(refusal)``), as the
    command line shows it. With it, the sentence is the back office's in that
    language, fields named by their labels; the field's key stays in ``field``.
    """
    if requested_language() is None:
        return str(refusal)
    return translate(refusal, gettext, current_language())


def error_response(status: int, *, title: str | None = None, message: str | None = None,
                   errors: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None, field: str | None = None) -> Response:
    """The API's error body: ``{"status", "error"[, "message"][, "field"][, "errors"]}``."""
    body: dict[str, Any] = {"status": status, "error": title or HTTP_STATUS_CODES[status]}
    if message:
        body["message"] = message
    if field:
        body["field"] = field
    if errors is not None:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def body_schema(config: CityConfig, declared: Endpoint) -> Schema:
    """The load schema of an endpoint's body, with the city's own fields."""
    assert declared.body is not None, declared.name
    base = declared.body
    if declared.body_fields is None:
        return base()
    # A subclass under the same name (the OpenAPI document names it like the base),
    # kept out of marshmallow's class registry: one is built per request.
    return base.from_dict(dict(declared.body_fields(config)), name=base.__name__)()


def flat_messages(messages: Any, path: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as ``{"attendance.2.status": [...]}``."""
    if isinstance(messages, dict):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            flat.update(flat_messages(value, f"{path}.{key}" if path else str(key)))
        return flat
    if isinstance(messages, list) and all(isinstance(item, str) for item in messages):
        return {path or "_schema": list(messages)}
    return {path or "_schema": [str(messages)]}


def parse_body(view_name: str) -> dict[str, Any]:
    """The validated JSON body of the current request; refusals with 415, 400 or 422."""
    declared = ENDPOINTS[f"{bp.name}.{view_name}"]
    if request.mimetype != "application/json":
        raise ApiRefusal(415, "send the body as JSON, with Content-Type: application/json "
                         f"(got {request.mimetype or 'no Content-Type'})")
    data = request.get_json(silent=True)
    if data is None:
        raise ApiRefusal(400, "the body is not valid JSON")
    try:
        loaded: dict[str, Any] = body_schema(current_config(), declared).load(data)
    except ValidationError as error:
        raise ApiRefusal(422, "some fields of the body are not valid",
                         errors=flat_messages(error.messages),
                         title="Invalid request body") from None
    return loaded


def dump(schema: type[Schema], data: Any, *, many: bool = False, language: str | None) -> Any:
    with schemas.DumpContextVar({"language": language}):
        return schema(many=many).dump(data)


def _answer(view_name: str, schema: type[Schema], data: Any, *, many: bool = False) -> Response:
    query = parse_query(view_name)
    return jsonify(dump(schema, data, many=many, language=query.get("lang")))


# -- endpoints --------------------------------------------------------------------


@endpoint("The city and its assembly", schemas.CityProfileSchema)
def city() -> Response:
    config = current_config()
    return _answer(
        "city", schemas.CityProfileSchema, schemas.profile_view(config, site_languages(config))
    )


def _group_query(config: CityConfig) -> dict[str, fields.Field[Any]]:
    return {
        "group": fields.String(
            validate=validate.OneOf([group.key for group in config.composition.seat_groups]),
            metadata={"description": "only this seat group"},
        )
    }


# Members' public names are deliberately not in the API, not even those consented to.
# A consent is to be named on the city's panel page, where withdrawing it takes the
# name down at once; API answers are harvested, cached and mirrored into datasets the
# city cannot recall, so a withdrawal could not be honoured there. And no API answer
# holds personal data (a chosen name still names a person). The page is the one place.
@endpoint(
    "The panel's composition: seat groups, criteria and quota targets",
    schemas.CompositionSchema,
    query=_group_query,
)
def composition() -> Response:
    config = current_config()
    query = parse_query("composition")
    composition = config.composition
    if "group" in query:
        composition = replace(
            composition,
            seat_groups=tuple(g for g in composition.seat_groups if g.key == query["group"]),
        )
    return jsonify(
        dump(schemas.CompositionSchema, composition, language=query.get("lang"))
    )


@endpoint("The assembly's sub-bodies", schemas.BodySchema, many=True)
def bodies() -> Response:
    return _answer("bodies", schemas.BodySchema, current_config().bodies, many=True)


@endpoint("How long a panel sits and how its work unfolds", schemas.MandateSchema)
def mandate() -> Response:
    return _answer("mandate", schemas.MandateSchema, current_config().mandate)


@endpoint("The acts the assembly may produce, with their lifecycles",
          schemas.ProposalKindSchema, many=True)
def proposal_kinds() -> Response:
    return _answer(
        "proposal_kinds", schemas.ProposalKindSchema, current_config().proposal_kinds, many=True
    )


@endpoint(
    "One kind of act and its lifecycle",
    schemas.ProposalKindSchema,
    path_parameters={"kind": "the kind's key, as listed by /api/proposal-kinds"},
)
def proposal_kind(kind: str) -> Response:
    try:
        found = current_config().proposal_kind(kind)
    except KeyError:
        abort(404)
    return _answer("proposal_kind", schemas.ProposalKindSchema, found)


@endpoint("What members are paid", schemas.IndemnitySchema)
def indemnity() -> Response:
    return _answer("indemnity", schemas.IndemnitySchema, schemas.indemnity_view(current_config()))


@endpoint("How the city answers for what it did with the acts", schemas.AccountabilitySchema)
def accountability() -> Response:
    return _answer("accountability", schemas.AccountabilitySchema, current_config().accountability)


@endpoint("This API's OpenAPI 3 document", None)
def openapi() -> Response:
    from flask import current_app
    from kleroterion.web.openapi import document

    parse_query("openapi")
    return jsonify(document(current_app, current_config()))


ROUTES: tuple[tuple[str, Callable[..., Response]], ...] = (
    ("/city", city),
    ("/composition", composition),
    ("/bodies", bodies),
    ("/mandate", mandate),
    ("/proposal-kinds", proposal_kinds),
    ("/proposal-kinds/<kind>", proposal_kind),
    ("/indemnity", indemnity),
    ("/accountability", accountability),
    ("/openapi.json", openapi),
)
for _rule, _view in ROUTES:
    bp.add_url_rule(_rule, view_func=_view, methods=["GET"])


@bp.errorhandler(InvalidQuery)
def _invalid_query(error: InvalidQuery) -> Response:
    return error_response(422, title="Invalid query parameters", errors=error.messages)


@bp.errorhandler(ApiRefusal)
def _refused(error: ApiRefusal) -> Response:
    return error_response(error.status, title=error.title, message=error.message,
                          errors=error.errors, headers=error.headers, field=error.field)


def init_app(app: Flask) -> None:
    # Importing adds the record routes, the token check and the write routes to bp.
    from kleroterion.web import (  # noqa: F401
        anchor,
        api_acts,
        api_auth,
        api_records,
        api_sessions,
        api_subjects,
        api_writes,
    )
    from kleroterion.web.security import csrf

    # Writes are authenticated by a bearer token in a header, which a browser never
    # sends by itself, so CSRF tokens do not apply to them. The exemption holds for
    # token-authenticated requests only: ``api_auth`` refuses every write without a
    # valid token (401) before its view runs, and nothing in the API reads the
    # session cookie, so a logged-in browser alone can never change anything here.
    csrf.exempt(bp)
    app.register_blueprint(bp)
