"""Sessions (plenaries, workshops, hearings, visits, trainings) and attendance.

A session is of one of the city's session kinds, which gives its unit (half-day,
day, session) and default length; it belongs to the whole assembly or to one
body. Attendance is present, excused or absent, one row per member and session,
and only for a member who sat on that day (and in that body, for a body's
session). Correcting an attendance keeps the previous value in the audit log; a
correction based on what someone else has since changed is refused (``expected``
and the line's version), never a silent overwrite.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from kleroterion.city.types import SessionKind
from kleroterion.messages import N_, Message
from kleroterion.models import AssemblySession, Attendance, Mandate, Member, SessionGuest
from kleroterion.services import audit
from kleroterion.services.bodies import _body_until, body, sits_in
from kleroterion.services.context import MAX_ID, check_in_mandate, city_of, conflicts, flush, get
from kleroterion.services.errors import ConflictError, InvalidInput, NotAllowed
from kleroterion.services.members import sits_on
from kleroterion.services.tables import read_table
from kleroterion.services.values import column_problem
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

ATTENDANCE = ("present", "excused", "absent")
#: The refusal of a length of 0 or less, in each unit of the city types.
NOT_A_LENGTH = {
    "half_day": N_("a session lasts more than 0 half_days, not %(length)s"),
    "day": N_("a session lasts more than 0 days, not %(length)s"),
    "session": N_("a session lasts more than 0 sessions, not %(length)s"),
    "hour": N_("a session lasts more than 0 hours, not %(length)s"),
}
_NOT_A_LENGTH_ANY = "a session lasts more than 0 %(unit)ss, not %(length)s"
_ALIASES = {"présent": "present", "present": "present", "p": "present", "excusé": "excused",
            "excuse": "excused", "excused": "excused", "e": "excused", "absent": "absent",
            "a": "absent"}


def session_kind(mandate: Mandate, key: str) -> SessionKind:
    kinds = city_of(mandate).config.mandate.session_kinds
    for kind in kinds:
        if kind.key == key:
            return kind
    if not kinds:
        raise InvalidInput("%(city)s has no session kind %(key)r; its kinds: none",
                           city=mandate.city, key=key)
    raise InvalidInput("%(city)s has no session kind %(key)r; its kinds: %(known)s",
                       city=mandate.city, key=key, known=", ".join(k.key for k in kinds))


def add_session(session: Session, mandate_id: int, kind_key: str, held_on: dt.date, *,
                duration: Decimal | None = None, body_key: str | None = None,
                title: str = "") -> AssemblySession:
    """Plan or record a session; its duration is in the unit of its kind."""
    mandate = get(session, Mandate, mandate_id)
    kind = session_kind(mandate, kind_key)
    until = mandate.ends_on
    if body_key:
        until = _body_until(mandate, body(mandate, body_key))
    check_in_mandate(mandate, held_on, N_("the session date %(date)s is outside mandate "
                                          "%(mandate)s (%(start)s to %(end)s)"), until=until)
    length = Decimal(str(kind.default_duration)) if duration is None else Decimal(duration)
    unfit = column_problem(AssemblySession, "duration", length)
    if unfit is not None:
        raise InvalidInput("the %(name)s %(problem)s", name="duration", problem=unfit,
                           field="duration")
    if length <= 0:
        raise InvalidInput(NOT_A_LENGTH.get(kind.unit, _NOT_A_LENGTH_ANY), unit=kind.unit,
                           length=length)
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
        raise InvalidInput("%(text)r is not an attendance; accepted: %(accepted)s",
                           text=text, accepted=", ".join(ATTENDANCE))
    return status


#: ``record_attendance``'s ``expected`` when the caller read nothing to compare with.
UNCHECKED = "unchecked"


@conflicts
def record_attendance(session: Session, session_id: int, member_id: int,
                      status: str, *, expected: str | None = UNCHECKED) -> Attendance:
    """Record (or correct) whether a member attended a session.

    ``expected`` is the attendance the caller read (None: none was recorded): when
    someone else recorded another since, the change is refused with a ConflictError
    rather than overwriting theirs. Two corrections of one line at once conflict too
    (the line's version).
    """
    meeting = get(session, AssemblySession, session_id)
    status = _status(status)
    member = session.get(Member, member_id) if 0 < member_id <= MAX_ID else None
    if member is None or member.mandate_id != meeting.mandate_id:
        raise InvalidInput("member %(member)s is not a member of mandate %(mandate)s",
                           member=member_id, mandate=meeting.mandate_id)
    if not sits_on(member, meeting.held_on):
        if member.withdrawn_on:
            raise NotAllowed("member %(member)s did not sit on %(date)s (seated %(seated)s, "
                             "withdrew %(withdrawn)s)", member=member_id,
                             date=meeting.held_on.isoformat(),
                             seated=member.seated_on.isoformat(),
                             withdrawn=member.withdrawn_on.isoformat())
        raise NotAllowed("member %(member)s did not sit on %(date)s (seated %(seated)s)",
                         member=member_id, date=meeting.held_on.isoformat(),
                         seated=member.seated_on.isoformat())
    if meeting.body_key and not sits_in(session, member.id, meeting.body_key, meeting.held_on):
        raise NotAllowed("member %(member)s does not sit in %(body)r, whose session "
                         "%(session)s this is", member=member_id, body=meeting.body_key,
                         session=session_id)
    row = session.scalar(select(Attendance).where(Attendance.session_id == meeting.id,
                                                  Attendance.member_id == member.id))
    previous = row.status if row is not None else None
    if expected != UNCHECKED and previous != expected and previous != status:
        raise ConflictError(N_("the attendance of member %(member)s at session %(session)s "
                               "was changed by someone else (now %(status)s); reload it and "
                               "try again"), member=member.id, session=meeting.id,
                            status=previous)
    if row is None:
        row = Attendance(session_id=meeting.id, member_id=member.id, status=status)
        session.add(row)
        try:
            session.flush()
        except IntegrityError:
            raise ConflictError(N_("the attendance of member %(member)s at session "
                                   "%(session)s was recorded by someone else at the same "
                                   "time; reload it and try again"), member=member.id,
                                session=meeting.id) from None
    else:
        row.status = status
        flush(session, row)
    audit.record(session, "attendance.record", "attendance", row.id, meeting=meeting.id,
                 member=member.id, status=status, previous=previous)
    return row


def import_attendance(session: Session, session_id: int, path: str | Path) -> int:
    """Record a whole attendance sheet: columns ``member`` (id) and ``status``; all or nothing."""
    table = read_table(path)
    member_col = table.column("member", "member_id", "membre")
    status_col = table.column("status", "attendance", "presence", "présence", "statut")
    if member_col is None or status_col is None:
        raise InvalidInput("%(file)s, line 1: expected the columns 'member' and 'status' (got "
                           "%(columns)s)", file=table.name, columns=", ".join(table.header))
    seen: dict[int, int] = {}
    for line, record in table.rows:
        cell = table.cell(line, record, member_col)
        member_id = int(cell) if cell.isascii() and cell.isdigit() and len(cell) <= 10 else 0
        if not 0 < member_id <= MAX_ID:
            shown = cell if len(cell) <= 20 else cell[:20] + "…"
            raise table.error(line, member_col, Message("%(cell)r is not a member id",
                                                        cell=shown))
        if member_id in seen:
            raise table.error(line, member_col, Message(
                "member %(member)s is already on line %(line)s", member=member_id,
                line=seen[member_id]))
        seen[member_id] = line
        try:
            record_attendance(session, session_id, member_id,
                              table.cell(line, record, status_col))
        except (InvalidInput, NotAllowed) as error:
            raise type(error)(N_("%(file)s, line %(line)s: %(refusal)s"), file=table.name,
                              line=line, refusal=error) from None
    return len(seen)


def sessions_of(session: Session, mandate_id: int) -> list[AssemblySession]:
    get(session, Mandate, mandate_id)
    return list(session.scalars(select(AssemblySession).where(
        AssemblySession.mandate_id == mandate_id).order_by(AssemblySession.held_on,
                                                           AssemblySession.id)
        .options(selectinload(AssemblySession.guests))))


GUEST_ROLES = ("expert", "elected", "agent", "other")
#: Session kinds that are trainings, the only sessions a member may skip by design.
TRAINING_KINDS = frozenset({"formation", "training", "opleiding"})


def describe_session(session: Session, session_id: int, *, starts_at: dt.time | None = None,
                     ends_at: dt.time | None = None, place: str | None = None,
                     agenda: str | None = None, minutes: str | None = None,
                     optional: bool | None = None) -> AssemblySession:
    """Give a session its times, place, agenda, minutes (compte rendu) or optional mark.

    Only what is given changes; texts are plain text, published escaped.
    """
    meeting = get(session, AssemblySession, session_id)
    start = starts_at if starts_at is not None else meeting.starts_at
    end = ends_at if ends_at is not None else meeting.ends_at
    if start is not None and end is not None and end <= start:
        raise InvalidInput("the session ends at %(end)s, not after it starts (%(start)s)",
                           end=end.strftime("%H:%M"), start=start.strftime("%H:%M"),
                           field="ends_at")
    if place is not None and len(place.strip()) > 300:
        raise InvalidInput("a place has at most 300 characters", field="place")
    changes: dict[str, object] = {}
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at),
                        ("place", place.strip() if place is not None else None),
                        ("agenda", agenda.strip() if agenda is not None else None),
                        ("minutes", minutes.strip() if minutes is not None else None),
                        ("optional", optional)):
        if value is not None:
            changes[name] = value
            setattr(meeting, name, value)
    if not changes:
        raise InvalidInput("nothing to change: give a time, a place, an agenda or minutes",
                           field="place")
    if changes.get("optional") and meeting.kind not in TRAINING_KINDS:
        # Only trainings are optional: a plenary or a workshop is the assembly's own work.
        raise NotAllowed("a %(kind)r session is not optional; only trainings are",
                         kind=meeting.kind, field="optional")
    session.flush()
    audit.record(session, "session.describe", "session", meeting.id,
                 **{k: (v.strftime("%H:%M") if isinstance(v, dt.time) else v)
                    for k, v in changes.items()})
    return meeting


def add_guest(session: Session, session_id: int, name: str, role: str,
              organisation: str = "") -> SessionGuest:
    """Record someone heard at a session: an expert, an elected official, an agent.

    A guest is not a member: no attendance, no indemnity, named in a public capacity.
    """
    meeting = get(session, AssemblySession, session_id)
    if role not in GUEST_ROLES:
        raise InvalidInput("%(role)r is not a guest's role; accepted: %(accepted)s",
                           role=role, accepted=", ".join(GUEST_ROLES), field="role")
    if not name.strip() or len(name.strip()) > 200:
        raise InvalidInput("a guest needs a name of 1 to 200 characters", field="name")
    guest = SessionGuest(name=name.strip(), role=role, organisation=organisation.strip()[:200])
    meeting.guests.append(guest)
    session.flush()
    audit.record(session, "session.guest", "session", meeting.id, guest=guest.id, role=role,
                 name=guest.name, organisation=guest.organisation)
    return guest


def add_document(session: Session, session_id: int, title: str, url: str) -> AssemblySession:
    """List a public document of a session (slides, a report) by its web address."""
    meeting = get(session, AssemblySession, session_id)
    if not title.strip():
        raise InvalidInput("a document needs a title", field="title")
    if not url.startswith(("https://", "http://")) or any(c.isspace() for c in url):
        raise InvalidInput("%(url)r is not a web address (https://...)", url=url, field="url")
    meeting.documents = [*meeting.documents, {"title": title.strip()[:200], "url": url}]
    session.flush()
    audit.record(session, "session.document", "session", meeting.id, title=title.strip(),
                 url=url)
    return meeting
