"""The back office's follow-up of an act: responses to its deadlines, commitments, milestones.

One page per act (``/admin/proposals/<id>/follow-up``) shows the answers the city's
accountability rules make due (which are overdue), and for an adopted act its
commitments with their milestones, each with the forms that change them. The forms
post to their own routes, which call ``kleroterion.services.followup`` (where every
rule lives, shared with the CLI and the API) in ``session_scope`` with the logged-in
user as the audit actor. A refused form re-renders the whole page with what was
typed and the service's sentence next to the field its ``field`` names; a form read
before someone else's change answers 409 with the page as it is now.

A commitment's title and department, and a milestone's title, have one field per
language of the site (``title_en``, ``department_nl``...): the form's own ``title``
is the city's first language's when adding; updating shows every language's text,
and sends the service the ones changed (an emptied one removes that language's).

The person named responsible for a commitment is personal data: it is shown here,
to logged-in accounts only, never on the public follow-up pages or in the API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Blueprint, Flask, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from kleroterion.city.types import Localized, ProposalKind
from kleroterion.db import session_scope
from kleroterion.models import Commitment, Mandate, Milestone, Proposal
from kleroterion.services import followup, proposals, texts
from kleroterion.services.context import city_of
from kleroterion.services.errors import ConflictError, ServiceError
from kleroterion.web import admin_texts, records
from kleroterion.web.auth import ROLE_LEVEL, actor, current_role_level, role_required
from kleroterion.web.backoffice import write_engine
from kleroterion.web.context import current_config
from kleroterion.web.database import db_session
from kleroterion.web.forms import (
    CommitmentForm,
    CommitmentUpdateForm,
    MilestoneDoneForm,
    MilestoneForm,
    MilestoneTitleForm,
    ResponseForm,
)
from kleroterion.web.i18n import INTERFACE_LANGUAGES, refusal_text
from kleroterion.web.public import today
from markupsafe import Markup
from sqlalchemy.orm import Session
from wtforms import StringField
from wtforms.validators import Length

bp = Blueprint("backoffice_followup", __name__, url_prefix="/admin")

#: How each status the service allows is offered (the msgids of the public pages).
STATUS_LABELS = {"planned": _l("planned"), "in_progress": _l("in progress"),
                 "done": _l("done"), "abandoned": _l("abandoned")}

#: Forms re-rendered as they were posted, by the key ``_forms_of`` gives them.
Posted = dict[str, FlaskForm]
F = TypeVar("F", bound=FlaskForm)
#: The texts written per language: field -> (its label, its length limit).
COMMITMENT_TEXTS = {"title": (_l("Title"), 300), "department": (_l("Responsible department"), 200)}
MILESTONE_TEXTS = {"title": (_l("Milestone"), 300)}


def _languages() -> list[str]:
    """The languages of the site, the city's first first (and English for visitors)."""
    return list(dict.fromkeys((*current_config().profile.languages, "en")))


def _in_languages(form: type[F], fields: Mapping[str, tuple[LazyString, int]],
                  languages: list[str]) -> type[F]:
    """``form`` with one field ``<name>_<language>`` per field and language."""
    added: dict[str, Any] = {}
    for name, (label, limit) in fields.items():
        for code in languages:
            added[f"{name}_{code}"] = StringField(
                Markup('{} (<span lang="{}">{}</span>)').format(
                    label, code, INTERFACE_LANGUAGES.get(code, code)),
                validators=[Length(max=limit)], render_kw={"lang": code})
    return type(form.__name__, (form,), added)


def _text_names(fields: Mapping[str, object], languages: list[str]) -> list[str]:
    return [f"{name}_{code}" for name in fields for code in languages]


def _typed(form: FlaskForm, name: str, languages: list[str]) -> dict[str, str]:
    """What ``form`` says of ``name`` in each of ``languages``, stripped; a field the
    request did not send is left out (not emptied)."""
    return {code: (form[f"{name}_{code}"].data or "").strip() for code in languages
            if form[f"{name}_{code}"].raw_data}


def _changed(typed: Mapping[str, str], written: Mapping[str, str]) -> dict[str, str] | None:
    """The texts typed that differ from those written (None when none does)."""
    changed = {code: text for code, text in typed.items() if text != written.get(code, "")}
    return changed or None


@dataclass
class DeadlineRow:
    """A response the addressee owes, and the form that records it while unanswered."""

    deadline: followup.Deadline
    label: Localized
    overdue: bool
    form: ResponseForm | None


@dataclass
class MilestoneRow:
    milestone: Milestone
    overdue: bool
    form: MilestoneDoneForm | None
    titles: Localized = field(default_factory=dict)
    rename: MilestoneTitleForm | None = None


