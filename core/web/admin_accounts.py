"""The back office's accounts (administrators only): accounts, roles and API tokens.

Each change calls the service of the CLI's ``user`` commands (``users.create_user``,
``set_role``, ``deactivate``, ``issue_token``, ``revoke_token``): a weak password, a
taken username or a token above its user's role is refused with the service's
sentence, and nothing is written. An account made here works for this city only. A
token is shown once, on the page that issues it, and never stored (only its digest).
"""

from __future__ import annotations

from typing import cast

from flask import Blueprint, Flask, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user
from kleroterion.models import User
from kleroterion.models.users import ROLES
from kleroterion.services import users
from kleroterion.web.admin_common import Refusal, change
from kleroterion.web.admin_forms import AccountForm, ButtonForm, RoleForm, TokenForm
from kleroterion.web.auth import role_required
from kleroterion.web.context import current_city
from kleroterion.web.database import db_session
from sqlalchemy import or_, select

bp = Blueprint("admin_accounts", __name__, url_prefix="/admin/accounts")


def _role_choices() -> list[tuple[str, str]]:
    names = {"administrator": gettext("administrator"), "secretariat": gettext("secretariat"),
             "read-only": gettext("read-only")}
    return [(role, names[role]) for role in ROLES]


def _accounts() -> list[User]:
    return list(db_session().scalars(select(User).where(
        or_(User.city.is_(None), User.city == current_city().slug)).order_by(User.username)))


def _user(user_id: int) -> User:
    user = db_session().get(User, user_id)
    if user is None or user.city not in (None, current_city().slug):
        abort(404)
    return user


@bp.route("/")
@role_required("administrator")
def accounts_page(form: AccountForm | None = None, refusal: str | None = None,
                  status: int = 200) -> ResponseReturnValue:
    if form is None:
        form = AccountForm(formdata=None)
    form.role.choices = _role_choices()
    return render_template("admin/accounts.html", rows=_accounts(), form=form, refusal=refusal,
                           roles=dict(_role_choices()), min_password=users.MIN_PASSWORD), status


@bp.route("/", methods=["POST"])
@role_required("administrator")
def new_account() -> ResponseReturnValue:
    form = AccountForm()
    form.role.choices = _role_choices()
    if not form.validate_on_submit():
        return accounts_page(form, status=422)
    try:
        change(lambda session: users.create_user(session, form.username.data or "",
                                                 form.password.data or "", form.role.data,
                                                 city=current_city().slug))
    except Refusal as refusal:
        form.password.data = ""
        return accounts_page(form, refusal.text, 422)
    flash(gettext("The account is created."))
    return redirect(url_for("admin_accounts.accounts_page"))


def _render_account(user: User, role: RoleForm | None = None, token: str | None = None,
                    refusal: str | None = None, status: int = 200) -> ResponseReturnValue:
    if role is None:
        role = RoleForm(formdata=None, data={"role": user.role})
    role.role.choices = _role_choices()
    return render_template(
        "admin/account.html", user=user, role_form=role, token_form=TokenForm(formdata=None),
        button=ButtonForm(formdata=None), tokens=users.list_tokens(db_session(), user.id),
        token=token, refusal=refusal, roles=dict(_role_choices())), status


@bp.route("/<int:user_id>")
@role_required("administrator")
def account_page(user_id: int) -> ResponseReturnValue:
    return _render_account(_user(user_id))


@bp.route("/<int:user_id>/role", methods=["POST"])
@role_required("administrator")
def set_role(user_id: int) -> ResponseReturnValue:
    user = _user(user_id)
    form = RoleForm()
    form.role.choices = _role_choices()
    if not form.validate_on_submit():
        return _render_account(user, form, status=422)
    try:
        change(lambda session: users.set_role(session, user_id, form.role.data))
    except Refusal as refusal:
        return _render_account(user, form, refusal=refusal.text, status=422)
    flash(gettext("The role is changed."))
    return redirect(url_for("admin_accounts.account_page", user_id=user_id))


@bp.route("/<int:user_id>/deactivate", methods=["POST"])
@role_required("administrator")
def deactivate(user_id: int) -> ResponseReturnValue:
    user = _user(user_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if user.id == cast(User, current_user).id:
        return _render_account(user, refusal=gettext(
            "You cannot deactivate your own account: another administrator must."), status=422)
    try:
        change(lambda session: users.deactivate(session, user_id))
    except Refusal as refusal:
        return _render_account(user, refusal=refusal.text, status=422)
    flash(gettext("The account is deactivated."))
    return redirect(url_for("admin_accounts.account_page", user_id=user_id))


@bp.route("/<int:user_id>/tokens", methods=["POST"])
@role_required("administrator")
def issue_token(user_id: int) -> ResponseReturnValue:
    """Issue a token and show it once (the page is not cached; the token is not stored)."""
    user = _user(user_id)
    form = TokenForm()
    if not form.validate_on_submit():
        return _render_account(user, refusal=" ".join(map(str, form.name.errors)), status=422)
    try:
        _, token = change(lambda session: users.issue_token(session, user_id,
                                                            form.name.data or ""))
    except Refusal as refusal:
        return _render_account(user, refusal=refusal.text, status=422)
    response = _render_account(_user(user_id), token=token)
    return response


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@role_required("administrator")
def revoke_token(token_id: int) -> ResponseReturnValue:
    from kleroterion.models import ApiToken

    row = db_session().get(ApiToken, token_id)
    if row is None:
        abort(404)
    user = _user(row.user_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        change(lambda session: users.revoke_token(session, token_id))
    except Refusal as refusal:
        return _render_account(user, refusal=refusal.text, status=422)
    flash(gettext("The token is revoked."))
    return redirect(url_for("admin_accounts.account_page", user_id=user.id))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
