"""Answers are kept no longer than their city's retention: ``privacy purge --expired``.

Paris keeps an answer 24 months, Brussels 12 (``answers_retention_months`` of their
compositions, as their data files say): on one day, a Paris answer of 23 months stays
while a Brussels answer of 13 months goes; an old answer whose author sits is kept;
the purge runs whatever the draws' state, on SQLite and PostgreSQL, and from the
command line.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from kleroterion.city.dates import add_months
from kleroterion.models import Member, PersonalData, Respondent
from kleroterion.services import mandates, privacy, recruitment
from kleroterion.services.context import city
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.lifecycle.citydata import write_respondents
from tests.lifecycle.test_cli import Invoke, invoke  # noqa: F401 (a fixture)

ON = dt.date(2028, 6, 15)


def _pool(run: Any, tmp_path: Path, slug: str, rows: int) -> int:
    config = city(slug).config
    group = next(g for g in config.composition.seat_groups if g.selection != "open")
    mandate = run(mandates.open_mandate, slug, "promotion", dt.date(2026, 1, 10))
    path = tmp_path / f"{slug}.csv"
    write_respondents(path, config, group, rows=rows, prefix=slug)
    run(recruitment.import_respondents, mandate.id, group.key, path)
    return int(mandate.id)


def _age(run: Any, mandate_id: int, months: list[int]) -> list[int]:
    """Give the mandate's respondents these ages in months, in id order; their ids."""

    def change(session: Session) -> list[int]:
        rows = list(session.scalars(select(Respondent).where(
            Respondent.mandate_id == mandate_id).order_by(Respondent.id)))
        for row, age in zip(rows, months, strict=True):
            row.created_at = dt.datetime.combine(add_months(ON, -age), dt.time(9))
        return [row.id for row in rows]

    ids: list[int] = run(change)
    return ids


def _names(run: Any, ids: list[int]) -> list[str | None]:
    def read(session: Session) -> list[str | None]:
        return [session.get(PersonalData, i).name for i in ids]  # type: ignore[union-attr]

    found: list[str | None] = run(read)
    return found


def test_answers_older_than_their_city_s_retention_are_blanked(run: Any,
                                                               tmp_path: Path) -> None:
    assert city("paris").config.composition.answers_retention_months == 24
    assert city("brussels").config.composition.answers_retention_months == 12
    paris = _pool(run, tmp_path, "paris", 3)
    brussels = _pool(run, tmp_path, "brussels", 2)
    old, recent, seated = _age(run, paris, [25, 23, 30])
    gone, kept = _age(run, brussels, [13, 11])

    def seat(session: Session) -> None:
        session.add(Member(mandate_id=paris, respondent_id=seated, seat_group="liste-electorale",
                           source="drawn", seated_on=dt.date(2026, 6, 1)))

    run(seat)
    # No panel draw at all: the after-draw purge refuses, the retention does not wait.
    assert run(privacy.purge_expired, ON) == {paris: 1, brussels: 1}
    names = _names(run, [old, recent, seated, gone, kept])
    assert names[0] is None and names[3] is None
    assert all(name for name in (names[1], names[2], names[4]))

    def pseudonymous(session: Session) -> tuple[str, str | None]:
        row = session.get(Respondent, old)
        assert row is not None
        return row.external_id, row.household

    assert run(pseudonymous) == (run(lambda s: s.get(Respondent, old).public_id), None)
    assert run(privacy.purge_expired, ON) == {}  # nothing twice
    # Two months later, the recent Paris answer has passed 24 months too.
    assert run(privacy.purge_expired, add_months(ON, 2), paris) == {paris: 1}
    after = _names(run, [recent, kept])
    assert after[0] is None and after[1]


def test_the_command_purges_expired_answers(invoke: Invoke, tmp_path: Path,  # noqa: F811
                                            database_url: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # The command's day is the real one here (no KLEROTERION_TODAY), as rows are stamped.
    monkeypatch.delenv("KLEROTERION_TODAY")
    config = city("paris").config
    path = tmp_path / "paris.csv"
    write_respondents(path, config, config.composition.seat_groups[0], rows=2)
    invoke("mandate", "open", "paris", "promotion", "--start", "2026-01-10")
    invoke("respondents", "import", 1, "liste-electorale", path)
    refused = invoke("privacy", "purge", ok=False)
    assert refused.exit_code == 2 and "give MANDATE_ID, or --expired" in refused.output
    # Imported today: nothing has expired yet.
    kept = invoke("privacy", "purge", "--expired")
    assert "of 0 respondents blanked" in kept.output
    later = (dt.date.today() + dt.timedelta(days=800)).isoformat()
    done = invoke("privacy", "purge", "--expired", "--on", later)
    assert "mandate 1: personal data of 2 respondents blanked" in done.output
    log = invoke("audit", "log", "--entity", "mandate").output
    assert '"rule":"retention"' in log and '"months":24' in log
