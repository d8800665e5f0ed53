"""Opening a file: its bytes to text, and :class:`InputError`, every reader's refusal.

The encoding is found from the bytes (UTF-8 with or without a byte-order mark, else
Windows-1252, else Latin-1); a file in two encodings (UTF-8 lines and Windows-1252 lines
pasted together) and NUL bytes (a UTF-16 file) are refused, each as an
:class:`InputError` naming the file and line and saying what is accepted. The CSV reading
itself (delimiters, header, records, cells) is :mod:`kleroterion.sortition.reader`'s.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from pathlib import Path

from kleroterion.messages import Gettext, Message

__all__ = [
    "ENCODINGS",
    "FALLBACK_ENCODINGS",
    "InputError",
    "decode",
    "detect_encoding",
    "mixed_encoding",
    "mixed_encoding_lines",
    "nul_at",
    "nul_problem",
]

#: Tried in this order; Latin-1 decodes any byte, so it is the last resort.
#: Windows-1252 comes before it because French exports write œ, € and ’ with it.
FALLBACK_ENCODINGS = ("utf-8", "cp1252", "latin-1")
#: Accepted encodings, as a sentence for the messages.
ENCODINGS = Message(
    "one encoding for the whole file: UTF-8 (with or without BOM), Windows-1252 or Latin-1"
)


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


def mixed_encoding(data: bytes, encoding: str, path: str) -> list[InputError]:
    """The lines not in UTF-8 of a file read as Windows-1252 that also has UTF-8 lines."""
    if encoding.startswith("utf-8"):
        return []
    return mixed_encoding_lines(data.split(b"\n"), path)


def mixed_encoding_lines(lines: Iterable[bytes], path: str, *,
                         first: bool = False) -> list[InputError]:
    """The lines that are not UTF-8, when some other non-ASCII line is: a file in two
    encodings (none when no line is non-ASCII UTF-8, or none fails). ``first``: stop at
    the first such line (a stream read once, e.g. a registry)."""
    utf8 = None
    broken: list[tuple[int, bytes, UnicodeDecodeError]] = []
    for number, raw in enumerate(lines, start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as error:
            if not broken or not first:
                broken.append((number, raw, error))
        else:
            if utf8 is None and not raw.isascii():
                utf8 = number
        if first and broken and utf8 is not None:
            break
    if utf8 is None:
        return []  # a plain Windows-1252 or Latin-1 file
    return [
        InputError(Message("byte 0x%(byte)02X at position %(position)s is not UTF-8, while "
                           "line %(utf8)s is: the file mixes two encodings",
                           byte=raw[error.start], position=error.start + 1,
                           utf8=utf8), path=path, line=number, accepted=ENCODINGS)
        for number, raw, error in broken
    ]


def nul_problem(data: bytes, path: str | Path) -> InputError | None:
    """A NUL byte, which no text file holds: UTF-16 when there are many, else located."""
    position = data.find(b"\x00")
    if position < 0:
        return None
    if data.count(b"\x00", 0, 4096) * 8 >= min(len(data), 4096):
        return InputError(Message("the file holds NUL bytes: it looks like UTF-16 "
                                  "(Excel's 'Unicode text'); save it as CSV"),
                          path=path, accepted=ENCODINGS)
    return nul_at(path, data.count(b"\n", 0, position) + 1)


def nul_at(path: str | Path, line: int) -> InputError:
    """A NUL byte on ``line`` of a file that is not UTF-16."""
    return InputError(Message("the line holds a NUL byte (U+0000), which no text file holds"),
                      path=path, line=line, accepted=Message("a text file without NUL bytes"))
