"""Which mandates a public page shows: every promotion of the city, never just the latest.

A city has many mandates, several sitting at once (two Paris promotions overlap for
six months), past ones keeping their record and follow-up. Lists (acts, sessions,
draws, follow-up) show all of them unless ``?promotion=<id>`` narrows them to one;
pages about one panel (its members, its draws) show the one asked for, else the
sitting mandate that started last, else the last one that started, and link to the
others. An unknown ``?promotion`` is a 404, not a silent fallback.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import abort, request
from kleroterion.models import Mandate
from kleroterion.services import mandates
from kleroterion.services.context import follow_up_until
from kleroterion.web.context import current_city
from kleroterion.web.database import db_session
from kleroterion.web.i18n import mandate_label
from sqlalchemy.exc import OperationalError, ProgrammingError

PARAMETER = "promotion"
STATUSES = ("sitting", "upcoming", "following", "past")


def city_mandates() -> list[Mandate]:
    """Every mandate of the site's city, oldest first; none before the database exists."""
    try:
        return mandates.list_mandates(db_session(), current_city().slug)
    except (OperationalError, ProgrammingError):
        db_session().rollback()
        return []


def status_of(mandate: Mandate, today: dt.date) -> str:
    """``upcoming``, ``sitting``, ``following`` (panel done, follow-up running), ``past``."""
    if today < mandate.starts_on:
        return "upcoming"
    if mandate.status == "open" and today <= mandate.ends_on:
        return "sitting"
    if today <= follow_up_until(mandate):
        return "following"
    return "past"


def requested(every: list[Mandate]) -> Mandate | None:
    """The mandate ``?promotion=`` names, None when absent; 404 when it names none of them."""
    value = request.args.get(PARAMETER)
    if value is None or value == "":
        return None
    if not (value.isascii() and value.isdigit()):
        abort(404)
    found = next((m for m in every if m.id == int(value)), None)
    if found is None:
        abort(404)
    return found


def chosen(every: list[Mandate] | None = None) -> tuple[list[Mandate], Mandate | None]:
    """The mandates a list shows (all, or the one asked for) and the one asked for."""
    every = city_mandates() if every is None else every
    one = requested(every)
    return ([one] if one is not None else every), one


def featured(today: dt.date, every: list[Mandate] | None = None) -> Mandate | None:
    """The one mandate a page about one panel shows when none is asked for."""
    every = city_mandates() if every is None else every
    one = requested(every)
    if one is not None:
        return one
    sitting = [m for m in every if status_of(m, today) == "sitting"]
    if sitting:
        return max(sitting, key=lambda m: (m.starts_on, m.id))
    started = [m for m in every if m.starts_on <= today]
    if started:
        return max(started, key=lambda m: (m.starts_on, m.id))
    return min(every, key=lambda m: (m.starts_on, m.id)) if every else None


@dataclass(frozen=True)
class PromotionLink:
    """A mandate in a page's promotion selector."""

    id: int
    label: str
    starts_on: dt.date
    ends_on: dt.date
    status: str
    current: bool


def links(every: list[Mandate], today: dt.date, shown: Mandate | None) -> list[PromotionLink]:
    """The selector of a page: every mandate, latest first, the shown one marked."""
    return [PromotionLink(m.id, mandate_label(m), m.starts_on, m.ends_on, status_of(m, today),
                          shown is not None and shown.id == m.id)
            for m in sorted(every, key=lambda m: (m.starts_on, m.id), reverse=True)]
