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

import csv
import datetime as dt
import os
import random
import secrets
import shutil
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from kleroterion.city.quotas import group_quotas
from kleroterion.city.types import CityConfig, ProposalKind, SeatGroup, localize
from kleroterion.db import (
    alembic_config,
    current_revision,
    make_engine,
    make_sessionmaker,
    session_scope,
    upgrade,
)
from kleroterion.models import Mandate, Proposal, User
from kleroterion.services import (
    bodies,
    followup,
    mandates,
    members,
    panel,
    proposals,
    recruitment,
    sessions,
    users,
)
from kleroterion.services.context import add_months, city, follow_up_until, get
from kleroterion.services.errors import ServiceError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")

DEMO_USER = "secretariat"
#: How far into its mandate the demo's "today" falls (a Brussels cycle is then over
#: and its follow-up under way; a Paris promotion is half-way).
MONTHS_IN = 7
REGISTRY_ROWS = 4000
RESPONDENTS_PER_SEAT = 2
SEED = 20250901

Say = Callable[[str], None]

#: Titles of the demo's acts: plausible subjects, in French, with a Dutch version.
TITLES = (
    ("Végétaliser les cours d'école", "Scholen vergroenen"),
    ("Des fontaines d'eau potable dans chaque quartier", "Drinkwaterfonteinen in elke wijk"),
    ("Un budget participatif pour les jeunes", "Een burgerbegroting voor jongeren"),
    ("Rénover les logements mal isolés", "Slecht geïsoleerde woningen renoveren"),
    ("Des cantines bio et locales", "Biologische en lokale schoolmaaltijden"),
    ("Réduire la place de la voiture devant les écoles", "Minder auto's aan de schoolpoort"),
    ("Ouvrir les bibliothèques le dimanche", "Bibliotheken op zondag open"),
    ("Un plan contre les îlots de chaleur", "Een plan tegen hitte-eilanden"),
    ("Des toilettes publiques accessibles", "Toegankelijke openbare toiletten"),
    ("Un conseil des usagers des transports", "Een raad van reizigers"),
    ("Réparer plutôt que jeter", "Herstellen in plaats van weggooien"),
    ("Des jardins partagés sur les toits", "Gedeelde daktuinen"),
    ("Simplifier les démarches administratives", "Administratieve procedures vereenvoudigen"),
    ("Un réseau de pistes cyclables continues", "Een doorlopend fietsnetwerk"),
    ("Des bancs et de l'ombre pour les aînés", "Banken en schaduw voor ouderen"),
    ("Lutter contre le gaspillage alimentaire", "Voedselverspilling tegengaan"),
    ("Accueillir les nouveaux habitants", "Nieuwe inwoners verwelkomen"),
    ("Des maisons de santé de quartier", "Wijkgezondheidscentra"),
    ("Mieux trier les déchets", "Afval beter sorteren"),
    ("Des salles municipales pour les associations", "Gemeentezalen voor verenigingen"),
)
#: Share of the members who consent to be named publicly, and the names they choose.
NAMED_SHARE = 0.6
FIRST_NAMES = ("Camille", "Dominique", "Claude", "Sacha", "Alix", "Morgane", "Yanis", "Inès",
               "Lucie", "Mathis", "Nour", "Hugo", "Léa", "Karim", "Maëlle", "Théo", "Aïcha",
               "Jules", "Zoé", "Malik", "Chloé", "Émile", "Sarah", "Noé")

DEPARTMENTS = ("Direction de l'urbanisme", "Direction des espaces verts",
               "Direction de l'éducation", "Direction de la voirie", "Direction du logement")


@dataclass(frozen=True)
class DemoLogin:
    """Where the demo is and how the secretariat logs in."""

    database_url: str
    username: str
    password: str
    mandate_id: int
    created: bool  # False when an existing demo database was reused


def database_path(instance: Path, slug: str) -> Path:
    return instance / f"demo-{slug}.sqlite3"


