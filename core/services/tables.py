"""Reading the secretariat's CSV files (respondents, attendance) with located errors.

Files are read by the engine's one CSV reader (:mod:`kleroterion.sortition.reader`:
encodings, delimiters, NUL bytes, a column named twice, mixed encodings, a repeated
header, invisible characters); this module adds the services' refusals. Errors name the
file, line and column, and never quote a cell that may hold personal data unless
the caller says the column is safe to quote. Their problems are
:class:`~kleroterion.messages.Message` objects (``parse_date`` and ``parse_decimal``
raise ``ValueError`` with one), so that the back office shows them translated.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from kleroterion.messages import Message
from kleroterion.services.errors import InvalidInput
from kleroterion.sortition import decoding, reader
from kleroterion.sortition.decoding import InputError


@dataclass(frozen=True)
class Table(reader.Table):
    """A CSV file read whole by the engine's one reader, with refusals for the services."""

    def cell(self, line: int, record: list[str], index: int) -> str:
        if index >= len(record):
            raise InvalidInput(
                "%(file)s, line %(line)s: the row has %(fields)s fields but the header has "
                "%(columns)s", file=self.name, line=line, fields=len(record),
                columns=len(self.header),
            )
        return record[index].strip()

    def error(self, line: int, index: int, problem: str) -> InvalidInput:
        """A refusal at a cell; ``problem`` is a :class:`Message` to be shown translated."""
        return InvalidInput(
            "%(file)s, line %(line)s, column %(number)s (%(column)r): %(problem)s",
            file=self.name, line=line, number=index + 1, column=self.header[index],
            problem=problem,
        )


#: Accepted encodings, as a sentence for the messages.
ENCODINGS = decoding.ENCODINGS


def scan_table(path: str | Path) -> tuple[Table | None, list[InputError]]:
    """Read a CSV file with a header line, returning its problems instead of raising.

    :func:`kleroterion.sortition.reader.scan_table` (every importer's reader), which
    also refuses a file with a header but no rows.
    """
    read, problems = reader.scan_table(path)
    if read is None:
        return None, problems
    if not read.rows:
        return None, [InputError(Message("the file has a header but no rows"), path=read.path)]
    fields = {f.name: getattr(read, f.name) for f in dataclasses.fields(read)}
    return Table(**fields), problems


#: The records of a file as they are read (``kleroterion.sortition.reader.Records``).
Stream = reader.Records


def stream_table(path: str | Path) -> tuple[Table | None, list[InputError], Stream | None]:
    """As :func:`scan_table`, the records parsed as they are read and never all held: a
    200,000-row import holds only the rows it keeps (see ``reader.stream_table``)."""
    read, problems, records = reader.stream_table(path)
    if read is None or records is None:
        return None, problems, None
    fields = {f.name: getattr(read, f.name) for f in dataclasses.fields(read)}
    table = Table(**fields)
    records.table = table
    return table, problems, records


def read_table(path: str | Path) -> Table:
    """Read a CSV file with a header line; refuse it with its first problem."""
    table, problems = scan_table(path)
    if problems:
        raise InvalidInput(Message.of(problems[0]))
    assert table is not None
    return table


def parse_date(text: str) -> dt.date:
    """An ISO date (2025-09-13) or a French one (13/09/2025)."""
    text = text.strip()
    for layout in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, layout).date()
        except ValueError:
            continue
    raise ValueError(Message("not a date: expected YYYY-MM-DD or DD/MM/YYYY"))


NOT_A_NUMBER = Message("not a number")


def parse_decimal(text: str) -> Decimal:
    """A decimal number, with a point or a French comma, spaces as thousands separators."""
    cleaned = text.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    cleaned = cleaned.replace("€", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(NOT_A_NUMBER) from None
    if not value.is_finite():
        raise ValueError(NOT_A_NUMBER)
    return value
