"""Reading the secretariat's CSV files (respondents, attendance) with located errors.

Encodings and delimiters are guessed as the sortition engine does (UTF-8 with or
without BOM, Windows-1252, Latin-1; comma, semicolon or tab). Errors name the
file, line and column, and never quote a cell that may hold personal data unless
the caller says the column is safe to quote. Their problems are
:class:`~kleroterion.messages.Message` objects (``parse_date`` and ``parse_decimal``
raise ``ValueError`` with one), so that the back office shows them translated.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from kleroterion.messages import Message
from kleroterion.services.errors import InvalidInput
from kleroterion.sortition.io import CSVError, InputError, decode, iter_records


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
ENCODINGS = Message("one encoding for the whole file: UTF-8 (with or without BOM), "
                    "Windows-1252 or Latin-1")


def scan_table(path: str | Path) -> tuple[Table | None, list[InputError]]:
    """Read a CSV file with a header line, returning its problems instead of raising.

    Without a table (``None``), the problems are about the whole file: unreadable,
    empty, UTF-16 (NUL bytes), malformed CSV, no rows. With one, they are the lines
    written in a second encoding (a UTF-8 file with Latin-1 lines pasted in): the
    file was read, but those lines' accented letters are wrong.
    """
    table, problems, stream = stream_table(path)
    if table is None or stream is None:
        return None, problems
    rows = list(stream)
    if stream.failure is not None:
        return None, [stream.failure]
    return Table(table.name, table.digest, table.header, rows), problems


@dataclass
class Stream:
    """The records of a table, read one at a time (a file of 200,000 rows is never held
    whole as records). A malformed record ends the iteration and is kept in ``failure``
    (the file is then refused with that problem alone, as ``scan_table`` does); ``count``
    is the number of records read so far."""

    name: str
    records: Iterator[tuple[int, list[str]]]
    count: int = 0
    failure: InputError | None = None

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        try:
            for item in self.records:
                self.count += 1
                yield item
        except CSVError as error:
            self.failure = _not_csv(self.name, error)


def _not_csv(name: str, error: CSVError) -> InputError:
    return InputError(Message("not valid CSV (%(reason)s)", reason=error.reason), path=name,
                      line=error.line)


def stream_table(path: str | Path) -> tuple[Table | None, list[InputError], Stream | None]:
    """As ``scan_table``, the rows left in a ``Stream`` (the table's ``rows`` empty).

    The file is refused whole (no table) for the same problems, a malformed record
    excepted: it is found as the stream reaches it (``Stream.failure``).
    """
    path = Path(path)
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        return None, [InputError(Message("cannot be read (%(reason)s)",
                                         reason=error.strerror), path=name)], None
    if b"\x00" in data:
        return None, [InputError(Message("the file holds NUL bytes: it looks like UTF-16 "
                                         "(Excel's 'Unicode text'); save it as CSV"),
                                 path=name, accepted=ENCODINGS)], None
    text, encoding = decode(data)
    # Done with the bytes before the text is split: a large file is not held twice.
    digest, mixed = hashlib.sha256(data).hexdigest(), _mixed_encoding(data, encoding, name)
    del data
    if not text.strip():
        return None, [InputError(Message("the file is empty; a header line and rows are "
                                         "expected"), path=name)], None
    try:
        header, records = iter_records(text)
        first = next(records, None)
    except CSVError as error:
        return None, [_not_csv(name, error)], None
    if first is None:
        return None, [InputError(Message("the file has a header but no rows"),
                                 path=name)], None
    stream = Stream(name, itertools.chain([first], records))
    return Table(name, digest, header, []), mixed, stream


def _mixed_encoding(data: bytes, encoding: str, name: str) -> list[InputError]:
    """The lines not in UTF-8 of a file read as Windows-1252 that also has UTF-8 lines."""
    if encoding.startswith("utf-8"):
        return []
    lines = data.split(b"\n")
    utf8 = None
    broken: list[tuple[int, UnicodeDecodeError]] = []
    for number, raw in enumerate(lines, start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as error:
            broken.append((number, error))
        else:
            if utf8 is None and not raw.isascii():
                utf8 = number
    if utf8 is None:
        return []  # a plain Windows-1252 or Latin-1 file
    return [
        InputError(Message("byte 0x%(byte)02X at position %(position)s is not UTF-8, while "
                           "line %(utf8)s is: the file mixes two encodings",
                           byte=lines[number - 1][error.start], position=error.start + 1,
                           utf8=utf8), path=name, line=number, accepted=ENCODINGS)
        for number, error in broken
    ]


def read_table(path: str | Path) -> Table:
    """Read a CSV file with a header line; refuse an empty or malformed one."""
    table, problems = scan_table(path)
    if table is None:
        raise InvalidInput(Message.of(problems[0]))
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
