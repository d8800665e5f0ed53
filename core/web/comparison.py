"""Cities' configurations side by side on the public site, and as versioned open data.

The page ``/comparison`` shows every city installed with this instance on the
practitioners' questions (``kleroterion.observatory.configuration``), in the
visitor's language: one table per question, each cell with its status, its value and
its sources (numbered, listed below). ``/api/open-data/configuration`` gives this
city's own configuration as typed JSON with its schema version: what ``kleroterion
compare https://…/api`` and the observatory read from other instances.
"""

from __future__ import annotations

from functools import cache

from flask import Blueprint, Flask, Response, jsonify, render_template
from kleroterion import plugins
from kleroterion.observatory import configuration, tables
from kleroterion.observatory.wording import Words
from kleroterion.web.api import bp as api_bp
from kleroterion.web.api import endpoint, parse_query
from kleroterion.web.context import current_city, current_config
from kleroterion.web.i18n import current_language
from kleroterion.web.schemas import BaseSchema
from marshmallow import fields, validate

bp = Blueprint("comparison", __name__)


class CitedSourceSchema(BaseSchema):
    title = fields.String(metadata={"description": "the document's title"})
    date = fields.String(metadata={"description": "ISO date of the document, or empty"})
    url = fields.String(metadata={"description": "its address, or empty"})


class ComparedFactSchema(BaseSchema):
    status = fields.String(validate=validate.OneOf(configuration.STATUSES), metadata={
        "description": "known; unknown (no source says it); not_applicable"})
    value = fields.Raw(metadata={
        "description": "the typed value: a number, a boolean, an ISO date, an enumeration "
                       "key, texts by language, a list or an object; null unless known"})
    unit = fields.String(metadata={
        "description": "the value's unit: months, people, seats, EUR, EUR/half_day, "
                       "EUR/year, share..."})
    confidence = fields.String(metadata={
        "description": "verified, approximate, or unsourced (given without a source)"})
    sources = fields.List(fields.Nested(CitedSourceSchema))
    note = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "what is approximate or disputed, by language"})


class ComparedCitySchema(BaseSchema):
    slug = fields.String()
    name = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "the city's own name, by language (a string in older documents)"})
    assembly_name = fields.Dict(keys=fields.String(), values=fields.String())
    languages = fields.List(fields.String())
    currency = fields.String()


class ComparedConfigurationSchema(BaseSchema):
    schema_version = fields.Integer(metadata={
        "description": f"the document's shape; this build writes {configuration.SCHEMA_VERSION}"})
    city = fields.Nested(ComparedCitySchema)
    facts = fields.Dict(keys=fields.String(), values=fields.Nested(ComparedFactSchema), metadata={
        "description": "a fact per compared row, keyed section.field or derived.name"})


@endpoint("This city's configuration on the practitioners' questions (indemnity, "
          "accountability, experts, sortition and engagement, work with officials, legal "
          "basis, budget and staff, renewal): each fact's status, typed value, unit, "
          "confidence and sources (open data; schema_version says its shape)",
          ComparedConfigurationSchema)
def open_data_configuration() -> Response:
    parse_query("open_data_configuration")
    facts = configuration.facts_of(current_config())
    return jsonify(ComparedConfigurationSchema().dump(configuration.document(facts)))


api_bp.add_url_rule(configuration.OPEN_DATA, view_func=open_data_configuration,
                    methods=["GET"])


@cache
def installed_comparison(own: str) -> tables.Comparison:
    """Every installed city, this one first, read once per process."""
    available = plugins.discover()
    slugs = [own, *(slug for slug in plugins.installed_cities() if slug != own)]
    configs = [plugins.load_city(slug, plugins=available).config for slug in slugs]
    return tables.Comparison(tuple(
        tables.Column(config.profile.slug, configuration.facts_of(config))
        for config in configs))


@bp.get("/comparison")
def comparison_page() -> str:
    comparison = installed_comparison(current_city().slug)
    words = Words(current_language(), fallback=False)
    return render_template(
        "public/comparison.html", columns=comparison.read,
        questions=tables.page_rows(comparison, words),
        sources=[tables.source_text(words, s) for s in comparison.sources()])


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
