"""The back office's draws: every seat group's latest draw, and declaring a draw final.

One line per seat group of the current mandate says where its draw stands (not
started, computing, waiting for its public number, drawn, final) and links to the
group's draw page (:mod:`kleroterion.web.panel_draw`). A drawn panel is declared
final here through ``services.panel.finalize_draw``, the CLI's ``panel finalize``:
once final, the respondents who were not seated may be purged.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_wtf import FlaskForm
from kleroterion.models import Draw
from kleroterion.services import panel
from kleroterion.web.admin_common import Refusal, change, may_write
from kleroterion.web.auth import role_required
from kleroterion.web.context import current_config
from kleroterion.web.database import current_mandate, db_session

bp = Blueprint("admin_draws", __name__, url_prefix="/admin/draws")


class FinalizeForm(FlaskForm):  # type: ignore[misc]  # flask-wtf has no type hints
    """A lone button: declare the draw final (CSRF protected)."""


def _render(refusal: str | None = None, status: int = 200) -> ResponseReturnValue:
    mandate = current_mandate()
    rows: list[tuple[object, Draw | None]] = []
    if mandate is not None:
        for group in current_config().composition.seat_groups:
            rows.append((group, panel.latest_panel_draw(db_session(), mandate.id, group.key)))
    return render_template("admin/draws.html", mandate=mandate, rows=rows,
                           form=FinalizeForm(formdata=None), may_write=may_write(),
                           refusal=refusal), status


@bp.route("/")
@role_required("read-only")
def draws_page() -> ResponseReturnValue:
    return _render()


@bp.route("/<int:draw_id>/finalize", methods=["POST"])
@role_required("secretariat")
def finalize(draw_id: int) -> ResponseReturnValue:
    """Declare a drawn panel final (``panel finalize``): refused as the CLI refuses."""
    if db_session().get(Draw, draw_id) is None:
        abort(404)
    if not FinalizeForm().validate_on_submit():
        abort(400)
    try:
        change(lambda session: panel.finalize_draw(session, draw_id))
    except Refusal as refusal:
        return _render(refusal.text, 422)
    flash(gettext("The draw is declared final."))
    return redirect(url_for("admin_draws.draws_page"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
