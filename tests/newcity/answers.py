"""Answer sets for cookiecutter-city, modelled on the three reference cities.

Each answers the template's questions as a municipality like Paris, Poitiers or
Brussels would (figures from their plugins), under a slug of its own so that it
installs beside the bundled cities. ``DEFAULTS`` answers nothing: the template's
defaults.
"""

from __future__ import annotations

from typing import Any

DEFAULTS: dict[str, Any] = {}

PARIS_LIKE: dict[str, Any] = {
    "city_name": "Lutèce",
    "slug": "lutece",
    "population": 2_133_000,
    "assembly_name": "fr: Assemblée citoyenne de Lutèce | en: Lutèce Citizens' Assembly | "
    "nl: Burgerraad van Lutèce",
    "council_name": "Conseil de Lutèce",
    "executive_name": "the Mayor's executive, at the Conseil de Lutèce",
    "registry": "electoral_roll",
    "registry_size": 1_350_000,
    "invitations": 10_000,
    "seats": 100,
    "seat_groups": "electoral-roll=80@electoral_roll; non-eu-residents=15@residents_card; "
    "aged-16-17=5@residents_card",
    "criteria": "gender, age, education",
    "district_criterion": "arrondissement",
    "districts": "1er=16, 2e=21, 3e=34, 4e=28, 5e=58, 6e=40, 7e=48, 8e=35, 9e=59, 10e=84, "
    "11e=143, 12e=139, 13e=178, 14e=134, 15e=227, 16e=162, 17e=164, 18e=190, 19e=181, 20e=192",
    "term_name": "fr: promotion | en: cohort",
    "mandate_months_min": 12,
    "mandate_months_max": 18,
    "sessions_per_mandate": 18,
    "session_unit": "half_day",
    "bodies": "workshops, guarantors",
    "proposal_presets": "paris",
    "indemnity_rate": "44",
    "indemnity_unit": "half_day",
    "legal_basis": "on the model of the indemnity of trial jurors",
    "indemnity_conditions": "every member, for every half-day of work attended",
    "annual_report": True,
    "reporter": "the City departments concerned, each naming a person responsible per measure",
    "audience": "all promotions of the assembly, and the public",
    "owner_per_measure": True,
}

POITIERS_LIKE: dict[str, Any] = {
    "city_name": "Limonum",
    "slug": "limonum",
    "population": 89_000,
    "assembly_name": "fr: Assemblée citoyenne et populaire | en: Citizens' and People's Assembly",
    "council_name": "Conseil municipal de Limonum",
    "registry": "addresses",
    "invitations": 0,
    "seats": 100,
    "criteria": "",
    "minimum_age": 0,
    "open_volunteers": True,
    "term_name": "fr: édition | en: edition",
    "subject_origins": "call_for_subjects",
    "sessions_per_mandate": 4,
    "session_unit": "session",
    "bodies": "proposals-group, methodology-committee",
    "proposal_presets": "poitiers",
    "indemnity_rate": "41,22",  # a French spreadsheet's decimal comma
    "indemnity_unit": "session",
    "paid_bodies": "proposals-group, methodology-committee",
    "family_quotient_max": "1000",
    "max_units": 25,
    "legal_basis": "council decision of 26 June 2023, upheld by the administrative court",
    "indemnity_conditions": "only members of the two bodies whose family quotient is at most "
    "1,000 €",
    "annual_report": "no",
    "reporter": "the municipal council and its departments",
    "audience": "the assembly and the residents",
}

COMMUNES = (
    "Anderlecht=121, Auderghem=34, Berchem-Sainte-Agathe=25, Bruxelles=196, Etterbeek=48, "
    "Evere=43, Forest=56, Ganshoren=25, Ixelles=87, Jette=53, Koekelberg=22, "
    "Molenbeek-Saint-Jean=98, Saint-Gilles=50, Saint-Josse-ten-Noode=27, Schaerbeek=133, "
    "Uccle=84, Watermael-Boitsfort=25, Woluwe-Saint-Lambert=58, Woluwe-Saint-Pierre=42"
)

