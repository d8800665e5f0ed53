"""Reading the field's file formats: quotas and respondents CSV, into engine types.

Practitioners bring spreadsheets: comma- or semicolon-separated, UTF-8 with or
without a byte-order mark, or Windows-1252/Latin-1 from French exports. Every
problem is reported as one :class:`InputError` naming the file, line, column and
value and saying what would be accepted. Only selection features, pseudonymous
ids and an opaque household number leave this module: names, addresses and
contacts are read past and never kept, and no message ever quotes them.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kleroterion.messages import Gettext, Message
from kleroterion.sortition.types import Pool, Problem, Quota

__all__ = [
    "InputError",
    "QuotaTable",
    "decode",
    "detect_encoding",
    "make_problem",
    "read_quotas",
    "read_respondents",
    "sniff_delimiter",
]

#: Tried in this order; Latin-1 decodes any byte, so it is the last resort.
#: Windows-1252 comes before it because French exports write œ, € and ’ with it.
FALLBACK_ENCODINGS = ("utf-8", "cp1252", "latin-1")
DELIMITERS = (",", ";", "\t")


class InputError(ValueError):
    """A file or option the engine cannot use, located as precisely as possible.

    ``line`` is the 1-based physical line of the file; ``column`` the header name of
    the column and ``column_number`` its 1-based position; ``value`` the offending
    cell or option value. Any of them is ``None`` when it does not apply.

    ``str(error)`` is English. ``problem`` and ``accepted`` may be
    :class:`~kleroterion.messages.Message` objects (the back office's respondents
    files give them): ``error.translated(gettext, language)`` then renders the whole
    message in the reader's language.
    """

    def __init__(
        self,
        problem: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        column: str | None = None,
        column_number: int | None = None,
        value: str | None = None,
        accepted: str | None = None,
        option: str | None = None,
    ) -> None:
        self.problem = problem
        self.option = option
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column
        self.column_number = column_number
        self.value = value
        self.accepted = accepted
        self.message = self._message()
        super().__init__(str(self.message))

    def _message(self) -> Message:
        where: list[object] = []
        if self.option is not None:
            where.append(self.option)
        if self.path is not None:
            where.append(self.path)
        if self.line is not None:
            where.append(Message("line %(line)s", line=self.line))
        if self.column is not None:
            if self.column_number is not None:
                where.append(Message("column %(number)s (%(column)r)",
                                     number=self.column_number, column=self.column))
            else:
                where.append(Message("column (%(column)r)", column=self.column))
        text = Message.joined(", ", where)
        if self.value is not None:
            text = (Message("%(where)s: value %(value)r", where=text, value=self.value)
                    if text else Message("value %(value)r", value=self.value))
        if text:
            text = Message("%(where)s: %(problem)s", where=text, problem=self.problem)
        else:
            text = Message.of(self.problem)
        if self.accepted:
            text = Message("%(problem)s; accepted: %(accepted)s", problem=text,
                           accepted=self.accepted)
        return text

    def translated(self, gettext: Gettext, language: str = "en") -> str:
        """The message through ``gettext``: its place, and the problem and what is accepted
        when they are :class:`~kleroterion.messages.Message` objects (else in English)."""
        return self.message.translated(gettext, language)


# --------------------------------------------------------------------------- encodings


def detect_encoding(sample: bytes, *, complete: bool = True) -> str:
    """The encoding of a file from its first bytes (or all of them when ``complete``).

    A byte-order mark means ``utf-8-sig``. Otherwise the first of
    :data:`FALLBACK_ENCODINGS` that decodes the sample wins; when the sample is a
    truncated prefix, a multi-byte character cut at its end is not held against UTF-8.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for encoding in FALLBACK_ENCODINGS:
        try:
            codecs.getincrementaldecoder(encoding)().decode(sample, final=complete)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"  # pragma: no cover - latin-1 decodes every byte


def decode(data: bytes) -> tuple[str, str]:
    """Decode a whole file; returns ``(text, encoding)``."""
    encoding = detect_encoding(data)
    return data.decode(encoding), encoding


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


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class _Table:
    path: str
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (first physical line of the record, cells)

    def column(self, *names: str) -> int | None:
        """Index of the first header matching one of ``names`` (case-insensitive)."""
        folded = [h.strip().casefold() for h in self.header]
        for name in names:
            if name.casefold() in folded:
                return folded.index(name.casefold())
        return None


