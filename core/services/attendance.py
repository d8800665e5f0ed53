"""The one attendance service: the roll call of a session, shared by the CLI, the API and the web.

Attendance is present, excused or absent, one row per member and session. It is
refused, with the same message wherever it comes from:

- for a session in the future (``today``: the caller's date; by default the real
  one, or the date ``KLEROTERION_TODAY`` pins): attendance is taken on the day or
  after, and pays an indemnity;
- for a member who did not sit on that day, or who does not sit in the body that
  holds the session.

Correcting an attendance keeps the previous value in the audit log; a correction
based on what someone else has since changed is refused (``expected`` and the
line's version), never a silent overwrite. :func:`roll` lists who is expected at a
session with their names, for the secretariat only (never a public page).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from kleroterion.messages import N_, Message
from kleroterion.models import AssemblySession, Attendance, Member, Respondent
from kleroterion.services import audit
from kleroterion.services.bodies import sits_in
from kleroterion.services.context import MAX_ID, conflicts, flush, get
from kleroterion.services.context import today as context_today
from kleroterion.services.errors import ConflictError, InvalidInput, NotAllowed
from kleroterion.services.members import list_members, sits_on
from kleroterion.services.tables import read_table
from kleroterion.sortition.reader import header_key
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

ATTENDANCE = ("present", "excused", "absent")
#: What a sheet may write for each attendance, in the cities' languages.
ALIASES = {"présent": "present", "présente": "present", "present": "present", "p": "present",
           "aanwezig": "present", "excusé": "excused", "excusée": "excused",
           "excuse": "excused", "excused": "excused", "e": "excused",
           "verontschuldigd": "excused", "verontschuldigde": "excused", "absent": "absent",
           "absente": "absent", "a": "absent", "afwezig": "absent"}
#: The columns of an attendance sheet, with the names accepted in fr, en and nl.
MEMBER_COLUMNS = ("member", "member_id", "membre")
PUBLIC_ID_COLUMNS = ("public_id", "identifiant", "identifiant public", "id", "publieke id",
                     "identificatie")
STATUS_COLUMNS = ("status", "attendance", "presence", "présence", "statut", "aanwezigheid")
#: Columns a sheet may carry for the reader's eye (the template has them); not read.
NOTE_COLUMNS = ("name", "nom", "naam", "seat_group", "collège", "college", "groupe",
                "signature", "handtekening")


def _status(text: str) -> str:
    status = ALIASES.get(text.strip().casefold())
    if status is None:
        raise InvalidInput("%(text)r is not an attendance; accepted: %(accepted)s",
                           text=text, accepted=", ".join(ATTENDANCE))
    return status


#: ``record_attendance``'s ``expected`` when the caller read nothing to compare with.
UNCHECKED = "unchecked"


def check_expected(session: Session, meeting: AssemblySession, member: Member,
                   today: dt.date | None = None) -> None:
    """Refuse attendance at a future session, or by a member not expected there."""
    day = today or context_today()
    if meeting.held_on > day:
        raise NotAllowed("session %(session)s is held on %(date)s, in the future: attendance "
                         "is taken on the day of the session or after",
                         session=meeting.id, date=meeting.held_on.isoformat())
    if not sits_on(member, meeting.held_on):
        if member.withdrawn_on:
            raise NotAllowed("member %(member)s did not sit on %(date)s (seated %(seated)s, "
                             "withdrew %(withdrawn)s)", member=member.id,
                             date=meeting.held_on.isoformat(),
                             seated=member.seated_on.isoformat(),
                             withdrawn=member.withdrawn_on.isoformat())
        raise NotAllowed("member %(member)s did not sit on %(date)s (seated %(seated)s)",
                         member=member.id, date=meeting.held_on.isoformat(),
                         seated=member.seated_on.isoformat())
    if meeting.body_key and not sits_in(session, member.id, meeting.body_key, meeting.held_on):
        raise NotAllowed("member %(member)s does not sit in %(body)r, whose session "
                         "%(session)s this is", member=member.id, body=meeting.body_key,
                         session=meeting.id)


@conflicts
def record_attendance(session: Session, session_id: int, member_id: int,
                      status: str, *, expected: str | None = UNCHECKED,
                      today: dt.date | None = None) -> Attendance:
    """Record (or correct) whether a member attended a session.

    ``expected`` is the attendance the caller read (None: none was recorded): when
    someone else recorded another since, the change is refused with a ConflictError
    rather than overwriting theirs. Two corrections of one line at once conflict too
    (the line's version). ``today`` is the caller's date (the demo's, a test's).
    """
    meeting = get(session, AssemblySession, session_id)
    status = _status(status)
    member = session.get(Member, member_id) if 0 < member_id <= MAX_ID else None
    if member is None or member.mandate_id != meeting.mandate_id:
        raise InvalidInput("member %(member)s is not a member of mandate %(mandate)s",
                           member=member_id, mandate=meeting.mandate_id)
    check_expected(session, meeting, member, today)
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


def _member_by_public_id(session: Session, meeting: AssemblySession, text: str) -> int:
    member_id = session.scalar(select(Member.id).join(Respondent).where(
        Respondent.public_id == text, Member.mandate_id == meeting.mandate_id))
    return member_id or 0


def import_attendance(session: Session, session_id: int, path: str | Path, *,
                      today: dt.date | None = None) -> int:
    """Record a whole attendance sheet; all rows or none.

    The member is given by the public id (``public_id``, ``identifiant``) or by the
    member's number (``member``); the attendance in ``status`` (``statut``), in
    French, English or Dutch. A name or signature column is for the eye and not read;
    any other column is refused, named, rather than silently dropped.
    """
    table = read_table(path)
    meeting = get(session, AssemblySession, session_id)
    member_col = table.column(*MEMBER_COLUMNS)
    public_col = table.column(*PUBLIC_ID_COLUMNS)
    status_col = table.column(*STATUS_COLUMNS)
    if (member_col is None and public_col is None) or status_col is None:
        raise InvalidInput("%(file)s, line 1: expected the columns 'public_id' (or 'member') "
                           "and 'status' (got %(columns)s)", file=table.name,
                           columns=", ".join(table.header))
    known = {header_key(name) for name in (*MEMBER_COLUMNS, *PUBLIC_ID_COLUMNS,
                                           *STATUS_COLUMNS, *NOTE_COLUMNS)}
    unknown = [name for name in table.header if header_key(name) not in known]
    if unknown:
        raise InvalidInput("%(file)s, line 1: unknown columns %(unknown)s; accepted: "
                           "%(accepted)s", file=table.name, unknown=", ".join(unknown),
                           accepted="public_id, member, status, name")
    seen: dict[int, int] = {}
    for line, record in table.rows:
        column = public_col if public_col is not None else member_col
        assert column is not None
        cell = table.cell(line, record, column)
        if column == public_col:
            member_id = _member_by_public_id(session, meeting, cell) if len(cell) <= 16 else 0
            problem = "%(cell)r is not the public id of a member of this mandate"
        else:
            member_id = int(cell) if cell.isascii() and cell.isdigit() and len(cell) <= 10 \
                else 0
            problem = "%(cell)r is not a member id"
        if not 0 < member_id <= MAX_ID:
            shown = cell if len(cell) <= 20 else cell[:20] + "…"
            raise table.error(line, column, Message(problem, cell=shown))
        if member_id in seen:
            raise table.error(line, column, Message(
                "member %(member)s is already on line %(line)s", member=member_id,
                line=seen[member_id]))
        seen[member_id] = line
        try:
            record_attendance(session, session_id, member_id,
                              table.cell(line, record, status_col), today=today)
        except (InvalidInput, NotAllowed) as error:
            raise type(error)(N_("%(file)s, line %(line)s: %(refusal)s"), file=table.name,
                              line=line, refusal=error) from None
    return len(seen)


@dataclass(frozen=True)
class RollLine:
    """One member expected at a session, as the secretariat's roll call shows them."""

    member: Member
    name: str | None  # None once purged: the public id is shown instead
    seat_group: str
    status: str | None

    @property
    def public_id(self) -> str:
        return self.member.public_id


def expected(session: Session, meeting: AssemblySession) -> list[Member]:
    """The members expected at a session: seated that day, and in its body if it has one."""
    return [member for member in list_members(session, meeting.mandate_id)
            if sits_on(member, meeting.held_on)
            and (not meeting.body_key
                 or sits_in(session, member.id, meeting.body_key, meeting.held_on))]


def _sort_name(line: RollLine) -> tuple[str, str]:
    return ((line.name or "").casefold(), line.public_id)


def roll(session: Session, session_id: int) -> list[RollLine]:
    """The roll call of a session, by name: personal data, for the secretariat only."""
    meeting = get(session, AssemblySession, session_id)
    recorded = {row.member_id: row.status for row in session.scalars(
        select(Attendance).where(Attendance.session_id == meeting.id))}
    lines = []
    for member in expected(session, meeting):
        personal = member.respondent.personal
        lines.append(RollLine(member, personal.name if personal and personal.name else None,
                              member.seat_group, recorded.get(member.id)))
    return sorted(lines, key=_sort_name)


def counts(lines: list[RollLine]) -> dict[str, int]:
    """How many lines are present, excused, absent and not yet taken (``None``)."""
    tally = Counter(line.status for line in lines)
    return {**{status: tally.get(status, 0) for status in ATTENDANCE},
            "unrecorded": tally.get(None, 0), "expected": len(lines)}


def all_present(session: Session, session_id: int, *, today: dt.date | None = None) -> int:
    """Record every member not yet taken as present (a line already taken stays); how many."""
    count = 0
    for line in roll(session, session_id):
        if line.status is None:
            record_attendance(session, session_id, line.member.id, "present", expected=None,
                              today=today)
            count += 1
    return count
