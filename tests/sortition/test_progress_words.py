"""Progress in words for every draw the CLI runs (issue 18): the engine's levels and panels,
then the rounding and the publishing, for one draw and for seat groups, joint or separate.

The joint 80/15/5 draw used to run for minutes with nothing on screen: ``select_groups``
passed no progress to the engine, and a stage that came after the engine's 100 % (the
rounding, the publishing) never replaced the bar's last label.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import kleroterion.sortition as engine
import pytest
from click.testing import CliRunner
from kleroterion.cli import main, terminal
from kleroterion.services.selection import select_groups, select_one
from kleroterion.sortition import InfeasibleQuotas
from kleroterion.sortition.types import Problem

from tests.sortition.builders import make_problem

ROWS_A = [("f", "jeune"), ("h", "vieux"), ("f", "vieux"), ("h", "jeune"), ("f", "moyen"),
          ("h", "moyen")]
ROWS_B = [("f", "jeune"), ("h", "jeune"), ("h", "vieux"), ("f", "vieux")]


def _problems() -> dict[str, Problem]:
    return {
        "roll": make_problem(ROWS_A, [("genre", "f", 1, 2), ("genre", "h", 1, 2),
                                      ("age", "jeune", 0, 2), ("age", "moyen", 0, 2),
                                      ("age", "vieux", 0, 2)], 3),
        "young": make_problem(ROWS_B, [("genre", "f", 0, 2), ("genre", "h", 0, 2),
                                       ("age", "jeune", 1, 1), ("age", "vieux", 1, 1)], 2),
    }


def _recorder() -> tuple[list[tuple[str, float]], Callable[[str, float], None]]:
    heard: list[tuple[str, float]] = []
    return heard, lambda stage, fraction: heard.append((stage, fraction))


def _never_backwards(heard: list[tuple[str, float]]) -> None:
    fractions = [f for _, f in heard]
    assert fractions == sorted(fractions), fractions
    assert all(0.0 <= f <= 1.0 for f in fractions)


@pytest.mark.parametrize("joint", [True, False])
def test_seat_groups_tell_the_engine_words_then_rounding_and_publishing(
        tmp_path: Path, joint: bool) -> None:
    heard, progress = _recorder()
    select_groups(engine, _problems(), "leximin", joint=joint, seed=1, m=50,
                  out=tmp_path / "lottery", infeasible=InfeasibleQuotas, progress=progress)
    stages = [stage for stage, _ in heard]
    engine_words = stages[:-2]
    assert stages[-2:] == ["rounding", "publishing"]
    assert any("panels" in s for s in engine_words) and any("levels" in s for s in engine_words)
    assert all("leximin" in s for s in engine_words)
    if joint:
        assert not any(s.startswith(("roll:", "young:")) for s in engine_words)
    else:  # one group after the other, each named, the bar shared between them
        assert {s.split(":")[0] for s in engine_words} == {"roll", "young"}
        assert max(f for s, f in heard if s.startswith("roll:")) <= 0.5
        assert stages.index(next(s for s in stages if s.startswith("young:"))) > max(
            i for i, s in enumerate(stages) if s.startswith("roll:"))
    _never_backwards(heard)


def test_seat_groups_without_a_lottery_tell_only_the_engine() -> None:
    heard, progress = _recorder()
    select_groups(engine, _problems(), "leximin", joint=True, seed=1,
                  infeasible=InfeasibleQuotas, progress=progress)
    assert heard and not {"rounding", "publishing"} & {s for s, _ in heard}


def test_one_draw_tells_the_publishing(tmp_path: Path) -> None:
    heard, progress = _recorder()
    select_one(engine, _problems()["roll"], "leximin", seed=1, m=50, out=tmp_path / "lottery",
               progress=progress)
    assert [s for s, _ in heard][-2:] == ["rounding", "publishing"]
    _never_backwards(heard)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_shows_a_stage_that_comes_after_100_percent(
        monkeypatch: pytest.MonkeyPatch) -> None:
    screen = _Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    with terminal.progress_bar("leximin") as update:
        update("leximin: 3 levels certified, 12 panels, 0 s", 1.0)
        update("rounding", 1.0)
        update("publishing", 1.0)
    shown = screen.getvalue()
    assert "12 panels" in shown
    assert shown.index("rounding") < shown.index("publishing")


def test_select_with_seat_groups_shows_progress(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    heard: list[str] = []

    @contextlib.contextmanager
    def recording(label: str) -> Iterator[Callable[[str, float], None]]:
        yield lambda stage, fraction: heard.append(stage)

    monkeypatch.setattr("kleroterion.cli.select_groups.progress_bar", recording)
    quotas = tmp_path / "quotas.csv"
    quotas.write_text("feature,value,min,max,group\ngenre,f,1,2,a\ngenre,h,1,2,a\n"
                      "genre,f,1,1,b\ngenre,h,1,1,b\n", encoding="utf-8")
    respondents = tmp_path / "respondents.csv"
    respondents.write_text("id,grp,genre\na1,a,f\na2,a,h\na3,a,f\na4,a,h\nb1,b,f\nb2,b,h\n"
                           "b3,b,h\n", encoding="utf-8")
    result = CliRunner().invoke(main, [
        "select", "--respondents", str(respondents), "--quotas", str(quotas),
        "--group-column", "grp", "--seats", "a=2,b=2", "--joint", "--seed", "3",
        "--out", str(tmp_path / "lottery")])
    assert result.exit_code == 0, result.output
    assert any("levels" in s for s in heard)
    assert heard[-2:] == ["rounding", "publishing"]
