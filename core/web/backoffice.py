"""The back office (secretariat): the current mandate, and the lifecycle of each act.

Every page needs a logged-in account (``auth.role_required``): read-only accounts
may look, the secretariat and administrators may change. Pages are thin shells over
the services: changes run in ``session_scope`` with the logged-in user as the audit
actor, so a refused change leaves nothing behind. A form that fails re-renders with
what was typed and the message next to its field; a change made by someone else
since the page was shown answers 409 with a sentence saying so.
"""

from __future__ import annotations

from dataclasses import dataclass

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
from flask_babel import gettext
from kleroterion.city.types import Localized, ProposalKind
from kleroterion.db import session_scope
from kleroterion.models import Mandate, Proposal
from kleroterion.services import proposals, texts
from kleroterion.services.errors import ConflictError, ServiceError
from kleroterion.web import admin_texts
from kleroterion.web.auth import ROLE_LEVEL, actor, current_role_level, role_required
from kleroterion.web.database import db_session
from kleroterion.web.forms import MoveForm
from kleroterion.web.i18n import refusal_text
from kleroterion.web.public import today
from sqlalchemy import Engine

bp = Blueprint("backoffice", __name__, url_prefix="/admin")


@dataclass
class Move:
    """A move the city allows from the act's state, with its form."""

    target: str
    label: Localized
    actor: str
    form: MoveForm


def write_engine() -> Engine:
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


def _move_form(target: str, proposal: Proposal | None = None) -> MoveForm:
    """The form of one move: its reason in each language of the city; with ``proposal``,
    empty (the page as shown), else read from the request."""
    form_class = admin_texts.with_languages(MoveForm, {"reason": proposals.REASON_LIMIT},
                                            long=("reason",))
    if proposal is None:
        form = form_class(prefix=target)
    else:
        form = form_class(prefix=target, formdata=None,
                          data={"on": today(), "expected_version": proposal.version})
    return admin_texts.name_languages(form, ["reason"])


def _render_proposal(proposal_id: int, posted: tuple[str, MoveForm] | None = None,
                     error: str | None = None, status: int = 200) -> ResponseReturnValue:
    proposal, kind = _proposal(proposal_id)
    states = {state.key: state.label for state in kind.states}
    moves = []
    for target, by in proposals.allowed_moves(db_session(), proposal.id):
        if posted is not None and posted[0] == target:
            form = posted[1]
        else:
            form = _move_form(target, proposal)
        moves.append(Move(target, states.get(target, {"en": target}), by, form))
    first = admin_texts.languages()[0]
    return render_template(
        "admin/proposal.html", proposal=proposal, kind=kind, states=states, moves=moves,
        may_write=current_role_level() >= ROLE_LEVEL["secretariat"], error=error,
        reasons={step.id: texts.texts_of(step, "reason", first)
                 for step in proposal.transitions},
        other_languages=admin_texts.others(),
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
    form = _move_form(target)
    valid = form.validate_on_submit()  # then the language check marks its field too
    if admin_texts.without_first(form, "reason") or not valid:
        return _render_proposal(proposal_id, (target, form), status=422)
    reasons = {code: text for code, text in admin_texts.by_language(form, "reason").items()
               if text}
    try:
        version = int(form.expected_version.data)
    except (TypeError, ValueError):
        version = None
    try:
        with session_scope(write_engine(), actor=actor()) as session:
            proposals.move(session, proposal_id, target, form.on.data or today(),
                           reasons=reasons or None, expected_version=version)
    except ConflictError:
        db_session().expire_all()
        return _render_proposal(proposal_id, error=gettext(
            "Someone else changed this act since the page was shown. Here it is as it is "
            "now; check it and record the step again if it is still needed."
        ), status=409)
    except ServiceError as refusal:
        named = form.reason if refusal.field == "reason" else form.on
        named.errors = [*named.errors, refusal_text(refusal)]
        return _render_proposal(proposal_id, (target, form), status=422)
    flash(gettext("The step is recorded."))
    return redirect(url_for("backoffice.proposal_page", proposal_id=proposal_id))


def init_app(app: Flask) -> None:
    # These modules add their routes to bp: import them before registering it (the
    # dashboard, indemnities, respondents, roll call, members).
    from kleroterion.web import (  # noqa: F401
        admin_home,
        indemnity_pages,
        respondent_pages,
        rollcall,
        roster,
    )

    app.register_blueprint(bp)
    admin_home.init_app(app)
