"""Sessions (plenaries, workshops, hearings, visits, trainings) and attendance.

A session is of one of the city's session kinds, which gives its unit (half-day,
day, session) and default length; it belongs to the whole assembly or to one
body. Attendance (present, excused or absent) is recorded by the one attendance
service, :mod:`kleroterion.services.attendance`, re-exported here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from kleroterion.city.types import SessionKind
from kleroterion.messages import N_
from kleroterion.models import AssemblySession, Mandate, SessionGuest
from kleroterion.services import audit, texts

# The one attendance service, where its callers have always found it.
from kleroterion.services.attendance import ATTENDANCE as ATTENDANCE
from kleroterion.services.attendance import UNCHECKED as UNCHECKED
from kleroterion.services.attendance import import_attendance as import_attendance
from kleroterion.services.attendance import record_attendance as record_attendance
from kleroterion.services.bodies import body, body_until
from kleroterion.services.context import check_in_mandate, city_of, get
from kleroterion.services.errors import InvalidInput, NotAllowed
from kleroterion.services.field_labels import field_label
from kleroterion.services.values import column_problem
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

#: The refusal of a length of 0 or less, in each unit of the city types.
NOT_A_LENGTH = {
    "half_day": N_("a session lasts more than 0 half_days, not %(length)s"),
    "day": N_("a session lasts more than 0 days, not %(length)s"),
    "session": N_("a session lasts more than 0 sessions, not %(length)s"),
    "hour": N_("a session lasts more than 0 hours, not %(length)s"),
}
_NOT_A_LENGTH_ANY = "a session lasts more than 0 %(unit)ss, not %(length)s"


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
                title: str = "", titles: Mapping[str, str] | None = None) -> AssemblySession:
    """Plan or record a session; its duration is in the unit of its kind.

    ``titles`` gives its title by language (``title`` is the first language's).
    """
    mandate = get(session, Mandate, mandate_id)
    kind = session_kind(mandate, kind_key)
    given = texts.checked(mandate.city, {"title": titles} if titles else None,
                          {"title": 200})
    until = mandate.ends_on
    if body_key:
        until = body_until(mandate, body(mandate, body_key))
    check_in_mandate(mandate, held_on, N_("the session date %(date)s is outside mandate "
                                          "%(mandate)s (%(start)s to %(end)s)"), until=until)
    length = Decimal(str(kind.default_duration)) if duration is None else Decimal(duration)
    unfit = column_problem(AssemblySession, "duration", length)
    if unfit is not None:
        raise InvalidInput("the %(name)s %(problem)s", name=field_label("duration"), problem=unfit,
                           field="duration")
    if length <= 0:
        raise InvalidInput(NOT_A_LENGTH.get(kind.unit, _NOT_A_LENGTH_ANY), unit=kind.unit,
                           length=length)
    row = AssemblySession(mandate_id=mandate.id, kind=kind.key, body_key=body_key or None,
                          held_on=held_on, duration=length, unit=kind.unit, title=title.strip(),
                          texts={})
    texts.apply(row, texts.first_language(mandate.city), given)
    session.add(row)
    session.flush()
    audit.record(session, "session.add", "session", row.id, mandate=mandate.id, kind=kind.key,
                 body=body_key, held_on=held_on, duration=length, unit=kind.unit, title=title,
                 texts=given)
    return row


def sessions_of(session: Session, mandate_id: int) -> list[AssemblySession]:
    get(session, Mandate, mandate_id)
    return list(session.scalars(select(AssemblySession).where(
        AssemblySession.mandate_id == mandate_id).order_by(AssemblySession.held_on,
                                                           AssemblySession.id)
        .options(selectinload(AssemblySession.guests))))


GUEST_ROLES = ("expert", "elected", "agent", "other")
#: Session kinds that are trainings, the only sessions a member may skip by design.
TRAINING_KINDS = frozenset({"formation", "training", "opleiding"})
#: A session's prose by language, and each one's length limit (None: a long text).
SESSION_TEXTS: dict[str, int | None] = {"title": 200, "place": 300, "agenda": None,
                                        "minutes": None}
TEXT_FIELDS = tuple(SESSION_TEXTS)


def describe_session(session: Session, session_id: int, *, starts_at: dt.time | None = None,
                     ends_at: dt.time | None = None, place: str | None = None,
                     agenda: str | None = None, minutes: str | None = None,
                     optional: bool | None = None,
                     translations: Mapping[str, Mapping[str, str]] | None = None
                     ) -> AssemblySession:
    """Give a session its times, place, agenda, minutes (compte rendu) or optional mark.

    ``place``, ``agenda`` and ``minutes`` are in the city's first language;
    ``translations`` gives them (and the title) by language, field -> language -> text
    (an empty text removes that language's). Only what is given changes; texts are
    plain text, published escaped.
    """
    meeting = get(session, AssemblySession, session_id)
    mandate = get(session, Mandate, meeting.mandate_id)
    given = texts.checked(mandate.city, translations, SESSION_TEXTS)
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
    written = texts.apply(meeting, texts.first_language(mandate.city), given)
    if written:
        changes["texts"] = written
    if not changes and not given:
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
              organisation: str = "", organisations: Mapping[str, str] | None = None
              ) -> SessionGuest:
    """Record someone heard at a session: an expert, an elected official, an agent.

    A guest is not a member: no attendance, no indemnity, named in a public capacity.
    ``organisation`` is in the city's first language, ``organisations`` by language.
    """
    meeting = get(session, AssemblySession, session_id)
    mandate = get(session, Mandate, meeting.mandate_id)
    given = texts.checked(mandate.city, {"organisation": organisations}
                          if organisations else None, {"organisation": 200})
    if role not in GUEST_ROLES:
        raise InvalidInput("%(role)r is not a guest's role; accepted: %(accepted)s",
                           role=role, accepted=", ".join(GUEST_ROLES), field="role")
    if not name.strip() or len(name.strip()) > 200:
        raise InvalidInput("a guest needs a name of 1 to 200 characters", field="name")
    guest = SessionGuest(name=name.strip(), role=role, organisation=organisation.strip()[:200],
                         texts={})
    texts.apply(guest, texts.first_language(mandate.city), given)
    meeting.guests.append(guest)
    session.flush()
    audit.record(session, "session.guest", "session", meeting.id, guest=guest.id, role=role,
                 name=guest.name, organisation=guest.organisation, texts=given)
    return guest


def _guest(session: Session, guest_id: int) -> tuple[SessionGuest, Mandate]:
    guest = get(session, SessionGuest, guest_id)
    meeting = get(session, AssemblySession, guest.session_id)
    return guest, get(session, Mandate, meeting.mandate_id)


def edit_guest(session: Session, guest_id: int, name: str, role: str,
               organisations: Mapping[str, str]) -> SessionGuest:
    """Correct a guest heard at a session: name, role and organisation by language
    (the city's first language's goes in ``organisation``; an empty text removes that
    language's). Refused whole as ``add_guest`` refuses."""
    guest, mandate = _guest(session, guest_id)
    given = texts.checked(mandate.city, {"organisation": organisations},
                          {"organisation": 200})
    if role not in GUEST_ROLES:
        raise InvalidInput("%(role)r is not a guest's role; accepted: %(accepted)s",
                           role=role, accepted=", ".join(GUEST_ROLES), field="role")
    if not name.strip() or len(name.strip()) > 200:
        raise InvalidInput("a guest needs a name of 1 to 200 characters", field="name")
    changes: dict[str, object] = {}
    for field, value in (("name", name.strip()), ("role", role)):
        if getattr(guest, field) != value:
            setattr(guest, field, value)
            changes[field] = value
    written = texts.apply(guest, texts.first_language(mandate.city), given)
    if written:
        changes["texts"] = written
    session.flush()
    audit.record(session, "session.guest.edit", "session", guest.session_id, guest=guest.id,
                 **changes)
    return guest


def remove_guest(session: Session, guest_id: int) -> None:
    """Remove a guest recorded by mistake from the session it was listed at."""
    guest, _mandate = _guest(session, guest_id)
    meeting_id, name = guest.session_id, guest.name
    session.delete(guest)
    session.flush()
    audit.record(session, "session.guest.remove", "session", meeting_id, guest=guest_id,
                 name=name)


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
