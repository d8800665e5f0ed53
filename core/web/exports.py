"""The back office's exports: invitation letters, reminders and the yearly report, by a worker.

A secretariat starts an export from ``/admin/exports`` (the letters with the mail-merge
file their invitation draw wrote; the report with its year, language and format); the
request records it and puts job ``export`` on the queue (:mod:`kleroterion.jobs`), and
returns at once to the export's page, which says where it stands in words, refreshing
itself every few seconds without JavaScript, and gives the file to download once it is
made, or the reason it failed in the reader's language. The state lives in the
database, so every web worker shows the same page. Letters carry addresses: only a
secretariat downloads them; a report may be read by any back-office account.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_number, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from kleroterion import jobs
from kleroterion.db import session_scope
from kleroterion.messages import Message
from kleroterion.models import ExportJob, InvitationDraw
from kleroterion.services import exports
from kleroterion.services.errors import ServiceError
from kleroterion.web import promotions
from kleroterion.web.auth import ROLE_LEVEL, actor, current_role_level, role_required
from kleroterion.web.context import current_city
from kleroterion.web.database import current_mandate, db_session
from kleroterion.web.i18n import current_language, refusal_text
from kleroterion.web.records import report_years
from sqlalchemy import Engine, select
from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Optional

bp = Blueprint("exports", __name__, url_prefix="/admin/exports")

#: Seconds between two refreshes of a running export's page.
REFRESH_SECONDS = 3
LISTED = 50

KIND_NAMES: dict[str, Any] = {
    "letters": _l("Invitation letters"),
    "reminders": _l("Reminder letters"),
    "report": _l("Yearly follow-up report"),
}
STATE_NAMES: dict[str, Any] = {
    "queued": _l("queued"),
    "running": _l("running"),
    "done": _l("finished"),
    "failed": _l("failed"),
}
LANGUAGE_NAMES: dict[str, Any] = {"fr": _l("French"), "nl": _l("Dutch"), "en": _l("English")}
FORMAT_NAMES: dict[str, Any] = {"markdown": _l("Text (Markdown)"), "csv": _l("Spreadsheet (CSV)")}


class LettersForm(FlaskForm):  # type: ignore[misc]  # flask-wtf has no type hints
    """Letters or reminders of an invitation draw, from its mail-merge file."""

    kind = SelectField(_l("Letters"))
    invitation_draw = SelectField(_l("Invitation draw"), coerce=int)
    upload = FileField(_l("Mail-merge file the invitation draw wrote (CSV)"),
                       validators=[FileRequired(message=_l("Choose a file."))])
    answers_until = DateField(_l("Last day to answer"),
                              validators=[DataRequired(message=_l("Enter a valid date."))])
    url = StringField(_l("Address of the answer page (optional)"), validators=[Optional()])
    submit = SubmitField(_l("Start the letters"))


class ReportForm(FlaskForm):  # type: ignore[misc]
    """The yearly follow-up report: its year, language and format."""

    year = SelectField(_l("Year"), coerce=int)
    language = SelectField(_l("Language"))
    format = SelectField(_l("Format"))
    submit = SubmitField(_l("Start the report"))


def _engine() -> Engine:
    bind = db_session().get_bind()
    assert isinstance(bind, Engine)
    return bind


def _instance() -> Path:
    return Path(current_app.instance_path)


def _draws() -> list[InvitationDraw]:
    mandate = current_mandate()
    if mandate is None:
        return []
    return list(db_session().scalars(select(InvitationDraw).where(
        InvitationDraw.mandate_id == mandate.id).order_by(InvitationDraw.id.desc())))


def _letters_form() -> LettersForm:
    form = LettersForm()
    form.kind.choices = [(key, KIND_NAMES[key]) for key in ("letters", "reminders")]
    form.invitation_draw.choices = [
        (draw.id, gettext("Draw %(id)s: %(count)s letters, %(group)s", id=draw.id,
                          count=format_number(draw.count), group=draw.seat_group))
        for draw in _draws()]
    return form


def _report_form() -> ReportForm:
    form = ReportForm()
    form.year.choices = [(year, str(year)) for year in report_years(promotions.city_mandates())]
    form.language.choices = list(LANGUAGE_NAMES.items())
    form.format.choices = list(FORMAT_NAMES.items())
    if not form.is_submitted():
        form.language.data = current_language()
    return form


def progress_words(export: ExportJob) -> str:
    """Where the export stands, in the reader's language."""
    return exports.describe(export, gettext, format_number)


