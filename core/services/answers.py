"""Answers to the invitation letters: from the online page, the phone, paper or the door.

An answer is the invitee's consent, the features the city selects on (in the seat
group's own values), where they live (for the one-per-household rule) and how to reach
them; it becomes a respondent of the pool at once, with its personal data kept apart
like an imported one. A letter's code answers once: an unknown code and a code already
used get the same refusal, so trying codes tells nothing about which exist; after the
last day to answer, the refusal says so politely. Nothing is stored for a refused
answer. Doorstep and paper answers without a letter (Poitiers knocks on doors) go
through the same checks, entered by the secretariat.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kleroterion.city.types import SeatGroup
from kleroterion.messages import N_
from kleroterion.models import Invitation, InvitationDraw, Mandate, PersonalData, Respondent
from kleroterion.services import audit
from kleroterion.services.context import city_of, get
from kleroterion.services.errors import InvalidInput, NotAllowed
from kleroterion.services.field_labels import field_label
from kleroterion.services.letters import StratumAnswers, answer_rates, digest, well_formed
from kleroterion.services.recruitment import household_key, new_public_id, seat_group
from sqlalchemy import select, update
from sqlalchemy.orm import Session

#: How an answer reached the secretariat.
CHANNELS = ("web", "phone", "paper", "door")
__all__ = ["CHANNELS", "FIELD_LIMITS", "LIMITS", "Contact", "StratumAnswers", "answer",
           "answer_rates", "letter_of", "refused_code"]
#: The longest text kept in a personal field, in characters (the columns' widths).
LIMITS = {"name": 200, "address": 300, "email": 200, "phone": 40}
#: The longest value each field of an answer takes, in characters: the personal fields'
#: widths, a letter's code (``XXXXX-XXXXX`` as typed, with room for spaces), an ISO date,
#: a feature's value. The forms' ``maxlength`` are these; all of them at once, in 4-byte
#: characters percent-encoded, fit the anonymous body limit (``web.limits``, 16 KB) with
#: room for the form's other fields, so a long answer is refused field by field.
FIELD_LIMITS = {**LIMITS, "code": 40, "birth_date": 10, "feature": 64}
#: Age under which a parent's or guardian's agreement is asked.
ADULT_AGE = 18


class CodeRefused(InvalidInput):
    """A code that is not a letter's, or whose letter was answered already."""


class AnswersClosed(NotAllowed):
    """The last day to answer this letter has passed."""


@dataclass(frozen=True)
class Contact:
    """What the secretariat needs to reach the person; personal data."""

    name: str
    address: str
    birth_date: dt.date
    email: str = ""
    phone: str = ""


def refused_code() -> CodeRefused:
    """The one refusal of a code that does not answer (unknown, used or malformed)."""
    return CodeRefused(N_("this code is not valid or has already been used: check it on "
                          "your letter, or call the secretariat"), field="code")


def letter_of(session: Session, code: str, on: dt.date) -> Invitation:
    """The unanswered letter of ``code``, or a refusal that tells nothing more."""
    if not well_formed(code):
        raise refused_code()
    invitation = session.scalar(select(Invitation).where(
        Invitation.code_digest == digest(code)))
    if invitation is None or invitation.answered_at is not None:
        raise refused_code()
    draw = get(session, InvitationDraw, invitation.invitation_draw_id)
    if draw.answers_until is not None and on > draw.answers_until:
        raise AnswersClosed(N_("answers closed on %(until)s; thank you for your interest: "
                               "the secretariat can tell you about the next draw"),
                            until=draw.answers_until.isoformat(), field="code")
    return invitation


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _check_features(group: SeatGroup, features: dict[str, str], mandate: Mandate
                    ) -> dict[str, str]:
    declared = {f.key: f for f in city_of(mandate).config.composition.features}
    checked: dict[str, str] = {}
    for key in group.features:
        value = (features.get(key) or "").strip()
        accepted = [v.key for v in declared[key].values] if key in declared else []
        if value not in accepted:
            longest = FIELD_LIMITS["feature"]
            shown = value[:longest] + ("…" if len(value) > longest else "")
            raise InvalidInput("%(feature)s: %(value)r is not one of the answers offered "
                               "(%(accepted)s)", feature=key, value=shown,
                               accepted=", ".join(accepted), field=f"feature-{key}")
        checked[key] = value
    return checked


