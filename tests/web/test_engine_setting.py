"""The sortition engine is a setting, read once at start-up, never a patched module.

``KLEROTERION_SORTITION_ENGINE`` chooses the engine of every draw of an app, and of
the jobs its worker runs: a draw started from the back office is computed by the
engine the setting names, and its lottery records that engine's name. A setting
that names no engine stops start-up, naming the setting and the value.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from kleroterion.cli import main
from kleroterion.db import make_engine, make_sessionmaker, session_scope, upgrade
from kleroterion.models import Draw
from kleroterion.services import mandates, recruitment
from kleroterion.services.context import city
from kleroterion.services.engine import (
    LEXIMIN,
    SETTING,
    EngineSettingError,
    SortitionEngine,
    load,
)
from kleroterion.web import create_app
from kleroterion.web.context import engine_of
from kleroterion.web.database import database_url
from sqlalchemy import select

from tests.lifecycle import engine_standin
from tests.lifecycle.citydata import write_respondents

from .test_access import csrf_token, log_in

TODAY = dt.date(2025, 9, 15)
GROUP = "jeunes"
PAGE = f"/admin/draw/{GROUP}"


@pytest.fixture(autouse=True)
def engine_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """The installation's setting: the lifecycle tests' stand-in (set before the app)."""
    monkeypatch.setenv(SETTING, engine_standin.SETTING)


def test_the_app_reads_the_setting_once_at_start_up(app: Flask) -> None:
    assert engine_of(app) is engine_standin.ENGINE
    # The app's own configuration comes before the environment; unset, LEXIMIN.
    other = create_app("paris", {"SECRET_KEY": "t",
                                 SETTING: "kleroterion.services.engine:LEXIMIN"})
    assert engine_of(other) is LEXIMIN and LEXIMIN.algorithms[0] == "leximin"


def test_a_draw_started_from_the_back_office_is_computed_by_the_setting_s_engine(
    client: FlaskClient, app: Flask, tmp_path: Path
) -> None:
    upgrade(database_url(app))
    app.config["KLEROTERION_TODAY"] = TODAY
    app.config["KLEROTERION_LOTTERY_ROOT"] = str(tmp_path / "lotteries")
    config = city("paris").config
    seat = next(g for g in config.composition.seat_groups if g.key == GROUP)
    write_respondents(tmp_path / "jeunes.csv", config, seat, rows=12)
    factory = make_sessionmaker(make_engine(database_url(app)))
    with session_scope(factory, actor="test") as session:
        mandate = mandates.open_mandate(session, "paris", "promotion 2025", dt.date(2025, 9, 1))
        recruitment.import_respondents(session, mandate.id, GROUP, tmp_path / "jeunes.csv")

    log_in(client, "secretariat")
    response = client.post(f"{PAGE}/start?lang=en", data={
        "csrf_token": csrf_token(client, PAGE), "algorithm": "leximin", "time_limit": ""})
    assert response.status_code == 302
    deadline = time.monotonic() + 60
    while client.get(f"{PAGE}/status.json").get_json()["state"] == "running":
        assert time.monotonic() < deadline, "the background draw did not finish"
        time.sleep(0.2)

    with factory() as session:
        draw = session.scalars(select(Draw)).one()
    assert draw.state == "published", draw.message
    # The worker's job computed it with the stand-in, not LEXIMIN, and says so.
    assert draw.inputs["sortition_engine"] == engine_standin.NAME
    manifest = json.loads((tmp_path / "lotteries" / draw.lottery_folder / "manifest.json")
                          .read_text(encoding="utf-8"))
    assert manifest["sortition_engine"] == engine_standin.NAME != LEXIMIN.name


@pytest.mark.parametrize(("value", "says"), [
    ("kleroterion.no_such_engine:ENGINE", "cannot be imported"),
    ("tests.lifecycle.engine_standin:NO_SUCH", "names nothing"),
    ("kleroterion.services.engine:DEFAULT", "has no find_distribution"),
    ("tests.lifecycle.engine_standin:", "is not a dotted path"),
])
def test_a_setting_that_names_no_engine_stops_start_up(
    value: str, says: str, instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(EngineSettingError) as refused:
        create_app("paris", {"SECRET_KEY": "t", SETTING: value})
    message = str(refused.value)
    assert f"{SETTING} {value!r}" in message and says in message
    assert "module:object" in message  # what is accepted
    # The site and the worker refuse to start, with the same words and no traceback.
    monkeypatch.setenv(SETTING, value)
    for command in (["serve", "--city", "paris"], ["worker", "--city", "paris"]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 1 and f"{SETTING} {value!r}" in result.output, result.output
        assert "Traceback" not in result.output
    # A command that draws refuses before touching the database.
    result = CliRunner().invoke(main, ["panel", "draw", "1", GROUP, "--date", "2025-09-15",
                                      "--seed", "1"])
    assert result.exit_code != 0 and f"{SETTING} {value!r}" in result.output


def test_a_module_with_the_engine_s_functions_is_an_engine() -> None:
    engine = load("tests.lifecycle.engine_standin")
    assert isinstance(engine, SortitionEngine)
    assert engine.name == "tests.lifecycle.engine_standin"
    assert engine.finder is engine_standin.find_distribution
    assert load("tests.lifecycle.engine_standin:ENGINE") is engine_standin.ENGINE
