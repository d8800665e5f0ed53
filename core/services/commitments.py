"""Commitments of the follow-up ("droit de suite") and their dated milestones.

A commitment is a measure the city takes for an adopted act: a title, the
responsible department (and a named person where the city requires one per
measure), a status, a progress in percent and milestones. Its title and department,
and a milestone's title, are written in each language of the city's site: the
column holds the city's first language's text and ``texts`` the others
(``{"title": {"en": "..."}, "department": {"en": "..."}}``), as ``services.texts``
does for sessions and answers. ``services.followup`` re-exports what is here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from kleroterion.models import Commitment, Mandate, Milestone, Proposal
from kleroterion.services import audit
from kleroterion.services import texts as prose
from kleroterion.services.context import check_version, city_of, conflicts, flush, get
from kleroterion.services.errors import InvalidInput, NotAllowed
from kleroterion.services.proposals import outcome
from sqlalchemy.orm import Session

STATUSES = ("planned", "in_progress", "done", "abandoned")
CLOSED = ("done", "abandoned")
#: A commitment's prose by language, and each field's length limit.
COMMITMENT_TEXTS: dict[str, int | None] = {"title": 300, "department": 200}
MILESTONE_TEXTS: dict[str, int | None] = {"title": 300}


def _given(city_slug: str, limits: Mapping[str, int | None],
           fields: Mapping[str, tuple[str | None, Mapping[str, str] | None]]
           ) -> dict[str, dict[str, str]]:
    """Each field's texts by language, checked: its ``by_language`` texts and, for the
    city's first language when they do not give it, its single ``text``."""
    first = prose.first_language(city_slug)
    merged: dict[str, dict[str, str]] = {}
    for field, (text, by_language) in fields.items():
        values = dict(by_language or {})
        if text is not None and text.strip() and not values.get(first, "").strip():
            values[first] = text
        if values:
            merged[field] = values
    return prose.checked(city_slug, merged, limits)


def _unwritten(given: Mapping[str, Mapping[str, str]], first: str, field: str, *,
               required: bool) -> bool:
    """Whether ``given`` leaves ``field`` empty in the city's first language (the column
    is never empty): not given at all when ``required``, or given empty."""
    values = given.get(field, {})
    return (required or first in values) and not values.get(first)


def _check_first(given: Mapping[str, Mapping[str, str]], first: str, *,
                 required: bool) -> None:
    """Refuse a commitment without its title or department in the first language."""
    if _unwritten(given, first, "title", required=required):
        raise InvalidInput("a commitment needs a title in %(language)r, the city's first "
                           "language", language=first, field="title")
    if _unwritten(given, first, "department", required=required):
        raise InvalidInput("a commitment needs a responsible department in %(language)r, "
                           "the city's first language", language=first, field="department")


def _check_milestone(given: Mapping[str, Mapping[str, str]], first: str, *,
                     required: bool) -> None:
    if _unwritten(given, first, "title", required=required):
        raise InvalidInput("a milestone needs a title in %(language)r, the city's first "
                           "language", language=first, field="title")


def add_commitment(session: Session, proposal_id: int, title: str, department: str, on: dt.date,
                   *, responsible: str = "", due_on: dt.date | None = None,
                   titles: Mapping[str, str] | None = None,
                   departments: Mapping[str, str] | None = None) -> Commitment:
    """Open a commitment for an adopted act.

    ``titles`` and ``departments`` give them by language (``title`` and ``department``
    are the city's first language's, when those do not give it)."""
    proposal = get(session, Proposal, proposal_id)
    mandate = get(session, Mandate, proposal.mandate_id)
    if outcome(session, proposal) != "adopted":
        raise NotAllowed("proposal %(proposal)s is %(state)r; commitments follow an adopted "
                         "act", proposal=proposal_id, state=proposal.state)
    given = _given(mandate.city, COMMITMENT_TEXTS,
                   {"title": (title, titles), "department": (department, departments)})
    first = prose.first_language(mandate.city)
    _check_first(given, first, required=True)
    responsible = responsible.strip()
    _check_responsible(mandate, responsible)
    decided = proposal.transitions[-1].on if proposal.transitions else proposal.created_on
    if on < decided:
        raise InvalidInput("%(date)s is before the act was adopted (%(adopted)s)",
                           date=on.isoformat(), adopted=decided.isoformat(), field="on")
    if due_on is not None and due_on < on:
        raise InvalidInput("the due date %(due)s is before %(date)s", due=due_on.isoformat(),
                           date=on.isoformat(), field="due_on")
    commitment = Commitment(title="", department="", responsible=responsible,
                            status="planned", progress=0, due_on=due_on, created_on=on,
                            texts={})
    prose.apply(commitment, first, given)
    proposal.commitments.append(commitment)
    session.flush()
    audit.record(session, "followup.commit", "commitment", commitment.id,
                 proposal=proposal.id, title=commitment.title,
                 department=commitment.department, texts=given,
                 responsible_named=bool(responsible), due_on=due_on, on=on)
    return commitment


def _check_responsible(mandate: Mandate, responsible: str) -> None:
    """Where the city names a person per measure, a commitment always has one."""
    if city_of(mandate).config.accountability.owner_per_measure and not responsible:
        raise InvalidInput("%(city)s names a person responsible for each measure; none was "
                           "given", city=mandate.city, field="responsible")


