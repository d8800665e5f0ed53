"""Composing the bodies a city declares: members who choose or volunteer, draws, appointments.

Each body's seats come from the plugin, by role and selection: panel members
join the workshops they choose (``chosen_by_members``) or volunteer
(``volunteer``); seats ``drawn`` are filled by the uniform lottery of
:mod:`kleroterion.sortition.uniform` among candidate members (Poitiers' comité
méthodologique among the volunteers, Brussels' follow-up committee among the whole
panel), committed as a lottery folder before the public number is taken, then drawn
by it (:func:`publish_draw`, :func:`choose_draw`), which ``kleroterion verify`` re-runs;
officials (elected, opposition, agents, facilitators, guarantors) are ``appointed``
by name, in their public capacity. A role's seat count is never exceeded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from kleroterion.city.types import Body, BodySeat
from kleroterion.messages import N_
from kleroterion.models import BodyMembership, Draw, DrawEntry, Mandate, Member
from kleroterion.services import audit
from kleroterion.services.context import check_in_mandate, city_of, follow_up_until, get
from kleroterion.services.draw_pool import parse_number, pick_number
from kleroterion.services.errors import InvalidInput, NotAllowed
from kleroterion.services.members import sits_on
from kleroterion.services.panel_folder import choose_folder, mark_chosen, publish_uniform_folder
from sqlalchemy import func, select
from sqlalchemy.orm import Session

MEMBER_ROLES = ("member", "volunteer")


def body(mandate: Mandate, key: str) -> Body:
    bodies = city_of(mandate).config.bodies
    for candidate in bodies:
        if candidate.key == key:
            return candidate
    if not bodies:
        raise InvalidInput("%(city)s has no body %(key)r; its bodies: none",
                           city=mandate.city, key=key)
    raise InvalidInput("%(city)s has no body %(key)r; its bodies: %(known)s",
                       city=mandate.city, key=key, known=", ".join(b.key for b in bodies))


def _seat(declared: Body, role: str) -> BodySeat:
    for seat in declared.seats:
        if seat.role == role:
            return seat
    raise InvalidInput("body %(body)r has no seats for the role %(role)r; its roles: "
                       "%(roles)s", body=declared.key, role=role,
                       roles=", ".join(s.role for s in declared.seats))


def body_until(mandate: Mandate, declared: Body) -> dt.date:
    # A body formed at the end of the mandate (Brussels' follow-up committee) sits after it.
    return follow_up_until(mandate) if declared.formed == "end" else mandate.ends_on


def _current(session: Session, mandate: Mandate, body_key: str, role: str | None = None,
             on: dt.date | None = None) -> list[BodyMembership]:
    query = select(BodyMembership).where(BodyMembership.mandate_id == mandate.id,
                                         BodyMembership.body_key == body_key)
    if role is not None:
        query = query.where(BodyMembership.role == role)
    rows = list(session.scalars(query.order_by(BodyMembership.id)))
    if on is None:
        return [r for r in rows if r.left_on is None]
    return [r for r in rows if r.joined_on <= on and (r.left_on is None or on < r.left_on)]


def _check_room(session: Session, mandate: Mandate, declared: Body, seat: BodySeat,
                adding: int) -> None:
    if seat.count is None:
        return
    taken = len(_current(session, mandate, declared.key, seat.role))
    if taken + adding > seat.count:
        raise NotAllowed("body %(body)r has %(seats)s seats for %(role)r and %(taken)s are "
                         "taken", body=declared.key, seats=seat.count, role=seat.role,
                         taken=taken)


def _member_in_mandate(session: Session, mandate: Mandate, member_id: int,
                       on: dt.date) -> Member:
    member = get(session, Member, member_id)
    if member.mandate_id != mandate.id:
        raise InvalidInput("member %(member)s is not a member of mandate %(mandate)s",
                           member=member_id, mandate=mandate.id)
    if not sits_on(member, on):
        raise NotAllowed("member %(member)s does not sit on %(date)s", member=member_id,
                         date=on.isoformat())
    return member


def join(session: Session, mandate_id: int, body_key: str, member_id: int, on: dt.date,
         *, role: str = "member") -> BodyMembership:
    """A panel member joins a body they chose or volunteered for."""
    mandate = get(session, Mandate, mandate_id)
    declared = body(mandate, body_key)
    seat = _seat(declared, role)
    if seat.selection not in ("chosen_by_members", "volunteer"):
        raise NotAllowed("the %(role)r seats of %(body)r are %(selection)s, not chosen by "
                         "members: use the matching command", role=role, body=body_key,
                         selection=seat.selection)
    check_in_mandate(mandate, on, N_("the joining date %(date)s is outside mandate %(mandate)s "
                                     "(%(start)s to %(end)s)"),
                     until=body_until(mandate, declared))
    member = _member_in_mandate(session, mandate, member_id, on)
    if any(r.member_id == member.id for r in _current(session, mandate, body_key)):
        raise NotAllowed("member %(member)s already sits in %(body)r", member=member_id,
                         body=body_key)
    _check_room(session, mandate, declared, seat, 1)
    row = BodyMembership(mandate_id=mandate.id, body_key=body_key, role=role,
                         selection=seat.selection, member_id=member.id, joined_on=on)
    session.add(row)
    session.flush()
    audit.record(session, "body.join", "body_membership", row.id, mandate=mandate.id,
                 body=body_key, role=role, member=member.id, on=on)
    return row


def draw(session: Session, mandate_id: int, body_key: str, on: dt.date, *,
         candidates: Sequence[int] | None = None, seed: int | None = None,
         public_number: str | None = None, role: str = "member",
         root: Path | None = None) -> Draw:
    """Fill the drawn seats of a body by lot among ``candidates`` (default: the sitting panel).

    Without a seed or public number the draw is only committed (:func:`publish_draw`):
    its digest is published, then :func:`choose_draw` takes the number. With one, both
    steps are made in this call, writing the folder the two steps would.
    """
    if seed is None and public_number is None:
        return publish_draw(session, mandate_id, body_key, on, candidates=candidates,
                            role=role, root=root)
    number = pick_number(seed, public_number)
    record = publish_draw(session, mandate_id, body_key, on, candidates=candidates,
                          role=role, root=root, seed=seed)
    return choose_draw(session, record.id, public_number, on, root, number=number)


def publish_draw(session: Session, mandate_id: int, body_key: str, on: dt.date, *,
                 candidates: Sequence[int] | None = None, role: str = "member",
                 root: Path | None = None, seed: int | None = None) -> Draw:
    """Commit a body's draw before any number: its candidates, seats and rule published.

    The draw's folder is published under ``root`` (default the instance's lottery
    root); its digest is the one to publish before the public number.
    """
    mandate = get(session, Mandate, mandate_id)
    declared = body(mandate, body_key)
    seat = _seat(declared, role)
    if seat.selection != "drawn":
        raise NotAllowed("the %(role)r seats of %(body)r are %(selection)s, not drawn",
                         role=role, body=body_key, selection=seat.selection)
    check_in_mandate(mandate, on, N_("the draw date %(date)s is outside mandate %(mandate)s "
                                     "(%(start)s to %(end)s)"),
                     until=body_until(mandate, declared))
    slot = f"body:{mandate.id}:{body_key}:{role}"
    waiting = session.scalar(select(Draw.id).where(Draw.slot == slot))
    if waiting is not None:
        raise NotAllowed("the draw %(draw)s of %(body)r awaits its public number",
                         draw=waiting, body=body_key)
    already = {r.member_id for r in _current(session, mandate, body_key)}
    if candidates is None:
        pool = [m for m in session.scalars(select(Member).where(
            Member.mandate_id == mandate.id).order_by(Member.id))
            if sits_on(m, on) and m.id not in already]
    else:
        pool = [_member_in_mandate(session, mandate, i, on) for i in sorted(set(candidates))]
        pool = [m for m in pool if m.id not in already]
    free = (seat.count or len(pool)) - len(_current(session, mandate, body_key, role))
    if free <= 0:
        raise NotAllowed("the %(role)r seats of %(body)r are all taken", role=role,
                         body=body_key)
    if len(pool) < free:
        raise InvalidInput("%(candidates)s candidates for %(seats)s seats of %(body)r",
                           candidates=len(pool), seats=free, body=body_key)
    record = Draw(mandate_id=mandate.id, kind="body", body_key=body_key, algorithm="uniform",
                  seed=seed, seats=free, slot=slot,
                  inputs={"candidates": [m.public_id for m in pool], "role": role,
                          "on": on.isoformat()}, final=True)
    record.entries = [
        DrawEntry(respondent_id=m.respondent_id, probability=free / len(pool), selected=False)
        for m in pool
    ]
    session.add(record)
    session.flush()
    publish_uniform_folder(session, record, root, [m.public_id for m in pool], None)
    audit.record(session, "body.publish", "draw", record.id, mandate=mandate.id, body=body_key,
                 role=role, panels_digest=record.panels_digest,
                 candidates=[m.id for m in pool])
    return record


def choose_draw(session: Session, draw_id: int, public_number: str | None, on: dt.date,
                root: Path | None = None, *, number: int | None = None) -> Draw:
    """Let the public number draw a committed body draw's seats, joined on ``on``."""
    record = get(session, Draw, draw_id)
    if record.kind != "body" or record.state != "published":
        raise NotAllowed("draw %(draw)s is not a published draw of a body's seats",
                         draw=draw_id)
    mandate = get(session, Mandate, record.mandate_id)
    body_key = record.body_key or ""
    declared = body(mandate, body_key)
    check_in_mandate(mandate, on, N_("the draw date %(date)s is outside mandate %(mandate)s "
                                     "(%(start)s to %(end)s)"),
                     until=body_until(mandate, declared))
    picked = number if number is not None else parse_number(public_number or "")
    drawn = choose_folder(session, record, root, picked)
    chosen = mark_chosen(session, record, drawn, picked, public_number)
    record.slot = None  # the body's next seats may be drawn
    entries = sorted(record.entries, key=lambda e: e.id)
    role = str(record.inputs.get("role", "member"))
    members = {m.respondent_id: m for m in session.scalars(select(Member).where(
        Member.mandate_id == mandate.id, Member.respondent_id.in_(
            [entries[i].respondent_id for i in chosen])))}
    for index in chosen:
        member = members[entries[index].respondent_id]
        if not sits_on(member, on):
            raise InvalidInput("member %(member)s no longer sits on %(date)s; start a new draw",
                               member=member.id, date=on.isoformat())
        session.add(BodyMembership(mandate_id=mandate.id, body_key=body_key, role=role,
                                   selection="drawn", member_id=member.id, joined_on=on,
                                   draw_id=record.id))
    audit.record(session, "body.draw", "draw", record.id, mandate=mandate.id, body=body_key,
                 seed=record.seed, public_number=public_number, number=picked,
                 chosen=[members[entries[i].respondent_id].id for i in chosen])
    return record


