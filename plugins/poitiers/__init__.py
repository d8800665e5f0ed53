"""Poitiers: the Assemblée citoyenne et populaire.

Facts, as data the City can correct (the tag says how sure each is):

- 100 residents drawn from addresses (elected officials, agents and residents then go
  door to door), plus every volunteer who comes: sessions are open to all,
  regardless of age or nationality, and everyone present votes [V].
- A groupe de propositions of 30 works the subject between sessions, without
  decision power: 20 volunteers among the drawn, 6 elected officials of whom 2 from
  the opposition, 4 municipal agents [V for the total, P for the split].
- A comité méthodologique in charge of organisation only, never content: 3 drawn
  volunteers chosen at random, 3 elected officials, 3 agents, plus the facilitators
  [V; P: the court counts 10 members].
- One subject a year over 4 assembly sessions: choose the subject (after a call for
  subjects filtered on general interest and municipal competence), explore,
  arbitrate, finalise an action plan [V].
- The assembly decides; its action plan goes to the municipal council, which adopts
  it as a délibération or puts it to a local referendum; citizens then take part in
  following its implementation [V/P].
- Related right, the droit d'interpellation (residents aged 16+): 50 signatures for a
  meeting with elected officials, 900 to put an item on the council agenda, 4,500
  for the council to debate a local referendum [V].
- Only members of the two bodies are paid, on social criteria: 41.22 € per session
  if the family quotient is at most 1,000 €, up to 25 sessions (council decision of
  26 June 2023, upheld by the Tribunal administratif de Poitiers on 13 March 2025) [V].

Sources: Ville de Poitiers, pages of the Assemblée citoyenne et populaire;
Tribunal administratif de Poitiers, judgment of 13 March 2025.
"""

from __future__ import annotations

from decimal import Decimal

