"""What an assembly's own record tells: public indicators, aggregated, free of personal data.

The ICPC practitioners compare assemblies on what happened, not only on their rules:
who answered the letters, who sits and how closely the panel matches the population,
who comes, who stays, what members are paid, what became of the acts and how fast
the city answered. Each indicator here is computed from the record of one mandate
(promotion, edition, cycle) and summed over the city's mandates per year; it holds
counts, shares, amounts and durations only, never a person's data, so the public
site, the open-data API and the static observatory can show them as they are.

Definitions, where a choice had to be made:

- *answers* are the respondents imported or entered for a seat group (volunteers of
  an open group are not answers to a letter); the *pool* is those still eligible to be
  drawn or drawn; *seated* are the members first seated by a draw (replacements apart).
- a stratum's *answer rate* is its answers over its letters, for the column the
  invitation draw was stratified by, when the respondents carry that column as a
  feature; otherwise the rate is given for the seat group as a whole only.
- a session's *attendance* is present over the members on its roll (every member
  whose attendance was recorded for it, present, excused or absent).
- *indemnities* are what the city's own statements pay (``services.indemnities``:
  caps, ceilings, means test and extras included), by calendar year.
- answer *delays* run from the day the act reached its addressee (the day response
  deadlines run from, ``followup.sent_on``) to the first answer recorded and to the
  answer to the city's last deadline.
- a *commitment on time* is a milestone done on or before its date; commitments
  themselves record no completion date, so for them the share done among those due is
  given instead.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from kleroterion.city.types import CityConfig, SeatGroup
from kleroterion.models import (
    AssemblySession,
    Attendance,
    InvitationDraw,
    Mandate,
    Member,
    Proposal,
    Respondent,
)
from kleroterion.services.context import city_of, follow_up_until, get
from kleroterion.services.followup import sent_on
from kleroterion.services.indemnities import statements
from kleroterion.services.proposals import list_proposals, proposal_kind, state_of
from kleroterion.services.quotas import quotas_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session

#: Version of the indicators' data shape, published with them (open data is read by
#: other instances and the observatory: a change of shape is a new version).
SCHEMA_VERSION = 1
#: Bounds of the buckets of members' attendance rates: [0, 25 %), [25, 50 %)...
ATTENDANCE_BUCKETS = (0.0, 0.25, 0.5, 0.75, 1.0)
#: Member statuses that no longer sit.
GONE = ("withdrawn", "replaced")


def _share(part: float, whole: float) -> float | None:
    return round(part / whole, 6) if whole else None


@dataclass(frozen=True)
class StratumRate:
    """Letters and answers of one stratum of an invitation draw."""

    value: str
    letters: int
    answers: int
    rate: float | None


@dataclass(frozen=True)
class Funnel:
    """From letters to seats, for one seat group."""

    seat_group: str
    letters: int
    answers: int
    pool: int
    seated: int
    answer_rate: float | None
    stratified_by: str | None
    strata: tuple[StratumRate, ...]


@dataclass(frozen=True)
class FeatureBalance:
    """One value of a criterion: its share of the population and of the seated panel."""

    feature: str
    value: str
    target_share: float
    target_seats: float
    seated: int
    seated_share: float | None


@dataclass(frozen=True)
class Representativeness:
    seat_group: str
    seated: int
    rows: tuple[FeatureBalance, ...]
    largest_gap: float | None  # the largest |seated - target| in seats, over every row


@dataclass(frozen=True)
class SessionAttendance:
    session_id: int
    held_on: dt.date
    kind: str
    body: str | None
    on_roll: int
    present: int
    rate: float | None


@dataclass(frozen=True)
class Attendances:
    sessions: tuple[SessionAttendance, ...]
    overall_rate: float | None
    #: Members per bucket of their own attendance rate (``ATTENDANCE_BUCKETS``).
    members_by_rate: tuple[int, ...]
    median_member_rate: float | None


@dataclass(frozen=True)
class Retention:
    seated: int  # first seated by a panel draw
    withdrawn: int
    replacements: int
    sitting: int  # members sitting at the end of the period
    still_sitting: int  # of the first seated
    retention_rate: float | None  # share of the first seated still sitting


@dataclass(frozen=True)
class YearlyIndemnities:
    year: int
    currency: str
    total: Decimal
    members_paid: int
    mean_per_member: Decimal | None


@dataclass(frozen=True)
class ActCount:
    kind: str
    outcome: str  # adopted | rejected | withdrawn | answered | open
    count: int


@dataclass(frozen=True)
class Delays:
    """Days from an act reaching its addressee to the city's answers."""

    acts_sent: int
    first_answered: int
    median_days_to_first: float | None
    final_answered: int
    median_days_to_final: float | None


