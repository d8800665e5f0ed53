"""The back office's members: the list, one member's page, and their consent to be named.

Read-only accounts see who sits and under which name each consenting member is
shown on the public site; the secretariat records a consent (with the name the
member chose) or its withdrawal through ``services.members``, and the member's bank
details (IBAN), which the indemnities are paid to: personal data, checked and
recorded by ``recruitment.set_personal_data`` (the audit log names the field, never
the value), shown whole to the secretariat only (masked to read-only accounts), and
purged with the rest of the member's personal data. Members appear by
their pseudonymous id: their legal name stays in the personal data. The routes are
added to the ``backoffice`` blueprint at import; ``backoffice.init_app`` imports
this module before registering the blueprint.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from kleroterion.db import session_scope
from kleroterion.models import Member
from kleroterion.services import members, payments, recruitment
from kleroterion.services.errors import ConflictError, InvalidInput, ServiceError
from kleroterion.web.auth import (
    ROLE_LEVEL,
    actor,
    current_role_level,
    role_required,
    sees_personal_data,
)
from kleroterion.web.backoffice import bp, write_engine
from kleroterion.web.context import current_config
from kleroterion.web.database import current_mandate, db_session
from kleroterion.web.forms import BankDetailsForm, PublicNameForm, WithdrawNameForm
from kleroterion.web.i18n import refusal_text
from kleroterion.web.public import today
from sqlalchemy.orm import Session


def _member(member_id: int) -> Member:
    member = db_session().get(Member, member_id)
    if member is None:
        abort(404)
    return member


def _group_labels() -> dict[str, object]:
    return {group.key: group.label for group in current_config().composition.seat_groups}


@bp.route("/members")
@role_required("read-only")
def members_page() -> ResponseReturnValue:
    """The current mandate's members, with the name each is shown under publicly."""
    mandate = current_mandate()
    rows = members.list_members(db_session(), mandate.id) if mandate else []
    return render_template("admin/members.html", mandate=mandate, rows=rows,
                           public_name=members.public_name, groups=_group_labels())


def _render_member(member: Member, consent: PublicNameForm | None = None,
                   withdrawal: WithdrawNameForm | None = None, error: str | None = None,
                   status: int = 200, bank: BankDetailsForm | None = None
                   ) -> ResponseReturnValue:
    data = {"on": today(), "expected_version": member.version}
    if consent is None:
        consent = PublicNameForm(prefix="consent", formdata=None, data={
            **data, "public_name": members.public_name(member) or ""})
    if withdrawal is None:
        withdrawal = WithdrawNameForm(prefix="withdraw", formdata=None, data=data)
    return render_template(
        "admin/member.html", member=member, groups=_group_labels(),
        public_name=members.public_name(member), consent=consent, withdrawal=withdrawal,
        history=members.history(db_session(), member.id), error=error,
        may_write=current_role_level() >= ROLE_LEVEL["secretariat"],
        bank=bank or BankDetailsForm(prefix="bank", formdata=None), **_bank_details(member),
    ), status


def _bank_details(member: Member) -> dict[str, object]:
    """The IBAN as this user may see it: whole for the secretariat, else masked."""
    personal = member.respondent.personal
    iban = personal.iban if personal is not None else None
    if iban and sees_personal_data():
        from stdnum import iban as numbers

        shown = str(numbers.format(iban))
    else:
        shown = payments.masked_iban(iban)
    return {"iban": shown, "bank_purged": personal is None or personal.purged_at is not None}


@bp.route("/members/<int:member_id>")
@role_required("read-only")
def member_page(member_id: int) -> ResponseReturnValue:
    return _render_member(_member(member_id))


def _version(text: str | None) -> int | None:
    try:
        return int(text or "")
    except ValueError:
        return None


def _stale(member_id: int) -> ResponseReturnValue:
    db_session().expire_all()
    return _render_member(_member(member_id), error=gettext(
        "Someone else changed this member since the page was shown. Here they are as they "
        "are now; check and record the change again if it is still needed."), status=409)


def _change(member: Member, form: PublicNameForm | WithdrawNameForm, which: str,
            work: Callable[[Session, int | None], object], done: str) -> ResponseReturnValue:
    """Run ``work`` in one transaction; a refusal re-renders ``form`` (``which`` of the page)."""
    if not form.validate_on_submit():
        return _render_member(member, **{which: form}, status=422)
    try:
        with session_scope(write_engine(), actor=actor()) as session:
            work(session, _version(form.expected_version.data))
    except ConflictError:
        return _stale(member.id)
    except InvalidInput as refusal:  # the name passed the form's checks: the date is refused
        form.on.errors = [*form.on.errors, refusal_text(refusal)]
        return _render_member(member, **{which: form}, status=422)
    except ServiceError as refusal:
        return _render_member(member, **{which: form}, error=refusal_text(refusal),
                              status=422)
    flash(done)
    return redirect(url_for("backoffice.member_page", member_id=member.id))


@bp.route("/members/<int:member_id>/public-name", methods=["POST"])
@role_required("secretariat")
def give_public_name(member_id: int) -> ResponseReturnValue:
    """Record the member's consent to be named publicly, under the name they chose."""
    member = _member(member_id)
    form = PublicNameForm(prefix="consent")
    return _change(member, form, "consent", lambda session, version: members.give_name_consent(
        session, member.id, form.public_name.data, form.on.data or today(),
        expected_version=version),
        gettext("The consent is recorded: the name is shown on the public panel page."))


@bp.route("/members/<int:member_id>/public-name/withdraw", methods=["POST"])
@role_required("secretariat")
def withdraw_public_name(member_id: int) -> ResponseReturnValue:
    """Withdraw the member's consent: their name leaves the public page and is blanked."""
    member = _member(member_id)
    form = WithdrawNameForm(prefix="withdraw")
    return _change(member, form, "withdrawal",
                   lambda session, version: members.withdraw_name_consent(
                       session, member.id, form.on.data or today(),
                       expected_version=version),
                   gettext("The consent is withdrawn: the name is no longer shown."))


@bp.route("/members/<int:member_id>/bank-details", methods=["POST"])
@role_required("secretariat")
def set_bank_details(member_id: int) -> ResponseReturnValue:
    """Record the member's IBAN; a refusal says what is wrong, never quoting the number."""
    member = _member(member_id)
    form = BankDetailsForm(prefix="bank")
    if not form.validate_on_submit():
        return _render_member(member, bank=form, status=422)
    try:
        with session_scope(write_engine(), actor=actor()) as session:
            recruitment.set_personal_data(session, member.respondent_id, iban=form.iban.data)
    except InvalidInput as refusal:  # the number: said at the field
        form.iban.errors = [*form.iban.errors, refusal_text(refusal)]
        return _render_member(member, bank=form, status=422)
    except ServiceError as refusal:  # the person: purged
        return _render_member(member, bank=form, error=refusal_text(refusal), status=422)
    flash(gettext("The bank details are recorded."))
    return redirect(url_for("backoffice.member_page", member_id=member.id))
