"""The three reference plugins encode the facts of shared/CITIES.md."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from kleroterion.city.quotas import group_quotas
from kleroterion.city.types import CityConfig
from kleroterion.plugins import load_city


@pytest.fixture(scope="module")
def paris() -> CityConfig:
    return load_city("paris").config


@pytest.fixture(scope="module")
def poitiers() -> CityConfig:
    return load_city("poitiers").config


@pytest.fixture(scope="module")
def brussels() -> CityConfig:
    return load_city("brussels").config


def test_paris_seats_recruitment_and_quotas(paris: CityConfig) -> None:
    composition = paris.composition
    assert composition.seats == 100
    assert [(g.key, g.seats, g.registry) for g in composition.seat_groups] == [
        ("liste-electorale", 80, "electoral_roll"),
        ("non-europeens", 15, "residents_card"),
        ("jeunes", 5, "residents_card"),
    ]
    roll = composition.seat_groups[0]
    assert roll.invitations == 10_000 and roll.stratify_invitations_by == "arrondissement"
    assert composition.registry_size == 1_350_000
    assert {f.key for f in composition.features} == {"gender", "age", "arrondissement", "diploma"}
    arrondissements = next(f for f in composition.features if f.key == "arrondissement")
    assert len(arrondissements.values) == 20
    quotas = {(q.feature, q.value): q for q in group_quotas(composition, roll)}
    # Nobody aged 16-17 is on the electoral roll; parity holds within one seat.
    assert (quotas["age", "16-17"].min, quotas["age", "16-17"].max) == (0, 0)
    assert (quotas["gender", "femme"].min, quotas["gender", "femme"].max) == (39, 41)
    youth = composition.seat_groups[2]
    assert (youth.minimum_age, youth.maximum_age) == (16, 17)
    assert "commissaire de justice" in composition.draw_oversight["fr"]
    assert "commissaire de justice" in composition.draw_oversight["en"]


def test_paris_powers_indemnity_and_droit_de_suite(paris: CityConfig) -> None:
    kinds = {kind.key: kind for kind in paris.proposal_kinds}
    assert set(kinds) == {"question", "voeu", "deliberation", "jury", "mission"}
    assert kinds["jury"].label["fr"] == "Jury citoyen"
    assert kinds["mission"].label["fr"] == "Mission d'information et d'évaluation citoyenne"
    assert all(
        "Conseil de Paris" in kind.addressee["fr"]
        for key, kind in kinds.items() if key in ("question", "voeu", "deliberation")
    )
    assert kinds["deliberation"].binding and not kinds["voeu"].binding
    assert {key: kind.power for key, kind in kinds.items()} == {
        "question": "consultative",
        "voeu": "council_vote",
        "deliberation": "council_vote",
        "jury": "consultative",
        "mission": "consultative",
    }
    states = [s.key for s in kinds["deliberation"].states]
    assert states[:4] == ["redige", "adopte-assemblee", "depose", "debattu"]
    assert {s.outcome for s in kinds["deliberation"].states if s.final} >= {"adopted", "rejected"}
    assert paris.indemnity.rate == Decimal("44") and paris.indemnity.unit == "half_day"
    assert paris.indemnity.paid_bodies == ()
    assert paris.accountability.report_every_months == 12
    assert paris.accountability.owner_per_measure
    assert (paris.mandate.min_months, paris.mandate.max_months) == (12, 18)


def test_poitiers_open_assembly_and_bodies(poitiers: CityConfig) -> None:
    composition = poitiers.composition
    assert composition.seats == 100 and composition.seat_groups[0].registry == "addresses"
    assert composition.open_volunteers and composition.open_volunteers_vote
    group = poitiers.body("groupe-propositions")
    counts = {seat.role: seat.count for seat in group.seats}
    assert counts == {"member": 20, "elected": 4, "elected_opposition": 2, "agent": 4}
    assert group.size == 30 and not group.decides
    committee = poitiers.body("comite-methodologique")
    roles = {seat.role: (seat.count, seat.selection) for seat in committee.seats}
    assert roles["member"] == (3, "drawn")
    assert roles["elected"][0] == 3 and roles["agent"][0] == 3
    assert roles["facilitator"][0] is None
    assert poitiers.mandate.sessions_per_mandate == 4


def test_poitiers_means_tested_indemnity(poitiers: CityConfig) -> None:
    policy = poitiers.indemnity
    assert policy.rate == Decimal("41.22") and policy.unit == "session"
    assert policy.paid_bodies == ("groupe-propositions", "comite-methodologique")
    assert policy.family_quotient_max == Decimal("1000") and policy.max_units == 25
    plan = poitiers.proposal_kind("plan-action")
    assert "referendum" in {s.key for s in plan.states}


def test_brussels_bilingual_cycle(brussels: CityConfig) -> None:
    assert brussels.profile.languages == ("fr", "nl")
    assert brussels.composition.seats == 80
    group = brussels.composition.seat_groups[0]
    assert group.invitations == 10_000 and group.stratify_invitations_by == "commune"
    commune = next(f for f in brussels.composition.features if f.key == "commune")
    assert len(commune.values) == 19
    assert brussels.mandate.next_theme_chosen_by_share == Decimal("0.25")
    assert (brussels.mandate.working_days_min, brussels.mandate.working_days_max) == (4, 6)
    kind = brussels.proposal_kind("recommandation")
    assert not kind.binding and kind.label["nl"] == "Aanbeveling"


def test_brussels_allowance_and_accountability(brussels: CityConfig) -> None:
    policy = brussels.indemnity
    assert policy.rate == Decimal("35") and policy.unit == "day" and policy.rate_is_maximum
    assert policy.annual_ceiling is not None
    assert [extra.key for extra in policy.extras] == ["garde-enfants"]
    rules = brussels.accountability
    assert [(d.months, d.by) for d in rules.response_deadlines] == [
        (3, "government"),
        (12, "government"),
    ]
    assert rules.follow_up_committee is not None
    assert rules.follow_up_committee.size == 10 and rules.follow_up_committee.formal_meetings == 2
    assert rules.justify_rejections


@pytest.mark.parametrize(
    "module", ["kleroterion_paris", "kleroterion_poitiers", "kleroterion_brussels"]
)
def test_each_plugin_cites_its_sources(module: str) -> None:
    doc = importlib.import_module(module).__doc__ or ""
    assert "Sources:" in doc
    assert "city.toml" in doc, "the facts live in the plugin's data file"


def test_each_kind_marks_the_state_in_which_the_act_reaches_its_addressee(
    paris: CityConfig, poitiers: CityConfig, brussels: CityConfig
) -> None:
    sent = {
        (config.profile.slug, kind.key): [s.key for s in kind.states if s.sent]
        for config in (paris, poitiers, brussels)
        for kind in config.proposal_kinds
    }
    assert sent == {
        ("paris", "question"): ["posee"],
        ("paris", "voeu"): ["depose"],
        ("paris", "deliberation"): ["depose"],
        ("paris", "jury"): ["convoque"],
        ("paris", "mission"): ["engagee"],
        ("poitiers", "plan-action"): ["transmis"],
        ("brussels", "recommandation"): ["transmise"],
    }


def test_decision_powers_on_the_scale(poitiers: CityConfig, brussels: CityConfig) -> None:
    """Poitiers's council adopts the action plan as it stands; Brussels only recommends."""
    assert poitiers.proposal_kind("plan-action").power == "adopted_as_proposed"
    assert brussels.proposal_kind("recommandation").power == "consultative"