@dataclass
class CommitmentRow:
    commitment: Commitment
    overdue: bool
    milestones: list[MilestoneRow]
    update: CommitmentUpdateForm
    add_milestone: MilestoneForm
    titles: Localized = field(default_factory=dict)
    departments: Localized = field(default_factory=dict)


def _act(proposal_id: int) -> tuple[Proposal, Mandate, ProposalKind]:
    proposal = db_session().get(Proposal, proposal_id)
    if proposal is None:
        abort(404)
    mandate = db_session().get(Mandate, proposal.mandate_id)
    assert mandate is not None
    return proposal, mandate, proposals.proposal_kind(mandate, proposal.kind)


def _response_form(deadline_key: str, day: dt.date | None = None) -> ResponseForm:
    """The form of one answer, its summary in each language of the city; with ``day``,
    as the page shows it, else read from the request."""
    form_class = admin_texts.with_languages(ResponseForm, {"summary": followup.SUMMARY_LIMIT},
                                            long=("summary",))
    prefix = f"response-{deadline_key}"
    form = (form_class(prefix=prefix) if day is None
            else form_class(prefix=prefix, formdata=None, data={"on": day}))
    return admin_texts.name_languages(form, ["summary"])


def _written(row: Commitment | Milestone, name: str) -> dict[str, str]:
    return texts.texts_of(row, name, current_config().profile.languages[0])


def _update_form(commitment: Commitment, formdata: bool = False) -> CommitmentUpdateForm:
    languages = _languages()
    kind = _in_languages(CommitmentUpdateForm, COMMITMENT_TEXTS, languages)
    if formdata:
        form = kind(prefix=f"c{commitment.id}")
    else:
        written = {f"{name}_{code}": text for name in COMMITMENT_TEXTS
                   for code, text in _written(commitment, name).items()}
        form = kind(prefix=f"c{commitment.id}", formdata=None, data={
            "status": commitment.status, "progress": commitment.progress,
            "due_on": commitment.due_on, "responsible": commitment.responsible,
            "expected_version": commitment.version, **written})
    form.status.choices = [(key, STATUS_LABELS.get(key, key)) for key in followup.STATUSES]
    return form


def _render(proposal_id: int, posted: Posted | None = None, error: str | None = None,
            status: int = 200) -> ResponseReturnValue:
    proposal, mandate, kind = _act(proposal_id)
    posted = posted or {}
    day = today()
    session = db_session()
    labels = {rule.key: rule.label
              for rule in city_of(mandate).config.accountability.response_deadlines}
    deadlines = []
    for deadline in followup.deadlines(session, proposal.id):
        form = None
        if deadline.answered_on is None:
            key = f"response:{deadline.key}"
            form = posted.get(key) or _response_form(deadline.key, day)
        deadlines.append(DeadlineRow(deadline, labels.get(deadline.key, {"en": deadline.label}),
                                     deadline.overdue(day), form))
    # What is late is the service's word, the same as the CLI's overdue list.
    late = {(item.what, item.ident)
            for item in followup.overdue(session, day, mandate_id=mandate.id)
            if item.proposal_id == proposal.id}
    rows = []
    languages = _languages()
    for commitment in proposal.commitments:
        milestones = [MilestoneRow(
            milestone, ("milestone", milestone.id) in late,
            None if milestone.done_on is not None else (
                posted.get(f"done:{milestone.id}") or MilestoneDoneForm(
                    prefix=f"m{milestone.id}", formdata=None, data={"on": day})),
            _written(milestone, "title"),
            posted.get(f"rename:{milestone.id}") or _rename_form(milestone))
            for milestone in commitment.milestones]
        update = posted.get(f"update:{commitment.id}") or _update_form(commitment)
        add = posted.get(f"milestone:{commitment.id}") or _in_languages(
            MilestoneForm, MILESTONE_TEXTS, languages[1:])(
            prefix=f"c{commitment.id}-milestone", formdata=None)
        rows.append(CommitmentRow(commitment, ("commitment", commitment.id) in late,
                                  milestones, update, add, _written(commitment, "title"),
                                  _written(commitment, "department")))
    new = posted.get("commitment") or _in_languages(
        CommitmentForm, COMMITMENT_TEXTS, languages[1:])(prefix="commitment", formdata=None,
                                                         data={"on": day})
    states = {state.key: state.label for state in kind.states}
    accountability = city_of(mandate).config.accountability
    return render_template(
        "admin/follow_up.html", proposal=proposal, kind=kind, states=states,
        deadlines=deadlines, rules=accountability.response_deadlines,
        answers=records.answers_of(city_of(mandate).config, proposal),
        owner_per_measure=accountability.owner_per_measure, commitments=rows, new=new,
        summary_fields=["summary", *(f"summary_{code}" for code in admin_texts.others())],
        adopted=proposals.outcome(session, proposal) == "adopted",
        may_write=current_role_level() >= ROLE_LEVEL["secretariat"], error=error,
        new_names=["title", *[f"title_{code}" for code in languages[1:]], "department",
                   *[f"department_{code}" for code in languages[1:]]],
        update_names=_text_names(COMMITMENT_TEXTS, languages),
        milestone_names=_text_names(MILESTONE_TEXTS, languages[1:]),
        rename_names=_text_names(MILESTONE_TEXTS, languages),
    ), status


