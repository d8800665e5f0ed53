"""The job queue of panel draws: claimed by one worker, taken up again when its worker dies.

Runs on the app's queue in immediate mode (``memory://``: each job inside the call that
enqueues it), so the tests see each step's outcome at once; the real queues run in
tests/web/test_panel_draw.py (the embedded SQLite queue) and tests/production (Redis).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from flask import Flask
from kleroterion import jobs
from kleroterion.db import make_engine, make_sessionmaker, session_scope
from kleroterion.jobs import tasks
from kleroterion.models import Draw, utcnow
from kleroterion.services import panel
from kleroterion.web.database import database_url

from .test_panel_draw import GROUP, pool  # noqa: F401 (the fixture)


def _draw(app: Flask, draw_id: int) -> Draw:
    engine = make_engine(database_url(app))
    try:
        with make_sessionmaker(engine)() as session:
            draw = session.get(Draw, draw_id)
            assert draw is not None
            session.expunge(draw)
            return draw
    finally:
        engine.dispose()


def _started(app: Flask, mandate: int, *, beat_age: dt.timedelta, stage: str | None) -> int:
    engine = make_engine(database_url(app))
    try:
        with session_scope(make_sessionmaker(engine), actor="test") as session:
            draw = panel.start_draw(session, mandate, GROUP)
            draw.progress_stage = stage
            draw.heartbeat_at = utcnow() - beat_age
            return int(draw.id)
    finally:
        engine.dispose()


@pytest.fixture
def immediate(app: Flask) -> Flask:
    app.config[jobs.BROKER_SETTING] = "memory://"
    return app


def test_a_queued_draw_is_computed_and_published(immediate: Flask, pool: int) -> None:  # noqa: F811
    ident = _started(immediate, pool, beat_age=dt.timedelta(0), stage=tasks.QUEUED)
    jobs.enqueue(immediate, "panel_draw", ident, "test")
    draw = _draw(immediate, ident)
    assert draw.state == "published" and draw.lottery_folder
    folder = panel.folder_path(draw, Path(immediate.config["KLEROTERION_LOTTERY_ROOT"])
                               if immediate.config.get("KLEROTERION_LOTTERY_ROOT")
                               else Path(immediate.instance_path) / "lotteries")
    assert folder is not None and folder.is_dir()


def test_a_draw_another_worker_computes_is_left_to_it(immediate: Flask, pool: int) -> None:  # noqa: F811
    ident = _started(immediate, pool, beat_age=dt.timedelta(seconds=2), stage="leximin")
    jobs.enqueue(immediate, "panel_draw", ident, "test")
    draw = _draw(immediate, ident)
    assert draw.state == "running" and draw.progress_stage == "leximin"  # untouched


def test_recovery_queues_again_only_the_draws_whose_worker_went_silent(
    immediate: Flask, pool: int  # noqa: F811
) -> None:
    alive = _started(immediate, pool, beat_age=dt.timedelta(seconds=3), stage="leximin")
    assert tasks.recover(immediate) == []
    assert _draw(immediate, alive).state == "running"
    engine = make_engine(database_url(immediate))
    with session_scope(make_sessionmaker(engine), actor="test") as session:
        draw = session.get(Draw, alive)
        assert draw is not None
        draw.heartbeat_at = utcnow() - tasks.RECOVER_AFTER * 2  # its worker was killed
    engine.dispose()
    assert tasks.recover(immediate) == [alive]
    assert _draw(immediate, alive).state == "published"  # computed again, from its start


def test_the_embedded_queue_lives_in_the_instance_folder(app: Flask) -> None:
    assert jobs.broker_url(app) == f"sqlite:///{Path(app.instance_path) / 'jobs.sqlite3'}"
    assert jobs.embedded_worker_wanted(app)
    app.config[jobs.BROKER_SETTING] = "redis://127.0.0.1:6379/0"
    assert not jobs.embedded_worker_wanted(app)
    app.config[jobs.EMBEDDED_SETTING] = "true"
    assert jobs.embedded_worker_wanted(app)


def test_a_draw_waiting_on_the_queue_is_kept_alive_not_queued_twice(
    app: Flask, pool: int  # noqa: F811
) -> None:
    app.config[jobs.EMBEDDED_SETTING] = False  # nobody runs the SQLite queue here
    ident = _started(app, pool, beat_age=tasks.RECOVER_AFTER * 2, stage=tasks.QUEUED)
    jobs.enqueue(app, "panel_draw", ident, "test")
    assert tasks.recover(app) == []
    assert jobs.queue_of(app).pending_count() == 1
    draw = _draw(app, ident)
    assert draw.state == "running" and draw.heartbeat_at is not None
    assert draw.heartbeat_at > utcnow() - tasks.RECOVER_AFTER  # renewed: not given up


def test_a_replacement_draw_whose_worker_died_is_taken_up_by_its_own_job(
    immediate: Flask, pool: int, tmp_path: Path  # noqa: F811
) -> None:
    """Issue 16: replacement draws are jobs too, recovered like the panel's."""
    from kleroterion.models import Member, Respondent
    from kleroterion.services import members
    from sqlalchemy import select

    root = tmp_path / "lotteries"
    immediate.config["KLEROTERION_LOTTERY_ROOT"] = str(root)
    engine = make_engine(database_url(immediate))
    factory = make_sessionmaker(engine)
    with session_scope(factory, actor="test") as session:
        panel.draw_panel(session, pool, GROUP, dt.date(2025, 9, 1), public_number="17",
                         root=root)
    with session_scope(factory, actor="test") as session:
        left = [r.features for r in session.scalars(select(Respondent).where(
            Respondent.status == "not_selected"))]
        leaver = next(m for m in session.scalars(select(Member).order_by(Member.id))
                      if m.respondent.features in left)
        members.withdraw(session, leaver.id, dt.date(2025, 9, 10), "moved away")
        draw = panel.start_replacement(session, leaver.id, background=True)
        draw.progress_stage = "leximin"
        draw.heartbeat_at = utcnow() - tasks.RECOVER_AFTER * 2  # its worker was killed
        ident = int(draw.id)
    engine.dispose()
    assert tasks.DRAW_JOBS["replacement"] == "replacement_draw"
    assert tasks.recover(immediate) == [ident]
    recovered = _draw(immediate, ident)
    assert recovered.state == "published" and recovered.kind == "replacement"
    assert recovered.panels_digest and (root / str(recovered.lottery_folder)).is_dir()