@conflicts
def update_commitment(session: Session, commitment_id: int, *, status: str | None = None,
                      progress: int | None = None, due_on: dt.date | None = None,
                      responsible: str | None = None,
                      titles: Mapping[str, str] | None = None,
                      departments: Mapping[str, str] | None = None,
                      expected_version: int | None = None) -> Commitment:
    """Change a commitment's status, progress, due date, responsible person, or its
    title or department in some languages (an empty text removes that language's,
    except the city's first language's, which a commitment always has)."""
    commitment = get(session, Commitment, commitment_id)
    check_version(commitment, expected_version)
    mandate = get(session, Mandate, commitment.proposal.mandate_id)
    given = prose.checked(mandate.city, {name: values for name, values in
                                         (("title", titles), ("department", departments))
                                         if values}, COMMITMENT_TEXTS)
    first = prose.first_language(mandate.city)
    _check_first(given, first, required=False)
    changes: dict[str, object] = {}
    if status is not None:
        if status not in STATUSES:
            raise InvalidInput("%(status)r is not a status; accepted: %(accepted)s",
                               status=status, accepted=", ".join(STATUSES), field="status")
        changes["status"] = status
    if progress is not None:
        if not 0 <= progress <= 100:
            raise InvalidInput("progress is a percentage from 0 to 100, not %(progress)s",
                               progress=progress, field="progress")
        changes["progress"] = progress
    if due_on is not None:
        if due_on < commitment.created_on:
            raise InvalidInput("the due date %(due)s is before the commitment (%(created)s)",
                               due=due_on.isoformat(),
                               created=commitment.created_on.isoformat(), field="due_on")
        changes["due_on"] = due_on
    if responsible is not None:
        _check_responsible(mandate, responsible.strip())
        changes["responsible"] = responsible.strip()
    if not changes and not given:
        raise InvalidInput("nothing to change: give a status, a progress, a due date, a "
                           "responsible person, a title or a department", field="status")
    if changes.get("status") == "done" and "progress" not in changes:
        changes["progress"] = 100
    for name, value in changes.items():
        setattr(commitment, name, value)
    written = prose.apply(commitment, first, given)
    if written:
        changes["texts"] = written
    flush(session, commitment)
    # The person's name is personal data: the log says it changed, the row holds it
    # (and the purge and the right of access reach it there, not in the log).
    if "responsible" in changes:
        changes["responsible"] = "changed" if changes["responsible"] else "removed"
    audit.record(session, "followup.update", "commitment", commitment.id,
                 version=commitment.version, **changes)
    return commitment


def add_milestone(session: Session, commitment_id: int, title: str, due_on: dt.date, *,
                  titles: Mapping[str, str] | None = None) -> Milestone:
    """Add a dated milestone to a commitment; ``titles`` gives its title by language
    (``title`` is the city's first language's, when ``titles`` does not give it)."""
    commitment = get(session, Commitment, commitment_id)
    mandate = get(session, Mandate, commitment.proposal.mandate_id)
    given = _given(mandate.city, MILESTONE_TEXTS, {"title": (title, titles)})
    first = prose.first_language(mandate.city)
    _check_milestone(given, first, required=True)
    if due_on < commitment.created_on:
        raise InvalidInput("the milestone date %(due)s is before the commitment (%(created)s)",
                           due=due_on.isoformat(), created=commitment.created_on.isoformat(),
                           field="due_on")
    milestone = Milestone(title="", due_on=due_on, texts={})
    prose.apply(milestone, first, given)
    commitment.milestones.append(milestone)
    session.flush()
    audit.record(session, "followup.milestone", "milestone", milestone.id,
                 commitment=commitment.id, title=milestone.title, texts=given, due_on=due_on)
    return milestone


@conflicts
def update_milestone(session: Session, milestone_id: int, titles: Mapping[str, str], *,
                     expected_version: int | None = None) -> Milestone:
    """Write a milestone's title in some languages (an empty text removes that
    language's, except the city's first language's)."""
    milestone = get(session, Milestone, milestone_id)
    check_version(milestone, expected_version)
    mandate = get(session, Mandate, milestone.commitment.proposal.mandate_id)
    given = prose.checked(mandate.city, {"title": titles} if titles else None, MILESTONE_TEXTS)
    if not given:
        raise InvalidInput("nothing to change: give the milestone's title in a language",
                           field="title")
    first = prose.first_language(mandate.city)
    _check_milestone(given, first, required=False)
    written = prose.apply(milestone, first, given)
    flush(session, milestone)
    audit.record(session, "followup.milestone_update", "milestone", milestone.id,
                 version=milestone.version, texts=written)
    return milestone


@conflicts
def complete_milestone(session: Session, milestone_id: int, on: dt.date, *,
                       expected_version: int | None = None) -> Milestone:
    """Mark a milestone done on ``on``: once, however many users mark it at the same time."""
    milestone = get(session, Milestone, milestone_id)
    check_version(milestone, expected_version)
    if milestone.done_on is not None:
        raise NotAllowed("milestone %(milestone)s was already done on %(done)s",
                         milestone=milestone_id, done=milestone.done_on.isoformat(), field="on")
    if on < milestone.commitment.created_on:
        raise InvalidInput("%(date)s is before the commitment (%(created)s)",
                           date=on.isoformat(),
                           created=milestone.commitment.created_on.isoformat(), field="on")
    milestone.done_on = on
    flush(session, milestone)  # a concurrent mark wins alone: this one is a conflict
    audit.record(session, "followup.milestone_done", "milestone", milestone.id, on=on,
                 version=milestone.version)
    return milestone