def _submit(proposal_id: int, key: str, form: FlaskForm, change: Callable[[Session], object],
            *, default_field: str, done: str, conflict: str,
            anchor: str | None = None) -> ResponseReturnValue:
    """Validate ``form``, run ``change`` in one transaction, answer as every form here does.

    A refusal goes next to the field the service names (``ServiceError.field``, the
    service's parameter, named alike in the forms), else next to ``default_field``.
    """
    if not form.validate_on_submit():
        return _render(proposal_id, {key: form}, status=422)
    try:
        with session_scope(write_engine(), actor=actor()) as session:
            change(session)
    except ConflictError:
        db_session().expire_all()
        return _render(proposal_id, error=conflict, status=409)
    except ServiceError as refusal:
        first = f"{refusal.field}_{current_config().profile.languages[0]}"
        field = (form._fields.get(refusal.field or "") or form._fields.get(first)
                 or form._fields[default_field])
        field.errors = [*field.errors, refusal_text(refusal)]
        return _render(proposal_id, {key: form}, status=422)
    flash(done)
    return redirect(url_for(".page", proposal_id=proposal_id, _anchor=anchor))


def _stale(proposal_id: int, message: str) -> ResponseReturnValue:
    db_session().expire_all()
    return _render(proposal_id, error=message, status=409)


@bp.route("/proposals/<int:proposal_id>/follow-up")
@role_required("read-only")
def page(proposal_id: int) -> ResponseReturnValue:
    return _render(proposal_id)


@bp.route("/proposals/<int:proposal_id>/follow-up/responses/<deadline_key>", methods=["POST"])
@role_required("secretariat")
def record_response(proposal_id: int, deadline_key: str) -> ResponseReturnValue:
    proposal, mandate, _kind = _act(proposal_id)
    rules = city_of(mandate).config.accountability.response_deadlines
    if deadline_key not in {rule.key for rule in rules}:
        abort(404)
    if any(answer.deadline_key == deadline_key for answer in proposal.responses):
        # The page offered a form for an answer recorded since: say so, record nothing.
        return _stale(proposal_id, gettext(
            "Someone else recorded this answer since the page was shown. Here is the "
            "follow-up as it is now."))
    form = _response_form(deadline_key)
    valid = form.validate_on_submit()  # then the language check marks its field too
    if admin_texts.without_first(form, "summary") or not valid:
        return _render(proposal_id, {f"response:{deadline_key}": form}, status=422)
    summaries = {code: text for code, text in admin_texts.by_language(form, "summary").items()
                 if text}
    return _submit(
        proposal_id, f"response:{deadline_key}", form,
        lambda session: followup.record_response(session, proposal_id, deadline_key,
                                                 form.on.data, summaries=summaries or None),
        default_field="on", done=gettext("The answer is recorded."),
        conflict=gettext("Someone else recorded this answer at the same time. Here is the "
                         "follow-up as it is now."), anchor="responses")


@bp.route("/proposals/<int:proposal_id>/follow-up/commitments", methods=["POST"])
@role_required("secretariat")
def add_commitment(proposal_id: int) -> ResponseReturnValue:
    _act(proposal_id)
    others = _languages()[1:]
    form = _in_languages(CommitmentForm, COMMITMENT_TEXTS, others)(prefix="commitment")
    return _submit(
        proposal_id, "commitment", form,
        lambda session: followup.add_commitment(
            session, proposal_id, form.title.data or "", form.department.data or "",
            form.on.data, responsible=form.responsible.data or "", due_on=form.due_on.data,
            titles=_typed(form, "title", others), departments=_typed(form, "department",
                                                                     others)),
        default_field="title", done=gettext("The commitment is added."),
        conflict=gettext("Someone else changed this act at the same time. Here is the "
                         "follow-up as it is now."), anchor="commitments")


def _commitment(commitment_id: int) -> Commitment:
    commitment = db_session().get(Commitment, commitment_id)
    if commitment is None:
        abort(404)
    return commitment


