"""Logs and tracebacks that never quote a database row: the database's errors, withheld.

A database error's text carries the values of the failing statement: SQLAlchemy adds
the bound parameters (a batch of respondents: names, addresses, e-mails, birth dates),
and PostgreSQL its ``DETAIL`` (``Key (email)=(...) already exists``). Engines are made
with ``hide_parameters=True`` (``kleroterion.db.make_engine``), and :func:`install`
makes every log record and every uncaught traceback of the process describe such an
error by its class, its SQLSTATE and its SQL text (placeholders, no values), never by
its message. A record factory is used rather than a filter on some handlers: it covers
the handlers a server adds later (gunicorn's, a syslog's) and the test's captures.
Other exceptions keep their messages, which the standards forbid to hold personal data.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any

#: Where the database layer's exceptions come from, by module.
_DATABASE_MODULES = ("sqlalchemy", "psycopg", "psycopg2", "sqlite3", "_sqlite3", "asyncpg")
WITHHELD = "message withheld: a database error may quote the values of a row"
MESSAGE_WITHHELD = "message withheld: it may quote personal data"
_installed: list[Callable[..., logging.LogRecord]] = []


def is_database_error(error: BaseException) -> bool:
    """Whether ``error``'s text may quote the values of a row."""
    if isinstance(error, sqlite3.Error | UnicodeError):
        return True
    # By the modules of its classes, so that every command need not import SQLAlchemy
    # (``kleroterion invite`` loads no database code) to recognise its errors.
    return any(kind.__module__.split(".")[0] in _DATABASE_MODULES
               for kind in type(error).__mro__)


def describe(error: BaseException) -> str:
    """One exception as its last traceback line says it, its message withheld: any error
    may quote the values of a row (a driver's always may; a ValueError built from a row
    may too), so a log holds the type, and for a database error its code and SQL."""
    kind = type(error)
    if not is_database_error(error):
        return f"{kind.__module__}.{kind.__qualname__}: ({MESSAGE_WITHHELD})"
    lines = [f"{kind.__module__}.{kind.__qualname__} ({WITHHELD})"]
    original = getattr(error, "orig", None)
    if isinstance(original, BaseException):
        code = getattr(original, "sqlstate", None) or getattr(original, "sqlite_errorname", None)
        lines.append(f"  raised by {type(original).__module__}.{type(original).__qualname__}"
                     + (f", SQLSTATE/code {code}" if code else ""))
    statement = getattr(error, "statement", None)
    if isinstance(statement, str):
        lines.append("  SQL: " + " ".join(statement.split())[:2000])
    return "\n".join(lines)


def safe_traceback(error: BaseException) -> str:
    """The traceback Python would print, every database error's text withheld."""
    chain: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = error
    link = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, ("\nThe above exception was the direct cause "
                                                "of the following exception:\n")
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, ("\nDuring handling of the above exception, "
                                                  "another exception occurred:\n")
        else:
            current = None
    blocks = []
    for position, (exc, _) in enumerate(reversed(chain)):
        frames = "".join(traceback.format_tb(exc.__traceback__))
        block = "Traceback (most recent call last):\n" + frames + describe(exc)
        if position:
            block = list(reversed(chain))[position - 1][1] + "\n" + block
        blocks.append(block)
    return "\n".join(blocks)


def _safe_arg(value: Any) -> Any:
    return describe(value) if isinstance(value, BaseException) and is_database_error(value) \
        else value


def _factory(previous: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        info = record.exc_info
        if info and info[1] is not None:
            record.exc_text = safe_traceback(info[1])
            record.exc_info = None
        if isinstance(record.msg, BaseException) and is_database_error(record.msg):
            record.msg = describe(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_safe_arg(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _safe_arg(arg) for key, arg in record.args.items()}
        return record

    return make


def _excepthook(kind: type[BaseException], error: BaseException,
                trace: TracebackType | None) -> None:
    sys.stderr.write(safe_traceback(error) + "\n")


def install() -> None:
    """Withhold database errors' texts from every log record and uncaught traceback (once)."""
    if _installed:
        return
    previous = logging.getLogRecordFactory()
    _installed.append(previous)
    logging.setLogRecordFactory(_factory(previous))
    sys.excepthook = _excepthook
