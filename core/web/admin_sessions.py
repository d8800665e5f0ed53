"""The back office's sessions: the current mandate's sessions, a new one, their texts.

A session is added through ``services.sessions.add_session`` (the CLI's ``session
add``) and, when a time or a place is given, described by ``describe_session`` in
the same transaction: refused whole, as the CLI refuses. Each session links to its
attendance and to its texts: title, place, agenda and minutes, one field per
language of the site (``describe_session``, the CLI's ``record session --place-in``).
The texts' page also lists the guests heard at the session, each with a form to
correct it (its organisation in each language) or remove it, and a form to add one.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_wtf import FlaskForm
from kleroterion.models import AssemblySession, Mandate, SessionGuest
from kleroterion.services import sessions, texts
from kleroterion.web import admin_texts
from kleroterion.web.admin_common import Refusal, change, may_write
from kleroterion.web.admin_forms import SessionForm
from kleroterion.web.admin_record_forms import GuestForm
from kleroterion.web.auth import role_required
from kleroterion.web.context import current_city, current_config
from kleroterion.web.database import current_mandate, db_session
from kleroterion.web.i18n import INTERFACE_LANGUAGES, l10n_text
from kleroterion.web.public import today
from kleroterion.web.record_words import GUEST_ROLES
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


def _guest_form(guest: SessionGuest | None = None, posted: bool = False) -> GuestForm:
    """The form of a new guest (``guest``: None) or of one heard; read from the request
    when ``posted``, else filled with what is recorded."""
    form_class = admin_texts.with_languages(GuestForm, {"organisation": 200})
    prefix = f"guest{guest.id}" if guest is not None else "guest"
    if posted:
        form = form_class(prefix=prefix)
    else:
        data = {}
        if guest is not None:
            first, *others = admin_texts.languages()
            written = texts.texts_of(guest, "organisation", first)
            data = {"name": guest.name, "role": guest.role,
                    "organisation": written.get(first, ""),
                    **{f"organisation_{code}": written.get(code, "") for code in others}}
        form = form_class(prefix=prefix, formdata=None, data=data)
    form.role.choices = [(key, str(label)) for key, label in GUEST_ROLES.items()]
    return admin_texts.name_languages(form, ["organisation"])


def _render_texts(meeting: AssemblySession, typed: dict[str, dict[str, str]] | None = None,
                  refusal: str | None = None, status: int = 200,
                  posted: tuple[int | None, GuestForm] | None = None) -> ResponseReturnValue:
    """The session's texts and guests; ``posted``: a guest's form sent and refused (the
    guest's id, None for a new one)."""
    first = current_config().profile.languages[0]
    written = typed or texts.all_texts(meeting, sessions.TEXT_FIELDS, first)
    guests = [(guest, texts.texts_of(guest, "organisation", first),
               posted[1] if posted and posted[0] == guest.id else _guest_form(guest))
              for guest in meeting.guests]
    new_guest = posted[1] if posted and posted[0] is None else _guest_form()
    return render_template(
        "admin/session_texts.html", meeting=meeting, texts=written, form=FlaskForm(),
        languages=[first, *_other_languages()], language_names=INTERFACE_LANGUAGES,
        refusal=refusal, may_write=may_write(), guests=guests, new_guest=new_guest,
        guest_roles=GUEST_ROLES,
        organisation_fields=["organisation", *(f"organisation_{code}"
                                               for code in admin_texts.others())]), status


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


def _save_guest(meeting: AssemblySession, guest: SessionGuest | None) -> ResponseReturnValue:
    """Add a guest to ``meeting`` or correct ``guest``, refused whole as the service
    refuses: the form comes back with what was typed and the refusal by its field."""
    form = _guest_form(guest, posted=True)
    key = guest.id if guest is not None else None
    valid = form.validate_on_submit()  # then the language check marks its field too
    if admin_texts.without_first(form, "organisation") or not valid:
        return _render_texts(meeting, status=422, posted=(key, form))
    organisations = admin_texts.by_language(form, "organisation")
    name, role = form.name.data or "", form.role.data
    try:
        if guest is None:
            change(lambda session: sessions.add_guest(
                session, meeting.id, name, role,
                organisations={k: v for k, v in organisations.items() if v}))
        else:
            change(lambda session: sessions.edit_guest(session, guest.id, name, role,
                                                       organisations))
    except Refusal as refusal:
        named = form._fields.get(refusal.field or "") or form.name
        named.errors = [*named.errors, refusal.text]
        return _render_texts(meeting, status=422, posted=(key, form))
    flash(gettext("The guest is saved."))
    return redirect(url_for("admin_sessions.texts_page", session_id=meeting.id,
                            _anchor="guests"))


def _guest_of(meeting: AssemblySession, guest_id: int) -> SessionGuest:
    guest = db_session().get(SessionGuest, guest_id)
    if guest is None or guest.session_id != meeting.id:
        abort(404)
    return guest


@bp.route("/<int:session_id>/guests", methods=["POST"])
@role_required("secretariat")
def add_guest(session_id: int) -> ResponseReturnValue:
    return _save_guest(_meeting(session_id), None)


@bp.route("/<int:session_id>/guests/<int:guest_id>", methods=["POST"])
@role_required("secretariat")
def edit_guest(session_id: int, guest_id: int) -> ResponseReturnValue:
    meeting = _meeting(session_id)
    return _save_guest(meeting, _guest_of(meeting, guest_id))


@bp.route("/<int:session_id>/guests/<int:guest_id>/remove", methods=["POST"])
@role_required("secretariat")
def remove_guest(session_id: int, guest_id: int) -> ResponseReturnValue:
    meeting = _meeting(session_id)
    guest = _guest_of(meeting, guest_id)
    if not FlaskForm().validate_on_submit():
        return _render_texts(meeting, status=422)
    try:
        change(lambda session: sessions.remove_guest(session, guest.id))
    except Refusal as refusal:
        return _render_texts(meeting, refusal=refusal.text, status=422)
    flash(gettext("The guest is removed."))
    return redirect(url_for("admin_sessions.texts_page", session_id=session_id,
                            _anchor="guests"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
