"""What every service needs around a session: the mandate's city, the actor, lookups, dates.

Cities are loaded once per slug and cached (building a plugin manager reads entry
points and validates every hook); tests and embedders may ``use_city`` a city
built by other means. Lookups raise :class:`NotFound` naming the id.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from kleroterion.db import ACTOR
from kleroterion.models import Base, Mandate
from kleroterion.plugins import City, PluginError, UnknownCity, load_city
from kleroterion.services.errors import ConflictError, InvalidInput, NotFound
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

_CITIES: dict[str, City] = {}

ModelT = TypeVar("ModelT", bound=Base)
F = TypeVar("F", bound=Callable[..., Any])


def use_city(city: City) -> None:
    """Make ``city`` the one services use for its slug (tests, embedding)."""
    _CITIES[city.slug] = city


def city(slug: str) -> City:
    """The loaded city of ``slug``, built once."""
    if slug not in _CITIES:
        try:
            _CITIES[slug] = load_city(slug)
        except (PluginError, UnknownCity) as error:
            raise InvalidInput(str(error)) from None
    return _CITIES[slug]


def city_of(mandate: Mandate) -> City:
    return city(mandate.city)


def actor(session: Session) -> str:
    return str(session.info.get(ACTOR, "system"))


def get(session: Session, model: type[ModelT], ident: Any, what: str | None = None) -> ModelT:
    """The row of ``model`` with primary key ``ident``, or NotFound naming it."""
    row = session.get(model, ident)
    if row is None:
        label = what or model.__tablename__.removesuffix("s").replace("_", " ")
        raise NotFound(f"no {label} with id {ident}")
    return row


def check_version(row: Any, expected: int | None, what: str) -> None:
    """Refuse to change ``row`` when the caller read an older version of it."""
    if expected is not None and row.version != expected:
        raise ConflictError(
            f"{what} {row.id} was changed by someone else (version {row.version}, you had "
            f"version {expected}); reload it and try again"
        )


def conflicts(function: F) -> F:
    """Turn a stale versioned update, whenever the session flushes it, into a ConflictError."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except StaleDataError:
            raise ConflictError(
                "this record was changed by someone else at the same time; reload it and try "
                "again") from None

    return wrapper  # type: ignore[return-value]


def flush(session: Session, what: str) -> None:
    """Flush, turning a stale versioned update into a ConflictError."""
    try:
        session.flush()
    except StaleDataError:
        raise ConflictError(
            f"{what} was changed by someone else at the same time; reload it and try again"
        ) from None


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def check_in_mandate(
    mandate: Mandate, day: dt.date, what: str, *, until: dt.date | None = None
) -> None:
    """Refuse a date outside the mandate (or outside ``starts_on..until`` when given)."""
    end = until or mandate.ends_on
    if not mandate.starts_on <= day <= end:
        raise InvalidInput(
            f"{what} {day.isoformat()} is outside mandate {mandate.id} "
            f"({mandate.starts_on.isoformat()} to {end.isoformat()})"
        )


def follow_up_until(mandate: Mandate) -> dt.date:
    """The last day of the mandate's follow-up: its last phase's end or its own end."""
    ends = [phase.ends_on for phase in mandate.phases]
    return max([mandate.ends_on, *ends])