def _run(factory: sessionmaker[Session], service: Callable[..., T], *args: Any,
         **kwargs: Any) -> T:
    # One transaction per step, as the CLI does: a refused step leaves the rest intact.
    with session_scope(factory, actor="demo") as session:
        return service(session, *args, **kwargs)


def _try(factory: sessionmaker[Session], say: Say, what: str, service: Callable[..., T],
         *args: Any, **kwargs: Any) -> T | None:
    """A step the demo can do without (a body the city forms oddly): report and go on."""
    try:
        return _run(factory, service, *args, **kwargs)
    except ServiceError as error:
        say(f"  skipped {what}: {error}")
        return None


# -- synthetic files ------------------------------------------------------------------


def _deal(bounds: Sequence[tuple[str, int, int]], seats: int, rng: random.Random) -> list[str]:
    """``seats`` values meeting the (value, min, max) bounds, in random order."""
    counts = {value: low for value, low, _ in bounds}
    room = seats - sum(counts.values())
    order = list(bounds)
    rng.shuffle(order)
    for value, low, high in order:
        extra = min(room, high - low)
        counts[value] += extra
        room -= extra
    if room:
        raise ValueError("the quotas of this seat group cannot be met by any panel")
    values = [value for value, count in counts.items() for _ in range(count)]
    rng.shuffle(values)
    return values


def write_respondents(path: Path, config: CityConfig, group: SeatGroup, rows: int,
                      rng: random.Random) -> None:
    """Synthetic respondents: the first ``seats`` meet every quota, the rest vary them."""
    quotas = group_quotas(config.composition, group)
    columns = {
        feature: _deal([(q.value, q.min, q.max) for q in quotas if q.feature == feature],
                       group.seats, rng)
        for feature in group.features
    }
    vectors = [tuple(columns[f][i] for f in group.features) for i in range(group.seats)]
    while len(vectors) < rows:
        # Mix the features of two feasible rows: respondents are not clones of the panel.
        a, b = rng.randrange(group.seats), rng.randrange(group.seats)
        vectors.append(tuple(vectors[a][j] if rng.random() < 0.5 else vectors[b][j]
                             for j in range(len(group.features))))
    quotient_values = ("680", "920", "1 150", "1 480", "")
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", *group.features, "nom", "adresse", "courriel",
                         "quotient_familial"])
        for index, vector in enumerate(vectors):
            ident = f"{group.key[:4].upper()}-{index + 1:04d}"
            writer.writerow([ident, *vector, f"Personne fictive {ident}",
                             f"{index + 1} rue de la Démonstration",
                             f"{ident.lower()}@demo.invalid",
                             quotient_values[index % len(quotient_values)]])


def write_registry(path: Path, config: CityConfig, group: SeatGroup,
                   rng: random.Random) -> str | None:
    """A synthetic registry for the invitation draw; returns its stratification column."""
    column = group.stratify_invitations_by or None
    feature = next((f for f in config.composition.features if f.key == column), None)
    if column and feature is not None:
        values = [value.key for value in feature.values]
        weights = [value.population for value in feature.values]
    else:
        values, weights = ["A", "B", "C"], [1.0, 1.0, 1.0]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["numero", "nom", column or "secteur"])
        for index in range(REGISTRY_ROWS):
            writer.writerow([index + 1, f"Électeur fictif {index + 1}",
                             rng.choices(values, weights)[0]])
    return column


# -- the mandate ----------------------------------------------------------------------


def _path_to(kind: ProposalKind, target: str) -> list[str]:
    """The shortest run of states from the kind's initial state to ``target``."""
    queue: deque[list[str]] = deque([[kind.initial]])
    seen = {kind.initial}
    while queue:
        path = queue.popleft()
        if path[-1] == target:
            return path[1:]
        for move in kind.transitions:
            if move.source == path[-1] and move.target not in seen:
                seen.add(move.target)
                queue.append([*path, move.target])
    return []


def _spread(start: dt.date, end: dt.date, count: int) -> list[dt.date]:
    if count <= 0 or end < start:
        return []
    step = (end - start) / max(count, 1)
    return [start + step * (index + 0.5) for index in range(count)]


