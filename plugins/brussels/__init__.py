"""Brussels-Capital Region: the Assemblée citoyenne pour le climat / Burgerraad voor het klimaat.

Facts, as data the Region can correct (the tag says how sure each is):

- Everything in French and Dutch [V].
- One panel per cycle, 80 residents (the Region announces 65 to 100; 80 for recent
  cycles), drawn in two stages: 10,000 invitations to addresses drawn per commune
  (19 communes) from the regional address database, then a stratified draw among
  positive replies on gender, age, commune, education level and socio-economic
  background [V/P]. Commune weights are populations in thousands [A]; the age,
  education and socio-economic bands are estimates to be replaced [A].
- A cycle a year (housing 2023, food 2023, consumption 2025), each of 4 to 6 working
  days over two to three months; a quarter of the members choose the next cycle's
  theme [V].
- Recommendations to the regional government, not binding, and no formal
  validation by elected officials [V].
- A volunteer allowance under the Belgian law of 3 July 2005 on volunteering, at most
  35 € per day (indexed; the law also sets an annual ceiling), plus childcare costs
  [V]. The annual ceiling below is the order of magnitude of recent years [A].
- The government answers within 3 months and gives its final response and
  evaluation after 12 months, justifying every recommendation it does not carry
  out; a follow-up committee of 10 citizens from the panel follows that response for
  a year, with two formal meetings with the officials concerned [V].

Sources: the climate assembly's FAQ pages in French and Dutch
(Assemblée citoyenne pour le climat / Burgerraad voor het klimaat); loi du 3 juillet
2005 relative aux droits des volontaires / wet van 3 juli 2005 betreffende de
rechten van vrijwilligers.
"""

from __future__ import annotations

from decimal import Decimal

from kleroterion import hookimpl
from kleroterion.city.types import (
    AccountabilityRules,
    Body,
    BodySeat,
    CityProfile,
    Extra,
    Feature,
    FeatureValue,
    FollowUpCommittee,
    IndemnityPolicy,
    Localized,
    MandateRules,
    PanelComposition,
    Phase,
    ProposalKind,
    ProposalState,
    ResponseDeadline,
    SeatGroup,
    SessionKind,
    Source,
    Transition,
)

FAQ_FR = Source(title="Assemblée citoyenne pour le climat, FAQ (French)")
FAQ_NL = Source(title="Burgerraad voor het klimaat, FAQ (Dutch)")
VOLUNTEER_LAW = Source(
    title="Loi du 3 juillet 2005 relative aux droits des volontaires / "
    "Wet van 3 juli 2005 betreffende de rechten van vrijwilligers",
    date="2005-07-03",
)
APPROXIMATE = Source(
    title="Approximate figures to be replaced by the Region's official tables",
    note="commune populations in thousands; age, education and background shares estimated",
)

COMMUNES = {
    "Anderlecht": 121, "Auderghem": 34, "Berchem-Sainte-Agathe": 25, "Bruxelles": 196,
    "Etterbeek": 48, "Evere": 43, "Forest": 56, "Ganshoren": 25, "Ixelles": 87,
    "Jette": 53, "Koekelberg": 22, "Molenbeek-Saint-Jean": 98, "Saint-Gilles": 50,
    "Saint-Josse-ten-Noode": 27, "Schaerbeek": 133, "Uccle": 84,
    "Watermael-Boitsfort": 25, "Woluwe-Saint-Lambert": 58, "Woluwe-Saint-Pierre": 42,
}  # fmt: skip


def _label(fr: str, nl: str, en: str) -> Localized:
    return {"fr": fr, "nl": nl, "en": en}


def _values(items: list[tuple[str, str, str, str, float]]) -> tuple[FeatureValue, ...]:
    return tuple(FeatureValue(key, _label(fr, nl, en), weight) for key, fr, nl, en, weight in items)


