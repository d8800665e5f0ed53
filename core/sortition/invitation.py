"""The invitation draw: letters sent to a random, stratified sample of a registry file.

A registry (Paris: about 1.35M voters) is read once, as a stream, and never held
whole. Invitations go to strata (arrondissements, communes) in proportion to their
size, rounded by largest remainder (:func:`allocate`), and within a stratum every
row has the same chance. The result is a mail-merge CSV with the registry's own
columns for the invited rows, in registry order.

The rule, simple enough to re-derive by hand: data row i (blank lines not counted)
gets key i, the i-th number drawn by Python's ``random.Random(seed).random()``;
a stratum allotted s invitations invites its s rows with the smallest keys (a
uniform sample, since the keys are independent and uniform). The output depends
only on the file and the seed.

How one pass suffices: the share of a stratum is only known at the end of the file,
so the pass keeps every row whose key is below a threshold set from the file's size
(about three times the sampling rate, so a few tens of thousands of rows, not a
million) plus, per stratum, the rows among the smallest keys seen so far (so small
strata are exact too). At the end each stratum's s smallest keys are provably among
the kept rows; in the rare case they are not, a second pass fetches them for that
stratum alone, which changes the time, never the result. Per row the loop only
parses, counts the stratum, draws one number and compares it, which keeps the draw
within a small factor of a plain ``csv`` read.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import heapq
import io
import math
import os
import random
import re
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import IO, Any

from kleroterion import spreadsheet
from kleroterion.sortition import registry as checks
from kleroterion.sortition.decoding import (
    FALLBACK_ENCODINGS,
    InputError,
    detect_encoding,
    mixed_encoding_lines,
)
from kleroterion.sortition.reader import check_header, sniff_delimiter

__all__ = ["InvitationDraw", "allocate", "draw_invitations", "sample_strata"]

Progress = Callable[[str, float], None]
#: A kept row: its key, its position (line) and its cells.
Candidate = tuple[float, int, Sequence[str]]
_SAMPLE_BYTES = 1 << 16
#: Rows kept per stratum whatever the threshold: strata allotted this many
#: invitations or fewer never need a second pass.
_ALWAYS_KEPT = 32
#: The threshold keeps about this many times the expected number of invitations.
_MARGIN = 3.0
# What the raw bytes are scanned for, buffer by buffer, at C speed: a NUL byte and the
# invisible characters of reader.INVISIBLE as UTF-8 (the byte-order mark included: one at
# the very start is skipped); read as 8-bit, the soft hyphen and any UTF-8 sequence (a
# second encoding). A hit only sends the file through the slow, exact check.
_SUSPECT_UTF8 = re.compile(
    rb"\x00|\xc2\xad|\xe1\xa0\x8e|\xe2\x80[\x8b-\x8f\xaa-\xae]|\xe2\x81[\xa0-\xa4\xa6-\xa9]"
    rb"|\xef\xbb\xbf"
)
_SUSPECT_8BIT = re.compile(rb"\x00|\xad|[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")
#: The ASCII bytes but NUL: no suspect sequence holds one (see _CountingReader.readinto).
_ASCII = bytes(range(1, 0x80))


@dataclass(frozen=True)
class InvitationDraw:
    """What an invitation draw did: sizes and invitations per stratum, and how it read the file."""

    path: Path
    count: int
    seed: int
    rows: int
    stratify_by: str | None
    strata: dict[str, tuple[int, int]] = field(default_factory=dict)  # value -> (size, invited)
    encoding: str = "utf-8"
    delimiter: str = ","
    passes: int = 1


def allocate(sizes: Mapping[str, int], count: int, seed: int) -> dict[str, int]:
    """Share ``count`` invitations among strata in proportion to ``sizes``, largest remainder.

    Each stratum gets the whole part of its exact share ``count × size / total``;
    the invitations left go one each to the largest fractional parts. Equal
    fractional parts are ordered by a draw from ``seed`` rather than by name, so that
    no stratum is favoured by its spelling. The result sums to ``count`` and no
    stratum gets more than its size.
    """
    total = sum(sizes.values())
    if not 0 <= count <= total:
        raise ValueError(f"cannot invite {count} of {total} rows")
    if total == 0:
        return dict.fromkeys(sizes, 0)
    shares = {s: Fraction(count * n, total) for s, n in sizes.items()}
    result = {s: math.floor(share) for s, share in shares.items()}
    left = count - sum(result.values())
    order = sorted(shares)
    random.Random(f"kleroterion-allocation-{seed}").shuffle(order)
    order.sort(key=lambda s: shares[s] - result[s], reverse=True)  # stable: ties stay shuffled
    for stratum in order[:left]:
        result[stratum] += 1
    return result


def _scan(
    rows: Iterable[Sequence[str]],
    column: int | None,
    seed: int,
    threshold: float,
    capacity: int | Mapping[str, int],
    line_of: Callable[[], int],
) -> tuple[dict[str, int], dict[str, list[Candidate]]]:
    """One pass: the size of every stratum and the rows worth keeping, with their keys.

    A row is kept when its key is below ``threshold`` or among the ``capacity``
    smallest keys of its stratum so far. ``capacity`` is the same for every stratum
    (first pass) or given for some strata only, the others keeping nothing (second
    pass). A row too short to hold the stratum column raises ``IndexError`` while it
    is the current row, so the caller can locate it; blank rows are skipped and use
    no key.
    """
    draw = random.Random(seed).random
    counts: dict[str, int] = {}
    kept: dict[str, list[Candidate]] = {}
    largest: dict[str, list[float]] = {}  # per stratum, the smallest keys, negated (a max-heap)
    limits: dict[str, float] = {}  # per stratum, the key below which a row is kept
    default = 1.0 if isinstance(capacity, int) else 0.0
    if not isinstance(capacity, int):
        limits.update(dict.fromkeys(capacity, 1.0))

    def capacity_of(key: str) -> int:
        return capacity if isinstance(capacity, int) else capacity[key]

    count_of, limit_of = counts.get, limits.get

    def keep(key: str, u: float, row: Sequence[str]) -> None:
        kept.setdefault(key, []).append((u, line_of(), row))
        heap, size = largest.setdefault(key, []), capacity_of(key)
        if len(heap) < size:
            heapq.heappush(heap, -u)
        elif heap and u < -heap[0]:
            heapq.heapreplace(heap, -u)
        limits[key] = max(threshold, -heap[0]) if len(heap) >= size else 1.0

    iterator = iter(rows)
    row: Sequence[str] = ()
    while True:
        try:
            if column is None:
                for row in iterator:
                    if row:
                        counts[""] = count_of("", 0) + 1
                        u = draw()
                        if u < limit_of("", default):
                            keep("", u, row)
            else:
                # The hot loop: one index, three dict operations, one draw, one compare.
                for row in iterator:
                    key = row[column]
                    counts[key] = count_of(key, 0) + 1
                    u = draw()
                    if u < limit_of(key, default):
                        keep(key, u, row)
            return counts, kept
        except IndexError:
            if any(cell.strip() for cell in row):
                raise  # a short row, not a blank line


OpenRows = Callable[
    [int], "contextlib.AbstractContextManager[tuple[Iterator[Sequence[str]], Callable[[], int]]]"
]


def _sample(
    open_rows: OpenRows,
    column: int | None,
    count: int,
    seed: int,
    threshold: float,
) -> tuple[dict[str, int], dict[str, list[Candidate]], int]:
    """Counts per stratum, the invited rows of each, and the number of passes made."""
    with open_rows(1) as (rows, line_of):
        counts, kept = _scan(rows, column, seed, threshold, _ALWAYS_KEPT, line_of)
    chosen: dict[str, list[Candidate]] = {}
    missing: dict[str, int] = {}
    for stratum, share in allocate(counts, count, seed).items():
        candidates = sorted(kept.get(stratum, []), key=lambda c: (c[0], c[1]))
        below = sum(1 for c in candidates if c[0] < threshold)
        # The share smallest keys are among those kept if every row was kept, or the
        # share fits in the always-kept rows, or enough keys fell below the threshold.
        if len(candidates) == counts[stratum] or share <= _ALWAYS_KEPT or below >= share:
            chosen[stratum] = candidates[:share]
        else:
            missing[stratum] = share
    if missing:
        with open_rows(2) as (rows, line_of):
            _, kept = _scan(rows, column, seed, 0.0, missing, line_of)
        for stratum, share in missing.items():
            chosen[stratum] = sorted(kept[stratum], key=lambda c: (c[0], c[1]))[:share]
    for candidates in chosen.values():
        candidates.sort(key=lambda c: c[1])
    return counts, chosen, 2 if missing else 1


def sample_strata(
    rows: Sequence[Sequence[str]],
    column: int | None,
    count: int,
    seed: int,
    *,
    threshold: float | None = None,
) -> tuple[dict[str, int], dict[str, list[Sequence[str]]]]:
    """The invitation draw over rows in memory: sizes per stratum and invited rows per stratum.

    Same rule and same result as :func:`draw_invitations` on a file holding ``rows``
    (without its header). ``threshold`` only trades memory for the odds of a second
    pass (default: about three times the sampling rate); it never changes the result.
    """
    if threshold is None:
        threshold = min(1.0, _MARGIN * count / max(len(rows), 1))

    @contextlib.contextmanager
    def open_rows(_: int) -> Iterator[tuple[Iterator[Sequence[str]], Callable[[], int]]]:
        position = 0

        def numbered() -> Iterator[Sequence[str]]:
            nonlocal position
            for position, row in enumerate(rows, start=1):  # noqa: B007
                yield row

        yield numbered(), lambda: position

    counts, chosen, _ = _sample(open_rows, column, count, seed, threshold)
    return counts, {s: [row for _, _, row in c] for s, c in chosen.items()}


class _CountingReader(io.RawIOBase):
    """A binary file whose reads report progress and look for suspect bytes: one call per
    buffer, not per row. ``suspect`` becomes True when a buffer holds one."""

    def __init__(
        self,
        path: Path,
        progress: Callable[[float], None] | None,
        pattern: re.Pattern[bytes],
        skip: int = 0,
    ) -> None:
        super().__init__()
        self._file = open(path, "rb", buffering=0)  # noqa: SIM115 - closed by close()
        self._size = max(path.stat().st_size, 1)
        self._done = 0
        self._progress = progress
        self._pattern = pattern
        self._skip = skip
        self._tail = b""
        self.suspect = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        read = self._file.readinto(buffer) or 0
        if read and not self.suspect:
            chunk = bytes(memoryview(buffer)[:read])
            start = max(self._skip - self._done, 0)
            # Every suspect sequence is NUL or bytes of 0x80 and above: with the other ASCII
            # bytes deleted (at C speed) the search reads about 1 % of a French file.
            # Deleting bytes may join two distant bytes, so a hit is confirmed on the
            # buffer itself.
            if self._pattern.search(chunk[start:].translate(None, _ASCII)):
                self.suspect = self._pattern.search(chunk, start) is not None
            # A suspect sequence may straddle two buffers: the last bytes of the previous one.
            if self._tail and not self.suspect:
                self.suspect = self._pattern.search(self._tail + chunk[:3]) is not None
            self._tail = chunk[-3:]
        self._done += read
        if self._progress is not None:
            self._progress(min(self._done / self._size, 1.0))
        return read

    def close(self) -> None:
        self._file.close()
        super().close()


def _open_text(path: Path, encoding: str, raw: _CountingReader) -> IO[str]:
    text = io.TextIOWrapper(io.BufferedReader(raw, 1 << 20), encoding=encoding, newline="")
    # Decode 64 KiB at a time rather than 8 KiB: fewer calls of the raw reader's Python
    # ``readinto`` (progress, suspect bytes); measured faster than both 8 KiB and 1 MiB.
    text._CHUNK_SIZE = 1 << 16  # type: ignore[attr-defined]
    return text


def draw_invitations(
    registry: str | Path,
    out: str | Path,
    *,
    count: int,
    seed: int,
    stratify_by: str | None = None,
    progress: Progress | None = None,
    id_column: str | None = None,
    strata: Collection[str] | None = None,
) -> InvitationDraw:
    """Draw ``count`` invitations from ``registry`` and write them to ``out`` for a mail merge.

    The registry is a CSV with a header line, comma, semicolon or tab separated,
    UTF-8 (with or without BOM), Windows-1252 or Latin-1; ``out`` gets its header and
    the invited rows, in registry order, with the same delimiter and encoding.
    ``stratify_by`` names the column whose values are the strata (``None``: one
    stratum); ``strata``, when given, the only values it may hold. ``id_column`` names
    the column of ids, each to be unique (default: an ``id`` or ``identifiant`` column
    if the header has one). The same file and seed give the same invitations. ``out``
    is written whole or not at all: on any error it is left as it was.

    Refused, each naming the file, line and column (:mod:`kleroterion.sortition.registry`):
    a column named twice, a NUL byte, lines in a second encoding, invisible characters,
    the header repeated mid-file, a blank row or stratum, one stratum spelt two ways or
    unknown, a duplicate or blank id or one holding a no-break space. Raises
    :class:`InputError`.
    """
    registry, out = Path(registry), Path(out)
    if count < 1:
        raise InputError(
            "is not a number of invitations",
            option="--count",
            value=str(count),
            accepted="an integer ≥ 1",
        )
    with contextlib.suppress(OSError):
        if out.resolve() == registry.resolve() or out.samefile(registry):
            raise InputError(
                "is the registry itself",
                option="--out",
                value=str(out),
                accepted="another file name",
            )
    try:
        with open(registry, "rb") as f:
            sample = f.read(_SAMPLE_BYTES)
            complete = len(sample) < _SAMPLE_BYTES
    except OSError as error:
        raise InputError(f"cannot be read ({error.strerror})", path=registry) from None
    first = detect_encoding(sample, complete=complete)
    if first == "utf-8-sig":
        encodings: tuple[str, ...] = (first,)
    else:
        encodings = FALLBACK_ENCODINGS[FALLBACK_ENCODINGS.index(first) :]
    options = _Options(count, seed, stratify_by, id_column, strata)
    for encoding in encodings:
        try:
            return _draw(registry, out, options, progress, encoding, sample, complete)
        except UnicodeDecodeError as error:
            # Not UTF-8 further on: a file in two encodings if some line is UTF-8 beyond
            # ASCII, else an 8-bit file whose first lines were ASCII, read again as such.
            failure = error
            with open(registry, "rb") as lines:
                mixed = mixed_encoding_lines(lines, str(registry), first=True)
            if mixed:
                raise mixed[0] from None
    raise InputError(
        f"starts with a UTF-8 byte-order mark but is not UTF-8 further on ({failure.reason})",
        path=registry,
        accepted="a file in one encoding: UTF-8, Windows-1252 or Latin-1",
    )


@dataclass(frozen=True)
class _Options:
    count: int
    seed: int
    stratify_by: str | None
    id_column: str | None
    strata: Collection[str] | None


def _draw(
    registry: Path,
    out: Path,
    options: _Options,
    progress: Progress | None,
    encoding: str,
    sample: bytes,
    complete: bool,
) -> InvitationDraw:
    count, seed, stratify_by = options.count, options.seed, options.stratify_by
    text_sample = codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample)
    if not text_sample.strip():
        raise InputError("the file is empty; a header line and rows are expected", path=registry)
    delimiter = sniff_delimiter(text_sample)
    rescan = checks.rows_of(registry, encoding, delimiter)
    first_line = checks.first_line_of(rescan)
    utf8 = encoding.startswith("utf-8")
    pattern, skip = (_SUSPECT_UTF8, 3 if encoding == "utf-8-sig" else 0) if utf8 else (
        _SUSPECT_8BIT, 0)
    header: list[str] = []
    column: int | None = None
    suspect = False

    @contextlib.contextmanager
    def open_rows(
        number: int,
    ) -> Iterator[tuple[Iterator[Sequence[str]], Callable[[], int]]]:
        nonlocal header, column, suspect
        label = "reading the registry" + (" again" if number > 1 else "")
        report = None if progress is None else (lambda fraction: progress(label, fraction))
        raw = _CountingReader(registry, report, pattern, skip)
        with _open_text(registry, encoding, raw) as text:
            reader = csv.reader(text, delimiter=delimiter)
            try:
                for header in reader:
                    if any(cell.strip() for cell in header):
                        break
                check_header(header, registry, reader.line_num)
                if stratify_by is not None:
                    folded = [cell.strip().casefold() for cell in header]
                    if stratify_by.strip().casefold() not in folded:
                        raise InputError(
                            f"the header has no column {stratify_by!r} to stratify by",
                            path=registry,
                            line=reader.line_num,
                            option="--stratify-by",
                            value=stratify_by,
                            accepted=", ".join(cell.strip() for cell in header),
                        )
                    column = folded.index(stratify_by.strip().casefold())
                id_col = checks.id_column(header, options.id_column, registry, reader.line_num)
                rows: Iterator[Sequence[str]] = reader
                if column is None or id_col is not None:
                    # Per-row checks cost a generator step per row: only when the strata
                    # cannot stand for them (see the end of the pass) or ids are checked.
                    rows = checks.checked_rows(
                        reader, header, id_col, registry, lambda: reader.line_num, rescan,
                        blank_rows=column is None,
                    )
                yield rows, lambda: reader.line_num
            except IndexError:
                assert column is not None
                raise InputError(
                    f"the row has no column {column + 1}",
                    path=registry,
                    line=reader.line_num,
                    column=header[column].strip(),
                    column_number=column + 1,
                    accepted=f"{len(header)} fields per row, as in the header",
                ) from None
            except csv.Error as error:
                raise InputError(
                    f"is not valid CSV ({error})", path=registry, line=reader.line_num
                ) from None
            finally:
                suspect = suspect or raw.suspect

    # Reading the header first settles ``column`` before the pass starts.
    with open_rows(0):
        pass
    if complete:
        threshold = 1.0
    else:
        lines = max(sample.count(b"\n") - 1, 1)
        estimated_rows = registry.stat().st_size * lines / len(sample)
        threshold = min(1.0, _MARGIN * count / estimated_rows)
    try:
        sizes, chosen, passes = _sample(open_rows, column, count, seed, threshold)
    except ValueError as error:
        if isinstance(error, (InputError, UnicodeDecodeError)):
            raise
        raise InputError(
            str(error),
            option="--count",
            value=str(count),
            path=registry,
            accepted="at most the number of rows of the registry",
        ) from None
    if suspect:
        checks.locate_suspect(registry, encoding, delimiter)
    if column is not None:
        checks.check_strata(sizes, header, column, options.strata, registry, first_line)
    if progress is not None:
        progress("writing the invitations", 1.0)
    invited = sorted(item[1:] for items in chosen.values() for item in items)
    _write_atomic(out, header, (row for _, row in invited), encoding, delimiter)
    return InvitationDraw(
        path=out,
        count=count,
        seed=seed,
        rows=sum(sizes.values()),
        stratify_by=stratify_by,
        strata={s: (sizes[s], len(chosen.get(s, []))) for s in sorted(sizes)},
        encoding=encoding,
        delimiter=delimiter,
        passes=passes,
    )


def _write_atomic(
    out: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    encoding: str,
    delimiter: str,
) -> None:
    """Write a CSV beside ``out`` then rename it over ``out``: never a half-written file."""
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(handle, "w", encoding=encoding, newline="") as f:
            writer = spreadsheet.writer(f, delimiter=delimiter)
            writer.writerow(header)
            writer.writerows(rows)
        os.replace(temporary, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