@bp.route("/commitments/<int:commitment_id>", methods=["POST"])
@role_required("secretariat")
def update_commitment(commitment_id: int) -> ResponseReturnValue:
    """Send the service what the form changes from the version the page showed."""
    commitment = _commitment(commitment_id)
    proposal_id = commitment.proposal_id
    form = _update_form(commitment, formdata=True)
    key = f"update:{commitment_id}"
    if form.validate_on_submit() and form.due_on.data is None and commitment.due_on:
        # The service keeps a due date once set; a blank field would be ignored silently.
        form.due_on.errors = [gettext("A due date cannot be removed; enter one.")]
        return _render(proposal_id, {key: form}, status=422)
    try:
        version: int | None = int(form.expected_version.data)
    except (TypeError, ValueError):
        version = None
    status = form.status.data if form.status.data != commitment.status else None
    progress = form.progress.data if form.progress.data != commitment.progress else None
    due_on: dt.date | None = (form.due_on.data if form.due_on.data != commitment.due_on
                              else None)
    typed = (form.responsible.data or "").strip()
    responsible = typed if typed != commitment.responsible else None
    languages = _languages()
    titles = _changed(_typed(form, "title", languages), _written(commitment, "title"))
    departments = _changed(_typed(form, "department", languages),
                           _written(commitment, "department"))
    return _submit(
        proposal_id, key, form,
        lambda session: followup.update_commitment(
            session, commitment_id, status=status, progress=progress, due_on=due_on,
            responsible=responsible, titles=titles, departments=departments,
            expected_version=version),
        default_field="status", done=gettext("The commitment is saved."),
        conflict=gettext("Someone else changed this commitment since the page was shown. "
                         "Here it is as it is now; check it and save your change again if "
                         "it is still needed."), anchor=f"commitment-{commitment_id}")


@bp.route("/commitments/<int:commitment_id>/milestones", methods=["POST"])
@role_required("secretariat")
def add_milestone(commitment_id: int) -> ResponseReturnValue:
    commitment = _commitment(commitment_id)
    others = _languages()[1:]
    form = _in_languages(MilestoneForm, MILESTONE_TEXTS, others)(
        prefix=f"c{commitment_id}-milestone")
    return _submit(
        commitment.proposal_id, f"milestone:{commitment_id}", form,
        lambda session: followup.add_milestone(session, commitment_id, form.title.data or "",
                                               form.due_on.data,
                                               titles=_typed(form, "title", others)),
        default_field="title", done=gettext("The milestone is added."),
        conflict=gettext("Someone else changed this commitment at the same time. Here is "
                         "the follow-up as it is now."), anchor=f"commitment-{commitment_id}")


def _rename_form(milestone: Milestone, formdata: bool = False) -> MilestoneTitleForm:
    kind = _in_languages(MilestoneTitleForm, MILESTONE_TEXTS, _languages())
    if formdata:
        return kind(prefix=f"m{milestone.id}-title")
    return kind(prefix=f"m{milestone.id}-title", formdata=None, data={
        "expected_version": milestone.version,
        **{f"title_{code}": text for code, text in _written(milestone, "title").items()}})


@bp.route("/milestones/<int:milestone_id>/title", methods=["POST"])
@role_required("secretariat")
def rename_milestone(milestone_id: int) -> ResponseReturnValue:
    """A milestone's title in each language: the service gets the ones changed."""
    milestone = db_session().get(Milestone, milestone_id)
    if milestone is None:
        abort(404)
    form = _rename_form(milestone, formdata=True)
    titles = _changed(_typed(form, "title", _languages()), _written(milestone, "title"))
    try:
        version: int | None = int(form.expected_version.data)
    except (TypeError, ValueError):
        version = None
    return _submit(
        milestone.commitment.proposal_id, f"rename:{milestone_id}", form,
        lambda session: followup.update_milestone(session, milestone_id, titles or {},
                                                  expected_version=version),
        default_field=f"title_{_languages()[0]}", done=gettext("The texts are saved."),
        conflict=gettext("Someone else changed this milestone at the same time. Here is "
                         "the follow-up as it is now."),
        anchor=f"commitment-{milestone.commitment_id}")


@bp.route("/milestones/<int:milestone_id>/done", methods=["POST"])
@role_required("secretariat")
def complete_milestone(milestone_id: int) -> ResponseReturnValue:
    milestone = db_session().get(Milestone, milestone_id)
    if milestone is None:
        abort(404)
    proposal_id = milestone.commitment.proposal_id
    anchor = f"commitment-{milestone.commitment_id}"
    if milestone.done_on is not None:
        return _stale(proposal_id, gettext(
            "Someone else marked this milestone as reached since the page was shown. Here "
            "is the follow-up as it is now."))
    form = MilestoneDoneForm(prefix=f"m{milestone_id}")
    return _submit(
        proposal_id, f"done:{milestone_id}", form,
        lambda session: followup.complete_milestone(session, milestone_id, form.on.data),
        default_field="on", done=gettext("The milestone is marked as reached."),
        conflict=gettext("Someone else changed this milestone at the same time. Here is "
                         "the follow-up as it is now."), anchor=anchor)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
