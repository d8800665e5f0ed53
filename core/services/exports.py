"""Long exports (letters, reminders, the yearly report): recorded here, made by a worker.

``start`` records an export (:class:`~kleroterion.models.ExportJob`) in the caller's
transaction, queued; the caller puts job ``export`` with its id on the queue once that
transaction is committed. A mail-merge file the letters need is copied into the
export's folder (``exports/<id>/input/`` in the instance folder, which every machine
running workers shares) and deleted when the export ends. What a worker does is in
:mod:`kleroterion.jobs.exports`; the stages' words are here, in English, for the pages
and the command line to show (the catalogs translate them).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kleroterion.messages import N_
from kleroterion.models import ExportJob, InvitationDraw, Mandate, utcnow
from kleroterion.services.errors import InvalidInput
from sqlalchemy import select
from sqlalchemy.orm import Session

KINDS = ("letters", "reminders", "report")
LANGUAGES = ("fr", "nl", "en")
FORMATS = {"markdown": "md", "csv": "csv"}
INPUT = "input"
#: The reason of an export that crashed (the log has the exception, the page this).
CRASHED = N_("the export stopped on an unexpected error; the server's log has the details")


def exports_root(instance: Path) -> Path:
    """Where exports are written: ``exports/`` in the instance folder."""
    return instance / "exports"


def folder(root: Path, export_id: int) -> Path:
    return root / str(export_id)


def start(session: Session, root: Path, kind: str, params: dict[str, Any], *, actor: str,
          mailmerge: Path | bytes | None = None) -> ExportJob:
    """Record an export of ``kind``, queued; its mail merge copied for the worker."""
    if kind not in KINDS:
        raise InvalidInput("%(kind)r is not an export; accepted: %(accepted)s", kind=kind,
                           accepted=", ".join(KINDS), field="kind")
    if kind == "report":
        city = str(params["city"])
        check_report(params)
    else:
        draw = session.get(InvitationDraw, int(params["invitation_draw_id"]))
        mandate = session.get(Mandate, draw.mandate_id) if draw is not None else None
        if draw is None or mandate is None:
            raise InvalidInput("there is no invitation draw %(draw)s",
                               draw=params["invitation_draw_id"], field="invitation_draw_id")
        city = mandate.city
        if mailmerge is None:
            raise InvalidInput("the letters need the mail-merge file of their invitation draw",
                               field="mailmerge")
    export = ExportJob(city=city, kind=kind, state="queued", stage="queued", done=0, total=0,
                       params=params, created_by=actor, created_at=utcnow())
    session.add(export)
    session.flush()
    if mailmerge is not None:
        target = folder(root, export.id) / INPUT / "mailmerge.csv"
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(mailmerge, bytes):
            target.write_bytes(mailmerge)
        else:
            shutil.copyfile(mailmerge, target)
    return export


def check_report(params: dict[str, Any]) -> None:
    if params.get("language") not in LANGUAGES:
        raise InvalidInput("%(language)r is not a report language; accepted: fr, nl, en",
                           language=params.get("language"), field="language")
    if params.get("format") not in FORMATS:
        raise InvalidInput("%(format)r is not a report format; accepted: markdown, csv",
                           format=params.get("format"), field="format")


def result_path(instance: Path, export: ExportJob) -> Path | None:
    """The export's file, if it is made and still there."""
    if export.state != "done" or not export.result:
        return None
    root = exports_root(instance).resolve()
    path = (root / export.result).resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path


def stale(session: Session, now: dt.datetime, after: dt.timedelta,
          waiting: set[int]) -> list[int]:
    """Running exports whose worker went silent, put back to ``queued`` (their ids)."""
    ids = []
    for export in session.scalars(select(ExportJob).where(ExportJob.state == "running")
                                  .with_for_update()):
        if export.id in waiting:
            export.heartbeat_at = now
        elif (export.heartbeat_at or export.created_at) < now - after:
            export.state, export.stage, export.done, export.total = "queued", "queued", 0, 0
            ids.append(export.id)
    return ids


#: The stages' words, in English (the pages translate them: ``kleroterion.web.exports``).
STAGES: dict[str, str] = {
    "queued": N_("Waiting for a worker"),
    "starting": N_("Starting"),
    "letters": N_("%(done)s letters of %(total)s written"),
    "packing": N_("Putting the files together"),
    "report": N_("Writing the report"),
    "done": N_("Done"),
    "failed": N_("Failed"),
}


def describe(export: ExportJob, gettext: Callable[[str], str] = lambda text: text,
             number: Callable[[int], str] = str) -> str:
    """The export's progress in words (English, or through ``gettext`` and ``number``)."""
    template = gettext(STAGES.get(export.stage, STAGES["starting"]))
    if "%(done)s" in template:
        return template % {"done": number(export.done), "total": number(export.total)}
    return template


__all__ = ["CRASHED", "FORMATS", "KINDS", "LANGUAGES", "STAGES", "check_report", "describe",
           "exports_root", "folder", "result_path", "stale", "start"]
