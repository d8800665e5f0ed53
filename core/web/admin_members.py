"""The back office's members: confirming seats together, a withdrawal, a replacement.

The secretariat ticks the seated members who accepted and confirms them at once
(``services.members.confirm`` for each, in one transaction: one refusal and none is
confirmed, the refused member named). A member's seat page records a withdrawal
(``members.withdraw``, with the version the page showed) and draws a replacement
under the quotas left (``panel.replace_member``, the CLI's ``member replace``) with a
public number. Members appear by their pseudonymous id.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext, ngettext
from kleroterion.models import Member
from kleroterion.services import members, panel
from kleroterion.web.admin_common import Refusal, change, may_write
from kleroterion.web.admin_forms import ConfirmForm, ReplaceForm, WithdrawForm
from kleroterion.web.auth import role_required
from kleroterion.web.context import current_config, current_engine
from kleroterion.web.database import current_mandate, db_session
from kleroterion.web.public import today
from kleroterion.web.records import lottery_root
from sqlalchemy.orm import Session

bp = Blueprint("admin_members", __name__, url_prefix="/admin/members")


def _groups() -> dict[str, object]:
    return {group.key: group.label for group in current_config().composition.seat_groups}


def _seated() -> list[Member]:
    mandate = current_mandate()
    if mandate is None:
        return []
    return [m for m in members.list_members(db_session(), mandate.id) if m.status == "seated"]


def _render_confirm(form: ConfirmForm | None = None, refusal: str | None = None,
                    status: int = 200) -> ResponseReturnValue:
    rows = _seated()
    if form is None:
        form = ConfirmForm(formdata=None, data={"on": today()})
    ticked = set(form.members.data or [])
    return render_template("admin/members_confirm.html", mandate=current_mandate(), rows=rows,
                           form=form, ticked=ticked, groups=_groups(), refusal=refusal,
                           may_write=may_write()), status


@bp.route("/confirm")
@role_required("secretariat")
def confirm_page() -> ResponseReturnValue:
    return _render_confirm()


@bp.route("/confirm", methods=["POST"])
@role_required("secretariat")
def confirm_members() -> ResponseReturnValue:
    """Confirm the members ticked (or every one listed), all or none."""
    rows = _seated()
    form = ConfirmForm()
    form.members.choices = [(m.id, m.public_id) for m in rows]
    if "all" in request.form:
        form.members.data = [m.id for m in rows]
    if not form.validate_on_submit():
        return _render_confirm(form, status=422)
    chosen = list(form.members.data or [])
    if not chosen:
        return _render_confirm(form, gettext("Tick at least one member to confirm."), 422)

    def confirm_all(session: Session) -> int:
        for ident in chosen:
            members.confirm(session, ident, form.on.data)
        return len(chosen)

    try:
        count = change(confirm_all)
    except Refusal as refusal:
        return _render_confirm(form, gettext("Nobody was confirmed: %(reason)s",
                                             reason=refusal.text), 422)
    flash(ngettext("%(num)d member confirmed.", "%(num)d members confirmed.", count))
    return redirect(url_for("admin_members.confirm_page"))


def _member(member_id: int) -> Member:
    member = db_session().get(Member, member_id)
    if member is None:
        abort(404)
    return member


def _render_seat(member: Member, withdrawal: WithdrawForm | None = None,
                 replacement: ReplaceForm | None = None, refusal: str | None = None,
                 status: int = 200) -> ResponseReturnValue:
    data = {"on": today(), "expected_version": member.version}
    replaced_by = db_session().query(Member).filter(Member.replaces_id == member.id).first()
    return render_template(
        "admin/member_seat.html", member=member, groups=_groups(), refusal=refusal,
        withdrawal=withdrawal or WithdrawForm(prefix="withdraw", formdata=None, data=data),
        replacement=replacement or ReplaceForm(prefix="replace", formdata=None, data=data),
        replaced_by=replaced_by, may_write=may_write()), status


@bp.route("/<int:member_id>/seat")
@role_required("read-only")
def seat_page(member_id: int) -> ResponseReturnValue:
    return _render_seat(_member(member_id))


@bp.route("/<int:member_id>/withdraw", methods=["POST"])
@role_required("secretariat")
def withdraw(member_id: int) -> ResponseReturnValue:
    """Record a withdrawal, refused as ``member withdraw`` refuses."""
    member = _member(member_id)
    form = WithdrawForm(prefix="withdraw")
    if not form.validate_on_submit():
        return _render_seat(member, withdrawal=form, status=422)
    try:
        version = int(form.expected_version.data)
    except (TypeError, ValueError):
        version = None
    try:
        change(lambda session: members.withdraw(session, member_id, form.on.data,
                                                form.reason.data or "",
                                                expected_version=version))
    except Refusal as refusal:
        return _render_seat(_member(member_id), withdrawal=None if refusal.conflict else form,
                            refusal=refusal.text, status=409 if refusal.conflict else 422)
    flash(gettext("The withdrawal is recorded."))
    return redirect(url_for("admin_members.seat_page", member_id=member_id))


@bp.route("/<int:member_id>/replace", methods=["POST"])
@role_required("secretariat")
def replace(member_id: int) -> ResponseReturnValue:
    """Draw a replacement with a public number, refused as ``member replace`` refuses."""
    member = _member(member_id)
    form = ReplaceForm(prefix="replace")
    if not form.validate_on_submit():
        return _render_seat(member, replacement=form, status=422)
    root = lottery_root(current_app)
    try:
        new = change(lambda session: panel.replace_member(
            session, member_id, form.on.data, public_number=form.public_number.data,
            root=root, engine=current_engine()))
    except Refusal as refusal:
        return _render_seat(member, replacement=form, refusal=refusal.text, status=422)
    flash(gettext("Member %(number)s replaces the member who withdrew.", number=new.id))
    return redirect(url_for("admin_members.seat_page", member_id=member_id))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
