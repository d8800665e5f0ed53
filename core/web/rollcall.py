"""The roll call of a session, for the secretariat: the sheet, the sign-in PDF, the import.

The sheet lists the members expected at the session (seated that day, and in the
body that holds it) by name, with their seat group and attendance; one click on a
line records it, "all present" records every line not yet taken. Names are
personal data: these pages need a logged-in account and are never public, and only
the secretariat sees names (``auth.sees_personal_data``): a read-only account sees
the same sheet by public id, and cannot download the sign-in sheet or the template. Every
write goes through the one attendance service (``services.attendance``), which
refuses a future session and a member who does not sit in the session's body,
with the same message as the CLI and the API, here in the visitor's language.

The routes are added to the ``backoffice`` blueprint at import; ``backoffice.init_app``
imports this module before registering the blueprint.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, ngettext
from kleroterion import spreadsheet
from kleroterion.db import session_scope
from kleroterion.models import AssemblySession
from kleroterion.services import attendance as service
from kleroterion.services.errors import ConflictError, ServiceError
from kleroterion.web import signin_sheet
from kleroterion.web.auth import (
    ROLE_LEVEL,
    actor,
    current_role_level,
    role_required,
    sees_personal_data,
)
from kleroterion.web.backoffice import bp, write_engine
from kleroterion.web.context import current_config
from kleroterion.web.database import db_session
from kleroterion.web.forms import AttendanceImportForm
from kleroterion.web.i18n import current_language, l10n_text, refusal_text
from kleroterion.web.public import today
from werkzeug.utils import secure_filename

#: The choices of a line, in the order shown.
ATTENDANCE_CHOICES = service.ATTENDANCE


def _meeting(session_id: int) -> AssemblySession:
    meeting = db_session().get(AssemblySession, session_id)
    if meeting is None:
        abort(404)
    return meeting


def _group_labels() -> dict[str, str]:
    return {group.key: l10n_text(group.label)
            for group in current_config().composition.seat_groups}


def _render(meeting: AssemblySession, chosen: dict[int, str] | None = None,
            errors: dict[int, str] | None = None, status: int = 200, *,
            refusal: str | None = None,
            form: AttendanceImportForm | None = None) -> ResponseReturnValue:
    lines = service.roll(db_session(), meeting.id)
    recorded = {line.member.id: line.status or "" for line in lines}
    future = meeting.held_on > today()
    return render_template(
        "admin/attendance.html", meeting=meeting, lines=lines,
        chosen=chosen if chosen is not None else recorded, shown=recorded,
        errors=errors or {}, counts=service.counts(lines), choices=ATTENDANCE_CHOICES,
        groups=_group_labels(), future=future, refusal=refusal, named=sees_personal_data(),
        form=form or AttendanceImportForm(formdata=None),
        may_write=current_role_level() >= ROLE_LEVEL["secretariat"] and not future,
    ), status


@bp.route("/sessions/<int:session_id>/attendance")
@role_required("read-only")
def attendance(session_id: int) -> ResponseReturnValue:
    """The roll call: one line per member expected, by name."""
    return _render(_meeting(session_id))


def _changed_since(status: str | None) -> str:
    """The refusal of a line someone else recorded ``status`` on (None: at the same time)."""
    if status is None:
        return str(gettext("Someone else changed this line at the same time. Check it and "
                           "save again."))
    labels = {"present": gettext("present"), "excused": gettext("excused"),
              "absent": gettext("absent")}
    return str(gettext("Someone else recorded “%(status)s” for this member since the page "
                       "was shown. Check it and save again.", status=labels.get(status, status)))


class _Refused(Exception):
    """A line of the sheet was refused: roll the whole sheet back."""


def _all_present(meeting: AssemblySession) -> ResponseReturnValue:
    try:
        with session_scope(write_engine(), actor=actor()) as session:
            count = service.all_present(session, meeting.id, today=today())
    except ServiceError as refusal:
        db_session().expire_all()
        return _render(meeting, status=409 if isinstance(refusal, ConflictError) else 422,
                       refusal=refusal_text(refusal))
    flash(ngettext("%(num)d member recorded present.", "%(num)d members recorded present.",
                   count))
    return redirect(url_for("backoffice.attendance", session_id=meeting.id))


@bp.route("/sessions/<int:session_id>/attendance", methods=["POST"])
@role_required("secretariat")
def save_attendance(session_id: int) -> ResponseReturnValue:
    """Save the lines posted (one click: one line) all together or not at all.

    Each line carries the attendance the page showed (``shown-<member>``): a line left
    as shown is not written (someone else's change since stays), a line changed from
    what someone else has since recorded is refused (409) with what they recorded.
    ``all=present`` records every line not yet taken as present.
    """
    meeting = _meeting(session_id)
    if request.form.get("all") == "present":
        return _all_present(meeting)
    lines = service.roll(db_session(), meeting.id)
    recorded = {line.member.id: line.status for line in lines if line.status}
    chosen = dict(recorded)
    errors: dict[int, str] = {}
    changes: dict[int, tuple[str, str | None]] = {}
    conflict = False
    for line in lines:
        ident = line.member.id
        value = request.form.get(f"member-{ident}", "")
        field = f"shown-{ident}"
        shown = (request.form[field] or None) if field in request.form else recorded.get(ident)
        if not value or value == shown:
            continue
        chosen[ident] = value
        if value not in ATTENDANCE_CHOICES:
            errors[ident] = gettext("Choose present, excused or absent.")
        elif recorded.get(ident) not in (shown, value):
            errors[ident], conflict = _changed_since(recorded.get(ident)), True
            chosen[ident] = recorded[ident]
        elif value != recorded.get(ident):
            changes[ident] = (value, shown)
    if not errors:
        try:
            with session_scope(write_engine(), actor=actor()) as session:
                for ident, (choice, shown) in changes.items():
                    try:
                        service.record_attendance(session, meeting.id, ident, choice,
                                                     expected=shown, today=today())
                    except ConflictError:
                        # Changed between our read and our write: the session is spent.
                        errors[ident], conflict = _changed_since(None), True
                        break
                    except ServiceError as refusal:
                        errors[ident] = refusal_text(refusal)
                if errors:
                    raise _Refused
        except _Refused:
            pass
        else:
            flash(gettext("The attendance is saved."))
            return redirect(url_for("backoffice.attendance", session_id=meeting.id))
    if conflict:
        db_session().expire_all()
        recorded = {line.member.id: line.status
                    for line in service.roll(db_session(), meeting.id) if line.status}
        for ident in errors:
            if ident in recorded:
                chosen[ident] = recorded[ident]
    return _render(meeting, chosen, errors, 409 if conflict else 422)


@bp.route("/sessions/<int:session_id>/sign-in.pdf")
@role_required("secretariat")
def sign_in_sheet(session_id: int) -> ResponseReturnValue:
    """The printable sign-in sheet (feuille d'émargement): names and a box to sign."""
    meeting = _meeting(session_id)
    lines = service.roll(db_session(), meeting.id)
    pdf = signin_sheet.render(meeting, lines, _group_labels(), current_language())
    name = f"emargement-{meeting.held_on.isoformat()}-{meeting.id}.pdf"
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})


