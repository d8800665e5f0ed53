"""The back office (secretariat): the current mandate, and the lifecycle of each act.

Every page needs a logged-in account (``auth.role_required``): read-only accounts
may look, the secretariat and administrators may change. Pages are thin shells over
the services: changes run in ``session_scope`` with the logged-in user as the audit
actor, so a refused change leaves nothing behind. A form that fails re-renders with
what was typed and the message next to its field; a change made by someone else
since the page was shown answers 409 with a sentence saying so.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext, ngettext
from kleroterion.city.types import Localized, ProposalKind
from kleroterion.db import session_scope
from kleroterion.messages import Message
from kleroterion.models import Mandate, Proposal
from kleroterion.services import proposals, recruitment, sessions
from kleroterion.services.errors import ConflictError, ServiceError
from kleroterion.sortition.io import decode
from kleroterion.web.auth import ROLE_LEVEL, actor, current_role_level, role_required
from kleroterion.web.context import current_config
from kleroterion.web.database import current_mandate, db_session
from kleroterion.web.forms import MoveForm, RespondentsForm
from kleroterion.web.i18n import l10n_text, refusal_text
from kleroterion.web.public import today
from sqlalchemy import Engine
from werkzeug.utils import secure_filename

bp = Blueprint("backoffice", __name__, url_prefix="/admin")


@dataclass
class Move:
    """A move the city allows from the act's state, with its form."""

    target: str
    label: Localized
    actor: str
    form: MoveForm


@bp.route("/")
@role_required("read-only")
def dashboard() -> str:
    mandate = current_mandate()
    meetings = sessions.sessions_of(db_session(), mandate.id) if mandate else []
    acts = proposals.list_proposals(db_session(), mandate.id) if mandate else []
    adopted = {act.id for act in acts if proposals.outcome(db_session(), act) == "adopted"}
    return render_template("admin/dashboard.html", mandate=mandate, meetings=meetings,
                           acts=acts, adopted=adopted,
                           seat_groups=current_config().composition.seat_groups)


def _engine() -> Engine:
    bind = db_session().get_bind()
    assert isinstance(bind, Engine)
    return bind


def _proposal(proposal_id: int) -> tuple[Proposal, ProposalKind]:
    proposal = db_session().get(Proposal, proposal_id)
    if proposal is None:
        abort(404)
    mandate = db_session().get(Mandate, proposal.mandate_id)
    assert mandate is not None
    return proposal, proposals.proposal_kind(mandate, proposal.kind)


def _render_proposal(proposal_id: int, posted: tuple[str, MoveForm] | None = None,
                     error: str | None = None, status: int = 200) -> ResponseReturnValue:
    proposal, kind = _proposal(proposal_id)
    states = {state.key: state.label for state in kind.states}
    moves = []
    for target, by in proposals.allowed_moves(db_session(), proposal.id):
        if posted is not None and posted[0] == target:
            form = posted[1]
        else:
            form = MoveForm(prefix=target, formdata=None,
                            data={"on": today(), "expected_version": proposal.version})
        moves.append(Move(target, states.get(target, {"en": target}), by, form))
    return render_template(
        "admin/proposal.html", proposal=proposal, kind=kind, states=states, moves=moves,
        may_write=current_role_level() >= ROLE_LEVEL["secretariat"], error=error,
    ), status


@bp.route("/proposals/<int:proposal_id>")
@role_required("read-only")
def proposal_page(proposal_id: int) -> ResponseReturnValue:
    return _render_proposal(proposal_id)


@bp.route("/proposals/<int:proposal_id>/move/<target>", methods=["POST"])
@role_required("secretariat")
def move_proposal(proposal_id: int, target: str) -> ResponseReturnValue:
    proposal, _kind = _proposal(proposal_id)
    if target not in {t for t, _ in proposals.allowed_moves(db_session(), proposal.id)}:
        # A stale page offering a move the act no longer allows: say so, do nothing.
        return _render_proposal(proposal_id, error=gettext(
            "This step is no longer possible: the act has moved since the page was shown."
        ), status=409)
    form = MoveForm(prefix=target)
    if not form.validate_on_submit():
        return _render_proposal(proposal_id, (target, form), status=422)
    try:
        version = int(form.expected_version.data)
    except (TypeError, ValueError):
        version = None
    try:
        with session_scope(_engine(), actor=actor()) as session:
            proposals.move(session, proposal_id, target, form.on.data or dt.date.today(),
                           reason=form.reason.data or "", expected_version=version)
    except ConflictError:
        db_session().expire_all()
        return _render_proposal(proposal_id, error=gettext(
            "Someone else changed this act since the page was shown. Here it is as it is "
            "now; check it and record the step again if it is still needed."
        ), status=409)
    except ServiceError as refusal:
        form.on.errors = [*form.on.errors, refusal_text(refusal)]
        return _render_proposal(proposal_id, (target, form), status=422)
    flash(gettext("The step is recorded."))
    return redirect(url_for("backoffice.proposal_page", proposal_id=proposal_id))


