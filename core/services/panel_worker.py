"""The background computation of a panel draw: progress, heartbeat, failure, interruption.

LEXIMIN may take minutes on a large pool: the back office starts a draw (a panel's,
:func:`kleroterion.services.panel.start_draw`, or a replacement's,
:func:`kleroterion.services.replacements.start_replacement`) and :func:`run_draw`
computes and publishes it as a job of the queue, each step in its own transaction,
saying it is alive every ``HEARTBEAT_SECONDS``; a draw whose worker stopped is
recorded as failed once stale, and may be started again.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from kleroterion import db
from kleroterion.messages import N_
from kleroterion.models import Draw, Mandate
from kleroterion.models.base import utcnow
from kleroterion.services import audit
from kleroterion.services.context import get
from kleroterion.services.errors import InvalidInput, NotAllowed
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

#: A running draw whose worker has not been heard from for this long was interrupted
#: (a restarted server, a killed process): it is shown, and recorded, as failed.
STALE_AFTER = dt.timedelta(seconds=60)
#: How often a running draw's worker says it is alive, and records its progress at most.
HEARTBEAT_SECONDS = 5.0
PROGRESS_SECONDS = 1.0


#: The kinds of draw whose lottery is computed by the engine, as a job.
COMPUTED_KINDS = ("panel", "replacement")


class DrawRefused(InvalidInput):
    """The engine refused the draw (infeasible quotas, a time limit...); ``lines`` say why.

    For infeasible quotas the lines are the engine's smallest relaxation, one quota
    bound per line.
    """

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = [line for line in lines if line]
        super().__init__(N_("the draw cannot be made: %(lines)s"), lines="; ".join(self.lines))



def expire_stale(session: Session, mandate_id: int) -> None:
    """Record as failed the running draws whose worker stopped saying it is alive."""
    limit = utcnow() - STALE_AFTER
    for draw in session.scalars(select(Draw).where(
            Draw.mandate_id == mandate_id, Draw.kind.in_(COMPUTED_KINDS),
            Draw.state == "running")):
        beat = draw.heartbeat_at or draw.created_at
        if beat is not None and beat < limit:
            mark_failed(session, draw, "the computation was interrupted (the server stopped "
                                        "or restarted); start the draw again")


def expire_interrupted(session: Session, mandate_id: int) -> None:
    """Record as failed the mandate's draws whose computation was interrupted."""
    get(session, Mandate, mandate_id)
    expire_stale(session, mandate_id)



def running(session: Session, draw_id: int) -> Draw:
    draw = get(session, Draw, draw_id)
    if draw.kind not in COMPUTED_KINDS or draw.state != "running":
        raise NotAllowed("draw %(draw)s is not being computed (it is %(state)s)",
                         draw=draw_id, state=draw.state)
    return draw



def record_progress(session: Session, draw_id: int, stage: str, fraction: float) -> None:
    """Note how far a running draw's computation is (and that its worker is alive)."""
    draw = get(session, Draw, draw_id)
    if draw.state == "running":
        draw.progress_stage = stage[:64]
        draw.progress_fraction = max(0.0, min(1.0, float(fraction)))
        draw.heartbeat_at = utcnow()


def mark_failed(session: Session, draw: Draw, message: str) -> None:
    draw.state, draw.slot, draw.message = "failed", None, message
    audit.record(session, f"{draw.kind}.fail", "draw", draw.id, mandate=draw.mandate_id,
                 seat_group=draw.seat_group, message=message)


def fail_draw(session: Session, draw_id: int, message: str) -> Draw:
    """Record that a running draw failed, with the message to show; it may be started again."""
    draw = running(session, draw_id)
    mark_failed(session, draw, message)
    return draw


def refusal_message(error: BaseException) -> str:
    """What a failed draw shows: the refusal's lines (the relaxation of infeasible quotas)."""
    if isinstance(error, DrawRefused):
        return "\n".join(["the draw cannot be made:", *error.lines])
    return str(error)


def run_draw(factory: sessionmaker[Session], draw_id: int, root: Path, *,
             actor: str = "system", engine: object = None) -> None:
    """The background job of a started draw: compute, publish, or record the failure.

    ``engine`` computes it (default LEXIMIN): the worker passes the one its app's
    ``KLEROTERION_SORTITION_ENGINE`` setting chooses.

    Each step is its own transaction, so the progress written while the engine
    computes is seen by others at once; a thread says the worker is alive every
    ``HEARTBEAT_SECONDS``. Never raises: any failure is recorded on the draw.
    """
    done = threading.Event()
    last = [0.0]

    def beat() -> None:
        while not done.wait(HEARTBEAT_SECONDS):
            try:
                with db.session_scope(factory, actor=actor) as session:
                    draw = session.get(Draw, draw_id)
                    if draw is not None and draw.state == "running":
                        draw.heartbeat_at = utcnow()
            except Exception:  # a busy database: the next beat will do
                continue

    def progress(stage: str, fraction: float) -> None:
        now = dt.datetime.now().timestamp()
        if now - last[0] < PROGRESS_SECONDS and fraction < 1.0:
            return
        last[0] = now
        try:
            with db.session_scope(factory, actor=actor) as session:
                record_progress(session, draw_id, stage, fraction)
        except Exception:  # progress is a courtesy; the computation goes on
            pass

    from kleroterion.services.draw_pool import compute_prepared
    from kleroterion.services.panel import prepare, publish_computed

    heart = threading.Thread(target=beat, name=f"draw-{draw_id}-heartbeat", daemon=True)
    heart.start()
    try:
        with db.session_scope(factory, actor=actor) as session:
            prepared = prepare(session, draw_id)
        progress("computing", 0.0)
        prepared, distribution, panels = compute_prepared(prepared, progress=progress,
                                                          engine=engine)
        progress("publishing", 1.0)
        done.set()
        heart.join()
        with db.session_scope(factory, actor=actor) as session:
            publish_computed(session, prepared, distribution, panels, root, engine=engine)
    except Exception as error:  # every failure is the draw's message, never a traceback
        message = (refusal_message(error) if isinstance(error, InvalidInput | NotAllowed)
                   else f"the computation failed ({type(error).__name__})")
        # The traceback in full for the operator (kleroterion's log handler withholds
        # exception messages, which may quote personal data).
        logging.getLogger(__name__).error("draw %s failed", draw_id, exc_info=error)
        try:
            with db.session_scope(factory, actor=actor) as session:
                draw = session.get(Draw, draw_id)
                if draw is not None and draw.state == "running":
                    mark_failed(session, draw, message)
        except Exception:  # it will show as interrupted once stale
            pass
    finally:
        done.set()

