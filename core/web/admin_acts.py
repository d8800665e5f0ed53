"""The back office's acts: the list of the current mandate's acts, and a new act.

An act is created through ``services.proposals.create`` (the CLI's ``proposal
create``, the API's writes share the same service) in its kind's first state; its
steps are recorded on its own page (``backoffice.proposal_page``), its follow-up once
adopted on ``backoffice_followup.page``.
"""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from kleroterion.services import proposals
from kleroterion.web.admin_common import Refusal, change, may_write
from kleroterion.web.admin_forms import ActForm
from kleroterion.web.auth import role_required
from kleroterion.web.context import current_config
from kleroterion.web.database import current_mandate, db_session
from kleroterion.web.i18n import current_language, l10n_text
from kleroterion.web.public import today

bp = Blueprint("admin_acts", __name__, url_prefix="/admin/acts")


def _form() -> ActForm:
    form = ActForm()
    form.kind.choices = [(kind.key, l10n_text(kind.label))
                         for kind in current_config().proposal_kinds]
    if not form.is_submitted():
        form.on.data = today()
    return form


def _render(form: ActForm | None = None, refusal: str | None = None,
            status: int = 200) -> ResponseReturnValue:
    mandate = current_mandate()
    acts = proposals.list_proposals(db_session(), mandate.id) if mandate else []
    kinds = {kind.key: kind for kind in current_config().proposal_kinds}
    adopted = {act.id for act in acts if proposals.outcome(db_session(), act) == "adopted"}
    states = {(key, state.key): state.label for key, kind in kinds.items()
              for state in kind.states}
    return render_template("admin/acts.html", mandate=mandate, acts=acts, kinds=kinds,
                           states=states, adopted=adopted, form=form or _form(),
                           may_write=may_write(), refusal=refusal), status


@bp.route("/")
@role_required("read-only")
def acts_page() -> ResponseReturnValue:
    return _render()


@bp.route("/", methods=["POST"])
@role_required("secretariat")
def new_act() -> ResponseReturnValue:
    """Create an act, refused as ``proposal create`` refuses, with nothing written."""
    mandate = current_mandate()
    form = _form()
    if mandate is None or not form.validate_on_submit():
        return _render(form, None if mandate else gettext("No mandate is open."), 422)
    summary = (form.summary.data or "").strip()
    try:
        act = change(lambda session: proposals.create(
            session, mandate.id, form.kind.data, form.title.data or "", form.on.data,
            summary={current_language(): summary} if summary else None,
            tabled_by=form.tabled_by.data or ""))
    except Refusal as refusal:
        return _render(form, refusal.text, 422)
    flash(gettext("The act is created."))
    return redirect(url_for("backoffice.proposal_page", proposal_id=act.id))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
