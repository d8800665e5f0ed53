"""The subjects page: what each mandate works on, where each subject came from, who works on it.

Every subject of every mandate (or of the one ``?promotion=`` names), with its
origin (the assembly's own choice, the executive's work mandate, a call for
subjects...), the mandate's workshops on it, the acts that answer it, and what the
assembly may do about it: the city's kinds of act with their decision power, so a
reader sees where each power applies. The views (``SubjectView``) are shared with
the JSON API. The routes are added to the ``records`` blueprint at import
(``records.init_app`` imports this module).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import abort, render_template
from kleroterion.city.types import CityConfig, Localized
from kleroterion.models import Mandate, Subject, Workshop
from kleroterion.services import subjects
from kleroterion.web import promotions
from kleroterion.web.context import current_config
from kleroterion.web.database import db_session
from kleroterion.web.i18n import mandate_label
from kleroterion.web.public import today
from kleroterion.web.records import MAX_ID, bp, find_kind, state_label_of, titles_of


@dataclass(frozen=True)
class WorkshopView:
    """A workshop of one mandate, as the public record shows it."""

    id: int
    key: str
    label: Localized
    purpose: Localized
    body: str
    body_label: Localized
    mandate_id: int


@dataclass(frozen=True)
class ActLink:
    """An act that answers a subject."""

    id: int
    title: Localized  # by language, the city's first language first
    kind_label: Localized
    state_label: Localized


@dataclass(frozen=True)
class SubjectView:
    """A subject with its origin, its workshops and the acts on it."""

    id: int
    mandate_id: int
    mandate_label: str
    title: Localized
    summary: Localized
    origin: str
    origin_note: Localized
    proposed_on: dt.date | None
    workshops: tuple[WorkshopView, ...]
    acts: tuple[ActLink, ...]


def workshop_view(config: CityConfig, workshop: Workshop) -> WorkshopView:
    body_label: Localized = {}
    if workshop.body_key:
        body_label = next((b.label for b in config.bodies if b.key == workshop.body_key), {})
    return WorkshopView(id=workshop.id, key=workshop.key, label=dict(workshop.label),
                        purpose=dict(workshop.purpose), body=workshop.body_key,
                        body_label=body_label, mandate_id=workshop.mandate_id)


def subject_view(config: CityConfig, subject: Subject, mandate: Mandate) -> SubjectView:
    acts = []
    for act in subjects.acts_on(db_session(), subject.id):
        kind = find_kind(config, act.kind)
        acts.append(ActLink(id=act.id, title=titles_of(config, act),
                            kind_label=kind.label if kind else {"en": act.kind},
                            state_label=state_label_of(kind, act.state)))
    return SubjectView(id=subject.id, mandate_id=mandate.id, mandate_label=mandate_label(mandate),
                       title=dict(subject.title), summary=dict(subject.summary),
                       origin=subject.origin, origin_note=dict(subject.origin_note),
                       proposed_on=subject.proposed_on,
                       workshops=tuple(workshop_view(config, w) for w in subject.workshops),
                       acts=tuple(acts))


def subject_views(shown: list[Mandate]) -> list[SubjectView]:
    """The subjects of ``shown``, latest mandate first."""
    if not shown:  # also before the database exists
        return []
    config = current_config()
    by_id = {m.id: m for m in shown}
    found = subjects.subjects_of(db_session(), list(by_id))
    return [subject_view(config, s, by_id[s.mandate_id])
            for s in sorted(found, key=lambda s: (by_id[s.mandate_id].starts_on, s.id),
                            reverse=True)]


def workshop_views(shown: list[Mandate]) -> list[WorkshopView]:
    if not shown:
        return []
    config = current_config()
    return [workshop_view(config, w)
            for w in subjects.workshops_of(db_session(), [m.id for m in shown])]


def find_subject(ident: int) -> tuple[Subject, Mandate]:
    """The subject ``ident`` of one of the city's mandates, or a 404."""
    if not 0 < ident <= MAX_ID:
        abort(404)
    every = {m.id: m for m in promotions.city_mandates()}
    if not every:  # also before the database exists
        abort(404)
    found = db_session().get(Subject, ident)
    if found is None or found.mandate_id not in every:
        abort(404)
    return found, every[found.mandate_id]


@bp.get("/subjects")
def subjects_page() -> str:
    every = promotions.city_mandates()
    shown, one = promotions.chosen(every)
    return render_template("public/subjects.html", config=current_config(), mandate=one,
                           subjects=subject_views(shown), workshops=workshop_views(shown),
                           selector=promotions.links(every, today(), one),
                           mandates={m.id: m for m in every})


@bp.get("/subjects/<int:ident>")
def subject_page(ident: int) -> str:
    found, mandate = find_subject(ident)
    return render_template("public/subject.html", config=current_config(), mandate=mandate,
                           subject=subject_view(current_config(), found, mandate))
