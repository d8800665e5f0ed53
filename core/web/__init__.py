"""The web application of one city: public site, JSON API (and, next, the back office).

``create_app`` builds one Flask instance for one city: the city comes from the
argument or ``KLEROTERION_CITY``, the instance folder (secret key, SQLite database)
from ``db.instance_path`` (``KLEROTERION_INSTANCE_PATH``, else ``./instance``: the same
folder as the CLI's), the sortition engine of its draws (and of its workers' jobs) from
``KLEROTERION_SORTITION_ENGINE``. The city's configuration and the engine setting are
checked once, at start-up, so a broken plugin or a wrong engine path stops the server
before it answers anyone. Each module
of this package exposes ``init_app(app)``; pages and endpoints stay thin shells over
the city configuration and the services.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask, g
from kleroterion import db, jobs, logsafe, observability
from kleroterion.plugins import City, load_city
from kleroterion.services import context as service_context
from kleroterion.services import engine as sortition_engine
from kleroterion.services.context import PINNED_TODAY
from kleroterion.services.scope import CITY_SCOPE
from kleroterion.web import (
    admin_accounts,
    admin_acts,
    admin_answer_edits,
    admin_bodies,
    admin_draws,
    admin_events,
    admin_mandates,
    admin_members,
    admin_privacy,
    admin_quotas,
    admin_sessions,
    admin_subjects,
    anchor,
    answer,
    api,
    auth,
    backoffice,
    backoffice_followup,
    comparison,
    database,
    errors,
    exports,
    i18n,
    limits,
    observatory,
    page_cache,
    panel_draw,
    public,
    records,
    replacement_draw,
    security,
    term,
)
from kleroterion.web.context import CITY_KEY, ENGINE_KEY
from kleroterion.web.public import TODAY_SETTING
from werkzeug.routing import IntegerConverter, Map

CITY_ENV = "KLEROTERION_CITY"
INSTANCE_ENV = db.INSTANCE_PATH_VARIABLE


class MissingCity(RuntimeError):
    """No city was given to ``create_app`` and ``KLEROTERION_CITY`` is not set."""


class RecordIdConverter(IntegerConverter):
    """Flask's ``int`` converter bounded by what an INTEGER column holds (``MAX_ID``)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", records.MAX_ID)
        super().__init__(map, *args, **kwargs)


def create_app(city: str | None = None, config: Mapping[str, Any] | None = None) -> Flask:
    """Build the web application of one city.

    ``config`` overrides any setting (``SECRET_KEY``, ``SESSION_COOKIE_SECURE``,
    ``TESTING``, ``KLEROTERION_SORTITION_ENGINE``...). Raises ``MissingCity`` when no
    city is named, the plugin layer's ``UnknownCity`` or ``PluginError`` when the city
    cannot be loaded, and ``EngineSettingError`` when the engine setting names no
    sortition engine.
    """
    logsafe.install()
    slug = city or os.environ.get(CITY_ENV, "")
    if not slug:
        raise MissingCity(
            f"no city given: pass one (kleroterion serve --city paris) or set {CITY_ENV}"
        )
    loaded: City = load_city(slug)
    # The services use this same city: one load (entry points, validation) per app.
    service_context.use_city(loaded)

    # The CLI's rule, not Flask's default (a folder beside the installed package), so
    # that letters and lottery folders a command writes are where the web app looks.
    app = Flask(__name__, instance_path=str(db.instance_path()), instance_relative_config=True)
    # Before any route is added: ``<int:...>`` matches record ids only (a larger number
    # would overflow the query, a 500 instead of the 404 page).
    app.url_map.converters["int"] = RecordIdConverter
    app.config.update(security.DEFAULT_SETTINGS)
    app.config.from_mapping(config or {})
    # A KLEROTERION_TODAY that is no date stops the server before it answers anyone.
    service_context.environment_today()
    app.extensions[CITY_KEY] = loaded
    # Read once: every draw of this app, and the jobs its workers run, use this engine.
    app.extensions[ENGINE_KEY] = sortition_engine.configured(app.config)

    # Order matters: security settles the secret key and cookies before anything
    # uses the session; i18n must exist before the blueprints render a page.
    security.init_app(app)
    # Logging and the request id before the other hooks, so that their records carry it.
    observability.init_app(app)
    database.init_app(app)
    i18n.init_app(app)
    term.init_app(app)
    errors.init_app(app)
    limits.init_app(app)
    public.init_app(app)
    records.init_app(app)
    observatory.init_app(app)
    comparison.init_app(app)
    answer.init_app(app)
    anchor.init_app(app)
    api.init_app(app)
    auth.init_app(app)
    backoffice.init_app(app)
    panel_draw.init_app(app)
    replacement_draw.init_app(app)
    backoffice_followup.init_app(app)
    exports.init_app(app)
    for module in (admin_accounts, admin_acts, admin_answer_edits, admin_bodies, admin_draws,
                   admin_mandates, admin_members, admin_privacy, admin_quotas, admin_sessions,
                   admin_subjects, admin_events):
        module.init_app(app)
    page_cache.init_app(app)  # wraps the views registered above
    jobs.init_app(app)
    _init_plugins(app, loaded)
    _keep_to_the_city(app, loaded.slug)
    return app


def _keep_to_the_city(app: Flask, slug: str) -> None:
    """Every query of a request sees this city's records only (services.scope)."""

    @app.before_request
    def enter_scope() -> None:
        g.city_scope_token = CITY_SCOPE.set(slug)
        # The services called by this request see the app's date (its setting), as the
        # pages do: one day per request (services.context.today).
        pinned = app.config.get(TODAY_SETTING)
        g.today_token = PINNED_TODAY.set(pinned if isinstance(pinned, dt.date) else None)

    @app.teardown_request
    def leave_scope(_: BaseException | None) -> None:
        token = g.pop("city_scope_token", None)
        if token is not None:
            CITY_SCOPE.reset(token)
        today_token = g.pop("today_token", None)
        if today_token is not None:
            PINNED_TODAY.reset(today_token)


def _init_plugins(app: Flask, city: City) -> None:
    """Let the city's and the extensions' plugins add blueprints and template variables."""
    city.hook.register_blueprints(app=app)

    @app.context_processor
    def plugin_template_vars() -> dict[str, Any]:
        merged: dict[str, Any] = {}
        # pluggy calls the last registered plugin first; apply in reverse so that
        # the plugin called first (the city's, or a tryfirst one) wins on a clash.
        for variables in reversed(city.hook.extra_template_vars(city=city.slug)):
            merged.update(variables or {})
        return merged


__all__ = ["CITY_ENV", "INSTANCE_ENV", "MissingCity", "create_app"]
