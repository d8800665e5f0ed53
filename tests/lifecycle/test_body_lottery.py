"""A body's drawn seats are a published uniform lottery too (issue 18: every draw published)."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path
from typing import Any

from kleroterion.services import bodies, mandates, members, panel, recruitment
from kleroterion.services.context import city
from kleroterion.sortition.uniform import uniform_pick, verify_uniform

from tests.lifecycle.citydata import write_respondents

D = dt.date


def test_a_body_draw_publishes_a_folder_that_verifies(run: Any, tmp_path: Path) -> None:
    config = city("brussels").config
    mandate = run(mandates.open_mandate, "brussels", "cycle", D(2025, 3, 1), D(2025, 5, 31))
    path = tmp_path / "panel.csv"
    write_respondents(path, config, config.composition.seat_groups[0], rows=90)
    run(recruitment.import_respondents, mandate.id, "panel", path)
    run(panel.draw_panel, mandate.id, "panel", D(2025, 2, 1), seed=2)
    root = tmp_path / "lotteries"
    committee = run(bodies.draw, mandate.id, "comite-suivi", D(2025, 5, 31),
                    public_number="4 711", root=root)
    folder = root / committee.lottery_folder
    assert committee.lottery_folder == f"{mandate.id}-comite-suivi-{committee.id}"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    report = verify_uniform(folder, digest=committee.panels_digest, number=4711)
    assert report.ok, str(report)
    # The members seated are the ones the rule draws from the published candidates.
    seated = run(lambda s: sorted(m.public_id for m in members.list_members(s, mandate.id)))
    candidates = committee.inputs["candidates"]
    assert set(candidates) <= set(seated)
    drawn = [candidates[i] for i in uniform_pick(candidates, None, committee.seats, 4711)]
    assert report.panel == drawn
    # Another number in the folder is caught.
    assert not verify_uniform(folder, digest=committee.panels_digest, number=4712).ok
