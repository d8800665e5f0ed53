"""Whether a value fits where it will be stored, said before the database says it worse.

A value the database refuses (a family quotient of twelve digits, a 300-character
name, a NUL byte PostgreSQL cannot store) would fail a whole batch with an error that
quotes every row of it; a lone UTF-16 surrogate cannot even be encoded. SQLite stores
what PostgreSQL refuses (an overflowing number as ``Inf``), so both databases must be
guarded the same way, here. Each check returns the problem as a translatable
:class:`~kleroterion.messages.Message` (``None`` when the value fits), so callers
locate it: a file's line and column, a form's or a body's field.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from kleroterion.messages import Message
from sqlalchemy import Numeric, String

_SURROGATE = re.compile(r"[\ud800-\udfff]")


def text_problem(text: str, max_length: int | None = None) -> Message | None:
    """Why ``text`` cannot be stored as text: a NUL byte, a lone surrogate, its length."""
    if "\x00" in text:
        return Message("holds a NUL character (code 0), which no text may hold")
    if _SURROGATE.search(text):
        return Message("holds an invalid character (a lone UTF-16 surrogate)")
    if max_length is not None and len(text) > max_length:
        return Message("is %(length)s characters long; at most %(maximum)s are accepted",
                       length=len(text), maximum=max_length)
    return None


def decimal_problem(value: Decimal, precision: int, scale: int, *,
                    minimum: Decimal | None = None) -> Message | None:
    """Why ``value`` does not fit a NUMERIC(precision, scale) column (``None`` if it does)."""
    if not value.is_finite():
        return Message("not a number")
    limit = Decimal(10) ** (precision - scale)
    if abs(value.quantize(Decimal(1).scaleb(-scale))) >= limit:
        return Message("is too large: at most %(digits)s digits before the decimal point",
                       digits=precision - scale)
    if minimum is not None and value < minimum:
        return Message("is below %(minimum)s", minimum=minimum)
    return None


def column_problem(model: Any, field: str, value: object) -> Message | None:
    """Why ``value`` does not fit the column ``field`` of ``model`` (a text or a number)."""
    column_type = model.__table__.c[field].type
    if isinstance(value, str):
        length = column_type.length if isinstance(column_type, String) else None
        return text_problem(value, length)
    if isinstance(value, Decimal) and isinstance(column_type, Numeric) \
            and column_type.precision is not None:
        return decimal_problem(value, column_type.precision, column_type.scale or 0,
                               minimum=Decimal(0))
    return None
