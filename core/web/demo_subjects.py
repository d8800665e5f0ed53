"""The demo's subjects and workshops: what each promotion works on and who proposed it.

Run after ``kleroterion.web.demo`` built the mandates, through the same services a
secretariat uses; the titles are invented and say so (« démo »). Paris's workshops
change from one promotion to the next (three thematic workshops, then an
« Exploration » and a « Délibération » workshop); its subjects come from the
executive's work mandate or from the assembly itself. Poitiers's one subject a year
comes from a call for subjects, worked by its groupe de propositions; Brussels's
cycle theme was chosen by members of the previous cycle. Every text is written in each
language the city's site offers (French, Dutch for Brussels, English); a workshop that
is one of the city's bodies is named as the body is.
Each act of a mandate is linked to one of its subjects.
"""

from __future__ import annotations

import datetime as dt

from kleroterion.city.types import CityConfig
from kleroterion.models import Mandate, Proposal
from kleroterion.services import proposals, subjects
from kleroterion.web.demo_mandate import Say, run_step
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

Texts = dict[str, str]
#: A workshop chosen by the members, the same purpose in each of Paris's promotions.
CHOSEN = {"fr": "atelier thématique choisi par les membres (démo)",
          "en": "a thematic workshop the members chose (demo)"}
EXPLORES = {"fr": "explore le sujet et rédige un vœu",
            "en": "explores the subject and drafts a wish (vœu)"}
#: Per city, per mandate built (0: sitting, 1: previous, 2: next): workshops
#: (key, label, body key, purpose) and subjects (title, origin, note, workshop keys).
#: A workshop that is a body of the city is named as the body is, with its purpose
#: when none is given here (the label here is only a fallback); texts are in each
#: language the city's site offers (fr, nl, en).
WORKSHOPS: dict[str, list[list[tuple[str, Texts, str, Texts]]]] = {
    "paris": [
        [("exploration", {"fr": "Atelier Exploration"}, "atelier-exploration", EXPLORES),
         ("deliberation", {"fr": "Atelier Délibération"}, "atelier-deliberation",
          {"fr": "rédige la délibération citoyenne",
           "en": "drafts the citizens' deliberation"})],
        [("solidarites", {"fr": "Atelier Solidarités et éducation",
                          "en": "Solidarity and education workshop"}, "", CHOSEN),
         ("environnement", {"fr": "Atelier Environnement", "en": "Environment workshop"}, "",
          CHOSEN),
         ("espace-public", {"fr": "Atelier Espace public", "en": "Public space workshop"}, "",
          CHOSEN)],
        [("exploration", {"fr": "Atelier Exploration"}, "atelier-exploration", EXPLORES)],
    ],
    "poitiers": [
        [("groupe", {"fr": "Groupe de propositions"}, "groupe-propositions", {})],
        [("groupe", {"fr": "Groupe de propositions"}, "groupe-propositions", {})],
    ],
    "brussels": [[], []],
}
#: What brought a subject, beyond its origin (which the page names already).
EXECUTIVE = {"fr": "thème confié à la promotion par l'Exécutif parisien",
             "en": "a theme the Paris Executive entrusted to the cohort"}
CALL = {"fr": "retenu parmi les sujets proposés par les habitants",
        "en": "chosen among the subjects residents proposed"}
QUARTER = {"fr": "choisi par un quart des membres du cycle précédent",
           "nl": "gekozen door een kwart van de leden van de vorige cyclus",
           "en": "chosen by a quarter of the members of the previous cycle"}
SUBJECTS: dict[str, list[list[tuple[Texts, str, Texts, list[str]]]]] = {
    "paris": [
        [({"fr": "Adapter Paris aux fortes chaleurs (démo)",
           "en": "Adapting Paris to heatwaves (demo)"}, "executive", EXECUTIVE,
          ["exploration", "deliberation"]),
         ({"fr": "Lutter contre le gaspillage alimentaire (démo)",
           "en": "Tackling food waste (demo)"}, "assembly", {}, ["exploration"])],
        [({"fr": "Des rues plus propres et plus calmes (démo)",
           "en": "Cleaner and quieter streets (demo)"}, "executive", EXECUTIVE,
          ["espace-public", "environnement"]),
         ({"fr": "Le soutien scolaire dans les quartiers (démo)",
           "en": "Homework support in the neighbourhoods (demo)"}, "assembly", {},
          ["solidarites"])],
        [],
    ],
    "poitiers": [
        [({"fr": "Se déplacer à Poitiers sans voiture (démo)",
           "en": "Getting around Poitiers without a car (demo)"}, "call_for_subjects", CALL,
          ["groupe"])],
        [({"fr": "L'eau dans la ville (démo)", "en": "Water in the city (demo)"},
          "call_for_subjects", CALL, ["groupe"])],
    ],
    "brussels": [
        [({"fr": "Consommer autrement (démo)", "nl": "Anders consumeren (demo)",
           "en": "Consuming differently (demo)"}, "previous_panel", QUARTER, [])],
        [({"fr": "Se nourrir demain (démo)", "nl": "Voeding van morgen (demo)",
           "en": "Food for tomorrow (demo)"}, "previous_panel", QUARTER, [])],
    ],
}


def _offered(config: CityConfig, texts: Texts) -> Texts:
    """``texts`` in the languages the city's site offers (its own, and English)."""
    offered = (*config.profile.languages, "en")
    return {code: text for code, text in texts.items() if code in offered}


def subjects_and_workshops(factory: sessionmaker[Session], say: Say, config: CityConfig,
                           built: list[Mandate]) -> None:
    """Workshops and subjects of each mandate built, and the acts linked to the subjects."""
    slug = config.profile.slug
    for index, mandate in enumerate(built):
        workshops = WORKSHOPS.get(slug, [])
        chosen = SUBJECTS.get(slug, [])
        if index >= len(workshops) and index >= len(chosen):
            continue
        say(f"{mandate.label}: its workshops and subjects")
        declared = {body.key: body for body in config.bodies}
        for key, label, body, purpose in workshops[index] if index < len(workshops) else []:
            # A workshop that is one of the city's bodies: its name, and its purpose
            # unless the demo says more.
            if body in declared:
                label = dict(declared[body].label)
                purpose = purpose or dict(declared[body].purpose or {})
            run_step(factory, subjects.add_workshop, mandate.id, key, _offered(config, label),
                     body_key=body, purpose=_offered(config, purpose))
        made = []
        for title, origin, note, keys in chosen[index] if index < len(chosen) else []:
            made.append(run_step(factory, subjects.add_subject, mandate.id,
                                 _offered(config, title), origin,
                                 origin_note=_offered(config, note),
                                 proposed_on=mandate.starts_on + dt.timedelta(days=60),
                                 workshop_keys=keys))
        if not made:
            continue
        acts = run_step(factory, proposals.list_proposals, mandate.id)
        links = {act.id: made[number % len(made)].id for number, act in enumerate(acts)}
        run_step(factory, _written_for, links)


def _written_for(session: Session, links: dict[int, int]) -> None:
    """Give each demo act its subject as part of its first version.

    The demo writes its acts before their subjects; in the story it tells, each act was
    written for its subject. A plain UPDATE keeps the acts' versions (an ORM change
    would count a new version, as :func:`subjects.link_act` rightly does for a real link),
    so the demo's acts start at version 1 as a secretariat's would.
    """
    for act_id, subject_id in links.items():
        session.execute(update(Proposal).where(Proposal.id == act_id)
                        .values(subject_id=subject_id))
