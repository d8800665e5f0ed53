"""Brussels-Capital Region: the Assemblée citoyenne pour le climat / Burgerraad voor het klimaat.

The Region's facts live in ``city.toml`` beside this module, in French and Dutch,
with their sources and how sure each is, so the secretariat corrects a rate or a
sentence without writing Python (docs/configuration.md describes every field). In
short: one panel of 80 residents per yearly cycle, drawn in two stages from 10,000
invitations to addresses in the 19 communes; recommendations to the regional
government, which answers within 3 and 12 months and gives its verdict on each
(retained, partly retained, not retained) apart from their implementation; a
follow-up committee of 10; a volunteer allowance of at most 35 € a day.

Sources: the climate assembly's FAQ pages in French and Dutch; loi du 3 juillet 2005
relative aux droits des volontaires / wet van 3 juli 2005 betreffende de rechten van
vrijwilligers.
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