#: Refused lines shown in the table; a sentence says how many more there are.
PROBLEMS_SHOWN = 200
#: How much of a refused line is shown back: enough to find it in the file.
LINE_SHOWN = 200


@dataclass(frozen=True)
class RefusedLine:
    """One problem of a refused file, as the table shows it."""

    line: int | None
    content: str | None  # the line as the file has it (the secretariat's own file)
    column: str | None
    value: str | None
    reason: str  # in the visitor's language


def _refused_lines(check: recruitment.RespondentsCheck, content: bytes) -> list[RefusedLine]:
    # Read as the service read it (same encoding guess), and split as csv counts lines.
    lines = io.StringIO(decode(content)[0], newline="").readlines()
    shown = []
    for problem in check.problems[:PROBLEMS_SHOWN]:
        line = problem.line
        text = lines[line - 1].rstrip("\r\n") if line and line <= len(lines) else None
        if text is not None and len(text) > LINE_SHOWN:  # a 100 MB line is not a page
            text = text[:LINE_SHOWN] + "…"
        column = (f"{problem.column_number} ({problem.column})" if problem.column is not None
                  else None)
        reason = (Message("%(problem)s; accepted: %(accepted)s", problem=problem.problem,
                          accepted=problem.accepted)
                  if problem.accepted else Message.of(problem.problem))
        value = problem.value
        if value is not None and len(value) > LINE_SHOWN:
            value = value[:LINE_SHOWN] + "…"
        shown.append(RefusedLine(line, text, column, value, refusal_text(reason)))
    return shown


def _respondents_form(mandate: Mandate) -> RespondentsForm:
    form = RespondentsForm()
    groups = current_config().composition.seat_groups
    form.seat_group.choices = [(g.key, l10n_text(g.label)) for g in groups
                               if g.selection != "open"]
    return form


@bp.route("/respondents")
@role_required("secretariat")
def respondents() -> ResponseReturnValue:
    mandate = current_mandate()
    form = _respondents_form(mandate) if mandate else None
    return render_template("admin/respondents.html", mandate=mandate, form=form)


@bp.route("/respondents", methods=["POST"])
@role_required("secretariat")
def import_respondents() -> ResponseReturnValue:
    """Import a respondents file, all rows or none; a refusal is shown next to its line."""
    mandate = current_mandate()
    if mandate is None:
        abort(404)
    form = _respondents_form(mandate)
    if not form.validate_on_submit():
        return render_template("admin/respondents.html", mandate=mandate, form=form), 422
    upload = form.upload.data
    # The name is the visitor's: ".." or 300 characters must not become a path.
    name = (secure_filename(upload.filename or "")[-100:].lstrip(".")
            or "respondents.csv")
    content = upload.read()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        refused: recruitment.RespondentsCheck | None = None
        try:
            with session_scope(_engine(), actor=actor()) as session:
                rows = recruitment.import_respondents(session, mandate.id,
                                                      form.seat_group.data, path).rows
        except recruitment.RespondentsRefused as refusal:
            refused, message = refusal.check, None
        except ServiceError as refusal:
            message = refusal_text(refusal)
        else:
            flash(ngettext("%(num)d respondent imported.", "%(num)d respondents imported.",
                           rows))
            return redirect(url_for("backoffice.respondents"))
    form.upload.errors = [*form.upload.errors,
                          gettext("Nothing was imported; choose the file again once corrected.")]
    return render_template(
        "admin/respondents.html", mandate=mandate, form=form, refusal=message, check=refused,
        filename=name, problems=_refused_lines(refused, content) if refused else [],
        more=len(refused.problems) - PROBLEMS_SHOWN if refused else 0,
    ), 422


def init_app(app: Flask) -> None:
    # These modules add their routes to bp: indemnities, the roll call, members.
    from kleroterion.web import indemnity_pages, rollcall, roster  # noqa: F401

    app.register_blueprint(bp)