def _check_contact(contact: Contact, group: SeatGroup, mandate: Mandate, on: dt.date,
                   guardian: bool) -> None:
    for name, limit in LIMITS.items():
        text = getattr(contact, name)
        if len(text) > limit:
            raise InvalidInput("%(what)s is longer than %(limit)s characters",
                               what=field_label(name), limit=limit, field=name)
        if "\x00" in text:
            raise InvalidInput("%(what)s holds a NUL character", what=field_label(name),
                               field=name)
    if not contact.name.strip():
        raise InvalidInput("your name is needed to contact you if you are drawn",
                           field="name")
    if not contact.address.strip():
        raise InvalidInput("your address is needed (one person per household may be drawn)",
                           field="address")
    if not (contact.email.strip() or contact.phone.strip()):
        raise InvalidInput("give an e-mail address or a telephone number", field="email")
    if contact.email.strip() and "@" not in contact.email:
        raise InvalidInput("%(email)r is not an e-mail address", email=contact.email,
                           field="email")
    age = _age(contact.birth_date, on)
    composition = city_of(mandate).config.composition
    youngest = max(composition.minimum_age, group.minimum_age or 0)
    if age < youngest or age > 120:
        raise InvalidInput("members are %(age)s or older; the birth date gives %(given)s",
                           age=youngest, given=age, field="birth_date")
    if group.maximum_age is not None and age > group.maximum_age:
        raise InvalidInput("this seat group is for people up to %(age)s years old",
                           age=group.maximum_age, field="birth_date")
    if age < ADULT_AGE and not guardian:
        raise InvalidInput("a parent or guardian must agree to the answer of a person under "
                           "%(age)s", age=ADULT_AGE, field="guardian")


def answer(session: Session, *, on: dt.date, features: dict[str, str], contact: Contact,
           consent: bool, guardian: bool = False, channel: str = "web", code: str = "",
           mandate_id: int | None = None, group_key: str = "") -> Respondent:
    """Record one answer as a respondent of the pool; with a letter's code, or (door and
    paper answers) for a seat group of a mandate."""
    if channel not in CHANNELS:
        raise InvalidInput("%(channel)r is not a channel; accepted: %(accepted)s",
                           channel=channel, accepted=", ".join(CHANNELS), field="channel")
    if code:
        invitation: Invitation | None = letter_of(session, code, on)
        assert invitation is not None
        mandate = get(session, Mandate, invitation.mandate_id)
        group = seat_group(mandate, invitation.seat_group)
    elif channel == "web":
        raise refused_code()
    else:
        invitation = None
        mandate = get(session, Mandate, mandate_id)
        group = seat_group(mandate, group_key)
    if mandate.status != "open":
        raise NotAllowed("mandate %(mandate)s is closed", mandate=mandate.id)
    if not consent:
        raise InvalidInput("the answer needs your consent to the use of your data for the "
                           "draw", field="consent")
    checked = _check_features(group, features, mandate)
    _check_contact(contact, group, mandate, on, guardian)
    respondent = Respondent(
        public_id=new_public_id(), mandate_id=mandate.id, seat_group=group.key,
        source="respondent", external_id="", features=checked,
        household=household_key(mandate, contact.address), status="pool")
    respondent.personal = PersonalData(
        name=contact.name.strip(), address=contact.address.strip(),
        birth_date=contact.birth_date, email=contact.email.strip() or None,
        phone=contact.phone.strip() or None)
    session.add(respondent)
    session.flush()
    respondent.external_id = (f"letter-{invitation.id}" if invitation is not None
                              else f"{channel}-{respondent.public_id}")
    if invitation is not None:
        # Two answers with one code at once: only the first update finds the letter open.
        taken = session.execute(
            update(Invitation).where(Invitation.id == invitation.id,
                                     Invitation.answered_at.is_(None))
            .values(answered_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                    respondent_id=respondent.id))
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            raise refused_code()
    audit.record(session, "answers.answer", "respondent", respondent.id, mandate=mandate.id,
                 seat_group=group.key, channel=channel, respondent=respondent.public_id,
                 letter=invitation.id if invitation is not None else None)
    return respondent
