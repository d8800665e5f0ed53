"""Who may reach what: every route of the URL map, walked as each role.

``ACCESS`` declares the least role each endpoint needs; a route missing from it
fails the first test, so nobody adds a page without saying who may see it. The walk
requests every route as anonymous, read-only, secretariat and administrator and
checks the answer against the declaration. Logging in needs the User model (#4):
until it lands, the walks of the logged-in roles skip with that reason.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from .conftest import CITIES

ROLES = ("anonymous", "read-only", "secretariat", "administrator")
LEVEL = {"public": 0, "read-only": 1, "secretariat": 2, "administrator": 3}
ROLE_LEVEL = {"anonymous": 0, "read-only": 1, "secretariat": 2, "administrator": 3}

#: The least role each endpoint needs.
ACCESS: dict[str, str] = {
    "static": "public",
    "public.home": "public",
    "public.sessions_page": "public",
    "public.sessions_calendar": "public",
    "public.panel": "public",
    "public.powers": "public",
    "public.power": "public",
    "public.indemnity": "public",
    "public.accountability": "public",
    "api.city": "public",
    "api.composition": "public",
    "api.bodies": "public",
    "api.mandate": "public",
    "api.proposal_kinds": "public",
    "api.proposal_kind": "public",
    "api.indemnity": "public",
    "api.accountability": "public",
    "api.openapi": "public",
}

#: Values for the URL variables of the routes, so that every route can be built.
SAMPLE_VALUES = {"filename": "site.css", "kind": "deliberation"}


def _urls(app: Flask) -> Iterator[tuple[Rule, str]]:
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        for rule in app.url_map.iter_rules():
            values = {name: SAMPLE_VALUES[name] for name in rule.arguments}
            yield rule, adapter.build(rule.endpoint, values)


def log_in(client: FlaskClient, role: str) -> None:
    if role == "anonymous":
        return
    pytest.skip(f"logging in as {role} needs the User model and login form (#4)")


@pytest.mark.parametrize("city", CITIES)
def test_every_route_declares_who_may_reach_it(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(ACCESS) == set(), "declare these endpoints in ACCESS"
    assert set(ACCESS) - endpoints == set(), "these ACCESS entries have no route"
    assert set(ACCESS.values()) <= set(LEVEL)


@pytest.mark.parametrize("role", ROLES)
def test_walk_every_route_as(role: str, client: FlaskClient, app: Flask) -> None:
    log_in(client, role)
    for rule, url in _urls(app):
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            with client.open(url, method=method) as response:
                allowed = ROLE_LEVEL[role] >= LEVEL[ACCESS[rule.endpoint]]
                if allowed:
                    assert response.status_code == 200, (role, method, url)
                else:
                    refused = response.status_code in (401, 403) or (
                        response.status_code == 302 and "/login" in response.location
                    )
                    assert refused, (role, method, url, response.status_code)
