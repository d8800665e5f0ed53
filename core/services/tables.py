"""Reading the secretariat's CSV files (respondents, attendance) with located errors.

Encodings and delimiters are guessed as the sortition engine does (UTF-8 with or
without BOM, Windows-1252, Latin-1; comma, semicolon or tab). Errors name the
file, line and column, and never quote a cell that may hold personal data unless
the caller says the column is safe to quote.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from kleroterion.services.errors import InvalidInput
from kleroterion.sortition.io import CSVError, decode, split_records


@dataclass(frozen=True)
class Table:
    """A CSV file read whole: its header (stripped) and rows with their line numbers."""

    name: str
    digest: str
    header: list[str]
    rows: list[tuple[int, list[str]]]

    def column(self, *names: str) -> int | None:
        folded = [cell.casefold() for cell in self.header]
        for name in names:
            if name.casefold() in folded:
                return folded.index(name.casefold())
        return None

    def cell(self, line: int, record: list[str], index: int) -> str:
        if index >= len(record):
            raise InvalidInput(
                f"{self.name}, line {line}: the row has {len(record)} fields but the header "
                f"has {len(self.header)}"
            )
        return record[index].strip()

    def error(self, line: int, index: int, problem: str) -> InvalidInput:
        return InvalidInput(
            f"{self.name}, line {line}, column {index + 1} ({self.header[index]!r}): {problem}"
        )


def read_table(path: str | Path) -> Table:
    """Read a CSV file with a header line; refuse an empty or malformed one."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidInput(f"{path}: cannot be read ({error.strerror})") from None
    text, _ = decode(data)
    if not text.strip():
        raise InvalidInput(f"{path}: the file is empty; a header line and rows are expected")
    try:
        header, rows = split_records(text)
    except CSVError as error:
        raise InvalidInput(f"{path}, line {error.line}: not valid CSV ({error.reason})") from None
    if not rows:
        raise InvalidInput(f"{path}: the file has a header but no rows")
    return Table(str(path), hashlib.sha256(data).hexdigest(), header, rows)


def parse_date(text: str) -> dt.date:
    """An ISO date (2025-09-13) or a French one (13/09/2025)."""
    text = text.strip()
    for layout in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, layout).date()
        except ValueError:
            continue
    raise ValueError("not a date: expected YYYY-MM-DD or DD/MM/YYYY")


def parse_decimal(text: str) -> Decimal:
    """A decimal number, with a point or a French comma, spaces as thousands separators."""
    cleaned = text.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    cleaned = cleaned.replace("€", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError("not a number") from None
    if not value.is_finite():
        raise ValueError("not a number")
    return value
