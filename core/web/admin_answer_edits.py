"""The back office's correction of an answer already recorded (``/admin/answers/<id>``).

The act's follow-up page (``backoffice_followup``) lists the answers recorded, each
with a « Corriger » link to this form: its summary in each language of the city
(``admin_texts``), its verdict and its date, read against the answer's ``revision``
as the page showed it (``services.answer_edits``). A cleared language's field removes
that language's summary. A refusal re-renders the form with what was typed and the
service's sentence next to its field; a correction made by someone else since the
form was shown answers 409 with the answer as it is now. Secretariat and
administrators only: a read-only account gets 403, the form included.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from kleroterion.db import session_scope
from kleroterion.models import Proposal, ProposalResponse
from kleroterion.services import answer_edits, followup
from kleroterion.services import texts as prose
from kleroterion.services.errors import ConflictError, ServiceError
from kleroterion.web import admin_texts
from kleroterion.web.auth import actor, role_required
from kleroterion.web.backoffice import write_engine
from kleroterion.web.context import current_config
from kleroterion.web.database import db_session
from kleroterion.web.i18n import refusal_text
from kleroterion.web.record_words import VERDICTS
from wtforms import DateField, HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

bp = Blueprint("admin_answer_edits", __name__, url_prefix="/admin")


class AnswerEditForm(FlaskForm):  # type: ignore[misc]
    """A correction of one recorded answer (``answer_edits.edit_answer``)."""

    on = DateField(_l("Date of the answer"),
                   validators=[DataRequired(message=_l("Enter a valid date."))])
    summary = TextAreaField(_l("Summary (optional)"),
                            validators=[Length(max=followup.SUMMARY_LIMIT)])
    verdict = SelectField(_l("Verdict"))
    expected_revision = HiddenField()
    submit = SubmitField(_l("Save the correction"))


def _answer(answer_id: int) -> tuple[ProposalResponse, Proposal]:
    answer = db_session().get(ProposalResponse, answer_id)
    if answer is None:
        abort(404)
    proposal = db_session().get(Proposal, answer.proposal_id)
    assert proposal is not None
    return answer, proposal


def _form(answer: ProposalResponse | None = None) -> Any:
    """The form, read from the request; with ``answer``, filled with it as it is."""
    form_class = admin_texts.with_languages(AnswerEditForm,
                                            {"summary": followup.SUMMARY_LIMIT},
                                            long=("summary",))
    if answer is None:
        form = form_class()
    else:
        first = admin_texts.languages()[0]
        summaries = prose.texts_of(answer, "summary", first)
        data: dict[str, Any] = {
            "on": answer.answered_on, "verdict": answer.verdict or "",
            "expected_revision": answer_edits.revision(answer, first),
            "summary": summaries.get(first, "")}
        data.update({f"summary_{code}": summaries.get(code, "")
                     for code in admin_texts.others()})
        form = form_class(formdata=None, data=data)
    form.verdict.choices = [("", gettext("no verdict")),
                            *((key, str(VERDICTS[key])) for key in followup.VERDICTS)]
    return admin_texts.name_languages(form, ["summary"])


def _render(answer: ProposalResponse, proposal: Proposal, form: Any, error: str | None = None,
            status: int = 200) -> ResponseReturnValue:
    rules = {rule.key: rule.label
             for rule in current_config().accountability.response_deadlines}
    return render_template(
        "admin/answer_edit.html", answer=answer, proposal=proposal, form=form,
        label=rules.get(answer.deadline_key), error=error,
        summary_fields=admin_texts.language_fields(form, "summary")), status


@bp.route("/answers/<int:answer_id>")
@role_required("secretariat")
def answer_page(answer_id: int) -> ResponseReturnValue:
    answer, proposal = _answer(answer_id)
    return _render(answer, proposal, _form(answer))


@bp.route("/answers/<int:answer_id>", methods=["POST"])
@role_required("secretariat")
def edit_answer(answer_id: int) -> ResponseReturnValue:
    """Send the service the whole form: each language's summary (empty: removed), the
    verdict (none: removed) and the date, with the revision the form showed."""
    answer, proposal = _answer(answer_id)
    form = _form()
    valid = form.validate_on_submit()  # then the language check marks its field too
    if admin_texts.without_first(form, "summary") or not valid:
        return _render(answer, proposal, form, status=422)
    try:
        with session_scope(write_engine(), actor=actor()) as session:
            answer_edits.edit_answer(
                session, answer_id, summaries=admin_texts.by_language(form, "summary"),
                verdict=form.verdict.data or "", answered_on=form.on.data,
                expected_revision=form.expected_revision.data or None)
    except ConflictError:
        db_session().expire_all()
        answer, proposal = _answer(answer_id)
        return _render(answer, proposal, _form(answer), gettext(
            "Someone else corrected this answer since the page was shown. Here it is as it "
            "is now; check it and save your correction again if it is still needed."), 409)
    except ServiceError as refusal:
        field = form._fields.get(refusal.field or "") or form.summary
        field.errors = [*field.errors, refusal_text(refusal)]
        return _render(answer, proposal, form, status=422)
    flash(gettext("The answer is corrected."))
    return redirect(url_for("backoffice_followup.page", proposal_id=proposal.id,
                            _anchor="answers"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
