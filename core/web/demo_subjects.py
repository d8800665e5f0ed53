"""The demo's subjects and workshops: what each promotion works on and who proposed it.

Run after ``kleroterion.web.demo`` built the mandates, through the same services a
secretariat uses; the titles are invented and say so (« démo »). Paris's workshops
change from one promotion to the next (three thematic workshops, then an
« Exploration » and a « Délibération » workshop); its subjects come from the
executive's work mandate or from the assembly itself. Poitiers's one subject a year
comes from a call for subjects, worked by its groupe de propositions; Brussels's
cycle theme, in French and Dutch, was chosen by members of the previous cycle.
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
#: Per city, per mandate built (0: sitting, 1: previous, 2: next): workshops
#: (key, label, body key, purpose) and subjects (title, origin, note, workshop keys).
WORKSHOPS: dict[str, list[list[tuple[str, Texts, str, Texts]]]] = {
    "paris": [
        [("exploration", {"fr": "Atelier Exploration"}, "atelier-exploration",
          {"fr": "explore le sujet et rédige un vœu"}),
         ("deliberation", {"fr": "Atelier Délibération"}, "atelier-deliberation",
          {"fr": "rédige la délibération citoyenne"})],
        [("solidarites", {"fr": "Atelier Solidarités et éducation"}, "",
          {"fr": "atelier thématique choisi par les membres (démo)"}),
         ("environnement", {"fr": "Atelier Environnement"}, "",
          {"fr": "atelier thématique choisi par les membres (démo)"}),
         ("espace-public", {"fr": "Atelier Espace public"}, "",
          {"fr": "atelier thématique choisi par les membres (démo)"})],
        [("exploration", {"fr": "Atelier Exploration"}, "atelier-exploration", {})],
    ],
    "poitiers": [
        [("groupe", {"fr": "Groupe de propositions"}, "groupe-propositions", {})],
        [("groupe", {"fr": "Groupe de propositions"}, "groupe-propositions", {})],
    ],
    "brussels": [[], []],
}
SUBJECTS: dict[str, list[list[tuple[Texts, str, Texts, list[str]]]]] = {
    "paris": [
        [({"fr": "Adapter Paris aux fortes chaleurs (démo)"}, "executive",
          {"fr": "mandat de travail de l'exécutif, adopté en séance plénière"},
          ["exploration", "deliberation"]),
         ({"fr": "Lutter contre le gaspillage alimentaire (démo)"}, "assembly", {},
          ["exploration"])],
        [({"fr": "Des rues plus propres et plus calmes (démo)"}, "executive",
          {"fr": "mandat de travail de l'exécutif, adopté en séance plénière"},
          ["espace-public", "environnement"]),
         ({"fr": "Le soutien scolaire dans les quartiers (démo)"}, "assembly", {},
          ["solidarites"])],
        [],
    ],
    "poitiers": [
        [({"fr": "Se déplacer à Poitiers sans voiture (démo)"}, "call_for_subjects",
          {"fr": "retenu parmi les sujets proposés par les habitants"}, ["groupe"])],
        [({"fr": "L'eau dans la ville (démo)"}, "call_for_subjects",
          {"fr": "retenu parmi les sujets proposés par les habitants"}, ["groupe"])],
    ],
    "brussels": [
        [({"fr": "Consommer autrement (démo)", "nl": "Anders consumeren (demo)"},
          "previous_panel", {"fr": "choisi par un quart des membres du cycle précédent",
                             "nl": "gekozen door een kwart van de leden van de vorige cyclus"},
          [])],
        [({"fr": "Se nourrir demain (démo)", "nl": "Voeding van morgen (demo)"},
          "previous_panel", {"fr": "choisi par un quart des membres du cycle précédent",
                             "nl": "gekozen door een kwart van de leden van de vorige cyclus"},
          [])],
    ],
}


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
        for key, label, body, purpose in workshops[index] if index < len(workshops) else []:
            run_step(factory, subjects.add_workshop, mandate.id, key, label,
                     body_key=body, purpose=purpose)
        made = []
        for title, origin, note, keys in chosen[index] if index < len(chosen) else []:
            made.append(run_step(factory, subjects.add_subject, mandate.id, title, origin,
                                 origin_note=note,
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
