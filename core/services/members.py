"""Members over time: confirm, withdraw, and read a member's history.

A member's row changes status, but each step is also a dated ``MemberEvent``, so
history is never overwritten. Changes check the version the caller read
(``expected_version``) and the version counter of the row, so two users editing
one member at once get a conflict instead of losing an update. The plugins'
``on_withdrawal`` hook hears of a withdrawal after it is committed, without its reason.

A member may consent to be named on the public site under a name of their choice,
and withdraw that consent at any time. The name is personal data: it is kept in
``personal_data``, blanked on withdrawal and by the purge, and the audit log and
the member's history record that consent was given or withdrawn, never the name
(the log is printed and may be handed to an auditor, like the personal-data
updates of ``recruitment.set_personal_data``, which record field names only).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from dataclasses import dataclass

from kleroterion.city.behaviour import MemberWithdrawn
from kleroterion.models import Mandate, Member, MemberEvent, PersonalData, Respondent
from kleroterion.models.assembly import PUBLIC_NAME_LENGTH
from kleroterion.services import audit
from kleroterion.services.context import (
    actor,
    check_version,
    city_of,
    conflicts,
    emit,
    flush,
    get,
)
from kleroterion.services.errors import InvalidInput, NotAllowed
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified


@conflicts
def confirm(session: Session, member_id: int, on: dt.date, *,
            expected_version: int | None = None) -> Member:
    """Record that a drawn member accepted their seat."""
    member = get(session, Member, member_id)
    check_version(member, expected_version)
    mandate = get(session, Mandate, member.mandate_id)
    if member.status != "seated":
        raise NotAllowed("member %(member)s is %(status)s; only a seated member can confirm",
                         member=member_id, status=member.status)
    if on < member.seated_on or on > mandate.ends_on:
        raise InvalidInput("the confirmation date %(date)s must fall between the seat "
                           "(%(seated)s) and the end of mandate %(mandate)s (%(end)s)",
                           date=on.isoformat(), seated=member.seated_on.isoformat(),
                           mandate=mandate.id, end=mandate.ends_on.isoformat())
    member.status, member.confirmed_on = "confirmed", on
    member.events.append(MemberEvent(kind="confirmed", on=on, actor=actor(session)))
    flush(session, member)
    audit.record(session, "member.confirm", "member", member.id, on=on, version=member.version)
    return member


@conflicts
def withdraw(session: Session, member_id: int, on: dt.date, reason: str, *,
             expected_version: int | None = None) -> Member:
    """Record a member's withdrawal, with its reason and date; the seat may then be refilled."""
    member = get(session, Member, member_id)
    check_version(member, expected_version)
    mandate = get(session, Mandate, member.mandate_id)
    if member.status == "withdrawn":
        raise NotAllowed("member %(member)s already withdrew on %(date)s", member=member_id,
                         date=member.withdrawn_on.isoformat() if member.withdrawn_on else "?")
    reason = reason.strip()
    if not reason:
        raise InvalidInput("give the reason for the withdrawal")
    # Drawn members may decline before the mandate starts: from the seat to the end.
    if not member.seated_on <= on <= mandate.ends_on:
        raise InvalidInput("the withdrawal date %(date)s must fall between the seat "
                           "(%(seated)s) and the end of mandate %(mandate)s (%(end)s)",
                           date=on.isoformat(), seated=member.seated_on.isoformat(),
                           mandate=mandate.id, end=mandate.ends_on.isoformat())
    member.status, member.withdrawn_on, member.withdrawal_reason = "withdrawn", on, reason
    member.events.append(MemberEvent(kind="withdrawn", on=on, reason=reason,
                                     actor=actor(session)))
    flush(session, member)
    # The reason may be personal (health, family): the log records that one was given.
    audit.record(session, "member.withdraw", "member", member.id, on=on,
                 version=member.version)
    emit(session, city_of(mandate), MemberWithdrawn(
        city=mandate.city, on=on, mandate=mandate.id, member=member.public_id))
    return member


