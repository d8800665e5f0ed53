"""Paris: the Assemblée citoyenne de Paris, as the City ran it from 2021 to 2025.

Facts, as data the City can correct (the tag says how sure each is):

- 100 members aged 16 or more in three seat groups: 80 drawn from the electoral
  rolls (about 1,350,000 voters), 15 non-EU residents and 5 aged 16-17, the last two
  drawn among holders of the Carte citoyenne who volunteered [V].
- A first draw sends 10,000 letters; those who answer (748 for the second promotion)
  enter a second, weighted draw under quotas on gender, age, arrondissement and
  diploma [V]. The bands and the arrondissement weights are approximations to be
  replaced by the City's official tables [A].
- The third promotion's draw was overseen by a commissaire de justice who wrote a
  procès-verbal; the member list is published [V].
- Promotions of 12 to 18 months, renewed every year; plenaries every three to four
  months, thematic workshops monthly [V].
- Acts: a question d'actualité put to the executive at the Conseil de Paris, vœux
  voted by the Conseil de Paris, and a délibération citoyenne submitted through the
  deputy mayor for citizen participation and adopted or rejected by the Conseil de
  Paris, with the force of a municipal decision once adopted [V].
- 44 € per half-day, on the model of trial jurors [V].
- Droit de suite: every act adopted contains an article binding the City to report
  on its implementation; each department names a person responsible for each
  measure; the City reports once a year to all promotions and publishes the state of
  each measure [V].

Sources: Ville de Paris, pages "Assemblée citoyenne de Paris" (paris.fr, 2021-2025);
ICPC practice group, webinar report on accountability, 17 June 2025.
"""

from __future__ import annotations

from decimal import Decimal

from kleroterion import hookimpl
from kleroterion.city.types import (
    AccountabilityRules,
    Body,
    BodySeat,
    CityProfile,
    Feature,
    FeatureValue,
    IndemnityPolicy,
    Localized,
    MandateRules,
    PanelComposition,
    Phase,
    ProposalKind,
    ProposalState,
    SeatGroup,
    SessionKind,
    Source,
    Transition,
)
from kleroterion.sortition.types import Quota

PARIS_FR = Source(
    title="Ville de Paris, « L'Assemblée citoyenne de Paris » (pages of paris.fr)",
    url="https://www.paris.fr",
    date="2021/2025",
)
ICPC = Source(
    title="ICPC practice group, webinar report on accountability of permanent assemblies",
    date="2025-06-17",
)
APPROXIMATE = Source(
    title="Approximate figures to be replaced by the City's official tables",
    note="arrondissement populations in thousands; age and diploma shares estimated",
)

ARRONDISSEMENTS = {
    "1er": 16, "2e": 21, "3e": 34, "4e": 28, "5e": 58, "6e": 40, "7e": 48, "8e": 35,
    "9e": 59, "10e": 84, "11e": 143, "12e": 139, "13e": 178, "14e": 134, "15e": 227,
    "16e": 162, "17e": 164, "18e": 190, "19e": 181, "20e": 192,
}  # fmt: skip


def _label(fr: str, en: str) -> Localized:
    return {"fr": fr, "en": en}


def _values(items: list[tuple[str, str, str, float]]) -> tuple[FeatureValue, ...]:
    return tuple(FeatureValue(key, _label(fr, en), weight) for key, fr, en, weight in items)


FEATURES = (
    Feature(
        "gender",
        _label("Genre", "Gender"),
        _values([("femme", "Femme", "Woman", 1), ("homme", "Homme", "Man", 1)]),
        tolerance=1,
    ),
    Feature(
        "age",
        _label("Âge", "Age"),
        _values(
            [
                ("16-17", "16-17 ans", "16-17", 45),
                ("18-29", "18-29 ans", "18-29", 420),
                ("30-44", "30-44 ans", "30-44", 470),
                ("45-59", "45-59 ans", "45-59", 390),
                ("60-74", "60-74 ans", "60-74", 300),
                ("75+", "75 ans et plus", "75 and over", 180),
            ]
        ),
        tolerance=2,
        approximate=True,
    ),
    Feature(
        "arrondissement",
        _label("Arrondissement", "Arrondissement"),
        _values([(key, key, key, weight) for key, weight in ARRONDISSEMENTS.items()]),
        tolerance=1,
        approximate=True,
    ),
    Feature(
        "diploma",
        _label("Diplôme", "Diploma"),
        _values(
            [
                ("aucun-brevet", "Aucun diplôme ou brevet", "None or brevet", 20),
                ("cap-bep", "CAP-BEP", "CAP-BEP (vocational)", 12),
                ("bac", "Baccalauréat", "Baccalauréat", 15),
                ("bac+2", "Bac+2", "Two years of higher education", 11),
                ("bac+3", "Bac+3 et plus", "Three years of higher education or more", 42),
            ]
        ),
        tolerance=2,
        approximate=True,
    ),
)

