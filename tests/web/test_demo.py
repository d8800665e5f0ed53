"""``kleroterion demo``: a realistic simulated mandate of any city, built through the services."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from kleroterion.cli import main
from kleroterion.db import current_revision, make_engine, make_sessionmaker, session_scope, upgrade
from kleroterion.models import (
    AssemblySession,
    Attendance,
    CityEvent,
    Commitment,
    Draw,
    Mandate,
    Member,
    PersonalData,
    Proposal,
    ProposalResponse,
    ProposalVote,
    SessionGuest,
    User,
)
from kleroterion.services import followup, mandates, members, subjects, users
from kleroterion.services.context import add_months, city
from kleroterion.services.engine import SETTING
from kleroterion.services.errors import ServiceError
from kleroterion.web import create_app, demo
from sqlalchemy import func, inspect, select

from tests.lifecycle import engine_standin

from .conftest import CITIES

TODAY = dt.date(2026, 11, 23)


#: The lifecycle tests' quick stand-in for the engine: these tests are about the demo's
#: content, not fairness (the engine has its own tests); exact LEXIMIN on every seat
#: group would take minutes. ``demo.prepare`` is given it, ``kleroterion demo`` its setting.
STANDIN = engine_standin.ENGINE


@pytest.fixture(autouse=True)
def sortition_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """``kleroterion demo`` draws with the stand-in, chosen by the engine setting."""
    monkeypatch.setenv(SETTING, engine_standin.SETTING)


def _query(url: str, work: Any) -> Any:
    engine = make_engine(url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            return work(session)
    finally:
        engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("city", CITIES)
def test_the_demo_is_a_whole_mandate(city: str, instance: Path) -> None:
    config = globals()["city_config"](city)
    login = demo.prepare(instance, city, today=TODAY, engine=STANDIN)
    assert login.created and login.database_url.endswith(f"demo-{city}.sqlite3")

    def facts(session: Any) -> dict[str, Any]:
        mine = login.mandate_id
        seated = list(session.scalars(select(Member).where(
            Member.status != "withdrawn", Member.seat_group != "volunteers",
            Member.mandate_id == mine)))
        meetings = list(session.scalars(select(AssemblySession).where(
            AssemblySession.mandate_id == mine)))
        proposals = list(session.scalars(select(Proposal).where(Proposal.mandate_id == mine)))
        return {
            "mandates": [(m.label, m.starts_on, m.ends_on) for m in session.scalars(
                select(Mandate).order_by(Mandate.starts_on))],
            "seats": Counter(member.seat_group for member in seated),
            "draws": [(d.seat_group, d.panels_digest is not None, d.final)
                      for d in session.scalars(select(Draw).where(Draw.kind == "panel",
                                                                  Draw.mandate_id == mine))],
            "replacements": session.scalar(select(func.count()).select_from(Draw).where(
                Draw.kind == "replacement", Draw.mandate_id == mine)),
            "past": [m for m in meetings if m.held_on <= TODAY],
            "future": [m for m in meetings if m.held_on > TODAY],
            "attendance": session.scalar(select(func.count()).select_from(Attendance)),
            "states": {(p.kind, p.state) for p in proposals},
            "texts": all(p.summary and p.full_text and p.tabled_by for p in proposals),
            "votes": session.scalar(select(func.count()).select_from(ProposalVote)),
            "answers": [(r.kind, r.verdict) for r in session.scalars(select(ProposalResponse))],
            "timed": all(m.starts_at and m.place and m.agenda for m in meetings),
            "guests": session.scalar(select(func.count()).select_from(SessionGuest)),
            "events": [e.kind for e in session.scalars(select(CityEvent))],
            "commitments": session.scalar(select(func.count()).select_from(Commitment)),
            "overdue": [(o.what) for o in followup.overdue(session, TODAY, city=city)],
            "names": [p.name for p in session.scalars(select(PersonalData)) if p.name],
            "login": users.authenticate(session, login.username, login.password),
        }

    found = _query(login.database_url, facts)
    # The sitting promotion, the one before it and, where promotions overlap, the next.
    overlapping = city == "paris"
    assert len(found["mandates"]) == (3 if overlapping else 2)
    if overlapping:
        (_, _, past_end), (_, start, end), (_, next_start, _) = found["mandates"]
        assert past_end < TODAY and start < next_start <= TODAY <= end
    assert found["seats"] == {g.key: g.seats for g in config.composition.seat_groups}
    # Every drawn group publishes its lottery folder, stratified or uniform (issue 18).
    drawn = {g.key for g in config.composition.seat_groups if g.selection != "open"}
    assert {group for group, digest, final in found["draws"] if digest and final} == drawn
    assert found["replacements"] == 1
    assert found["past"] and found["attendance"] > len(found["past"]) * 10
    assert found["future"], "the home page needs next sessions"
    for kind in config.proposal_kinds:
        expected = {state.key for state in kind.states}
        if kind.per_mandate is not None:
            expected = {state.key for state in kind.states if state.outcome == "adopted"}
        assert {state for k, state in found["states"] if k == kind.key} == expected
    assert found["texts"] and found["votes"] > 0
    assert found["timed"] and found["guests"] > 0
    if config.accountability.report_every_months:  # Paris: yearly answers, a yearly meeting
        assert ("yearly", None) in found["answers"] and "accountability" in found["events"]
    if config.accountability.response_deadlines:  # Brussels: verdicts, reasons, meetings
        assert {v for _, v in found["answers"]} >= {"retained", "not_retained"}
        assert "reasons" in {k for k, _ in found["answers"]}
        assert found["events"].count("follow_up") >= 2  # two per ended cycle
    assert found["commitments"] >= 2
    assert found["overdue"] == ["commitment"]
    assert all("fictif" in name or "fictive" in name for name in found["names"])
    assert found["login"] is not None and found["login"].role == "secretariat"
    _the_next_promotion_leaves_the_record_reachable(city, login.database_url, login.mandate_id)


def _the_next_promotion_leaves_the_record_reachable(city: str, url: str, sitting: int) -> None:
    """Open the next promotion: every act, session, member list, subject and follow-up item
    of the sitting one stays reachable on the site and in the API (the site used to show
    the mandate with the latest start date only)."""
    rules = city_config(city).mandate

    def open_next(session: Any) -> int:
        latest = max(session.scalars(select(Mandate).where(Mandate.city == city)),
                     key=lambda m: m.starts_on)
        start = max(add_months(latest.starts_on, rules.renewal_months),
                    latest.ends_on + dt.timedelta(days=1))
        return mandates.open_mandate(session, city, "next promotion (test)", start).id

    def record(session: Any) -> dict[str, Any]:
        acts = list(session.scalars(select(Proposal).where(Proposal.mandate_id == sitting)))
        config = city_config(city)
        return {
            "acts": [p.id for p in acts],
            "adopted": [p.id for p in acts if next(
                s.outcome for k in config.proposal_kinds if k.key == p.kind
                for s in k.states if s.key == p.state) == "adopted"],
            "sessions": [m.id for m in session.scalars(select(AssemblySession).where(
                AssemblySession.mandate_id == sitting))],
            "subjects": [s.id for s in subjects.subjects_of(session, [sitting])],
            "named": [name for key, group in members.public_names(session, sitting).items()
                      if key in {g.key for g in config.composition.seat_groups}
                      for name in group.names],
        }

    new = _query(url, open_next)
    found = _query(url, record)
    app = create_app(city, {"TESTING": True, "SECRET_KEY": "test", "KLEROTERION_TODAY": TODAY,
                            "KLEROTERION_DATABASE_URL": url})
    client = app.test_client()
    proposals_page = client.get("/proposals").get_data(as_text=True)
    api_acts = {a["id"] for a in client.get("/api/proposals").get_json()}
    for ident in found["acts"]:
        assert f'href="/proposals/{ident}"' in proposals_page
        assert client.get(f"/proposals/{ident}").status_code == 200
        assert ident in api_acts
    follow_up_page = client.get("/follow-up").get_data(as_text=True)
    api_follow_up = {j["id"] for j in client.get("/api/follow-up").get_json()}
    assert found["adopted"]
    for ident in found["adopted"]:
        assert f'href="/follow-up/{ident}"' in follow_up_page and ident in api_follow_up
        assert client.get(f"/api/follow-up/{ident}").status_code == 200
    sessions_page = client.get(f"/sessions?promotion={sitting}").get_data(as_text=True)
    api_sessions = {m["id"] for m in client.get("/api/sessions").get_json()
                    if m["type"] == "session"}
    for ident in found["sessions"]:
        assert f'id="session-{ident}"' in sessions_page and ident in api_sessions
    panel = client.get(f"/panel?promotion={sitting}").get_data(as_text=True)
    assert all(name in panel for name in found["named"][:20])
    subjects_page = client.get("/subjects").get_data(as_text=True)
    api_subjects = {s["id"] for s in client.get("/api/subjects").get_json()}
    assert found["subjects"]
    for ident in found["subjects"]:
        assert f'href="/subjects/{ident}"' in subjects_page and ident in api_subjects
        assert client.get(f"/subjects/{ident}").status_code == 200
    promotions_page = client.get("/promotions").get_data(as_text=True)
    assert f'href="/promotions/{sitting}"' in promotions_page
    assert f'href="/promotions/{new}"' in promotions_page
    assert {p["id"] for p in client.get("/api/promotions").get_json()} >= {sitting, new}


def city_config(slug: str) -> Any:
    return city(slug).config


def test_the_demo_is_reused_with_a_new_password(instance: Path) -> None:
    first = demo.prepare(instance, "poitiers", today=TODAY, engine=STANDIN)
    again = demo.prepare(instance, "poitiers", today=TODAY, engine=STANDIN)
    assert not again.created and again.mandate_id == first.mandate_id
    assert again.password != first.password

    def check(session: Any) -> tuple[Any, Any]:
        return (users.authenticate(session, "secretariat", first.password),
                users.authenticate(session, "secretariat", again.password))

    old, new = _query(again.database_url, check)
    assert old is None and new is not None


def test_a_failed_build_leaves_no_half_demo(instance: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SETTING, engine_standin.REFUSING_SETTING)
    result = CliRunner().invoke(main, ["demo", "paris"])
    assert result.exit_code == 1
    assert ("the demo cannot be built: the draw cannot be made: the stand-in refuses every "
            "draw") in result.output
    assert not demo.database_path(instance, "paris").exists()
    assert not list(instance.glob("*.building"))


def test_the_demo_command_prints_the_site_and_a_login(
    instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: dict[str, Any] = {}
    monkeypatch.setattr(Flask, "run", lambda self, **kwargs: served.update(
        kwargs, app=self))
    result = CliRunner().invoke(main, ["demo", "poitiers", "--port", "5123"])
    assert result.exit_code == 0, result.output
    assert "Site: http://127.0.0.1:5123/" in result.output
    line = next(x for x in result.output.splitlines() if x.startswith("Secretariat login: "))
    username, password = line.removeprefix("Secretariat login: ").split(" / ")
    assert username == "secretariat" and len(password) >= 12
    app = served["app"]
    assert app.config["KLEROTERION_DATABASE_URL"].endswith("demo-poitiers.sqlite3")
    assert app.config["SESSION_COOKIE_SECURE"] is False  # plain http on the loopback
    assert (served["host"], served["port"]) == ("127.0.0.1", 5123)


# -- a demo in a database given by URL (PostgreSQL for the load benchmark) -------------


def _mandates(url: str) -> list[tuple[str, int]]:
    return _query(url, lambda session: [(m.city, m.id) for m in session.scalars(
        select(Mandate).order_by(Mandate.id))])


def test_the_demo_builds_into_an_empty_database_given_by_url(instance: Path,
                                                              empty_url: str) -> None:
    first = demo.prepare(instance, "poitiers", today=TODAY, database_url=empty_url,
                         engine=STANDIN)
    assert first.created and first.database_url == empty_url
    built = _mandates(empty_url)  # the sitting edition (first), and the previous one
    assert built[0] == ("poitiers", first.mandate_id) and len(built) == 2
    assert not demo.database_path(instance, "poitiers").exists()  # not the SQLite file
    again = demo.prepare(instance, "poitiers", today=TODAY, database_url=empty_url,
                         engine=STANDIN)
    assert not again.created and again.mandate_id == first.mandate_id
    assert _mandates(empty_url) == built  # not built twice
    assert _query(empty_url, lambda s: users.authenticate(
        s, "secretariat", again.password)) is not None


def test_a_failed_build_at_a_url_leaves_the_database_empty(
    instance: Path, empty_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ServiceError, match="no sortition engine"):
        # Something that is no engine (no find_distribution, no round_distribution).
        demo.prepare(instance, "paris", today=TODAY, database_url=empty_url, engine=object())
    assert current_revision(empty_url) is None
    engine = make_engine(empty_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


def test_a_database_holding_other_records_is_refused(instance: Path,
                                                     empty_url: str) -> None:
    upgrade(empty_url)  # migrated, holding no mandate of the city: a real instance's
    with pytest.raises(ServiceError, match="holds no mandate of poitiers"):
        demo.prepare(instance, "poitiers", today=TODAY, database_url=empty_url,
                         engine=STANDIN)
    assert _mandates(empty_url) == []
    assert _query(empty_url, lambda s: s.scalar(select(func.count()).select_from(User))) == 0


_HREF = re.compile(r'href="(/[^"#]*)"')
_ID = re.compile(r'\sid="([^"]+)"')


@pytest.mark.slow
def test_every_page_of_the_demo_is_reachable_and_well_formed(instance: Path) -> None:
    """A crawl of the demo as the secretariat: no broken link, no id twice on a page.

    Two elements with one id break ``<label for>``, skip links and the tests' own
    selectors; a link to a page that fails is what a secretariat would click first.
    """
    login = demo.prepare(instance, "paris", today=TODAY, engine=STANDIN)
    app = create_app("paris", {"TESTING": True, "SECRET_KEY": "test",
                               "KLEROTERION_DATABASE_URL": login.database_url,
                               # As `kleroterion demo` serves it: folders are kept relative.
                               "KLEROTERION_LOTTERY_ROOT": str(demo.lottery_root(instance,
                                                                                 "paris"))})
    client = app.test_client()
    page = client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token
    answer = client.post("/admin/login", data={"csrf_token": token.group(1),
                                               "username": login.username,
                                               "password": login.password})
    assert answer.status_code == 302
    adapter = app.url_map.bind("localhost")
    per_endpoint: Counter[str] = Counter()
    queue, seen = ["/", "/admin/"], {"/", "/admin/"}
    while queue:
        url = queue.pop(0)
        path = url.split("?")[0]
        endpoint, _ = adapter.match(path, method="GET")
        if endpoint in {"auth.logout", "static"} or per_endpoint[endpoint] >= 3:
            continue
        per_endpoint[endpoint] += 1
        answer = client.get(url)
        assert answer.status_code == 200, url
        if answer.mimetype != "text/html":
            continue
        html = answer.get_data(as_text=True)
        twice = [name for name, n in Counter(_ID.findall(html)).items() if n > 1]
        assert twice == [], f"{url}: ids used twice: {twice}"
        for link in map(unescape, _HREF.findall(html)):  # "&amp;" is "&" in a link
            if link not in seen and not link.startswith("/static/"):
                seen.add(link)
                queue.append(link)
    # Every kind of page was reached: public, record, back-office list and record.
    assert {"public.panel", "records.follow_up_item", "backoffice.proposal_page",
            "backoffice.member_page"} <= set(per_endpoint), sorted(per_endpoint)
