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

from babel.dates import format_time, get_timezone_location
from flask import Flask
from flask_babel import get_locale, get_timezone, gettext, to_user_timezone
from flask_babel import lazy_gettext as _l
from kleroterion.messages import N_
from kleroterion.web.i18n import current_language, date_text

#: The English source of the names the CLI's report uses too (through the same catalogs).
SOURCE_STATUSES: dict[str, str] = {
    "planned": N_("planned"),
    "in_progress": N_("in progress"),
    "done": N_("done"),
    "abandoned": N_("abandoned"),
}
SOURCE_ANSWER_KINDS: dict[str, str] = {
    "first": N_("first answer"),
    "final": N_("final answer"),
    "yearly": N_("yearly report"),
    "reasons": N_("reasons for not retaining"),
}
SOURCE_VERDICTS: dict[str, str] = {
    "retained": N_("retained"),
    "partly_retained": N_("partly retained"),
    "not_retained": N_("not retained"),
}
STATUSES: Mapping[str, Any] = {key: _l(text) for key, text in SOURCE_STATUSES.items()}
ANSWER_KINDS: Mapping[str, Any] = {key: _l(text) for key, text in SOURCE_ANSWER_KINDS.items()}
VERDICTS: Mapping[str, Any] = {key: _l(text) for key, text in SOURCE_VERDICTS.items()}
GUEST_ROLES: Mapping[str, Any] = {
    "expert": _l("expert"),
    "elected": _l("elected official"),
    "agent": _l("public official"),
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
SUBJECT_ORIGINS: Mapping[str, Any] = {
    "assembly": _l("the assembly's own choice"),
    "executive": _l("a work mandate from the executive, adopted in plenary"),
    "council": _l("the council"),
    "call_for_subjects": _l("a call for subjects"),
    "petition": _l("a citizens' petition"),
    "previous_panel": _l("members of the previous panel"),
}
POWERS: Mapping[str, Any] = {
    "consultative": _l("consultative: an opinion its addressee answers"),
    "council_vote": _l("submitted to a vote of the council, which may reject it"),
    "adopted_as_proposed": _l("adopted by the council as it stands, or put to a local "
                              "referendum"),
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
    """A time of day as the reader's administration writes it: « 18 h 30 », « 18 h » in
    French (Babel's French pattern is 18:30), 18:30 in Dutch, 6:30 PM in English."""
    locale = get_locale()
    if locale is not None and locale.language == "fr":
        hours = f"{value.hour}\u00a0h"
        return f"{hours}\u00a0{value.minute:02d}" if value.minute else hours
    return format_time(value, "short", locale=locale)


def moment(value: dt.datetime | None) -> str:
    """A date and time in the city's time zone as the page writes them, the zone named by
    its city: « 7 décembre 2026 à 21 h 13, heure de Bruxelles », « 7 december 2026 om
    21:13, tijd in Brussel » (not Babel's « 21:13:54 +0100 » or « CET »)."""
    if value is None:
        return ""
    local = to_user_timezone(value)
    locale = get_locale()
    zone = get_timezone_location(get_timezone(), locale=locale or "en", return_city=True)
    return str(gettext("%(date)s at %(time)s, %(city)s time", date=date_text(local, "long"),
                       time=clock(local.time()), city=zone))


def init_app(app: Flask) -> None:
    app.add_template_global(word, "word")
    app.add_template_global(clock, "clock")
    app.add_template_filter(moment, "moment")
    # Macros imported without context still know the page's language.
    app.add_template_global(current_language, "page_language")
    app.jinja_env.globals["words"] = {
        "status": STATUSES, "answer": ANSWER_KINDS, "verdict": VERDICTS,
        "guest": GUEST_ROLES, "event": EVENT_KINDS, "vote": VOTE_BODIES,
        "attachment": ATTACHMENT_KINDS, "promotion": PROMOTION_STATUSES,
        "origin": SUBJECT_ORIGINS, "power": POWERS,
    }