def appoint(session: Session, mandate_id: int, body_key: str, role: str, name: str,
            on: dt.date) -> BodyMembership:
    """Seat an official (elected, opposition, agent, facilitator...) by name."""
    mandate = get(session, Mandate, mandate_id)
    declared = body(mandate, body_key)
    seat = _seat(declared, role)
    if role in MEMBER_ROLES:
        raise NotAllowed("%(role)r seats go to panel members, not to appointed officials",
                         role=role)
    name = name.strip()
    if not name:
        raise InvalidInput("give the official's name")
    check_in_mandate(mandate, on, N_("the appointment date %(date)s is outside mandate "
                                     "%(mandate)s (%(start)s to %(end)s)"),
                     until=body_until(mandate, declared))
    _check_room(session, mandate, declared, seat, 1)
    row = BodyMembership(mandate_id=mandate.id, body_key=body_key, role=role,
                         selection=seat.selection, official_name=name, joined_on=on)
    session.add(row)
    session.flush()
    audit.record(session, "body.appoint", "body_membership", row.id, mandate=mandate.id,
                 body=body_key, role=role, on=on)  # the row holds the name, not the log
    return row


def leave(session: Session, membership_id: int, on: dt.date) -> BodyMembership:
    """End a seat in a body on ``on`` (the row stays, dated)."""
    row = get(session, BodyMembership, membership_id)
    if row.left_on is not None:
        raise NotAllowed("body seat %(seat)s already ended on %(date)s", seat=membership_id,
                         date=row.left_on.isoformat())
    if on < row.joined_on:
        raise InvalidInput("%(date)s is before the seat began (%(joined)s)",
                           date=on.isoformat(), joined=row.joined_on.isoformat())
    row.left_on = on
    audit.record(session, "body.leave", "body_membership", row.id, on=on)
    return row


def composition(session: Session, mandate_id: int, body_key: str,
                on: dt.date | None = None) -> list[BodyMembership]:
    """Who sits in a body (now, or on a date)."""
    mandate = get(session, Mandate, mandate_id)
    body(mandate, body_key)
    return _current(session, mandate, body_key, on=on)


def bodies_of(session: Session, member_id: int) -> list[str]:
    """The bodies a member ever sat in."""
    return list(session.scalars(select(BodyMembership.body_key).where(
        BodyMembership.member_id == member_id).distinct()))


def sits_in(session: Session, member_id: int, body_key: str, on: dt.date) -> bool:
    return bool(session.scalar(select(func.count()).select_from(BodyMembership).where(
        BodyMembership.member_id == member_id, BodyMembership.body_key == body_key,
        BodyMembership.joined_on <= on,
        (BodyMembership.left_on.is_(None)) | (BodyMembership.left_on > on))))
