"""Reading the field's file formats: quotas and respondents CSV, into engine types.

Files are read by :mod:`kleroterion.sortition.reader`, the one CSV reader of every
importer (encodings, delimiters, and the refusals common to every file: NUL bytes, a
column named twice, mixed encodings, a repeated header, invisible characters); its
names are re-exported here. Every problem is reported as one :class:`InputError`
naming the file, line, column and value and saying what would be accepted. Only
selection features, pseudonymous ids and an opaque household number leave this
module: names, addresses and contacts are read past and never kept, and no message
ever quotes them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kleroterion.sortition.decoding import FALLBACK_ENCODINGS, InputError, decode, detect_encoding
from kleroterion.sortition.reader import (
    DELIMITERS,
    CSVError,
    Table,
    header_key,
    read_table,
    scan_table,
    sniff_delimiter,
    split_records,
    visible,
)
from kleroterion.sortition.types import Pool, Problem, Quota

__all__ = [
    "DELIMITERS",
    "FALLBACK_ENCODINGS",
    "CSVError",
    "InputError",
    "QuotaTable",
    "Table",
    "decode",
    "detect_encoding",
    "header_key",
    "make_problem",
    "read_quotas",
    "read_respondents",
    "read_table",
    "require_column",
    "scan_table",
    "sniff_delimiter",
    "split_records",
]


def _cell(table: Table, line: int, record: list[str], index: int) -> str:
    if index >= len(record):
        raise _located(
            table,
            line,
            index,
            f"the row has {len(record)} fields but the header has {len(table.header)}",
            accepted="one field per header column",
        )
    return record[index].strip()


def _located(table: Table, line: int, column: int, message: str, **details: Any) -> InputError:
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
    " (or category,name,... or category,category value,... or category,feature,...;"
    " spaces, underscores and hyphens alike, letter case ignored)"
)


def read_quotas(path: str | Path) -> QuotaTable:
    """Read a quotas CSV: one row per feature value with its minimum and maximum.

    Headers ``feature,value,min,max[,min_flex,max_flex]`` are read, and so are the
    ``category,name,...``, ``category,category value,...`` and ``category,feature,...``
    spellings of sortition-algorithms and the Stratification App; in column names,
    letter case is ignored and spaces, underscores and hyphens are alike
    (``category_value``, ``Category-Value``, ``min flex``). An optional ``group`` column
    assigns each row to a seat group. Blank ``min_flex``/``max_flex`` cells mean no
    bound; other columns are ignored.
    """
    table = read_table(path)
    feature_col = table.column("category")
    if feature_col is not None:
        value_col = table.column("name", "value", "category_value", "feature")
    else:
        feature_col = table.column("feature")
        value_col = table.column("value", "category_value")
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
_NBSP = "\u00a0"


def _household_part(cell: str) -> str:
    # Two spellings of one address ("12  Rue X" / "12 rue x") are one household.
    return _SPACES.sub(" ", cell.strip()).casefold()


def require_column(table: Table, name: str, what: str) -> int:
    """The index of the column ``name`` (a ``what`` column, for the error), which must exist."""
    index = table.column(name)
    if index is None:
        raise InputError(
            f"the header has no {what} column {name!r}",
            path=table.path,
            line=1,
            accepted=f"a header with the columns {', '.join(table.header)}",
        )
    return index


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
    table = read_table(path)
    features = tuple(dict.fromkeys(q.feature for q in quota_list))
    feature_cols = [require_column(table, f, f"feature (named in {quota_path})")
                    for f in features]
    household_cols = [require_column(table, h, "household") for h in household]
    id_col = table.column("id") if id_column is None else require_column(table, id_column, "id")

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
        if _NBSP in ident:
            assert id_col is not None
            raise _located(
                table,
                line,
                id_col,
                f"the id holds a no-break space, {visible(_NBSP)}, at position "
                f"{ident.index(_NBSP) + 1}: it would differ from the same id typed with a space",
                value=ident.replace(_NBSP, f"<{visible(_NBSP)}>"),
                accepted="an id of visible characters and ordinary spaces",
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
        households=shared_households(households) if household_cols else None,
    )


def shared_households(keys: Iterable[str | None]) -> tuple[str | None, ...]:
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
