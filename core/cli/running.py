"""How a command of the command line runs: one transaction, in its city, with shared options.

Each command that changes or reads the record is one transaction through
:mod:`kleroterion.services` (``transaction``): on any error it prints one line on
stderr, exits non-zero and leaves the database exactly as it was. The database is
``KLEROTERION_DATABASE_URL`` or the instance folder's SQLite file
(``KLEROTERION_INSTANCE_PATH``, default ``./instance``); the audit log names the user
of ``KLEROTERION_ACTOR`` (default: the login name). With ``KLEROTERION_CITY`` set,
the commands serve that city only: a record of another city sharing the database is
not found. Dates are YYYY-MM-DD or DD/MM/YYYY.
"""

from __future__ import annotations

import datetime as dt
import functools
import getpass
import os
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import click
from kleroterion import db
from kleroterion.services import (
    indemnities,
)
from kleroterion.services.engine import EngineSettingError, SortitionEngine, configured
from kleroterion.services.errors import ServiceError
from kleroterion.services.scope import scoped
from kleroterion.services.tables import parse_date, parse_decimal
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

F = TypeVar("F", bound=Callable[..., Any])

#: The city the commands serve: with it set, another city's records are not found.
CITY_VARIABLE = "KLEROTERION_CITY"


class DateParam(click.ParamType[dt.date]):
    """A date as YYYY-MM-DD or DD/MM/YYYY."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return parse_date(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date (YYYY-MM-DD or DD/MM/YYYY)", param, ctx)


class DecimalParam(click.ParamType[Decimal]):
    """An amount or a number of units, with a point or a French comma."""

    name = "number"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Decimal:
        if isinstance(value, Decimal):
            return value
        try:
            return parse_decimal(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a number", param, ctx)


DATE = DateParam()
DECIMAL = DecimalParam()


def current_actor() -> str:
    try:
        return os.environ.get("KLEROTERION_ACTOR") or getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def sortition_engine() -> SortitionEngine:
    """The engine ``KLEROTERION_SORTITION_ENGINE`` chooses for the command's draws (the web
    app's setting, read from the environment); a path that does not load stops the
    command naming the setting and its value."""
    try:
        return configured()
    except EngineSettingError as error:
        raise click.ClickException(str(error)) from None


_ENGINES: dict[str, Engine] = {}


def factory(url: str) -> sessionmaker[Session]:
    # One engine per URL for the life of the process (a test may switch URLs).
    if url not in _ENGINES:
        _ENGINES[url] = db.make_engine(url)
    return db.make_sessionmaker(_ENGINES[url])


def dispose_engines() -> None:
    """Close the pooled connections of every engine the commands opened."""
    while _ENGINES:
        _ENGINES.popitem()[1].dispose()


def transaction(function: F) -> F:
    """Run the command's body in one transaction; turn every refusal into one line, exit 1."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with scoped(os.environ.get(CITY_VARIABLE) or None), db.session_scope(
                    factory(db.database_url()), actor=current_actor()) as session:
                return function(session, *args, **kwargs)
        except ServiceError as error:
            raise click.ClickException(str(error)) from None
        except StaleDataError:
            raise click.ClickException("someone else changed this record at the same time; "
                                       "reload it and try again") from None
        except IntegrityError as error:
            raise click.ClickException(
                "the database refused the change (a duplicate or a missing reference): "
                f"{type(error.orig).__name__}") from None
        except OperationalError as error:
            detail = str(error.orig).splitlines()[0] if error.orig else type(error).__name__
            hint = " (run `kleroterion db upgrade` first?)" if "no such table" in detail or (
                "does not exist" in detail) else ""
            raise click.ClickException(f"database error: {detail}{hint}") from None
        except DBAPIError as error:
            raise click.ClickException(f"database error: {type(error.orig).__name__}") from None

    return wrapper  # type: ignore[return-value]


def write_or_echo(text: str, out: Path | None) -> None:
    if out is None:
        click.echo(text, nl=False)
    else:
        indemnities.write_text(out, text)
        click.echo(f"written to {out}", err=True)


SEED = click.option("--seed", type=int, default=None,
                    help="Seed of the draw (reproducible); or give --public-number.")
PUBLIC = click.option("--public-number", default=None,
                      help="Number from a public source (dice, lottery, bailiff) choosing the "
                           "panel: number N picks panel N mod 1000.")
FRENCH = click.option("--french", is_flag=True,
                      help="French spreadsheet format: ';' separator, decimal comma, "
                           "DD/MM/YYYY dates.")
OUT = click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
                   help="Write to this file (UTF-8 with BOM) instead of standard output.")
VERSION = click.option("--version", "expected_version", type=int, default=None,
                       help="The version you read (from `show`); refused if it changed since.")


