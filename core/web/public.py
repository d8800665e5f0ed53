"""The public site: what anyone may read about the city's assembly, without logging in.

From the city's configuration: the assembly and how it works, the panel's
composition against its quota targets, the assembly's powers and the lifecycle of
each act, the indemnity, and the accountability rules. From the database, through
the services: every mandate of the city (the sitting ones on the home page), their
sessions as they happen (time, place, agenda, minutes, documents, guests heard) and
the city-level events that belong to no single mandate, with an iCalendar feed.
Nothing here reads a person's data (sessions are shown without attendance) but for
one thing: the panel page names the sitting members who consented to it, under the
name they chose, and only counts the others.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from flask import Blueprint, Flask, Response, abort, current_app, render_template, url_for
from flask_babel import gettext
from kleroterion.city.types import CityConfig, Localized, localize
from kleroterion.compare import typical_year_amount
from kleroterion.models import AssemblySession, Mandate
from kleroterion.services import events, mandates, members, quotas, sessions, texts
from kleroterion.services.context import today as service_today
from kleroterion.web import calendar, promotions
from kleroterion.web.charts import group_charts
from kleroterion.web.context import current_city, current_config
from kleroterion.web.database import db_session
from kleroterion.web.i18n import Said, current_language, mandate_label, said, unit_count

bp = Blueprint("public", __name__)
#: A session's prose a page shows, by language.
SESSION_FIELDS = ("title", "place", "agenda", "minutes")

#: Pins the app's date (tests, demos; a ``datetime.date``). Unset, the environment
#: variable of the same name pins it, else the date is the real one: the rule of
#: ``services.context.today``, which the services follow during the app's requests too.
TODAY_SETTING = "KLEROTERION_TODAY"
UPCOMING_ON_HOME = 3


def today() -> dt.date:
    """The app's date: its setting, else ``services.context.today`` (variable, real date)."""
    pinned = current_app.config.get(TODAY_SETTING)
    return pinned if isinstance(pinned, dt.date) else service_today()


@dataclass(frozen=True)
class Guest:
    """Someone heard at a session, in a public capacity."""

    name: str
    role: str
    #: Whom the guest speaks for, by language (the city's first language first).
    organisations: Mapping[str, str]

    @property
    def organisation(self) -> Said:
        return said(self.organisations)


@dataclass(frozen=True)
class Meeting:
    """A session (or a city-level event) as the public sees it: when, where, what, who spoke."""

    id: int
    day: dt.date
    kind: Localized
    body: Localized | None
    length: str
    #: title, place, agenda and minutes by language: field -> language -> text, the
    #: city's first language first (``services.texts``).
    texts: Mapping[str, Mapping[str, str]]
    mandate_id: int | None = None
    mandate_label: str = ""
    starts_at: dt.time | None = None
    ends_at: dt.time | None = None
    optional: bool = False
    documents: tuple[tuple[str, str], ...] = ()
    guests: tuple[Guest, ...] = ()
    #: A city-level event (``event-<id>``) rather than a session of one mandate.
    event_kind: str | None = None

    def said(self, field: str) -> Said:
        return said(self.texts.get(field, {}))

    @property
    def title(self) -> Said:
        return self.said("title")

    @property
    def place(self) -> Said:
        return self.said("place")

    @property
    def agenda(self) -> Said:
        return self.said("agenda")

    @property
    def minutes(self) -> Said:
        return self.said("minutes")

    @property
    def anchor(self) -> str:
        return f"event-{self.id}" if self.event_kind else f"session-{self.id}"


def _meetings(config: CityConfig, mandate: Mandate) -> list[Meeting]:
    kinds = {kind.key: kind.label for kind in config.mandate.session_kinds}
    bodies = {body.key: body.label for body in config.bodies}
    rows: list[AssemblySession] = sessions.sessions_of(db_session(), mandate.id)
    first = config.profile.languages[0]
    return [
        Meeting(
            id=row.id,
            day=row.held_on,
            kind=kinds.get(row.kind, {"en": row.kind}),
            body=bodies.get(row.body_key) if row.body_key else None,
            # A session counted in sessions lasts one: « (1 séance) » would say nothing.
            length="" if row.unit == "session" and row.duration == 1 else unit_count(
                row.unit, float(row.duration)),
            texts=texts.all_texts(row, SESSION_FIELDS, first),
            mandate_id=mandate.id,
            mandate_label=mandate_label(mandate),
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            optional=row.optional,
            documents=tuple((str(d.get("title", "")), str(d.get("url", "")))
                            for d in row.documents if isinstance(d, dict)),
            guests=tuple(Guest(g.name, g.role, texts.texts_of(g, "organisation", first))
                         for g in row.guests),
        )
        for row in rows
    ]


def _event_meetings(every: list[Mandate], shown: list[Mandate]) -> list[Meeting]:
    """The city's events addressed to any of ``shown`` (all of them when all are shown)."""
    if not every:  # nothing opened yet (or no database): no event either
        return []
    labels = {m.id: mandate_label(m) for m in every}
    wanted = None if len(shown) == len(every) else [m.id for m in shown]
    first = current_config().profile.languages[0]
    return [
        Meeting(
            id=row.id, day=row.held_on, kind={"en": row.kind}, body=None, length="",
            texts={"title": texts.texts_of(row, "title", first),
                   "place": texts.texts_of(row, "place", first),
                   "agenda": texts.texts_of(row, "summary", first)},
            mandate_label=", ".join(labels[i] for i in row.mandate_ids if i in labels),
            starts_at=row.starts_at, ends_at=row.ends_at, event_kind=row.kind)
        for row in events.events_of(db_session(), current_city().slug, wanted)
    ]


