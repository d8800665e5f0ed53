"""Long exports as jobs: invitation letters, reminders and the yearly follow-up report.

``start`` records an export (:class:`~kleroterion.models.ExportJob`) in the caller's
transaction; the caller puts job ``export`` with its id on the queue once that
transaction is committed (``jobs.enqueue`` from the back office, ``enqueue_from_cli``
from the command line, which needs no web server). A mail-merge file the letters need
is copied into the export's folder (``exports/<id>/input/``, the instance folder being
shared by every machine that runs workers) and deleted when the export ends.

``run`` is what a worker does: it claims the export, renews its heartbeat and writes
its progress (a stage and a count) every ``HEARTBEAT_SECONDS`` from a thread of its
own, makes the file in one transaction with the export's ``done`` state (letters'
codes are stored with it, or not at all), and records a refusal or a crash as the
export's reason. An export whose worker went silent is put back on the queue by
:func:`kleroterion.jobs.tasks.recover`: it runs again from its start, since nothing of
an interrupted run was committed. ``run_inline`` is the command line's ``--inline``.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kleroterion.db import session_scope
from kleroterion.models import ExportJob, utcnow
from kleroterion.services.errors import ServiceError
from kleroterion.services.exports import (
    CRASHED,
    FORMATS,
    INPUT,
    check_report,
    exports_root,
    folder,
)
from kleroterion.services.scope import scoped
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger("kleroterion.jobs")

#: Seconds between two writes of a running export's heartbeat and progress.
HEARTBEAT_SECONDS = 2.0




@dataclass
class Progress:
    """What a running export has done; its heartbeat thread writes it."""

    stage: str = "starting"
    done: int = 0
    total: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def set(self, stage: str, done: int = 0, total: int = 0) -> None:
        with self.lock:
            self.stage, self.done, self.total = stage, done, total

    def read(self) -> tuple[str, int, int]:
        with self.lock:
            return self.stage, self.done, self.total


def _claim(factory: sessionmaker[Session], export_id: int, stale_after: dt.timedelta) -> bool:
    with session_scope(factory, actor="system") as session:
        export = session.scalar(select(ExportJob).where(ExportJob.id == export_id)
                                .with_for_update())
        if export is None or export.state in ("done", "failed"):
            return False
        beat = export.heartbeat_at or export.created_at
        if export.state == "running" and beat > utcnow() - stale_after:
            return False  # another worker makes it and is alive
        export.state, export.stage, export.done, export.total = "running", "starting", 0, 0
        export.heartbeat_at = utcnow()
        return True


def _beat(factory: sessionmaker[Session], export_id: int, progress: Progress,
          stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT_SECONDS):
        stage, done, total = progress.read()
        try:
            with session_scope(factory, actor="system") as session:
                # One statement, so that it never overwrites the end of the export.
                changed = session.execute(
                    update(ExportJob)
                    .where(ExportJob.id == export_id, ExportJob.state == "running")
                    .values(stage=stage, done=done, total=total, heartbeat_at=utcnow()))
                if not getattr(changed, "rowcount", 1):
                    return
        except Exception:  # a busy database: the next beat will do
            log.debug("export %s: heartbeat skipped", export_id, exc_info=True)


def _letters(session: Session, export: ExportJob, work: Path, instance: Path,
             progress: Progress) -> Path:
    from kleroterion.letters.template import load
    from kleroterion.services import letters

    params = export.params
    template = Path(params["template"]) if params.get("template") else None
    if template is None and (instance / "letters.toml").is_file():
        template = instance / "letters.toml"
    out = work / "letters"
    shutil.rmtree(out, ignore_errors=True)

    def count(done: int, total: int) -> None:
        progress.set("letters", done, total)

    until = dt.date.fromisoformat(params["answers_until"])
    draw_id = int(params["invitation_draw_id"])
    mailmerge = work / INPUT / "mailmerge.csv"
    if export.kind == "letters":
        run = letters.generate(session, draw_id, mailmerge, out, load(template),
                               answers_until=until, url=params.get("url") or "", progress=count)
    else:
        run = letters.remind(session, draw_id, mailmerge, out, load(template),
                             answers_until=until, strata=params.get("strata") or None,
                             lowest=params.get("lowest"), url=params.get("url") or "",
                             progress=count)
    progress.set("packing", run.letters, run.letters)
    name = f"{'letters' if export.kind == 'letters' else 'reminders'}-{draw_id}.zip"
    archive = work / name
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as packed:
        for path in sorted(out.rglob("*")):
            if path.is_file():
                packed.write(path, path.relative_to(out).as_posix())
    shutil.rmtree(out, ignore_errors=True)
    return archive


def _report(session: Session, export: ExportJob, work: Path, progress: Progress) -> Path:
    from kleroterion.cli.record import report_words
    from kleroterion.services import reports

    params = export.params
    check_report(params)
    language, fmt = str(params["language"]), str(params["format"])
    semicolon = language != "en"
    progress.set("report")
    report = reports.city_report(session, export.city, int(params["year"]),
                                 [int(i) for i in params.get("mandate_ids") or []] or None)
    words = report_words(language, semicolon)
    body = (reports.as_csv(report, words, semicolon=semicolon) if fmt == "csv"
            else reports.as_markdown(report, words))
    path = work / f"{export.city}-follow-up-{params['year']}-{language}.{FORMATS[fmt]}"
    path.write_text(body, encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="")
    return path


def run(factory: sessionmaker[Session], export_id: int, instance: Path, *,
        actor: str = "system", stale_after: dt.timedelta = dt.timedelta(seconds=20)) -> str:
    """Make export ``export_id`` if it waits for a worker; its state after ("done"...)."""
    root = exports_root(instance)
    if not _claim(factory, export_id, stale_after):
        log.info("export %s is not waiting for a worker; nothing to do", export_id)
        return "skipped"
    progress = Progress()
    stop = threading.Event()
    beat = threading.Thread(target=_beat, args=(factory, export_id, progress, stop),
                            name=f"kleroterion-export-{export_id}", daemon=True)
    beat.start()
    work = folder(root, export_id)
    work.mkdir(parents=True, exist_ok=True)
    failure: tuple[str, dict[str, Any]] | None = None
    try:
        with session_scope(factory, actor=actor) as session:
            export = session.get(ExportJob, export_id)
            assert export is not None
            with scoped(export.city):
                log.info("export %s (%s): making", export_id, export.kind)
                made = (_report(session, export, work, progress) if export.kind == "report"
                        else _letters(session, export, work, instance, progress))
            _stage, done, total = progress.read()
            export.state, export.stage = "done", "done"
            export.done, export.total = done, total
            export.result = made.relative_to(root).as_posix()
            export.finished_at = utcnow()
    except ServiceError as refusal:
        failure = (refusal.template, _plain(refusal.params))
    except Exception:
        log.exception("export %s crashed", export_id)
        failure = (CRASHED, {})
    finally:
        stop.set()
        beat.join()
        shutil.rmtree(work / INPUT, ignore_errors=True)
    if failure is not None:
        with session_scope(factory, actor="system") as session:
            export = session.get(ExportJob, export_id)
            if export is not None:
                export.state, export.stage = "failed", "failed"
                export.reason, export.reason_params = failure
                export.finished_at = utcnow()
        log.error("export %s failed: %s", export_id, failure[0])
        return "failed"
    log.info("export %s: done", export_id)
    return "done"


def _plain(params: dict[str, object]) -> dict[str, Any]:
    """A refusal's parameters as JSON can keep them (ids, dates, keys: never personal)."""
    return {key: value if isinstance(value, (int, float, str, bool, type(None))) else str(value)
            for key, value in params.items()}


def run_inline(factory: sessionmaker[Session], export_id: int, instance: Path,
               actor: str) -> str:
    """The command line's ``--inline``: make the export in this process, now."""
    return run(factory, export_id, instance, actor=actor)


__all__ = ["run", "run_inline"]
