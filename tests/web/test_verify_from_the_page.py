"""A resident verifies a draw from the public page's instructions alone (issue 18).

The page says which archive to install (the source the instance serves, AGPL-3.0
section 13) and, for each draw, which folder to download and which command to run.
These tests follow exactly that: a fresh virtual environment that installs only the
served archive (its dependencies, highspy among them, from the package index), the
folders downloaded through the page's links, the commands copied from the page. A
uniform draw (Poitiers), a uniform replacement and a stratified (LEXIMIN) replacement
(Paris) are verified.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kleroterion.db import session_scope, upgrade
from kleroterion.models import Draw, Member, Respondent
from kleroterion.services import mandates as mandate_service
from kleroterion.services import members, panel, recruitment
from kleroterion.services.context import city as city_of
from kleroterion.web.database import database_url
from sqlalchemy import select

from tests.lifecycle.citydata import write_respondents

from .test_panel_draw import _factory

pytestmark = pytest.mark.slow
_VENV: dict[str, Path] = {}


def _served_venv(client: FlaskClient, page: str, work: Path) -> Path:
    """A fresh venv with only what the page says to install (made once per test run)."""
    match = re.search(r"<code>pip install (http://localhost(/source/[^<\s]+\.tar\.gz))</code>",
                      page)
    assert match, "the page gives no archive to install"
    if "venv" in _VENV:
        return _VENV["venv"]
    archive = work / match.group(2).rsplit("/", 1)[1]
    download = client.get(match.group(2))
    assert download.status_code == 200
    archive.write_bytes(download.data)
    venv = work / "resident-venv"
    created = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True)
    if created.returncode != 0:
        pytest.skip(f"no venv here: {created.stderr.decode()[-200:]}")
    pip = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(archive)],
                         capture_output=True, text=True, timeout=900)
    if pip.returncode != 0:
        pytest.skip("pip cannot install the served archive's dependencies here (no network "
                    f"or index): {pip.stderr[-300:]}")
    _VENV["venv"] = venv
    return venv


def _check_every_draw_of(client: FlaskClient, work: Path, expected: int) -> list[str]:
    """Download every folder the page links to and run the page's command on it."""
    page = client.get("/draw?lang=en").get_data(as_text=True)
    venv = _served_venv(client, page, work)
    links = re.findall(r'href="(/draw/\d+/lottery\.zip)"', page)
    commands = [html.unescape(c) for c in
                re.findall(r"<pre><code>(kleroterion verify [^<]+)</code></pre>", page)]
    commands = [c for c in commands if "LOTTERY-FOLDER" not in c]
    assert len(links) == len(commands) == expected, (links, commands)
    outputs = []
    for link, command in zip(links, commands, strict=True):
        download = client.get(link)
        assert download.status_code == 200
        with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
            archive.extractall(work / "downloads")
        words = command.split()
        assert words[:2] == ["kleroterion", "verify"] and "--digest" in words
        assert "--number" in words
        result = subprocess.run([str(venv / "bin" / "kleroterion"), *words[1:]],
                                cwd=work / "downloads", capture_output=True, text=True,
                                timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.startswith("OK")
        assert "whose digest was published" in result.stdout
        outputs.append(result.stdout)
    return outputs


def _replace_one(app: Flask, mandate_id: int, group: str, on: dt.date) -> None:
    root = Path(app.config["KLEROTERION_LOTTERY_ROOT"])
    with session_scope(_factory(app), actor="test") as session:
        left = [r.features for r in session.scalars(select(Respondent).where(
            Respondent.mandate_id == mandate_id, Respondent.seat_group == group,
            Respondent.status.in_(("pool", "not_selected"))))]
        # Someone a respondent left can replace under the quotas: one of the same profile.
        leaver = next(m for m in session.scalars(select(Member).where(
            Member.mandate_id == mandate_id, Member.seat_group == group))
            if m.respondent.features in left)
        members.withdraw(session, leaver.id, on, "moved away")
        panel.replace_member(session, leaver.id, on, public_number="7 777", root=root)


@pytest.mark.parametrize("city", ["poitiers"])
def test_a_uniform_draw_and_its_replacement_verify_from_the_page(
    client: FlaskClient, app: Flask, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    upgrade(database_url(app))
    app.config["KLEROTERION_LOTTERY_ROOT"] = str(tmp_path / "lotteries")
    config = city_of("poitiers").config
    seat = next(g for g in config.composition.seat_groups if g.selection == "uniform")
    path = tmp_path / "adresses.csv"
    write_respondents(path, config, seat, rows=seat.seats + 6)
    with session_scope(_factory(app), actor="test") as session:
        mandate = mandate_service.open_mandate(session, "poitiers", "2025", dt.date(2025, 1, 1))
        recruitment.import_respondents(session, mandate.id, seat.key, path)
        panel.draw_panel(session, mandate.id, seat.key, dt.date(2025, 1, 15),
                         public_number="31 415", root=tmp_path / "lotteries")
        mandate_id = mandate.id
    _replace_one(app, mandate_id, seat.key, dt.date(2025, 2, 1))
    outputs = _check_every_draw_of(client, tmp_path_factory.mktemp("resident"), expected=2)
    assert all("the panel is the one the rule draws" in out for out in outputs)


@pytest.mark.parametrize("city", ["paris"])
def test_a_leximin_replacement_verifies_from_the_page(
    client: FlaskClient, app: Flask, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    upgrade(database_url(app))
    app.config["KLEROTERION_LOTTERY_ROOT"] = str(tmp_path / "lotteries")
    config = city_of("paris").config
    seat = next(g for g in config.composition.seat_groups if g.key == "jeunes")
    path = tmp_path / "jeunes.csv"
    write_respondents(path, config, seat, rows=20)
    with session_scope(_factory(app), actor="test") as session:
        mandate = mandate_service.open_mandate(session, "paris", "promotion", dt.date(2025, 9, 1),
                                               dt.date(2026, 8, 31))
        recruitment.import_respondents(session, mandate.id, seat.key, path)
        panel.draw_panel(session, mandate.id, seat.key, dt.date(2025, 9, 1),
                         public_number="2718", root=tmp_path / "lotteries")
        mandate_id = mandate.id
    _replace_one(app, mandate_id, seat.key, dt.date(2025, 10, 1))
    with _factory(app)() as session:
        kinds = sorted(d.kind for d in session.scalars(select(Draw)))
    assert kinds == ["panel", "replacement"]
    outputs = _check_every_draw_of(client, tmp_path_factory.mktemp("resident"), expected=2)
    # Re-run, quotas and each respondent's count of panels, whatever HiGHS pip installed.
    assert all("each respondent's count of the 1000 panels" in out for out in outputs)
