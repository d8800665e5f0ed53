"""Members over time: confirm, withdraw, and read a member's history.

A member's row changes status, but each step is also a dated ``MemberEvent``, so
history is never overwritten. Changes check the version the caller read
(``expected_version``) and the version counter of the row, so two users editing
one member at once get a conflict instead of losing an update. The city's
``on_member_withdrawn`` hook runs after the withdrawal is committed.
"""

from __future__ import annotations

import datetime as dt

from kleroterion.db import queue_event
from kleroterion.models import Mandate, Member, MemberEvent, Respondent
from kleroterion.services import audit
from kleroterion.services.context import (
    actor,
    check_version,
    city_of,
    conflicts,
    flush,
    get,
)
from kleroterion.services.errors import InvalidInput, NotAllowed
from sqlalchemy import select
from sqlalchemy.orm import Session


@conflicts
def confirm(session: Session, member_id: int, on: dt.date, *,
            expected_version: int | None = None) -> Member:
    """Record that a drawn member accepted their seat."""
    member = get(session, Member, member_id)
    check_version(member, expected_version, "member")
    mandate = get(session, Mandate, member.mandate_id)
    if member.status != "seated":
        raise NotAllowed(f"member {member_id} is {member.status}; only a seated member can "
                         "confirm")
    if on < member.seated_on or on > mandate.ends_on:
        raise InvalidInput(f"the confirmation date {on.isoformat()} must fall between the seat "
                           f"({member.seated_on.isoformat()}) and the end of mandate "
                           f"{mandate.id} ({mandate.ends_on.isoformat()})")
    member.status, member.confirmed_on = "confirmed", on
    member.events.append(MemberEvent(kind="confirmed", on=on, actor=actor(session)))
    flush(session, f"member {member_id}")
    audit.record(session, "member.confirm", "member", member.id, on=on, version=member.version)
    return member


@conflicts
def withdraw(session: Session, member_id: int, on: dt.date, reason: str, *,
             expected_version: int | None = None) -> Member:
    """Record a member's withdrawal, with its reason and date; the seat may then be refilled."""
    member = get(session, Member, member_id)
    check_version(member, expected_version, "member")
    mandate = get(session, Mandate, member.mandate_id)
    if member.status == "withdrawn":
        raise NotAllowed(f"member {member_id} already withdrew on "
                         f"{member.withdrawn_on.isoformat() if member.withdrawn_on else '?'}")
    reason = reason.strip()
    if not reason:
        raise InvalidInput("give the reason for the withdrawal")
    # Drawn members may decline before the mandate starts: from the seat to the end.
    if not member.seated_on <= on <= mandate.ends_on:
        raise InvalidInput(f"the withdrawal date {on.isoformat()} must fall between the seat "
                           f"({member.seated_on.isoformat()}) and the end of mandate "
                           f"{mandate.id} ({mandate.ends_on.isoformat()})")
    member.status, member.withdrawn_on, member.withdrawal_reason = "withdrawn", on, reason
    member.events.append(MemberEvent(kind="withdrawn", on=on, reason=reason,
                                     actor=actor(session)))
    flush(session, f"member {member_id}")
    # The reason may be personal (health, family): the log records that one was given.
    audit.record(session, "member.withdraw", "member", member.id, on=on,
                 version=member.version)
    hook = city_of(mandate).hook
    public_id = member.public_id
    queue_event(session, lambda: hook.on_member_withdrawn(
        member_id=public_id, reason=reason, date=on.isoformat()))
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
