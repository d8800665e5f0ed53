"""City-level events: meetings that belong to no single mandate.

Paris's City reports once a year to all its promotions (the droit-de-suite
meeting); Brussels's follow-up committee meets the officials concerned twice after
a cycle. Such an event is the city's, addressed to some of its mandates or to all
of them (an empty list); the public sessions page and the calendar list it with
the sessions of the mandates it addresses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from kleroterion.models import CityEvent, Mandate
from kleroterion.services import audit, texts
from kleroterion.services.context import city, get
from kleroterion.services.errors import InvalidInput
from sqlalchemy import select
from sqlalchemy.orm import Session

EVENT_KINDS = ("accountability", "follow_up", "other")
#: An event's prose by language, and each one's length limit (None: a long text).
EVENT_TEXTS: dict[str, int | None] = {"title": 200, "place": 300, "summary": None}


def _checked(session: Session, city_slug: str, kind: str, title: str,
             starts_at: dt.time | None, ends_at: dt.time | None, mandate_ids: list[int] | None,
             translations: Mapping[str, Mapping[str, str]] | None
             ) -> tuple[dict[str, dict[str, str]], list[int]]:
    """An event's texts by language and the mandates it addresses, checked."""
    city(city_slug)  # an unknown city is refused with the installed ones
    given = texts.checked(city_slug, translations, EVENT_TEXTS)
    if kind not in EVENT_KINDS:
        raise InvalidInput("%(kind)r is not a kind of city event; accepted: %(accepted)s",
                           kind=kind, accepted=", ".join(EVENT_KINDS), field="kind")
    if not title.strip() or len(title.strip()) > 200:
        raise InvalidInput("an event needs a title of 1 to 200 characters", field="title")
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise InvalidInput("the event ends at %(end)s, not after it starts (%(start)s)",
                           end=ends_at.strftime("%H:%M"), start=starts_at.strftime("%H:%M"),
                           field="ends_at")
    addressed = sorted(set(mandate_ids or []))
    for ident in addressed:
        mandate = session.get(Mandate, ident)
        if mandate is None or mandate.city != city_slug:
            raise InvalidInput("%(city)s has no mandate %(mandate)s", city=city_slug,
                               mandate=ident, field="mandate_ids")
    return given, addressed


def record_event(session: Session, city_slug: str, kind: str, held_on: dt.date, title: str, *,
                 starts_at: dt.time | None = None, ends_at: dt.time | None = None,
                 place: str = "", summary: str = "",
                 mandate_ids: list[int] | None = None,
                 translations: Mapping[str, Mapping[str, str]] | None = None) -> CityEvent:
    """Record a city-level meeting, addressed to ``mandate_ids`` (none given: all).

    ``title``, ``place`` and ``summary`` are in the city's first language;
    ``translations`` gives them by language (field -> language -> text).
    """
    given, addressed = _checked(session, city_slug, kind, title, starts_at, ends_at,
                                mandate_ids, translations)
    event = CityEvent(city=city_slug, kind=kind, held_on=held_on, starts_at=starts_at,
                      ends_at=ends_at, place=place.strip()[:300], title=title.strip(),
                      summary=summary.strip(), mandate_ids=addressed, texts={})
    texts.apply(event, texts.first_language(city_slug), given)
    session.add(event)
    session.flush()
    audit.record(session, "event.record", "city_event", event.id, city=city_slug, kind=kind,
                 held_on=held_on, title=event.title, mandates=addressed, texts=given)
    return event


def events_of(session: Session, city_slug: str, mandate_ids: list[int] | None = None
              ) -> list[CityEvent]:
    """The city's events in date order; with ``mandate_ids``, those addressing any of them."""
    rows = list(session.scalars(select(CityEvent).where(CityEvent.city == city_slug)
                                .order_by(CityEvent.held_on, CityEvent.id)))
    if mandate_ids is None:
        return rows
    wanted = set(mandate_ids)
    return [e for e in rows if not e.mandate_ids or wanted & set(e.mandate_ids)]


def edit_event(session: Session, event_id: int, kind: str, held_on: dt.date, title: str, *,
               starts_at: dt.time | None = None, ends_at: dt.time | None = None,
               place: str = "", summary: str = "", mandate_ids: list[int] | None = None,
               translations: Mapping[str, Mapping[str, str]] | None = None) -> CityEvent:
    """Correct a city event: every field as ``record_event`` takes it (a time left out
    is no time; an empty text removes that language's), refused whole as it refuses."""
    event = get(session, CityEvent, event_id)
    given, addressed = _checked(session, event.city, kind, title, starts_at, ends_at,
                                mandate_ids, translations)
    changes: dict[str, object] = {}
    for field, value in (("kind", kind), ("held_on", held_on), ("starts_at", starts_at),
                         ("ends_at", ends_at), ("place", place.strip()[:300]),
                         ("title", title.strip()), ("summary", summary.strip()),
                         ("mandate_ids", addressed)):
        if getattr(event, field) != value:
            setattr(event, field, value)
            changes[field] = (value.strftime("%H:%M") if isinstance(value, dt.time)
                              else value)
    written = texts.apply(event, texts.first_language(event.city), given)
    if written:
        changes["texts"] = written
    session.flush()
    audit.record(session, "event.edit", "city_event", event.id, city=event.city, **changes)
    return event


def delete_event(session: Session, event_id: int) -> None:
    """Delete a city event recorded by mistake or called off."""
    event = get(session, CityEvent, event_id)
    city_slug, title, held_on = event.city, event.title, event.held_on
    session.delete(event)
    session.flush()
    audit.record(session, "event.delete", "city_event", event_id, city=city_slug,
                 held_on=held_on, title=title)
