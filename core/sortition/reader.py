"""The one CSV reader of every importer: quotas, respondents, attendance sheets, registries.

Practitioners bring spreadsheets: comma-, semicolon- or tab-separated, UTF-8 with or
without a byte-order mark, or Windows-1252/Latin-1 from French exports. What any
importer would get wrong is refused here, once for all, each as an :class:`InputError`
naming the file, line and column and saying what is accepted:

* a file that cannot be read, is empty, is not CSV, or holds NUL bytes (UTF-16);
* a header naming a column twice (``Genre`` and ``genre ``, ``category value`` and
  ``category_value`` are one name: :func:`header_key`);
* lines written in a second encoding (a UTF-8 file with Windows-1252 lines pasted in);
* the header line repeated further down (two files pasted one after the other);
* invisible characters in a cell (zero-width spaces, a byte-order mark mid-file,
  soft hyphens, direction marks), shown as ``U+200B`` and never as the cell itself,
  which may be personal data.

:func:`scan_table` returns every problem (a respondents check lists them all);
:func:`read_table` raises the first. The invitation draw streams registries too large
to hold and applies the same header check (:func:`check_header`) and character rules
(:data:`INVISIBLE`) as it goes. Opening a file (its encoding, a second encoding, NUL
bytes) and :class:`~kleroterion.sortition.decoding.InputError` are
:mod:`kleroterion.sortition.decoding`'s.
"""

from __future__ import annotations

import _csv
import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kleroterion.messages import Message
from kleroterion.sortition.decoding import (
    InputError,
    decode,
    mixed_encoding,
    nul_problem,
)

__all__ = [
    "DELIMITERS",
    "INVISIBLE",
    "CSVError",
    "Table",
    "check_header",
    "header_key",
    "invisible_problem",
    "read_table",
    "scan_table",
    "sniff_delimiter",
    "split_records",
    "visible",
]

DELIMITERS = (",", ";", "\t")

#: Characters that show as nothing, yet make two cells differ: soft hyphen, Mongolian vowel
#: separator, zero-width spaces and joiners, direction marks and embeddings, word joiner and
#: invisible operators, and the byte-order mark (legitimate only as a file's first character).
INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


# --------------------------------------------------------------------------- delimiters


def sniff_delimiter(sample: str) -> str:
    """``,``, ``;`` or tab, whichever splits the header and the first rows consistently.

    The header is taken to hold no delimiter inside a name, so the candidate giving
    the header the most fields, with every sampled row of the same width, wins.
    Ties and one-column files fall back to the comma.
    """
    lines = sample.splitlines()[:20]
    if len(sample) > len("\n".join(lines)) and len(lines) > 1:
        lines = lines[:-1]  # the last line of a truncated sample may be cut short
    text = "\n".join(lines)
    best, best_width, best_consistent = ",", 1, False
    for delimiter in DELIMITERS:
        rows = [r for r in csv.reader(io.StringIO(text), delimiter=delimiter) if r]
        if not rows:
            continue
        width = len(rows[0])
        consistent = all(len(r) == width for r in rows)
        if width > 1 and (consistent, width) > (best_consistent, best_width):
            best, best_width, best_consistent = delimiter, width, consistent
    return best


# --------------------------------------------------------------------------- records


class CSVError(ValueError):
    """A malformed CSV record, at ``line``."""

    def __init__(self, reason: str, line: int) -> None:
        super().__init__(f"line {line}: {reason}")
        self.reason = reason
        self.line = line


def split_records(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header (cells stripped) and the records of a non-empty CSV text.

    The delimiter is sniffed; blank records are skipped; each record comes with the
    first physical line it starts on, so errors can point at it. Raises ``CSVError``.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text[:65536]))
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    try:
        for start, record in _nonblank(reader):
            if header is None:
                header = [cell.strip() for cell in record]
            else:
                rows.append((start, record))
    except csv.Error as error:
        raise CSVError(str(error), reader.line_num) from None
    if header is None:
        raise CSVError(Message("no header line"), reader.line_num)
    return header, rows


def _nonblank(reader: _csv.Reader) -> Iterator[tuple[int, list[str]]]:
    """The records that are not blank, each with the first physical line it starts on."""
    line = 0
    for record in reader:
        start, line = line + 1, reader.line_num
        if any(cell.strip() for cell in record):
            yield start, record


_SEPARATORS = re.compile(r"[\s_\-]+")


def header_key(name: str) -> str:
    """A column name as looked up: case, surrounding spaces and the spelling of its word
    separators ignored (``Category Value``, ``category_value``, ``category-value``)."""
    return _SEPARATORS.sub("_", INVISIBLE.sub("", name).strip().casefold()).strip("_")