FEATURES = (
    Feature(
        "gender",
        _label("Genre", "Geslacht", "Gender"),
        _values([("femme", "Femme", "Vrouw", "Woman", 1), ("homme", "Homme", "Man", "Man", 1)]),
    ),
    Feature(
        "age",
        _label("Âge", "Leeftijd", "Age"),
        _values(
            [
                ("16-29", "16-29 ans", "16-29 jaar", "16-29", 240),
                ("30-44", "30-44 ans", "30-44 jaar", "30-44", 290),
                ("45-59", "45-59 ans", "45-59 jaar", "45-59", 220),
                ("60-74", "60-74 ans", "60-74 jaar", "60-74", 150),
                ("75+", "75 ans et plus", "75 jaar en ouder", "75 and over", 70),
            ]
        ),
        tolerance=2,
        approximate=True,
    ),
    Feature(
        "commune",
        _label("Commune", "Gemeente", "Municipality"),
        _values([(name, name, name, name, weight) for name, weight in COMMUNES.items()]),
        approximate=True,
    ),
    Feature(
        "education",
        _label("Niveau d'études", "Opleidingsniveau", "Education level"),
        _values(
            [
                ("faible", "Faible", "Laag", "Low", 30),
                ("moyen", "Moyen", "Midden", "Medium", 30),
                ("eleve", "Élevé", "Hoog", "High", 40),
            ]
        ),
        tolerance=2,
        approximate=True,
    ),
    Feature(
        "background",
        _label(
            "Situation socio-économique", "Socio-economische situatie", "Socio-economic background"
        ),
        _values(
            [
                ("emploi", "En emploi", "Werkend", "Employed", 55),
                ("demandeur", "Demandeur d'emploi", "Werkzoekend", "Job-seeker", 12),
                ("etudiant", "Étudiant", "Student", "Student", 10),
                ("pension", "Pensionné", "Gepensioneerd", "Retired", 15),
                ("autre", "Autre situation", "Andere situatie", "Other", 8),
            ]
        ),
        tolerance=2,
        approximate=True,
    ),
)


@hookimpl
def city_profile() -> CityProfile:
    return CityProfile(
        slug="brussels",
        name="Région de Bruxelles-Capitale / Brussels Hoofdstedelijk Gewest",
        assembly_name=_label(
            "Assemblée citoyenne pour le climat",
            "Burgerraad voor het klimaat",
            "Citizens' Climate Assembly",
        ),
        country="BE",
        languages=("fr", "nl"),
        timezone="Europe/Brussels",
        currency="EUR",
        population=1_227_000,
        summary=(
            "A bilingual climate assembly of 80 residents per yearly cycle, drawn from "
            "10,000 invitations to addresses, which sends recommendations to the regional "
            "government; the government answers within 3 and 12 months and a follow-up "
            "committee of 10 members follows its response for a year."
        ),
        sources=(FAQ_FR, FAQ_NL),
    )


@hookimpl
def panel_composition() -> PanelComposition:
    return PanelComposition(
        seats=80,
        seat_groups=(
            SeatGroup(
                "panel",
                _label("Panel du cycle", "Panel van de cyclus", "Cycle panel"),
                seats=80,
                registry="addresses",
                invitations=10_000,
                stratify_invitations_by="commune",
                features=("gender", "age", "commune", "education", "background"),
                eligibility="residents of the 19 communes, invited at addresses drawn per commune",
            ),
        ),
        features=FEATURES,
        registry_note="the regional address database; 65 to 100 seats announced, 80 recently",
        one_per_household=True,
        sources=(FAQ_FR, FAQ_NL, APPROXIMATE),
    )


@hookimpl
def assembly_bodies() -> tuple[Body, ...]:
    return (
        Body(
            "comite-suivi",
            _label("Comité de suivi", "Opvolgingscomité", "Follow-up committee"),
            purpose="follows the government's response for a year after the cycle",
            seats=(BodySeat("member", 10, "drawn", "drawn from the cycle's panel"),),
            size=10,
            formed="end",
            term_months=12,
            formal_meetings=2,
            note="two formal meetings with the political and administrative officials concerned",
            sources=(FAQ_FR, FAQ_NL),
        ),
    )


