"""A realistic simulated mandate of any installed city, built through the services.

``kleroterion demo paris`` uses this to fill a demo database in the instance folder:
a synthetic registry and its invitation draw, respondents who meet the quotas, the
panel draw of each seat group (for a stratified group, LEXIMIN and its lottery
folder published under ``<work>/lotteries``, then the panel chosen by a public
number, as a real draw is made), confirmations, a withdrawal and its replacement,
the consent of a share of the members to be named on the public panel page,
bodies, sessions (past ones with attendance, upcoming ones), proposals at every
state of every kind's lifecycle, responses to the acts sent, and the follow-up of
adopted acts: commitments with owners, deadlines, progress and milestones, one of
them overdue.

Everything goes through ``kleroterion.services``, so the demo obeys the same rules
as a real mandate, and only the city's configuration is read: a new city plugin
gets a demo without writing one. Every person is synthetic and named as such
(the public names, a first name and an initial, are invented too); nothing here is
a real resident. The demo database is its own SQLite file
(``demo-<city>.sqlite3``), never the instance's real database, or an empty database
given by URL (PostgreSQL for the load benchmark, ``benchmarks/bench_load.py``).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from kleroterion.city.types import CityConfig, localize
from kleroterion.db import (
    alembic_config,
    current_revision,
    make_engine,
    make_sessionmaker,
    upgrade,
)
from kleroterion.models import Mandate, User
from kleroterion.services import followup, mandates, users
from kleroterion.services.context import PINNED_TODAY, add_months, city
from kleroterion.services.errors import ServiceError
from kleroterion.web import demo_mandate, demo_record, demo_subjects
from kleroterion.web.demo_mandate import DEMO_USER, MONTHS_IN, SEED, Say, run_step
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker


@dataclass(frozen=True)
class DemoLogin:
    """Where the demo is and how the secretariat logs in."""

    database_url: str
    username: str
    password: str
    mandate_id: int
    created: bool  # False when an existing demo database was reused


def lottery_root(instance: Path, slug: str) -> Path:
    """Where the demo of ``slug`` publishes its lottery folders (the demo app serves them)."""
    return instance / f"demo-{slug}-files" / "lotteries"


def database_path(instance: Path, slug: str) -> Path:
    return instance / f"demo-{slug}.sqlite3"


def _mandate(factory: sessionmaker[Session], say: Say, config: CityConfig, mandate: Mandate,
             today: dt.date, work: Path, rng: random.Random, *, acts: bool = True,
             with_overdue: bool = True, engine: object = None) -> None:
    """Recruit, seat, form bodies, hold sessions, produce acts and follow them, with their
    record (texts, votes, answers, session details)."""
    record_rng = random.Random(rng.random())
    demo_mandate.recruit(factory, say, config, mandate, work, rng, engine)
    demo_mandate.seat_members(factory, say, mandate, rng, work, engine)
    demo_mandate.form_bodies(factory, say, config, mandate, rng)
    demo_mandate.hold_sessions(factory, say, config, mandate, today, rng)
    if acts:
        adopted = demo_mandate.make_acts(factory, say, config, mandate, today, rng)
        demo_mandate.follow_up(factory, say, mandate, adopted, today, rng,
                               with_overdue=with_overdue)
        demo_record.acts_content(factory, say, config, mandate, work.parent, today, record_rng)
        demo_record.answers(factory, say, config, mandate, today)
    else:
        demo_mandate.draft_acts(factory, say, config, mandate, today)
    demo_record.session_details(factory, say, config, mandate, today, record_rng)


def _city_reports(factory: sessionmaker[Session], say: Say, mandate: Mandate,
                  today: dt.date) -> None:
    """The periodic reports the city made on time (Paris reports yearly on each promotion)."""
    for _ in range(5):
        due = run_step(factory, followup.report_due, mandate.id)
        if due is None or due > today:
            return
        say(f"the city's follow-up report {due.year - 1} on {mandate.label}")
        run_step(factory, followup.report, mandate.id, due.year - 1)


#: « (démo) » in each language of the interface: every demo mandate says it is one.
DEMO_WORD = {"fr": "démo", "en": "demo", "nl": "demo"}


def _open(factory: sessionmaker[Session], config: CityConfig, slug: str, year: int,
          start: dt.date) -> Mandate:
    """Open a demo mandate named in each language of the site (« cyclus 2026 (demo) »)."""
    languages = dict.fromkeys((*config.profile.languages, "en"))
    names = {language: f"{localize(config.mandate.term_name, language)} {year} "
                       f"({DEMO_WORD.get(language, 'demo')})" for language in languages}
    first = config.profile.languages[0]
    opened: Mandate = run_step(factory, mandates.open_mandate, slug, names[first], start,
                               labels={k: v for k, v in names.items() if k != first})
    return opened


def build(factory: sessionmaker[Session], slug: str, today: dt.date, work: Path,
          say: Say, *, engine: object = None) -> int:
    """Fill an empty database with demo mandates of ``slug``; return the sitting one's id.

    The panels and replacements are drawn with ``engine`` (default LEXIMIN; ``kleroterion
    demo`` passes its app's ``KLEROTERION_SORTITION_ENGINE``).

    The sitting mandate (built first, so it keeps the first ids), the one before it,
    whose follow-up goes on, and, where the city's promotions overlap (Paris), the next
    one, opened a month ago while the sitting one still sits. City-level events close.

    The services called on the way see ``today`` as their date
    (``services.context.PINNED_TODAY``), whatever the environment pins: the demo is
    built as of that day throughout (replacement windows, retention, attendance).
    """
    token = PINNED_TODAY.set(today)
    try:
        return _build(factory, slug, today, work, say, engine)
    finally:
        PINNED_TODAY.reset(token)


def _build(factory: sessionmaker[Session], slug: str, today: dt.date, work: Path,
           say: Say, engine: object) -> int:
    config = city(slug).config
    rng = random.Random(SEED)
    rules = config.mandate
    start = add_months(today.replace(day=1), -MONTHS_IN)
    term = localize(rules.term_name, config.profile.languages[0])
    say(f"opening the {term} of {localize(config.profile.name, 'en')} (demo), from {start}")
    mandate = _open(factory, config, slug, start.year, start)
    work.mkdir(parents=True, exist_ok=True)
    # Lottery folders of an earlier, abandoned build would hold the new draws' names.
    shutil.rmtree(work / "lotteries", ignore_errors=True)
    _mandate(factory, say, config, mandate, today, work, rng, engine=engine)
    built = [mandate]
    before = add_months(start, -rules.renewal_months)
    say(f"the previous {term}, from {before}: its record and follow-up stay public")
    past = _open(factory, config, slug, before.year, before)
    _mandate(factory, say, config, past, today, work, random.Random(SEED + 11),
             with_overdue=False, engine=engine)
    built.append(past)
    if mandates.sitting_at_once(slug) > 1:
        after = add_months(today.replace(day=1), -1)
        say(f"the next {term}, from {after}, sits alongside the current one")
        upcoming = _open(factory, config, slug, after.year + 1, after)
        _mandate(factory, say, config, upcoming, today, work, random.Random(SEED + 12),
                 acts=False, engine=engine)
        built.append(upcoming)
    for each in built:
        _city_reports(factory, say, each, today)
    demo_record.city_events(factory, say, config, built, today)
    demo_subjects.subjects_and_workshops(factory, say, config, built)
    return mandate.id


def prepare(instance: Path, slug: str, *, today: dt.date | None = None,
            say: Say = lambda _: None, database_url: str | None = None,
            engine: object = None) -> DemoLogin:
    """Create (or reuse) the demo database of ``slug``; give the secretariat a new password.

    Without ``database_url`` the demo is the SQLite file ``demo-<slug>.sqlite3`` of the
    instance folder. With one (``postgresql+psycopg://...``, for a demo or a benchmark on
    the production engine) the demo is built there when that database is empty (never
    migrated), and reused when it already holds a mandate of ``slug``; any other
    database is refused, so a demo is never mixed into real records. A new demo's draws
    use ``engine`` (default LEXIMIN).
    """
    today = today or dt.date.today()
    instance.mkdir(parents=True, exist_ok=True)
    if database_url is None:
        created = _build_sqlite(instance, slug, today, say, engine)
        url = f"sqlite:///{database_path(instance, slug)}"
    else:
        created = _build_at(database_url, instance, slug, today, say, engine)
        url = database_url
    upgrade(url)  # a demo made by an older version gets the newer tables
    engine = make_engine(url)
    try:
        factory = make_sessionmaker(engine)
        existing = run_step(factory, lambda s: s.scalar(
            select(Mandate.id).where(Mandate.city == slug).order_by(Mandate.id)))
        if existing is None:
            if database_url is not None:
                raise ServiceError("the database holds no mandate of %(city)s; give an empty "
                                   "database (or delete the file) to rebuild the demo", city=slug)
            raise ServiceError("%(where)s holds no mandate of %(city)s; give an empty database "
                               "(or delete the file) to rebuild the demo",
                               where=database_path(instance, slug), city=slug)
        password = secrets.token_urlsafe(12)
        user = run_step(factory, lambda s: s.scalar(select(User).where(User.username == DEMO_USER)))
        if user is None:
            run_step(factory, users.create_user, DEMO_USER, password, "secretariat")
        else:
            run_step(factory, users.set_password, user.id, password)
    finally:
        engine.dispose()
    return DemoLogin(database_url=url, username=DEMO_USER, password=password,
                     mandate_id=existing, created=created)


def _build_sqlite(instance: Path, slug: str, today: dt.date, say: Say,
                  engine: object = None) -> bool:
    """Build the instance folder's demo file unless it exists; whether it was built."""
    path = database_path(instance, slug)
    if path.exists():
        return False
    # Built aside and renamed when complete: a failed build (no sortition engine,
    # an interrupted run) never leaves a half demo to be reused next time.
    building = path.with_name(path.name + ".building")
    building.unlink(missing_ok=True)
    upgrade(f"sqlite:///{building}")
    database = make_engine(f"sqlite:///{building}")
    try:
        build(make_sessionmaker(database), slug, today, instance / f"demo-{slug}-files", say,
              engine=engine)
    except BaseException:
        database.dispose()
        building.unlink(missing_ok=True)
        raise
    database.dispose()
    os.replace(building, path)
    return True


def _build_at(url: str, instance: Path, slug: str, today: dt.date, say: Say,
              engine: object = None) -> bool:
    """Build the demo at ``url`` if that database was never migrated; whether it was built."""
    if current_revision(url) is not None:
        return False  # migrated already: prepare reuses its mandate or refuses it
    upgrade(url)
    database = make_engine(url)
    try:
        build(make_sessionmaker(database), slug, today, instance / f"demo-{slug}-files", say,
              engine=engine)
    except BaseException:
        # The build commits step by step; dropping every table it made (the initial
        # revision's downgrade) leaves the database as empty as it was given.
        database.dispose()
        from alembic import command

        command.downgrade(alembic_config(url), "base")
        raise
    database.dispose()
    return True
