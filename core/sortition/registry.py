"""What a registry file must be for the invitation draw to read it, and where it is not.

The invitation draw (:mod:`kleroterion.sortition.invitation`) streams registries of a
million rows and more, so its checks come in two speeds. On the way, per row, only
what cannot be checked later: the id column's duplicates and no-break spaces, a
repeated header when nothing else would show it; per buffer of raw bytes, a search
at C speed for NUL bytes, invisible characters and a second encoding. At the end,
over the few distinct strata: a blank stratum, the header's own name counted as a
stratum (the header repeated mid-file), one stratum spelt two ways, a stratum the
city does not know. Anything suspect sends the file through :func:`locate_suspect`,
a slow exact pass that names the line and column, and only then is it refused.

Registry cells are personal data (names, addresses, electoral numbers): no message
quotes one. Strata (arrondissements, communes) are quoted, they are not personal.
"""

from __future__ import annotations

import csv
from array import array
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from pathlib import Path

from kleroterion.sortition.decoding import InputError, mixed_encoding_lines, nul_at, nul_problem
from kleroterion.sortition.reader import INVISIBLE, header_key, invisible_problem, visible

__all__ = ["ID_COLUMNS", "FirstLine", "Rescan", "check_strata", "checked_rows",
           "first_line_of", "id_column", "locate_suspect", "rows_of"]

#: Columns taken as the registry's ids when no id column is named.
ID_COLUMNS = ("id", "identifiant")
_NBSP = "\u00a0"

#: ``first_line(column, value)``: the line of the first row whose cell ``column`` is ``value``.
FirstLine = Callable[[int, str], int]
#: The file's data rows again, each with the line it ends on.
Rescan = Callable[[], Iterator[tuple[int, list[str]]]]


def id_column(header: Sequence[str], name: str | None, path: Path, line: int) -> int | None:
    """The index of the id column: ``name``'s (which must exist), else an ``id`` or
    ``identifiant`` column when there is one, else ``None`` (no id check)."""
    keys = [header_key(cell) for cell in header]
    if name is None:
        return next((keys.index(k) for k in ID_COLUMNS if k in keys), None)
    if header_key(name) not in keys:
        raise InputError(
            f"the header has no id column {name!r}",
            path=path,
            line=line,
            option="--id-column",
            value=name,
            accepted=", ".join(cell.strip() for cell in header),
        )
    return keys.index(header_key(name))


def checked_rows(
    rows: Iterator[list[str]],
    header: Sequence[str],
    id_col: int | None,
    path: Path,
    line_of: Callable[[], int],
    rescan: Rescan,
    *,
    blank_rows: bool = True,
) -> Iterator[list[str]]:
    """``rows`` as they are, refusing the header repeated, a row of blank cells (when
    ``blank_rows``: a blank stratum shows it otherwise), and, in the id column, a blank
    id, a no-break space and, once every row is read, a duplicate.

    Duplicates are found from a 64-bit hash of each id (8 bytes a row, sorted at the
    end) rather than a set of the ids (about 100 bytes a row): equal hashes send the
    file through ``rescan`` to tell a real duplicate from a collision.
    """
    hashes = array("q")
    append = hashes.append
    for row in rows:
        if row:
            if row == header:
                raise _repeated_header(path, line_of())
            if blank_rows and not "".join(row).strip():
                raise InputError(
                    "every cell of the row is blank",
                    path=path,
                    line=line_of(),
                    accepted="one row per person; delete the empty rows",
                )
            if id_col is not None:
                # The hot path: one index, one substring test, one hash, one append.
                ident = row[id_col] if id_col < len(row) else None
                if ident is None or _NBSP in ident or not ident.strip():
                    raise _id_error(ident, header, id_col, path, line_of())
                append(hash(ident))
        yield row
    if id_col is not None:
        _refuse_duplicates(hashes, header, id_col, path, rescan)


def _refuse_duplicates(
    hashes: array[int], header: Sequence[str], id_col: int, path: Path, rescan: Rescan
) -> None:
    import numpy as np  # only here: the invitation draw imports no numpy otherwise

    ordered = np.sort(np.frombuffer(hashes, dtype=np.int64))
    equal = ordered[1:][ordered[1:] == ordered[:-1]]
    if not len(equal):
        return
    suspects = set(equal.tolist())
    first: dict[str, int] = {}
    for line, row in rescan():
        if id_col < len(row) and hash(row[id_col]) in suspects:
            if row[id_col] in first:
                raise InputError(
                    f"the id is already on line {first[row[id_col]]}",
                    path=path,
                    line=line,
                    column=header[id_col].strip(),
                    column_number=id_col + 1,
                    accepted="a unique id on every row",
                )
            first[row[id_col]] = line


