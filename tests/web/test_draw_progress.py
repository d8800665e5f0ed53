"""The draw's progress in words: never the raw stage, never 100 % while work remains."""

from __future__ import annotations

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from kleroterion.web import draw_progress

STAGES = ["waiting", "queued", "computing", "leximin: types compiled, 0 s",
          "leximin: level 3, 41/300 fixed, 57 panels, 12 s",
          "leximin: certifying 4 levels, 1 panel, 3 s",
          "leximin: 4 levels certified, 80 panels, 9 s", "legacy", "rounding", "publishing"]


@given(st.sampled_from(STAGES) | st.text(max_size=64), st.floats(min_value=-1, max_value=2))
def test_a_running_draw_never_shows_100(stage: str, fraction: float) -> None:
    assert 0 <= draw_progress.percent(stage, fraction) <= 99


def test_the_bar_moves_forward_through_the_stages() -> None:
    shown = [draw_progress.percent("waiting", 0.0), draw_progress.percent("leximin: x", 0.5),
             draw_progress.percent("leximin: x", 1.0), draw_progress.percent("rounding", 1.0),
             draw_progress.percent("publishing", 1.0),
             draw_progress.percent("published", 1.0, "published")]
    assert shown == sorted(shown) and shown[-1] == 100 and shown[2] < shown[3] < shown[4]


@pytest.mark.parametrize(("city", "language"),
                         [("poitiers", "fr"), ("poitiers", "en"), ("brussels", "nl")])
def test_every_stage_reads_as_a_sentence(app: Flask, language: str) -> None:
    with app.test_request_context(f"/?lang={language}"):
        said = [draw_progress.stage_words(stage) for stage in STAGES]
    for stage, words in zip(STAGES, said, strict=True):
        assert words.endswith(".") and words != stage and "leximin" not in words.lower()
        assert "waiting" not in words.lower() or language == "en"
    level = said[STAGES.index("leximin: level 3, 41/300 fixed, 57 panels, 12 s")]
    assert "41" in level and "300" in level and "57" in level
