"""The online answer to an invitation letter, and the same form for the secretariat.

``/answer`` is public: the invitee enters the code of their letter (or scans its QR
code, which opens ``/answer?code=…``), reads what the assembly asks of its members,
and answers: consent, the features the city draws on (in its own words), where they
live and how to reach them. ``services.answers`` decides; this module only shows the
form and its refusals, next to their fields, in the visitor's language. Refused codes
are counted per client in the database (``web.throttle``, under a key of their own):
past ``CHECKS`` in a quarter of an hour the page answers 429, so codes cannot be tried
in bulk. A refused code stores nothing but that count.

``/admin/answers`` is the secretariat's: the answer rates of each invitation draw,
lowest stratum first, and the form for an answer given on the phone, on paper or at
the door (Poitiers), with or without a letter's code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Flask, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from kleroterion.city.types import SeatGroup
from kleroterion.db import session_scope
from kleroterion.messages import N_
from kleroterion.models import InvitationDraw, Mandate
from kleroterion.services import answers
from kleroterion.services.context import get
from kleroterion.services.errors import InvalidInput, ServiceError
from kleroterion.services.recruitment import seat_group
from kleroterion.web.auth import actor, role_required
from kleroterion.web.context import current_city, current_config
from kleroterion.web.database import current_engine, db_session
from kleroterion.web.i18n import refusal_text
from kleroterion.web.public import today
from kleroterion.web.throttle import LoginThrottle
from sqlalchemy import select
from sqlalchemy.orm import Session

bp = Blueprint("answer", __name__)
admin = Blueprint("answers_admin", __name__, url_prefix="/admin")

#: Refused codes a client may try in the throttle's window (15 minutes): a person
#: mistyping their code makes a few; a household or an office behind one address, more.
CHECKS = 30
_THROTTLE = "kleroterion.answer_throttle"
FIELDS = ("name", "address", "birth_date", "email", "phone")
#: How an answer reached the secretariat, as the desk names it.
CHANNEL_NAMES = {"phone": _l("by telephone"), "paper": _l("on paper"),
                 "door": _l("at the door")}


def _throttle() -> LoginThrottle:
    found = current_app.extensions.get(_THROTTLE)
    if found is None:
        secret = str(current_app.config["SECRET_KEY"]).encode() + b"\0answers"
        # Counted per client only: a code names no account to lock, and one count is
        # one query on every answer.
        found = LoginThrottle(secret=secret, limits={"client": CHECKS})
        current_app.extensions[_THROTTLE] = found
    assert isinstance(found, LoginThrottle)
    return found


def _form_values() -> dict[str, str]:
    # One character past the limit: enough for the refusal, never a page of echo.
    return {name: request.form.get(name, "")[:answers.FIELD_LIMITS[name] + 1]
            for name in FIELDS}


def _forged(group: SeatGroup, *others: str) -> str | None:
    """Why the posted form is not the one the page sent (a field it lacks, or one sent
    twice), in the visitor's language; None when it is."""
    known = {"csrf_token", "step", "code", "consent", "guardian", *FIELDS, *others,
             *(f"feature-{key}" for key in group.features)}
    for name in request.form:
        if name not in known:
            return str(gettext("The form sent holds a field this page does not have (%(field)s): "
                           "nothing was recorded. Open the page again and answer through it.",
                           field=name[:40]))
        if len(request.form.getlist(name)) > 1:
            return str(gettext("The form sent gives the field %(field)s twice: nothing was "
                           "recorded. Open the page again and answer through it.",
                           field=name[:40]))
    return None


class _Forged(ServiceError):
    """A posted form that is not the page's; ``forged`` says why, translated."""

    def __init__(self, forged: str) -> None:
        super().__init__("the form sent is not the page's")
        self.forged = forged


def _posted(group: SeatGroup) -> tuple[dict[str, str], answers.Contact]:
    """The features and contact of the posted answer; InvalidInput for a bad birth date."""
    values = _form_values()
    try:
        birth = dt.date.fromisoformat(values["birth_date"])
    except ValueError:
        raise InvalidInput(N_("Give your date of birth (day, month and year)."),
                           field="birth_date") from None
    features = {key: request.form.get(f"feature-{key}", "") for key in group.features}
    return features, answers.Contact(values["name"], values["address"], birth,
                                     email=values["email"], phone=values["phone"])


def _record(session: Session, *, group: SeatGroup, channel: str, code: str,
            mandate_id: int | None) -> None:
    features, contact = _posted(group)
    answers.answer(session, on=today(), features=features, contact=contact,
                   consent=request.form.get("consent") == "yes",
                   guardian=request.form.get("guardian") == "yes", channel=channel,
                   code=code, mandate_id=mandate_id, group_key=group.key)


def _answer(*, group: SeatGroup, channel: str, code: str, mandate_id: int | None,
            by: str) -> tuple[str | None, str | None]:
    """Record the posted answer; (None, None) or the refusal and the field it is about."""
    try:
        with session_scope(current_engine(), actor=by) as session:
            _record(session, group=group, channel=channel, code=code, mandate_id=mandate_id)
    except ServiceError as error:
        return refusal_text(error), error.field
    return None, None


def _page(step: str, status: int = 200, **context: Any) -> ResponseReturnValue:
    context.setdefault("values", {})
    context.setdefault("chosen", {})
    return render_template("public/answer.html", step=step, config=current_config(),
                           **context), status


