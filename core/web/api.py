"""The JSON API: the city's configuration for machines, read-only and free of personal data.

Every endpoint is declared with ``@endpoint``: its summary, its response schema and
its query parameters. That declaration serves the request (the query is validated,
a bad one answers 422 with a message per parameter) and the OpenAPI 3 document at
``/api/openapi.json``, which ``kleroterion.web.openapi`` builds from the URL map, so
a route cannot exist without being documented. Write endpoints (with tokens) come
with the services.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from flask import Blueprint, Flask, Response, abort, jsonify, request
from kleroterion.city.types import CityConfig
from kleroterion.web import schemas
from kleroterion.web.context import current_config
from kleroterion.web.i18n import site_languages
from marshmallow import Schema, ValidationError, fields, validate

API_PREFIX = "/api"
API_VERSION = "1"

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


#: Every declared endpoint, by Flask endpoint name ("api.city").
ENDPOINTS: dict[str, Endpoint] = {}


def endpoint(
    summary: str,
    response: type[Schema] | None,
    *,
    many: bool = False,
    query: QueryFields | None = None,
    path_parameters: dict[str, str] | None = None,
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Declare a view as an API endpoint (registered on the blueprint separately)."""

    def declare(view: Callable[..., Response]) -> Callable[..., Response]:
        name = f"{bp.name}.{view.__name__}"
        ENDPOINTS[name] = Endpoint(
            name=name,
            summary=summary,
            response=response,
            many=many,
            query=query,
            path_parameters=dict(path_parameters or {}),
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


def _dump(schema: type[Schema], data: Any, *, many: bool = False, language: str | None) -> Any:
    with schemas.DumpContextVar({"language": language}):
        return schema(many=many).dump(data)


def _answer(view_name: str, schema: type[Schema], data: Any, *, many: bool = False) -> Response:
    query = parse_query(view_name)
    return jsonify(_dump(schema, data, many=many, language=query.get("lang")))


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
        _dump(schemas.CompositionSchema, composition, language=query.get("lang"))
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
def _invalid_query(error: InvalidQuery) -> tuple[Response, int]:
    return jsonify(status=422, error="Invalid query parameters", errors=error.messages), 422


def init_app(app: Flask) -> None:
    from kleroterion.web import api_records  # noqa: F401  (adds the record routes to bp)
    from kleroterion.web.security import csrf

    # The API is authenticated by tokens in a header, not by the session cookie:
    # CSRF tokens do not apply to it.
    csrf.exempt(bp)
    app.register_blueprint(bp)