def test_brussels_verdict_is_apart_from_implementation(brussels: CityConfig) -> None:
    kind = brussels.proposal_kind("recommandation")
    assert [(v.key, v.retained, v.justification) for v in kind.verdicts] == [
        ("retenue", "yes", False),
        ("partiellement-retenue", "partly", True),
        ("non-retenue", "no", True),
    ]
    assert [v.label["nl"] for v in kind.verdicts] == [
        "Weerhouden", "Gedeeltelijk weerhouden", "Niet weerhouden"]
    assert next(t for t in kind.transitions if t.target == "non-retenue").justification


def test_brussels_speaks_dutch_with_the_official_commune_names(brussels: CityConfig) -> None:
    communes = next(f for f in brussels.composition.features if f.key == "commune")
    names = {value.key: value.label["nl"] for value in communes.values}
    assert names["Ixelles"] == "Elsene" and names["Uccle"] == "Ukkel"
    assert names["Molenbeek-Saint-Jean"] == "Sint-Jans-Molenbeek"
    assert brussels.bodies[0].label["nl"] == "Opvolgingscomité"
    assert "aanbeveling" in brussels.proposal_kind("recommandation").binding_note["nl"]


def test_every_prose_field_speaks_the_assembly_languages(
    paris: CityConfig, poitiers: CityConfig, brussels: CityConfig
) -> None:
    from kleroterion.city.schemas import check_city

    for config in (paris, poitiers, brussels):
        assert check_city(config) == []
        assert set(config.profile.summary) >= set(config.profile.languages)
        assert "[A" not in str(config) and "[P]" not in str(config), "raw confidence tags"


def test_institution_facts_with_sources_and_unknowns(
    paris: CityConfig, poitiers: CityConfig, brussels: CityConfig
) -> None:
    facts = paris.institution
    assert (facts.annual_budget_min, facts.annual_budget_max) == (Decimal(40000), Decimal(50000))
    assert facts.evidence["annual_budget_min"].confidence == "approximate"
    assert "secrétaire général" in facts.staff["fr"]
    assert facts.founding_act == {} and facts.evidence["founding_act"].confidence == "unknown"
    assert poitiers.institution.annual_budget_min is None
    assert brussels.institution.follow_up_in_law is None
    for config in (paris, poitiers, brussels):
        keys = {source.key for source in config.institution.sources}
        for name, evidence in config.institution.evidence.items():
            if evidence.confidence != "unknown":
                assert evidence.source in keys, (config.profile.slug, name)