def list_members(session: Session, mandate_id: int, *, active_only: bool = False,
                 seat_group: str | None = None) -> list[Member]:
    get(session, Mandate, mandate_id)
    query = select(Member).where(Member.mandate_id == mandate_id).order_by(Member.id)
    if active_only:
        query = query.where(Member.status != "withdrawn")
    if seat_group:
        query = query.where(Member.seat_group == seat_group)
    return list(session.scalars(query))


def seated_features(session: Session, mandate_id: int) -> list[tuple[str, dict[str, str]]]:
    """(seat group, selection features) of each member not withdrawn, in one query.

    What the public composition page counts; the features only, never the person.
    """
    get(session, Mandate, mandate_id)
    rows = session.execute(
        select(Member.seat_group, Respondent.features)
        .join(Respondent, Member.respondent_id == Respondent.id)
        .where(Member.mandate_id == mandate_id, Member.status != "withdrawn")
        .order_by(Member.id))
    return [(group, dict(features or {})) for group, features in rows]


def sits_on(member: Member, day: dt.date) -> bool:
    """Whether the member held their seat on ``day``."""
    if day < member.seated_on:
        return False
    return member.withdrawn_on is None or day < member.withdrawn_on


def history(session: Session, member_id: int) -> list[MemberEvent]:
    return list(get(session, Member, member_id).events)


# --------------------------------------------------------------------------- public names

#: Unicode categories refused in a public name: controls, invisible format characters
#: (bidirectional overrides would reorder the page around the name; zero-width ones
#: make two names look alike), surrogates, private use, unassigned, line and
#: paragraph separators.
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
#: Format characters some scripts need inside words: zero-width non-joiner and joiner.
_JOINERS = {"\u200c", "\u200d"}


def clean_public_name(text: str) -> str:
    """The public name as it will be shown (NFC, spaces collapsed), or InvalidInput.

    Surrounding whitespace is dropped; inside the name, a tab or a line break is
    refused like any control character. Messages never quote the name: they give
    its length or the code point refused and its position.
    """
    name = unicodedata.normalize("NFC", text).strip()
    if not name:
        raise InvalidInput("the public name is empty; give the name the member chose to be "
                           "shown under (for example a first name and an initial)")
    if len(name) > PUBLIC_NAME_LENGTH:
        raise InvalidInput("the public name has %(length)s characters; at most %(maximum)s "
                           "are accepted", length=len(name), maximum=PUBLIC_NAME_LENGTH)
    for position, char in enumerate(name, start=1):
        if unicodedata.category(char) in _REFUSED_CATEGORIES and char not in _JOINERS:
            raise InvalidInput("the public name holds a control character (U+%(code)04X) at "
                               "position %(position)s; accepted: letters, digits, spaces and "
                               "punctuation", code=ord(char), position=position)
    return " ".join(name.split())  # only spaces are left: runs of them become one


def _personal(member: Member) -> PersonalData:
    personal = member.respondent.personal
    if personal is None:
        personal = member.respondent.personal = PersonalData()
    if personal.purged_at is not None:
        raise NotAllowed("the personal data of member %(member)s were purged",
                         member=member.id)
    return personal