def all_meetings(config: CityConfig, every: list[Mandate], shown: list[Mandate]
                 ) -> list[Meeting]:
    """The sessions of ``shown`` and the city's events for them, in date and time order."""
    found = [m for mandate in shown for m in _meetings(config, mandate)]
    found += _event_meetings(every, shown)
    return sorted(found, key=lambda m: (m.day, m.starts_at or dt.time(0), m.anchor))


def _phase_label(config: CityConfig, mandate: Mandate, day: dt.date) -> Localized | None:
    phase = mandates.phase_on(mandate, day)
    if phase is None:
        return None
    labels = {declared.key: declared.label for declared in config.mandate.phases}
    return labels.get(phase.key, {"en": phase.key})


@bp.get("/healthz")
def healthz() -> Response:
    """A liveness probe for load balancers and the load benchmark's baseline.

    It answers from the process alone (no database, no template): "is this worker up",
    and the cost of a request through the app's own hooks and nothing more.
    """
    return Response("ok\n", mimetype="text/plain")


@bp.get("/")
def home() -> str:
    config = current_config()
    every = promotions.city_mandates()
    sitting = [m for m in every if promotions.status_of(m, today()) == "sitting"]
    shown = promotions.featured(today(), every)
    upcoming = [m for m in all_meetings(config, every, every) if m.day >= today()]
    phases = [(m, _phase_label(config, m, today())) for m in sitting]
    return render_template(
        "public/home.html", config=config, year_amount=typical_year_amount(config),
        current=shown, sitting=phases, upcoming=upcoming[:UPCOMING_ON_HOME],
        phase=phases[-1][1] if phases else None,
    )


@bp.get("/sessions")
def sessions_page() -> str:
    config = current_config()
    every = promotions.city_mandates()
    shown, one = promotions.chosen(every)
    meetings = all_meetings(config, every, shown)
    upcoming = [m for m in meetings if m.day >= today()]
    past = [m for m in reversed(meetings) if m.day < today()]
    return render_template("public/sessions.html", config=config, mandate=one,
                           every=every, upcoming=upcoming, past=past,
                           selector=promotions.links(every, today(), one))



@bp.get("/sessions.ics")
def sessions_calendar() -> Response:
    config = current_config()
    every = promotions.city_mandates()
    shown, _one = promotions.chosen(every)
    language = current_language()
    host = current_city().slug
    events = [
        calendar.Event(
            uid=f"{meeting.anchor}@{host}.kleroterion",
            day=meeting.day,
            summary=" – ".join(
                part for part in (
                    localize(meeting.kind, language) if not meeting.event_kind else "",
                    localize(meeting.body, language) if meeting.body else "",
                    meeting.title.text,
                ) if part
            ),
            description=" – ".join(p for p in (meeting.length, meeting.mandate_label) if p),
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            location=meeting.place.text,
            # RFC 5545's LANGUAGE parameter: a place written in another language only.
            location_language=meeting.place.lang,
            summary_language=meeting.title.lang if meeting.event_kind else None,
            timezone=config.profile.timezone,
        )
        for meeting in all_meetings(config, every, shown)
    ]
    name = gettext("Sessions of %(assembly)s",
                   assembly=localize(config.profile.assembly_name, language))
    body = calendar.calendar(name, events, dt.datetime.now(dt.UTC))
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="{host}-sessions.ics"'
    response.headers["Link"] = f'<{url_for("public.sessions_page")}>; rel="alternate"'
    return response


@dataclass(frozen=True)
class Seated:
    """The members sitting in one seat group: how many, and how many per criterion value."""

    total: int
    by_value: Counter[tuple[str, str]]

    def count(self, feature: str, value: str) -> int:
        return self.by_value[(feature, value)]


def seated_counts(mandate: Mandate) -> dict[str, Seated]:
    """The members of ``mandate`` not withdrawn, by seat group, counted by (criterion, value)."""
    totals: Counter[str] = Counter()
    tallies: dict[str, Counter[tuple[str, str]]] = {}
    for seat_group, features in members.seated_features(db_session(), mandate.id):
        totals[seat_group] += 1
        tally = tallies.setdefault(seat_group, Counter())
        for feature, value in features.items():
            tally[(feature, value)] += 1
    return {key: Seated(total, tallies[key]) for key, total in totals.items()}


@bp.get("/panel")
def panel() -> str:
    config = current_config()
    every = promotions.city_mandates()
    mandate = promotions.featured(today(), every)
    seated = seated_counts(mandate) if mandate is not None else {}
    # The bounds the mandate's draws meet: its own where it set some, else the city's.
    bounds = quotas.mandate_quotas(db_session(), mandate) if mandate is not None else {}
    groups = [
        (group, group_charts(config.composition, group, bounds.get(group.key)),
         seated.get(group.key))
        for group in config.composition.seat_groups
    ]
    names = members.public_names(db_session(), mandate.id) if mandate is not None else {}
    return render_template("public/panel.html", config=config, groups=groups, mandate=mandate,
                           public_names=names, selector=promotions.links(every, today(), mandate))


@bp.get("/powers")
def powers() -> str:
    return render_template("public/powers.html", config=current_config())


@bp.get("/powers/<kind>")
def power(kind: str) -> str:
    config = current_config()
    try:
        proposal_kind = config.proposal_kind(kind)
    except KeyError:
        abort(404)
    states = {state.key: state for state in proposal_kind.states}
    return render_template("public/power.html", config=config, kind=proposal_kind, states=states)


@bp.get("/indemnity")
def indemnity() -> str:
    config = current_config()
    return render_template(
        "public/indemnity.html", config=config, year_amount=typical_year_amount(config)
    )


@bp.get("/accountability")
def accountability() -> str:
    return render_template("public/accountability.html", config=current_config())


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
