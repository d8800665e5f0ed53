"""Sessions (plenaries, workshops, hearings, visits, trainings) and attendance.

A session is of one of the city's session kinds, which gives its unit (half-day,
day, session) and default length; it belongs to the whole assembly or to one
body. Attendance is present, excused or absent, one row per member and session,
and only for a member who sat on that day (and in that body, for a body's
session). Correcting an attendance keeps the previous value in the audit log.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from kleroterion.city.types import SessionKind
from kleroterion.models import AssemblySession, Attendance, Mandate, Member
from kleroterion.services import audit
from kleroterion.services.bodies import _body_until, body, sits_in
from kleroterion.services.context import check_in_mandate, city_of, get
from kleroterion.services.errors import InvalidInput, NotAllowed
from kleroterion.services.members import sits_on
from kleroterion.services.tables import read_table
from sqlalchemy import select
from sqlalchemy.orm import Session

ATTENDANCE = ("present", "excused", "absent")
_ALIASES = {"présent": "present", "present": "present", "p": "present", "excusé": "excused",
            "excuse": "excused", "excused": "excused", "e": "excused", "absent": "absent",
            "a": "absent"}


def session_kind(mandate: Mandate, key: str) -> SessionKind:
    kinds = city_of(mandate).config.mandate.session_kinds
    for kind in kinds:
        if kind.key == key:
            return kind
    raise InvalidInput(f"{mandate.city} has no session kind {key!r}; its kinds: "
                       f"{', '.join(k.key for k in kinds) or 'none'}")


def add_session(session: Session, mandate_id: int, kind_key: str, held_on: dt.date, *,
                duration: Decimal | None = None, body_key: str | None = None,
                title: str = "") -> AssemblySession:
    """Plan or record a session; its duration is in the unit of its kind."""
    mandate = get(session, Mandate, mandate_id)
    kind = session_kind(mandate, kind_key)
    until = mandate.ends_on
    if body_key:
        until = _body_until(mandate, body(mandate, body_key))
    check_in_mandate(mandate, held_on, "the session date", until=until)
    length = Decimal(str(kind.default_duration)) if duration is None else Decimal(duration)
    if length <= 0:
        raise InvalidInput(f"a session lasts more than 0 {kind.unit}s, not {length}")
    row = AssemblySession(mandate_id=mandate.id, kind=kind.key, body_key=body_key or None,
                          held_on=held_on, duration=length, unit=kind.unit, title=title.strip())
    session.add(row)
    session.flush()
    audit.record(session, "session.add", "session", row.id, mandate=mandate.id, kind=kind.key,
                 body=body_key, held_on=held_on, duration=length, unit=kind.unit, title=title)
    return row


def _status(text: str) -> str:
    status = _ALIASES.get(text.strip().casefold())
    if status is None:
        raise InvalidInput(f"{text!r} is not an attendance; accepted: {', '.join(ATTENDANCE)}")
    return status


def record_attendance(session: Session, session_id: int, member_id: int,
                      status: str) -> Attendance:
    """Record (or correct) whether a member attended a session."""
    meeting = get(session, AssemblySession, session_id, "session")
    status = _status(status)
    member = session.get(Member, member_id)
    if member is None or member.mandate_id != meeting.mandate_id:
        raise InvalidInput(f"member {member_id} is not a member of mandate {meeting.mandate_id}")
    if not sits_on(member, meeting.held_on):
        raise NotAllowed(f"member {member_id} did not sit on {meeting.held_on.isoformat()} "
                         f"(seated {member.seated_on.isoformat()}"
                         + (f", withdrew {member.withdrawn_on.isoformat()})"
                            if member.withdrawn_on else ")"))
    if meeting.body_key and not sits_in(session, member.id, meeting.body_key, meeting.held_on):
        raise NotAllowed(f"member {member_id} does not sit in {meeting.body_key!r}, whose "
                         f"session {session_id} this is")
    row = session.scalar(select(Attendance).where(Attendance.session_id == meeting.id,
                                                  Attendance.member_id == member.id))
    previous = row.status if row is not None else None
    if row is None:
        row = Attendance(session_id=meeting.id, member_id=member.id, status=status)
        session.add(row)
    else:
        row.status = status
    session.flush()
    audit.record(session, "attendance.record", "attendance", row.id, meeting=meeting.id,
                 member=member.id, status=status, previous=previous)
    return row


def import_attendance(session: Session, session_id: int, path: str | Path) -> int:
    """Record a whole attendance sheet: columns ``member`` (id) and ``status``; all or nothing."""
    table = read_table(path)
    member_col = table.column("member", "member_id", "membre")
    status_col = table.column("status", "attendance", "presence", "présence", "statut")
    if member_col is None or status_col is None:
        raise InvalidInput(f"{table.name}, line 1: expected the columns 'member' and 'status' "
                           f"(got {', '.join(table.header)})")
    seen: dict[int, int] = {}
    for line, record in table.rows:
        cell = table.cell(line, record, member_col)
        try:
            member_id = int(cell)
        except ValueError:
            raise table.error(line, member_col, f"{cell!r} is not a member id") from None
        if member_id in seen:
            raise table.error(line, member_col, f"member {member_id} is already on line "
                              f"{seen[member_id]}")
        seen[member_id] = line
        try:
            record_attendance(session, session_id, member_id,
                              table.cell(line, record, status_col))
        except (InvalidInput, NotAllowed) as error:
            raise type(error)(f"{table.name}, line {line}: {error}") from None
    return len(seen)


def sessions_of(session: Session, mandate_id: int) -> list[AssemblySession]:
    get(session, Mandate, mandate_id)
    return list(session.scalars(select(AssemblySession).where(
        AssemblySession.mandate_id == mandate_id).order_by(AssemblySession.held_on,
                                                           AssemblySession.id)))
