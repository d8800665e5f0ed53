"""The back office's personal data: purging the respondents who were not seated.

The purge calls ``services.privacy.purge``, the CLI's ``privacy purge``: refused, with
the service's sentence, while a draw of the mandate is not final; otherwise it blanks
the personal data of every respondent never seated and says how many. It first
deletes, whatever the mandate's draws, the letters and reminders (exports) past their
last day to answer (``services.privacy.purge_letters``, also run by the daily
``privacy purge --due``), and says how many.
"""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import ngettext
from kleroterion.services import privacy
from kleroterion.web.admin_common import Refusal, change
from kleroterion.web.admin_forms import ButtonForm
from kleroterion.web.auth import role_required
from kleroterion.web.database import current_mandate

bp = Blueprint("admin_privacy", __name__, url_prefix="/admin/personal-data")


@bp.route("/")
@role_required("secretariat")
def privacy_page(refusal: str | None = None, status: int = 200) -> ResponseReturnValue:
    return render_template("admin/privacy.html", mandate=current_mandate(),
                           form=ButtonForm(formdata=None), refusal=refusal), status


@bp.route("/purge", methods=["POST"])
@role_required("secretariat")
def purge() -> ResponseReturnValue:
    mandate = current_mandate()
    if mandate is None:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    instance = Path(current_app.instance_path)
    letters = change(lambda session: privacy.purge_letters(session, instance))
    if letters:
        flash(ngettext("The letters of %(num)d export past its last day to answer are deleted.",
                       "The letters of %(num)d exports past their last day to answer are "
                       "deleted.", letters))
    try:
        count = change(lambda session: privacy.purge(session, mandate.id))
    except Refusal as refusal:
        return privacy_page(refusal.text, 422)
    flash(ngettext("The personal data of %(num)d respondent not seated is erased.",
                   "The personal data of %(num)d respondents not seated are erased.", count))
    return redirect(url_for("admin_privacy.privacy_page"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
