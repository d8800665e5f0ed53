"""The panel draw as a published lottery: publish the folder, then let the public number choose.

With the real engine (exact LEXIMIN on a small pool, so ``kleroterion verify`` can
re-derive every panel): the folder the service writes verifies, an edit is caught,
the refusals change nothing, the folder holds no personal data, and a failed
publication leaves neither a draw nor a folder.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from kleroterion.city.quotas import group_quotas
from kleroterion.cli import main
from kleroterion.models import Draw, Member, PersonalData, Respondent
from kleroterion.services import audit, mandates, members, panel, recruitment
from kleroterion.services.context import city
from kleroterion.services.errors import InvalidInput, NotAllowed
from kleroterion.sortition import lottery
from kleroterion.sortition.types import Quota
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.lifecycle.citydata import write_respondents

D = dt.date
GROUP = "jeunes"  # Paris: 5 seats; 12 respondents keep exact LEXIMIN quick
pytestmark = pytest.mark.real_engine


@pytest.fixture
def mandate(run: Callable[..., Any], tmp_path: Path) -> int:
    config = city("paris").config
    opened = run(mandates.open_mandate, "paris", "promotion", D(2025, 9, 1), D(2026, 8, 31))
    seat = next(g for g in config.composition.seat_groups if g.key == GROUP)
    path = tmp_path / "jeunes.csv"
    write_respondents(path, config, seat, rows=12)
    run(recruitment.import_respondents, opened.id, GROUP, path)
    return int(opened.id)


def _count(factory: sessionmaker[Session], model: Any) -> int:
    with factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _verify(folder: Path) -> Any:
    return CliRunner().invoke(main, ["verify", str(folder)])


def test_publish_then_choose_seats_the_panel_the_number_picks(
    run: Callable[..., Any], mandate: int, tmp_path: Path, factory: sessionmaker[Session]
) -> None:
    root = tmp_path / "lotteries"
    draw = run(panel.publish_panel, mandate, GROUP, root)
    folder = root / draw.lottery_folder  # kept relative to the lottery root
    assert draw.state == "published" and draw.published_at is not None
    assert draw.lottery_folder == f"{mandate}-{GROUP}-{draw.id}" and folder.is_dir()
    manifest = json.loads((folder / lottery.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["draw"] is None
    assert draw.panels_digest == manifest["digest"]
    assert draw.inputs["list_digest"] == manifest["list_digest"] == manifest["files"]["panels.csv"]
    assert draw.inputs["files"] == manifest["files"]
    assert _count(factory, Member) == 0  # nothing seated before the number

    published = lottery.load(folder).panels
    chosen = run(panel.choose_panel, draw.id, " 4 242 ", D(2025, 9, 1), root)
    assert chosen.state == "chosen" and chosen.chosen_at >= chosen.published_at
    assert chosen.public_number == "4 242" and chosen.inputs["number"] == 4242
    with factory() as session:
        seated = sorted(m.respondent.public_id for m in session.scalars(select(Member)))
        statuses = sorted({r.status for r in session.scalars(select(Respondent))})
    assert seated == sorted(published[4242 % panel.LOTTERY_SIZE])
    assert statuses == ["not_selected", "selected"]
    report = lottery.verify(folder, digest=draw.panels_digest)
    assert report.ok, str(report)
    assert report.number == 4242 and report.panel_number == 242


def test_kleroterion_verify_passes_on_the_folder_and_catches_an_edit(
    run: Callable[..., Any], mandate: int, tmp_path: Path
) -> None:
    draw = run(panel.draw_panel, mandate, GROUP, D(2025, 9, 1), public_number="17",
               root=tmp_path / "lotteries")
    folder = tmp_path / "lotteries" / draw.lottery_folder
    result = _verify(folder)
    assert result.exit_code == 0, result.output
    assert "OK" in result.output and "17 mod 1000 = 17" in result.output
    rows = list(csv.reader((folder / lottery.PANELS).read_text(encoding="utf-8").splitlines()))
    others = [ident for row in rows[1:] for ident in row[1:] if ident not in rows[18][1:]]
    rows[18][1] = others[0]  # panel 17 gets someone else in its first seat
    (folder / lottery.PANELS).write_text("\n".join(",".join(r) for r in rows) + "\n",
                                         encoding="utf-8")
    edited = _verify(folder)
    assert edited.exit_code == 1
    assert "panels.csv" in edited.output and "DIFFERENCES FOUND" in edited.output


def test_the_one_call_draw_writes_the_same_folder_as_the_two_steps(
    run: Callable[..., Any], mandate: int, tmp_path: Path, factory: sessionmaker[Session]
) -> None:
    config = city("paris").config
    second = run(mandates.open_mandate, "paris", "promotion bis", D(2025, 9, 1), D(2026, 8, 31))
    seat = next(g for g in config.composition.seat_groups if g.key == GROUP)
    path = tmp_path / "bis.csv"
    write_respondents(path, config, seat, rows=12, prefix="b")
    run(recruitment.import_respondents, second.id, GROUP, path)
    one = run(panel.draw_panel, mandate, GROUP, D(2025, 9, 1), seed=7,
              root=tmp_path / "one")
    two = run(panel.publish_panel, second.id, GROUP, tmp_path / "two", seed=7)
    two = run(panel.choose_panel, two.id, str(one.inputs["number"]), D(2025, 9, 1),
              tmp_path / "two")
    names = sorted(p.name for p in (tmp_path / "one" / one.lottery_folder).iterdir())
    assert names == sorted(p.name for p in (tmp_path / "two" / two.lottery_folder).iterdir())
    assert names == sorted([*panel.FOLDER_FILES, audit.ANCHOR_FILE])
    assert one.public_number is None and one.seed == 7  # the seed's number, as before
    assert one.inputs["panel_number"] == two.inputs["panel_number"]
    assert lottery.verify(tmp_path / "one" / one.lottery_folder).ok


def test_the_folder_holds_no_personal_data(
    run: Callable[..., Any], mandate: int, tmp_path: Path, factory: sessionmaker[Session]
) -> None:
    draw = run(panel.publish_panel, mandate, GROUP, tmp_path / "lotteries")
    folder = tmp_path / "lotteries" / draw.lottery_folder
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(folder.iterdir()))
    with factory() as session:
        people = list(session.scalars(select(Respondent)))
        personal = list(session.scalars(select(PersonalData)))
    assert people and personal
    secrets = [p.name for p in personal] + [p.address for p in personal] + [
        p.email for p in personal] + [r.external_id for r in people] + [
        r.household for r in people if r.household]
    assert [s for s in secrets if s and s in text] == []
    header = (folder / lottery.RESPONDENTS).read_text(encoding="utf-8").splitlines()[0]
    seat = next(g for g in city("paris").config.composition.seat_groups if g.key == GROUP)
    # Paris has the household rule: an opaque number, 1, 2... or blank, never the key.
    assert header.split(",") == ["id", *dict.fromkeys(
        q.feature for q in group_quotas(city("paris").config.composition, seat)), "household"]
    rows = list(csv.DictReader(
        (folder / lottery.RESPONDENTS).read_text(encoding="utf-8").splitlines()))
    assert {row["id"] for row in rows} == {r.public_id for r in people}
    assert {row["household"] for row in rows} <= {"", *(str(n) for n in range(1, 13))}
    with factory() as session:
        assert panel.public_files(session.get(Draw, draw.id), tmp_path / "lotteries") == [  # type: ignore[arg-type]
            *(folder / name for name in panel.FOLDER_FILES), folder / audit.ANCHOR_FILE]
    (folder / "names.csv").write_text("Person jeu0001\n", encoding="utf-8")
    with factory() as session, pytest.raises(NotAllowed, match="other files"):
        panel.public_files(session.get(Draw, draw.id), tmp_path / "lotteries")  # type: ignore[arg-type]


def test_refusals_name_the_problem_and_change_nothing(
    run: Callable[..., Any], mandate: int, tmp_path: Path, factory: sessionmaker[Session]
) -> None:
    root = tmp_path / "lotteries"
    running = run(panel.start_draw, mandate, GROUP)
    with pytest.raises(NotAllowed, match="still being computed"):
        run(panel.choose_panel, running.id, "12", D(2025, 9, 1), root)
    with pytest.raises(NotAllowed, match="already running"):
        run(panel.publish_panel, mandate, GROUP, root)
    run(panel.fail_draw, running.id, "stopped by the test")
    with pytest.raises(NotAllowed, match="failed"):
        run(panel.choose_panel, running.id, "12", D(2025, 9, 1), root)

    draw = run(panel.publish_panel, mandate, GROUP, root)
    manifest = (root / draw.lottery_folder / lottery.MANIFEST).read_bytes()
    for bad in ("12a", "-3", "", "1.5"):
        with pytest.raises(InvalidInput, match="is not a whole number"):
            run(panel.choose_panel, draw.id, bad, D(2025, 9, 1), root)
    with pytest.raises(NotAllowed, match="awaits its public number"):
        run(panel.publish_panel, mandate, GROUP, root)
    with pytest.raises(InvalidInput, match="after the end of mandate"):
        run(panel.choose_panel, draw.id, "12", D(2027, 1, 1), root)
    with pytest.raises(NotAllowed, match="only a drawn panel may be final"):
        run(panel.finalize_draw, draw.id)
    assert (root / draw.lottery_folder / lottery.MANIFEST).read_bytes() == manifest
    assert _count(factory, Member) == 0

    run(panel.choose_panel, draw.id, "12", D(2025, 9, 1), root)
    with pytest.raises(NotAllowed, match="already chosen with the number 12"):
        run(panel.choose_panel, draw.id, "13", D(2025, 9, 1), root)
    assert json.loads((root / draw.lottery_folder / lottery.MANIFEST).read_text(
        encoding="utf-8"))["draw"]["number"] == 12
    assert _count(factory, Member) == 5


def test_an_edited_list_is_refused_before_anyone_is_seated(
    run: Callable[..., Any], mandate: int, tmp_path: Path, factory: sessionmaker[Session]
) -> None:
    draw = run(panel.publish_panel, mandate, GROUP, tmp_path / "lotteries")
    panels = tmp_path / "lotteries" / draw.lottery_folder / lottery.PANELS
    rows = [line.split(",") for line in panels.read_text(encoding="utf-8").splitlines()]
    outsider = next(i for row in rows[1:] for i in row[1:] if i not in rows[1][1:])
    rows[1][1] = outsider  # panel 0 gets someone else in its first seat
    panels.write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="no longer matches the published digest"):
        run(panel.choose_panel, draw.id, "0", D(2025, 9, 1), tmp_path / "lotteries")
    assert _count(factory, Member) == 0
    with factory() as session:
        assert session.get(Draw, draw.id).state == "published"  # type: ignore[union-attr]


def test_infeasible_quotas_leave_no_draw_and_no_folder(
    run: Callable[..., Any], mandate: int, tmp_path: Path, factory: sessionmaker[Session]
) -> None:
    root = tmp_path / "lotteries"
    seat = next(g for g in city("paris").config.composition.seat_groups if g.key == GROUP)
    quotas = list(group_quotas(city("paris").config.composition, seat))
    first = quotas[0]
    quotas[0] = Quota(first.feature, first.value, seat.seats, seat.seats)
    quotas[1] = Quota(quotas[1].feature, quotas[1].value, 1, seat.seats) \
        if quotas[1].feature == first.feature else quotas[1]
    with pytest.raises(panel.DrawRefused) as refused:
        run(panel.publish_panel, mandate, GROUP, root, quotas=quotas)
    assert refused.value.lines and any("→" in line for line in refused.value.lines)
    assert _count(factory, Draw) == 0
    assert not root.exists() or list(root.iterdir()) == []


def test_a_failure_after_the_folder_is_written_removes_it(
    run: Callable[..., Any], mandate: int, tmp_path: Path, factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "lotteries"

    def refuse(folder: Path, problem: Any) -> None:
        assert (folder / lottery.MANIFEST).exists()  # written, then refused
        raise InvalidInput("the folder holds something it should not")

    monkeypatch.setattr(panel, "check_folder", refuse)
    with pytest.raises(InvalidInput, match="should not"):
        run(panel.publish_panel, mandate, GROUP, root)
    assert _count(factory, Draw) == 0
    assert list(root.iterdir()) == []


def test_the_background_job_publishes_or_records_its_failure(
    run: Callable[..., Any], mandate: int, tmp_path: Path, factory: sessionmaker[Session]
) -> None:
    root = tmp_path / "lotteries"
    seat = next(g for g in city("paris").config.composition.seat_groups if g.key == GROUP)
    quotas = [Quota(q.feature, q.value, seat.seats + 1, seat.seats + 1)
              for q in group_quotas(city("paris").config.composition, seat)][:1]
    failing = run(panel.start_draw, mandate, GROUP, quotas=quotas)
    panel.run_draw(factory, failing.id, root)
    with factory() as session:
        failed = session.get(Draw, failing.id)
        assert failed is not None and failed.state == "failed" and failed.slot is None
        assert failed.message and failed.message.startswith("the draw cannot be made:")
        assert len(failed.message.splitlines()) > 1  # the engine's lines, one by one
    started = run(panel.start_draw, mandate, GROUP, time_limit=60)
    panel.run_draw(factory, started.id, root)
    with factory() as session:
        done = session.get(Draw, started.id)
        assert done is not None and done.state == "published", done.message
        assert done.progress_fraction == 1.0 and done.time_limit == 60
    assert lottery.verify(root / done.lottery_folder).ok


def test_an_interrupted_computation_shows_as_failed_and_may_start_again(
    run: Callable[..., Any], mandate: int, factory: sessionmaker[Session]
) -> None:
    started = run(panel.start_draw, mandate, GROUP)
    run(panel.expire_interrupted, mandate)
    with factory.begin() as session:
        draw = session.get(Draw, started.id)
        assert draw is not None and draw.state == "running"  # its worker is alive
        draw.heartbeat_at = draw.heartbeat_at - panel.STALE_AFTER - dt.timedelta(seconds=1)
    run(panel.expire_interrupted, mandate)
    with factory() as session:
        draw = session.get(Draw, started.id)
        assert draw is not None and draw.state == "failed" and "interrupted" in (
            draw.message or "")
    again = run(panel.start_draw, mandate, GROUP)
    assert again.state == "running" and again.id != started.id


@given(st.integers(min_value=0, max_value=10**30))
def test_any_whole_number_is_a_public_number(number: int) -> None:
    assert panel.parse_number(f" {number} ") == number


@given(st.text().filter(lambda t: not t.replace(" ", "").strip().isdigit()))
def test_anything_else_is_refused_with_what_is_accepted(text: str) -> None:
    with pytest.raises(InvalidInput, match="0 or more"):
        panel.parse_number(text)


class _CountingEngine:
    """The real engine, counted: passed to the service, no module is patched."""

    def __init__(self) -> None:
        import kleroterion.sortition as sortition

        self.engine = sortition
        self.calls: list[str] = []
        self.InfeasibleQuotas = sortition.InfeasibleQuotas

    def find_distribution(self, problem: Any, algorithm: str, **options: Any) -> Any:
        self.calls.append("find_distribution")
        return self.engine.find_distribution(problem, algorithm, **options)

    def round_distribution(self, distribution: Any, m: int = 1000) -> Any:
        self.calls.append("round_distribution")
        return self.engine.round_distribution(distribution, m=m)


def test_the_engine_is_passed_in_not_patched(
    run: Callable[..., Any], mandate: int, tmp_path: Path
) -> None:
    engine = _CountingEngine()
    root = tmp_path / "lotteries"
    draw = run(panel.draw_panel, mandate, GROUP, D(2025, 9, 1), public_number="5",
               root=root, engine=engine)
    assert engine.calls == ["find_distribution", "round_distribution"]
    assert lottery.verify(root / draw.lottery_folder, digest=draw.panels_digest, number=5).ok
    # The replacement's one-seat lottery goes through the same engine, and is published.
    with_seat = run(lambda s: next(m.id for m in s.scalars(select(Member))))
    run(members.withdraw, with_seat, D(2025, 10, 1), "moved away")
    try:
        new = run(panel.replace_member, with_seat, D(2025, 10, 2), public_number="77",
                  root=root, engine=engine)
    except InvalidInput:
        pytest.skip("no respondent left can take this seat under the quotas")
    assert engine.calls.count("find_distribution") >= 2
    replacement = run(lambda s: s.get(Draw, new.draw_id))
    folder = root / replacement.lottery_folder
    assert lottery.verify(folder, digest=replacement.panels_digest, number=77).ok
