"""Paris: the Assemblée citoyenne de Paris, as the City ran it from 2021 to 2025.

The City's facts live in ``city.toml`` beside this module, with their sources and
how sure each is, so the secretariat corrects a rate or a sentence without writing
Python (docs/configuration.md describes every field). In short: 100 members aged 16
or more in three seat groups (80 voters, 15 non-EU residents, 5 aged 16-17), drawn
from 10,000 letters under quotas; promotions of 12 to 18 months renewed every year;
questions d'actualité, vœux, délibérations citoyennes, citizens' juries and citizen
information and evaluation missions; 44 € per half-day; a yearly droit de suite.

Sources: Ville de Paris, pages "Assemblée citoyenne de Paris" (paris.fr, 2021-2025);
ICPC practice group, webinar report on accountability, 17 June 2025.
"""

from __future__ import annotations

from pathlib import Path

from kleroterion.city.datafile import CityFile

CITY = CityFile(Path(__file__).with_name("city.toml"))

city_profile = CITY.city_profile
panel_composition = CITY.panel_composition
assembly_bodies = CITY.assembly_bodies
mandate_rules = CITY.mandate_rules
proposal_kinds = CITY.proposal_kinds
indemnity_policy = CITY.indemnity_policy
accountability_rules = CITY.accountability_rules
institution = CITY.institution
