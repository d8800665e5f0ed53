"""The one reader's streaming read gives the records, lines and problems of its whole read.

``reader.stream_table`` (respondents imports: the records parsed as they are read, never
all held) must agree with ``reader.scan_table`` (every other importer) on any file:
the same header, the same records with the same first lines, the same problems.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import given, settings
from hypothesis import strategies as st
from kleroterion.sortition import reader

CELL = st.text(alphabet=st.sampled_from(list("abcé ,;\"\n\r\u200b12")), max_size=6)


def _both(content: bytes) -> tuple[object, object]:
    with TemporaryDirectory() as folder:
        path = Path(folder) / "file.csv"
        path.write_bytes(content)
        whole, whole_problems = reader.scan_table(path)
        table, problems, records = reader.stream_table(path)
        streamed = list(records) if records is not None else []
        failure = records.failure if records is not None else None
    scanned = (None if whole is None else (whole.header, whole.digest, whole.rows),
               [str(p) for p in whole_problems])
    return scanned, (None if table is None else (table.header, table.digest), streamed,
                     [str(p) for p in problems], failure)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=1, max_size=6),
       st.sampled_from(["\n", "\r\n", "\r"]), st.booleans())
def test_streamed_records_are_the_records_read_whole(rows: list[list[str]], end: str,
                                                     repeat_header: bool) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=end)
    writer.writerow(["id", "name", "group"])
    for index, row in enumerate(rows):
        writer.writerow(row)
        if repeat_header and index == 0:
            writer.writerow(["id", "name", "group"])
    scanned, streamed = _both(buffer.getvalue().encode("utf-8"))
    whole, whole_problems = scanned  # type: ignore[misc]
    table, records, problems, failure = streamed  # type: ignore[misc]
    if whole is None:  # refused whole (a blank file): refused as well, for the same reason
        assert table is None or failure is not None or not records
        return
    header, digest, rows_read = whole
    assert table == (header, digest) and failure is None
    # A repeated header is a problem, not a record, when streamed.
    kept = [(line, record) for line, record in rows_read
            if [reader.header_key(c) for c in record] != ["id", "name", "group"]]
    assert records == kept
    if kept:
        assert sorted(problems) == sorted(whole_problems)
    else:  # the streamed read says so at its end
        assert problems[-1].endswith("the file has a header but no rows")
        assert sorted(problems[:-1]) == sorted(whole_problems)


def test_malformed_csv_stops_the_stream_with_its_line() -> None:
    # A field over the csv module's limit (131,072 characters) is its one error here.
    content = b"id,name\n1,Dupont\n2,Martin\n3," + b"x" * 200_000 + b"\n4,Durand\n"
    with TemporaryDirectory() as folder:
        path = Path(folder) / "file.csv"
        path.write_bytes(content)
        table, _problems, records = reader.stream_table(path)
        assert table is not None and records is not None
        handed = list(records)
        whole, whole_problems = reader.scan_table(path)
    assert records.failure is not None and whole is None
    assert records.failure.line == whole_problems[0].line == 4
    assert str(records.failure) == str(whole_problems[0])
    assert [line for line, _ in handed] == [2, 3]  # the file is refused whole for it


def test_both_reads_place_the_header_on_the_line_the_csv_reader_finds_it() -> None:
    """Lines end at CR, LF or CRLF only, as the csv module ends them: a blank line holding a
    line separator (U+2028) or a form feed is one line, not two. The whole read counted
    it as two and put the header's errors one line too low."""
    for blank in ("\u2028", "\x0c", "\x1e"):
        content = f"\n{blank}\nid,id\n1,2\n".encode()
        scanned, streamed = _both(content)
        assert scanned[1] == streamed[2]  # type: ignore[index]
        assert "line 3, column 2" in scanned[1][0], scanned  # type: ignore[index]