def _recruit(factory: sessionmaker[Session], say: Say, config: CityConfig, mandate: Mandate,
             work: Path, rng: random.Random) -> None:
    draw_day = mandate.starts_on - dt.timedelta(days=45)
    for index, group in enumerate(config.composition.seat_groups):
        label = localize(group.label, "en")
        if group.selection == "open":
            continue
        if group.invitations:
            registry = work / f"registry-{group.key}.csv"
            column = write_registry(registry, config, group, rng)
            letters = min(group.invitations, REGISTRY_ROWS // 10)
            say(f"{label}: invitation draw of {letters} letters from a synthetic registry "
                f"of {REGISTRY_ROWS} people")
            _run(factory, recruitment.record_invitation_draw, mandate.id, group.key, registry,
                 work / f"letters-{group.key}.csv", seed=SEED + index, count=letters,
                 stratify_by=column)
        respondents = work / f"respondents-{group.key}.csv"
        write_respondents(respondents, config, group,
                          max(group.seats + 5, group.seats * RESPONDENTS_PER_SEAT), rng)
        _run(factory, recruitment.import_respondents, mandate.id, group.key, respondents)
        number = str(rng.randrange(10**6))
        if group.selection == "stratified":
            method = config.composition.selection_algorithm.upper()
            say(f"{label}: panel draw of {group.seats} seats ({method}): the lottery is "
                f"published, then the public number {number} chooses the panel")
            # The two steps of a real draw, each its own transaction: the folder is
            # published first, the number chosen after (kleroterion verify checks it).
            draw = _run(factory, panel.publish_panel, mandate.id, group.key,
                        work / "lotteries")
            draw = _run(factory, panel.choose_panel, draw.id, number, draw_day)
        else:
            say(f"{label}: panel draw of {group.seats} seats (lottery by the public number "
                f"{number})")
            draw = _run(factory, panel.draw_panel, mandate.id, group.key, draw_day,
                        public_number=number)
        _run(factory, panel.finalize_draw, draw.id)
    if config.composition.open_volunteers:
        say("open volunteers: a few come to the first session")
        for volunteer in range(1, 9):
            _run(factory, recruitment.add_volunteer, mandate.id, mandate.starts_on,
                 external_id=f"VOL-{volunteer:03d}", name=f"Volontaire fictif {volunteer}")


def _members(factory: sessionmaker[Session], say: Say, mandate: Mandate,
             rng: random.Random) -> None:
    seated = _run(factory, members.list_members, mandate.id, active_only=True)
    for member in seated:
        _run(factory, members.confirm, member.id, member.seated_on)
    leaver = rng.choice([m for m in seated if m.seat_group != recruitment.VOLUNTEERS])
    on = mandate.starts_on + dt.timedelta(days=40)
    say("one member withdraws after six weeks and is replaced under the quotas left")
    _run(factory, members.withdraw, leaver.id, on, "moved away")
    _try(factory, say, "the replacement", panel.replace_member, leaver.id,
         on + dt.timedelta(days=7), public_number=str(rng.randrange(10**6)))
    # A generator of its own: the rest of the demo draws the same numbers as before.
    names = random.Random(SEED + 1)
    sitting = _run(factory, members.list_members, mandate.id, active_only=True)
    named = names.sample(sitting, round(NAMED_SHARE * len(sitting)))
    say(f"{len(named)} of {len(sitting)} members consent to be named on the public site")
    for member in named:
        initial = names.choice("ABCDEFGHJKLMNPRSTV")
        _run(factory, members.give_name_consent, member.id,
             f"{names.choice(FIRST_NAMES)} {initial}.", member.seated_on)


def _bodies(factory: sessionmaker[Session], say: Say, config: CityConfig, mandate: Mandate,
            rng: random.Random) -> None:
    for declared in config.bodies:
        on = mandate.starts_on + dt.timedelta(days=14)
        if declared.formed == "end":
            on = mandate.ends_on
        elif declared.formed == "during":
            on = mandate.starts_on + (mandate.ends_on - mandate.starts_on) / 2
        say(f"body: {localize(declared.label, 'en')}")
        for seat in declared.seats:
            count = seat.count if seat.count is not None else 6
            if seat.role == "member" and seat.selection == "drawn":
                _try(factory, say, f"the draw of {declared.key}", bodies.draw, mandate.id,
                     declared.key, on, public_number=str(rng.randrange(10**6)))
            elif seat.role == "member":
                sitting = [m for m in _run(factory, members.list_members, mandate.id,
                                           active_only=True) if members.sits_on(m, on)]
                for member in rng.sample(sitting, min(count, len(sitting))):
                    _try(factory, say, f"{declared.key} member", bodies.join, mandate.id,
                         declared.key, member.id, on)
            else:
                for number in range(1, min(count, 6) + 1):
                    name = f"{seat.role.replace('_', ' ').capitalize()} fictif {number}"
                    _try(factory, say, f"{declared.key} {seat.role}", bodies.appoint,
                         mandate.id, declared.key, seat.role, name, on)


def _sessions(factory: sessionmaker[Session], say: Say, config: CityConfig, mandate: Mandate,
              today: dt.date, rng: random.Random) -> None:
    rules = config.mandate
    kinds = rules.session_kinds
    if not kinds:
        return
    count = rules.sessions_per_mandate or rules.working_days_max or 12
    dates = _spread(mandate.starts_on + dt.timedelta(days=7), mandate.ends_on, count)
    planned: list[tuple[str, dt.date, str | None]] = []
    for index, day in enumerate(dates):
        # The first kind (plenary, working day) opens and closes; the others alternate.
        kind = kinds[0] if index in (0, len(dates) - 1) or len(kinds) == 1 else (
            kinds[1 + index % (len(kinds) - 1)])
        planned.append((kind.key, day, None))
    for declared in config.bodies:
        if declared.formal_meetings and declared.formed == "end":
            until = follow_up_until(mandate)
            for day in _spread(mandate.ends_on + dt.timedelta(days=30), until,
                               declared.formal_meetings):
                planned.append((kinds[-1].key, day, declared.key))
    say(f"{len(planned)} sessions, attendance taken for those held before {today}")
    for kind_key, day, body_key in planned:
        meeting = _try(factory, say, f"a {kind_key} session", sessions.add_session,
                       mandate.id, kind_key, day, body_key=body_key)
        if meeting is None or day > today:
            continue
        with session_scope(factory, actor="demo") as session:
            for member in members.list_members(session, mandate.id):
                if not members.sits_on(member, day):
                    continue
                if body_key and not bodies.sits_in(session, member.id, body_key, day):
                    continue
                roll = rng.random()
                status = "present" if roll < 0.86 else "excused" if roll < 0.94 else "absent"
                sessions.record_attendance(session, meeting.id, member.id, status)


def _proposals(factory: sessionmaker[Session], say: Say, config: CityConfig, mandate: Mandate,
               today: dt.date, rng: random.Random) -> list[int]:
    """One act in every state of every kind; return the adopted ones' ids."""
    bilingual = "nl" in config.profile.languages
    titles = iter(TITLES * 5)
    adopted: list[int] = []
    first = mandate.starts_on + dt.timedelta(days=30)
    for kind in config.proposal_kinds:
        states = list(kind.states)
        if kind.per_mandate is not None:
            # A limited kind (Poitiers' one action plan): show it adopted, then followed up.
            states.sort(key=lambda state: state.outcome != "adopted")
            states = states[: kind.per_mandate]
        say(f"acts: {localize(kind.label, 'en')}, one in each of {len(states)} states")
        for state in states:
            path = _path_to(kind, state.key) if state.key != kind.initial else []
            if state.key != kind.initial and not path:
                continue  # unreachable state
            french, dutch = next(titles)
            title = f"{french} / {dutch}" if bilingual else french
            created = first + dt.timedelta(days=rng.randrange(0, 40))
            proposal = _run(factory, proposals.create, mandate.id, kind.key, title, created)
            # The assembly and the secretariat act within the mandate; the addressee
            # may answer during the follow-up, but never after the demo's today.
            inside = min(today, mandate.ends_on) - dt.timedelta(days=5)
            latest = min(today, follow_up_until(mandate)) - dt.timedelta(days=20)
            actors = {(t.source, t.target): t.actor for t in kind.transitions}
            justified = {(t.source, t.target) for t in kind.transitions if t.justification}
            day, source = created, kind.initial
            for target in path:
                internal = actors[(source, target)] in proposals.INTERNAL_ACTORS
                limit = inside if internal else max(latest, day)
                day = max(day, min(day + dt.timedelta(days=12 if internal else 30), limit))
                # A move the city's rules want justified (an act not retained) gets a reason.
                reason = ("vote en séance" if internal else
                          "hors des compétences de l'exécutif (démo)"
                          if (source, target) in justified else "")
                _run(factory, proposals.move, proposal.id, target, day, reason=reason)
                source = target
            if state.final and state.outcome == "adopted":
                adopted.append(proposal.id)
    return adopted


def _last_step_on(session: Session, proposal_id: int) -> dt.date:
    return get(session, Proposal, proposal_id).transitions[-1].on


def _follow_up(factory: sessionmaker[Session], say: Say, mandate: Mandate, adopted: list[int],
               today: dt.date, rng: random.Random) -> None:
    say(f"follow-up of {len(adopted)} adopted acts; one commitment is overdue")
    overdue_done = False
    # The addressee answered every act in time: the one overdue item is a commitment.
    for proposal in _run(factory, proposals.list_proposals, mandate.id):
        for deadline in _run(factory, followup.deadlines, proposal.id):
            if deadline.due_on <= today and deadline.answered_on is None:
                _run(factory, followup.record_response, proposal.id, deadline.key,
                     deadline.due_on - dt.timedelta(days=10), "Réponse publiée")
    for proposal_id in adopted:
        proposal_day = _run(factory, _last_step_on, proposal_id)
        start = min(today, proposal_day + dt.timedelta(days=10))
        department = rng.choice(DEPARTMENTS)
        # A measure under way, on time, with one milestone met and one ahead.
        ongoing = _run(factory, followup.add_commitment, proposal_id, "Étude et concertation",
                       department, start, responsible="Cheffe de projet fictive",
                       due_on=today + dt.timedelta(days=120))
        met = _run(factory, followup.add_milestone, ongoing.id, "Diagnostic partagé",
                   start + dt.timedelta(days=20))
        _run(factory, followup.complete_milestone, met.id, min(today, start + dt.timedelta(
            days=18)))
        _run(factory, followup.add_milestone, ongoing.id, "Présentation aux habitants",
             today + dt.timedelta(days=60))
        _run(factory, followup.update_commitment, ongoing.id, status="in_progress",
             progress=rng.choice((35, 45, 60)))
        # A measure finished.
        finished = _run(factory, followup.add_commitment, proposal_id, "Première réalisation",
                        department, start, responsible="Chef de service fictif",
                        due_on=today + dt.timedelta(days=30))
        _run(factory, followup.update_commitment, finished.id, status="done")
        if not overdue_done:
            late = _run(factory, followup.add_commitment, proposal_id,
                        "Calendrier des travaux", department, start,
                        responsible="Responsable fictif", due_on=today - dt.timedelta(days=25))
            _run(factory, followup.update_commitment, late.id, status="in_progress",
                 progress=70)
            overdue_done = True


def build(factory: sessionmaker[Session], slug: str, today: dt.date, work: Path,
          say: Say) -> int:
    """Fill an empty database with a demo mandate of ``slug``; return its id."""
    config = city(slug).config
    rng = random.Random(SEED)
    start = add_months(today.replace(day=1), -MONTHS_IN)
    term = localize(config.mandate.term_name, config.profile.languages[0])
    say(f"opening the {term} of {config.profile.name} (demo), from {start}")
    mandate = _run(factory, mandates.open_mandate, slug, f"{term} {start.year} (démo)", start)
    work.mkdir(parents=True, exist_ok=True)
    # Lottery folders of an earlier, abandoned build would hold the new draws' names.
    shutil.rmtree(work / "lotteries", ignore_errors=True)
    _recruit(factory, say, config, mandate, work, rng)
    _members(factory, say, mandate, rng)
    _bodies(factory, say, config, mandate, rng)
    _sessions(factory, say, config, mandate, today, rng)
    adopted = _proposals(factory, say, config, mandate, today, rng)
    _follow_up(factory, say, mandate, adopted, today, rng)
    return mandate.id


def prepare(instance: Path, slug: str, *, today: dt.date | None = None,
            say: Say = lambda _: None, database_url: str | None = None) -> DemoLogin:
    """Create (or reuse) the demo database of ``slug``; give the secretariat a new password.

    Without ``database_url`` the demo is the SQLite file ``demo-<slug>.sqlite3`` of the
    instance folder. With one (``postgresql+psycopg://...``, for a demo or a benchmark on
    the production engine) the demo is built there when that database is empty (never
    migrated), and reused when it already holds a mandate of ``slug``; any other
    database is refused, so a demo is never mixed into real records.
    """
    today = today or dt.date.today()
    instance.mkdir(parents=True, exist_ok=True)
    if database_url is None:
        created = _build_sqlite(instance, slug, today, say)
        url = f"sqlite:///{database_path(instance, slug)}"
    else:
        created = _build_at(database_url, instance, slug, today, say)
        url = database_url
    upgrade(url)  # a demo made by an older version gets the newer tables
    engine = make_engine(url)
    try:
        factory = make_sessionmaker(engine)
        existing = _run(factory, lambda s: s.scalar(
            select(Mandate.id).where(Mandate.city == slug).order_by(Mandate.id)))
        if existing is None:
            if database_url is not None:
                raise ServiceError("the database holds no mandate of %(city)s; give an empty "
                                   "database (or delete the file) to rebuild the demo", city=slug)
            raise ServiceError("%(where)s holds no mandate of %(city)s; give an empty database "
                               "(or delete the file) to rebuild the demo",
                               where=database_path(instance, slug), city=slug)
        password = secrets.token_urlsafe(12)
        user = _run(factory, lambda s: s.scalar(select(User).where(User.username == DEMO_USER)))
        if user is None:
            _run(factory, users.create_user, DEMO_USER, password, "secretariat")
        else:
            _run(factory, users.set_password, user.id, password)
    finally:
        engine.dispose()
    return DemoLogin(database_url=url, username=DEMO_USER, password=password,
                     mandate_id=existing, created=created)


def _build_sqlite(instance: Path, slug: str, today: dt.date, say: Say) -> bool:
    """Build the instance folder's demo file unless it exists; whether it was built."""
    path = database_path(instance, slug)
    if path.exists():
        return False
    # Built aside and renamed when complete: a failed build (no sortition engine,
    # an interrupted run) never leaves a half demo to be reused next time.
    building = path.with_name(path.name + ".building")
    building.unlink(missing_ok=True)
    upgrade(f"sqlite:///{building}")
    engine = make_engine(f"sqlite:///{building}")
    try:
        build(make_sessionmaker(engine), slug, today, instance / f"demo-{slug}-files", say)
    except BaseException:
        engine.dispose()
        building.unlink(missing_ok=True)
        raise
    engine.dispose()
    os.replace(building, path)
    return True


def _build_at(url: str, instance: Path, slug: str, today: dt.date, say: Say) -> bool:
    """Build the demo at ``url`` if that database was never migrated; whether it was built."""
    if current_revision(url) is not None:
        return False  # migrated already: prepare reuses its mandate or refuses it
    upgrade(url)
    engine = make_engine(url)
    try:
        build(make_sessionmaker(engine), slug, today, instance / f"demo-{slug}-files", say)
    except BaseException:
        # The build commits step by step; dropping every table it made (the initial
        # revision's downgrade) leaves the database as empty as it was given.
        engine.dispose()
        from alembic import command

        command.downgrade(alembic_config(url), "base")
        raise
    engine.dispose()
    return True
