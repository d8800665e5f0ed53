"""The record's indicators on the public site and as versioned open data under ``/api``.

The page ``/indicators`` shows, for every promotion of the city, what
``kleroterion.services.indicators`` computes from the record (recruitment, the seated
panel against its targets, attendance, retention, indemnities, acts and the city's
answers), each figure in a table, with a bar drawn beside it where a picture helps:
nothing is said by a drawing alone. ``/api/open-data/indicators`` gives the same
figures as JSON with their schema version, for other instances and the observatory
(``kleroterion compare`` and ``kleroterion observatory build``); its marshmallow schema
is derived from the indicators' dataclasses, so the OpenAPI document cannot drift
from what the service returns.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from decimal import Decimal
from functools import cache
from typing import Any

from babel.numbers import format_percent
from flask import Blueprint, Flask, Response, jsonify, render_template
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from kleroterion.city.types import CityConfig
from kleroterion.services import indicators
from kleroterion.web import promotions
from kleroterion.web.api import bp as api_bp
from kleroterion.web.api import endpoint, parse_query
from kleroterion.web.context import current_city, current_config
from kleroterion.web.database import db_session
from kleroterion.web.i18n import english, l10n, mandate_label
from kleroterion.web.public import today
from kleroterion.web.schemas import BaseSchema
from markupsafe import Markup, escape
from marshmallow import Schema, fields
from sqlalchemy.exc import OperationalError, ProgrammingError

bp = Blueprint("observatory", __name__)

#: Where the open data lives under ``/api``; the version is in the document itself.
OPEN_DATA = "/open-data/indicators"


# -- schemas derived from the dataclasses ------------------------------------------------


def _field(annotation: Any) -> fields.Field[Any]:
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin in (types.UnionType, typing.Union):
        (inner,) = [a for a in arguments if a is not type(None)]
        made = _field(inner)
        made.allow_none = True
        return made
    if origin is tuple:
        return fields.List(_field(arguments[0]))
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        return fields.Nested(dataclass_schema(annotation))
    simple: dict[Any, type[fields.Field[Any]]] = {
        int: fields.Integer, float: fields.Float, str: fields.String, bool: fields.Boolean,
        dt.date: fields.Date,
    }
    if annotation is Decimal:
        return fields.Decimal(as_string=True, metadata={"description": "a decimal amount"})
    return simple[annotation]()


@cache
def dataclass_schema(cls: Any) -> type[Schema]:
    """A dump schema for one of the indicators' dataclasses, field by field."""
    hints = typing.get_type_hints(cls, vars(indicators))
    declared = {f.name: _field(hints[f.name]) for f in dataclasses.fields(cls)}
    return type(f"{cls.__name__}Schema", (BaseSchema,), declared)


def _load(on: dt.date) -> indicators.CityIndicators | None:
    try:
        return indicators.city_indicators(db_session(), current_city().slug, on)
    except (OperationalError, ProgrammingError):
        # A site started before ``kleroterion db upgrade`` has no record to count.
        db_session().rollback()
        return None


# -- the page ---------------------------------------------------------------------------

#: An act's outcome as the page names it ("open": no final state yet).
OUTCOMES = {
    "adopted": _l("adopted"),
    "rejected": _l("rejected"),
    "withdrawn": _l("withdrawn"),
    "answered": _l("answered"),
    "open": _l("under way"),
}


def _labels(config: CityConfig) -> dict[str, Any]:
    """Names of the city's keys in the page's language; a key unknown to the city (a
    record older than its configuration) is shown as given, marked as such."""
    composition = config.composition
    groups = {g.key: g.label for g in composition.seat_groups}
    features = {f.key: f for f in composition.features}
    kinds = {k.key: k.label for k in config.proposal_kinds}
    sessions = {k.key: k.label for k in config.mandate.session_kinds}

    def named(table: dict[str, Any], key: str) -> Markup:
        return l10n(table[key]) if key in table else english(key)

    def value_label(feature: str, value: str) -> Markup:
        found = features.get(feature)
        values = {v.key: v.label for v in found.values} if found is not None else {}
        return named(values, value)

    def outcome_label(key: str) -> Markup:
        return Markup(escape(str(OUTCOMES[key]))) if key in OUTCOMES else english(key)

    return {
        "group_label": lambda key: named(groups, key),
        "feature_label": lambda key: named({k: f.label for k, f in features.items()}, key),
        "value_label": value_label,
        "kind_label": lambda key: named(kinds, key),
        "session_label": lambda key: named(sessions, key),
        "outcome_label": outcome_label,
    }



@bp.get("/indicators")
def indicators_page() -> str:
    found = _load(today())
    mandates = list(reversed(found.mandates)) if found is not None else []
    config = current_config()
    names = {m.id: mandate_label(m) for m in promotions.city_mandates()}
    return render_template("public/indicators.html", found=found, mandates=mandates,
                           config=config, names=names, buckets=indicators.ATTENDANCE_BUCKETS,
                           **_labels(config))


# -- the open data ------------------------------------------------------------------------


@endpoint("Indicators of every promotion from the record: recruitment, representativeness, "
          "attendance, retention, indemnities, acts and the city's answers (open data, "
          "aggregated, without personal data; schema_version says its shape)",
          dataclass_schema(indicators.CityIndicators))
def open_data_indicators() -> Response:
    parse_query("open_data_indicators")
    found = _load(today())
    if found is None:
        found = indicators.CityIndicators(current_city().slug, today(),
                                          indicators.SCHEMA_VERSION, ())
    return jsonify(dataclass_schema(indicators.CityIndicators)().dump(found))


api_bp.add_url_rule(OPEN_DATA, view_func=open_data_indicators, methods=["GET"])


def percent(share: float) -> str:
    """A share from 0 to 1 as a percentage to one decimal, in the locale's own form
    (« 87,2 % » in French: the pattern's no-break space kept)."""
    return format_percent(round(share, 3), locale=get_locale(), decimal_quantization=False)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_filter(percent, "percent")
