"""Presets of cookiecutter-city, modelled on the three reference cities.

Stratification criteria, sub-bodies, act kinds with their lifecycles, phases and
session kinds a new city picks by name, each label and sentence in French, English
and Dutch: a city's data file starts from them, and the city corrects them there.
It imports only the standard library: the template bakes without kleroterion.
"""

from __future__ import annotations

from typing import Any

Texts = dict[str, str]  # language code -> text, as kleroterion's Localized


#: Stratification criteria offered by name; weights are rough shares to replace.
CRITERIA: dict[str, tuple[Texts, bool, list[tuple[str, Texts, float]]]] = {
    "gender": (
        {"fr": "Genre", "en": "Gender", "nl": "Geslacht"},
        False,
        [
            ("woman", {"fr": "Femme", "en": "Woman", "nl": "Vrouw"}, 1),
            ("man", {"fr": "Homme", "en": "Man", "nl": "Man"}, 1),
        ],
    ),
    "age": (
        {"fr": "Âge", "en": "Age", "nl": "Leeftijd"},
        True,
        [
            (
                "{young}-29",
                {"fr": "{young}-29 ans", "en": "{young}-29", "nl": "{young}-29 jaar"},
                240,
            ),
            ("30-44", {"fr": "30-44 ans", "en": "30-44", "nl": "30-44 jaar"}, 290),
            ("45-59", {"fr": "45-59 ans", "en": "45-59", "nl": "45-59 jaar"}, 220),
            ("60-74", {"fr": "60-74 ans", "en": "60-74", "nl": "60-74 jaar"}, 150),
            ("75+", {"fr": "75 ans et plus", "en": "75 and over", "nl": "75 jaar en ouder"}, 70),
        ],
    ),
    "education": (
        {"fr": "Niveau d'études", "en": "Education level", "nl": "Opleidingsniveau"},
        True,
        [
            ("low", {"fr": "Faible", "en": "Low", "nl": "Laag"}, 30),
            ("medium", {"fr": "Moyen", "en": "Medium", "nl": "Midden"}, 30),
            ("high", {"fr": "Élevé", "en": "High", "nl": "Hoog"}, 40),
        ],
    ),
    "background": (
        {
            "fr": "Situation socio-économique",
            "en": "Socio-economic background",
            "nl": "Socio-economische situatie",
        },
        True,
        [
            ("employed", {"fr": "En emploi", "en": "Employed", "nl": "Werkend"}, 55),
            (
                "job-seeker",
                {"fr": "Demandeur d'emploi", "en": "Job-seeker", "nl": "Werkzoekend"},
                12,
            ),
            ("student", {"fr": "Étudiant", "en": "Student", "nl": "Student"}, 10),
            ("retired", {"fr": "Pensionné", "en": "Retired", "nl": "Gepensioneerd"}, 15),
            ("other", {"fr": "Autre situation", "en": "Other", "nl": "Andere situatie"}, 8),
        ],
    ),
}

