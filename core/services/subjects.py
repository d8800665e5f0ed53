"""What a mandate works on: its subjects, where each came from, and its own workshops.

A subject records its origin among the ones the city accepts
(``mandate.subject_origins``: Paris's assembly's own choice or the executive's work
mandate adopted in plenary, Poitiers's call for subjects, Brussels's theme chosen by
the previous panel), and the workshops of its mandate that work on it. Workshops are
a mandate's own (Paris's workshops changed from one promotion to the next); one may
be the instance of a body the city declares. An act may name the subject it answers.
Every change is one audited step; a refusal names the field, the value and what is
accepted.
"""

from __future__ import annotations

import datetime as dt
import re

from kleroterion.city.types import KEY_PATTERN, SUBJECT_ORIGINS
from kleroterion.models import Mandate, Proposal, Subject, Workshop
from kleroterion.services import audit
from kleroterion.services.context import city, get
from kleroterion.services.errors import InvalidInput, NotAllowed
from kleroterion.services.field_labels import field_label
from sqlalchemy import func, select
from sqlalchemy.orm import Session

TITLE_LENGTH = 200
TEXT_LENGTH = 20_000
NOTE_LENGTH = 300


class Keep:
    """What ``edit_subject`` is given for a value it leaves as it is."""

    def __repr__(self) -> str:
        return "KEEP"


#: A value ``edit_subject`` leaves unchanged (None clears the day a subject was proposed).
KEEP = Keep()


def _texts(city_slug: str, texts: dict[str, str], field: str, *, required: bool,
           length: int) -> dict[str, str]:
    """Plain texts per language, in languages the city's site offers (or English)."""
    languages = tuple(dict.fromkeys((*city(city_slug).config.profile.languages, "en")))
    found = {language: text.strip() for language, text in texts.items() if text.strip()}
    if required and not found:
        raise InvalidInput("%(what)s needs a text in at least one language: %(languages)s",
                           what=field_label(field), languages=", ".join(languages),
                           field=field)
    for language, text in found.items():
        if language not in languages:
            raise InvalidInput("%(language)r is not a language of this city; accepted: "
                               "%(languages)s", language=language,
                               languages=", ".join(languages), field=field)
        if len(text) > length:
            raise InvalidInput("the %(language)s text of %(what)s has %(count)s characters, "
                               "more than %(limit)s", language=language, what=field_label(field),
                               count=len(text), limit=length, field=field)
    return found


def add_workshop(session: Session, mandate_id: int, key: str, label: dict[str, str], *,
                 body_key: str = "", purpose: dict[str, str] | None = None) -> Workshop:
    """Add a workshop to one mandate (its key unique in the mandate)."""
    mandate = get(session, Mandate, mandate_id)
    city_slug = mandate.city
    if not re.match(KEY_PATTERN, key) or len(key) > 64:
        raise InvalidInput("%(key)r is not a workshop key: lowercase letters, digits, - or _, "
                           "at most 64", key=key, field="key")
    bodies = [body.key for body in city(city_slug).config.bodies]
    if body_key and body_key not in bodies:
        raise InvalidInput("%(body)r is not a body of %(city)s; its bodies: %(accepted)s",
                           body=body_key, city=city_slug,
                           accepted=", ".join(bodies) or "none", field="body")
    existing = session.scalar(select(Workshop).where(Workshop.mandate_id == mandate.id,
                                                     Workshop.key == key))
    if existing is not None:
        raise NotAllowed("%(mandate)s already has a workshop %(key)r (number %(ident)s)",
                         mandate=mandate.label, key=key, ident=existing.id, field="key")
    workshop = Workshop(mandate_id=mandate.id, key=key, body_key=body_key,
                        label=_texts(city_slug, label, "label", required=True,
                                     length=TITLE_LENGTH),
                        purpose=_texts(city_slug, purpose or {}, "purpose", required=False,
                                       length=TEXT_LENGTH))
    session.add(workshop)
    session.flush()
    audit.record(session, "workshop.add", "workshop", workshop.id, mandate=mandate.id, key=key,
                 body=body_key)
    return workshop


def _origin(city_slug: str, origin: str) -> str:
    accepted = city(city_slug).config.mandate.subject_origins or SUBJECT_ORIGINS
    if origin not in accepted:
        raise InvalidInput("%(origin)r is not an origin of a subject in %(city)s; accepted: "
                           "%(accepted)s", origin=origin, city=city_slug,
                           accepted=", ".join(accepted), field="origin")
    return origin


