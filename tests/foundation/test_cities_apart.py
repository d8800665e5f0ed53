"""Two cities in one database: every route and command of one finds the other's records "not found".

A Poitiers demo mandate (acts, members, sessions, draws, commitments, milestones)
fills the database; the back office, API and command line of Brussels (a city with
response deadlines, so every API body can be valid) are then walked with every
record id of Poitiers, by a Brussels administrator and a Brussels token. The old
failure: a Paris secretariat account moved a Poitiers act through the Paris back
office.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from kleroterion.cli import main
from kleroterion.db import make_engine, make_sessionmaker, session_scope, upgrade
from kleroterion.models import (
    ApiToken,
    AssemblySession,
    BodyMembership,
    Commitment,
    Draw,
    Mandate,
    Member,
    Milestone,
    Proposal,
    ProposalResponse,
    Subject,
    User,
)
from kleroterion.services import mandates, users
from kleroterion.services.errors import NotFound
from kleroterion.services.scope import scoped
from kleroterion.web import create_app, demo
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from tests.lifecycle import engine_standin

PASSWORD = "a long enough password"
TODAY = dt.date(2026, 11, 23)
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')

#: Which table each URL variable names a record of.
RECORDS = {
    "proposal_id": Proposal,
    "ident": Proposal,
    "member_id": Member,
    "session_id": AssemblySession,
    "draw_id": Draw,
    "commitment_id": Commitment,
    "milestone_id": Milestone,
    "mandate_id": Mandate,
    "subject_id": Subject,
    "answer_id": ProposalResponse,
}
#: API routes whose ``ident`` names another table than an act.
API_IDENT = {
    "api.update_commitment": Commitment,
    "api.add_milestone": Commitment,
    "api.complete_milestone": Milestone,
    "api.record_attendance": AssemblySession,
    "api.edit_session_texts": AssemblySession,
    "api.follow_up_item": Commitment,
    "api.subject": Subject,
    "api.edit_subject": Subject,
    "api.delete_subject": Subject,
    "api.edit_answer": ProposalResponse,
    "api.create_proposal": Mandate,
}
WEB_IDENT = {"records.follow_up_item": Commitment}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One SQLite database holding a Poitiers demo, a Paris mandate and both cities' accounts."""
    folder = tmp_path_factory.mktemp("two-cities")
    url = f"sqlite:///{folder / 'shared.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    demo.build(factory, "poitiers", TODAY, folder / "work", lambda _: None,
               engine=engine_standin.ENGINE)  # the quick stand-in of the engine
    with session_scope(factory, actor="test") as session:
        mandates.open_mandate(session, "brussels", "cycle 2026", dt.date(2026, 9, 1),
                              dt.date(2026, 11, 30))
        admin = users.create_user(session, "brussels-admin", PASSWORD, "administrator",
                                  city="brussels")
        other = users.create_user(session, "poitiers-admin", PASSWORD, "administrator",
                                  city="poitiers")
        users.issue_token(session, other.id, "poitiers")
        _, token = users.issue_token(session, admin.id, "walk")
        poitiers = session.scalar(select(Mandate.id).where(Mandate.city == "poitiers"))
        ids = {model: list(session.scalars(select(model.id).order_by(model.id)))
               for model in {*RECORDS.values(), Mandate, BodyMembership}}
        ids[ApiToken] = [session.scalar(select(ApiToken.id).where(ApiToken.name == "poitiers"))]
    # Brussels's own mandate must not be mistaken for a Poitiers record in the walk.
    ids[Mandate] = [poitiers]
    yield {"url": url, "ids": ids, "token": token, "folder": folder}
    engine.dispose()


