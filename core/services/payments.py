"""Indemnity statements over any period of a city, across its terms, for the finance department.

A period (a calendar year, a quarter) may cover several terms of a city (two
promotions of Paris sit at once, one ends in June and the next starts in
September): each term that overlaps the period contributes its members'
statements for the days they share, computed by ``services.indemnities`` (the one
rule, its caps counted from the start of each term). Each line says which part of
the city's rule applied to it (:func:`rule`), so the finance department can check
it; the member's name and bank details come with it, being what a payment needs,
and an export of them is recorded in the audit log as a personal data export.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from kleroterion.models import Mandate, Member
from kleroterion.services import audit, indemnities
from kleroterion.services.context import follow_up_until, get
from kleroterion.services.errors import InvalidInput
from kleroterion.services.indemnities import CENT, Line, Statement
from sqlalchemy import select
from sqlalchemy.orm import Session

#: How a line was paid: in full, capped by the units of the term, capped by the
#: yearly ceiling, or not at all (the member is not paid by the city's rule).
RULES = ("paid", "units_cap", "annual_ceiling", "not_paid")
#: The purpose the audit log gives an export of names and bank details for payment.
PAYING = "paying the members' indemnities"


@dataclass(frozen=True)
class PeriodStatement:
    """One member's statement in one term, for the part of the period the term covers."""

    mandate_id: int
    mandate_label: str
    statement: Statement
    name: str | None
    iban: str | None


def rule(statement: Statement, line: Line) -> str:
    """Which part of the city's rule set the line's amount (one of :data:`RULES`)."""
    if not statement.eligible:
        return "not_paid"
    if line.paid_units < line.units:
        return "units_cap"
    if line.amount < (line.paid_units * statement.rate).quantize(CENT, ROUND_HALF_UP):
        return "annual_ceiling"
    return "paid"


def period_statements(session: Session, city: str, start: dt.date, end: dt.date, *,
                      mandate_id: int | None = None,
                      rate: Decimal | None = None) -> list[PeriodStatement]:
    """Every member paid or claiming in ``start..end``, across the city's terms, by name.

    ``mandate_id`` keeps one term only; ``rate`` is a lower rate, where the city's
    rate is a maximum (``indemnities.statements`` refuses it otherwise).
    """
    if end < start:
        raise InvalidInput("the period ends (%(end)s) before it starts (%(start)s)",
                           end=end.isoformat(), start=start.isoformat(), field="end")
    if (end - start).days > 3 * 366:
        raise InvalidInput("a statement covers at most three years, not %(days)s days",
                           days=(end - start).days + 1, field="end")
    result: list[PeriodStatement] = []
    query = select(Mandate).where(Mandate.city == city, Mandate.starts_on <= end)
    if mandate_id is not None:
        get(session, Mandate, mandate_id)  # an unknown term is refused by its id
        query = query.where(Mandate.id == mandate_id)
    mandates = session.scalars(query.order_by(Mandate.starts_on, Mandate.id))
    for mandate in mandates:
        until = follow_up_until(mandate)
        if until < start:
            continue
        shared = (max(start, mandate.starts_on), min(end, until))
        for one in indemnities.statements(session, mandate.id, *shared, rate=rate):
            personal = get(session, Member, one.member_id).respondent.personal
            result.append(PeriodStatement(
                mandate.id, mandate.label, one, personal.name if personal else None,
                personal.iban if personal else None))
    result.sort(key=lambda row: ((row.name or "").casefold(), row.statement.public_id,
                                 row.mandate_id))
    return result


@dataclass(frozen=True)
class Totals:
    """The period's totals, for the foot of the statements."""

    members: int
    units: Decimal
    paid_units: Decimal
    indemnity: Decimal
    extras: Decimal
    total: Decimal


def totals(rows: list[PeriodStatement]) -> Totals:
    statements = [row.statement for row in rows]
    return Totals(
        members=len({row.statement.member_id for row in rows}),
        units=sum((s.units for s in statements), Decimal(0)),
        paid_units=sum((s.paid_units for s in statements), Decimal(0)),
        indemnity=sum((s.indemnity for s in statements), Decimal(0)),
        extras=sum((sum(s.extras.values(), Decimal(0)) for s in statements), Decimal(0)),
        total=sum((s.total for s in statements), Decimal(0)),
    )


def record_export(session: Session, city: str, start: dt.date, end: dt.date, rows: int,
                  content: bytes, kind: str,
                  purpose: str = PAYING) -> None:
    """Record an export of statements with names and bank details: a personal data export."""
    audit.record(session, "personal_data.export", "city", 0, city=city,
                 what=f"indemnity statements ({kind}) with names and bank details",
                 purpose=purpose, rows=rows, start=start, end=end,
                 digest=hashlib.sha256(content).hexdigest())


def masked_iban(iban: str | None) -> str:
    """An IBAN as a page shows it: its country and last four characters (FR76 … 0189)."""
    if not iban:
        return ""
    return f"{iban[:4]} … {iban[-4:]}"
