"""Correct one of the city's answers to an act once it is recorded (``followup.record_answer``).

A typo in the Dutch summary, an English translation written later, a wrong verdict or
date: the secretariat corrects the answer it published, with the same checks as when
it was recorded (a verdict the act's kind accepts, a date not before the act was sent,
a summary or a text kept, the first language's summary kept while other languages
translate it). Only what is given changes; an empty text removes that language's text.
Every correction is an audit entry naming what changed, field by field and language
by language, before and after.

An answer has no version column: a correction guards against a lost update by
comparing the answer's ``revision`` (a digest of its date, verdict, summaries and
texts, as the form or the API read it) with the answer as it is now; a different one
is a ConflictError, and nothing changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from kleroterion.models import Mandate, Proposal, ProposalResponse
from kleroterion.services import audit
from kleroterion.services import texts as prose
from kleroterion.services.context import city_of, get
from kleroterion.services.errors import ConflictError, InvalidInput
from kleroterion.services.followup import SUMMARY_LIMIT, VERDICTS, sent_on
from kleroterion.services.proposals import proposal_kind
from kleroterion.services.values import text_problem
from sqlalchemy.orm import Session

__all__ = ["TEXT_LIMIT", "edit_answer", "revision"]

#: The longest text of an answer in one language, in characters (the API's limit).
TEXT_LIMIT = 100_000


def revision(response: ProposalResponse, first: str) -> str:
    """A digest of what a correction may change: the form or the client sends it back."""
    state = {"on": response.answered_on.isoformat(), "verdict": response.verdict,
             "summary": prose.texts_of(response, "summary", first),
             "text": {k: v for k, v in sorted((response.text or {}).items()) if v}}
    canonical = json.dumps(state, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _checked_text(mandate: Mandate, texts: Mapping[str, str]) -> dict[str, str]:
    languages = city_of(mandate).config.profile.languages
    found: dict[str, str] = {}
    for language, text in texts.items():
        if language not in languages:
            raise InvalidInput("an answer in %(language)r: %(city)s publishes in "
                               "%(accepted)s", language=language, city=mandate.city,
                               accepted=", ".join(languages), field="text")
        unfit = text_problem(text.strip(), TEXT_LIMIT)
        if unfit is not None:
            raise InvalidInput("the %(name)s %(problem)s", name=f"text ({language})",
                               problem=unfit, field="text")
        found[language] = text.strip()
    return found


def _check_verdict(mandate: Mandate, proposal: Proposal, verdict: str) -> None:
    kind = proposal_kind(mandate, proposal.kind)
    accepted = [v.key for v in kind.verdicts if v.key in VERDICTS] or list(VERDICTS)
    if verdict not in accepted:
        raise InvalidInput("%(verdict)r is not a verdict; accepted: %(accepted)s",
                           verdict=verdict, accepted=", ".join(accepted), field="verdict")


def _check_date(mandate: Mandate, proposal: Proposal, response: ProposalResponse,
                on: dt.date) -> None:
    if response.kind in ("first", "final"):
        start = sent_on(proposal, proposal_kind(mandate, proposal.kind))
        if start is not None and on < start:
            raise InvalidInput("the answer date %(date)s is before the act was sent "
                               "(%(sent)s)", date=on.isoformat(), sent=start.isoformat(),
                               field="on")
    if on < proposal.created_on:
        raise InvalidInput("the answer date %(date)s is before the act (%(created)s)",
                           date=on.isoformat(), created=proposal.created_on.isoformat(),
                           field="on")
    if response.year is not None and on.year < response.year:
        raise InvalidInput("a yearly answer for %(year)s: the act dates from %(created)s "
                           "and the answer from %(date)s", year=response.year,
                           created=proposal.created_on.isoformat(), date=on.isoformat(),
                           field="on")


def _after(before: Mapping[str, str], given: Mapping[str, str]) -> dict[str, str]:
    after = {**before, **given}
    return {language: text for language, text in after.items() if text}


def _changes(before: Mapping[str, str], after: Mapping[str, str]) -> dict[str, Any]:
    return {language: {"before": before.get(language, ""), "after": after.get(language, "")}
            for language in sorted(set(before) | set(after))
            if before.get(language, "") != after.get(language, "")}


def edit_answer(session: Session, response_id: int, *,
                summaries: Mapping[str, str] | None = None,
                texts: Mapping[str, str] | None = None, verdict: str | None = None,
                answered_on: dt.date | None = None,
                expected_revision: str | None = None) -> ProposalResponse:
    """Correct a recorded answer: its summary and its text by language, its verdict, its date.

    ``summaries`` and ``texts`` give language -> text; a language left out keeps its
    text, an empty text removes it. ``verdict``: None keeps it, ``""`` removes it.
    ``expected_revision``: the answer's ``revision`` as it was read (a different one
    now is a ConflictError).
    """
    response = get(session, ProposalResponse, response_id)
    proposal = get(session, Proposal, response.proposal_id)
    mandate = get(session, Mandate, proposal.mandate_id)
    first = prose.first_language(mandate.city)
    if expected_revision is not None and expected_revision != revision(response, first):
        raise ConflictError("answer %(id)s was changed by someone else since you read it; "
                            "reload it and try again", id=response.id)
    if summaries is None and texts is None and verdict is None and answered_on is None:
        raise InvalidInput("nothing to change: give a summary, a text, a verdict or a date",
                           field="summary")
    given = prose.checked(mandate.city, {"summary": summaries} if summaries else None,
                          {"summary": SUMMARY_LIMIT})
    text = _checked_text(mandate, texts or {})
    if verdict:
        _check_verdict(mandate, proposal, verdict)
    if answered_on is not None:
        _check_date(mandate, proposal, response, answered_on)
    summary_before = prose.texts_of(response, "summary", first)
    summary_after = _after(summary_before, given.get("summary", {}))
    text_before = {k: v for k, v in (response.text or {}).items() if v}
    text_after = _after(text_before, text)
    if summary_before.get(first) and not summary_after.get(first) and summary_after:
        raise InvalidInput("the summary in %(language)r cannot be removed while other "
                           "languages translate it", language=first, field="summary")
    if not summary_after and not text_after:
        raise InvalidInput("an answer needs a summary or a text", field="summary")
    changes: dict[str, Any] = {}
    if summary_changes := _changes(summary_before, summary_after):
        changes["summary"] = summary_changes
        prose.apply(response, first, given)
    if text_changes := _changes(text_before, text_after):
        changes["text"] = text_changes
        response.text = text_after  # a new mapping: the JSON column sees the change
    new_verdict = response.verdict if verdict is None else (verdict or None)
    if new_verdict != response.verdict:
        changes["verdict"] = {"before": response.verdict, "after": new_verdict}
        response.verdict = new_verdict
    if answered_on is not None and answered_on != response.answered_on:
        changes["on"] = {"before": response.answered_on.isoformat(),
                         "after": answered_on.isoformat()}
        response.answered_on = answered_on
    if changes:
        session.flush()
        audit.record(session, "followup.answer_edit", "proposal", proposal.id,
                     answer=response.id, key=response.deadline_key, changes=changes)
    return response
