"""The public site: what anyone may read about the city's assembly, without logging in.

From the city's configuration: the assembly and how it works, the panel's
composition against its quota targets, the assembly's powers and the lifecycle of
each act, the indemnity, and the accountability rules. From the database, through
the services: the current mandate, its sessions (with an iCalendar feed). Nothing
here reads a person's data (sessions are shown without attendance) but for one
thing: the panel page names the sitting members who consented to it, under the
name they chose, and only counts the others.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from flask import Blueprint, Flask, Response, abort, current_app, render_template, url_for
from flask_babel import gettext
from kleroterion.city.types import CityConfig, Localized, localize
from kleroterion.compare import typical_year_amount
from kleroterion.models import AssemblySession, Mandate
from kleroterion.services import mandates, members, sessions
from kleroterion.web import calendar
from kleroterion.web.charts import group_charts
from kleroterion.web.context import current_city, current_config
from kleroterion.web.database import current_mandate, db_session
from kleroterion.web.i18n import current_language, unit_count

bp = Blueprint("public", __name__)

TODAY_SETTING = "KLEROTERION_TODAY"  # tests and demos pin the date
UPCOMING_ON_HOME = 3


def today() -> dt.date:
    pinned = current_app.config.get(TODAY_SETTING)
    return pinned if isinstance(pinned, dt.date) else dt.date.today()


@dataclass(frozen=True)
class Meeting:
    """A session as the public sees it: when, what, which body, how long."""

    id: int
    day: dt.date
    kind: Localized
    body: Localized | None
    length: str
    title: str


def _meetings(config: CityConfig, mandate: Mandate) -> list[Meeting]:
    kinds = {kind.key: kind.label for kind in config.mandate.session_kinds}
    bodies = {body.key: body.label for body in config.bodies}
    rows: list[AssemblySession] = sessions.sessions_of(db_session(), mandate.id)
    return [
        Meeting(
            id=row.id,
            day=row.held_on,
            kind=kinds.get(row.kind, {"en": row.kind}),
            body=bodies.get(row.body_key) if row.body_key else None,
            length=unit_count(row.unit, float(row.duration)),
            title=row.title,
        )
        for row in rows
    ]


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
    mandate = current_mandate()
    upcoming: list[Meeting] = []
    phase = None
    if mandate is not None:
        upcoming = [m for m in _meetings(config, mandate) if m.day >= today()]
        phase = _phase_label(config, mandate, today())
    return render_template(
        "public/home.html", config=config, year_amount=typical_year_amount(config),
        current=mandate, phase=phase, upcoming=upcoming[:UPCOMING_ON_HOME],
    )


@bp.get("/sessions")
def sessions_page() -> str:
    config = current_config()
    mandate = current_mandate()
    meetings = _meetings(config, mandate) if mandate is not None else []
    upcoming = [m for m in meetings if m.day >= today()]
    past = [m for m in reversed(meetings) if m.day < today()]
    return render_template("public/sessions.html", config=config, mandate=mandate,
                           upcoming=upcoming, past=past)


@bp.get("/sessions.ics")
def sessions_calendar() -> Response:
    config = current_config()
    mandate = current_mandate()
    language = current_language()
    host = current_city().slug
    events = [
        calendar.Event(
            uid=f"session-{meeting.id}@{host}.kleroterion",
            day=meeting.day,
            summary=" – ".join(
                part for part in (
                    localize(meeting.kind, language),
                    localize(meeting.body, language) if meeting.body else "",
                    meeting.title,
                ) if part
            ),
            description=meeting.length,
        )
        for meeting in (_meetings(config, mandate) if mandate is not None else [])
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
    mandate = current_mandate()
    seated = seated_counts(mandate) if mandate is not None else {}
    groups = [
        (group, group_charts(config.composition, group), seated.get(group.key))
        for group in config.composition.seat_groups
    ]
    names = members.public_names(db_session(), mandate.id) if mandate is not None else {}
    return render_template("public/panel.html", config=config, groups=groups, mandate=mandate,
                           names=names)


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
