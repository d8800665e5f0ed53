"""The declarative base every kleroterion table derives from, and the column types they share.

The naming convention gives every constraint and index a predictable name, so that
Alembic migrations written on SQLite replay identically on PostgreSQL and a model
change shows up in ``compare_metadata`` with a stable name.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, MetaData, Numeric, String, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Money: two decimals are enough for euros; twelve digits for any yearly budget.
Money = Numeric(12, 2, asdecimal=True)
#: Units of time attended (half-days, days, sessions, hours), possibly fractional.
Units = Numeric(8, 2, asdecimal=True)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored without zone and always read back as UTC.

    SQLite has no time zones; storing naive UTC on both databases keeps the audit
    chain's canonical JSON identical whichever database wrote it.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class Base(DeclarativeBase):
    """Base of every model; ``__repr__`` shows the class and primary key only.

    Rows may hold personal data; a generic repr never prints column values, so that
    a traceback or a log line cannot leak a name or an address.
    """

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        Decimal: Money,
        dt.datetime: UTCDateTime,
        dict[str, Any]: JSON,
        dict[str, str]: JSON,
        list[Any]: JSON,
        str: String(200),
    }

    def __repr__(self) -> str:
        identity = getattr(self, "id", None)
        return f"<{type(self).__name__} id={identity}>"
