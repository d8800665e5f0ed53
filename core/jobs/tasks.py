"""What kleroterion's jobs do, and how a draw interrupted with its worker is taken up again.

``export(export_id, actor)`` makes letters, reminders or a report
(:mod:`kleroterion.jobs.exports`); an interrupted export is put back on the queue by
:func:`recover` as a draw is (nothing of an interrupted run was committed).

``panel_draw(draw_id, actor)`` computes and publishes a started panel draw, and
``replacement_draw(draw_id, actor)`` a started replacement draw (both through
:func:`kleroterion.services.panel.run_draw`, which records any failure on the draw
with the reason shown on the page), with the sortition engine of the worker's app
(``KLEROTERION_SORTITION_ENGINE``, read once by ``create_app``: the worker and the web
app read the same setting). Its nature decides its retries: a computation
that failed fails again on the same inputs, so a failed draw is not retried; a
computation *interrupted* (its worker killed, the machine restarted) is resumed from
its start by :func:`recover`, which every worker runs when it starts and then every
``RECOVER_EVERY`` seconds: a running draw whose heartbeat is older than
``RECOVER_AFTER`` goes back on the queue, unless its job still waits there (its
heartbeat is then renewed, so a draw queued behind another is not given up). A
draw's inputs are fixed when it starts
(quotas, seed), so the resumed computation publishes the lottery the first would have.

The progress is written on the draw in words the page shows: ``queued``, then the
engine's stages (``computing``, ``leximin``...), so the secretariat sees a draw that
waits for a worker as waiting, not as stuck.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from flask import Flask
from huey import Huey
from huey import signals as huey_signals
from kleroterion.db import make_engine, make_sessionmaker, session_scope
from kleroterion.models import Draw, utcnow
from kleroterion.services import panel
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger("kleroterion.jobs")

#: A running draw not heard from for this long is put back on the queue (its worker
#: beats every ``panel.HEARTBEAT_SECONDS``; the page gives it up after ``STALE_AFTER``).
RECOVER_AFTER = dt.timedelta(seconds=20)
RECOVER_EVERY = 10.0
QUEUED = "queued"

_jobs: dict[int, dict[str, Any]] = {}
_engines: dict[str, Engine] = {}


def _factory(app: Flask) -> sessionmaker[Session]:
    from kleroterion.web.database import database_url

    url = database_url(app)
    engine = _engines.get(url)
    if engine is None:
        engine = _engines[url] = make_engine(url, pool_pre_ping=True)
    return make_sessionmaker(engine)


def _claim(factory: sessionmaker[Session], draw_id: int, actor: str) -> bool:
    """Whether this worker should compute the draw: it runs, and no other worker does."""
    with session_scope(factory, actor=actor) as session:
        draw = session.scalar(select(Draw).where(Draw.id == draw_id).with_for_update())
        if draw is None or draw.state != "running":
            return False
        beat = draw.heartbeat_at or draw.created_at
        if draw.progress_stage != QUEUED and beat > utcnow() - RECOVER_AFTER:
            return False  # another worker computes it and is alive
        panel.record_progress(session, draw_id, "starting", 0.0)
        return True


def panel_draw(huey: Huey, draw_id: int, actor: str) -> None:
    """Compute and publish a started draw (a panel's, a replacement's); a failure is
    recorded on the draw."""
    from kleroterion.jobs import app_of
    from kleroterion.web.context import engine_of
    from kleroterion.web.records import lottery_root

    app = app_of(huey)
    factory = _factory(app)
    if not _claim(factory, draw_id, actor):
        log.info("draw %s is not waiting for a worker; nothing to do", draw_id)
        return
    log.info("draw %s: computing", draw_id)
    # The engine the worker's app read from KLEROTERION_SORTITION_ENGINE at start-up.
    panel.run_draw(factory, draw_id, lottery_root(app), actor=actor, engine=engine_of(app))
    with factory() as session:
        draw = session.get(Draw, draw_id)
        state = draw.state if draw is not None else "gone"
        reason = draw.message if draw is not None else None
    if state == "failed":
        # The reason the page shows (in English here; the page translates it).
        log.error("draw %s failed: %s", draw_id, reason)
    else:
        log.info("draw %s: %s", draw_id, state)


def queue_draw(session: Session, draw_id: int) -> None:
    """Say on a started draw that it waits for a worker (in the caller's transaction)."""
    panel.record_progress(session, draw_id, QUEUED, 0.0)


def recover(app: Flask) -> list[int]:
    """Put back on the queue the running draws whose worker went silent; their ids.

    A draw whose job still waits on the queue (behind another draw a worker computes)
    is alive, not silent: its heartbeat is renewed, so that the page does not give it
    up, and it is not queued twice.
    """
    from kleroterion.jobs import enqueue, queue_of

    factory = _factory(app)
    pending = list(queue_of(app).pending())
    waiting = {int(task.args[0]) for task in pending
               if task.name in DRAW_JOBS.values() and task.args}
    for export_id in _recover_exports(app, {int(task.args[0]) for task in pending
                                            if task.name == "export" and task.args}):
        log.warning("export %s was interrupted with its worker; queued again", export_id)
        enqueue(app, "export", export_id, "system")
    now = utcnow()
    with session_scope(factory, actor="system") as session:
        running = list(session.scalars(select(Draw).where(
            Draw.kind.in_(DRAW_JOBS), Draw.state == "running").with_for_update()))
        stale = []
        for draw in running:
            if draw.id in waiting:
                draw.heartbeat_at = now
            elif (draw.heartbeat_at or draw.created_at) < now - RECOVER_AFTER:
                stale.append(draw)
                queue_draw(session, draw.id)
        ids = [(draw.id, DRAW_JOBS[draw.kind]) for draw in stale]
    for draw_id, name in ids:
        log.warning("draw %s was interrupted with its worker; queued again", draw_id)
        enqueue(app, name, draw_id, "system")
    return [draw_id for draw_id, _ in ids]


def export(huey: Huey, export_id: int, actor: str) -> None:
    """Make an export (letters, reminders, a report); a failure is recorded on it."""
    from pathlib import Path

    from kleroterion.jobs import app_of
    from kleroterion.jobs import exports as export_jobs

    app = app_of(huey)
    export_jobs.run(_factory(app), export_id, Path(app.instance_path), actor=actor,
                    stale_after=RECOVER_AFTER)


def _recover_exports(app: Flask, waiting: set[int]) -> list[int]:
    from kleroterion.services import exports

    with session_scope(_factory(app), actor="system") as session:
        ids = exports.stale(session, utcnow(), RECOVER_AFTER, waiting)
    return ids


#: The jobs by name, each called with its queue and its arguments.
JOBS: dict[str, Callable[..., None]] = {"panel_draw": panel_draw,
                                        "replacement_draw": panel_draw,
                                        "export": export}
#: The job that computes each kind of draw.
DRAW_JOBS = {"panel": "panel_draw", "replacement": "replacement_draw"}


def register(huey: Huey) -> None:
    """Register kleroterion's jobs and their event log on a huey."""
    from kleroterion import observability

    wrappers: dict[str, Any] = {}
    for name, function in JOBS.items():
        def run(*args: Any, _function: Callable[..., None] = function) -> None:
            _function(huey, *args)

        run.__name__ = name
        wrappers[name] = huey.task(name=name, retries=0)(run)
    _jobs[id(huey)] = wrappers

    def job_event(signal: str, task: Any, exc: BaseException | None = None) -> None:
        observability.job_event(signal, task.name, task.id, exc)

    huey.signal()(job_event)


def job(huey: Huey, name: str) -> Any:
    """The huey task wrapper of job ``name`` (calling it enqueues the job)."""
    return _jobs[id(huey)][name]


#: The huey signals after which a job is no longer running.
ENDED = frozenset({huey_signals.SIGNAL_COMPLETE, huey_signals.SIGNAL_ERROR,
                   huey_signals.SIGNAL_INTERRUPTED, huey_signals.SIGNAL_TIMEOUT,
                   huey_signals.SIGNAL_CANCELED})
