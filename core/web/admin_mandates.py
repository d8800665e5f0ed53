"""The back office's mandates: every mandate of the city, opening one, closing one.

Opening calls ``services.mandates.open_mandate`` and closing ``close_mandate``, the
services of the CLI's ``mandate open`` and ``mandate close``; a mandate's label and
last day change through ``edit_mandate`` under the same rules. A refusal (a term
out of the city's rules, a label taken, an overlap) is the service's sentence in
the visitor's language, and nothing is written.
"""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from kleroterion.services import mandates
from kleroterion.web.admin_common import Refusal, change, mandate_or_404, may_write
from kleroterion.web.admin_forms import ButtonForm, MandateEditForm, MandateForm
from kleroterion.web.auth import role_required
from kleroterion.web.context import current_city, current_config
from kleroterion.web.database import db_session
from kleroterion.web.i18n import INTERFACE_LANGUAGES
from kleroterion.web.public import today

bp = Blueprint("admin_mandates", __name__, url_prefix="/admin/mandates")


def _other_languages() -> list[str]:
    """The site's languages a mandate may be named in besides its label's (the first)."""
    languages = current_config().profile.languages
    return [code for code in dict.fromkeys((*languages, "en")) if code != languages[0]]


def _typed_labels() -> dict[str, str]:
    """The names the form sent (a field not sent leaves that language's name as it is)."""
    return {code: request.form[f"label-{code}"] for code in _other_languages()
            if f"label-{code}" in request.form}


def _render(form: MandateForm | None = None, refusal: str | None = None,
            status: int = 200, labels: dict[str, str] | None = None) -> ResponseReturnValue:
    if form is None:
        form = MandateForm(formdata=None, data={"starts_on": today()})
    rows = mandates.list_mandates(db_session(), current_city().slug)
    return render_template("admin/mandates.html", rows=rows, form=form,
                           button=ButtonForm(formdata=None), may_write=may_write(),
                           refusal=refusal, languages=_other_languages(),
                           language_names=INTERFACE_LANGUAGES, labels=labels or {}), status


@bp.route("/")
@role_required("read-only")
def mandates_page() -> ResponseReturnValue:
    return _render()


@bp.route("/", methods=["POST"])
@role_required("secretariat")
def new_mandate() -> ResponseReturnValue:
    """Open a mandate of the city, refused as ``mandate open`` refuses."""
    form = MandateForm()
    labels = _typed_labels()
    if not form.validate_on_submit():
        return _render(form, status=422, labels=labels)
    try:
        change(lambda session: mandates.open_mandate(
            session, current_city().slug, form.label.data or "", form.starts_on.data,
            form.ends_on.data, labels=labels))
    except Refusal as refusal:
        return _render(form, refusal.text, 422, labels)
    flash(gettext("The mandate is open."))
    return redirect(url_for("admin_mandates.mandates_page"))


@bp.route("/<int:mandate_id>/close", methods=["POST"])
@role_required("secretariat")
def close_mandate(mandate_id: int) -> ResponseReturnValue:
    """Close a mandate (its follow-up goes on), refused as ``mandate close`` refuses."""
    mandate_or_404(mandate_id)
    if not ButtonForm().validate_on_submit():
        return _render(refusal=gettext("The form has expired; try again."), status=400)
    try:
        change(lambda session: mandates.close_mandate(session, mandate_id))
    except Refusal as refusal:
        return _render(refusal=refusal.text, status=422)
    flash(gettext("The mandate is closed."))
    return redirect(url_for("admin_mandates.mandates_page"))


def _render_edit(mandate_id: int, form: MandateEditForm | None = None,
                 refusal: str | None = None, status: int = 200,
                 labels: dict[str, str] | None = None) -> ResponseReturnValue:
    mandate = mandate_or_404(mandate_id)
    if form is None:
        form = MandateEditForm(formdata=None, data={"label": mandate.label,
                                                    "ends_on": mandate.ends_on})
    return render_template("admin/mandate_edit.html", mandate=mandate, form=form,
                           refusal=refusal, languages=_other_languages(),
                           language_names=INTERFACE_LANGUAGES,
                           labels=dict(mandate.labels) if labels is None else labels), status


@bp.route("/<int:mandate_id>/edit")
@role_required("secretariat")
def edit_mandate(mandate_id: int) -> ResponseReturnValue:
    return _render_edit(mandate_id)


@bp.route("/<int:mandate_id>/edit", methods=["POST"])
@role_required("secretariat")
def save_mandate(mandate_id: int) -> ResponseReturnValue:
    """A new label or last day, refused as the rules that open a mandate refuse."""
    mandate_or_404(mandate_id)
    form = MandateEditForm()
    labels = _typed_labels()
    if not form.validate_on_submit():
        return _render_edit(mandate_id, form, status=422, labels=labels)
    try:
        change(lambda session: mandates.edit_mandate(
            session, mandate_id, label=form.label.data, ends_on=form.ends_on.data,
            labels=labels))
    except Refusal as refusal:
        return _render_edit(mandate_id, form, refusal.text, 422, labels)
    flash(gettext("The mandate is saved."))
    return redirect(url_for("admin_mandates.mandates_page"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