def reason_words(export: ExportJob) -> str:
    """Why it failed, in the reader's language."""
    if not export.reason:
        return ""
    message = Message(export.reason, **(export.reason_params or {}))
    return message.translated(gettext, current_language())


def _render_list(letters: LettersForm | None = None, report: ReportForm | None = None,
                 refusal: str | None = None, status: int = 200) -> ResponseReturnValue:
    listed = list(db_session().scalars(
        select(ExportJob).where(ExportJob.city == current_city().slug)
        .order_by(ExportJob.id.desc()).limit(LISTED)))
    return render_template(
        "admin/exports.html", exports=listed, letters=letters or _letters_form(),
        report=report or _report_form(), refusal=refusal, kinds=KIND_NAMES,
        states=STATE_NAMES, progress=progress_words,
        may_write=current_role_level() >= ROLE_LEVEL["secretariat"]), status


@bp.route("/")
@role_required("read-only")
def index() -> ResponseReturnValue:
    return _render_list()


def _queue(kind: str, params: dict[str, Any], mailmerge: bytes | None = None) -> int:
    with session_scope(_engine(), actor=actor()) as session:
        export = exports.start(session, exports.exports_root(_instance()), kind, params,
                               actor=actor(), mailmerge=mailmerge)
        export_id = export.id
    try:
        jobs.enqueue(current_app._get_current_object(),  # type: ignore[attr-defined]
                     "export", export_id, actor())
    except Exception:  # the broker is down: the export waits as queued; workers recover it
        current_app.logger.exception("export %s could not be queued", export_id)
    return export_id


@bp.route("/letters", methods=["POST"])
@role_required("secretariat")
def start_letters() -> ResponseReturnValue:
    form = _letters_form()
    if not form.validate_on_submit():
        return _render_list(letters=form, status=422)
    params = {"invitation_draw_id": form.invitation_draw.data,
              "answers_until": form.answers_until.data.isoformat(),
              "url": (form.url.data or "").strip(), "template": None}
    try:
        export_id = _queue(form.kind.data, params, form.upload.data.read())
    except ServiceError as refusal:
        return _render_list(letters=form, refusal=refusal_text(refusal), status=422)
    return redirect(url_for("exports.page", export_id=export_id))


@bp.route("/report", methods=["POST"])
@role_required("secretariat")
def start_report() -> ResponseReturnValue:
    form = _report_form()
    if not form.validate_on_submit():
        return _render_list(report=form, status=422)
    params = {"city": current_city().slug, "year": form.year.data,
              "language": form.language.data, "format": form.format.data, "mandate_ids": []}
    try:
        export_id = _queue("report", params)
    except ServiceError as refusal:
        return _render_list(report=form, refusal=refusal_text(refusal), status=422)
    return redirect(url_for("exports.page", export_id=export_id))


def _export(export_id: int) -> ExportJob:
    export = db_session().get(ExportJob, export_id)
    if export is None or export.city != current_city().slug:
        abort(404)
    return export


@bp.route("/<int:export_id>")
@role_required("read-only")
def page(export_id: int) -> ResponseReturnValue:
    export = _export(export_id)
    return render_template(
        "admin/export.html", export=export, kinds=KIND_NAMES, states=STATE_NAMES,
        progress=progress_words(export), reason=reason_words(export),
        refresh=REFRESH_SECONDS, params=_shown_params(export),
        file=exports.result_path(_instance(), export),
        may_download=export.kind == "report"
        or current_role_level() >= ROLE_LEVEL["secretariat"])


def _shown_params(export: ExportJob) -> list[tuple[str, str]]:
    params = export.params
    if export.kind == "report":
        return [(gettext("Year"), str(params.get("year"))),
                (gettext("Language"), str(LANGUAGE_NAMES.get(str(params.get("language")), ""))),
                (gettext("Format"), str(FORMAT_NAMES.get(str(params.get("format")), "")))]
    return [(gettext("Invitation draw"), str(params.get("invitation_draw_id"))),
            (gettext("Last day to answer"), str(params.get("answers_until")))]


@bp.route("/<int:export_id>/download")
@role_required("read-only")
def download(export_id: int) -> Response:
    export = _export(export_id)
    if export.kind != "report" and current_role_level() < ROLE_LEVEL["secretariat"]:
        abort(403)
    path = exports.result_path(_instance(), export)
    if path is None:
        abort(404)
    return send_file(path, as_attachment=True, download_name=path.name)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