#: Sub-bodies offered by name: label, purpose, seats (role, count, selection, note), size.
BODIES: dict[str, tuple[Texts, Texts, list[tuple[str, int | None, str, Texts]], int | None]] = {
    "workshops": (
        {"fr": "Ateliers thématiques", "en": "Thematic workshops", "nl": "Thematische werkgroepen"},
        {
            "fr": "ateliers thématiques dont les membres sont choisis au sein du panel "
            "(modèle parisien)",
            "en": "thematic workshops whose members are chosen among the panel (Paris's model)",
            "nl": "thematische werkgroepen waarvan de leden uit het panel worden gekozen",
        },
        [("member", None, "chosen_by_members", {})],
        None,
    ),
    "proposals-group": (
        {"fr": "Groupe de propositions", "en": "Proposals group", "nl": "Voorstellengroep"},
        {
            "fr": "travaille le sujet entre les sessions, sans pouvoir de décision "
            "(modèle poitevin)",
            "en": "works the subject between sessions, without decision power (Poitiers's model)",
            "nl": "werkt het onderwerp uit tussen de zittingen, zonder beslissingsbevoegdheid",
        },
        [
            (
                "member",
                20,
                "volunteer",
                {
                    "fr": "volontaires parmi les habitants tirés au sort",
                    "en": "volunteers among the drawn residents",
                    "nl": "vrijwilligers onder de gelote inwoners",
                },
            ),
            ("elected", 4, "appointed", {}),
            ("elected_opposition", 2, "appointed", {}),
            (
                "agent",
                4,
                "appointed",
                {"fr": "agents municipaux", "en": "municipal agents", "nl": "gemeentepersoneel"},
            ),
        ],
        30,
    ),
    "methodology-committee": (
        {
            "fr": "Comité méthodologique",
            "en": "Methodology committee",
            "nl": "Methodologisch comité",
        },
        {
            "fr": "organise l'assemblée ; n'intervient jamais sur le fond (modèle poitevin)",
            "en": "organises the assembly; never deals with content (Poitiers's model)",
            "nl": "organiseert de burgerraad, nooit de inhoud",
        },
        [
            (
                "member",
                3,
                "drawn",
                {
                    "fr": "volontaires tirés au sort parmi les habitants tirés au sort",
                    "en": "volunteers drawn at random among the drawn",
                    "nl": "vrijwilligers geloot onder de gelote inwoners",
                },
            ),
            ("elected", 3, "appointed", {}),
            ("agent", 3, "appointed", {}),
            ("facilitator", None, "appointed", {}),
        ],
        None,
    ),
    "guarantors": (
        {"fr": "Comité de garants", "en": "Guarantors' committee", "nl": "Comité van garanten"},
        {
            "fr": "garants extérieurs du processus, que tout membre peut saisir (modèle parisien)",
            "en": "external guarantors of the process, whom any member can seize (Paris's model)",
            "nl": "externe garanten van het proces, tot wie elk lid zich kan wenden",
        },
        [("guarantor", None, "appointed", {})],
        None,
    ),
}
FOLLOW_UP_BODY = "follow-up-committee"

STATES: dict[str, Texts] = {
    "drafted": {"fr": "Rédigé", "en": "Drafted", "nl": "Opgesteld"},
    "adopted-by-assembly": {
        "fr": "Adopté par l'assemblée",
        "en": "Adopted by the assembly",
        "nl": "Aangenomen door de burgerraad",
    },
    "submitted": {
        "fr": "Déposé au conseil",
        "en": "Submitted to the council",
        "nl": "Ingediend bij de raad",
    },
    "debated": {
        "fr": "Débattu en conseil",
        "en": "Debated by the council",
        "nl": "Besproken door de raad",
    },
    "adopted": {"fr": "Adopté", "en": "Adopted", "nl": "Aangenomen"},
    "rejected": {"fr": "Rejeté", "en": "Rejected", "nl": "Verworpen"},
    "withdrawn": {"fr": "Retiré", "en": "Withdrawn", "nl": "Ingetrokken"},
    "asked": {"fr": "Posée en conseil", "en": "Asked in the council", "nl": "Gesteld in de raad"},
    "answered": {
        "fr": "Réponse de l'exécutif",
        "en": "Answered by the executive",
        "nl": "Beantwoord door het bestuur",
    },
    "decided": {
        "fr": "Décidé par l'assemblée",
        "en": "Decided by the assembly",
        "nl": "Beslist door de burgerraad",
    },
    "sent-to-council": {
        "fr": "Transmis au conseil",
        "en": "Sent to the council",
        "nl": "Bezorgd aan de raad",
    },
    "referendum": {
        "fr": "Soumis à référendum local",
        "en": "Put to a local referendum",
        "nl": "Voorgelegd aan een lokaal referendum",
    },
    "sent-to-executive": {
        "fr": "Transmise à l'exécutif",
        "en": "Sent to the executive",
        "nl": "Bezorgd aan het bestuur",
    },
    "first-response": {"fr": "Première réponse", "en": "First response", "nl": "Eerste antwoord"},
    "carried-out": {"fr": "Mise en œuvre", "en": "Carried out", "nl": "Uitgevoerd"},
    "not-carried-out": {
        "fr": "Non retenue (justifiée)",
        "en": "Not carried out (justified)",
        "nl": "Niet weerhouden (gemotiveerd)",
    },
}
#: The states in which an act reaches its addressee: response deadlines run from them.
SENT = ("submitted", "asked", "sent-to-council", "sent-to-executive")
FINAL = {
    "adopted": "adopted",
    "rejected": "rejected",
    "withdrawn": "withdrawn",
    "answered": "answered",
    "carried-out": "adopted",
    "not-carried-out": "rejected",
}

