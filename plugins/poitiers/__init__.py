"""Poitiers: the Assemblée citoyenne et populaire.

The City's facts live in ``city.toml`` beside this module, with their sources and
how sure each is, so the secretariat corrects a rate or a sentence without writing
Python (docs/configuration.md describes every field). In short: 100 residents drawn
from addresses plus every volunteer, all voting; a groupe de propositions of 30 and
a comité méthodologique; one subject a year over 4 sessions; an action plan the
municipal council adopts or puts to a local referendum; 41.22 € per session for the
two bodies' members under a means test, up to 25 sessions.

Sources: Ville de Poitiers, pages of the Assemblée citoyenne et populaire;
Conseil municipal, decision of 26 June 2023; Tribunal administratif de Poitiers,
judgment of 13 March 2025.
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