def _proposed_on(mandate: Mandate, proposed_on: dt.date | None) -> dt.date | None:
    if proposed_on is not None and proposed_on > mandate.ends_on:
        raise InvalidInput("a subject proposed on %(day)s, after %(mandate)s ends (%(end)s)",
                           day=proposed_on.isoformat(), mandate=mandate.label,
                           end=mandate.ends_on.isoformat(), field="proposed_on")
    return proposed_on


def _workshops(session: Session, mandate: Mandate, keys: list[str]) -> list[Workshop]:
    by_key = {w.key: w for w in workshops_of(session, [mandate.id])}
    chosen = []
    for key in keys:
        if key not in by_key:
            raise InvalidInput("%(mandate)s has no workshop %(key)r; its workshops: "
                               "%(accepted)s", mandate=mandate.label, key=key,
                               accepted=", ".join(by_key) or "none", field="workshop")
        if by_key[key] not in chosen:
            chosen.append(by_key[key])
    return chosen


def add_subject(session: Session, mandate_id: int, title: dict[str, str], origin: str, *,
                origin_note: dict[str, str] | None = None,
                proposed_on: dt.date | None = None,
                summary: dict[str, str] | None = None,
                workshop_keys: list[str] | None = None) -> Subject:
    """Record a subject of one mandate, where it came from and the workshops on it.

    Refused: an origin the city does not accept (naming those it does), more subjects
    than the city's ``subjects_per_mandate`` (naming the ones recorded), a workshop
    of another mandate.
    """
    mandate = get(session, Mandate, mandate_id)
    city_slug = mandate.city
    rules = city(city_slug).config.mandate
    _origin(city_slug, origin)
    notes = _texts(city_slug, origin_note or {}, "note", required=False, length=NOTE_LENGTH)
    titles = _texts(city_slug, title, "title", required=True, length=TITLE_LENGTH)
    existing = subjects_of(session, [mandate.id])
    limit = rules.subjects_per_mandate
    if limit is not None and len(existing) >= limit:
        raise NotAllowed("%(mandate)s works on %(limit)s subject(s) at most, and has: "
                         "%(subjects)s", mandate=mandate.label, limit=limit,
                         subjects="; ".join(next(iter(s.title.values()), "") for s in existing),
                         field="mandate")
    _proposed_on(mandate, proposed_on)
    chosen = _workshops(session, mandate, workshop_keys or [])
    subject = Subject(mandate_id=mandate.id, title=titles, origin=origin,
                      origin_note=notes, proposed_on=proposed_on,
                      summary=_texts(city_slug, summary or {}, "summary", required=False,
                                     length=TEXT_LENGTH),
                      workshops=chosen)
    session.add(subject)
    session.flush()
    audit.record(session, "subject.add", "subject", subject.id, mandate=mandate.id,
                 origin=origin, workshops=[w.key for w in chosen])
    return subject


def _merged(city_slug: str, current: dict[str, str], given: dict[str, str] | None, field: str,
            *, required: bool, length: int) -> dict[str, str]:
    """The texts after an edit: a language given replaces its text, an empty one removes it,
    the others stay."""
    if given is None:
        return dict(current)
    merged = {**current, **given}
    return _texts(city_slug, merged, field, required=required, length=length)


