"""The back office's bodies: composing each body the city declares.

A body's page lists who sits, by seat, and offers the form each kind of seat needs,
each calling the service of the CLI's ``body`` commands: panel members who chose or
volunteered join (``bodies.join``), drawn seats are filled by lot with a public
number (``bodies.draw``), elected officials (majority and opposition), agents and
facilitators are appointed by name (``bodies.appoint``), and a seat ends on a date
(``bodies.leave``). A refusal is the service's sentence; nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
from flask_babel import format_date, gettext
from kleroterion.city.types import Body
from kleroterion.models import BodyMembership, Mandate
from kleroterion.services import bodies, members
from kleroterion.web.admin_common import Refusal, change, may_write
from kleroterion.web.admin_forms import AppointForm, BodyDrawForm, DatedForm, JoinForm
from kleroterion.web.auth import role_required
from kleroterion.web.context import current_config
from kleroterion.web.database import current_mandate, db_session
from kleroterion.web.i18n import vocabulary
from kleroterion.web.public import today
from kleroterion.web.records import lottery_root
from sqlalchemy.orm import Session

bp = Blueprint("admin_bodies", __name__, url_prefix="/admin/bodies")


def _body(key: str) -> Body:
    for declared in current_config().bodies:
        if declared.key == key:
            return declared
    abort(404)


def _role_names() -> dict[str, str]:
    names = current_app.jinja_env.globals["names"]
    assert isinstance(names, dict)
    return {role: str(vocabulary(names["role"], role)) for role in names["role"]}


def _forms(declared: Body, posted: dict[str, Any]) -> dict[str, Any]:
    mandate = current_mandate()
    assert mandate is not None
    roles = _role_names()
    day = {"on": today()}
    forms: dict[str, Any] = {}
    chosen = [s.role for s in declared.seats if s.selection in ("chosen_by_members", "volunteer")
              and s.role in bodies.MEMBER_ROLES]
    if chosen:
        form = posted.get("join") or JoinForm(prefix="join", formdata=None, data=day)
        form.role.choices = [(role, roles.get(role, role)) for role in chosen]
        form.member.choices = [(m.id, f"{m.id} ({m.public_id})") for m in
                               members.list_members(db_session(), mandate.id, active_only=True)]
        forms["join"] = form
    drawn = [s.role for s in declared.seats if s.selection == "drawn"]
    if drawn:
        form = posted.get("draw") or BodyDrawForm(prefix="draw", formdata=None, data=day)
        form.role.choices = [(role, roles.get(role, role)) for role in drawn]
        forms["draw"] = form
    appointed = [s.role for s in declared.seats if s.role not in bodies.MEMBER_ROLES]
    if appointed:
        form = posted.get("appoint") or AppointForm(prefix="appoint", formdata=None, data=day)
        form.role.choices = [(role, roles.get(role, role)) for role in appointed]
        forms["appoint"] = form
    return forms


def _render(key: str, posted: dict[str, Any] | None = None, refusal: str | None = None,
            status: int = 200) -> ResponseReturnValue:
    declared = _body(key)
    mandate = current_mandate()
    rows = bodies.composition(db_session(), mandate.id, key) if mandate else []
    return render_template(
        "admin/body.html", body=declared, mandate=mandate, rows=rows, refusal=refusal,
        forms=_forms(declared, posted or {}) if mandate else {}, may_write=may_write(),
        leave=DatedForm(prefix="leave", formdata=None, data={"on": today()}),
        roles=_role_names()), status


@bp.route("/")
@role_required("read-only")
def bodies_page() -> ResponseReturnValue:
    mandate = current_mandate()
    counts = {b.key: len(bodies.composition(db_session(), mandate.id, b.key)) if mandate else 0
              for b in current_config().bodies}
    return render_template("admin/bodies.html", bodies=current_config().bodies, counts=counts,
                           mandate=mandate, roles=_role_names())


@bp.route("/<key>")
@role_required("read-only")
def body_page(key: str) -> ResponseReturnValue:
    return _render(key)


def _seat_change(key: str, name: str, form: Any,
                 work: Callable[[Session, Mandate], object], done: str) -> ResponseReturnValue:
    """Validate the body page's form ``name``, run ``work`` in one transaction, say ``done``.

    A form the page cannot read, or a refusal of the service, shows the page again with
    what was typed and the message (422); nothing is written.
    """
    mandate = current_mandate()
    if mandate is None:
        abort(404)
    _forms(_body(key), {name: form})  # fills the choices, so that they validate
    if not form.validate_on_submit():
        return _render(key, {name: form}, status=422)
    try:
        change(lambda session: work(session, mandate))
    except Refusal as refusal:
        return _render(key, {name: form}, refusal.text, 422)
    flash(done)
    return redirect(url_for("admin_bodies.body_page", key=key))


@bp.route("/<key>/join", methods=["POST"])
@role_required("secretariat")
def join(key: str) -> ResponseReturnValue:
    """A member who chose or volunteered joins (``body join``)."""
    form = JoinForm(prefix="join")
    return _seat_change(key, "join", form, lambda session, mandate: bodies.join(
        session, mandate.id, key, form.member.data, form.on.data, role=form.role.data),
        gettext("The member joins the body."))


@bp.route("/<key>/draw", methods=["POST"])
@role_required("secretariat")
def draw(key: str) -> ResponseReturnValue:
    """Drawn seats filled by lot with a public number (``body draw``)."""
    form = BodyDrawForm(prefix="draw")
    root = lottery_root(current_app)
    return _seat_change(key, "draw", form, lambda session, mandate: bodies.draw(
        session, mandate.id, key, form.on.data, public_number=form.public_number.data,
        role=form.role.data, root=root), gettext("The seats are drawn by lot."))


@bp.route("/<key>/appoint", methods=["POST"])
@role_required("secretariat")
def appoint(key: str) -> ResponseReturnValue:
    """An elected official, an agent or a facilitator appointed by name (``body appoint``)."""
    form = AppointForm(prefix="appoint")

    def work(session: Session, mandate: Mandate) -> object:
        name = (form.name.data or "").strip()
        if (form.group.data or "").strip():
            name = f"{name} ({form.group.data.strip()})"
        return bodies.appoint(session, mandate.id, key, form.role.data, name, form.on.data)

    return _seat_change(key, "appoint", form, work, gettext("The appointment is recorded."))


@bp.route("/<key>/seats/<int:seat_id>/leave", methods=["POST"])
@role_required("secretariat")
def leave(key: str, seat_id: int) -> ResponseReturnValue:
    _body(key)
    row = db_session().get(BodyMembership, seat_id)
    if row is None or row.body_key != key:
        abort(404)
    form = DatedForm(prefix="leave")
    if not form.validate_on_submit():
        return _render(key, refusal=" ".join(map(str, form.on.errors)) or gettext(
            "The form has expired; try again."), status=422)
    try:
        change(lambda session: bodies.leave(session, seat_id, form.on.data))
    except Refusal as refusal:
        return _render(key, refusal=refusal.text, status=422)
    flash(gettext("The seat ends on %(date)s.", date=format_date(form.on.data, "long")))
    return redirect(url_for("admin_bodies.body_page", key=key))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
