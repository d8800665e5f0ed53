"""Opening mandates (promotions, editions, cycles) with their phases, from the city's rules.

Several mandates of one city coexist: a past promotion keeps its follow-up while
the next one sits. A mandate's length must fall within the city's
``min_months..max_months``; its phases come from the mandate rules, in order:
phases with a typical length in months get it, the others share the rest of the
mandate evenly; a phase that cannot fit (Brussels' year of follow-up after a cycle
of three months) runs after the mandate's end.

How many mandates may sit on one day follows from the city's rules: a new panel
every ``renewal_months`` for at most ``max_months`` makes ``ceil(max / renewal)``
(Paris: 18 months, renewed yearly, two promotions overlap for six months; Poitiers
and Brussels: one at a time). A mandate that would make more sit at once is refused
with the label of the others.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets

from kleroterion.city.types import localize
from kleroterion.models import Mandate, MandatePhase
from kleroterion.services import audit
from kleroterion.services.context import add_months, city, get
from kleroterion.services.errors import InvalidInput, NotAllowed
from kleroterion.services.field_labels import field_label
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

LABEL_LENGTH = 120


def _phases(mandate: Mandate, rules_phases: list[tuple[str, float | None]]) -> list[MandatePhase]:
    start, end = mandate.starts_on, mandate.ends_on
    total_days = (end - start).days + 1
    fixed = {key: round(months * 30.44) for key, months in rules_phases if months}
    inside = sum(fixed.values()) < total_days
    free = [key for key, months in rules_phases if not months]
    if not free:  # every phase has a length: they run in turn from the start
        inside = True
    free_days = total_days - (sum(fixed.values()) if inside else 0)
    share, extra = divmod(free_days, max(1, len(free)))
    phases, cursor = [], start
    for position, (key, _months) in enumerate(rules_phases):
        days = share + (free.index(key) < extra) if key in free else fixed[key]
        days = max(days, 1)
        phase_end = cursor + dt.timedelta(days=days - 1)
        phases.append(MandatePhase(position=position, key=key, starts_on=cursor,
                                   ends_on=phase_end))
        cursor = phase_end + dt.timedelta(days=1)
    return phases


def _labels(city_slug: str, labels: dict[str, str]) -> dict[str, str]:
    """The label in other languages of the site, each at most 120 characters."""
    languages = tuple(dict.fromkeys((*city(city_slug).config.profile.languages, "en")))
    found = {language: text.strip() for language, text in labels.items() if text.strip()}
    for language, text in found.items():
        if language not in languages:
            raise InvalidInput("%(language)r is not a language of this city; accepted: "
                               "%(languages)s", language=language,
                               languages=", ".join(languages), field="labels")
        if len(text) > LABEL_LENGTH:
            raise InvalidInput("the %(language)s text of %(what)s has %(count)s characters, "
                               "more than %(limit)s", language=language, what=field_label("labels"),
                               count=len(text), limit=LABEL_LENGTH, field="labels")
    return found


def label_texts(mandate: Mandate) -> dict[str, str]:
    """A mandate's name by language: its label in the city's first language, and the
    labels it was given in others."""
    first = city(mandate.city).config.profile.languages[0]
    return {first: mandate.label, **mandate.labels}


def open_mandate(session: Session, city_slug: str, label: str, starts_on: dt.date,
                 ends_on: dt.date | None = None, *,
                 labels: dict[str, str] | None = None) -> Mandate:
    """Open a mandate of ``city_slug`` from ``starts_on``.

    ``ends_on`` defaults to the longest term the city's mandate rules allow;
    ``labels`` names it in other languages of the site (« cyclus 2026 »).
    """
    rules = city(city_slug).config.mandate
    label = label.strip()
    if not label:
        raise InvalidInput("a mandate needs a label, e.g. 'promotion 2025'")
    ends_on = _check_term(city_slug, starts_on, ends_on)
    _check_label(session, city_slug, label)
    _check_overlap(session, city_slug, starts_on, ends_on)
    translated = _labels(city_slug, labels or {})
    mandate = Mandate(city=city_slug, label=label, labels=translated,
                      term=localize(rules.term_name, "en"),
                      starts_on=starts_on, ends_on=ends_on, status="open",
                      household_secret=secrets.token_hex(16))
    mandate.phases = _phases(mandate, [(p.key, p.months) for p in rules.phases])
    session.add(mandate)
    session.flush()
    audit.record(session, "mandate.open", "mandate", mandate.id, city=city_slug, label=label,
                 labels=translated, starts_on=starts_on, ends_on=ends_on,
                 phases={p.key: [p.starts_on, p.ends_on] for p in mandate.phases})
    return mandate


def _check_term(city_slug: str, starts_on: dt.date, ends_on: dt.date | None) -> dt.date:
    """The mandate's last day (default: the longest term), refused outside the city's rules."""
    rules = city(city_slug).config.mandate
    latest = add_months(starts_on, rules.max_months) - dt.timedelta(days=1)
    earliest = add_months(starts_on, rules.min_months) - dt.timedelta(days=1)
    ends_on = ends_on or latest
    if not earliest <= ends_on <= latest:
        raise InvalidInput(
            "a %(term)s of %(city)s lasts %(min)s to %(max)s months: from %(start)s it must "
            "end between %(earliest)s and %(latest)s, not %(end)s",
            term=rules.term_name, city=city_slug, min=rules.min_months, max=rules.max_months,
            start=starts_on.isoformat(), earliest=earliest.isoformat(),
            latest=latest.isoformat(), end=ends_on.isoformat(),
        )
    return ends_on


def _check_label(session: Session, city_slug: str, label: str,
                 exclude: int | None = None) -> None:
    existing = session.scalar(
        select(Mandate).where(Mandate.city == city_slug, Mandate.label == label)
    )
    if existing is not None and existing.id != exclude:
        raise InvalidInput("%(city)s already has a mandate labelled %(label)r (id %(id)s)",
                           city=city_slug, label=label, id=existing.id)


def edit_mandate(session: Session, mandate_id: int, *, label: str | None = None,
                 ends_on: dt.date | None = None,
                 labels: dict[str, str] | None = None) -> Mandate:
    """Rename a mandate or move its last day, under the rules that open one.

    ``labels`` renames it in other languages, language by language (an empty text
    removes that language's name).

    The new last day must keep the term within the city's rules, overlap no more
    mandates than the city allows, and leave no session after it; the phases are
    laid out again over the new dates.
    """
    from kleroterion.models import AssemblySession

    mandate = get(session, Mandate, mandate_id)
    if mandate.status == "closed":
        raise NotAllowed("mandate %(mandate)s is closed", mandate=mandate_id)
    changes: dict[str, object] = {}
    if label is not None and label.strip() != mandate.label:
        label = label.strip()
        if not label:
            raise InvalidInput("a mandate needs a label, e.g. 'promotion 2025'")
        _check_label(session, mandate.city, label, exclude=mandate.id)
        changes["label"] = label
    renamed: dict[str, str] | None = None
    if labels is not None:
        renamed = _labels(mandate.city, {**mandate.labels, **labels})
        if renamed != mandate.labels:
            changes["labels"] = renamed
    if ends_on is not None and ends_on != mandate.ends_on:
        _check_term(mandate.city, mandate.starts_on, ends_on)
        _check_overlap(session, mandate.city, mandate.starts_on, ends_on, exclude=mandate.id)
        later = session.scalar(select(AssemblySession.held_on).where(
            AssemblySession.mandate_id == mandate.id, AssemblySession.held_on > ends_on)
            .order_by(AssemblySession.held_on))
        if later is not None:
            raise NotAllowed("mandate %(mandate)s has a session on %(date)s, after %(end)s",
                             mandate=mandate.id, date=later.isoformat(),
                             end=ends_on.isoformat(), field="ends_on")
        changes["ends_on"] = ends_on
    if not changes:
        raise InvalidInput("nothing to change: give a new label or a new last day")
    if "label" in changes:
        mandate.label = str(changes["label"])
    if renamed is not None and "labels" in changes:
        mandate.labels = renamed
    if "ends_on" in changes:
        mandate.ends_on = ends_on  # type: ignore[assignment]
        rules = city(mandate.city).config.mandate
        laid = {p.key: p for p in _phases(mandate, [(p.key, p.months) for p in rules.phases])}
        for phase in mandate.phases:  # in place: the same phases, new dates
            if phase.key in laid:
                phase.starts_on, phase.ends_on = laid[phase.key].starts_on, laid[phase.key].ends_on
    session.flush()
    audit.record(session, "mandate.edit", "mandate", mandate.id, **changes)
    return mandate


def sitting_at_once(city_slug: str) -> int:
    """How many mandates of the city may sit on one day, from its mandate rules."""
    rules = city(city_slug).config.mandate
    return max(1, math.ceil(rules.max_months / max(1, rules.renewal_months)))


def _check_overlap(session: Session, city_slug: str, starts_on: dt.date,
                   ends_on: dt.date, *, exclude: int | None = None) -> None:
    """Refuse a mandate that would make more of the city's mandates sit on one day."""
    allowed = sitting_at_once(city_slug)
    others = [m for m in list_mandates(session, city_slug)
              if m.starts_on <= ends_on and starts_on <= m.ends_on and m.id != exclude]
    # The most mandates sitting at once begins on one of their first days.
    for day in sorted({starts_on, *(m.starts_on for m in others if m.starts_on > starts_on)}):
        sitting = [m for m in others if m.starts_on <= day <= m.ends_on]
        if len(sitting) + 1 > allowed:
            names = ", ".join(f"{m.label!r} ({m.starts_on.isoformat()} to "
                              f"{m.ends_on.isoformat()})" for m in sitting)
            if allowed == 1:
                raise NotAllowed(
                    "the %(term)s from %(start)s to %(end)s overlaps %(others)s: %(city)s "
                    "has one %(term)s sitting at a time", term=city(city_slug).config.mandate
                    .term_name, start=starts_on.isoformat(), end=ends_on.isoformat(),
                    others=names, city=city_slug, field="start")
            raise NotAllowed(
                "on %(day)s the %(term)s from %(start)s to %(end)s would sit with %(others)s: "
                "%(city)s has at most %(allowed)s sitting at once", day=day.isoformat(),
                term=city(city_slug).config.mandate.term_name, start=starts_on.isoformat(),
                end=ends_on.isoformat(), others=names, city=city_slug, allowed=allowed,
                field="start")


def sitting_on(session: Session, city_slug: str, day: dt.date) -> list[Mandate]:
    """The city's mandates whose panel sits on ``day`` (open, and within their dates)."""
    return [m for m in list_mandates(session, city_slug)
            if m.status == "open" and m.starts_on <= day <= m.ends_on]


def close_mandate(session: Session, mandate_id: int) -> Mandate:
    """Close a mandate: its panel no longer sits; follow-up goes on."""
    mandate = get(session, Mandate, mandate_id)
    if mandate.status == "closed":
        raise NotAllowed("mandate %(mandate)s is already closed", mandate=mandate_id)
    mandate.status = "closed"
    audit.record(session, "mandate.close", "mandate", mandate.id)
    return mandate


def list_mandates(session: Session, city_slug: str | None = None) -> list[Mandate]:
    query = (select(Mandate).order_by(Mandate.city, Mandate.starts_on, Mandate.id)
             .options(selectinload(Mandate.phases)))
    if city_slug:
        query = query.where(Mandate.city == city_slug)
    return list(session.scalars(query))


def phase_on(mandate: Mandate, day: dt.date) -> MandatePhase | None:
    """The phase running on ``day``, if any."""
    for phase in mandate.phases:
        if phase.starts_on <= day <= phase.ends_on:
            return phase
    return None
