"""Personal data over time: the purge keeps the reserve list's contact data until the city's
replacement deadline, a replacement after the purge (or the deadline) is refused with its
reason, and members' data are purged a city-set period after their term ends."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from kleroterion.cli import main
from kleroterion.models import Member, PersonalData, Respondent
from kleroterion.plugins import load_city
from kleroterion.services import context as service_context
from kleroterion.services import mandates, members, panel, privacy, recruitment
from kleroterion.services.context import city
from kleroterion.services.errors import NotAllowed
from sqlalchemy import func, select

from tests.lifecycle.citydata import write_respondents

D = dt.date


@pytest.fixture
def periods() -> Iterator[None]:
    """Poitiers replacing members for 3 months, and purging members 12 months after."""
    base = load_city("poitiers")
    rules = dataclasses.replace(base.config.mandate, replacement_months=3,
                                personal_data_months=12)
    previous = service_context._CITIES.pop("poitiers", None)
    service_context.use_city(dataclasses.replace(
        base, config=dataclasses.replace(base.config, mandate=rules)))
    yield
    service_context._CITIES.pop("poitiers", None)
    if previous is not None:
        service_context.use_city(previous)


def _edition(run: Any, tmp_path: Path) -> int:
    config = city("poitiers").config
    mandate = run(mandates.open_mandate, "poitiers", "édition", D(2025, 1, 1), D(2025, 12, 31))
    path = tmp_path / "r.csv"
    write_respondents(path, config, config.composition.seat_groups[0], rows=110)
    run(recruitment.import_respondents, mandate.id, "adresses", path)
    draw = run(panel.draw_panel, mandate.id, "adresses", D(2025, 1, 2), seed=1)
    run(panel.finalize_draw, draw.id)
    return int(mandate.id)


def _reserve(session: Any, mandate_id: int) -> list[tuple[str | None, Any, str, str]]:
    return [(r.personal.name, r.personal.purged_at, r.external_id, r.public_id)
            for r in session.scalars(select(Respondent).where(
                Respondent.mandate_id == mandate_id, Respondent.status == "not_selected"))]


def test_the_reserve_keeps_its_contact_data_until_the_replacement_deadline(
    run: Any, tmp_path: Path, periods: None
) -> None:
    mandate_id = _edition(run, tmp_path)
    assert run(privacy.purge, mandate_id, today=D(2025, 2, 1)) == 10
    reserve = run(_reserve, mandate_id)
    # Reachable still, but the electoral number is gone and nothing is marked purged.
    assert all(name and purged is None and external == public
               for name, purged, external, public in reserve)
    assert run(privacy.purge, mandate_id, today=D(2025, 2, 2)) == 0  # nothing more to do
    # A replacement before the deadline reaches its person.
    seated = run(members.list_members, mandate_id)
    run(members.withdraw, seated[0].id, D(2025, 2, 10), "moved")
    new = run(panel.replace_member, seated[0].id, D(2025, 2, 15), seed=3)
    assert run(lambda s: s.get(Member, new.id).respondent.personal.name)
    # After the deadline (1 April), the purge blanks the rest.
    assert run(privacy.purge, mandate_id, today=D(2025, 4, 2)) == 9
    assert all(name is None and purged for name, purged, _, _ in run(_reserve, mandate_id))


def test_a_replacement_after_the_purge_is_refused_with_its_reason(
    run: Any, tmp_path: Path, periods: None
) -> None:
    mandate_id = _edition(run, tmp_path)
    run(privacy.purge, mandate_id, today=D(2025, 4, 2))
    seated = run(members.list_members, mandate_id)
    run(members.withdraw, seated[0].id, D(2025, 3, 10), "moved")
    count = run(lambda s: s.scalar(select(func.count()).select_from(Member)))
    with pytest.raises(NotAllowed, match=r"was purged on .*can no longer be contacted"):
        run(panel.replace_member, seated[0].id, D(2025, 3, 20), seed=3)
    assert run(lambda s: s.scalar(select(func.count()).select_from(Member))) == count


def test_a_replacement_after_the_city_s_deadline_is_refused(
    run: Any, tmp_path: Path, periods: None
) -> None:
    mandate_id = _edition(run, tmp_path)
    seated = run(members.list_members, mandate_id)
    run(members.withdraw, seated[0].id, D(2025, 5, 10), "moved")
    with pytest.raises(NotAllowed, match="replaces members until 2025-04-01"):
        run(panel.replace_member, seated[0].id, D(2025, 5, 20), seed=3)


def test_members_data_are_purged_the_city_s_period_after_the_term(
    run: Any, tmp_path: Path, periods: None
) -> None:
    mandate_id = _edition(run, tmp_path)
    assert run(privacy.purge_due, today=D(2026, 12, 30)) == []  # not yet
    assert run(privacy.purge_due, today=D(2026, 12, 31)) == [(mandate_id, 110)]
    names = run(lambda s: s.scalars(select(PersonalData.name)).all())
    assert set(names) == {None}
    numbers = run(lambda s: s.execute(select(Respondent.external_id,
                                             Respondent.public_id)).all())
    assert all(external == public for external, public in numbers)
    assert run(privacy.purge_due, today=D(2027, 1, 1)) == []  # done once


@pytest.fixture
def no_period() -> Iterator[None]:
    """Poitiers as a city that set no retention period."""
    base = load_city("poitiers")
    rules = dataclasses.replace(base.config.mandate, personal_data_months=None)
    previous = service_context._CITIES.pop("poitiers", None)
    service_context.use_city(dataclasses.replace(
        base, config=dataclasses.replace(base.config, mandate=rules)))
    yield
    service_context._CITIES.pop("poitiers", None)
    if previous is not None:
        service_context.use_city(previous)


def test_a_city_without_a_period_is_left_alone(run: Any, tmp_path: Path,
                                                no_period: None) -> None:
    _edition(run, tmp_path)
    assert run(privacy.purge_due, today=D(2099, 1, 1)) == []


@pytest.mark.parametrize("slug", ["paris", "poitiers", "brussels"])
def test_every_bundled_city_sets_a_cautious_period_with_its_reason(slug: str) -> None:
    rules = load_city(slug).config.mandate
    assert rules.replacement_months is not None and 0 < rules.replacement_months < 12
    assert rules.personal_data_months is not None and 0 < rules.personal_data_months <= 24
    for name in ("replacement_months", "personal_data_months"):
        evidence = rules.evidence[name]
        assert evidence.confidence == "approximate" and evidence.source == "rgpd"
        assert evidence.note.get("fr", "").startswith("Aucun chiffre officiel")
    assert "RGPD" in rules.evidence["personal_data_months"].note["fr"]


def test_the_cli_purges_a_paris_promotion_ended_long_enough_ago(
        database_url: str, run: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Paris as bundled (no period patched in): its promotion's members are purged."""
    config = city("paris").config
    group = config.composition.seat_groups[0]
    mandate = run(mandates.open_mandate, "paris", "promotion 2024", D(2024, 7, 1),
                  D(2025, 6, 30))
    path = tmp_path / "paris.csv"
    write_respondents(path, config, group, rows=group.seats + 30)
    run(recruitment.import_respondents, mandate.id, group.key, path)
    draw = run(panel.draw_panel, mandate.id, group.key, D(2024, 6, 1), seed=1)
    run(panel.finalize_draw, draw.id)
    assert run(privacy.purge_due, today=D(2026, 6, 29)) == []  # not a year yet
    monkeypatch.setenv("KLEROTERION_DATABASE_URL", database_url)
    result = CliRunner().invoke(main, ["privacy", "purge", "--due"])
    assert result.exit_code == 0, result.output
    assert f"mandate {mandate.id}: personal data of {group.seats + 30} people blanked" \
        in result.output
    names = run(lambda s: s.scalars(select(PersonalData.name).join(Respondent).where(
        Respondent.mandate_id == mandate.id)).all())
    assert names and set(names) == {None}


def test_the_cli_purges_what_is_due(database_url: str, run: Any, tmp_path: Path,
                                    periods: None, monkeypatch: pytest.MonkeyPatch) -> None:
    mandate_id = _edition(run, tmp_path)
    monkeypatch.setenv("KLEROTERION_DATABASE_URL", database_url)
    runner = CliRunner()
    result = runner.invoke(main, ["privacy", "purge", "--due"])
    assert result.exit_code == 0, result.output
    assert f"mandate {mandate_id}: personal data of 110 people blanked" in result.output
    both = runner.invoke(main, ["privacy", "purge", str(mandate_id), "--due"])
    assert both.exit_code != 0 and "not both" in both.output