from kleroterion import hookimpl
from kleroterion.city.types import (
    AccountabilityRules,
    Body,
    BodySeat,
    CityProfile,
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

CITY = Source(
    title="Ville de Poitiers, « Assemblée citoyenne et populaire » (pages of poitiers.fr)",
    url="https://www.poitiers.fr",
)
COURT = Source(
    title="Tribunal administratif de Poitiers, judgment on the assembly's indemnity",
    date="2025-03-13",
    note="upholds the council decision of 26 June 2023; counts 10 members in the comité",
)
COUNCIL_2023 = Source(
    title="Conseil municipal de Poitiers, decision on the indemnity of assembly members",
    date="2023-06-26",
)


def _label(fr: str, en: str) -> Localized:
    return {"fr": fr, "en": en}


@hookimpl
def city_profile() -> CityProfile:
    return CityProfile(
        slug="poitiers",
        name="Poitiers",
        assembly_name={
            "fr": "Assemblée citoyenne et populaire",
            "en": "Citizens' and People's Assembly",
        },
        country="FR",
        languages=("fr", "en"),
        timezone="Europe/Paris",
        currency="EUR",
        population=89_000,
        website="https://www.poitiers.fr",
        summary=(
            "An assembly of 100 residents drawn from addresses and open to every volunteer, "
            "which chooses one subject a year and decides an action plan over four "
            "sessions; the municipal council adopts it or puts it to a local referendum. "
            "Residents aged 16+ also hold a droit d'interpellation: 50 signatures for a "
            "meeting with elected officials, 900 for an item on the council agenda, 4,500 "
            "for a debate on a local referendum."
        ),
        sources=(CITY, COURT),
    )


@hookimpl
def panel_composition() -> PanelComposition:
    return PanelComposition(
        seats=100,
        seat_groups=(
            SeatGroup(
                "adresses",
                _label("Habitants tirés au sort", "Residents drawn from addresses"),
                seats=100,
                registry="addresses",
                selection="uniform",
                eligibility=(
                    "residents at addresses drawn by lot, visited door to door by elected "
                    "officials, agents and residents"
                ),
            ),
        ),
        registry_note="the draw is on addresses, then door-to-door visits",
        one_per_household=True,
        open_volunteers=True,
        open_volunteers_vote=True,
        minimum_age=0,
        sources=(CITY,),
    )


@hookimpl
def assembly_bodies() -> tuple[Body, ...]:
    return (
        Body(
            "groupe-propositions",
            _label("Groupe de propositions", "Proposals group"),
            purpose="works the subject between sessions; no decision power",
            seats=(
                BodySeat("member", 20, "volunteer", "volunteers among the drawn residents"),
                BodySeat("elected", 4, "appointed"),
                BodySeat("elected_opposition", 2, "appointed"),
                BodySeat("agent", 4, "appointed", "municipal agents"),
            ),
            size=30,
            decides=False,
            note="[P] the split 20 + 6 + 4 comes from the seed texts; the total of 30 is verified",
            sources=(CITY,),
        ),
        Body(
            "comite-methodologique",
            _label("Comité méthodologique", "Methodology committee"),
            purpose="organises the assembly; never deals with content",
            seats=(
                BodySeat("member", 3, "drawn", "volunteers drawn at random among the drawn"),
                BodySeat("elected", 3, "appointed"),
                BodySeat("agent", 3, "appointed"),
                BodySeat("facilitator", None, "appointed"),
            ),
            decides=False,
            note="[P] the administrative court counts 10 members",
            sources=(CITY, COURT),
        ),
    )


@hookimpl
def mandate_rules() -> MandateRules:
    return MandateRules(
        term_name=_label("édition", "edition"),
        min_months=12,
        max_months=12,
        renewal_months=12,
        sessions_per_mandate=4,
        subjects_per_mandate=1,
        subject_choice=(
            "a call for subjects, filtered on general interest and municipal competence"
        ),
        phases=(
            Phase("choix", _label("Choisir le sujet", "Choose the subject")),
            Phase("exploration", _label("Explorer", "Explore")),
            Phase("arbitrage", _label("Arbitrer", "Arbitrate")),
            Phase("plan", _label("Finaliser le plan d'action", "Finalise the action plan")),
        ),
        session_kinds=(
            SessionKind(
                "assemblee", _label("Session de l'assemblée", "Assembly session"), "session"
            ),
            SessionKind(
                "groupe",
                _label("Réunion du groupe de propositions", "Proposals group meeting"),
                "session",
            ),
            SessionKind(
                "comite",
                _label("Réunion du comité méthodologique", "Methodology committee meeting"),
                "session",
            ),
        ),
        typical_year_units=25,
        typical_year_note=(
            "[A] a member of the groupe de propositions attending every meeting reaches the "
            "25-session cap"
        ),
        sources=(CITY,),
    )


@hookimpl
def proposal_kinds() -> tuple[ProposalKind, ...]:
    return (
        ProposalKind(
            "plan-action",
            _label("Plan d'action", "Action plan"),
            description="the action plan the assembly decides at its fourth session",
            addressee="Conseil municipal de Poitiers",
            binding=True,
            binding_note=(
                "the council adopts it as a délibération, or puts it to a local referendum"
            ),
            states=(
                ProposalState("elaboration", _label("En élaboration", "Being drafted")),
                ProposalState("decide", _label("Décidé par l'assemblée", "Decided")),
                ProposalState(
                    "transmis", _label("Transmis au conseil", "Sent to the council"), sent=True
                ),
                ProposalState(
                    "referendum", _label("Soumis à référendum local", "Put to a local referendum")
                ),
                ProposalState("adopte", _label("Adopté", "Adopted"), True, "adopted"),
                ProposalState("rejete", _label("Rejeté", "Rejected"), True, "rejected"),
            ),
            initial="elaboration",
            transitions=(
                Transition("elaboration", "decide", "assembly"),
                Transition("decide", "transmis", "secretariat"),
                Transition("transmis", "adopte", "council"),
                Transition("transmis", "rejete", "council"),
                Transition("transmis", "referendum", "council"),
                Transition("referendum", "adopte", "citizens"),
                Transition("referendum", "rejete", "citizens"),
            ),
            per_mandate=1,
            sources=(CITY,),
        ),
    )


@hookimpl
def indemnity_policy() -> IndemnityPolicy:
    return IndemnityPolicy(
        rate=Decimal("41.22"),
        currency="EUR",
        unit="session",
        paid_bodies=("groupe-propositions", "comite-methodologique"),
        family_quotient_max=Decimal("1000"),
        max_units=25,
        legal_basis=(
            "council decision of 26 June 2023, upheld by the Tribunal administratif de "
            "Poitiers on 13 March 2025"
        ),
        conditions="only members of the two bodies whose family quotient is at most 1,000 €",
        sources=(COUNCIL_2023, COURT),
    )


@hookimpl
def accountability_rules() -> AccountabilityRules:
    return AccountabilityRules(
        reporter="the municipal council and its departments",
        audience="the assembly and the residents",
        citizens_in_implementation=True,
        note="citizens take part in following the implementation of the adopted plan",
        sources=(CITY,),
    )