_ADOPTION_STATES = (
    ProposalState("redige", _label("Rédigé", "Drafted")),
    ProposalState("adopte-assemblee", _label("Adopté par l'assemblée", "Adopted by the assembly")),
    ProposalState(
        "depose", _label("Déposé au Conseil de Paris", "Submitted to the Council"), sent=True
    ),
    ProposalState("debattu", _label("Débattu en Conseil de Paris", "Debated by the Council")),
    ProposalState("adopte", _label("Adopté", "Adopted"), final=True, outcome="adopted"),
    ProposalState("rejete", _label("Rejeté", "Rejected"), final=True, outcome="rejected"),
    ProposalState("retire", _label("Retiré", "Withdrawn"), final=True, outcome="withdrawn"),
)
_ADOPTION_TRANSITIONS = (
    Transition("redige", "adopte-assemblee", "assembly", _label("Adopter", "Adopt")),
    Transition("redige", "retire", "assembly", _label("Retirer", "Withdraw")),
    Transition("adopte-assemblee", "depose", "secretariat", _label("Déposer", "Submit")),
    Transition("depose", "debattu", "council", _label("Inscrire au débat", "Debate")),
    Transition("debattu", "adopte", "council", _label("Adopter", "Adopt")),
    Transition("debattu", "rejete", "council", _label("Rejeter", "Reject")),
)


@hookimpl
def city_profile() -> CityProfile:
    return CityProfile(
        slug="paris",
        name="Paris",
        assembly_name={
            "fr": "Assemblée citoyenne de Paris",
            "en": "Paris Citizens' Assembly",
            "nl": "Burgerraad van Parijs",
        },
        country="FR",
        languages=("fr", "en"),
        timezone="Europe/Paris",
        currency="EUR",
        population=2_133_000,
        website="https://www.paris.fr",
        summary=(
            "A permanent assembly of 100 Parisians aged 16 or more, renewed every year, "
            "that puts questions to the executive and submits vœux and délibérations "
            "citoyennes to the Conseil de Paris, with a yearly droit de suite. It may "
            "also trigger a citizen information and evaluation mission and convene a "
            "citizens' jury."
        ),
        sources=(PARIS_FR, ICPC),
    )


@hookimpl
def panel_composition() -> PanelComposition:
    return PanelComposition(
        seats=100,
        seat_groups=(
            SeatGroup(
                "liste-electorale",
                _label("Collège des électeurs", "Electoral roll"),
                seats=80,
                registry="electoral_roll",
                invitations=10_000,
                stratify_invitations_by="arrondissement",
                features=("gender", "age", "arrondissement", "diploma"),
                eligibility="voters on the Paris electoral rolls",
                minimum_age=18,
                quotas=(Quota("age", "16-17", 0, 0),),
            ),
            SeatGroup(
                "non-europeens",
                _label("Collège des résidents non européens", "Non-EU residents"),
                seats=15,
                registry="residents_card",
                features=("gender", "age", "arrondissement"),
                eligibility="non-EU residents holding the Carte citoyenne who volunteered",
                minimum_age=18,
                quotas=(Quota("age", "16-17", 0, 0),),
            ),
            SeatGroup(
                "jeunes",
                _label("Collège des 16-17 ans", "Aged 16-17"),
                seats=5,
                registry="residents_card",
                features=("gender",),
                eligibility="Parisians aged 16-17 holding the Carte citoyenne who volunteered",
                minimum_age=16,
                maximum_age=17,
            ),
        ),
        features=FEATURES,
        registry_size=1_350_000,
        registry_note="about 1,350,000 voters on the electoral rolls",
        joint_draw=False,
        one_per_household=True,
        minimum_age=16,
        draw_oversight=(
            "the third promotion's draw was overseen by a commissaire de justice (bailiff) "
            "who wrote a procès-verbal; the member list is published"
        ),
        sources=(PARIS_FR, APPROXIMATE),
    )


@hookimpl
def assembly_bodies() -> tuple[Body, ...]:
    return (
        Body(
            "atelier-exploration",
            _label("Atelier Exploration", "Exploration workshop"),
            purpose="explores a subject and produces a vœu (third promotion)",
            seats=(BodySeat("member", None, "chosen_by_members"),),
            decides=False,
        ),
        Body(
            "atelier-deliberation",
            _label("Atelier Délibération", "Délibération workshop"),
            purpose="drafts the délibération citoyenne (third promotion)",
            seats=(BodySeat("member", None, "chosen_by_members"),),
            decides=False,
        ),
        Body(
            "comite-garants",
            _label("Comité de garants", "Guarantors' committee"),
            purpose="external guarantors of the process, whom any member can seize",
            seats=(BodySeat("guarantor", None, "appointed"),),
        ),
    )


