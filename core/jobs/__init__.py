"""Long work on a job queue: huey, embedded in the instance folder or on Redis in production.

A panel draw's LEXIMIN computation may take minutes; the back office hands it to a
queue instead of a thread of the web worker, so a restart of the web server does not
stop it and any machine that reaches the database and the broker computes it.

The broker is the app's ``KLEROTERION_BROKER_URL`` setting, else the environment
variable of that name, else ``sqlite:///<instance folder>/jobs.sqlite3``:

- ``sqlite:///PATH``: huey's SQLite storage, no server. Whoever serves the site on it
  (``kleroterion serve``, ``demo``, gunicorn) also runs an embedded worker thread in
  each web process, started on the first request (or on the first job, for a test's
  app), so a machine without any server still computes its draws.
- ``redis://HOST:PORT/DB`` (or ``rediss://``): huey's Redis storage; jobs are run by
  ``kleroterion worker`` processes, on this machine or others. The web processes do
  not run jobs themselves unless ``KLEROTERION_EMBEDDED_WORKER`` says so.
- ``memory://``: huey's immediate mode, each job run inside the call that enqueues it
  (for scripts and tests that need no concurrency).

What a job does is in :mod:`kleroterion.jobs.tasks`; the worker loop, its recovery of
interrupted draws and the embedded thread in :mod:`kleroterion.jobs.worker`.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from flask import Flask
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey

BROKER_SETTING = "KLEROTERION_BROKER_URL"
EMBEDDED_SETTING = "KLEROTERION_EMBEDDED_WORKER"
QUEUE_FILENAME = "jobs.sqlite3"
#: The queue's name, unless ``KLEROTERION_QUEUE_NAME`` gives another (two instances
#: sharing a Redis database need two names).
QUEUE_NAME = "kleroterion"
QUEUE_NAME_SETTING = "KLEROTERION_QUEUE_NAME"

_HUEY = "kleroterion.jobs.huey"
_lock = threading.Lock()
#: One huey per broker URL in this process, each with the apps whose jobs it runs.
_queues: dict[str, Huey] = {}
_apps: dict[int, Flask] = {}


class BrokerError(ValueError):
    """The broker URL names no storage huey has (the message says which are accepted)."""


def broker_url(app: Flask) -> str:
    """The app's broker: the setting, the environment, else the instance folder's SQLite."""
    configured = app.config.get(BROKER_SETTING) or os.environ.get(BROKER_SETTING)
    if configured:
        return str(configured)
    return f"sqlite:///{Path(app.instance_path) / QUEUE_FILENAME}"


def is_embedded(url: str) -> bool:
    """Whether this broker is the one a machine without servers uses (SQLite or memory)."""
    return url.startswith(("sqlite:", "memory:"))


def make_huey(url: str, name: str = QUEUE_NAME) -> Huey:
    """The huey of a broker URL, with kleroterion's jobs registered on it."""
    from kleroterion.jobs import tasks

    huey: Huey
    if url.startswith(("redis://", "rediss://", "unix://")):
        huey = RedisHuey(name, url=url, results=False)
    elif url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey(name, filename=str(path), results=False)
    elif url == "memory://":
        huey = MemoryHuey(name, immediate=True, results=False)
    else:
        raise BrokerError(f"{BROKER_SETTING} {url!r} is not a broker kleroterion knows; "
                          "expected redis://HOST:PORT/DB, sqlite:///PATH or memory://")
    tasks.register(huey)
    return huey


def queue_of(app: Flask) -> Huey:
    """The app's queue (made on first use, shared by the apps of one broker URL)."""
    huey = app.extensions.get(_HUEY)
    if huey is None:
        url = broker_url(app)
        name = str(app.config.get(QUEUE_NAME_SETTING) or os.environ.get(QUEUE_NAME_SETTING)
                   or QUEUE_NAME)
        with _lock:
            huey = _queues.get(f"{name} {url}")
            if huey is None:
                huey = _queues[f"{name} {url}"] = make_huey(url, name)
            _apps[id(huey)] = app
        app.extensions[_HUEY] = huey
    assert isinstance(huey, Huey)
    return huey


def app_of(huey: Huey) -> Flask:
    """The app whose settings (database, lottery folders) a job of this queue uses."""
    app = _apps.get(id(huey))
    if app is None:
        raise LookupError("no app runs the jobs of this queue in this process")
    return app


def embedded_worker_wanted(app: Flask) -> bool:
    setting = app.config.get(EMBEDDED_SETTING)
    if setting is None:
        setting = os.environ.get(EMBEDDED_SETTING)
    if setting is None:
        return is_embedded(broker_url(app))
    return str(setting).lower() not in ("0", "false", "no", "off", "")


def enqueue(app: Flask, name: str, *args: Any) -> None:
    """Put job ``name`` (one of :data:`tasks.JOBS`) with its arguments on the app's queue.

    Arguments are record ids only, never a personal value: a broker is not a place
    personal data may be kept.
    """
    from kleroterion.jobs import tasks, worker

    huey = queue_of(app)
    tasks.job(huey, name)(*args)
    if embedded_worker_wanted(app) and not huey.immediate:
        worker.ensure_embedded(app)


def init_app(app: Flask) -> None:
    """Serve the embedded worker from the first request of a web process that wants one."""
    app.config.setdefault(BROKER_SETTING, None)
    if app.testing:
        return  # a test's app runs its worker only once it has a job (see ``enqueue``)

    started: list[bool] = []

    @app.before_request
    def start_embedded_worker() -> None:
        if started:
            return
        started.append(True)
        if embedded_worker_wanted(app):
            from kleroterion.jobs import worker

            worker.ensure_embedded(app)


__all__ = ["BROKER_SETTING", "EMBEDDED_SETTING", "BrokerError", "app_of", "broker_url",
           "enqueue", "init_app", "make_huey", "queue_of"]