@dataclass(frozen=True)
class Commitments:
    total: int
    due: int  # with a due date on or before the day of the indicators
    done: int
    done_among_due: int
    milestones_due: int
    milestones_on_time: int
    on_time_share: float | None  # of the milestones due


@dataclass(frozen=True)
class MandateIndicators:
    mandate_id: int
    label: str
    term: str
    starts_on: dt.date
    ends_on: dt.date
    funnel: tuple[Funnel, ...]
    representativeness: tuple[Representativeness, ...]
    attendance: Attendances
    retention: Retention
    indemnities: tuple[YearlyIndemnities, ...]
    acts: tuple[ActCount, ...]
    delays: Delays
    commitments: Commitments


@dataclass(frozen=True)
class CityIndicators:
    city: str
    as_of: dt.date
    schema_version: int
    mandates: tuple[MandateIndicators, ...]
    #: Indemnities of every mandate by calendar year (a year may span two promotions).
    indemnities_by_year: tuple[YearlyIndemnities, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values: dates as ISO text, amounts as decimal text."""
        plain: dict[str, Any] = _plain(asdict(self))
        return plain


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


# --- Recruitment ---------------------------------------------------------------------


def _funnel(session: Session, mandate: Mandate, group: SeatGroup) -> Funnel:
    draws = session.scalars(select(InvitationDraw).where(
        InvitationDraw.mandate_id == mandate.id, InvitationDraw.seat_group == group.key)).all()
    respondents = session.scalars(select(Respondent).where(
        Respondent.mandate_id == mandate.id, Respondent.seat_group == group.key,
        Respondent.source == "respondent")).all()
    letters = sum(draw.count for draw in draws)
    pool = sum(1 for r in respondents if r.status not in ("excluded", "ineligible"))
    seated = session.scalar(select(func.count()).select_from(Member).where(
        Member.mandate_id == mandate.id, Member.seat_group == group.key,
        Member.source == "drawn")) or 0
    column = next((d.stratify_by for d in draws if d.stratify_by), None)
    strata: list[StratumRate] = []
    if column and column in group.features:
        invited: Counter[str] = Counter()
        for draw in draws:
            for value, (_, sent) in (draw.strata or {}).items():
                invited[value] += int(sent)
        answered = Counter(r.features.get(column, "") for r in respondents)
        # In the city's own order of the values (1er, 2e... 10e), then any other
        declared = [v.key for f in city_of(mandate).config.composition.features
                    if f.key == column for v in f.values]
        order = {value: index for index, value in enumerate(declared)}
        strata = [StratumRate(value, invited[value], answered[value],
                              _share(answered[value], invited[value]))
                  for value in sorted(invited, key=lambda v: (order.get(v, len(order)), v))]
    else:
        column = None
    return Funnel(group.key, letters, len(respondents), pool, seated,
                  _share(len(respondents), letters), column, tuple(strata))


# --- The seated panel -----------------------------------------------------------------


def _representativeness(session: Session, config: CityConfig, mandate: Mandate,
                        group: SeatGroup, on: dt.date) -> Representativeness:
    members = session.scalars(select(Member).where(
        Member.mandate_id == mandate.id, Member.seat_group == group.key)).all()
    sitting = [m for m in members if _sits(m, on)]
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for member in sitting:
        for key in group.features:
            counts[key][member.respondent.features.get(key, "")] += 1
    # The values the mandate's draws balance: its own quotas where it set some.
    quotas = {(q.feature, q.value) for q in quotas_for(session, mandate, group)}
    rows: list[FeatureBalance] = []
    for feature in config.composition.features:
        if feature.key not in group.features:
            continue
        open_values = [v for v in feature.values if (feature.key, v.key) in quotas]
        total = sum(v.population for v in open_values)
        for value in open_values:
            share = value.population / total if total else 0.0
            seated = counts[feature.key][value.key]
            rows.append(FeatureBalance(feature.key, value.key, round(share, 6),
                                       round(share * group.seats, 6), seated,
                                       _share(seated, len(sitting))))
    gap = max((abs(row.seated - row.target_seats) for row in rows), default=None)
    return Representativeness(group.key, len(sitting), tuple(rows),
                              None if gap is None else round(gap, 6))


def _sits(member: Member, on: dt.date) -> bool:
    return member.seated_on <= on and (member.withdrawn_on is None or member.withdrawn_on > on)


# --- Attendance and retention ------------------------------------------------------------


def _attendance(session: Session, mandate: Mandate, on: dt.date) -> Attendances:
    meetings = session.scalars(select(AssemblySession).where(
        AssemblySession.mandate_id == mandate.id, AssemblySession.held_on <= on)
        .order_by(AssemblySession.held_on, AssemblySession.id)).all()
    rows: list[SessionAttendance] = []
    per_member: dict[int, list[bool]] = defaultdict(list)
    for meeting in meetings:
        records = session.scalars(select(Attendance).where(
            Attendance.session_id == meeting.id)).all()
        present = sum(1 for a in records if a.status == "present")
        for record in records:
            per_member[record.member_id].append(record.status == "present")
        if records:
            rows.append(SessionAttendance(meeting.id, meeting.held_on, meeting.kind,
                                          meeting.body_key, len(records), present,
                                          _share(present, len(records))))
    rates = [sum(marks) / len(marks) for marks in per_member.values()]
    on_roll = sum(row.on_roll for row in rows)
    return Attendances(tuple(rows), _share(sum(row.present for row in rows), on_roll),
                       bucket_rates(rates),
                       round(statistics.median(rates), 6) if rates else None)


def bucket_of(rate: float) -> int:
    """The bucket of ``ATTENDANCE_BUCKETS`` a rate from 0 to 1 falls in (1 in the last)."""
    last = len(ATTENDANCE_BUCKETS) - 2
    return next(i for i in range(last + 1) if rate < ATTENDANCE_BUCKETS[i + 1] or i == last)


def bucket_rates(rates: Iterable[float]) -> tuple[int, ...]:
    """How many rates fall in each bucket of ``ATTENDANCE_BUCKETS``."""
    counts = [0] * (len(ATTENDANCE_BUCKETS) - 1)
    for rate in rates:
        counts[bucket_of(rate)] += 1
    return tuple(counts)


def _retention(session: Session, mandate: Mandate, on: dt.date) -> Retention:
    members = session.scalars(select(Member).where(Member.mandate_id == mandate.id)).all()
    first = [m for m in members if m.source == "drawn"]
    withdrawn = sum(1 for m in members if m.withdrawn_on is not None and m.withdrawn_on <= on)
    replacements = sum(1 for m in members if m.source == "replacement" and m.seated_on <= on)
    still = sum(1 for m in first if _sits(m, on))
    return Retention(len(first), withdrawn, replacements,
                     sum(1 for m in members if _sits(m, on) and m.source != "volunteer"),
                     still, _share(still, len(first)))


# --- Indemnities -----------------------------------------------------------------------


def _years(mandate: Mandate, on: dt.date) -> Iterable[tuple[int, dt.date, dt.date]]:
    last = min(follow_up_until(mandate), on)
    for year in range(mandate.starts_on.year, last.year + 1):
        start = max(dt.date(year, 1, 1), mandate.starts_on)
        end = min(dt.date(year, 12, 31), last)
        if start <= end:
            yield year, start, end


def _indemnities(session: Session, config: CityConfig, mandate: Mandate,
                 on: dt.date) -> tuple[YearlyIndemnities, ...]:
    result = []
    for year, start, end in _years(mandate, on):
        paid = [s.total for s in statements(session, mandate.id, start, end) if s.total > 0]
        total = sum(paid, Decimal(0))
        mean = (total / len(paid)).quantize(Decimal("0.01")) if paid else None
        result.append(YearlyIndemnities(year, config.indemnity.currency, total, len(paid), mean))
    return tuple(result)


def _by_year(yearly: Iterable[YearlyIndemnities]) -> tuple[YearlyIndemnities, ...]:
    # A member of two promotions in one year is counted once per promotion: the
    # statements are per mandate, as the city pays them.
    totals: dict[int, list[YearlyIndemnities]] = defaultdict(list)
    for row in yearly:
        totals[row.year].append(row)
    result = []
    for year in sorted(totals):
        rows = totals[year]
        total = sum((row.total for row in rows), Decimal(0))
        paid = sum(row.members_paid for row in rows)
        mean = (total / paid).quantize(Decimal("0.01")) if paid else None
        result.append(YearlyIndemnities(year, rows[0].currency, total, paid, mean))
    return tuple(result)


# --- Acts and the city's answers -----------------------------------------------------------


def _acts(session: Session, mandate: Mandate, on: dt.date
          ) -> tuple[tuple[ActCount, ...], Delays, Commitments]:
    config = city_of(mandate).config
    deadlines = config.accountability.response_deadlines
    final_key = max(deadlines, key=lambda d: d.months).key if deadlines else None
    outcomes: Counter[tuple[str, str]] = Counter()
    to_first: list[int] = []
    to_final: list[int] = []
    sent = 0
    totals = Counter[str]()
    for proposal in list_proposals(session, mandate.id, with_history=True):
        kind = proposal_kind(mandate, proposal.kind)
        outcomes[(proposal.kind, state_of(kind, proposal.state).outcome or "open")] += 1
        start = sent_on(proposal, kind)
        if start is not None and start <= on:
            sent += 1
            answers = [r for r in proposal.responses if r.answered_on <= on]
            if answers:
                to_first.append((min(r.answered_on for r in answers) - start).days)
            final = [r for r in answers if r.deadline_key == final_key]
            if final:
                to_final.append((final[0].answered_on - start).days)
        _count_commitments(proposal, on, totals)
    acts = tuple(ActCount(kind, outcome, count) for (kind, outcome), count
                 in sorted(outcomes.items()))
    delays = Delays(sent, len(to_first), _median(to_first), len(to_final), _median(to_final))
    commitments = Commitments(totals["total"], totals["due"], totals["done"],
                              totals["done_due"], totals["milestones_due"],
                              totals["milestones_on_time"],
                              _share(totals["milestones_on_time"], totals["milestones_due"]))
    return acts, delays, commitments


def _count_commitments(proposal: Proposal, on: dt.date, totals: Counter[str]) -> None:
    for commitment in proposal.commitments:
        totals["total"] += 1
        due = commitment.due_on is not None and commitment.due_on <= on
        totals["due"] += due
        totals["done"] += commitment.status == "done"
        totals["done_due"] += due and commitment.status == "done"
        for milestone in commitment.milestones:
            if milestone.due_on <= on:
                totals["milestones_due"] += 1
                totals["milestones_on_time"] += (milestone.done_on is not None
                                                 and milestone.done_on <= milestone.due_on)


def _median(values: Sequence[int]) -> float | None:
    return float(statistics.median(values)) if values else None


# --- Entry points --------------------------------------------------------------------------


def mandate_indicators(session: Session, mandate_id: int, on: dt.date) -> MandateIndicators:
    """Every indicator of one mandate, as its record stands on ``on``."""
    mandate = get(session, Mandate, mandate_id)
    config = city_of(mandate).config
    groups = config.composition.seat_groups
    acts, delays, commitments = _acts(session, mandate, on)
    day = min(on, mandate.ends_on)
    return MandateIndicators(
        mandate.id, mandate.label, mandate.term, mandate.starts_on, mandate.ends_on,
        funnel=tuple(_funnel(session, mandate, g) for g in groups
                     if g.selection != "open"),
        representativeness=tuple(_representativeness(session, config, mandate, g, day)
                                 for g in groups if g.selection == "stratified"),
        attendance=_attendance(session, mandate, on),
        retention=_retention(session, mandate, day),
        indemnities=_indemnities(session, config, mandate, on),
        acts=acts, delays=delays, commitments=commitments,
    )


def city_indicators(session: Session, city_slug: str, on: dt.date) -> CityIndicators:
    """The indicators of every mandate of a city that has started by ``on``, oldest first."""
    mandates = session.scalars(select(Mandate).where(
        Mandate.city == city_slug, Mandate.starts_on <= on)
        .order_by(Mandate.starts_on, Mandate.id)).all()
    each = tuple(mandate_indicators(session, m.id, on) for m in mandates)
    return CityIndicators(city_slug, on, SCHEMA_VERSION, each,
                          _by_year(row for m in each for row in m.indemnities))
