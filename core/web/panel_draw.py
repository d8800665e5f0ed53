"""The back office's panel draw: one page per seat group, from the computation to the seat.

A stratified seat group is drawn in the two steps of the published lottery
(:mod:`kleroterion.services.panel`): the secretariat starts the computation, which
runs as a job of the queue (:mod:`kleroterion.jobs`: LEXIMIN may take minutes on a
large pool; the request returns at once) and writes its progress on the draw; the
page shows it, refreshing itself every two seconds without JavaScript (a
``<noscript>`` meta refresh) or updating a live region with it. Once the lottery is
published the page gives its digests, the folder to download and how to verify it,
and a form for the public number, which seats the panel. A uniform group is
drawn likewise: its candidates are committed (their digest published), then the
public number draws from them; an open group seats its volunteers. The state lives
in the database, so any worker process shows the same page, and a computation whose
worker stopped shows as failed, to start again.
Read-only accounts see every state, without the forms.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from kleroterion import jobs
from kleroterion.city.types import SeatGroup
from kleroterion.db import session_scope
from kleroterion.jobs.tasks import DRAW_JOBS, queue_draw
from kleroterion.models import Draw, Mandate, Respondent, utcnow
from kleroterion.services import panel, quotas
from kleroterion.services.errors import ServiceError
from kleroterion.web import draw_progress, relaxation, source
from kleroterion.web.auth import ROLE_LEVEL, actor, current_role_level, role_required
from kleroterion.web.context import current_config, current_engine
from kleroterion.web.database import current_mandate, db_session
from kleroterion.web.forms import PublicNumberForm, StartDrawForm
from kleroterion.web.i18n import refusal_text
from kleroterion.web.public import today
from kleroterion.web.records import lottery_root, lottery_zip
from sqlalchemy import Engine
from sqlalchemy.orm import Session

bp = Blueprint("panel_draw", __name__, url_prefix="/admin/draw")

#: Seconds between two refreshes of the progress page.
REFRESH_SECONDS = 2
#: What an interrupted draw shows (the words ``panel`` records when it expires it).
INTERRUPTED = ("the computation was interrupted (the server stopped or restarted); start the "
               "draw again")


def write_engine() -> Engine:
    bind = db_session().get_bind()
    assert isinstance(bind, Engine)
    return bind


def _group(key: str) -> tuple[Mandate, SeatGroup]:
    mandate = current_mandate()
    if mandate is None:
        abort(404)
    for group in current_config().composition.seat_groups:
        if group.key == key:
            return mandate, group
    abort(404)


def _latest(mandate: Mandate, group: SeatGroup) -> Draw | None:
    """The group's latest draw as it stands; one whose worker stopped shows as failed.

    Read only (a GET writes nothing): the failure is recorded by the next write, the
    start of a new draw; meanwhile the page shows a detached copy in that state.
    """
    return shown(panel.latest_panel_draw(db_session(), mandate.id, group.key))


def shown(draw: Draw | None) -> Draw | None:
    """A draw as a page shows it: one whose worker stopped (stale) shows as failed.

    Read only (a GET writes nothing): the failure is recorded by the next write;
    meanwhile the page shows a detached copy in that state.
    """
    if draw is not None and draw.state == "running":
        beat = draw.heartbeat_at or draw.created_at
        if beat is not None and beat < utcnow() - panel.STALE_AFTER:
            db_session().expunge(draw)  # never flushed: the change is for this page only
            draw.state, draw.message = "failed", INTERRUPTED
    return draw


def status_of(draw: Draw | None) -> Response:
    """A draw's state and progress, for the page's script (numbers and keys only)."""
    if draw is None:
        return jsonify({"state": None, "stage": None, "fraction": None, "words": None,
                        "percent": None})
    return jsonify({
        "state": draw.state,
        "stage": draw.progress_stage,
        "fraction": draw.progress_fraction,
        # What the page says: the stage in words, and a percentage below 100 until done.
        "words": draw_progress.stage_words(draw.progress_stage),
        "percent": draw_progress.percent(draw.progress_stage, draw.progress_fraction,
                                         draw.state),
    })


def queue_job(draw: Draw) -> None:
    """Put a started draw's computation on the job queue (called once it is committed).

    When the broker is down the draw waits as queued; the workers recover it.
    """
    try:
        jobs.enqueue(current_app._get_current_object(),  # type: ignore[attr-defined]
                     DRAW_JOBS[draw.kind], draw.id, actor())
    except Exception:
        current_app.logger.exception("draw %s could not be queued", draw.id)


def _start_form(group: SeatGroup) -> StartDrawForm:
    form = StartDrawForm()
    algorithms = current_engine().algorithms
    form.algorithm.choices = [(name, name.upper()) for name in algorithms]
    if not form.is_submitted():
        form.algorithm.data = current_config().composition.selection_algorithm
    return form


def _render(group_key: str, *, start: StartDrawForm | None = None,
            number: PublicNumberForm | None = None, refusal: str | None = None,
            status: int = 200) -> ResponseReturnValue:
    mandate, group = _group(group_key)
    draw = _latest(mandate, group)
    seated: list[Respondent] = []
    if draw is not None and draw.state == "chosen":
        chosen = {entry.respondent_id for entry in draw.entries if entry.selected}
        seated = sorted((r for r in (db_session().get(Respondent, i) for i in chosen)
                         if r is not None), key=lambda r: r.public_id)
    return render_template(
        "admin/panel_draw.html", mandate=mandate, group=group, draw=draw, seated=seated,
        start=start or _start_form(group), number=number or PublicNumberForm(formdata=None),
        refusal=refusal, may_write=current_role_level() >= ROLE_LEVEL["secretariat"],
        refresh=REFRESH_SECONDS, progress=draw_progress,
        failure=relaxation.read(draw.message, current_config().composition.features)
        if draw is not None and draw.state == "failed" else [],
        # The failed draw's relaxation, which the mandate's quotas may take in one click.
        advice=bool(quotas.advice(draw.message))
        if draw is not None and draw.state == "failed" else False,
        lottery_size=panel.LOTTERY_SIZE,
        folder_name=Path(draw.lottery_folder).name if draw and draw.lottery_folder else None,
    ), status


@bp.route("/<group_key>")
@role_required("read-only")
def page(group_key: str) -> ResponseReturnValue:
    return _render(group_key)


@bp.route("/<group_key>/status.json")
@role_required("read-only")
def status(group_key: str) -> Response:
    """The draw's state and progress, for the page's script (numbers and keys only)."""
    mandate, group = _group(group_key)
    return status_of(_latest(mandate, group))


@bp.route("/<group_key>/start", methods=["POST"])
@role_required("secretariat")
def start(group_key: str) -> ResponseReturnValue:
    """Open the draw and put its computation on the job queue; the request returns at once."""
    mandate, group = _group(group_key)
    form = _start_form(group)
    if group.selection == "open":
        return _render(group_key, refusal=gettext(
            "This seat group is not drawn: its volunteers join the assembly directly."),
            status=422)
    if not form.validate_on_submit():
        return _render(group_key, start=form, status=422)
    try:
        with session_scope(write_engine(), actor=actor()) as session:
            # The group's rule decides what starting means (services.panel.open_draw).
            draw = panel.open_draw(session, mandate.id, group.key, lottery_root(current_app),
                                   algorithm=form.algorithm.data,
                                   time_limit=form.time_limit.data, engine=current_engine())
            if draw.state == "running":
                queue_draw(session, draw.id)
    except ServiceError as refusal:
        return _render(group_key, start=form, refusal=refusal_text(refusal), status=422)
    if draw.state == "running":
        queue_job(draw)
    return redirect(url_for("panel_draw.page", group_key=group.key))


@bp.route("/<group_key>/choose", methods=["POST"])
@role_required("secretariat")
def choose(group_key: str) -> ResponseReturnValue:
    """Seat the panel the public number chooses (a uniform group: draw it with the number)."""
    mandate, group = _group(group_key)
    # The group's rule decides what the number does (services.panel_records).
    return enter_number(
        lambda session, number: panel.use_public_number(
            session, mandate.id, group.key, number, today(), lottery_root(current_app),
            engine=current_engine()),
        lambda form: _render(group_key, number=form, status=422),
        gettext("The panel is seated."), url_for("panel_draw.page", group_key=group.key))


def enter_number(use: Callable[[Session, str], object],
                 refused: Callable[[PublicNumberForm], ResponseReturnValue], done: str,
                 then: str) -> ResponseReturnValue:
    """The public number's form posted: ``use`` it (a service door) in one transaction.

    A refusal is shown next to the field (``refused`` renders the page again with
    the form); else ``done`` is said on the page ``then``.
    """
    form = PublicNumberForm()
    if not form.validate_on_submit():
        return refused(form)
    try:
        with session_scope(write_engine(), actor=actor()) as session:
            use(session, form.public_number.data)
    except ServiceError as refusal:
        form.public_number.errors = [*form.public_number.errors, refusal_text(refusal)]
        return refused(form)
    flash(done)
    return redirect(then)


@bp.route("/<group_key>/lottery.zip")
@role_required("read-only")
def download(group_key: str) -> Response:
    mandate, group = _group(group_key)
    draw = _latest(mandate, group)
    if draw is None:
        abort(404)
    return lottery_zip(draw)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    # The source the draw page tells anyone to install, to verify a draw (AGPL-3.0 §13).
    source.init_app(app)
