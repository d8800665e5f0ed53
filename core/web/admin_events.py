"""The back office's city events: meetings that belong to no single mandate.

Paris's City reports once a year to all its promotions; Brussels's follow-up
committee meets the officials after a cycle. ``/admin/events/`` lists the city's
events (every mandate's), with a form to add one; each event has a page to correct
or delete it. Title, place and summary are written in each language of the site
(``events.record_event``'s ``translations``, the CLI's ``record event --title-in``),
the first language's being required for the title. Read-only accounts may look; the
secretariat and administrators may change, as on the sessions' pages.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_wtf import FlaskForm
from kleroterion.models import CityEvent, Mandate
from kleroterion.services import events, texts
from kleroterion.web import admin_texts
from kleroterion.web.admin_common import Refusal, change, may_write
from kleroterion.web.admin_record_forms import EventForm
from kleroterion.web.auth import role_required
from kleroterion.web.context import current_city
from kleroterion.web.database import db_session
from kleroterion.web.i18n import mandate_label
from kleroterion.web.public import today
from kleroterion.web.record_words import EVENT_KINDS
from sqlalchemy import select

bp = Blueprint("admin_events", __name__, url_prefix="/admin/events")

#: An event's texts by language: the form's fields and their length limits.
TEXTS = {"title": 200, "place": 300, "summary": None}


def _mandates() -> list[Mandate]:
    return list(db_session().scalars(
        select(Mandate).where(Mandate.city == current_city().slug)
        .order_by(Mandate.starts_on, Mandate.id)))


def _form(event: CityEvent | None = None, posted: bool = False) -> EventForm:
    """The form of a new event (``event``: None) or of one recorded; read from the
    request when ``posted``, else filled with what is recorded."""
    form_class = admin_texts.with_languages(EventForm, TEXTS, long=("summary",))
    if posted:
        form = form_class()
    elif event is None:
        form = form_class(formdata=None, data={"held_on": today()})
    else:
        first, *others = admin_texts.languages()
        data: dict[str, object] = {
            "kind": event.kind, "held_on": event.held_on, "starts_at": event.starts_at,
            "ends_at": event.ends_at, "mandates": list(event.mandate_ids)}
        for name in TEXTS:
            written = texts.texts_of(event, name, first)
            data[name] = written.get(first, "")
            data.update({f"{name}_{code}": written.get(code, "") for code in others})
        form = form_class(formdata=None, data=data)
    form.kind.choices = [(key, str(label)) for key, label in EVENT_KINDS.items()]
    form.mandates.choices = [(mandate.id, mandate_label(mandate)) for mandate in _mandates()]
    return admin_texts.name_languages(form, list(TEXTS))


def _fields(form: EventForm) -> list[str]:
    """The text fields of the form, each language's after the first's."""
    return [f"{name}_{code}" if code else name for name in TEXTS
            for code in ("", *admin_texts.others())]


def _render(form: EventForm | None = None, status: int = 200) -> ResponseReturnValue:
    first = admin_texts.languages()[0]
    rows = events.events_of(db_session(), current_city().slug)
    labels = {mandate.id: mandate_label(mandate) for mandate in _mandates()}
    form = form or _form()
    return render_template(
        "admin/events.html", rows=[(row, texts.texts_of(row, "title", first),
                                    texts.texts_of(row, "place", first),
                                    [labels[i] for i in row.mandate_ids if i in labels])
                                   for row in rows],
        kinds=EVENT_KINDS, form=form, fields=_fields(form),
        may_write=may_write()), status


def _render_event(event: CityEvent, form: EventForm | None = None,
                  status: int = 200) -> ResponseReturnValue:
    form = form or _form(event)
    return render_template("admin/event.html", event=event, form=form, fields=_fields(form),
                           delete=FlaskForm(), may_write=may_write()), status


def _event(event_id: int) -> CityEvent:
    """An event of this city (another city's is unknown here)."""
    event = db_session().get(CityEvent, event_id)
    if event is None or event.city != current_city().slug:
        abort(404)
    return event


def _save(form: EventForm, event: CityEvent | None) -> ResponseReturnValue | None:
    """Record or correct the event the form describes; the page with the refusal by its
    field if refused, else None."""
    def refused() -> ResponseReturnValue:
        return _render(form, 422) if event is None else _render_event(event, form, 422)

    valid = form.validate_on_submit()  # then the language checks mark their fields too
    if any([admin_texts.without_first(form, name) for name in ("place", "summary")]) or (
            not valid):
        return refused()
    others = {name: {code: text for code, text in admin_texts.by_language(form, name).items()
                     if code != admin_texts.languages()[0]} for name in TEXTS}
    if event is None:  # a new event's empty texts are no texts
        others = {name: {code: text for code, text in given.items() if text}
                  for name, given in others.items()}
    arguments = {
        "starts_at": form.starts_at.data, "ends_at": form.ends_at.data,
        "place": form.place.data or "", "summary": form.summary.data or "",
        "mandate_ids": list(form.mandates.data or []),
        "translations": {name: given for name, given in others.items() if given} or None}
    try:
        if event is None:
            change(lambda session: events.record_event(
                session, current_city().slug, form.kind.data, form.held_on.data,
                form.title.data or "", **arguments))
        else:
            change(lambda session: events.edit_event(
                session, event.id, form.kind.data, form.held_on.data, form.title.data or "",
                **arguments))
    except Refusal as refusal:
        named = form._fields.get({"mandate_ids": "mandates"}.get(refusal.field or "",
                                                                 refusal.field or ""))
        named = named or form.title
        named.errors = [*named.errors, refusal.text]
        return refused()
    return None


@bp.route("/")
@role_required("read-only")
def events_page() -> ResponseReturnValue:
    return _render()


@bp.route("/", methods=["POST"])
@role_required("secretariat")
def new_event() -> ResponseReturnValue:
    refused = _save(_form(posted=True), None)
    if refused is not None:
        return refused
    flash(gettext("The event is added."))
    return redirect(url_for("admin_events.events_page"))


@bp.route("/<int:event_id>")
@role_required("read-only")
def event_page(event_id: int) -> ResponseReturnValue:
    return _render_event(_event(event_id))


@bp.route("/<int:event_id>", methods=["POST"])
@role_required("secretariat")
def save_event(event_id: int) -> ResponseReturnValue:
    event = _event(event_id)
    refused = _save(_form(event, posted=True), event)
    if refused is not None:
        return refused
    flash(gettext("The event is saved."))
    return redirect(url_for("admin_events.event_page", event_id=event_id))


@bp.route("/<int:event_id>/delete", methods=["POST"])
@role_required("secretariat")
def delete_event(event_id: int) -> ResponseReturnValue:
    event = _event(event_id)
    if not FlaskForm().validate_on_submit():
        return _render_event(event, status=422)
    try:
        change(lambda session: events.delete_event(session, event_id))
    except Refusal as refusal:
        form = _form(event)
        form.title.errors = [refusal.text]
        return _render_event(event, form, 422)
    flash(gettext("The event is deleted."))
    return redirect(url_for("admin_events.events_page"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