def _read_table(path: str | Path) -> _Table:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot be read ({error.strerror})", path=path) from None
    text, _ = decode(data)
    if not text.strip():
        raise InputError("the file is empty; a header line and data rows are expected", path=path)
    try:
        header, rows = split_records(text)
    except CSVError as error:
        raise InputError(f"is not valid CSV ({error.reason})", path=path, line=error.line) from None
    return _Table(str(path), header, rows)


class CSVError(ValueError):
    """A malformed CSV record, at ``line``."""

    def __init__(self, reason: str, line: int) -> None:
        super().__init__(f"line {line}: {reason}")
        self.reason = reason
        self.line = line


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+\Z")


def split_records(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header (cells stripped) and the records of a non-empty CSV text.

    The delimiter is sniffed; blank records are skipped; each record comes with the
    first physical line it starts on, so errors can point at it. Raises ``CSVError``.
    """
    header, records = iter_records(text)
    return header, list(records)


def iter_records(text: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """As ``split_records``, the records read one at a time as the iterator is advanced.

    ``CSVError`` is raised here for a text without a header, and by the iterator for
    a malformed record, when it is reached.
    """
    # The lines as io.StringIO(text, newline="") gives them (\n, \r\n or \r ends one,
    # kept), made one at a time: a StringIO copies the whole text at four bytes a
    # character, 100 MB for a 200,000-row file.
    lines = (found.group(0) for found in _LINE.finditer(text))
    reader = csv.reader(lines, delimiter=sniff_delimiter(text[:65536]))
    line = 0

    def read() -> Iterator[tuple[int, list[str]]]:
        nonlocal line
        try:
            for record in reader:
                start, line = line + 1, reader.line_num
                if any(cell.strip() for cell in record):
                    yield start, record
        except csv.Error as error:
            raise CSVError(str(error), reader.line_num) from None

    records = read()
    first = next(records, None)
    if first is None:
        raise CSVError(Message("no header line"), line)
    return [cell.strip() for cell in first[1]], records


def _cell(table: _Table, line: int, record: list[str], index: int) -> str:
    if index >= len(record):
        raise _located(
            table,
            line,
            index,
            f"the row has {len(record)} fields but the header has {len(table.header)}",
            accepted="one field per header column",
        )
    return record[index].strip()


def _located(table: _Table, line: int, column: int, message: str, **details: Any) -> InputError:
    """An InputError at a cell of ``table``: its file, line and column, named and numbered."""
    return InputError(
        message,
        path=table.path,
        line=line,
        column=table.header[column],
        column_number=column + 1,
        **details,
    )


# --------------------------------------------------------------------------- quotas


@dataclass(frozen=True)
class QuotaTable:
    """The quotas of a file, and the seat group of each when the file has a ``group`` column.

    ``groups[i]`` is the group of ``quotas[i]`` (``None`` without a group column or
    for a blank cell).
    """

    path: str
    quotas: tuple[Quota, ...]
    groups: tuple[str | None, ...]

    @property
    def features(self) -> tuple[str, ...]:
        """The features in their order of first appearance."""
        return tuple(dict.fromkeys(q.feature for q in self.quotas))

    def values(self, feature: str) -> tuple[str, ...]:
        return tuple(q.value for q in self.quotas if q.feature == feature)

    def by_group(self) -> dict[str | None, tuple[Quota, ...]]:
        """The quotas of each seat group, groups in order of first appearance."""
        grouped: dict[str | None, list[Quota]] = {}
        for quota, group in zip(self.quotas, self.groups, strict=True):
            grouped.setdefault(group, []).append(quota)
        return {group: tuple(quotas) for group, quotas in grouped.items()}


_QUOTA_HEADERS = (
    "feature,value,min,max[,min_flex,max_flex][,group]"
    " (or category,name,... or category,feature,...)"
)


def read_quotas(path: str | Path) -> QuotaTable:
    """Read a quotas CSV: one row per feature value with its minimum and maximum.

    Headers ``feature,value,min,max[,min_flex,max_flex]`` are read, and so are the
    ``category,name,...`` and ``category,feature,...`` spellings of
    sortition-algorithms and the Stratification App. An optional ``group`` column
    assigns each row to a seat group. Blank ``min_flex``/``max_flex`` cells mean no
    bound; other columns are ignored.
    """
    table = _read_table(path)
    feature_col = table.column("category")
    if feature_col is not None:
        value_col = table.column("name", "value", "feature")
    else:
        feature_col = table.column("feature")
        value_col = table.column("value")
    min_col, max_col = table.column("min"), table.column("max")
    required = {
        "feature (or category)": feature_col,
        "value (or name)": value_col,
        "min": min_col,
        "max": max_col,
    }
    for name, index in required.items():
        if index is None:
            raise InputError(
                f"the header has no {name} column (found: {', '.join(table.header)})",
                path=table.path,
                line=1,
                accepted=_QUOTA_HEADERS,
            )
    assert feature_col is not None and value_col is not None
    assert min_col is not None and max_col is not None
    min_flex_col, max_flex_col = table.column("min_flex"), table.column("max_flex")
    group_col = table.column("group")
    if not table.rows:
        raise InputError("the file has a header but no quota rows", path=table.path, line=2)

    def integer(line: int, record: list[str], index: int | None, optional: bool) -> int | None:
        if index is None:
            return None
        cell = _cell(table, line, record, index)
        if optional and cell == "":
            return None
        try:
            number = int(cell)
        except ValueError:
            number = -1
        if number < 0:
            raise _located(
                table,
                line,
                index,
                "is not a whole number of seats",
                value=cell,
                accepted="an integer ≥ 0" + (", or blank for no bound" if optional else ""),
            )
        return number

    quotas: list[Quota] = []
    groups: list[str | None] = []
    seen: dict[tuple[str | None, str, str], int] = {}
    for line, record in table.rows:
        feature = _cell(table, line, record, feature_col)
        value = _cell(table, line, record, value_col)
        for index, cell in ((feature_col, feature), (value_col, value)):
            if cell == "":
                raise _located(
                    table,
                    line,
                    index,
                    "is blank",
                    value=cell,
                    accepted="a feature name and one of its values on every row",
                )
        low = integer(line, record, min_col, False)
        high = integer(line, record, max_col, False)
        assert low is not None and high is not None
        if low > high:
            raise _located(
                table,
                line,
                min_col,
                f"the minimum {low} is above the maximum {high} for {feature}/{value}",
                value=str(low),
                accepted=f"a minimum ≤ {high}",
            )
        group = (_cell(table, line, record, group_col) or None) if group_col is not None else None
        key = (group, feature, value)
        if key in seen:
            raise _located(
                table,
                line,
                value_col,
                f"{feature}/{value} already has a quota on line {seen[key]}",
                value=value,
                accepted="one row per feature value",
            )
        seen[key] = line
        min_flex = integer(line, record, min_flex_col, True)
        max_flex = integer(line, record, max_flex_col, True)
        # As in the field's files, the flex bounds are absolute: how low the minimum
        # and how high the maximum may go when the quotas must be relaxed.
        for index, flex, ok, accepted in (
            (min_flex_col, min_flex, min_flex is None or min_flex <= low, f"at most {low}"),
            (max_flex_col, max_flex, max_flex is None or max_flex >= high, f"at least {high}"),
        ):
            if not ok:
                assert index is not None
                raise _located(
                    table,
                    line,
                    index,
                    f"a relaxation bound cannot be stricter than the quota ({low}..{high})",
                    value=str(flex),
                    accepted=f"{accepted}, or blank",
                )
        quotas.append(
            Quota(
                feature=feature,
                value=value,
                min=low,
                max=high,
                min_flex=min_flex,
                max_flex=max_flex,
            )
        )
        groups.append(group)
    return QuotaTable(table.path, tuple(quotas), tuple(groups))


# --------------------------------------------------------------------------- respondents

_SPACES = re.compile(r"\s+")


def _household_part(cell: str) -> str:
    # Two spellings of one address ("12  Rue X" / "12 rue x") are one household.
    return _SPACES.sub(" ", cell.strip()).casefold()


def read_respondents(
    path: str | Path,
    quotas: QuotaTable | Sequence[Quota],
    *,
    id_column: str | None = None,
    household: Sequence[str] = (),
) -> Pool:
    """Read a respondents CSV into a :class:`Pool` of ids and selection features.

    ``id_column`` names the column of pseudonymous ids; ``None`` means the ``id``
    column when there is one, else the 1-based number of the data row (blank lines
    not counted). A named column that is missing is an error. Feature columns are
    those the quotas name; each value must be one of the quota values of its feature
    (surrounding spaces and letter case are forgiven; the quotas' spelling is kept).
    ``household`` names the columns whose normalised values (stripped, case-folded,
    whitespace collapsed) together identify a household; a respondent whose
    household cells are all blank has no tie. Households are kept only as opaque
    numbers (``"1"``, ``"2"``... in order of first appearance, for households of
    two or more respondents): the address itself never leaves this function.
    All other columns are ignored and never kept.
    """
    quota_list = tuple(quotas.quotas if isinstance(quotas, QuotaTable) else quotas)
    quota_path = quotas.path if isinstance(quotas, QuotaTable) else "the quotas"
    table = _read_table(path)
    features = tuple(dict.fromkeys(q.feature for q in quota_list))

    def locate(name: str, what: str) -> int:
        index = table.column(name)
        if index is None:
            raise InputError(
                f"the header has no {what} column {name!r}",
                path=table.path,
                line=1,
                accepted=f"a header with the columns {', '.join(table.header)}",
            )
        return index

    feature_cols = [locate(f, f"feature (named in {quota_path})") for f in features]
    household_cols = [locate(h, "household") for h in household]
    id_col = table.column("id") if id_column is None else locate(id_column, "id")

    accepted: list[dict[str, str]] = []
    for feature in features:
        exact = {q.value: q.value for q in quota_list if q.feature == feature}
        folded = {k.strip().casefold(): v for k, v in exact.items()}
        accepted.append({**folded, **exact})

    if not table.rows:
        raise InputError("the file has a header but no respondents", path=table.path, line=2)
    ids: list[str] = []
    values: list[tuple[str, ...]] = []
    households: list[str | None] = []
    first_line: dict[str, int] = {}
    household_number: dict[tuple[str, ...], int] = {}
    for row_number, (line, record) in enumerate(table.rows, start=1):
        if id_col is None:
            ident = str(row_number)
        else:
            ident = _cell(table, line, record, id_col)
            if ident == "":
                raise _located(
                    table,
                    line,
                    id_col,
                    "the id is blank",
                    value=ident,
                    accepted="a unique id on every row",
                )
        if ident in first_line:
            assert id_col is not None
            raise _located(
                table,
                line,
                id_col,
                f"duplicate id, already on line {first_line[ident]}",
                value=ident,
                accepted="a unique id on every row",
            )
        first_line[ident] = line
        row_values = []
        for feature, index, known in zip(features, feature_cols, accepted, strict=True):
            cell = _cell(table, line, record, index)
            canonical = known.get(cell, known.get(cell.casefold()))
            if canonical is None:
                raise _located(
                    table,
                    line,
                    index,
                    f"is not a value of the feature {feature!r} in {quota_path}",
                    value=cell,
                    accepted=", ".join(dict.fromkeys(known.values())),
                )
            row_values.append(canonical)
        ids.append(ident)
        values.append(tuple(row_values))
        if household_cols:
            key = tuple(_household_part(_cell(table, line, record, i)) for i in household_cols)
            if any(key):
                households.append(str(household_number.setdefault(key, len(household_number))))
            else:
                households.append(None)

    return Pool(
        ids=tuple(ids),
        features=features,
        values=tuple(values),
        households=_shared_households(households) if household_cols else None,
    )


def _shared_households(keys: Iterable[str | None]) -> tuple[str | None, ...]:
    """Renumber households 1, 2, ... by first appearance, dropping those of one person.

    Dense numbering makes the keys depend only on who shares a household, so
    re-reading a published pool gives back exactly the same keys.
    """
    keys = list(keys)
    sizes: dict[str, int] = {}
    for key in keys:
        if key is not None:
            sizes[key] = sizes.get(key, 0) + 1
    renumber: dict[str, str] = {}
    for key in keys:
        if key is not None and sizes[key] > 1 and key not in renumber:
            renumber[key] = str(len(renumber) + 1)
    return tuple(renumber.get(key) if key is not None else None for key in keys)


def make_problem(
    pool: Pool,
    quotas: QuotaTable | Sequence[Quota],
    seats: int,
    *,
    respondents_path: str | Path | None = None,
) -> Problem:
    """Assemble a :class:`Problem`, refusing a seat count the pool cannot fill."""
    quota_list = tuple(quotas.quotas if isinstance(quotas, QuotaTable) else quotas)
    if seats < 1:
        raise InputError(
            "is not a number of seats",
            option="--seats",
            value=str(seats),
            accepted="an integer ≥ 1",
        )
    if seats > len(pool):
        where = f" in {respondents_path}" if respondents_path is not None else ""
        raise InputError(
            f"more seats than the {len(pool)} respondents{where}",
            option="--seats",
            value=str(seats),
            accepted=f"at most {len(pool)} seats",
        )
    return Problem(pool=pool, quotas=quota_list, seats=seats)
