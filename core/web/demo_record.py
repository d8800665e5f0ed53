"""The demo's record as it happens: acts with their text and votes, the city's answers,
sessions with times, places, agendas, minutes and guests, and city-level events.

Run after ``kleroterion.web.demo_mandate`` built a mandate, through the same
services a secretariat uses. The texts are invented and say so; guests are
fictional, their names say it (« Claire Exemple »); places are each city's own public
buildings (Brussels: its Parliament, a commune's town hall); every answer is one the
city's rules allow (Paris: yearly report entries on adopted acts; Brussels: a first and
a final answer with a verdict, and the reasons for a recommendation not retained).
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
from kleroterion.web.demo_files import SUMMARY, authority
from kleroterion.web.demo_mandate import Say, run_step, try_step
from sqlalchemy.orm import Session, sessionmaker

#: The demo's prose in French, Dutch and English: each site writes those it offers.
#: Where each city's assembly meets: its own public buildings, never a person's address.
PLACES = {
    "paris": (("Hôtel de Ville, salle des fêtes", "", "City Hall, reception hall"),
              ("Mairie du 11e arrondissement, salle des fêtes", "",
               "11th arrondissement town hall, reception hall"),
              ("Maison de la vie associative et citoyenne du 20e, salle 2", "",
               "20th arrondissement community centre, room 2")),
    "poitiers": (("Hôtel de Ville, salle du conseil municipal", "",
                  "City Hall, council chamber"),
                 ("Médiathèque François-Mitterrand, auditorium", "",
                  "François-Mitterrand library, auditorium"),
                 ("Centre socioculturel de quartier, grande salle", "",
                  "Neighbourhood community centre, main hall")),
    "brussels": (("Parlement bruxellois, rue du Lombard, hémicycle",
                  "Brussels Parlement, Lombardstraat, halfrond",
                  "Brussels Parliament, rue du Lombard, debating chamber"),
                 ("Parlement bruxellois, rue du Lombard, salle de commission",
                  "Brussels Parlement, Lombardstraat, commissiezaal",
                  "Brussels Parliament, rue du Lombard, committee room"),
                 ("Maison communale d'Ixelles, salle du conseil",
                  "Gemeentehuis van Elsene, raadzaal", "Ixelles town hall, council chamber"),
                 ("Maison communale de Molenbeek-Saint-Jean, salle du conseil",
                  "Gemeentehuis van Sint-Jans-Molenbeek, raadzaal",
                  "Molenbeek town hall, council chamber")),
}
#: For a city the demo does not know: rooms any town has.
ANY_PLACES = (("Hôtel de Ville, salle du conseil", "Stadhuis, raadzaal",
               "Town hall, council chamber"),)
#: A meeting's agenda and minutes: with guests heard, and without (fr, nl, en).
AGENDA = {True: ("1. Accueil\n\n2. Audition des personnes invitées\n\n"
                 "3. Échanges en petits groupes",
                 "1. Onthaal\n\n2. Hoorzitting met de genodigden\n\n"
                 "3. Gesprekken in kleine groepen",
                 "1. Welcome\n\n2. Hearing of the guests\n\n3. Discussion in small groups"),
          False: ("1. Accueil\n\n2. Travail en petits groupes\n\n3. Mise en commun",
                  "1. Onthaal\n\n2. Werken in kleine groepen\n\n3. Terugkoppeling",
                  "1. Welcome\n\n2. Work in small groups\n\n3. Reporting back")}
#: A body's own meeting (Brussels's follow-up committee) follows the answers, not hearings.
BODY_AGENDA = ("1. Les réponses des pouvoirs publics\n\n2. L'avancement des engagements\n\n"
               "3. Questions diverses",
               "1. De antwoorden van de overheid\n\n2. De voortgang van de verbintenissen\n\n"
               "3. Varia",
               "1. The authorities' answers\n\n2. Progress of the commitments\n\n"
               "3. Any other business")
BODY_MINUTES = ("Compte rendu (démonstration) : le comité a examiné les réponses reçues et "
                "l'avancement des engagements.",
                "Verslag (demo): het comité besprak de ontvangen antwoorden en de voortgang "
                "van de verbintenissen.",
                "Minutes (demonstration): the committee reviewed the answers received and the "
                "progress of the commitments.")
MINUTES = {True: ("Compte rendu (démonstration) : les participants ont entendu les personnes "
                  "invitées, puis débattu en petits groupes.",
                  "Verslag (demo): de deelnemers hoorden de genodigden en debatteerden daarna "
                  "in kleine groepen.",
                  "Minutes (demonstration): the participants heard the guests, then debated in "
                  "small groups."),
           False: ("Compte rendu (démonstration) : les participants ont travaillé en petits "
                   "groupes, puis mis leurs travaux en commun.",
                   "Verslag (demo): de deelnemers werkten in kleine groepen en brachten daarna "
                   "hun werk samen.",
                   "Minutes (demonstration): the participants worked in small groups, then "
                   "pooled their work.")}
#: People heard at hearings: invented names (« Exemple », « Modèle »: no one real), a
#: role, and an organisation in each language; the elected official's is the city's own.
GUESTS = (("Claire Exemple", "expert",
           ("Université (démo)", "Universiteit (demo)", "University (demo)")),
          ("Marc Modèle", "elected", ("", "", "")),
          ("Nadia Spécimen", "agent",
           ("Direction de l'eau (démo)", "Directie Water (demo)", "Water department (demo)")))
#: The elected official's assembly and the public official's department, per city.
OWN_ORGANISATION = {
    ("paris", "elected"): ("Conseil de Paris (démo)", "", "Council of Paris (demo)"),
    ("paris", "agent"): ("Direction de la propreté et de l'eau (démo)", "",
                         "Cleanliness and water department (demo)"),
    ("poitiers", "elected"): ("Conseil municipal de Poitiers (démo)", "",
                              "Poitiers city council (demo)"),
    ("brussels", "elected"): ("Parlement bruxellois (démo)", "Brussels Parlement (demo)",
                              "Brussels Parliament (demo)"),
    ("brussels", "agent"): ("Bruxelles Environnement (démo)", "Leefmilieu Brussel (demo)",
                            "Brussels Environment (demo)"),
}
DEMO_LANGUAGES = ("fr", "nl", "en")


def in_languages(config: CityConfig, texts: tuple[str, str, str]) -> dict[str, str]:
    """The demo's text (fr, nl, en) in each language the city's site offers."""
    offered = (*config.profile.languages, "en")
    return {code: text for code, text in zip(DEMO_LANGUAGES, texts, strict=True)
            if code in offered}


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
                 booklet, instance, kind="synthesis", title="",
                 titles=in_languages(config, ("Carnet de synthèse", "Syntheseboekje",
                                              "Summary booklet")),
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
                         summaries=in_languages(config, (
                             f"Compte rendu annuel {year} : mesures engagées.",
                             f"Jaarverslag {year}: genomen maatregelen.",
                             f"Annual report {year}: measures under way.")),
                         text={code: report for code, report in zip(
                             DEMO_LANGUAGES, (f"Rapport {year} (démonstration).",
                                              f"Verslag {year} (demo).",
                                              f"Report {year} (demonstration)."), strict=True)
                             if code in languages})
                count += 1
        verdicts = [r for r in proposal.responses if r.kind == "final"]
        if "reasons" in run_step(factory, followup.answers_due_for, proposal.id) and verdicts:
            try_step(factory, say, "reasons", followup.record_answer, proposal.id, "reasons",
                     min(today, verdicts[0].answered_on + dt.timedelta(days=7)),
                     summaries=in_languages(config, (
                         "La mesure relève d'une autre autorité ; le budget n'est pas "
                         "disponible cette année.",
                         "De maatregel valt onder een andere overheid; het budget is dit jaar "
                         "niet beschikbaar.",
                         "The measure falls to another authority; there is no budget for it "
                         "this year.")))
            count += 1
    say(f"{count} further answers of the city published for {mandate.label}")


def session_details(factory: sessionmaker[Session], say: Say, config: CityConfig,
                    mandate: Mandate, today: dt.date, rng: random.Random) -> None:
    """Times, places, agendas, minutes of the past ones, guests heard at hearings, in
    each language of the site."""
    rows = run_step(factory, sessions.sessions_of, mandate.id)
    say(f"{len(rows)} sessions of {mandate.label}: times, places, agendas, guests")
    for number, meeting in enumerate(rows):
        start = dt.time(9, 30) if meeting.unit == "day" else dt.time(18, 30)
        end = dt.time(17, 0) if meeting.unit == "day" else dt.time(21, 30)
        places = PLACES.get(config.profile.slug, ANY_PLACES)
        # Every other meeting hears guests; the agenda and minutes say what was done.
        heard = number % 2 == 0
        own = bool(meeting.body_key)
        written = {"place": in_languages(config, places[number % len(places)]),
                   "agenda": in_languages(config, BODY_AGENDA if own else AGENDA[heard])}
        if meeting.held_on < today:
            written["minutes"] = in_languages(config, BODY_MINUTES if own else MINUTES[heard])
        run_step(factory, sessions.describe_session, meeting.id, starts_at=start, ends_at=end,
                 optional=meeting.kind in sessions.TRAINING_KINDS or None,
                 translations=written)
        if heard:
            for name, role, organisation in rng.sample(GUESTS, 2):
                organisation = OWN_ORGANISATION.get((config.profile.slug, role), organisation)
                named = in_languages(config, organisation)
                run_step(factory, sessions.add_guest, meeting.id, name, role,
                         organisations={k: v for k, v in named.items() if v})


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def city_events(factory: sessionmaker[Session], say: Say, config: CityConfig,
                shown: list[Mandate], today: dt.date) -> None:
    """Meetings of the city that belong to no single mandate."""
    slug = config.profile.slug
    # Who reports, at the head of a sentence: « La Ville de Paris », « The City of Paris ».
    who = {code: _capital(authority(config, code)[1]) for code in DEMO_LANGUAGES}
    if config.accountability.report_every_months:
        say("the city's yearly accountability meeting, addressed to every promotion")
        for day in (today - dt.timedelta(days=45), today + dt.timedelta(days=40)):
            try_step(factory, say, "an accountability meeting", events.record_event, slug,
                     "accountability", day, "Réunion annuelle du droit de suite",
                     starts_at=dt.time(18, 0), ends_at=dt.time(20, 30),
                     translations={
                         "title": in_languages(config, (
                             "Réunion annuelle du droit de suite",
                             "Jaarlijkse opvolgingsvergadering",
                             "Yearly accountability meeting (droit de suite)")),
                         "place": in_languages(config, (
                             "Hôtel de Ville, salle du Conseil", "Stadhuis, raadzaal",
                             "City Hall, council chamber")),
                         "summary": in_languages(config, (
                             f"{who['fr']} rend compte à l'assemblée de la mise en œuvre de "
                             "chaque acte adopté.",
                             f"{who['nl']} legt aan de burgerraad verantwoording af over de "
                             "uitvoering van elke aangenomen aanbeveling.",
                             f"{who['en']} reports to the assembly on how each adopted act is "
                             "carried out."))})
    committee = config.accountability.follow_up_committee
    places = PLACES.get(slug, ANY_PLACES)
    committee_room = places[1 % len(places)]  # Brussels: the Parliament's committee room
    meetings = committee.formal_meetings if committee is not None else None
    for mandate in shown:
        if not meetings or mandate.ends_on >= today:
            continue
        end = follow_up_until(mandate)
        step = (end - mandate.ends_on) / (meetings + 1)
        say(f"{meetings} formal follow-up meetings for {mandate.label}")
        for number in range(1, meetings + 1):
            try:
                titles = (f"Réunion de suivi {number}", f"Opvolgingsvergadering {number}",
                          f"Follow-up meeting {number}")
                run_step(factory, events.record_event, slug, "follow_up",
                         mandate.ends_on + step * number, titles[0],
                         starts_at=dt.time(14, 0), ends_at=dt.time(16, 0),
                         mandate_ids=[mandate.id], translations={
                             "title": in_languages(config, titles),
                             "place": in_languages(config, committee_room)})
            except ServiceError as error:
                say(f"  skipped a follow-up meeting: {error}")
