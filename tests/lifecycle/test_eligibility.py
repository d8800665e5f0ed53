"""The ``seat_group_eligibility`` hook decides who a seat group's draws are made among.

A city plugin that answers it (here Poitiers with one more rule: nobody whose
pseudonymous id ends in a digit) sees its answer take effect in the panel draw and in the
replacement draw: the refused respondents are no candidates, and nobody refused is
ever drawn.
"""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from kleroterion import hookimpl, hookspecs
from kleroterion.city.behaviour import Candidate
from kleroterion.city.types import CityConfig, SeatGroup
from kleroterion.models import Draw, Member, Respondent
from kleroterion.plugins import Plugin, discover, load_city
from kleroterion.services import context as service_context
from kleroterion.services import mandates, members, panel, recruitment
from kleroterion.services.context import city
from sqlalchemy import select

from tests.lifecycle.citydata import write_respondents

D = dt.date


@hookimpl
def seat_group_eligibility(city: CityConfig, group: SeatGroup, candidate: Candidate) -> str:
    return "refused by the test city" if _refused(candidate.respondent) else ""


def _refused(public_id: str) -> bool:
    return public_id[-1].isdigit()


@pytest.fixture
def strict_poitiers() -> Iterator[None]:
    """Poitiers whose own plugin also answers ``seat_group_eligibility``."""
    plugins = discover()
    original = next(p for p in plugins if p.is_city and p.name == "poitiers")
    answers = {name: getattr(original.obj, name)
               for name in (*hookspecs.CONFIG_HOOKS, *hookspecs.BEHAVIOUR_HOOKS)
               if hasattr(original.obj, name)}
    answers["seat_group_eligibility"] = seat_group_eligibility
    strict = Plugin(name="poitiers", obj=types.SimpleNamespace(**answers))
    previous = service_context._CITIES.pop("poitiers", None)
    service_context.use_city(load_city(
        "poitiers", plugins=[strict if p is original else p for p in plugins]))
    yield
    service_context._CITIES.pop("poitiers", None)
    if previous is not None:
        service_context.use_city(previous)


def test_the_city_hook_decides_who_is_drawn(run: Callable[..., Any], tmp_path: Path,
                                            strict_poitiers: None) -> None:
    config = city("poitiers").config
    seat = next(g for g in config.composition.seat_groups if g.selection == "uniform")
    path = tmp_path / "adresses.csv"
    write_respondents(path, config, seat, rows=seat.seats * 2)  # about 3 in 10 refused
    mandate = run(mandates.open_mandate, "poitiers", "2025", D(2025, 1, 1))
    run(recruitment.import_respondents, mandate.id, seat.key, path)
    ids = set(run(lambda s: list(s.scalars(select(Respondent.public_id)))))
    refused = {i for i in ids if _refused(i)}
    assert refused and len(ids - refused) > seat.seats
    root = tmp_path / "lotteries"
    draw = run(panel.draw_panel, mandate.id, seat.key, D(2025, 1, 15), public_number="5",
               root=root)

    def candidates(session: Any, draw_id: int) -> tuple[set[str], set[str]]:
        found = session.get(Draw, draw_id)
        people = {e.respondent_id: session.get(Respondent, e.respondent_id).public_id
                  for e in found.entries}
        return (set(people.values()),
                {people[e.respondent_id] for e in found.entries if e.selected})

    listed, drawn = run(candidates, draw.id)
    assert listed == ids - refused and drawn and not drawn & refused
    assert draw.inputs["respondents"] == len(ids) - len(refused)

    leaver = run(lambda s: s.scalars(select(Member).order_by(Member.id)).first())
    run(members.withdraw, leaver.id, D(2025, 2, 1), "moved away")
    replacement = run(panel.start_replacement, leaver.id, root)
    listed, _ = run(candidates, replacement.id)
    assert listed and not listed & refused


def test_the_core_default_keeps_the_group_ages(run: Callable[..., Any],
                                               tmp_path: Path) -> None:
    """Without a city's answer, the default hook keeps Paris's 16-17 group to its ages."""
    config = city("paris").config
    seat = next(g for g in config.composition.seat_groups if g.key == "jeunes")
    path = tmp_path / "jeunes.csv"
    write_respondents(path, config, seat, rows=12)
    text = path.read_text(encoding="utf-8").splitlines()
    # Two respondents born too early for the group: they are not drawn among.
    text[1] = text[1].replace("2009-03-01", "1990-03-01")
    text[2] = text[2].replace("2009-03-01", "1990-03-01")
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    mandate = run(mandates.open_mandate, "paris", "promotion", D(2025, 9, 1), D(2026, 8, 31))
    run(recruitment.import_respondents, mandate.id, seat.key, path)
    pool = run(lambda s: panel.pool_of(s, s.get(type(mandate), mandate.id), seat))
    assert len(pool) == 10
