"""One demo mandate, step by step through the services: recruitment, panel, bodies,
sessions with attendance, acts in every state, the follow-up of the adopted ones.

Each step is one transaction, as the CLI makes them; a step a city's rules refuse
(a body it forms oddly) is reported and skipped. ``kleroterion.web.demo`` runs these
steps for each mandate of the demo.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from kleroterion.city.types import CityConfig, ProposalKind, localize
from kleroterion.db import session_scope
from kleroterion.models import Mandate, Proposal
from kleroterion.services import (
    bodies,
    followup,
    members,
    panel,
    proposals,
    recruitment,
    sessions,
)
from kleroterion.services.context import city, follow_up_until, get
from kleroterion.services.errors import ServiceError
from kleroterion.web.demo_files import (
    REGISTRY_ROWS,
    RESPONDENTS_PER_SEAT,
    act_content,
    write_registry,
    write_respondents,
)
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")

DEMO_USER = "secretariat"
#: How far into its mandate the demo's "today" falls (a Brussels cycle is then over
#: and its follow-up under way; a Paris promotion is half-way).
MONTHS_IN = 7
SEED = 20250901

Say = Callable[[str], None]

#: Titles of the demo's acts: plausible subjects, in French, with a Dutch version.
#: The demo's act titles: French, Dutch (Brussels's), English (the visitors' of Paris and
#: Poitiers, and Brussels's English pages).
TITLES = (
    ("Végétaliser les cours d'école", "Schoolspeelplaatsen vergroenen",
     "Greening school playgrounds"),
    ("Des fontaines d'eau potable dans chaque quartier", "Drinkwaterfonteinen in elke wijk",
     "Drinking fountains in every neighbourhood"),
    ("Un budget participatif pour les jeunes", "Een participatieve begroting voor jongeren",
     "A participatory budget for young people"),
    ("Rénover les logements mal isolés", "Slecht geïsoleerde woningen renoveren",
     "Renovating poorly insulated housing"),
    ("Des cantines bio et locales", "Biologische en lokale schoolmaaltijden",
     "Organic and local school meals"),
    ("Réduire la place de la voiture devant les écoles", "Minder auto's aan de schoolpoort",
     "Fewer cars outside schools"),
    ("Ouvrir les bibliothèques le dimanche", "Bibliotheken op zondag open",
     "Libraries open on Sundays"),
    ("Un plan contre les îlots de chaleur", "Een plan tegen hitte-eilanden",
     "A plan against urban heat islands"),
    ("Des toilettes publiques accessibles", "Toegankelijke openbare toiletten",
     "Accessible public toilets"),
    ("Un conseil des usagers des transports", "Een raad van gebruikers van het openbaar vervoer",
     "A public transport users' council"),
    ("Réparer plutôt que jeter", "Herstellen in plaats van weggooien",
     "Repair rather than throw away"),
    ("Des jardins partagés sur les toits", "Gedeelde daktuinen", "Shared rooftop gardens"),
    ("Simplifier les démarches administratives", "Administratieve procedures vereenvoudigen",
     "Simpler administrative procedures"),
    ("Un réseau de pistes cyclables continues", "Een doorlopend fietsnetwerk",
     "A continuous network of bike lanes"),
    ("Des bancs et de l'ombre pour les aînés", "Banken en schaduw voor ouderen",
     "Benches and shade for older people"),
    ("Lutter contre le gaspillage alimentaire", "Voedselverspilling tegengaan",
     "Tackling food waste"),
    ("Accueillir les nouveaux habitants", "Nieuwe inwoners verwelkomen",
     "Welcoming new residents"),
    ("Des maisons de santé de quartier", "Wijkgezondheidscentra",
     "Neighbourhood health centres"),
    ("Mieux trier les déchets", "Afval beter sorteren", "Better waste sorting"),
    ("Des salles municipales pour les associations", "Gemeentezalen voor verenigingen",
     "Municipal rooms for local associations"),
)
#: Why the assembly and its secretariat move an act (fr, nl, en): the assembly votes in
#: plenary; the secretariat sends what the assembly adopted on to its addressee.
REASONS = {
    "assembly": ("vote en séance plénière", "stemming in plenaire zitting",
                 "vote in plenary session"),
    "secretariat": ("transmission de l'acte adopté à son destinataire",
                    "bezorging van de aangenomen aanbeveling aan de bestemmeling",
                    "the adopted act sent on to its addressee"),
}
#: Why the addressee does not retain an act (the answer's reasons say it at length).
NOT_RETAINED = ("la mesure relève d'une autre autorité",
                "de maatregel valt onder een andere overheid",
                "the measure falls to another authority")
#: Share of the members who consent to be named publicly, and the names they choose.
NAMED_SHARE = 0.6
FIRST_NAMES = ("Camille", "Dominique", "Claude", "Sacha", "Alix", "Morgane", "Yanis", "Inès",
               "Lucie", "Mathis", "Nour", "Hugo", "Léa", "Karim", "Maëlle", "Théo", "Aïcha",
               "Jules", "Zoé", "Malik", "Chloé", "Émile", "Sarah", "Noé")

#: The departments a demo commitment falls to, by city (fr, nl, en), as each administration
#: names them: the City of Paris's directions, Grand Poitiers's, the Brussels-Capital
#: Region's administrations (their official French and Dutch names).
DEPARTMENTS = {
    "paris": (("Direction de l'urbanisme", "", "Urban Planning Department"),
              ("Direction des espaces verts et de l'environnement", "",
               "Green Spaces and Environment Department"),
              ("Direction des affaires scolaires", "", "School Affairs Department"),
              ("Direction de la voirie et des déplacements", "", "Roads and Transport Department"),
              ("Direction du logement et de l'habitat", "", "Housing Department")),
    "poitiers": (("Direction de l'urbanisme", "", "Urban Planning Department"),
                 ("Direction des espaces verts", "", "Parks and Green Spaces Department"),
                 ("Direction de l'éducation", "", "Education Department"),
                 ("Direction de la voirie", "", "Roads Department"),
                 ("Direction de l'habitat", "", "Housing Department")),
    "brussels": (("urban.brussels", "urban.brussels", "urban.brussels"),
                 ("Bruxelles Environnement", "Leefmilieu Brussel", "Brussels Environment"),
                 ("Bruxelles Mobilité", "Brussel Mobiliteit", "Brussels Mobility"),
                 ("Bruxelles Pouvoirs locaux", "Brussel Plaatselijke Besturen",
                  "Brussels Local Authorities"),
                 ("Bruxelles Logement", "Brussel Huisvesting", "Brussels Housing")),
}
#: The demo's commitments and milestones (fr, nl, en).
MEASURES = {"ongoing": ("Étude et concertation", "Studie en overleg",
                        "Study and consultation"),
            "met": ("Diagnostic partagé", "Gedeelde diagnose", "Shared assessment"),
            "ahead": ("Présentation aux habitants", "Voorstelling aan de bewoners",
                      "Presentation to residents"),
            "finished": ("Première réalisation", "Eerste verwezenlijking",
                         "First measure carried out"),
            "late": ("Calendrier des travaux", "Planning van de werken", "Works schedule")}


def run_step(factory: sessionmaker[Session], service: Callable[..., T], *args: Any,
         **kwargs: Any) -> T:
    # One transaction per step, as the CLI does: a refused step leaves the rest intact.
    with session_scope(factory, actor="demo") as session:
        return service(session, *args, **kwargs)


def try_step(factory: sessionmaker[Session], say: Say, what: str, service: Callable[..., T],
         *args: Any, **kwargs: Any) -> T | None:
    """A step the demo can do without (a body the city forms oddly): report and go on."""
    try:
        return run_step(factory, service, *args, **kwargs)
    except ServiceError as error:
        say(f"  skipped {what}: {error}")
        return None


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


def recruit(factory: sessionmaker[Session], say: Say, config: CityConfig, mandate: Mandate,
            work: Path, rng: random.Random, engine: object = None) -> None:
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
            run_step(factory, recruitment.record_invitation_draw, mandate.id, group.key, registry,
                 work / f"letters-{group.key}.csv", seed=SEED + index, count=letters,
                 stratify_by=column)
        respondents = work / f"respondents-{group.key}.csv"
        write_respondents(respondents, config, group,
                          max(group.seats + 5, group.seats * RESPONDENTS_PER_SEAT), rng)
        run_step(factory, recruitment.import_respondents, mandate.id, group.key, respondents)
        number = str(rng.randrange(10**6))
        if group.selection == "stratified":
            method = config.composition.selection_algorithm.upper()
            say(f"{label}: panel draw of {group.seats} seats ({method}): the lottery is "
                f"published, then the public number {number} chooses the panel")
            # The two steps of a real draw, each its own transaction: the folder is
            # published first, the number chosen after (kleroterion verify checks it).
            draw = run_step(factory, panel.publish_panel, mandate.id, group.key,
                            work / "lotteries", engine=engine)
            draw = run_step(factory, panel.choose_panel, draw.id, number, draw_day,
                            work / "lotteries")
        else:
            say(f"{label}: panel draw of {group.seats} seats (lottery by the public number "
                f"{number})")
            draw = run_step(factory, panel.draw_panel, mandate.id, group.key, draw_day,
                            public_number=number, root=work / "lotteries", engine=engine)
        run_step(factory, panel.finalize_draw, draw.id)
    if config.composition.open_volunteers:
        say("open volunteers: a few come to the first session")
        for volunteer in range(1, 9):
            run_step(factory, recruitment.add_volunteer, mandate.id, mandate.starts_on,
                 external_id=f"VOL-{volunteer:03d}", name=f"Volontaire fictif {volunteer}")


def seat_members(factory: sessionmaker[Session], say: Say, mandate: Mandate,
                 rng: random.Random, work: Path, engine: object = None) -> None:
    seated = run_step(factory, members.list_members, mandate.id, active_only=True)
    for member in seated:
        run_step(factory, members.confirm, member.id, member.seated_on)
    leaver = rng.choice([m for m in seated if m.seat_group != recruitment.VOLUNTEERS])
    on = mandate.starts_on + dt.timedelta(days=40)
    say("one member withdraws after six weeks and is replaced under the quotas left")
    run_step(factory, members.withdraw, leaver.id, on, "moved away")
    try_step(factory, say, "the replacement", panel.replace_member, leaver.id,
             on + dt.timedelta(days=7), public_number=str(rng.randrange(10**6)),
             root=work / "lotteries", engine=engine)
    # A generator of its own: the rest of the demo draws the same numbers as before.
    names = random.Random(SEED + 1)
    sitting = run_step(factory, members.list_members, mandate.id, active_only=True)
    named = names.sample(sitting, round(NAMED_SHARE * len(sitting)))
    say(f"{len(named)} of {len(sitting)} members consent to be named on the public site")
    for member in named:
        initial = names.choice("ABCDEFGHJKLMNPRSTV")
        run_step(factory, members.give_name_consent, member.id,
             f"{names.choice(FIRST_NAMES)} {initial}.", member.seated_on)


def form_bodies(factory: sessionmaker[Session], say: Say, config: CityConfig, mandate: Mandate,
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
                try_step(factory, say, f"the draw of {declared.key}", bodies.draw, mandate.id,
                     declared.key, on, public_number=str(rng.randrange(10**6)))
            elif seat.role == "member":
                sitting = [m for m in run_step(factory, members.list_members, mandate.id,
                                           active_only=True) if members.sits_on(m, on)]
                for member in rng.sample(sitting, min(count, len(sitting))):
                    try_step(factory, say, f"{declared.key} member", bodies.join, mandate.id,
                         declared.key, member.id, on)
            else:
                for number in range(1, min(count, 6) + 1):
                    name = f"{seat.role.replace('_', ' ').capitalize()} fictif {number}"
                    try_step(factory, say, f"{declared.key} {seat.role}", bodies.appoint,
                         mandate.id, declared.key, seat.role, name, on)


def hold_sessions(factory: sessionmaker[Session], say: Say, config: CityConfig, mandate: Mandate,
              today: dt.date, rng: random.Random) -> None:
    rules = config.mandate
    kinds = rules.session_kinds
    if not kinds:
        return
    count = rules.sessions_per_mandate or rules.working_days_max or 12
    dates = _spread(mandate.starts_on + dt.timedelta(days=7), mandate.ends_on, count)
    planned: list[tuple[str, dt.date, str | None]] = []
    # The last kind is a body's own meeting when a body formed at the end meets formally
    # (Brussels's follow-up committee): the panel's sessions are never of that kind.
    meets_after = any(body.formal_meetings and body.formed == "end" for body in config.bodies)
    own = kinds[:-1] if meets_after and len(kinds) > 1 else kinds
    for index, day in enumerate(dates):
        # The first kind (plenary, working day) opens and closes; the others alternate.
        kind = own[0] if index in (0, len(dates) - 1) or len(own) == 1 else (
            own[1 + index % (len(own) - 1)])
        planned.append((kind.key, day, None))
    for declared in config.bodies:
        if declared.formal_meetings and declared.formed == "end":
            until = follow_up_until(mandate)
            for day in _spread(mandate.ends_on + dt.timedelta(days=30), until,
                               declared.formal_meetings):
                planned.append((kinds[-1].key, day, declared.key))
    say(f"{len(planned)} sessions, attendance taken for those held before {today}")
    for kind_key, day, body_key in planned:
        meeting = try_step(factory, say, f"a {kind_key} session", sessions.add_session,
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
                sessions.record_attendance(session, meeting.id, member.id, status,
                                           today=today)


def make_acts(factory: sessionmaker[Session], say: Say, config: CityConfig, mandate: Mandate,
               today: dt.date, rng: random.Random) -> list[int]:
    """One act in every state of every kind; return the adopted ones' ids."""
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
            titled = written(config, *next(titles))
            created = first + dt.timedelta(days=rng.randrange(0, 40))
            external = next((t.actor for t in kind.transitions
                             if t.actor not in proposals.INTERNAL_ACTORS), "council")
            summary, text, tabled = act_content(config, titled, external)
            proposal = run_step(factory, proposals.create, mandate.id, kind.key, "", created,
                                titles=titled, summary=summary, full_text=text,
                                tabled_by_texts=tabled)
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
                # The assembly's and the secretariat's moves say why, as each would
                # write it; a move the city's rules want justified (an act not
                # retained) gets its reason; in each language of the city's site.
                reasons = (written(config, *REASONS[actors[(source, target)]]) if internal
                           else written(config, *NOT_RETAINED)
                           if (source, target) in justified else {})
                run_step(factory, proposals.move, proposal.id, target, day, reasons=reasons)
                source = target
            if state.final and state.outcome == "adopted":
                adopted.append(proposal.id)
    return adopted