#: Proposal kind presets: key, label, description, addressee answer, power, legal force
#: (binding), note,
#: states, transitions (source, target, actor), per mandate.
ADOPTION = (
    ["drafted", "adopted-by-assembly", "submitted", "debated", "adopted", "rejected", "withdrawn"],
    [
        ("drafted", "adopted-by-assembly", "assembly"),
        ("drafted", "withdrawn", "assembly"),
        ("adopted-by-assembly", "submitted", "secretariat"),
        ("submitted", "debated", "council"),
        ("debated", "adopted", "council"),
        ("debated", "rejected", "council"),
    ],
)
PROPOSAL_PRESETS: dict[str, list[dict[str, Any]]] = {
    "paris": [
        dict(
            key="question",
            label={
                "fr": "Question d'actualité",
                "en": "Topical question",
                "nl": "Actualiteitsvraag",
            },
            description={
                "fr": "une question posée à l'exécutif en séance du conseil",
                "en": "a question put to the executive during a council meeting",
                "nl": "een vraag aan het bestuur tijdens een raadszitting",
            },
            addressee="executive_name",
            binding=False,
            power="consultative",
            binding_note={
                "fr": "l'exécutif répond en séance ; la question n'est pas soumise au vote",
                "en": "the executive answers in session; no vote",
                "nl": "het bestuur antwoordt in de zitting; geen stemming",
            },
            states=["drafted", "adopted-by-assembly", "asked", "answered", "withdrawn"],
            transitions=[
                ("drafted", "adopted-by-assembly", "assembly"),
                ("drafted", "withdrawn", "assembly"),
                ("adopted-by-assembly", "asked", "secretariat"),
                ("asked", "answered", "executive"),
            ],
        ),
        dict(
            key="wish",
            label={"fr": "Vœu", "en": "Wish (vœu)", "nl": "Wens"},
            description={
                "fr": "un vœu soumis au vote du conseil",
                "en": "a wish submitted to and voted by the council",
                "nl": "een wens die aan de raad ter stemming wordt voorgelegd",
            },
            addressee="council_name",
            binding=False,
            power="council_vote",
            binding_note={
                "fr": "voté par le conseil ; un vœu exprime une position, non une décision",
                "en": "voted by the council; a wish states a position, not a decision",
                "nl": "gestemd door de raad; een wens drukt een standpunt uit",
            },
            states=ADOPTION[0],
            transitions=ADOPTION[1],
        ),
        dict(
            key="deliberation",
            label={
                "fr": "Délibération citoyenne",
                "en": "Citizens' deliberation",
                "nl": "Burgerbesluit",
            },
            description={
                "fr": "un projet de délibération soumis au conseil, qui l'adopte ou le rejette",
                "en": "a draft decision submitted to the council, which adopts or rejects it",
                "nl": "een ontwerpbesluit dat de raad aanneemt of verwerpt",
            },
            addressee="council_name",
            binding=True,
            power="council_vote",
            binding_note={
                "fr": "une fois adoptée par le conseil, elle a la valeur d'une décision municipale",
                "en": "once adopted by the council it is a municipal decision",
                "nl": "eens aangenomen door de raad is het een gemeentelijk besluit",
            },
            states=ADOPTION[0],
            transitions=ADOPTION[1],
        ),
    ],
    "poitiers": [
        dict(
            key="action-plan",
            label={"fr": "Plan d'action", "en": "Action plan", "nl": "Actieplan"},
            description={
                "fr": "le plan d'action que l'assemblée arrête à l'issue de ses sessions",
                "en": "the action plan the assembly decides at the end of its sessions",
                "nl": "het actieplan dat de burgerraad na zijn zittingen vastlegt",
            },
            addressee="council_name",
            binding=True,
            power="adopted_as_proposed",
            binding_note={
                "fr": "le conseil l'adopte par délibération, ou le soumet à un référendum local",
                "en": "the council adopts it as a decision, or puts it to a local referendum",
                "nl": "de raad neemt het aan, of legt het voor aan een lokaal referendum",
            },
            states=["drafted", "decided", "sent-to-council", "referendum", "adopted", "rejected"],
            transitions=[
                ("drafted", "decided", "assembly"),
                ("decided", "sent-to-council", "secretariat"),
                ("sent-to-council", "adopted", "council"),
                ("sent-to-council", "rejected", "council"),
                ("sent-to-council", "referendum", "council"),
                ("referendum", "adopted", "citizens"),
                ("referendum", "rejected", "citizens"),
            ],
            per_mandate=1,
        ),
    ],
    "brussels": [
        dict(
            key="recommendation",
            label={"fr": "Recommandation", "en": "Recommendation", "nl": "Aanbeveling"},
            description={
                "fr": "une recommandation adressée à l'exécutif, qui doit y répondre",
                "en": "a recommendation to the executive, which must answer it",
                "nl": "een aanbeveling aan het bestuur, dat erop moet antwoorden",
            },
            addressee="executive_name",
            binding=False,
            power="consultative",
            binding_note={
                "fr": "non contraignante ; l'exécutif justifie chaque recommandation "
                "qu'il ne retient pas",
                "en": "not binding; the executive must justify every recommendation it "
                "does not carry out",
                "nl": "niet bindend; het bestuur motiveert elke aanbeveling die het niet weerhoudt",
            },
            states=[
                "drafted",
                "adopted-by-assembly",
                "sent-to-executive",
                "first-response",
                "carried-out",
                "not-carried-out",
            ],
            transitions=[
                ("drafted", "adopted-by-assembly", "assembly"),
                ("adopted-by-assembly", "sent-to-executive", "secretariat"),
                ("sent-to-executive", "first-response", "executive"),
                ("first-response", "carried-out", "executive"),
                ("first-response", "not-carried-out", "executive"),
            ],
        ),
    ],
}

