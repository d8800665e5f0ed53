"""A mandate's own quotas: validated by one service, audited, and met by the panel draw.

Paris's 16-17 group (``jeunes``): 5 seats, one criterion (gender), the city's bounds
``femme`` 2-4 and ``homme`` 1-3.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from kleroterion.cli import main
from kleroterion.models import AuditEntry, Draw, Mandate, MandateQuota, Member, Respondent
from kleroterion.services import (
    mandates,
    members,
    panel,
    quotas,
    recruitment,
    statement_export,
)
from kleroterion.services.context import city
from kleroterion.services.errors import InvalidInput, NotAllowed
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.lifecycle.citydata import write_respondents

D = dt.date
GROUP = "jeunes"
SEATS = 5
CITY = {("gender", "femme"): (2, 4), ("gender", "homme"): (1, 3)}


def _group() -> Any:
    config = city("paris").config
    return next(g for g in config.composition.seat_groups if g.key == GROUP)


@pytest.fixture
def mandate(run: Callable[..., Any], tmp_path: Path) -> int:
    opened = run(mandates.open_mandate, "paris", "promotion", D(2025, 9, 1), D(2026, 8, 31))
    path = tmp_path / "jeunes.csv"
    write_respondents(path, city("paris").config, _group(), rows=12)
    run(recruitment.import_respondents, opened.id, GROUP, path)
    return int(opened.id)


def _bounds(factory: sessionmaker[Session], mandate: int) -> dict[tuple[str, str], tuple[int, int]]:
    with factory() as session:
        found = quotas.quotas_for(session, session.get(Mandate, mandate), _group())
        return {(q.feature, q.value): (q.min, q.max) for q in found}


def _audit(factory: sessionmaker[Session], action: str) -> list[dict[str, Any]]:
    with factory() as session:
        return [json.loads(e.data) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq))]


# --------------------------------------------------------------------------- validation


def _expected_ok(bounds: dict[tuple[str, str], tuple[int, int]]) -> bool:
    each = all(0 <= low <= high <= SEATS for low, high in bounds.values())
    lows = sum(low for low, _ in bounds.values())
    highs = sum(high for _, high in bounds.values())
    return each and lows <= SEATS and highs >= SEATS


BOUND = st.tuples(st.integers(-3, 8), st.integers(-3, 8))


@settings(deadline=None)  # a shared, loaded machine: no timing in unit tests
@given(femme=BOUND, homme=st.none() | BOUND)
def test_validate_accepts_exactly_the_bounds_a_panel_can_meet(
    femme: tuple[int, int], homme: tuple[int, int] | None
) -> None:
    group = _group()
    base = quotas.group_quotas(city("paris").config.composition, group)
    given_bounds = {("gender", "femme"): femme}
    if homme is not None:
        given_bounds[("gender", "homme")] = homme
    whole = {**CITY, **given_bounds}
    features = city("paris").config.composition.features
    if _expected_ok(whole):
        assert quotas.validate(group, base, given_bounds, features) == whole
    else:
        with pytest.raises(InvalidInput) as refused:
            quotas.validate(group, base, given_bounds, features)
        message = str(refused.value)
        assert "Gender" in message  # the criterion is named, with the bound or the sum
        assert "gender" not in message and "femme" not in message  # by labels, not keys
        numbers = {str(n) for bound in given_bounds.values() for n in bound}
        assert any(n in message for n in numbers) or "add up" in message


def test_unknown_criterion_and_value_are_named() -> None:
    group = _group()
    base = quotas.group_quotas(city("paris").config.composition, group)
    with pytest.raises(InvalidInput, match="no criterion 'age'; its criteria are gender"):
        quotas.validate(group, base, {("age", "16"): (0, 1)})
    with pytest.raises(InvalidInput, match="no value 'autre'; its values are femme, homme"):
        quotas.validate(group, base, {("gender", "autre"): (0, 1)})


def test_a_refusal_names_criteria_and_values_by_the_city_s_labels_in_french() -> None:
    group = _group()
    config = city("paris").config
    base = quotas.group_quotas(config.composition, group)
    french = statement_export.catalog("fr")
    with pytest.raises(InvalidInput) as refused:
        quotas.validate(group, base, {("gender", "femme"): (4, 3)}, config.composition.features)
    said = refused.value.translated(french, "fr")
    assert said == "Genre « Femme » : le minimum 4 est supérieur au maximum 3"
    with pytest.raises(InvalidInput) as refused:
        quotas.validate(group, base, {("gender", "femme"): (4, 4), ("gender", "homme"): (2, 3)},
                        config.composition.features)
    said = refused.value.translated(french, "fr")
    assert said.startswith("Genre : la somme des minimums est de 6, supérieure aux 5 sièges "
                           "du collège « Collège des 16-17 ans »")
    assert "gender" not in said and "jeunes" not in said


# --------------------------------------------------------------------------- set, reset, audit


def test_set_stores_only_what_differs_and_audits_old_and_new(
    run: Callable[..., Any], mandate: int, factory: sessionmaker[Session]
) -> None:
    run(quotas.set_quotas, mandate, GROUP, {("gender", "femme"): (3, 4),
                                            ("gender", "homme"): (1, 3)})
    assert _bounds(factory, mandate) == {**CITY, ("gender", "femme"): (3, 4)}
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(MandateQuota)) == 1
    [entry] = _audit(factory, "quotas.set")
    assert entry["seat_group"] == GROUP
    assert entry["changes"] == [["gender", "femme", [2, 4], [3, 4]]]
    run(quotas.reset_quotas, mandate, GROUP)
    assert _bounds(factory, mandate) == CITY
    [reset] = _audit(factory, "quotas.reset")
    assert reset["changes"] == [["gender", "femme", [3, 4], [2, 4]]]


@pytest.mark.parametrize(("bounds", "match"), [
    ({("gender", "femme"): (5, 5)}, "minimums add up to 6"),
    ({("gender", "femme"): (3, 2)}, "minimum 3 is above the maximum 2"),
    ({("gender", "femme"): (0, 9)}, "maximum 9 is above the 5 seats"),
    ({("gender", "femme"): (-1, 2)}, "minimum -1 is below 0"),
])
def test_a_refused_change_changes_nothing(
    run: Callable[..., Any], mandate: int, factory: sessionmaker[Session],
    bounds: dict[tuple[str, str], tuple[int, int]], match: str,
) -> None:
    run(quotas.set_quotas, mandate, GROUP, {("gender", "homme"): (0, 3)})
    # A valid bound given with a refused one is not kept either.
    with pytest.raises(InvalidInput, match=match):
        run(quotas.set_quotas, mandate, GROUP, {("gender", "homme"): (1, 2), **bounds})
    assert _bounds(factory, mandate) == {**CITY, ("gender", "homme"): (0, 3)}
    assert len(_audit(factory, "quotas.set")) == 1


def test_a_group_without_quotas_is_refused(run: Callable[..., Any]) -> None:
    opened = run(mandates.open_mandate, "poitiers", "édition 2025", D(2025, 9, 1))
    groups = city("poitiers").config.composition.seat_groups
    plain = [g for g in groups if g.selection != "stratified"]
    if not plain:
        pytest.skip("Poitiers draws every group under quotas")
    with pytest.raises(NotAllowed, match="without quotas"):
        run(quotas.set_quotas, opened.id, plain[0].key, {})


# --------------------------------------------------------------------------- relaxation


def _failed(factory: sessionmaker[Session], mandate: int, message: str) -> int:
    with factory.begin() as session:
        draw = Draw(mandate_id=mandate, kind="panel", seat_group=GROUP, algorithm="leximin",
                    seats=SEATS, inputs={}, final=False, state="failed", message=message)
        session.add(draw)
        session.flush()
        return int(draw.id)


def test_the_advice_is_applied_in_one_call_and_audited(
    run: Callable[..., Any], mandate: int, factory: sessionmaker[Session]
) -> None:
    draw = _failed(factory, mandate, "the draw cannot be made:\nThe quotas cannot all be met; "
                   "the smallest change that makes them feasible:\ngender/femme: minimum 2 → 1\n"
                   "gender/homme: maximum 3 → 4")
    run(quotas.apply_relaxation, mandate, GROUP)
    assert _bounds(factory, mandate) == {("gender", "femme"): (1, 4), ("gender", "homme"): (1, 4)}
    [entry] = _audit(factory, "quotas.relax")
    assert entry["draw"] == draw
    assert entry["changes"] == [["gender", "femme", [2, 4], [1, 4]],
                                ["gender", "homme", [1, 3], [1, 4]]]


def test_no_advice_to_apply_is_refused(
    run: Callable[..., Any], mandate: int, factory: sessionmaker[Session]
) -> None:
    with pytest.raises(NotAllowed, match="gives no advice"):
        run(quotas.apply_relaxation, mandate, GROUP)
    _failed(factory, mandate, "the computation was interrupted")
    with pytest.raises(NotAllowed, match="gives no advice"):
        run(quotas.apply_relaxation, mandate, GROUP)
    assert _bounds(factory, mandate) == CITY


# --------------------------------------------------------------------------- the draw


def test_the_draw_meets_the_mandates_quotas(
    run: Callable[..., Any], mandate: int, factory: sessionmaker[Session]
) -> None:
    run(quotas.set_quotas, mandate, GROUP, {("gender", "femme"): (3, 3),
                                            ("gender", "homme"): (2, 2)})
    draw = run(panel.start_draw, mandate, GROUP)
    assert draw.inputs["quotas"] == [["gender", "femme", 3, 3], ["gender", "homme", 2, 2]]


# --------------------------------------------------------------------------- the CLI


def test_cli_shows_sets_refuses_and_resets(
    mandate: int, database_url: str, monkeypatch: pytest.MonkeyPatch,
    factory: sessionmaker[Session],
) -> None:
    monkeypatch.setenv("KLEROTERION_DATABASE_URL", database_url)
    runner = CliRunner()

    def call(*args: object) -> Any:
        return runner.invoke(main, ["mandate", "quotas", *map(str, args)],
                             catch_exceptions=False)

    shown = call("show", mandate, GROUP)
    assert shown.exit_code == 0
    assert shown.output.splitlines() == ["gender/femme\t2\t4\tcity", "gender/homme\t1\t3\tcity"]
    done = call("set", mandate, GROUP, "gender/femme=3:4")
    assert done.exit_code == 0, done.output
    assert "gender/femme\t3\t4\tmandate" in done.output
    refused = call("set", mandate, GROUP, "gender/homme=0:0", "gender/femme=4:4")
    assert refused.exit_code == 1
    assert "Gender: the maximums add up to 4" in refused.output
    bad = call("set", mandate, GROUP, "gender=2")
    assert bad.exit_code == 2 and "CRITERION/VALUE=MIN:MAX" in bad.output
    assert _bounds(factory, mandate) == {**CITY, ("gender", "femme"): (3, 4)}
    assert call("reset", mandate, GROUP).exit_code == 0
    assert _bounds(factory, mandate) == CITY


@pytest.mark.real_engine
@pytest.mark.parametrize("same", [True, False])
def test_a_replacement_meets_the_mandates_quotas(
    run: Callable[..., Any], mandate: int, tmp_path: Path, same: bool
) -> None:
    root = tmp_path / "lotteries"
    run(panel.draw_panel, mandate, GROUP, D(2025, 9, 1), public_number="5", root=root)
    seated = run(lambda s: [(m.id, m.respondent.features["gender"])
                            for m in s.scalars(select(Member))])
    leaving, gender = seated[0]
    run(members.withdraw, leaving, D(2025, 10, 1), "moved away")
    stay = Counter(g for _, g in seated[1:])
    # Only a respondent of one gender (the leaving member's, or the other) can take the seat.
    other = "homme" if gender == "femme" else "femme"
    wanted, unwanted = (gender, other) if same else (other, gender)
    run(quotas.set_quotas, mandate, GROUP, {("gender", wanted): (stay[wanted] + 1,) * 2,
                                            ("gender", unwanted): (stay[unwanted],) * 2})
    try:
        new = run(panel.replace_member, leaving, D(2025, 10, 2), public_number="77", root=root)
    except InvalidInput:
        # Refused only when nobody of that gender is left to draw from.
        left = run(lambda s: [r.features["gender"] for r in s.scalars(select(Respondent).where(
            Respondent.mandate_id == mandate,
            Respondent.status.in_(("pool", "not_selected"))))])
        assert wanted not in left
        return
    assert run(lambda s: s.get(Member, new.id).respondent.features["gender"]) == wanted
