"""The back office (secretariat): the current mandate and, next, every lifecycle form.

Every page needs a logged-in account (``auth.role_required``): read-only accounts
may look, the secretariat and administrators may change. Pages are thin shells over
the services, run in ``session_scope`` with the logged-in user as the audit actor.
"""

from __future__ import annotations

from flask import Blueprint, Flask, render_template
from kleroterion.services import sessions
from kleroterion.web.auth import role_required
from kleroterion.web.database import current_mandate, db_session

bp = Blueprint("backoffice", __name__, url_prefix="/admin")


@bp.route("/")
@role_required("read-only")
def dashboard() -> str:
    mandate = current_mandate()
    meetings = sessions.sessions_of(db_session(), mandate.id) if mandate else []
    return render_template("admin/dashboard.html", mandate=mandate, meetings=meetings)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