#: The template's header in each language; the import accepts each of them.
TEMPLATE_HEADERS = {"fr": ("identifiant", "nom", "statut"),
                    "nl": ("identificatie", "naam", "aanwezigheid"),
                    "en": ("public_id", "name", "status")}


@bp.route("/sessions/<int:session_id>/attendance-template.csv")
@role_required("secretariat")
def attendance_template(session_id: int) -> ResponseReturnValue:
    """The sheet to fill in and import: one line per member expected, status left blank."""
    meeting = _meeting(session_id)
    language = current_language()
    buffer = io.StringIO()
    writer = spreadsheet.writer(buffer, delimiter=";" if language != "en" else ",",
                                lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADERS.get(language, TEMPLATE_HEADERS["en"]))
    for line in service.roll(db_session(), meeting.id):
        writer.writerow([line.public_id, line.name or "", ""])
    name = f"presences-{meeting.held_on.isoformat()}-{meeting.id}.csv"
    return Response("\ufeff" + buffer.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})


@bp.route("/sessions/<int:session_id>/attendance/import", methods=["POST"])
@role_required("secretariat")
def import_attendance_sheet(session_id: int) -> ResponseReturnValue:
    """Import a filled sheet, all lines or none; a refusal names the line and the column."""
    meeting = _meeting(session_id)
    form = AttendanceImportForm()
    if not form.validate_on_submit():
        return _render(meeting, status=422, form=form)
    upload = form.upload.data
    name = secure_filename(upload.filename or "")[-100:].lstrip(".") or "attendance.csv"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(upload.read())
        try:
            with session_scope(write_engine(), actor=actor()) as session:
                count = service.import_attendance(session, meeting.id, path, today=today())
        except ServiceError as refusal:
            form.upload.errors = [*form.upload.errors, refusal_text(refusal), gettext(
                "Nothing was imported; choose the file again once corrected.")]
            return _render(meeting, status=422, form=form)
    flash(ngettext("%(num)d attendance imported.", "%(num)d attendances imported.", count))
    return redirect(url_for("backoffice.attendance", session_id=meeting.id))