def edit_subject(session: Session, subject_id: int, *,
                 title: dict[str, str] | None = None, origin: str | None = None,
                 origin_note: dict[str, str] | None = None,
                 proposed_on: dt.date | Keep | None = KEEP,
                 summary: dict[str, str] | None = None,
                 workshop_keys: list[str] | None = None) -> Subject:
    """Change what was recorded of a subject; what is not given stays as it is.

    Texts are merged per language (an empty text removes that language; a title keeps
    at least one). ``workshop_keys`` replaces the workshops on it (``[]``: none);
    ``proposed_on=None`` forgets the day. Checked as ``add_subject`` checks, refused
    whole; one audit entry names the fields changed.
    """
    subject = get(session, Subject, subject_id)
    mandate = get(session, Mandate, subject.mandate_id)
    city_slug = mandate.city
    values: dict[str, object] = {
        "title": _merged(city_slug, subject.title, title, "title", required=True,
                         length=TITLE_LENGTH),
        "origin": subject.origin if origin is None else _origin(city_slug, origin),
        "origin_note": _merged(city_slug, subject.origin_note, origin_note, "note",
                               required=False, length=NOTE_LENGTH),
        "proposed_on": subject.proposed_on if isinstance(proposed_on, Keep)
        else _proposed_on(mandate, proposed_on),
        "summary": _merged(city_slug, subject.summary, summary, "summary", required=False,
                           length=TEXT_LENGTH),
    }
    changed = [name for name, value in values.items() if getattr(subject, name) != value]
    for name in changed:
        setattr(subject, name, values[name])
    if workshop_keys is not None:
        chosen = _workshops(session, mandate, workshop_keys)
        if [w.id for w in chosen] != [w.id for w in subject.workshops]:
            subject.workshops = chosen
            changed.append("workshops")
    session.flush()
    if changed:
        audit.record(session, "subject.edit", "subject", subject.id, mandate=mandate.id,
                     fields=changed, origin=subject.origin,
                     workshops=[w.key for w in subject.workshops])
    return subject


def delete_subject(session: Session, subject_id: int) -> list[str]:
    """Delete a subject recorded in error; the keys of the workshops it is taken from.

    Refused while acts answer it, naming them: an act's public record says which
    subject it answers, so that link is changed on purpose first (``link_act``), never
    lost as a side effect. The workshops stay (they are the mandate's); they only stop
    listing it, and the audit entry names them.
    """
    subject = get(session, Subject, subject_id)
    answering = acts_on(session, subject.id)
    if answering:
        raise NotAllowed("subject %(subject)s is answered by %(count)s act(s): %(acts)s; link "
                         "them to another subject or to none first", subject=subject.id,
                         count=len(answering),
                         acts="; ".join(f"{act.id} ({act.title})"
                                        for act in answering), field="subject")
    detached = [w.key for w in subject.workshops]
    title = dict(subject.title)
    mandate_id = subject.mandate_id
    subject.workshops = []
    session.flush()
    session.delete(subject)
    session.flush()
    audit.record(session, "subject.delete", "subject", subject_id, mandate=mandate_id,
                 title=title, origin=subject.origin, workshops=detached)
    return detached


def link_act(session: Session, proposal_id: int, subject_id: int | None) -> Proposal:
    """Say which subject of its mandate an act answers (None: none)."""
    act = get(session, Proposal, proposal_id)
    if subject_id is not None:
        subject = session.get(Subject, subject_id)
        if subject is None or subject.mandate_id != act.mandate_id:
            known = ", ".join(str(s.id) for s in subjects_of(session, [act.mandate_id]))
            raise InvalidInput("the act %(act)s's mandate has no subject %(subject)s; its "
                               "subjects: %(accepted)s", act=proposal_id, subject=subject_id,
                               accepted=known or "none", field="subject")
    act.subject_id = subject_id
    session.flush()
    audit.record(session, "subject.link", "proposal", act.id, subject=subject_id)
    return act


def subjects_of(session: Session, mandate_ids: list[int]) -> list[Subject]:
    """The subjects of these mandates, in the order they were recorded."""
    return list(session.scalars(select(Subject).where(Subject.mandate_id.in_(mandate_ids))
                                .order_by(Subject.id)))


def workshops_of(session: Session, mandate_ids: list[int]) -> list[Workshop]:
    """The workshops of these mandates, in the order they were added."""
    return list(session.scalars(select(Workshop).where(Workshop.mandate_id.in_(mandate_ids))
                                .order_by(Workshop.id)))


def counts(session: Session, mandate_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Subjects and workshops of each of these mandates, in two queries."""
    found = dict.fromkeys(mandate_ids, (0, 0))
    for model, place in ((Subject, 0), (Workshop, 1)):
        rows = session.execute(select(model.mandate_id, func.count()).where(
            model.mandate_id.in_(mandate_ids)).group_by(model.mandate_id))
        for ident, number in rows:
            pair = list(found.get(ident, (0, 0)))
            pair[place] = number
            found[ident] = (pair[0], pair[1])
    return found


def acts_on(session: Session, subject_id: int) -> list[Proposal]:
    """The acts that answer one subject."""
    return list(session.scalars(select(Proposal).where(Proposal.subject_id == subject_id)
                                .order_by(Proposal.id)))
