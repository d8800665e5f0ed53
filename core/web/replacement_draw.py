"""The back office's replacement draw: one page per withdrawn member, as for a panel.

The secretariat starts the draw; a stratified seat group's one-seat lottery is
computed as a job of the queue (``replacement_draw``, :mod:`kleroterion.jobs`), whose
progress the page shows (refreshing itself without JavaScript, or updating a live
region with it); a uniform group's candidates are committed at once. Once the lottery
is published the page gives its digest, the folder and how to verify it, and a form
for the public number, which seats the replacement. What the draw is and does is
decided by :mod:`kleroterion.services.replacements`; this page only calls it.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from kleroterion.db import session_scope
from kleroterion.jobs.tasks import queue_draw
from kleroterion.models import Draw, Member, Respondent
from kleroterion.services import panel, replacements
from kleroterion.services.errors import ServiceError
from kleroterion.web import draw_progress
from kleroterion.web.auth import ROLE_LEVEL, actor, current_role_level, role_required
from kleroterion.web.context import current_config, current_engine
from kleroterion.web.database import current_mandate, db_session
from kleroterion.web.forms import PublicNumberForm, StartReplacementForm
from kleroterion.web.i18n import refusal_text
from kleroterion.web.panel_draw import (
    REFRESH_SECONDS,
    enter_number,
    queue_job,
    shown,
    status_of,
    write_engine,
)
from kleroterion.web.public import today
from kleroterion.web.records import lottery_root, lottery_zip

bp = Blueprint("replacement_draw", __name__, url_prefix="/admin/replacement")


def _member(member_id: int) -> Member:
    """A withdrawn member of the current mandate (of this city), or 404."""
    mandate = current_mandate()
    member = db_session().get(Member, member_id)
    if mandate is None or member is None or member.mandate_id != mandate.id:
        abort(404)
    return member


def _latest(member: Member) -> Draw | None:
    """The member's latest replacement draw, as shown (a stale one as failed)."""
    return shown(replacements.latest_replacement_draw(db_session(), member.id))


def _render(member: Member, *, number: PublicNumberForm | None = None,
            refusal: str | None = None, status: int = 200) -> ResponseReturnValue:
    draw = _latest(member)
    seated: list[Respondent] = []
    if draw is not None and draw.state == "chosen":
        chosen = {entry.respondent_id for entry in draw.entries if entry.selected}
        seated = [r for r in (db_session().get(Respondent, i) for i in sorted(chosen))
                  if r is not None]
    groups = {group.key: group for group in current_config().composition.seat_groups}
    return render_template(
        "admin/replacement_draw.html", member=member, group=groups.get(member.seat_group),
        draw=draw, seated=seated, start=StartReplacementForm(formdata=None),
        number=number or PublicNumberForm(formdata=None), refusal=refusal,
        may_write=current_role_level() >= ROLE_LEVEL["secretariat"],
        refresh=REFRESH_SECONDS, lottery_size=panel.LOTTERY_SIZE, progress=draw_progress,
    ), status


@bp.route("/<int:member_id>")
@role_required("read-only")
def page(member_id: int) -> ResponseReturnValue:
    return _render(_member(member_id))


@bp.route("/<int:member_id>/status.json")
@role_required("read-only")
def status(member_id: int) -> Response:
    """The draw's state and progress, for the page's script (numbers and keys only)."""
    return status_of(_latest(_member(member_id)))


@bp.route("/<int:member_id>/start", methods=["POST"])
@role_required("secretariat")
def start(member_id: int) -> ResponseReturnValue:
    """Open the replacement draw; its computation goes on the job queue at once."""
    member = _member(member_id)
    form = StartReplacementForm()
    if not form.validate_on_submit():
        return _render(member, refusal=gettext("The form expired; send it again."),
                       status=422)
    try:
        with session_scope(write_engine(), actor=actor()) as session:
            draw = replacements.start_replacement(session, member.id, lottery_root(current_app),
                                                  background=True, engine=current_engine())
            if draw.state == "running":
                queue_draw(session, draw.id)
    except ServiceError as refusal:
        return _render(member, refusal=refusal_text(refusal), status=422)
    if draw.state == "running":
        queue_job(draw)
    return redirect(url_for("replacement_draw.page", member_id=member.id))


@bp.route("/<int:member_id>/choose", methods=["POST"])
@role_required("secretariat")
def choose(member_id: int) -> ResponseReturnValue:
    """Seat the replacement the public number draws from the published lottery."""
    member = _member(member_id)
    return enter_number(
        lambda session, number: replacements.use_public_number(
            session, member.id, number, today(), lottery_root(current_app)),
        lambda form: _render(member, number=form, status=422),
        gettext("The replacement is seated."),
        url_for("replacement_draw.page", member_id=member.id))


@bp.route("/<int:member_id>/lottery.zip")
@role_required("read-only")
def download(member_id: int) -> Response:
    draw = _latest(_member(member_id))
    if draw is None:
        abort(404)
    return lottery_zip(draw)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
