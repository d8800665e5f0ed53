"""Uniform, replacement and body draws are committed before their number (issue 18).

Each is published first (its folder's digest binds the candidates, their features,
the seats, the rule and, for a stratified replacement, the quotas and the list of
panels), and only then drawn by the public number. ``kleroterion verify`` given the
digest published beforehand and the number catches the forgeries an auditor listed:
a respondent edited after publication, the number and the result rewritten together.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from kleroterion.cli import main
from kleroterion.models import Draw, Member, Respondent
from kleroterion.services import bodies, mandates, members, panel, recruitment
from kleroterion.services.context import city
from kleroterion.services.errors import InvalidInput, NotAllowed
from kleroterion.sortition.manifest import manifest_digest
from kleroterion.sortition.uniform import uniform_pick
from sqlalchemy import select

from tests.lifecycle.citydata import write_respondents

D = dt.date
Run = Callable[..., Any]


def _verify(folder: Path, digest: str, number: int) -> Any:
    return CliRunner().invoke(main, ["verify", str(folder), "--digest", digest,
                                     "--number", str(number)])


def _manifest(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return data


def _write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    manifest["digest"] = manifest_digest(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _edit_a_respondent(folder: Path) -> None:
    """A forger changes one respondent after publication and rewrites every digest."""
    path = folder / "respondents.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[1][0] = rows[1][0] + "x"  # another person in the first candidate's place
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    manifest = _manifest(folder)
    manifest["files"]["respondents.csv"] = hashlib.sha256(path.read_bytes()).hexdigest()
    _write_manifest(folder, manifest)


def _rewrite_number_and_result(folder: Path, number: int) -> None:
    """A forger records another number and the result it gives, consistently."""
    manifest = _manifest(folder)
    if manifest["format"].startswith("kleroterion-uniform"):
        rows = list(csv.DictReader(io.StringIO(
            (folder / "respondents.csv").read_text(encoding="utf-8"))))
        ids = [row["id"] for row in rows]
        homes = [row.get("household") or None for row in rows] if manifest["households"] \
            else None
        manifest["draw"] = {"number": number, "panel": [
            ids[i] for i in uniform_pick(ids, homes, manifest["seats"], number)]}
    else:
        panels = list(csv.reader(io.StringIO(
            (folder / "panels.csv").read_text(encoding="utf-8"))))[1:]
        index = number % manifest["m"]
        manifest["draw"] = {"number": number, "panel_number": index,
                            "rule": f"{number} mod {manifest['m']} = {index}",
                            "panel": [cell for cell in panels[index][1:] if cell]}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _forgeries_are_caught(folder: Path, digest: str, number: int, other: int) -> None:
    honest = _verify(folder, digest, number)
    assert honest.exit_code == 0, honest.output
    saved = {p.name: p.read_bytes() for p in folder.iterdir()}
    _rewrite_number_and_result(folder, other)
    assert _verify(folder, digest, number).exit_code != 0
    for name, content in saved.items():
        (folder / name).write_bytes(content)
    _edit_a_respondent(folder)
    assert _verify(folder, digest, number).exit_code != 0


def _poitiers(run: Run, tmp_path: Path) -> tuple[int, str]:
    config = city("poitiers").config
    seat = next(g for g in config.composition.seat_groups if g.selection == "uniform")
    path = tmp_path / "adresses.csv"
    write_respondents(path, config, seat, rows=seat.seats + 6)
    mandate = run(mandates.open_mandate, "poitiers", "2025", D(2025, 1, 1))
    run(recruitment.import_respondents, mandate.id, seat.key, path)
    return int(mandate.id), seat.key


def test_a_uniform_group_is_committed_before_its_number(run: Run, tmp_path: Path) -> None:
    mandate, group = _poitiers(run, tmp_path)
    root = tmp_path / "lotteries"
    # No number before the candidates are committed.
    with pytest.raises(NotAllowed, match="no published lottery"):
        run(panel.use_public_number, mandate, group, "99", D(2025, 1, 15), root)
    published = run(panel.open_draw, mandate, group, root)
    assert published.state == "published" and published.public_number is None
    digest = str(published.panels_digest)
    folder = root / str(published.lottery_folder)
    assert _manifest(folder).get("draw") is None  # nothing drawn yet: the commitment only
    drawn = run(panel.use_public_number, mandate, group, "99", D(2025, 1, 15), root)
    assert drawn.id == published.id and drawn.state == "chosen"
    assert drawn.panels_digest == digest  # the digest published before the number
    _forgeries_are_caught(folder, digest, 99, 100)


def test_a_committed_folder_edited_before_the_number_is_refused(run: Run,
                                                                tmp_path: Path) -> None:
    mandate, group = _poitiers(run, tmp_path)
    root = tmp_path / "lotteries"
    published = run(panel.open_draw, mandate, group, root)
    folder = root / str(published.lottery_folder)
    _edit_a_respondent(folder)
    with pytest.raises(InvalidInput, match="not the one published"):
        run(panel.choose_panel, published.id, "7", D(2025, 1, 15), root)
    assert run(lambda s: s.scalars(select(Member)).all()) == []


def _seated(run: Run, mandate: int, group: str) -> Member:
    def leaver(session: Any) -> Member:
        left = [r.features for r in session.scalars(select(Respondent).where(
            Respondent.mandate_id == mandate, Respondent.seat_group == group,
            Respondent.status.in_(("pool", "not_selected"))))]
        return next(m for m in session.scalars(select(Member).where(
            Member.mandate_id == mandate, Member.seat_group == group).order_by(Member.id))
            if m.respondent.features in left)

    found: Member = run(leaver)
    return found


def test_a_uniform_replacement_is_committed_then_drawn(run: Run, tmp_path: Path) -> None:
    mandate, group = _poitiers(run, tmp_path)
    root = tmp_path / "lotteries"
    run(panel.draw_panel, mandate, group, D(2025, 1, 15), public_number="31415", root=root)
    leaver = _seated(run, mandate, group)
    run(members.withdraw, leaver.id, D(2025, 2, 1), "moved away")
    published = run(panel.start_replacement, leaver.id, root)
    assert published.state == "published" and published.kind == "replacement"
    with pytest.raises(NotAllowed, match="already under way"):
        run(panel.start_replacement, leaver.id, root)
    new = run(panel.choose_replacement, published.id, "4242", D(2025, 2, 2), root)
    assert new.replaces_id == leaver.id
    folder = root / str(published.lottery_folder)
    _forgeries_are_caught(folder, str(published.panels_digest), 4242, 4243)


def test_a_body_draw_is_committed_then_drawn(run: Run, tmp_path: Path) -> None:
    config = city("brussels").config
    mandate = run(mandates.open_mandate, "brussels", "cycle", D(2025, 3, 1), D(2025, 5, 31))
    path = tmp_path / "panel.csv"
    write_respondents(path, config, config.composition.seat_groups[0], rows=90)
    run(recruitment.import_respondents, mandate.id, "panel", path)
    run(panel.draw_panel, mandate.id, "panel", D(2025, 2, 1), seed=2)
    root = tmp_path / "lotteries"
    published = run(bodies.draw, mandate.id, "comite-suivi", D(2025, 5, 31), root=root)
    assert published.state == "published"
    with pytest.raises(NotAllowed, match="awaits its public number"):
        run(bodies.draw, mandate.id, "comite-suivi", D(2025, 5, 31), root=root)
    chosen = run(panel.choose_draw, published.id, "4 711", D(2025, 5, 31), root)
    assert chosen.state == "chosen" and chosen.public_number == "4 711"
    folder = root / str(published.lottery_folder)
    _forgeries_are_caught(folder, str(published.panels_digest), 4711, 4712)


@pytest.mark.real_engine
def test_a_stratified_replacement_is_committed_then_drawn(run: Run, tmp_path: Path) -> None:
    config = city("paris").config
    opened = run(mandates.open_mandate, "paris", "promotion", D(2025, 9, 1), D(2026, 8, 31))
    seat = next(g for g in config.composition.seat_groups if g.key == "jeunes")
    path = tmp_path / "jeunes.csv"
    write_respondents(path, config, seat, rows=12)
    run(recruitment.import_respondents, opened.id, seat.key, path)
    root = tmp_path / "lotteries"
    run(panel.draw_panel, opened.id, seat.key, D(2025, 9, 1), public_number="17", root=root)
    leaver = _seated(run, opened.id, seat.key)
    run(members.withdraw, leaver.id, D(2025, 10, 1), "moved away")
    published = run(panel.start_replacement, leaver.id, root)
    assert published.state == "published" and published.algorithm == "leximin"
    assert _manifest(root / str(published.lottery_folder)).get("draw") is None
    run(panel.choose_draw, published.id, "77", D(2025, 10, 2), root)
    drawn = run(lambda s: s.get(Draw, published.id))
    assert drawn.state == "chosen" and drawn.inputs["panel_number"] == 77
    _forgeries_are_caught(root / str(published.lottery_folder), str(published.panels_digest),
                          77, 78)