def _id_error(
    ident: str | None, header: Sequence[str], id_col: int, path: Path, line: int
) -> InputError:
    if ident is None:
        problem = f"the id column {id_col + 1} is missing from the row"
    else:
        problem = _id_problem(ident) or "the id is blank"
    return InputError(problem, path=path, line=line, column=header[id_col].strip(),
                      column_number=id_col + 1,
                      accepted="a unique id on every row, of visible characters")


def _id_problem(ident: str) -> str | None:
    if not ident.strip():
        return "the id is blank"
    if _NBSP in ident:
        return (
            f"the id holds a no-break space, {visible(_NBSP)}, at position "
            f"{ident.index(_NBSP) + 1}: it would differ from the same id typed with a space"
        )
    return None


def _repeated_header(path: Path, line: int) -> InputError:
    return InputError(
        "the header line is repeated here (two files pasted together?); it is not a person",
        path=path,
        line=line,
        accepted="the header on the first line only, then one row per person",
    )


def check_strata(
    counts: Mapping[str, int],
    header: Sequence[str],
    column: int,
    known: Collection[str] | None,
    path: Path,
    first_line: FirstLine,
) -> None:
    """Refuse, at the first line holding it, a stratum that cannot be right.

    In the file's order: the header's own cell (the header repeated), a blank stratum,
    one with a no-break space, one outside ``known`` (when given), one spelt two ways
    (letter case or surrounding spaces).
    """
    name = header[column]
    spelling: dict[str, str] = {}
    accepted = ", ".join(sorted(known)) if known is not None else "one spelling per stratum"
    for key in counts:
        problem: str | None = None
        folded = key.strip().casefold()
        if key == name:
            raise _repeated_header(path, first_line(column, key))
        if not key.strip():
            problem = "the stratum is blank"
        elif _NBSP in key or INVISIBLE.search(key):
            hidden = _NBSP if _NBSP in key else INVISIBLE.findall(key)[0]
            problem = f"the stratum holds an invisible character, {visible(hidden)}"
        elif known is not None and key not in known:
            problem = "is not a stratum of the city"
        elif folded in spelling:
            problem = f"the stratum is also spelt {spelling[folded]!r} in the file"
        if problem is not None:
            raise InputError(
                problem,
                path=path,
                line=first_line(column, key),
                column=name.strip(),
                column_number=column + 1,
                value=key.replace(_NBSP, f"<{visible(_NBSP)}>"),
                accepted=accepted,
            )
        spelling[folded] = key


def locate_suspect(path: Path, encoding: str, delimiter: str) -> None:
    """The slow, exact pass over a file whose bytes looked suspect: raise the first NUL
    byte, line in a second encoding or invisible character, located; return if the
    suspicion was wrong (Windows-1252 text that happens to look like UTF-8)."""
    with open(path, "rb") as raw:
        utf16 = nul_problem(raw.read(4096), path)
        if utf16 is not None and utf16.line is None:
            raise utf16
        raw.seek(0)
        for number, line in enumerate(raw, start=1):
            if b"\x00" in line:
                raise nul_at(path, number)
    if not encoding.startswith("utf-8"):
        with open(path, "rb") as raw:
            mixed = mixed_encoding_lines(raw, str(path), first=True)
        if mixed:
            raise mixed[0]
    with open(path, encoding=encoding, newline="") as text:
        reader = csv.reader(text, delimiter=delimiter)
        header: list[str] | None = None
        for row in reader:
            if header is None:
                if not any(cell.strip() for cell in row):
                    continue
                header = row
            for index, cell in enumerate(row):
                name = header[index].strip() if index < len(header) else ""
                found = invisible_problem(cell, path, reader.line_num, name, index + 1)
                if found is not None:
                    raise found


def rows_of(path: Path, encoding: str, delimiter: str) -> Rescan:
    """A :data:`Rescan` of ``path``: its data rows again, with their lines (only when
    refusing it, or telling a duplicate id from a hash collision)."""

    def rescan() -> Iterator[tuple[int, list[str]]]:
        with open(path, encoding=encoding, newline="") as text:
            reader = csv.reader(text, delimiter=delimiter)
            header_seen = False
            for row in reader:
                if not header_seen:
                    header_seen = any(cell.strip() for cell in row)
                    continue
                yield reader.line_num, row

    return rescan


def first_line_of(rescan: Rescan) -> FirstLine:
    """A :data:`FirstLine` reading the file again through ``rescan``."""

    def first_line(column: int, value: str) -> int:
        for line, row in rescan():
            if column < len(row) and row[column] == value:
                return line
        return 0  # pragma: no cover - the value was read from this file

    return first_line
