"""Indemnity statements computed from the city's ``IndemnityPolicy``, in ``Decimal``.

The rule, the same for every city, driven by the policy's data only:

1. Nobody is paid when ``paid`` is false. When ``paid_bodies`` is set, only members
   who sat in one of those bodies are paid (Poitiers: the groupe de propositions and
   the comité méthodologique); they are paid for every session they attended.
2. With ``family_quotient_max``, a member is paid only when their recorded family
   quotient is at most that amount (a missing quotient is not paid).
3. Units attended are the durations of the sessions where the member was present,
   converted to the policy's unit (a day is two half-days; sessions and hours
   convert to nothing else). Sessions are taken in date order from the start of
   the mandate, so caps reached in an earlier period hold in later ones.
4. ``max_units`` caps the units paid over the mandate; the amount of a session is
   its units paid times the rate, rounded to the cent; ``annual_ceiling`` caps the
   amount paid per member per calendar year.
5. ``rate_is_maximum``: the rate is a ceiling; the secretariat may pay a lower one.
6. Extras claimed (childcare...) are added for paid members, each claim capped by
   the extra's ``ceiling`` when it has one, outside the annual ceiling (they
   reimburse costs, they are not an allowance).

The finance department's CSV is written by ``services.statement_export``, for the
back office and the CLI alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from kleroterion.city.behaviour import Entitlement, PaidMember
from kleroterion.city.types import IndemnityPolicy
from kleroterion.messages import N_
from kleroterion.models import AssemblySession, Attendance, ExtraClaim, Mandate, Member
from kleroterion.services import audit
from kleroterion.services.bodies import bodies_of
from kleroterion.services.context import check_in_mandate, city_of, follow_up_until, get
from kleroterion.services.errors import InvalidInput, NotAllowed
from kleroterion.services.field_labels import field_label
from kleroterion.services.values import column_problem
from sqlalchemy import select
from sqlalchemy.orm import Session

CENT = Decimal("0.01")
_PER_UNIT = {("half_day", "day"): Decimal("0.5"), ("day", "half_day"): Decimal("2")}


def convert(units: Decimal, source: str, target: str) -> Decimal:
    """Units of ``source`` expressed in ``target``; refuse units that do not convert."""
    if source == target:
        return units
    factor = _PER_UNIT.get((source, target))
    if factor is None:
        raise InvalidInput("a session counted in %(source)s cannot be paid per %(target)s",
                           source=source, target=target)
    return units * factor


@dataclass
class Line:
    """One session attended: its units and what it pays."""

    session_id: int
    held_on: dt.date
    kind: str
    body: str | None
    units: Decimal
    paid_units: Decimal
    amount: Decimal


@dataclass
class Statement:
    """What one member is owed for one period."""

    member_id: int
    public_id: str
    seat_group: str
    start: dt.date
    end: dt.date
    unit: str
    rate: Decimal
    currency: str
    eligible: bool
    reason: str = ""
    lines: list[Line] = field(default_factory=list)
    extras: dict[str, Decimal] = field(default_factory=dict)

    @property
    def units(self) -> Decimal:
        return sum((line.units for line in self.lines), Decimal(0))

    @property
    def paid_units(self) -> Decimal:
        return sum((line.paid_units for line in self.lines), Decimal(0))

    @property
    def indemnity(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def total(self) -> Decimal:
        return self.indemnity + sum(self.extras.values(), Decimal(0))


def _entitlement(session: Session, mandate: Mandate, member: Member, on: dt.date) -> Entitlement:
    """Whether the city pays the member, asked of its ``indemnity_entitlement`` hook."""
    city = city_of(mandate)
    quotient = None
    if city.config.indemnity.family_quotient_max is not None and member.respondent.personal:
        quotient = member.respondent.personal.family_quotient
    context = PaidMember(member=member.public_id, seat_group=member.seat_group,
                         bodies=tuple(bodies_of(session, member.id)), family_quotient=quotient)
    answer: Entitlement = city.hook.indemnity_entitlement(city=city.config, member=context, on=on)
    return answer


def pay(attended: Sequence[tuple[dt.date, Decimal]], policy: IndemnityPolicy,
        rate: Decimal) -> list[tuple[Decimal, Decimal]]:
    """Units paid and amount of each attended session, in date order: the caps of the policy.

    ``max_units`` caps the units over all the sessions given; ``annual_ceiling`` the
    amount per calendar year; each amount is rounded to the cent before the ceiling.
    """
    units_paid, yearly = Decimal(0), dict[int, Decimal]()
    result = []
    for day, units in attended:
        paid_units = units
        if policy.max_units is not None:
            paid_units = max(Decimal(0), min(units, policy.max_units - units_paid))
        amount = (paid_units * rate).quantize(CENT, ROUND_HALF_UP)
        if policy.annual_ceiling is not None:
            room = policy.annual_ceiling - yearly.get(day.year, Decimal(0))
            amount = max(Decimal(0), min(amount, room))
            yearly[day.year] = yearly.get(day.year, Decimal(0)) + amount
        units_paid += paid_units
        result.append((paid_units, amount))
    return result


def _rate(policy: IndemnityPolicy, rate: Decimal | None) -> Decimal:
    if rate is None:
        return policy.rate
    if policy.rate_is_maximum:
        if not Decimal(0) <= rate <= policy.rate:
            raise InvalidInput("the rate must be between 0 and the maximum %(maximum)s, not "
                               "%(rate)s", maximum=policy.rate, rate=rate)
        return rate
    if rate != policy.rate:
        raise InvalidInput("the rate is fixed by the city at %(fixed)s; %(rate)s is not it",
                           fixed=policy.rate, rate=rate)
    return rate


def statement(session: Session, member_id: int, start: dt.date, end: dt.date, *,
              rate: Decimal | None = None) -> Statement:
    """The statement of one member for ``start..end`` (inclusive)."""
    member = get(session, Member, member_id)
    mandate = get(session, Mandate, member.mandate_id)
    return _statement(session, mandate, member, start, end, rate)


def _check_period(mandate: Mandate, start: dt.date, end: dt.date) -> None:
    if end < start:
        raise InvalidInput("the period ends (%(end)s) before it starts (%(start)s)",
                           end=end.isoformat(), start=start.isoformat())
    until = follow_up_until(mandate)
    check_in_mandate(mandate, start, N_("the period start %(date)s is outside mandate "
                                        "%(mandate)s (%(start)s to %(end)s)"), until=until)
    check_in_mandate(mandate, end, N_("the period end %(date)s is outside mandate %(mandate)s "
                                      "(%(start)s to %(end)s)"), until=until)


def _statement(session: Session, mandate: Mandate, member: Member, start: dt.date,
               end: dt.date, rate: Decimal | None) -> Statement:
    _check_period(mandate, start, end)
    policy = city_of(mandate).config.indemnity
    entitlement = _entitlement(session, mandate, member, end)
    reason = "" if entitlement.paid else entitlement.reason or "not paid"
    # A rate asked for is checked against the policy (Brussels: up to a maximum); else
    # the city's answer for this member.
    paid_rate = _rate(policy, rate) if rate is not None or not entitlement.paid else (
        entitlement.rate)
    result = Statement(member.id, member.public_id, member.seat_group, start, end, policy.unit,
                       paid_rate, policy.currency, eligible=not reason, reason=reason)
    attended = session.execute(
        select(AssemblySession).join(Attendance).where(
            Attendance.member_id == member.id, Attendance.status == "present",
            AssemblySession.held_on <= end)
        .order_by(AssemblySession.held_on, AssemblySession.id)
    ).scalars().all()
    counted = [(m.held_on, convert(m.duration, m.unit, policy.unit)) for m in attended]
    nothing = (Decimal(0), Decimal(0))
    paid = pay(counted, policy, paid_rate) if not reason else [nothing] * len(counted)
    for meeting, (_, attended_units), (paid_units, amount) in zip(attended, counted, paid,
                                                                  strict=True):
        if meeting.held_on >= start:
            result.lines.append(Line(meeting.id, meeting.held_on, meeting.kind, meeting.body_key,
                                     attended_units, paid_units, amount))
    if not reason:
        ceilings = {extra.key: extra.ceiling for extra in policy.extras}
        for claim in session.scalars(select(ExtraClaim).where(
                ExtraClaim.member_id == member.id, ExtraClaim.claimed_on >= start,
                ExtraClaim.claimed_on <= end).order_by(ExtraClaim.id)):
            ceiling = ceilings.get(claim.extra_key)
            amount = claim.amount if ceiling is None else min(claim.amount, ceiling)
            result.extras[claim.extra_key] = result.extras.get(claim.extra_key,
                                                               Decimal(0)) + amount
    return result


def statements(session: Session, mandate_id: int, start: dt.date, end: dt.date, *,
               rate: Decimal | None = None) -> list[Statement]:
    """Statements of every member who attended or claimed something in the period."""
    mandate = get(session, Mandate, mandate_id)
    members = session.scalars(select(Member).where(Member.mandate_id == mandate.id)
                              .order_by(Member.id))
    result = []
    for member in members:
        one = _statement(session, mandate, member, start, end, rate)
        if one.lines or one.extras:
            result.append(one)
    return result


def claim_extra(session: Session, member_id: int, extra_key: str, on: dt.date, amount: Decimal,
                note: str = "") -> ExtraClaim:
    """Record a cost claimed on top of the indemnity, of a kind the city's policy allows."""
    member = get(session, Member, member_id)
    mandate = get(session, Mandate, member.mandate_id)
    policy = city_of(mandate).config.indemnity
    keys = [extra.key for extra in policy.extras]
    if extra_key not in keys:
        if not keys:
            raise NotAllowed("%(city)s reimburses no %(key)r; it reimburses: nothing",
                             city=mandate.city, key=extra_key)
        raise NotAllowed("%(city)s reimburses no %(key)r; it reimburses: %(known)s",
                         city=mandate.city, key=extra_key, known=", ".join(keys))
    if amount <= 0:
        raise InvalidInput("a claim is a positive amount, not %(amount)s", amount=amount)
    unfit = column_problem(ExtraClaim, "amount", amount)
    if unfit is not None:  # the database would refuse it (PostgreSQL) or keep it wrong
        raise InvalidInput("the %(name)s %(problem)s", name=field_label("amount"), problem=unfit,
                           field="amount")
    check_in_mandate(mandate, on, N_("the claim date %(date)s is outside mandate %(mandate)s "
                                     "(%(start)s to %(end)s)"), until=follow_up_until(mandate))
    claim = ExtraClaim(member_id=member.id, extra_key=extra_key, claimed_on=on,
                       amount=amount.quantize(CENT, ROUND_HALF_UP), note=note)
    session.add(claim)
    session.flush()
    audit.record(session, "indemnity.claim", "extra_claim", claim.id, member=member.id,
                 extra=extra_key, on=on, amount=claim.amount)
    return claim


def write_text(path: str | Path, text: str) -> None:
    """Write ``text`` as UTF-8 with a BOM, which French spreadsheets open correctly."""
    Path(path).write_text(text, encoding="utf-8-sig", newline="")