def _letter(session: Session, code: str) -> tuple[Mandate, SeatGroup, InvitationDraw]:
    """The open letter of ``code`` in this city: its mandate, seat group and draw."""
    letter = answers.letter_of(session, code, today())
    mandate = session.get(Mandate, letter.mandate_id)
    if mandate is None or mandate.city != current_city().slug:
        # A code of another city sharing the database is no code here.
        raise answers.refused_code()
    return (mandate, seat_group(mandate, letter.seat_group),
            get(session, InvitationDraw, letter.invitation_draw_id))


@bp.route("/answer", methods=["GET", "POST"])
def answer_page() -> ResponseReturnValue:
    code = (request.values.get("code") or "").strip()[:40]
    if not code:
        if request.method == "POST":
            return _page("code", 422, error=gettext("Enter the code printed on your letter."))
        return _page("code")
    limiter = _throttle()
    attempt = limiter.attempt("answer", request.remote_addr)
    # Only refused codes are counted: an invitee's own checks cost one read.
    wait = limiter.waiting_in(db_session(), attempt)
    if wait > 0:
        minutes = max(1, round(wait / 60))
        return _page("code", 429, error=gettext(
            "Too many codes were tried from your connection: try again in %(minutes)s "
            "minutes, or call the secretariat.", minutes=minutes))
    answering = request.method == "POST" and request.form.get("step") == "answer"
    try:
        if answering:
            # The letter is read and answered in one transaction: one look-up, one commit.
            with session_scope(current_engine(), actor="answer-page") as session:
                _, group, _ = _letter(session, code)
                forged = _forged(group)
                if forged is not None:
                    raise _Forged(forged)
                _record(session, group=group, channel="web", code=code, mandate_id=None)
            return _page("thanks")
        mandate, group, draw = _letter(db_session(), code)
    except answers.CodeRefused as refusal:
        limiter.fail(current_engine(), attempt)
        return _page("code", 422, error=refusal_text(refusal), code=code)
    except ServiceError as refusal:
        if not answering or refusal.field == "code":  # answers closed, say
            return _page("code", 422, error=refusal_text(refusal), code=code)
        return _refused_answer(code, refusal)
    return _page("answer", code=code, group=group, mandate=mandate, until=draw.answers_until)


def _refused_answer(code: str, refusal: ServiceError) -> ResponseReturnValue:
    """The form again, with the refusal next to its field and what was typed."""
    try:
        mandate, group, draw = _letter(db_session(), code)
    except ServiceError as gone:  # answered meanwhile, from another tab
        return _page("code", 422, error=refusal_text(gone), code=code)
    context = {"code": code, "group": group, "mandate": mandate, "until": draw.answers_until}
    if isinstance(refusal, _Forged):
        return _page("answer", 422, error=refusal.forged, **context)
    return _page("answer", 422, error=refusal_text(refusal), field=refusal.field,
                 values=_form_values(), chosen=dict(request.form), **context)


@admin.route("/answers", methods=["GET", "POST"])
@role_required("secretariat")
def answers_desk() -> ResponseReturnValue:
    """Answer rates of each invitation draw, and an answer taken on the phone or at the door."""
    session = db_session()
    mandates = session.scalars(select(Mandate).where(
        Mandate.city == current_city().slug, Mandate.status == "open")
        .order_by(Mandate.starts_on.desc())).all()
    draws = session.scalars(select(InvitationDraw).where(
        InvitationDraw.mandate_id.in_([m.id for m in mandates]))
        .order_by(InvitationDraw.id)).all()
    rates = {draw.id: answers.answer_rates(session, draw.id) for draw in draws}
    groups = [(m, g) for m in mandates for g in current_config().composition.seat_groups
              if g.selection != "open"]
    context: dict[str, Any] = {"draws": draws, "rates": rates, "groups": groups,
                               "channels": answers.CHANNELS[1:]}
    if request.method == "GET":
        return render_template("admin/answers.html", values={}, chosen={}, **context)
    choice = request.form.get("target", "")
    found = [(m, g) for m, g in groups if f"{m.id}:{g.key}" == choice]
    if not found:
        return render_template("admin/answers.html", error=gettext(
            "Choose the open mandate and seat group of the answer in the list."),
            values={}, chosen={}, **context), 422
    mandate, group = found[0]
    forged = _forged(group, "target", "channel")
    if forged is not None:
        return render_template("admin/answers.html", error=forged, values={}, chosen={},
                               **context), 422
    channel = request.form.get("channel", "phone")
    error, field = _answer(group=group, channel=channel,
                           code=(request.form.get("code") or "").strip()[:40],
                           mandate_id=mandate.id, by=actor())
    if error is not None:
        return render_template("admin/answers.html", error=error, field=field,
                               values=_form_values(), chosen=dict(request.form),
                               **context), 422
    return render_template("admin/answers.html", recorded=True, values={}, chosen={},
                           **context)


@bp.context_processor
@admin.context_processor
def _template_context() -> dict[str, Any]:
    composition = current_config().composition
    return {"features_by_key": {f.key: f for f in composition.features},
            "composition": composition, "channel_names": CHANNEL_NAMES,
            "limits": answers.FIELD_LIMITS}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(admin)
