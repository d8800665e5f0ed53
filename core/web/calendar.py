"""The assembly's sessions as an iCalendar feed (RFC 5545), for calendar applications.

A session with a start time is a timed event (its local time converted to UTC, so
no time-zone component is needed), ending at its end time or an hour later; a
session without one is a whole-day event. The place is the event's LOCATION. The
feed holds what the public sessions page shows and nothing about who attended.
Lines end in CRLF, text is escaped and long lines are folded at 75 octets, as the
RFC requires; a test parses the feed back.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

PRODUCT = "-//kleroterion//citizens' assembly sessions//EN"


@dataclass(frozen=True)
class Event:
    uid: str
    day: dt.date
    summary: str
    description: str = ""
    starts_at: dt.time | None = None
    ends_at: dt.time | None = None
    location: str = ""
    timezone: str = "UTC"
    #: The language of the location or summary when it is not the feed's (RFC 5545
    #: LANGUAGE parameter), else None.
    location_language: str | None = None
    summary_language: str | None = None

    def span(self) -> tuple[str, str]:
        """The DTSTART and DTEND lines' values (with their parameters)."""
        if self.starts_at is None:
            end = self.day + dt.timedelta(days=1)
            return (f";VALUE=DATE:{self.day.strftime('%Y%m%d')}",
                    f";VALUE=DATE:{end.strftime('%Y%m%d')}")
        zone = ZoneInfo(self.timezone)
        start = dt.datetime.combine(self.day, self.starts_at, zone)
        end = (dt.datetime.combine(self.day, self.ends_at, zone) if self.ends_at is not None
               else start + dt.timedelta(hours=1))
        utc = "%Y%m%dT%H%M%SZ"
        return (f":{start.astimezone(dt.UTC).strftime(utc)}",
                f":{end.astimezone(dt.UTC).strftime(utc)}")


#: Line breaks of every kind (a bare CR ends a content line for many readers), and the
#: other control characters RFC 5545 forbids in a TEXT value.
_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def escape(text: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma; every line break becomes ``\\n``.

    A title holding a bare carriage return must not start a property of its own
    (``SUMMARY:x<CR>ATTACH:...``): no CR or LF is ever written inside a value.
    """
    text = _CONTROLS.sub("", text)
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return _BREAKS.sub("\\\\n", text)


def fold(line: str) -> str:
    """Fold a content line into pieces of at most 75 octets, never splitting a character."""
    pieces: list[str] = []
    current = ""
    limit = 75
    for char in line:
        if len((current + char).encode("utf-8")) > limit:
            pieces.append(current)
            current = " " + char
            limit = 75  # continuation lines start with the space, counted in the 75
        else:
            current += char
    pieces.append(current)
    return "\r\n".join(pieces)


def _language(code: str | None) -> str:
    """A LANGUAGE parameter (RFC 5545 3.2.10), for a text in another language."""
    return f";LANGUAGE={code}" if code and re.fullmatch(r"[a-z]{2,3}", code) else ""


def calendar(name: str, events: Iterable[Event], stamp: dt.datetime) -> str:
    """An iCalendar document named ``name`` holding ``events``."""
    stamp_text = stamp.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    for event in events:
        start, end = event.span()
        lines += [
            "BEGIN:VEVENT",
            f"UID:{escape(event.uid)}",
            f"DTSTAMP:{stamp_text}",
            f"DTSTART{start}",
            f"DTEND{end}",
            f"SUMMARY{_language(event.summary_language)}:{escape(event.summary)}",
        ]
        if event.description:
            lines.append(f"DESCRIPTION:{escape(event.description)}")
        if event.location:
            lines.append(f"LOCATION{_language(event.location_language)}:"
                         f"{escape(event.location)}")
        lines += ["TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