def draft_acts(factory: sessionmaker[Session], say: Say, config: CityConfig, mandate: Mandate,
               today: dt.date) -> None:
    """A promotion that has just started: one act of each kind, drafted."""
    day = min(today, mandate.starts_on + dt.timedelta(days=20))
    say(f"acts of {mandate.label}: one draft of each kind")
    for index, kind in enumerate(config.proposal_kinds):
        titled = written(config, *TITLES[-1 - index])
        external = next((t.actor for t in kind.transitions
                         if t.actor not in proposals.INTERNAL_ACTORS), "council")
        summary, text, tabled = act_content(config, titled, external)
        run_step(factory, proposals.create, mandate.id, kind.key, "", day, titles=titled,
                 summary=summary, full_text=text, tabled_by_texts=tabled)


def _last_step_on(session: Session, proposal_id: int) -> dt.date:
    return get(session, Proposal, proposal_id).transitions[-1].on


def written(config: CityConfig, french: str, dutch: str, english: str) -> dict[str, str]:
    """A demo text in each language the city's site offers (its own, and English)."""
    offered = (*config.profile.languages, "en")
    return {code: text for code, text in (("fr", french), ("nl", dutch), ("en", english))
            if code in offered}


#: The one-line gist of a first and of a final answer (fr, nl, en).
ANSWER_SUMMARY = {False: ("Réponse publiée", "Antwoord gepubliceerd", "Answer published"),
                  True: ("Évaluation publiée", "Evaluatie gepubliceerd", "Assessment published")}