#: A valid body of each API write, for Brussels: only the record's city can refuse it.
BODIES = {
    "api.move_proposal": {"target": "adoptee", "on": "2026-01-05", "expected_version": 1},
    "api.record_response": {"deadline": "premiere-reponse", "on": "2026-01-05"},
    "api.add_commitment": {"title": "t", "department": "d", "on": "2026-01-05"},
    "api.update_commitment": {"progress": 10, "expected_version": 1},
    "api.add_milestone": {"title": "t", "due_on": "2026-02-01"},
    "api.complete_milestone": {"on": "2026-01-05"},
    "api.record_attendance": {"attendance": [{"member": 1, "status": "present"}]},
    "api.record_answer": {"kind": "first", "on": "2026-01-05"},
    "api.edit_subject": {"title": {"fr": "t"}},
    "api.edit_session_texts": {"place": {"fr": "t"}},
    "api.edit_answer": {"verdict": "retained", "expected_revision": "x"},
    "api.create_proposal": {"kind": "recommandation", "on": "2026-01-05", "title": "t"},
    "api.edit_proposal_texts": {"titles": {"fr": "t"}, "expected_version": 1},
}


@pytest.fixture
def brussels(shared: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.setenv("KLEROTERION_INSTANCE_PATH", str(shared["folder"] / "instance"))
    return create_app("brussels", {"TESTING": True, "SECRET_KEY": "test secret",
                                "KLEROTERION_DATABASE_URL": shared["url"]})


def _log_in(client: FlaskClient, username: str) -> None:
    page = client.get("/admin/login").get_data(as_text=True)
    token = _CSRF.search(page)
    assert token
    answer = client.post("/admin/login", data={"csrf_token": token.group(1),
                                               "username": username, "password": PASSWORD})
    assert answer.status_code == 302, f"{username} could not sign in"


def _csrf(client: FlaskClient) -> str:
    found = _CSRF.search(client.get("/admin/").get_data(as_text=True))
    assert found
    return found.group(1)


def _walk(app: Flask, ids: dict[Any, list[int]]) -> Iterator[tuple[str, str, str]]:
    """(method, URL, endpoint) of every route holding a record id, with each Poitiers id."""
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        for rule in app.url_map.iter_rules():
            arguments = rule.arguments & ({*RECORDS} | {"ident"})
            if not arguments:
                continue
            (name,) = arguments
            model = API_IDENT.get(rule.endpoint) or WEB_IDENT.get(rule.endpoint) or RECORDS[name]
            others = {"target": "adoptee", "deadline_key": "premiere-reponse"}
            numbers = {key for key, converter in rule._converters.items()
                       if isinstance(converter, IntegerConverter)}
            for ident in ids[model]:
                values = {key: others.get(key, 1 if key in numbers else "x")
                          for key in rule.arguments}
                values[name] = ident
                url = adapter.build(rule.endpoint, values)
                for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                    yield method, url, rule.endpoint


def test_every_route_of_a_city_finds_the_others_records_not_found(
    brussels: Flask, shared: dict[str, Any]
) -> None:
    client = brussels.test_client()
    _log_in(client, "brussels-admin")
    csrf = _csrf(client)
    bearer = {"Authorization": f"Bearer {shared['token']}"}
    walked = found = 0
    for method, url, endpoint in _walk(brussels, shared["ids"]):
        if url.startswith("/api/"):
            answer = client.open(url, method=method, headers=bearer,
                                 json=BODIES.get(endpoint))
        elif method == "GET":
            answer = client.get(url)
        else:
            answer = client.open(url, method=method, data={"csrf_token": csrf})
        walked += 1
        if answer.status_code != 404:
            found += 1
            print(method, url, endpoint, answer.status_code)
    assert walked > 50
    assert found == 0, "Brussels reached Poitiers's records (printed above)"


def test_an_account_of_another_city_signs_in_nowhere_else(brussels: Flask) -> None:
    client = brussels.test_client()
    page = client.get("/admin/login").get_data(as_text=True)
    token = _CSRF.search(page)
    assert token
    answer = client.post("/admin/login", data={"csrf_token": token.group(1),
                                               "username": "poitiers-admin",
                                               "password": PASSWORD})
    assert answer.status_code == 401  # refused exactly like a wrong password
    _log_in(client, "brussels-admin")


def test_a_token_of_another_city_is_unknown(shared: dict[str, Any]) -> None:
    engine = make_engine(shared["url"])
    try:
        with scoped("poitiers"), session_scope(make_sessionmaker(engine)) as session:
            assert users.authenticate_token(session, shared["token"]) is None
            assert [t.name for t in session.scalars(select(ApiToken))] == ["poitiers"]
            assert [u.username for u in session.scalars(select(User))] == ["poitiers-admin"]
        with scoped("brussels"), session_scope(make_sessionmaker(engine)) as session:
            assert users.authenticate_token(session, shared["token"]) is not None
    finally:
        engine.dispose()


#: The record each integer argument of a command names.
ARGUMENT_RECORDS = {
    "mandate_id": Mandate, "member_id": Member, "proposal_id": Proposal,
    "session_id": AssemblySession, "draw_id": Draw, "commitment_id": Commitment,
    "milestone_id": Milestone, "seat_id": BodyMembership, "token_id": ApiToken,
    "subject_id": Subject,
}
#: Values valid for Brussels of the other arguments and options, by name.
VALUES = {
    "target": "adoptee", "deadline": "premiere-reponse", "kind": "recommandation",
    "seat_group": "panel", "body_key": "comite-suivi", "role": "member", "extra": "garde-enfants",
    "title": "t", "department": "d", "public_number": "7", "name": "n", "public_name": "n",
    "external_id": "e", "purpose": "audit", "reason": "r", "amount": "10", "year": "2026",
    "seed": "1", "titles": "fr=t", "labels": "fr=l", "bounds": "gender/femme=1:2",
}


#: Options some commands need to reach their record.
EXTRA = {
    "member personal": ["--email", "someone@example.org"],
    "followup update": ["--progress", "5"],
}


def _commands(group: click.Group, path: list[str]) -> Iterator[tuple[list[str], click.Command]]:
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, [*path, name])
        else:
            yield [*path, name], command