PHASES = [
    (
        "learning",
        {
            "fr": "Information et apprentissage",
            "en": "Information and learning",
            "nl": "Informatie en vorming",
        },
        {
            "fr": "auditions, visites de terrain, formations",
            "en": "hearings, site visits, training",
            "nl": "hoorzittingen, terreinbezoeken, vormingen",
        },
    ),
    ("deliberation", {"fr": "Délibération", "en": "Deliberation", "nl": "Beraadslaging"}, {}),
    (
        "proposals",
        {"fr": "Propositions", "en": "Proposals", "nl": "Voorstellen"},
        {
            "fr": "les actes sont rédigés et adoptés",
            "en": "the acts are written and adopted",
            "nl": "de voorstellen worden opgesteld en aangenomen",
        },
    ),
]
SESSION_KINDS = [
    ("plenary", {"fr": "Séance plénière", "en": "Plenary session", "nl": "Plenaire zitting"}),
    ("workshop", {"fr": "Atelier", "en": "Workshop", "nl": "Werkgroep"}),
]


#: The plural and grammatical gender of the usual names of a term, by language: used
#: where the city names its term so and gives no plural or gender of its own (the
#: default « promotion » is feminine in French, as « édition »; « cyclus » makes « cycli »).
TERM_FORMS: dict[tuple[str, str], tuple[str, str]] = {
    ("fr", "promotion"): ("promotions", "feminine"),
    ("fr", "édition"): ("éditions", "feminine"),
    ("fr", "cycle"): ("cycles", "masculine"),
    ("fr", "session"): ("sessions", "feminine"),
    ("fr", "mandature"): ("mandatures", "feminine"),
    ("nl", "lichting"): ("lichtingen", "feminine"),
    ("nl", "cyclus"): ("cycli", "masculine"),
    ("nl", "editie"): ("edities", "feminine"),
    ("en", "cohort"): ("cohorts", "neuter"),
    ("en", "cycle"): ("cycles", "neuter"),
    ("en", "edition"): ("editions", "neuter"),
    ("en", "promotion"): ("promotions", "neuter"),
}
