"""The demo's record as it happens: acts with their text and votes, the city's answers,
sessions with times, places, agendas, minutes and guests, and city-level events.

Run after ``kleroterion.web.demo_mandate`` built a mandate, through the same
services a secretariat uses. The texts are invented and say so; guests are
fictional ("Experte fictive"); every answer is one the city's rules allow (Paris:
yearly report entries on adopted acts; Brussels: a first and a final answer with a
verdict, and the reasons for a recommendation not retained).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from kleroterion.city.types import CityConfig
from kleroterion.models import Mandate, Proposal
from kleroterion.services import acts, events, followup, proposals, sessions
from kleroterion.services.context import follow_up_until
from kleroterion.services.errors import ServiceError
from kleroterion.web.demo_files import SUMMARY
from kleroterion.web.demo_mandate import Say, run_step, try_step
from sqlalchemy.orm import Session, sessionmaker

PLACES = ("Hôtel de Ville, salle des fêtes", "Maison des associations, salle 2",
          "Mairie de quartier, salle du conseil", "Médiathèque centrale, auditorium")
GUESTS = (("Experte fictive en urbanisme", "expert", "Université (démo)"),
          ("Élu fictif chargé de la participation", "elected", ""),
          ("Agente fictive de la direction de l'eau", "agent", "Direction de l'eau (démo)"))
VERDICT_CYCLE = ("retained", "partly_retained", "not_retained")
def acts_content(factory: sessionmaker[Session], say: Say, config: CityConfig,
                 mandate: Mandate, instance: Path, today: dt.date,
                 rng: random.Random) -> None:
    """Votes on every act; a carnet de synthèse on the first adopted ones."""
    rows = run_step(factory, proposals.list_proposals, mandate.id, with_history=True)
    say(f"acts of {mandate.label}: votes, the council's reference, a carnet de synthèse")
    for number, proposal in enumerate(rows, start=1):
        assembly_move = next((m for m in proposal.transitions if m.actor == "assembly"), None)
        if assembly_move is not None:
            present = rng.randrange(60, 90)
            against = rng.randrange(0, 12)
            run_step(factory, acts.record_vote, proposal.id, "assembly", assembly_move.on,
                     present - against - 3, against, 3)
        council_move = next((m for m in proposal.transitions if m.actor == "council"), None)
        if council_move is not None:
            reference = f"{council_move.on.year} DDCT {100 + number}"
            run_step(factory, acts.record_vote, proposal.id, "council", council_move.on,
                     rng.randrange(80, 130), rng.randrange(0, 30), rng.randrange(0, 20),
                     reference=reference)
    adopted = [p for p in rows if _is_adopted(factory, p.id)]
    for proposal in adopted[:2]:
        booklet = instance / f"carnet-{mandate.id}-{proposal.id}.txt"
        booklet.write_text(f"Carnet de synthèse (démonstration) : {proposal.title}\n",
                           encoding="utf-8")
        try_step(factory, say, "a carnet de synthèse", acts.add_attachment, proposal.id,
                 booklet, instance, kind="synthesis", title="Carnet de synthèse",
                 on=min(today, proposal.created_on + dt.timedelta(days=20)))
        booklet.unlink()


def _is_adopted(factory: sessionmaker[Session], proposal_id: int) -> bool:
    def adopted(session: Session) -> bool:
        found = session.get(Proposal, proposal_id)
        return found is not None and proposals.outcome(session, found) == "adopted"

    return run_step(factory, adopted)


def answers(factory: sessionmaker[Session], say: Say, config: CityConfig, mandate: Mandate,
            today: dt.date) -> None:
    """The answers the city's rules call for, published with the acts."""
    rules = config.accountability
    languages = [code for code in config.profile.languages if code in SUMMARY]
    rows = run_step(factory, proposals.list_proposals, mandate.id, with_history=True)
    count = 0
    for proposal in rows:
        due = run_step(factory, followup.answers_due_for, proposal.id)
        if "yearly" in due and rules.report_every_months:
            adopted_on = proposal.transitions[-1].on
            for year in range(adopted_on.year, today.year + 1):
                on = min(today - dt.timedelta(days=3), dt.date(year, 12, 15))
                if on < adopted_on:
                    continue
                try_step(factory, say, "a yearly answer", followup.record_answer, proposal.id,
                         "yearly", on, year=year,
                         summary=f"Compte rendu annuel {year} : mesures engagées.",
                         text={code: f"Rapport {year} (démonstration)." for code in languages})
                count += 1
        verdicts = [r for r in proposal.responses if r.kind == "final"]
        if "reasons" in run_step(factory, followup.answers_due_for, proposal.id) and verdicts:
            try_step(factory, say, "reasons", followup.record_answer, proposal.id, "reasons",
                     min(today, verdicts[0].answered_on + dt.timedelta(days=7)),
                     summary="La mesure relève d'une autre autorité ; le budget n'est pas "
                             "disponible cette année.")
            count += 1
    say(f"{count} further answers of the city published for {mandate.label}")


