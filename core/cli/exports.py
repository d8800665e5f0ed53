"""``kleroterion jobs``: the exports a worker makes (letters, reminders, reports).

``letters generate``, ``letters remind`` and ``record report --queue`` put an export on
the queue (``KLEROTERION_BROKER_URL``, else the instance folder's SQLite queue) and
return at once; a ``kleroterion worker``, or the site's embedded worker, makes it.
``jobs show`` says where it stands in words, ``jobs fetch`` copies its file.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import click
from kleroterion import db
from kleroterion.cli.running import current_actor, factory, transaction
from kleroterion.services.errors import NotFound
from sqlalchemy import select
from sqlalchemy.orm import Session


def instance() -> Path:
    return db.instance_path()


def start_export(session: Session, kind: str, params: dict[str, Any], *, inline: bool,
                 mailmerge: Path | None = None) -> None:
    """Record an export and queue it, or make it now (``inline``); say which."""
    from kleroterion.jobs import exports as export_jobs
    from kleroterion.services import exports

    export = exports.start(session, exports.exports_root(instance()), kind, params,
                           actor=current_actor(), mailmerge=mailmerge)
    export_id = export.id
    session.commit()  # the worker reads it from another connection
    if inline:
        state = export_jobs.run_inline(factory(db.database_url()), export_id, instance(),
                                       current_actor())
        session.expire_all()
        _show(session, export_id)
        if state == "failed":
            raise click.exceptions.Exit(1)
        return
    enqueue(export_id)
    click.echo(f"export {export_id} queued; `kleroterion jobs show {export_id}` says where it "
               "stands, `kleroterion jobs fetch` copies its file when it is done")


def enqueue(export_id: int) -> None:
    """Put job ``export`` on the queue the workers read, without running a worker here."""
    from kleroterion.jobs import (
        BROKER_SETTING,
        QUEUE_FILENAME,
        QUEUE_NAME,
        QUEUE_NAME_SETTING,
        make_huey,
        tasks,
    )

    url = os.environ.get(BROKER_SETTING) or f"sqlite:///{instance() / QUEUE_FILENAME}"
    huey = make_huey(url, os.environ.get(QUEUE_NAME_SETTING) or QUEUE_NAME)
    if huey.immediate:
        raise click.ClickException(f"{BROKER_SETTING}=memory:// runs no worker; use --inline")
    tasks.job(huey, "export")(export_id, current_actor())


def _show(session: Session, export_id: int) -> None:
    from kleroterion.models import ExportJob
    from kleroterion.services import exports

    export = session.get(ExportJob, export_id)
    if export is None:
        raise NotFound("there is no export %(export)s", export=export_id)
    click.echo(f"export {export.id} ({export.kind}, {export.city}), by {export.created_by}: "
               f"{export.state}; {exports.describe(export)}")
    if export.state == "failed":
        reason = export.reason or ""
        params = export.reason_params or {}
        click.echo(f"  reason: {reason % params if params else reason}")
    path = exports.result_path(instance(), export)
    if path is not None:
        click.echo(f"  file: {path}")


@click.group(name="jobs")
def jobs_group() -> None:
    """Exports made by the workers: letters, reminders, reports."""


@jobs_group.command(name="list")
@transaction
def jobs_list(session: Session) -> None:
    """The exports, latest first, with where each stands."""
    from kleroterion.models import ExportJob
    from kleroterion.services import exports

    city = os.environ.get("KLEROTERION_CITY")
    query = select(ExportJob).order_by(ExportJob.id.desc())
    if city:
        query = query.where(ExportJob.city == city)
    for export in session.scalars(query):
        click.echo(f"{export.id}\t{export.kind}\t{export.city}\t{export.state}\t"
                   f"{exports.describe(export)}")


@jobs_group.command(name="show")
@click.argument("export_id", type=int)
@transaction
def jobs_show(session: Session, export_id: int) -> None:
    """Where EXPORT_ID stands: its state, its progress in words, its reason or its file."""
    _show(session, export_id)


@jobs_group.command(name="fetch")
@click.argument("export_id", type=int)
@click.argument("out", type=click.Path(path_type=Path))
@transaction
def jobs_fetch(session: Session, export_id: int, out: Path) -> None:
    """Copy the file EXPORT_ID made to OUT (a file, or a folder to put it in)."""
    from kleroterion.models import ExportJob
    from kleroterion.services import exports
    from kleroterion.services.errors import NotAllowed

    export = session.get(ExportJob, export_id)
    if export is None:
        raise NotFound("there is no export %(export)s", export=export_id)
    path = exports.result_path(instance(), export)
    if path is None:
        raise NotAllowed("export %(export)s has no file (it is %(state)s)", export=export_id,
                         state=export.state)
    target = out / path.name if out.is_dir() else out
    shutil.copyfile(path, target)
    click.echo(f"written to {target}", err=True)


COMMANDS: list[click.Command] = [jobs_group]