def check_header(header: list[str], path: str | Path, line: int = 1) -> None:
    """Refuse a header that names a column twice: which one would an importer read?"""
    first: dict[str, int] = {}
    for index, name in enumerate(header):
        key = header_key(name)
        if not key:
            continue  # blank columns (a spreadsheet's trailing cells) name nothing
        if key in first:
            raise InputError(
                Message("the header names this column twice (columns %(first)s and "
                        "%(second)s)", first=first[key] + 1, second=index + 1),
                path=path, line=line, column=name.strip(), column_number=index + 1,
                accepted=Message("each column name once"))
        first[key] = index


def visible(character: str) -> str:
    """An invisible character as text anyone can read: ``U+200B ZERO WIDTH SPACE``."""
    name = unicodedata.name(character, "")
    return f"U+{ord(character):04X}" + (f" {name}" if name else "")


def invisible_problem(cell: str, path: str | Path, line: int, column: str,
                      column_number: int) -> InputError | None:
    """The first invisible character of ``cell``, located and named, or ``None``.

    The cell is not quoted (it may be a name or an address): its column, and the
    character's code point and position in the cell, are enough to find it.
    """
    found = INVISIBLE.search(cell)
    if found is None:
        return None
    return InputError(
        Message("the cell holds an invisible character, %(character)s, at position "
                "%(position)s", character=visible(found.group()), position=found.start() + 1),
        path=path, line=line, column=column, column_number=column_number,
        accepted=Message("visible characters only (delete it: it comes with text copied "
                         "from a web page or a PDF)"))


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class Table:
    """A CSV file read whole: its header (cells stripped) and its records, each with the
    physical line it starts on; ``digest`` is the SHA-256 of the file's bytes."""

    path: str
    header: list[str]
    rows: list[tuple[int, list[str]]]
    digest: str = ""
    encoding: str = "utf-8"

    @property
    def name(self) -> str:
        return self.path

    def column(self, *names: str) -> int | None:
        """Index of the first header matching one of ``names`` (see :func:`header_key`)."""
        keys = [header_key(h) for h in self.header]
        for name in names:
            if header_key(name) in keys:
                return keys.index(header_key(name))
        return None


def scan_table(path: str | Path) -> tuple[Table | None, list[InputError]]:
    """Read a CSV file with a header line, returning its problems instead of raising.

    Without a table (``None``), the one problem is about the whole file: unreadable,
    NUL bytes, empty, malformed CSV, a column named twice. With one, the problems are
    those of its lines (a second encoding, the header repeated, an invisible
    character), in the order of the file; the table is returned so that a caller can
    add its own and list them all.
    """
    path = Path(path)
    name = str(path)
    loaded = _load(path)
    if isinstance(loaded, InputError):
        return None, [loaded]
    data, text, encoding = loaded
    try:
        header, rows = split_records(text)
    except CSVError as error:
        return None, [_not_csv(name, error.reason, error.line)]
    header_line = _first_line(text)
    try:
        check_header(header, name, line=header_line)
    except InputError as error:
        return None, [error]
    table = Table(name, header, rows, hashlib.sha256(data).hexdigest(), encoding)
    problems = mixed_encoding(data, encoding, name) + _line_problems(table, text, header_line)
    problems.sort(key=lambda problem: problem.line or 0)
    return table, problems


def _load(path: Path) -> tuple[bytes, str, str] | InputError:
    """A file's bytes, their text and its encoding; or what stops its reading: the file
    cannot be read, holds a NUL byte or is empty."""
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        return InputError(Message("cannot be read (%(reason)s)", reason=error.strerror),
                          path=name)
    nul = nul_problem(data, name)
    if nul is not None:
        return nul
    text, encoding = decode(data)
    if not text.strip():
        return InputError(Message("the file is empty; a header line and rows are expected"),
                          path=name)
    return data, text, encoding


def _not_csv(path: str, reason: str, line: int) -> InputError:
    return InputError(Message("not valid CSV (%(reason)s)", reason=reason), path=path, line=line)


_LINE_END = re.compile(r"\r\n|\r|\n")


def _physical_lines(text: str) -> Iterator[str]:
    """The lines of a text with their endings (CRLF, CR or LF), one at a time: no list of
    them, no copy of the text (``io.StringIO`` holds four bytes a character)."""
    start = 0
    for end in _LINE_END.finditer(text):
        yield text[start:end.end()]
        start = end.end()
    if start < len(text):
        yield text[start:]


