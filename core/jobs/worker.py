"""Who runs the jobs: ``kleroterion worker`` processes, or a thread of the web process.

``run(app, workers)`` is ``kleroterion worker``: huey's own consumer (its threads,
its signal handling: SIGINT waits for the jobs under way, SIGTERM stops at once),
plus a thread that takes up interrupted draws (:func:`kleroterion.jobs.tasks.recover`)
at start and every ``RECOVER_EVERY`` seconds.

``ensure_embedded(app)`` starts, once per process and queue, a daemon thread that
takes jobs from the queue one at a time and runs them, and recovers interrupted
draws likewise: the worker of a machine that runs no server (the SQLite queue). A
test's app lets its thread end after ``TEST_IDLE_SECONDS`` without work, so a test
run does not accumulate threads polling databases that are gone.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from flask import Flask
from huey import Huey
from kleroterion.jobs import queue_of, tasks

log = logging.getLogger("kleroterion.jobs")

POLL_SECONDS = 0.5
TEST_IDLE_SECONDS = 30.0

_threads: dict[int, threading.Thread] = {}
_lock = threading.Lock()


def _recover_quietly(app: Flask) -> None:
    try:
        tasks.recover(app)
    except Exception:  # no database yet, or a busy one: the next round will do
        log.debug("recovery of interrupted draws skipped", exc_info=True)


def _embedded_loop(app: Flask, huey: Huey, stop: threading.Event) -> None:
    last_recovery = 0.0
    idle_since = time.monotonic()
    while not stop.is_set():
        now = time.monotonic()
        if not app.testing and now - last_recovery >= tasks.RECOVER_EVERY:
            _recover_quietly(app)
            last_recovery = now
        try:
            task = huey.dequeue()
        except Exception:  # the queue's file is gone (a finished test) or busy
            log.debug("the embedded worker could not read its queue", exc_info=True)
            task = None
        if task is None:
            if app.testing and now - idle_since > TEST_IDLE_SECONDS:
                return
            stop.wait(POLL_SECONDS)
            continue
        try:
            huey.execute(task)
        except Exception:  # logged by the job event; the thread keeps serving
            log.debug("job %s ended with an error", task.id, exc_info=True)
        idle_since = time.monotonic()


def ensure_embedded(app: Flask) -> None:
    """Start this process's embedded worker thread for the app's queue, unless it runs."""
    huey = queue_of(app)
    with _lock:
        thread = _threads.get(id(huey))
        if thread is not None and thread.is_alive():
            return
        thread = threading.Thread(target=_embedded_loop, args=(app, huey, threading.Event()),
                                  name="kleroterion-embedded-worker", daemon=True)
        _threads[id(huey)] = thread
        thread.start()
    log.info("embedded job worker started")


def run(app: Flask, workers: int = 1) -> None:
    """Run the app's jobs until interrupted (``kleroterion worker``)."""
    huey = queue_of(app)
    stop = threading.Event()

    def recovery() -> None:
        while not stop.wait(0 if not recovered else tasks.RECOVER_EVERY):
            _recover_quietly(app)
            recovered.append(True)

    recovered: list[bool] = []
    keeper = threading.Thread(target=recovery, name="kleroterion-recovery", daemon=True)
    keeper.start()
    consumer: Any = huey.create_consumer(workers=workers, worker_type="thread",
                                         periodic=False, check_worker_health=True)
    log.info("worker started: %s job thread(s)", workers)
    try:
        consumer.run()
    finally:
        stop.set()
        log.info("worker stopped")
