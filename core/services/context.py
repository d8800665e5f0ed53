"""What every service needs around a session: the mandate's city, the actor, lookups, dates.

Lookups are kept to the city the front end serves (``scoped``, from
``kleroterion.services.scope``): a record of another city is not found.

Cities are loaded once per slug and cached (building a plugin manager reads entry
points and validates every hook); tests and embedders may ``use_city`` a city
built by other means. Lookups raise :class:`NotFound` naming the id.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from kleroterion.city.behaviour import Event, MemberWithdrawn, ProposalDecided, ProposalMoved
from kleroterion.city.dates import add_months as add_months
from kleroterion.db import ACTOR, queue_event
from kleroterion.messages import N_, Message
from kleroterion.models import Base, Mandate
from kleroterion.plugins import City, PluginError, UnknownCity, load_city
from kleroterion.services.errors import ConflictError, InvalidInput, NotFound
from kleroterion.services.scope import current_scope as current_scope
from kleroterion.services.scope import scoped as scoped
from sqlalchemy import inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

_CITIES: dict[str, City] = {}
LOG = logging.getLogger("kleroterion.events")

ModelT = TypeVar("ModelT", bound=Base)
F = TypeVar("F", bound=Callable[..., Any])


def use_city(city: City) -> None:
    """Make ``city`` the one services use for its slug (tests, embedding)."""
    _CITIES[city.slug] = city


def city(slug: str) -> City:
    """The loaded city of ``slug``, built once."""
    if slug not in _CITIES:
        try:
            _CITIES[slug] = load_city(slug)
        except (PluginError, UnknownCity) as error:
            raise InvalidInput(Message.of(error)) from None
    return _CITIES[slug]


def city_of(mandate: Mandate) -> City:
    return city(mandate.city)


def emit(session: Session, city: City, event: Event) -> None:
    """Tell the city's plugins about ``event`` once the session commits.

    Each implementation is called in turn; one that raises is logged (hook, plugin,
    the error's type: never its message, which may quote personal data) and the
    others still run, so a failing extension never turns a saved change into an error.
    The deprecated hooks are called too, without the withdrawal's reason.
    """
    queue_event(session, lambda: deliver(city, event))


def _event_calls(event: Event) -> list[tuple[str, dict[str, Any]]]:
    if isinstance(event, MemberWithdrawn):
        return [("on_withdrawal", {"event": event}),
                ("on_member_withdrawn", {"member_id": event.member, "reason": "",
                                         "date": event.on.isoformat()})]
    if isinstance(event, ProposalMoved):
        return [("on_transition", {"event": event}),
                ("on_proposal_transition", {"proposal_id": event.proposal, "kind": event.kind,
                                            "source": event.source, "target": event.target,
                                            "actor": event.actor})]
    if isinstance(event, ProposalDecided):
        return [("on_decision", {"event": event}),
                ("on_proposal_decided", {"proposal_id": event.proposal, "kind": event.kind,
                                         "outcome": event.outcome})]
    raise TypeError(f"no hook for the event {type(event).__name__}")


def deliver(city: City, event: Event) -> None:
    """Call every implementation of the event's hooks now; see ``emit``."""
    for hook, arguments in _event_calls(event):
        for implementation in reversed(getattr(city.hook, hook).get_hookimpls()):
            try:
                implementation.function(*[arguments[name] for name in implementation.argnames])
            except Exception as error:  # a plugin's own failure, whatever it is
                LOG.error("event hook %s of plugin %r failed after the change was saved: %s",
                          hook, implementation.plugin_name, type(error).__name__)


def actor(session: Session) -> str:
    return str(session.info.get(ACTOR, "system"))


#: What NotFound says of a missing row, by table: one whole sentence each.
MISSING: dict[str, str] = {
    "api_tokens": N_("no API token with id %(id)s"),
    "body_memberships": N_("no body seat with id %(id)s"),
    "city_events": N_("no city event with id %(id)s"),
    "commitments": N_("no commitment with id %(id)s"),
    "draws": N_("no draw with id %(id)s"),
    "invitation_draws": N_("no invitation draw with id %(id)s"),
    "mandates": N_("no mandate with id %(id)s"),
    "members": N_("no member with id %(id)s"),
    "milestones": N_("no milestone with id %(id)s"),
    "proposal_responses": N_("no answer with id %(id)s"),
    "proposals": N_("no proposal with id %(id)s"),
    "respondents": N_("no respondent with id %(id)s"),
    "session_guests": N_("no session guest with id %(id)s"),
    "sessions": N_("no session with id %(id)s"),
    "subjects": N_("no subject with id %(id)s"),
    "users": N_("no user with id %(id)s"),
}

#: What ConflictError says of a row changed since it was read, by table.
CHANGED: dict[str, str] = {
    "milestones": N_("milestone %(id)s was changed by someone else (version %(version)s, "
                     "you had version %(expected)s); reload it and try again"),
    "commitments": N_("commitment %(id)s was changed by someone else (version %(version)s, "
                      "you had version %(expected)s); reload it and try again"),
    "members": N_("member %(id)s was changed by someone else (version %(version)s, you had "
                  "version %(expected)s); reload it and try again"),
    "proposals": N_("proposal %(id)s was changed by someone else (version %(version)s, you "
                    "had version %(expected)s); reload it and try again"),
}

#: What ConflictError says of a row changed while it was being saved, by table.
CHANGED_NOW: dict[str, str] = {
    "attendances": N_("attendance line %(id)s was changed by someone else at the same time; "
                      "reload it and try again"),
    "commitments": N_("commitment %(id)s was changed by someone else at the same time; "
                      "reload it and try again"),
    "members": N_("member %(id)s was changed by someone else at the same time; reload it "
                  "and try again"),
    "milestones": N_("milestone %(id)s was changed by someone else at the same time; reload "
                     "it and try again"),
    "proposals": N_("proposal %(id)s was changed by someone else at the same time; reload "
                    "it and try again"),
}


# A table without its own sentences is named in English (these are not extracted).
_MISSING_ANY = "no %(what)s with id %(id)s"
_CHANGED_ANY = ("%(what)s %(id)s was changed by someone else (version %(version)s, you had "
                "version %(expected)s); reload it and try again")
_CHANGED_NOW_ANY = ("%(what)s %(id)s was changed by someone else at the same time; reload it "
                    "and try again")


def _label(model: type[Base]) -> str:
    return str(model.__tablename__).removesuffix("s").replace("_", " ")


#: The largest id an INTEGER primary key holds on PostgreSQL and SQLite alike.
MAX_ID = 2**31 - 1


def get(session: Session, model: type[ModelT], ident: Any) -> ModelT:
    """The row of ``model`` with primary key ``ident``, or NotFound naming it.

    A table without a sentence in :data:`MISSING` is named by its English name, and
    the sentence is not translated.
    """
    # An id beyond what an INTEGER column holds (a 400-digit typo) is no row: the
    # database would fail the query with an overflow instead of saying so.
    in_range = not isinstance(ident, int) or 0 < ident <= MAX_ID
    row = session.get(model, ident) if in_range else None
    if row is None:
        if not in_range:
            ident = str(ident)[:12] + "…" if len(str(ident)) > 12 else ident
        template = MISSING.get(model.__tablename__)
        if template is None:
            raise NotFound(_MISSING_ANY, what=_label(model), id=ident)
        raise NotFound(template, id=ident)
    return row


def check_version(row: Any, expected: int | None) -> None:
    """Refuse to change ``row`` when the caller read an older version of it."""
    if expected is not None and row.version != expected:
        template = CHANGED.get(row.__tablename__)
        params = {"id": row.id, "version": row.version, "expected": expected}
        if template is None:
            raise ConflictError(_CHANGED_ANY, what=_label(type(row)), **params)
        raise ConflictError(template, **params)


def conflicts(function: F) -> F:
    """Turn a stale versioned update, whenever the session flushes it, into a ConflictError."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except StaleDataError:
            raise ConflictError(
                "this record was changed by someone else at the same time; reload it and try "
                "again") from None

    return wrapper  # type: ignore[return-value]


def flush(session: Session, row: Any) -> None:
    """Flush, turning a stale versioned update of ``row`` into a ConflictError naming it."""
    identity = inspect(row).identity  # read now: the failed flush leaves the row unloadable
    ident = identity[0] if identity else None
    try:
        session.flush()
    except StaleDataError:
        template = CHANGED_NOW.get(row.__tablename__)
        if template is None:
            raise ConflictError(_CHANGED_NOW_ANY, what=_label(type(row)), id=ident) from None
        raise ConflictError(template, id=ident) from None


def check_in_mandate(
    mandate: Mandate, day: dt.date, message: str, *, until: dt.date | None = None
) -> None:
    """Refuse a date outside the mandate (or outside ``starts_on..until`` when given).

    ``message`` is the whole sentence of the refusal, marked with ``N_``, with the
    placeholders ``%(date)s`` (``day``), ``%(mandate)s`` (its id), ``%(start)s`` and
    ``%(end)s``: "the session date %(date)s is outside mandate %(mandate)s (%(start)s
    to %(end)s)".
    """
    end = until or mandate.ends_on
    if not mandate.starts_on <= day <= end:
        raise InvalidInput(message, date=day.isoformat(), mandate=mandate.id,
                           start=mandate.starts_on.isoformat(), end=end.isoformat())


def follow_up_until(mandate: Mandate) -> dt.date:
    """The last day of the mandate's follow-up: its last phase's end or its own end."""
    ends = [phase.ends_on for phase in mandate.phases]
    return max([mandate.ends_on, *ends])


#: The environment variable that pins the date (tests, demos, a rehearsal).
TODAY_VARIABLE = "KLEROTERION_TODAY"

#: The date a front end pins for the services it calls: the web app sets it, for each
#: request, from its ``KLEROTERION_TODAY`` setting when that setting is given.
PINNED_TODAY: ContextVar[dt.date | None] = ContextVar("kleroterion_today", default=None)


def environment_today() -> dt.date | None:
    """The ISO date ``KLEROTERION_TODAY`` pins, or None; a clear error if it is no date."""
    import os

    pinned = os.environ.get(TODAY_VARIABLE, "").strip()
    if not pinned:
        return None
    try:
        return dt.date.fromisoformat(pinned)
    except ValueError:
        raise InvalidInput("%(variable)s is %(value)r, not a date (YYYY-MM-DD)",
                           variable=TODAY_VARIABLE, value=pinned[:20]) from None


def today() -> dt.date:
    """Today, by the one rule of the services, the web app and the command line.

    The date the front end pins (``PINNED_TODAY``: the web app's ``KLEROTERION_TODAY``
    setting, during its requests), else the ISO date of the environment variable
    ``KLEROTERION_TODAY``, else the real date. The web app's setting thus defaults to
    the environment variable, and a page and the services it calls agree on the day;
    a worker's job (in a thread or process of its own) follows the variable.
    """
    pinned = PINNED_TODAY.get()
    if pinned is not None:
        return pinned
    return environment_today() or dt.date.today()