@conflicts
def give_name_consent(session: Session, member_id: int, public_name: str, on: dt.date, *,
                      expected_version: int | None = None) -> Member:
    """Record that a sitting member consents to be named publicly as ``public_name``.

    Giving it again changes the name (and the date). The audit log and the member's
    history record the date, not the name.
    """
    member = get(session, Member, member_id)
    check_version(member, expected_version)
    mandate = get(session, Mandate, member.mandate_id)
    if not member.active:
        raise NotAllowed("member %(member)s withdrew on %(date)s; only a sitting member is "
                         "named on the public site", member=member_id,
                         date=member.withdrawn_on.isoformat() if member.withdrawn_on else "?")
    name = clean_public_name(public_name)
    if not member.seated_on <= on <= mandate.ends_on:
        raise InvalidInput("the consent date %(date)s must fall between the seat "
                           "(%(seated)s) and the end of mandate %(mandate)s (%(end)s)",
                           date=on.isoformat(), seated=member.seated_on.isoformat(),
                           mandate=mandate.id, end=mandate.ends_on.isoformat())
    personal = _personal(member)
    renamed = member.public_name_consent_on is not None
    personal.public_name = name
    member.public_name_consent_on = on
    # The name lives in personal_data: a rename on the same date would leave the member's
    # row as it was, and two renames at once would both pass. Writing the date anyway
    # moves the member's version, so the second of them is a conflict.
    flag_modified(member, "public_name_consent_on")
    member.events.append(MemberEvent(kind="public_name_consent", on=on, actor=actor(session)))
    flush(session, member)
    audit.record(session, "member.public_name_consent", "member", member.id, on=on,
                 renamed=renamed, version=member.version)
    return member


@conflicts
def withdraw_name_consent(session: Session, member_id: int, on: dt.date, *,
                          expected_version: int | None = None) -> Member:
    """Withdraw a member's consent to be named: the name is blanked, the page stops showing it.

    Allowed at any time, also after the member left the assembly.
    """
    member = get(session, Member, member_id)
    check_version(member, expected_version)
    if member.public_name_consent_on is None:
        raise NotAllowed("member %(member)s has not consented to be named publicly",
                         member=member_id)
    if on < member.public_name_consent_on:
        raise InvalidInput("the withdrawal date %(date)s is before the consent (%(consent)s)",
                           date=on.isoformat(),
                           consent=member.public_name_consent_on.isoformat())
    personal = member.respondent.personal
    if personal is not None:
        personal.public_name = None
    member.public_name_consent_on = None
    member.events.append(MemberEvent(kind="public_name_withdrawn", on=on,
                                     actor=actor(session)))
    flush(session, member)
    audit.record(session, "member.public_name_withdraw", "member", member.id, on=on,
                 version=member.version)
    return member


def public_name(member: Member) -> str | None:
    """The name ``member`` may be shown under on the public site today, if any."""
    personal = member.respondent.personal
    if (not member.active or member.public_name_consent_on is None or personal is None
            or personal.purged_at is not None):
        return None
    return personal.public_name or None


@dataclass(frozen=True)
class PublicNames:
    """The sitting members of one seat group as the public site names them."""

    names: tuple[str, ...]  # the consenting members' chosen names, alphabetical
    unnamed: int  # sitting members who did not consent (or withdrew it)


def public_names(session: Session, mandate_id: int) -> dict[str, PublicNames]:
    """The public names of the mandate's sitting members, by seat group.

    Names are sorted (case and accents folded), so their order says nothing of
    who was drawn when or with which features.
    """
    get(session, Mandate, mandate_id)
    named: dict[str, list[str]] = {}
    unnamed: Counter[str] = Counter()
    # One query for the whole panel (the public page must not cost a query per member);
    # the same rule as ``public_name``.
    rows = session.execute(
        select(Member.seat_group, Member.public_name_consent_on, PersonalData.public_name,
               PersonalData.purged_at)
        .join(Respondent, Member.respondent_id == Respondent.id)
        .outerjoin(PersonalData, PersonalData.respondent_id == Respondent.id)
        .where(Member.mandate_id == mandate_id, Member.status != "withdrawn")
        .order_by(Member.id))
    for group, consent_on, name, purged_at in rows:
        if consent_on is None or purged_at is not None or not name:
            unnamed[group] += 1
        else:
            named.setdefault(group, []).append(name)
    return {
        group: PublicNames(tuple(sorted(named.get(group, []), key=_sort_key)), unnamed[group])
        for group in {*named, *unnamed}
    }


def _sort_key(name: str) -> tuple[str, str]:
    bare = "".join(c for c in unicodedata.normalize("NFD", name.casefold())
                   if not unicodedata.combining(c))
    return bare, name