def _value(parameter: click.Parameter, ids: dict[Any, list[int]], files: Path) -> str:
    name = parameter.name or ""
    if name in ARGUMENT_RECORDS:
        return str(ids[ARGUMENT_RECORDS[name]][0])
    if isinstance(parameter.type, click.Choice):
        return str(parameter.type.choices[0])
    if parameter.type.name == "date":
        return "2026-01-05"
    if isinstance(parameter.type, click.Path):
        target = files / f"{name}.csv"
        target.write_text("member,status\n1,present\n", encoding="utf-8")
        return str(target)
    return VALUES.get(name, "1")


def test_every_command_of_a_city_finds_the_others_records_not_found(
    shared: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KLEROTERION_DATABASE_URL", shared["url"])
    monkeypatch.setenv("KLEROTERION_CITY", "brussels")
    runner = CliRunner()
    walked = []
    for path, command in _commands(main, []):
        arguments = [p for p in command.params if isinstance(p, click.Argument)]
        if not any(p.name in ARGUMENT_RECORDS for p in arguments):
            continue
        line = [*path, *(_value(p, shared["ids"], tmp_path) for p in arguments)]
        for option in command.params:
            if isinstance(option, click.Option) and option.required:
                line += [option.opts[0], _value(option, shared["ids"], tmp_path)]
        line += EXTRA.get(" ".join(path), [])
        result = runner.invoke(main, line, env={"KLEROTERION_PASSWORD": PASSWORD})
        walked.append(path)
        assert result.exit_code != 0, line
        assert re.search(r"\bno [\w ]+ with id \d+", result.output), (line, result.output)
    assert len(walked) > 40
    monkeypatch.setenv("KLEROTERION_CITY", "poitiers")
    mandate = shared["ids"][Mandate][0]
    assert runner.invoke(main, ["mandate", "show", str(mandate)]).exit_code == 0


def test_a_service_lookup_in_scope(shared: dict[str, Any]) -> None:
    from kleroterion.services.context import get

    engine = make_engine(shared["url"])
    mandate = shared["ids"][Mandate][0]
    try:
        with scoped("brussels"), session_scope(make_sessionmaker(engine)) as session, \
                pytest.raises(NotFound, match=f"no mandate with id {mandate}"):
            get(session, Mandate, mandate)
        with scoped(None), session_scope(make_sessionmaker(engine)) as session:
            assert get(session, Mandate, mandate).city == "poitiers"
    finally:
        engine.dispose()