@dataclass
class Records:
    """The records of a file handed over one at a time (see :func:`stream_table`).

    ``problems`` is the caller's list, to which the lines' own problems (the header
    repeated, an invisible character) are added as the records go by; ``failure`` is
    set instead of a record when the CSV turns out malformed, and the records stop.
    ``count`` is the number of records handed over.
    """

    table: Table
    text: str | None
    delimiter: str
    problems: list[InputError]
    count: int = 0
    failure: InputError | None = None

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        text, self.text = self.text, None  # released with the last record
        if text is None:
            return
        table = self.table
        keys, width = _header_keys(table)
        scan_cells = INVISIBLE.search(text) is not None
        rows = csv.reader(_physical_lines(text), delimiter=self.delimiter)
        header_seen = False
        try:
            for start, record in _nonblank(rows):
                if not header_seen:
                    header_seen = True
                    continue
                if _repeated_header(keys, width, record):
                    self.problems.append(_repeated_header_problem(table, start))
                    continue  # not a record
                problem = _invisible(table, scan_cells, start, record)
                if problem is not None:
                    self.problems.append(problem)
                self.count += 1
                yield start, record
        except csv.Error as error:
            self.failure = _not_csv(table.path, str(error), rows.line_num)
            return
        if not self.count:
            self.problems.append(InputError(Message("the file has a header but no rows"),
                                            path=table.path))


def _header_keys(table: Table) -> tuple[list[str], int]:
    """The header's keys, and how many up to its last named column."""
    keys = [header_key(cell) for cell in table.header]
    width = len(keys) - next((i for i, k in enumerate(reversed(keys)) if k), len(keys))
    return keys, width


def _repeated_header(keys: list[str], width: int, record: list[str]) -> bool:
    return bool(record and header_key(record[0]) == keys[0]  # cheap first: most rows differ
                and [header_key(cell) for cell in record[:width]] == keys[:width]
                and not any(cell.strip() for cell in record[width:]))


def _repeated_header_problem(table: Table, line: int) -> InputError:
    return InputError(
        Message("the header line is repeated here (two files pasted together?)"),
        path=table.path, line=line,
        accepted=Message("the header on the first line only, then one row per record"))


def _invisible(table: Table, scan_cells: bool, line: int,
               record: list[str]) -> InputError | None:
    """The first invisible character of a record, if the text has any."""
    if scan_cells:
        for index, cell in enumerate(record):
            column = table.header[index] if index < len(table.header) else ""
            problem = invisible_problem(cell, table.path, line, column, index + 1)
            if problem is not None:
                return problem
    return None


def stream_table(path: str | Path) -> tuple[Table | None, list[InputError], Records | None]:
    """As :func:`scan_table`, but the records are parsed as they are read, never all held.

    The file's bytes are released once decoded, digested and checked for a second
    encoding; the records come from :class:`Records`, which adds the lines' problems to
    the returned list as it goes and sets ``failure`` on malformed CSV (the whole file
    is then refused for it).
    """
    path = Path(path)
    name = str(path)
    loaded = _load(path)
    if isinstance(loaded, InputError):
        return None, [loaded], None
    data, text, encoding = loaded
    digest = hashlib.sha256(data).hexdigest()
    problems = mixed_encoding(data, encoding, name)
    del data, loaded
    first = _first_line(text)
    try:
        header = _header(text)
    except CSVError as error:
        return None, [_not_csv(name, error.reason, error.line)], None
    try:
        check_header(header, name, line=first)
    except InputError as error:
        return None, [error], None
    table = Table(name, header, [], digest, encoding)
    problems.extend(_header_problems(table, text, first))
    return table, problems, Records(table, text, sniff_delimiter(text[:65536]), problems)


def _header(text: str) -> list[str]:
    """The header of a CSV text (its first non-blank record), cells stripped."""
    rows = csv.reader(_physical_lines(text), delimiter=sniff_delimiter(text[:65536]))
    try:
        for _, record in _nonblank(rows):
            return [cell.strip() for cell in record]
    except csv.Error as error:
        raise CSVError(str(error), rows.line_num) from None
    raise CSVError(Message("no header line"), rows.line_num)


def read_table(path: str | Path) -> Table:
    """Read a CSV file with a header line (see :func:`scan_table`); raise its first problem."""
    table, problems = scan_table(path)
    if problems:
        raise problems[0]
    assert table is not None
    return table


def _first_line(text: str) -> int:
    """The physical line of the header: the first line that is not blank (lines end as the
    CSV reader ends them, at CR, LF or CRLF only)."""
    for number, line in enumerate(_physical_lines(text), start=1):
        if line.strip().strip(",;\t"):
            return number
    return 1  # pragma: no cover - an empty text has no header and is refused before


def _line_problems(table: Table, text: str, header_line: int) -> list[InputError]:
    problems = _header_problems(table, text, header_line)
    keys, width = _header_keys(table)
    scan_cells = INVISIBLE.search(text) is not None  # one pass in C for the usual clean file
    for line, record in table.rows:
        if _repeated_header(keys, width, record):
            problems.append(_repeated_header_problem(table, line))
            continue
        problem = _invisible(table, scan_cells, line, record)
        if problem is not None:
            problems.append(problem)
    return problems


def _header_problems(table: Table, text: str, line: int) -> list[InputError]:
    """The header's first invisible character, if the text has any."""
    if INVISIBLE.search(text) is not None:
        for index, cell in enumerate(table.header):
            problem = invisible_problem(cell, table.path, line, cell, index + 1)
            if problem is not None:
                return [problem]
    return []
