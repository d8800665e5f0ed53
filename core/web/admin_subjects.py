"""The back office's subjects: every promotion's subjects, one corrected, one deleted.

A subject is corrected through ``services.subjects.edit_subject`` (the CLI's
``subject edit``, the API's ``PATCH /api/subjects/<id>``): its title, summary and
note in each of the city's languages, its origin among those the city accepts, the
day it was proposed and the workshops on it, refused whole as the CLI refuses.
Deleting one recorded in error (``delete_subject``) is refused while acts answer it,
naming them; its workshops stay.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from kleroterion.city.types import SUBJECT_ORIGINS
from kleroterion.models import Mandate, Subject
from kleroterion.services import subjects
from kleroterion.web import promotions
from kleroterion.web.admin_common import Refusal, change, may_write
from kleroterion.web.admin_forms import ButtonForm, SubjectForm
from kleroterion.web.auth import role_required
from kleroterion.web.context import current_config
from kleroterion.web.database import db_session
from kleroterion.web.i18n import INTERFACE_LANGUAGES, l10n_text
from kleroterion.web.record_words import SUBJECT_ORIGINS as ORIGIN_WORDS

bp = Blueprint("admin_subjects", __name__, url_prefix="/admin/subjects")

#: The texts of a subject, each one field per language of the city.
TEXTS = ("title", "summary", "origin_note")


@bp.route("/")
@role_required("read-only")
def subjects_page() -> ResponseReturnValue:
    every = promotions.city_mandates()
    by_id = {m.id: m for m in every}
    rows = subjects.subjects_of(db_session(), list(by_id)) if by_id else []
    rows.sort(key=lambda s: (by_id[s.mandate_id].starts_on, s.id), reverse=True)
    return render_template("admin/subjects.html", rows=rows, mandates=by_id,
                           origins=ORIGIN_WORDS)


def _subject(subject_id: int) -> tuple[Subject, Mandate]:
    """The subject of one of the city's mandates, or a 404 (another city's is unknown)."""
    found = db_session().get(Subject, subject_id)
    mandate = db_session().get(Mandate, found.mandate_id) if found is not None else None
    if found is None or mandate is None:
        abort(404)
    return found, mandate


def _form(subject: Subject, mandate: Mandate, submitted: bool) -> SubjectForm:
    form = SubjectForm() if submitted else SubjectForm(formdata=None, data={
        "origin": subject.origin, "proposed_on": subject.proposed_on,
        "workshops": [w.key for w in subject.workshops]})
    accepted = current_config().mandate.subject_origins or SUBJECT_ORIGINS
    form.origin.choices = [(key, str(ORIGIN_WORDS.get(key, key))) for key in accepted]
    form.workshops.choices = [(w.key, l10n_text(w.label))
                              for w in subjects.workshops_of(db_session(), [mandate.id])]
    return form


def _render(subject: Subject, mandate: Mandate, form: SubjectForm | None = None,
            typed: dict[str, dict[str, str]] | None = None, refusal: str | None = None,
            status: int = 200) -> ResponseReturnValue:
    texts = typed or {what: dict(getattr(subject, what)) for what in TEXTS}
    return render_template(
        "admin/subject.html", subject=subject, mandate=mandate,
        form=form or _form(subject, mandate, False), delete_form=ButtonForm(formdata=None),
        texts=texts, languages=current_config().profile.languages,
        language_names=INTERFACE_LANGUAGES,
        acts=subjects.acts_on(db_session(), subject.id),
        may_write=may_write(), refusal=refusal), status


@bp.route("/<int:subject_id>")
@role_required("read-only")
def subject_page(subject_id: int) -> ResponseReturnValue:
    return _render(*_subject(subject_id))


@bp.route("/<int:subject_id>", methods=["POST"])
@role_required("secretariat")
def save_subject(subject_id: int) -> ResponseReturnValue:
    """Every text of every language as the page sent it, the origin, the day, the workshops."""
    subject, mandate = _subject(subject_id)
    languages = current_config().profile.languages
    typed = {what: {language: request.form.get(f"{what}-{language}", "")
                    for language in languages} for what in TEXTS}
    form = _form(subject, mandate, True)
    if not form.validate_on_submit():
        return _render(subject, mandate, form, typed, status=422)
    try:
        change(lambda session: subjects.edit_subject(
            session, subject_id, title=typed["title"], summary=typed["summary"],
            origin_note=typed["origin_note"], origin=form.origin.data,
            proposed_on=form.proposed_on.data, workshop_keys=list(form.workshops.data or [])))
    except Refusal as refusal:
        return _render(subject, mandate, form, typed, refusal.text, 422)
    flash(gettext("The subject is saved."))
    return redirect(url_for("admin_subjects.subject_page", subject_id=subject_id))


@bp.route("/<int:subject_id>/delete", methods=["POST"])
@role_required("secretariat")
def delete_subject(subject_id: int) -> ResponseReturnValue:
    """Delete a subject recorded in error; refused, naming them, while acts answer it."""
    subject, mandate = _subject(subject_id)
    if not ButtonForm().validate_on_submit():
        return _render(subject, mandate, refusal=gettext("The form has expired; try again."),
                       status=400)
    try:
        detached = change(lambda session: subjects.delete_subject(session, subject_id))
    except Refusal as refusal:
        return _render(subject, mandate, refusal=refusal.text, status=422)
    if detached:
        flash(gettext("The subject is deleted; these workshops no longer list it: "
                      "%(workshops)s", workshops=", ".join(detached)))
    else:
        flash(gettext("The subject is deleted."))
    return redirect(url_for("admin_subjects.subjects_page"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
