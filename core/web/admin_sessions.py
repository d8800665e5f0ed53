"""The back office's sessions: the current mandate's sessions, a new one, their texts.

A session is added through ``services.sessions.add_session`` (the CLI's ``session
add``) and, when a time or a place is given, described by ``describe_session`` in
the same transaction: refused whole, as the CLI refuses. Each session links to its
attendance and to its texts: title, place, agenda and minutes, one field per
language of the site (``describe_session``, the CLI's ``record session --place-in``).
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_wtf import FlaskForm
from kleroterion.models import AssemblySession, Mandate
from kleroterion.services import sessions, texts
from kleroterion.web.admin_common import Refusal, change, may_write
from kleroterion.web.admin_forms import SessionForm
from kleroterion.web.auth import role_required
from kleroterion.web.context import current_city, current_config
from kleroterion.web.database import current_mandate, db_session
from kleroterion.web.i18n import INTERFACE_LANGUAGES, l10n_text
from kleroterion.web.public import today
from sqlalchemy.orm import Session

bp = Blueprint("admin_sessions", __name__, url_prefix="/admin/sessions")


def _form() -> SessionForm:
    form = SessionForm()
    config = current_config()
    form.kind.choices = [(kind.key, l10n_text(kind.label))
                         for kind in config.mandate.session_kinds]
    form.body.choices = [("", gettext("The whole assembly"))] + [
        (body.key, l10n_text(body.label)) for body in config.bodies]
    if not form.is_submitted():
        form.held_on.data = today()
    return form


def _other_languages() -> list[str]:
    """The site's languages a session's title and place may be written in besides the
    first (whose text is the form's own field)."""
    languages = current_config().profile.languages
    return [code for code in dict.fromkeys((*languages, "en")) if code != languages[0]]


def _typed() -> dict[str, dict[str, str]]:
    """The title and place the form sent in other languages (field -> language -> text)."""
    found: dict[str, dict[str, str]] = {}
    for what in ("title", "place"):
        for code in _other_languages():
            text = request.form.get(f"{what}-{code}", "").strip()
            if text:
                found.setdefault(what, {})[code] = text
    return found


def _render(form: SessionForm | None = None, refusal: str | None = None,
            status: int = 200, typed: dict[str, dict[str, str]] | None = None
            ) -> ResponseReturnValue:
    mandate = current_mandate()
    rows = sessions.sessions_of(db_session(), mandate.id) if mandate else []
    config = current_config()
    return render_template(
        "admin/sessions.html", mandate=mandate, rows=rows, form=form or _form(),
        kinds={kind.key: kind.label for kind in config.mandate.session_kinds},
        bodies={body.key: body.label for body in config.bodies},
        may_write=may_write(), refusal=refusal, day=today(), languages=_other_languages(),
        language_names=INTERFACE_LANGUAGES, typed=typed or {}), status


@bp.route("/")
@role_required("read-only")
def sessions_page() -> ResponseReturnValue:
    return _render()


@bp.route("/", methods=["POST"])
@role_required("secretariat")
def new_session() -> ResponseReturnValue:
    """Add a session (and its times and place), refused whole as ``session add`` refuses."""
    mandate = current_mandate()
    form = _form()
    typed = _typed()
    if mandate is None or not form.validate_on_submit():
        return _render(form, None if mandate else gettext("No mandate is open."), 422, typed)
    starts: dt.time | None = form.starts_at.data
    ends: dt.time | None = form.ends_at.data
    place = (form.place.data or "").strip()
    places = typed.get("place")

    def add(session: Session) -> AssemblySession:
        row = sessions.add_session(session, mandate.id, form.kind.data, form.held_on.data,
                                   duration=form.duration.data, body_key=form.body.data or None,
                                   title=form.title.data or "", titles=typed.get("title"))
        if starts is not None or ends is not None or place or places:
            sessions.describe_session(session, row.id, starts_at=starts, ends_at=ends,
                                      place=place or None,
                                      translations={"place": places} if places else None)
        return row

    try:
        change(add)
    except Refusal as refusal:
        return _render(form, refusal.text, 422, typed)
    flash(gettext("The session is added."))
    return redirect(url_for("admin_sessions.sessions_page"))


def _meeting(session_id: int) -> AssemblySession:
    """A session of this city's mandates (another city's is unknown here)."""
    row = db_session().get(AssemblySession, session_id)
    mandate = db_session().get(Mandate, row.mandate_id) if row is not None else None
    if row is None or mandate is None or mandate.city != current_city().slug:
        abort(404)
    return row


def _render_texts(meeting: AssemblySession, typed: dict[str, dict[str, str]] | None = None,
                  refusal: str | None = None, status: int = 200) -> ResponseReturnValue:
    first = current_config().profile.languages[0]
    written = typed or texts.all_texts(meeting, sessions.TEXT_FIELDS, first)
    return render_template(
        "admin/session_texts.html", meeting=meeting, texts=written, form=FlaskForm(),
        languages=[first, *_other_languages()], language_names=INTERFACE_LANGUAGES,
        refusal=refusal, may_write=may_write()), status


@bp.route("/<int:session_id>/texts")
@role_required("read-only")
def texts_page(session_id: int) -> ResponseReturnValue:
    return _render_texts(_meeting(session_id))


@bp.route("/<int:session_id>/texts", methods=["POST"])
@role_required("secretariat")
def save_texts(session_id: int) -> ResponseReturnValue:
    """The session's title, place, agenda and minutes in each language of the site; a
    field left empty removes that language's text."""
    meeting = _meeting(session_id)
    languages = [current_config().profile.languages[0], *_other_languages()]
    typed = {what: {code: request.form[f"{what}-{code}"] for code in languages
                    if f"{what}-{code}" in request.form} for what in sessions.TEXT_FIELDS}
    if not FlaskForm().validate_on_submit():
        return _render_texts(meeting, typed, status=422)
    try:
        change(lambda session: sessions.describe_session(
            session, session_id, translations={k: v for k, v in typed.items() if v}))
    except Refusal as refusal:
        return _render_texts(meeting, typed, refusal.text, 422)
    flash(gettext("The texts are saved."))
    return redirect(url_for("admin_sessions.texts_page", session_id=session_id))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