def session_details(factory: sessionmaker[Session], say: Say, mandate: Mandate,
                    today: dt.date, rng: random.Random) -> None:
    """Times, places, agendas, minutes of the past ones, guests heard at hearings."""
    rows = run_step(factory, sessions.sessions_of, mandate.id)
    say(f"{len(rows)} sessions of {mandate.label}: times, places, agendas, guests")
    for number, meeting in enumerate(rows):
        start = dt.time(9, 30) if meeting.unit == "day" else dt.time(18, 30)
        end = dt.time(17, 0) if meeting.unit == "day" else dt.time(21, 30)
        minutes = ("Compte rendu (démonstration) : l'assemblée a entendu les invités puis "
                   "débattu en petits groupes." if meeting.held_on < today else None)
        run_step(factory, sessions.describe_session, meeting.id, starts_at=start, ends_at=end,
                 place=PLACES[number % len(PLACES)],
                 agenda="1. Accueil\n\n2. Auditions\n\n3. Travail en ateliers",
                 minutes=minutes, optional=meeting.kind in sessions.TRAINING_KINDS or None)
        if number % 2 == 0:
            for name, role, organisation in rng.sample(GUESTS, 2):
                run_step(factory, sessions.add_guest, meeting.id, name, role, organisation)


def city_events(factory: sessionmaker[Session], say: Say, config: CityConfig,
                shown: list[Mandate], today: dt.date) -> None:
    """Meetings of the city that belong to no single mandate."""
    slug = config.profile.slug
    if config.accountability.report_every_months:
        say("the city's yearly accountability meeting, addressed to every promotion")
        for day in (today - dt.timedelta(days=45), today + dt.timedelta(days=40)):
            try_step(factory, say, "an accountability meeting", events.record_event, slug,
                     "accountability", day, "Réunion annuelle du droit de suite",
                     starts_at=dt.time(18, 0), ends_at=dt.time(20, 30),
                     place="Hôtel de Ville, salle du Conseil",
                     summary="La ville rend compte à toutes les promotions de la mise en "
                             "œuvre de chaque acte adopté.")
    committee = config.accountability.follow_up_committee
    meetings = committee.formal_meetings if committee is not None else None
    for mandate in shown:
        if not meetings or mandate.ends_on >= today:
            continue
        end = follow_up_until(mandate)
        step = (end - mandate.ends_on) / (meetings + 1)
        say(f"{meetings} formal follow-up meetings for {mandate.label}")
        for number in range(1, meetings + 1):
            try:
                run_step(factory, events.record_event, slug, "follow_up",
                         mandate.ends_on + step * number,
                         f"Réunion de suivi {number} / Opvolgingsvergadering {number}",
                         starts_at=dt.time(14, 0), ends_at=dt.time(16, 0),
                         place="Parlement bruxellois (démo)", mandate_ids=[mandate.id])
            except ServiceError as error:
                say(f"  skipped a follow-up meeting: {error}")