@hookimpl
def mandate_rules() -> MandateRules:
    return MandateRules(
        term_name=_label("cycle", "cyclus", "cycle"),
        min_months=2,
        max_months=3,
        renewal_months=12,
        working_days_min=4,
        working_days_max=6,
        subjects_per_mandate=1,
        subject_choice="a quarter of the previous cycle's members choose the theme",
        next_theme_chosen_by_share=Decimal("0.25"),
        phases=(
            Phase("information", _label("Information", "Informatie", "Information")),
            Phase("deliberation", _label("Délibération", "Beraadslaging", "Deliberation")),
            Phase("recommandations", _label("Recommandations", "Aanbevelingen", "Recommendations")),
            Phase(
                "suivi",
                _label("Suivi", "Opvolging", "Follow-up"),
                "the follow-up committee follows the government's response",
                12,
            ),
        ),
        session_kinds=(
            SessionKind("journee", _label("Journée de travail", "Werkdag", "Working day"), "day"),
            SessionKind(
                "suivi",
                _label(
                    "Réunion du comité de suivi",
                    "Vergadering van het opvolgingscomité",
                    "Follow-up committee meeting",
                ),
                "day",
            ),
        ),
        typical_year_units=6,
        typical_year_note="the six working days of a cycle, the upper end of 4 to 6",
        sources=(FAQ_FR, FAQ_NL),
    )


@hookimpl
def proposal_kinds() -> tuple[ProposalKind, ...]:
    return (
        ProposalKind(
            "recommandation",
            _label("Recommandation", "Aanbeveling", "Recommendation"),
            description="a recommendation to the regional government",
            addressee="the Brussels-Capital Region government",
            binding=False,
            binding_note=(
                "not binding, no formal validation by elected officials; the government "
                "must justify every recommendation it does not carry out"
            ),
            states=(
                ProposalState("redigee", _label("Rédigée", "Opgesteld", "Drafted")),
                ProposalState(
                    "adoptee",
                    _label("Adoptée par l'assemblée", "Aangenomen door de burgerraad", "Adopted"),
                ),
                ProposalState(
                    "transmise",
                    _label("Transmise au gouvernement", "Bezorgd aan de regering", "Sent"),
                    sent=True,
                ),
                ProposalState(
                    "reponse",
                    _label(
                        "Première réponse du gouvernement",
                        "Eerste antwoord van de regering",
                        "First response",
                    ),
                ),
                ProposalState(
                    "realisee",
                    _label("Mise en œuvre", "Uitgevoerd", "Carried out"),
                    True,
                    "adopted",
                ),
                ProposalState(
                    "non-retenue",
                    _label(
                        "Non retenue (justifiée)",
                        "Niet weerhouden (gemotiveerd)",
                        "Not carried out (justified)",
                    ),
                    True,
                    "rejected",
                ),
            ),
            initial="redigee",
            transitions=(
                Transition("redigee", "adoptee", "assembly"),
                Transition("adoptee", "transmise", "secretariat"),
                Transition("transmise", "reponse", "government"),
                Transition("reponse", "realisee", "government"),
                Transition("reponse", "non-retenue", "government"),
            ),
            sources=(FAQ_FR, FAQ_NL),
        ),
    )


@hookimpl
def indemnity_policy() -> IndemnityPolicy:
    return IndemnityPolicy(
        rate=Decimal("35"),
        currency="EUR",
        unit="day",
        rate_is_maximum=True,
        annual_ceiling=Decimal("1626.77"),
        extras=(
            Extra(
                "garde-enfants",
                _label("Frais de garde d'enfants", "Kosten voor kinderopvang", "Childcare costs"),
                note="reimbursed on top of the allowance",
            ),
        ),
        legal_basis="volunteer allowance under the Belgian law of 3 July 2005 (indexed)",
        conditions="at most 35 € a day within the law's annual ceiling [A: yearly indexed figure]",
        sources=(FAQ_FR, FAQ_NL, VOLUNTEER_LAW),
    )


@hookimpl
def accountability_rules() -> AccountabilityRules:
    return AccountabilityRules(
        reporter="the Brussels-Capital Region government",
        audience="the assembly, its follow-up committee and the public",
        response_deadlines=(
            ResponseDeadline(
                "premiere-reponse",
                _label("Première réponse", "Eerste antwoord", "First response"),
                3,
                "government",
            ),
            ResponseDeadline(
                "reponse-finale",
                _label(
                    "Réponse finale et évaluation",
                    "Definitief antwoord en evaluatie",
                    "Final response and evaluation",
                ),
                12,
                "government",
            ),
        ),
        follow_up_committee=FollowUpCommittee(
            size=10, drawn_from="panel", selection="drawn", term_months=12, formal_meetings=2
        ),
        justify_rejections=True,
        public_status=True,
        sources=(FAQ_FR, FAQ_NL),
    )