#: The verdicts of the demo's final answers, in turn.
VERDICTS = ("retained", "partly_retained", "not_retained")


def follow_up(factory: sessionmaker[Session], say: Say, mandate: Mandate, adopted: list[int],
              today: dt.date, rng: random.Random, *, with_overdue: bool = True) -> None:
    say(f"follow-up of {len(adopted)} adopted acts"
        + ("; one commitment is overdue" if with_overdue else ""))
    overdue_done = not with_overdue
    # The addressee answered every act in time: the one overdue item is a commitment.
    config = city(mandate.city).config
    rules = config.accountability.response_deadlines
    departments = DEPARTMENTS.get(mandate.city, DEPARTMENTS["paris"])
    finals = 0
    for proposal in run_step(factory, proposals.list_proposals, mandate.id):
        for deadline in run_step(factory, followup.deadlines, proposal.id):
            if deadline.due_on <= today and deadline.answered_on is None:
                final = len(rules) > 1 and deadline.key == rules[-1].key
                verdict = VERDICTS[finals % len(VERDICTS)] if final else None
                finals += final
                run_step(factory, followup.record_answer, proposal.id,
                         "final" if final else "first",
                         deadline.due_on - dt.timedelta(days=10),
                         summaries=written(city(mandate.city).config, *ANSWER_SUMMARY[final]),
                         verdict=verdict,
                         text={"fr": "Réponse du gouvernement (démonstration).",
                               "nl": "Antwoord van de regering (demonstratie)."})
    for proposal_id in adopted:
        proposal_day = run_step(factory, _last_step_on, proposal_id)
        start = min(today, proposal_day + dt.timedelta(days=10))
        department = written(config, *rng.choice(departments))
        # A measure under way, on time, with one milestone met and one ahead.
        ongoing = run_step(factory, followup.add_commitment, proposal_id, "", "", start,
                           titles=written(config, *MEASURES["ongoing"]),
                           departments=department, responsible="Cheffe de projet fictive",
                           due_on=today + dt.timedelta(days=120))
        met = run_step(factory, followup.add_milestone, ongoing.id, "",
                       start + dt.timedelta(days=20), titles=written(config, *MEASURES["met"]))
        run_step(factory, followup.complete_milestone, met.id, min(today, start + dt.timedelta(
            days=18)))
        run_step(factory, followup.add_milestone, ongoing.id, "", today + dt.timedelta(days=60),
                 titles=written(config, *MEASURES["ahead"]))
        run_step(factory, followup.update_commitment, ongoing.id, status="in_progress",
             progress=rng.choice((35, 45, 60)))
        # A measure finished.
        finished = run_step(factory, followup.add_commitment, proposal_id, "", "", start,
                            titles=written(config, *MEASURES["finished"]),
                            departments=department, responsible="Chef de service fictif",
                            due_on=today + dt.timedelta(days=30))
        run_step(factory, followup.update_commitment, finished.id, status="done")
        if not overdue_done:
            late = run_step(factory, followup.add_commitment, proposal_id, "", "", start,
                            titles=written(config, *MEASURES["late"]),
                            departments=department, responsible="Responsable fictif",
                            due_on=today - dt.timedelta(days=25))
            run_step(factory, followup.update_commitment, late.id, status="in_progress",
                 progress=70)
            overdue_done = True