@hookimpl
def mandate_rules() -> MandateRules:
    return MandateRules(
        term_name=_label("promotion", "cohort"),
        min_months=12,
        max_months=18,
        renewal_months=12,
        start_month=9,
        phases=(
            Phase(
                "decouverte",
                _label("Découverte et apprentissage", "Discovery and learning"),
                "hearings, site visits, optional training; ends with a carnet de synthèse "
                "per workshop",
            ),
            Phase(
                "mandat",
                _label("Mandat de travail", "Work mandate"),
                "a work mandate from the executive, adopted in plenary",
            ),
            Phase(
                "approfondissement",
                _label("Approfondissement et recommandations", "Deepening and recommendations"),
                "the acts are written and adopted",
            ),
        ),
        session_kinds=(
            SessionKind("pleniere", _label("Séance plénière", "Plenary"), "half_day", 2),
            SessionKind("atelier", _label("Atelier", "Workshop"), "half_day", 1),
            SessionKind("audition", _label("Audition", "Hearing"), "half_day", 1),
            SessionKind("visite", _label("Visite de terrain", "Site visit"), "half_day", 1),
            SessionKind("formation", _label("Formation", "Training"), "half_day", 1),
        ),
        typical_year_units=18,
        typical_year_note=(
            "[A] four plenaries of a day (8 half-days) and ten monthly workshops (10 half-days)"
        ),
        sources=(PARIS_FR,),
    )


@hookimpl
def proposal_kinds() -> tuple[ProposalKind, ...]:
    return (
        ProposalKind(
            "question",
            _label("Question d'actualité", "Topical question"),
            description="a question put to the executive during the Conseil de Paris",
            addressee="the Mayor's executive, at the Conseil de Paris",
            binding=False,
            binding_note="the executive answers in session; no vote",
            states=(
                ProposalState("redigee", _label("Rédigée", "Drafted")),
                ProposalState("adoptee", _label("Adoptée par l'assemblée", "Adopted")),
                ProposalState("posee", _label("Posée en Conseil de Paris", "Asked"), sent=True),
                ProposalState(
                    "repondue", _label("Réponse de l'exécutif", "Answered"), True, "answered"
                ),
                ProposalState("retiree", _label("Retirée", "Withdrawn"), True, "withdrawn"),
            ),
            initial="redigee",
            transitions=(
                Transition("redigee", "adoptee", "assembly"),
                Transition("redigee", "retiree", "assembly"),
                Transition("adoptee", "posee", "secretariat"),
                Transition("posee", "repondue", "executive"),
            ),
            sources=(PARIS_FR,),
        ),
        ProposalKind(
            "voeu",
            _label("Vœu", "Wish (vœu)"),
            description="a wish submitted to and voted by the Conseil de Paris",
            addressee="Conseil de Paris",
            binding=False,
            binding_note="voted by the Conseil de Paris; a vœu states a position, not a decision",
            states=_ADOPTION_STATES,
            initial="redige",
            transitions=_ADOPTION_TRANSITIONS,
            sources=(PARIS_FR,),
        ),
        ProposalKind(
            "deliberation",
            _label("Délibération citoyenne", "Citizens' deliberation"),
            description=(
                "a draft decision submitted through the deputy mayor for citizen "
                "participation, adopted or rejected by the Conseil de Paris"
            ),
            addressee="Conseil de Paris, through the deputy mayor for citizen participation",
            binding=True,
            binding_note="once adopted by the Conseil de Paris it is a municipal decision",
            states=_ADOPTION_STATES,
            initial="redige",
            transitions=_ADOPTION_TRANSITIONS,
            sources=(PARIS_FR,),
        ),
    )


@hookimpl
def indemnity_policy() -> IndemnityPolicy:
    return IndemnityPolicy(
        rate=Decimal("44"),
        currency="EUR",
        unit="half_day",
        legal_basis="on the model of the indemnity of trial jurors",
        conditions="every member, for every half-day of work attended",
        sources=(PARIS_FR,),
    )


@hookimpl
def accountability_rules() -> AccountabilityRules:
    return AccountabilityRules(
        reporter="the City departments concerned, each naming a person responsible per measure",
        audience="all promotions of the assembly, and the public",
        report_every_months=12,
        owner_per_measure=True,
        public_status=True,
        note=(
            "droit de suite: every act adopted by the Conseil de Paris contains an article "
            "binding the City to report on its implementation"
        ),
        sources=(PARIS_FR, ICPC),
    )
