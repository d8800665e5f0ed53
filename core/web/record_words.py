"""Names of the public record's own keys in the reader's language.

The services store keys (a commitment's ``in_progress``, an answer's ``yearly``, a
verdict's ``partly_retained``, a guest's ``elected``); a page, a report or a CSV
shows their name from these tables, never the key. ``word`` falls back to the key
for a value a newer version stored, so a page never fails on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from babel.dates import format_time
from flask import Flask
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

STATUSES: Mapping[str, Any] = {
    "planned": _l("planned"),
    "in_progress": _l("in progress"),
    "done": _l("done"),
    "abandoned": _l("abandoned"),
}
ANSWER_KINDS: Mapping[str, Any] = {
    "first": _l("first answer"),
    "final": _l("final answer"),
    "yearly": _l("yearly report"),
    "reasons": _l("reasons for not retaining"),
}
VERDICTS: Mapping[str, Any] = {
    "retained": _l("retained"),
    "partly_retained": _l("partly retained"),
    "not_retained": _l("not retained"),
}
GUEST_ROLES: Mapping[str, Any] = {
    "expert": _l("expert"),
    "elected": _l("elected official"),
    "agent": _l("city agent"),
    "other": _l("guest"),
}
EVENT_KINDS: Mapping[str, Any] = {
    "accountability": _l("Yearly accountability meeting"),
    "follow_up": _l("Follow-up meeting"),
    "other": _l("City event"),
}
VOTE_BODIES: Mapping[str, Any] = {
    "assembly": _l("Vote of the assembly"),
    "council": _l("Vote of the council"),
}
ATTACHMENT_KINDS: Mapping[str, Any] = {
    "adopted_text": _l("the act as adopted"),
    "synthesis": _l("summary booklet"),
    "other": _l("document"),
}
PROMOTION_STATUSES: Mapping[str, Any] = {
    "sitting": _l("sitting"),
    "upcoming": _l("to come"),
    "following": _l("follow-up under way"),
    "past": _l("ended"),
}


def word(table: Mapping[str, Any], key: str) -> str:
    """The name of ``key`` in the current language, or the key itself if it has none."""
    return str(table[key]) if key in table else key


def clock(value: dt.time) -> str:
    """A time of day in the reader's locale ("18:30"; "6:30 PM" in English)."""
    return format_time(value, "short", locale=get_locale())


def init_app(app: Flask) -> None:
    app.add_template_global(word, "word")
    app.add_template_global(clock, "clock")
    app.jinja_env.globals["words"] = {
        "status": STATUSES, "answer": ANSWER_KINDS, "verdict": VERDICTS,
        "guest": GUEST_ROLES, "event": EVENT_KINDS, "vote": VOTE_BODIES,
        "attachment": ATTACHMENT_KINDS, "promotion": PROMOTION_STATUSES,
    }