BRUSSELS_LIKE: dict[str, Any] = {
    "city_name": "Bruocsella",
    "slug": "bruocsella",
    "country": "BE",
    "languages": "fr, nl",
    "timezone": "Europe/Brussels",
    "population": 1_227_000,
    "assembly_name": "fr: Assemblée citoyenne pour le climat | nl: Burgerraad voor het klimaat "
    "| en: Citizens' Climate Assembly",
    "executive_name": "the regional government",
    "registry": "addresses",
    "invitations": 10_000,
    "seats": 80,
    "criteria": "gender, age, education, background",
    "district_criterion": "commune",
    "districts": COMMUNES,
    "term_name": "fr: cycle | nl: cyclus | en: cycle",
    "subject_origins": "previous_panel",
    "consent": "fr: J'accepte que la Région conserve ma réponse pour le tirage. | "
    "nl: Ik aanvaard dat het Gewest mijn antwoord bewaart voor de loting.",
    "replacement_months": "1",
    "personal_data_months": "12",
    "mandate_months_min": 2,
    "mandate_months_max": 3,
    "sessions_per_mandate": 6,
    "session_unit": "day",
    "bodies": "",
    "proposal_presets": "brussels",
    "indemnity_rate": "35",
    "indemnity_unit": "day",
    "rate_is_maximum": True,
    "annual_ceiling": "1626.77",
    "childcare": True,
    "legal_basis": "volunteer allowance under the Belgian law of 3 July 2005 (indexed)",
    "annual_report": False,
    "reporter": "the regional government",
    "audience": "the assembly, its follow-up committee and the public",
    "response_deadlines": "3, 12",
    "justify_rejections": True,
    "follow_up_committee_size": 10,
    "follow_up_months": 12,
    "follow_up_meetings": 2,
}

#: A city whose languages have no preset text: labels are copied, marked to translate.
BILINGUAL_SWISS: dict[str, Any] = {
    "city_name": "Biel/Bienne",
    "slug": "biel-bienne",
    "country": "CH",
    "languages": "de, fr",
    "timezone": "Europe/Zurich",
    "currency": "CHF",
    "assembly_name": "Bürgerrat Biel / Conseil citoyen de Bienne",
    "seats": 40,
    "seat_groups": "residents=36@population_register; youth=4@volunteers",
    "proposal_presets": "paris, brussels",
    "indemnity_rate": "50",
    "indemnity_unit": "session",
    "bodies": "guarantors",
    "follow_up_committee_size": 5,
    "paid_bodies": "follow-up-committee",
}

#: Long names and texts: the generated code must still hold within ruff's line length.
LONG_NAMES: dict[str, Any] = {
    "city_name": "Saint-Rémy-de-Provence-sur-la-Grande-Rivière-et-Communes-Associées-du-Val",
    "slug": "saint-remy-de-provence-sur-la-grande-riviere-et-communes-associees-du-val",
    "assembly_name": "Assemblée citoyenne permanente de Saint-Rémy-de-Provence-sur-la-Grande-"
    "Rivière-et-Communes-Associées-du-Val, tirée au sort parmi les habitants",
    "website": "https://www.example.org/" + "assemblee-citoyenne-permanente/" * 4,
    "seat_groups": "habitants-tires-au-sort-sur-la-liste-electorale-de-la-commune=40; "
    "jeunes=10@residents_card",
    "legal_basis": "délibération du conseil municipal " * 6,
    "proposal_presets": "poitiers",
}

#: The answer sets baked, installed and tested in a fresh environment.
CITIES: dict[str, tuple[str, dict[str, Any]]] = {
    "defaults": ("villeneuve-sur-mer", DEFAULTS),
    "paris-like": ("lutece", PARIS_LIKE),
    "poitiers-like": ("limonum", POITIERS_LIKE),
    "brussels-like": ("bruocsella", BRUSSELS_LIKE),
}
