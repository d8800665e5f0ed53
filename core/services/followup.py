"""Follow-up ("droit de suite"): commitments from adopted acts, deadlines, overdue, reports.

Commitments are opened from an act whose state's outcome is "adopted"; each has a
responsible department (and a named person where the city requires one per
measure), a status, a progress in percent and dated milestones (``services.commitments``,
re-exported here). The city's
response deadlines (Brussels: a first answer within 3 months, a final one within
12) run from the day the act was sent to its addressee: the day it entered the
state its kind marks ``sent`` (see ``sent_on``).
The yearly report lists, per act of a mandate, its state, the answers due and
given, and every commitment as of the report's date.

Refusals carry ``field``, the parameter they are about, so the back office and the
API show them next to the right input; a form that was read before someone else's
change gets a ConflictError (``expected_version``, or a response recorded twice at
once), never a silent overwrite.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from kleroterion import spreadsheet
from kleroterion.city.types import ProposalKind, localize
from kleroterion.models import Commitment, Mandate, Milestone, Proposal, ProposalResponse
from kleroterion.services import audit
from kleroterion.services import texts as prose

# Commitments and milestones live in services.commitments; followup's callers keep them.
from kleroterion.services.commitments import (
    CLOSED as CLOSED,
)
from kleroterion.services.commitments import (
    STATUSES as STATUSES,
)
from kleroterion.services.commitments import (
    add_commitment as add_commitment,
)
from kleroterion.services.commitments import (
    add_milestone as add_milestone,
)
from kleroterion.services.commitments import (
    complete_milestone as complete_milestone,
)
from kleroterion.services.commitments import (
    update_commitment as update_commitment,
)
from kleroterion.services.commitments import (
    update_milestone as update_milestone,
)
from kleroterion.services.context import add_months, city_of, get
from kleroterion.services.errors import ConflictError, InvalidInput, NotAllowed
from kleroterion.services.proposals import INTERNAL_ACTORS, outcome, proposal_kind, state_of
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session


def sent_on(proposal: Proposal, kind: ProposalKind) -> dt.date | None:
    """The day the act went to its addressee, from which response deadlines run.

    That is the day it first entered the state its kind marks ``sent``; for a kind
    with no such state, its first move made by the secretariat, else its first move
    out of the assembly's hands.
    """
    marked = [state.key for state in kind.states if state.sent]
    if marked:
        for step in proposal.transitions:
            if step.target == marked[0]:
                return step.on
        return None
    for step in proposal.transitions:
        if step.actor == "secretariat":
            return step.on
    for step in proposal.transitions:
        if step.actor not in INTERNAL_ACTORS:
            return step.on
    return None


@dataclass(frozen=True)
class Deadline:
    """A response the addressee owes for one act."""

    proposal_id: int
    key: str
    label: str
    by: str
    due_on: dt.date
    answered_on: dt.date | None

    def overdue(self, today: dt.date) -> bool:
        return self.answered_on is None and today > self.due_on


def deadlines(session: Session, proposal_id: int) -> list[Deadline]:
    proposal = get(session, Proposal, proposal_id)
    mandate = get(session, Mandate, proposal.mandate_id)
    start = sent_on(proposal, proposal_kind(mandate, proposal.kind))
    if start is None:
        return []
    answers = {r.deadline_key: r.answered_on for r in proposal.responses}
    city = city_of(mandate)
    kind = proposal_kind(mandate, proposal.kind)
    return [
        Deadline(proposal.id, rule.key, localize(rule.label, "en"), rule.by,
                 city.hook.response_due(city=city.config, kind=kind, deadline=rule,
                                        sent_on=start),
                 answers.get(rule.key))
        for rule in city.config.accountability.response_deadlines
    ]


SUMMARY_LIMIT = 2000


def summaries_of(mandate: Mandate, summary: str, summaries: Mapping[str, str] | None
                 ) -> dict[str, dict[str, str]]:
    return prose.one_field(mandate.city, "summary", summary, summaries, SUMMARY_LIMIT)


def record_response(session: Session, proposal_id: int, deadline_key: str, on: dt.date,
                    summary: str = "", summaries: Mapping[str, str] | None = None
                    ) -> ProposalResponse:
    """Record the addressee's answer to one of the city's response deadlines.

    ``summaries`` gives the summary by language (``summary`` is the city's first
    language's)."""
    proposal = get(session, Proposal, proposal_id)
    mandate = get(session, Mandate, proposal.mandate_id)
    given = summaries_of(mandate, summary, summaries)
    rules = city_of(mandate).config.accountability.response_deadlines
    if deadline_key not in [r.key for r in rules]:
        if not rules:
            raise InvalidInput("%(city)s sets no response deadline %(key)r; its deadlines: "
                               "none", city=mandate.city, key=deadline_key,
                               field="deadline_key")
        raise InvalidInput("%(city)s sets no response deadline %(key)r; its deadlines: "
                           "%(known)s", city=mandate.city, key=deadline_key,
                           known=", ".join(r.key for r in rules), field="deadline_key")
    start = sent_on(proposal, proposal_kind(mandate, proposal.kind))
    if start is None:
        raise NotAllowed("proposal %(proposal)s was not sent to its addressee yet",
                         proposal=proposal_id, field="deadline_key")
    if on < start:
        raise InvalidInput("the answer date %(date)s is before the act was sent (%(sent)s)",
                           date=on.isoformat(), sent=start.isoformat(), field="on")
    if any(r.deadline_key == deadline_key for r in proposal.responses):
        raise NotAllowed("the %(key)r answer to proposal %(proposal)s is already recorded",
                         key=deadline_key, proposal=proposal_id, field="deadline_key")
    response = ProposalResponse(deadline_key=deadline_key, answered_on=on, summary="",
                                kind="first" if deadline_key == rules[0].key else "final",
                                texts={})
    prose.apply(response, prose.first_language(mandate.city), given)
    proposal.responses.append(response)
    try:
        session.flush()
    except IntegrityError:
        # Another transaction recorded the same answer after this one read the act.
        raise ConflictError("the %(key)r answer to proposal %(proposal)s was recorded by "
                            "someone else at the same time; reload it", key=deadline_key,
                            proposal=proposal_id) from None
    audit.record(session, "followup.respond", "proposal", proposal.id, deadline=deadline_key,
                 on=on, summary=response.summary, texts=given)
    return response


ANSWER_KINDS = ("first", "final", "yearly", "reasons")
VERDICTS = ("retained", "partly_retained", "not_retained")


def answers_due(session: Session, proposal: Proposal) -> list[str]:
    """The kinds of answer the city owes for ``proposal`` now, from its accountability rules.

    First and final answers follow the city's response deadlines (the first and the
    last), once the act was sent; yearly report entries follow every adopted act of a
    city that reports periodically (Paris: once a year, on every act the Conseil de
    Paris adopted); reasons follow a verdict that does not retain the act in full.
    """
    mandate = get(session, Mandate, proposal.mandate_id)
    rules = city_of(mandate).config.accountability
    kinds: list[str] = []
    if rules.response_deadlines and sent_on(proposal, proposal_kind(mandate, proposal.kind)):
        kinds += ["first", "final"] if len(rules.response_deadlines) > 1 else ["first"]
    if rules.report_every_months and outcome(session, proposal) == "adopted":
        kinds.append("yearly")
    if any(r.verdict in ("partly_retained", "not_retained") for r in proposal.responses):
        kinds.append("reasons")
    return kinds


def answers_due_for(session: Session, proposal_id: int) -> list[str]:
    """``answers_due`` of the act ``proposal_id``."""
    return answers_due(session, get(session, Proposal, proposal_id))


def record_answer(session: Session, proposal_id: int, kind: str, on: dt.date, *,
                  summary: str = "", summaries: Mapping[str, str] | None = None,
                  text: dict[str, str] | None = None, verdict: str | None = None,
                  year: int | None = None) -> ProposalResponse:
    """Record one of the city's answers to an act, published with the act.

    ``kind``: ``first`` or ``final`` (the city's response deadlines), ``yearly`` (an
    entry of the periodic report, for ``year``), ``reasons`` (why a recommendation is
    not, or only partly, retained). ``verdict`` (retained, partly retained, not
    retained) is kept apart from implementation progress. An answer the city does not
    owe for this act is refused with the reason. ``summaries`` gives the one-line
    summary by language (``summary`` is the city's first language's).
    """
    proposal = get(session, Proposal, proposal_id)
    mandate = get(session, Mandate, proposal.mandate_id)
    rules = city_of(mandate).config.accountability
    if kind not in ANSWER_KINDS:
        raise InvalidInput("%(kind)r is not a kind of answer; accepted: %(accepted)s",
                           kind=kind, accepted=", ".join(ANSWER_KINDS), field="kind")
    if verdict is not None and verdict not in VERDICTS:
        raise InvalidInput("%(verdict)r is not a verdict; accepted: %(accepted)s",
                           verdict=verdict, accepted=", ".join(VERDICTS), field="verdict")
    languages = city_of(mandate).config.profile.languages
    texts = {k: v.strip() for k, v in (text or {}).items() if v.strip()}
    for language in texts:
        if language not in languages:
            raise InvalidInput("an answer in %(language)r: %(city)s publishes in "
                               "%(accepted)s", language=language, city=mandate.city,
                               accepted=", ".join(languages), field="text")
    given = summaries_of(mandate, summary, summaries)
    if not any(given.get("summary", {}).values()) and not texts:
        raise InvalidInput("an answer needs a summary or a text", field="summary")
    due = answers_due(session, proposal)
    if kind not in due:
        if kind in ("first", "final") and not rules.response_deadlines:
            raise NotAllowed("%(city)s sets no response deadline: it answers in its periodic "
                             "report (kind yearly), not with a %(kind)s answer",
                             city=mandate.city, kind=kind, field="kind")
        if kind in ("first", "final"):
            raise NotAllowed("proposal %(proposal)s was not sent to its addressee yet: no "
                             "answer is due", proposal=proposal.id, field="kind")
        if kind == "yearly" and not rules.report_every_months:
            raise NotAllowed("%(city)s makes no periodic report: its answers are first and "
                             "final answers", city=mandate.city, field="kind")
        if kind == "yearly":
            raise NotAllowed("proposal %(proposal)s is %(state)r: the periodic report "
                             "follows adopted acts only", proposal=proposal.id,
                             state=proposal.state, field="kind")
        raise NotAllowed("no answer of proposal %(proposal)s said it is not or only partly "
                         "retained: no reasons are due", proposal=proposal.id, field="kind")
    if kind == "yearly":
        if year is None:
            year = on.year
        if not proposal.created_on.year <= year <= on.year:
            raise InvalidInput("a yearly answer for %(year)s: the act dates from %(created)s "
                               "and the answer from %(date)s", year=year,
                               created=proposal.created_on.isoformat(), date=on.isoformat(),
                               field="year")
        key = f"yearly-{year}"
    elif kind == "reasons":
        key = "reasons"
    else:
        deadlines_ = rules.response_deadlines
        key = (deadlines_[0] if kind == "first" else deadlines_[-1]).key
        year = None
    if kind in ("first", "final"):
        response = record_response(session, proposal.id, key, on, summary, summaries)
    else:
        if on < proposal.created_on:
            raise InvalidInput("the answer date %(date)s is before the act (%(created)s)",
                               date=on.isoformat(), created=proposal.created_on.isoformat(),
                               field="on")
        if any(r.deadline_key == key for r in proposal.responses):
            raise NotAllowed("the %(key)r answer to proposal %(proposal)s is already recorded",
                             key=key, proposal=proposal.id, field="kind")
        response = ProposalResponse(deadline_key=key, answered_on=on, summary="", texts={})
        prose.apply(response, prose.first_language(mandate.city), given)
        proposal.responses.append(response)
        try:
            session.flush()
        except IntegrityError:
            raise ConflictError("the %(key)r answer to proposal %(proposal)s was recorded by "
                                "someone else at the same time; reload it", key=key,
                                proposal=proposal.id) from None
    response.kind, response.year, response.text, response.verdict = kind, year, texts, verdict
    session.flush()
    audit.record(session, "followup.answer", "proposal", proposal.id, kind=kind, key=key,
                 on=on, verdict=verdict, year=year, languages=sorted(texts))
    return response


@dataclass(frozen=True)
class Overdue:
    """Something late on ``today``: a response, a commitment, a milestone or a periodic report."""

    what: str  # response | commitment | milestone | report
    ident: int
    proposal_id: int | None
    mandate_id: int
    title: str
    due_on: dt.date

    def __str__(self) -> str:
        where = f"proposal {self.proposal_id}, " if self.proposal_id is not None else ""
        return (f"{self.what} {self.ident} ({where}mandate {self.mandate_id}): {self.title}, "
                f"due {self.due_on.isoformat()}")


def _adopted_on(session: Session, mandate: Mandate) -> dt.date | None:
    """The day the mandate's first act was adopted, if any."""
    days = []
    for proposal in session.scalars(select(Proposal).where(Proposal.mandate_id == mandate.id)):
        kind = proposal_kind(mandate, proposal.kind)
        adopted = {s.key for s in kind.states if s.outcome == "adopted"}
        days += [step.on for step in proposal.transitions if step.target in adopted]
    return min(days) if days else None


def report_due(session: Session, mandate_id: int) -> dt.date | None:
    """When the mandate's next periodic follow-up report is due, for cities that report.

    The first is due ``report_every_months`` after the first act was adopted; each
    report made for a year (``report``) moves the next one to that many months after
    31 December of that year. None when the city sets no period or nothing was adopted.
    """
    mandate = get(session, Mandate, mandate_id)
    every = city_of(mandate).config.accountability.report_every_months
    start = _adopted_on(session, mandate)
    if not every or start is None:
        return None
    for entry in audit.entries(session, entity="mandate", entity_id=mandate.id):
        if entry.action == "followup.report":
            year = json.loads(entry.data).get("year")
            if isinstance(year, int):
                start = max(start, dt.date(year, 12, 31))
    return add_months(start, every)


def overdue(session: Session, today: dt.date, *, city: str | None = None,
            mandate_id: int | None = None) -> list[Overdue]:
    """Responses, commitments, milestones and periodic reports past due on ``today``."""
    query = select(Proposal).join(Mandate).order_by(Proposal.id)
    if city:
        query = query.where(Mandate.city == city)
    if mandate_id is not None:
        get(session, Mandate, mandate_id)
        query = query.where(Proposal.mandate_id == mandate_id)
    late: list[Overdue] = []
    for proposal in session.scalars(query):
        for deadline in deadlines(session, proposal.id):
            if deadline.overdue(today):
                late.append(Overdue("response", proposal.id, proposal.id, proposal.mandate_id,
                                    f"{deadline.label} by {deadline.by}", deadline.due_on))
        for commitment in proposal.commitments:
            if commitment.status in CLOSED:
                continue
            if commitment.due_on is not None and today > commitment.due_on:
                late.append(Overdue("commitment", commitment.id, proposal.id,
                                    proposal.mandate_id, commitment.title, commitment.due_on))
            for milestone in commitment.milestones:
                if milestone.done_on is None and today > milestone.due_on:
                    late.append(Overdue("milestone", milestone.id, proposal.id,
                                        proposal.mandate_id, milestone.title, milestone.due_on))
    mandates = select(Mandate).order_by(Mandate.id)
    if city:
        mandates = mandates.where(Mandate.city == city)
    if mandate_id is not None:
        mandates = mandates.where(Mandate.id == mandate_id)
    for mandate in session.scalars(mandates):
        due = report_due(session, mandate.id)
        if due is not None and today > due:
            late.append(Overdue("report", mandate.id, None, mandate.id,
                                "periodic follow-up report (followup report)", due))
    return sorted(late, key=lambda item: (item.due_on, item.what, item.ident))


def _report_rows(session: Session, mandate: Mandate, as_of: dt.date,
                 day: Callable[[dt.date], str] = dt.date.isoformat,
                 language: str = "en") -> list[dict[str, str]]:
    first = prose.first_language(mandate.city)

    def written_in(row: Commitment | Milestone, field: str) -> str:
        # A text in the report's language if the secretariat wrote it, else the city's
        # first language's.
        written = prose.texts_of(row, field, first)
        return written.get(language) or next(iter(written.values()), "")

    rows = []
    for proposal in session.scalars(select(Proposal).where(Proposal.mandate_id == mandate.id)
                                    .order_by(Proposal.id)):
        kind = proposal_kind(mandate, proposal.kind)
        state = state_of(kind, proposal.state)
        answers = "; ".join(
            f"{d.label}: due {day(d.due_on)}, "
            + (f"answered {day(d.answered_on)}" if d.answered_on else
               ("OVERDUE" if d.overdue(as_of) else "pending"))
            for d in deadlines(session, proposal.id))
        # The act's title in the report's language, else in the city's first one.
        title = localize(prose.texts_of(proposal, "title", first), language, first)
        base = {"proposal": str(proposal.id), "kind": kind.key, "title": title,
                "state": localize(state.label, "en"), "outcome": state.outcome,
                "responses": answers}
        if not proposal.commitments:
            rows.append({**base, "commitment": "", "department": "", "responsible": "",
                         "status": "", "progress": "", "due_on": "", "milestones": ""})
        for commitment in proposal.commitments:
            late = (commitment.status not in CLOSED and commitment.due_on is not None
                    and as_of > commitment.due_on)
            milestones = "; ".join(
                f"{written_in(m, 'title')} ({day(m.due_on)}: "
                + (f"done {day(m.done_on)})" if m.done_on else "open)")
                for m in commitment.milestones)
            rows.append({**base, "commitment": written_in(commitment, "title"),
                         "department": written_in(commitment, "department"),
                         "responsible": commitment.responsible,
                         "status": commitment.status + (" (overdue)" if late else ""),
                         "progress": f"{commitment.progress}%",
                         "due_on": day(commitment.due_on) if commitment.due_on else "",
                         "milestones": milestones})
    return rows


#: What CommonMark reads as markup (HTML, links, emphasis, tables) when it is not escaped.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()<>#|!~&{}])")


def markdown_text(text: str) -> str:
    """``text`` as literal Markdown: no raw HTML, no link (``javascript:`` or other), one line.

    Titles, departments and summaries are typed by members and the secretariat; a
    report rendered to HTML must show them, never run them.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def french_date(day: dt.date) -> str:
    """DD/MM/YYYY, as French spreadsheets and readers expect."""
    return day.strftime("%d/%m/%Y")


REPORT_COLUMNS = ("proposal", "kind", "title", "state", "outcome", "responses", "commitment",
                  "department", "responsible", "status", "progress", "due_on", "milestones")


def report(session: Session, mandate_id: int, year: int, fmt: str = "markdown",
           *, french: bool = False, public: bool = False) -> str:
    """The follow-up report of a mandate as of 31 December of ``year`` (markdown or csv).

    ``public`` is for the public site: the name of the person responsible for a
    measure is personal data, so it gives only whether one was named.
    """
    mandate = get(session, Mandate, mandate_id)
    if year < mandate.starts_on.year:
        raise InvalidInput("mandate %(mandate)s started in %(started)s; no report for "
                           "%(year)s", mandate=mandate.id, started=mandate.starts_on.year,
                           year=year)
    as_of = dt.date(year, 12, 31)
    day = french_date if french else dt.date.isoformat
    rows = _report_rows(session, mandate, as_of, day, "fr" if french else "en")
    if public:
        for row in rows:
            if row["responsible"]:
                row["responsible"] = "named"
    audit.record(session, "followup.report", "mandate", mandate.id, year=year, format=fmt)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = spreadsheet.dict_writer(buffer, REPORT_COLUMNS,
                                         delimiter=";" if french else ",",
                                         lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue()
    if fmt != "markdown":
        raise InvalidInput("%(format)r is not a report format; accepted: markdown, csv",
                           format=fmt)
    profile = city_of(mandate).config.profile
    lines = [f"# Follow-up report {year}: {localize(profile.assembly_name, 'en')}, "
             f"{markdown_text(mandate.label)}", "",
             f"State as of {day(as_of)}; mandate {mandate.id} "
             f"({day(mandate.starts_on)} to {day(mandate.ends_on)}).", ""]
    done = sum(1 for r in rows if r["status"].startswith("done"))
    total = sum(1 for r in rows if r["commitment"])
    lines += [f"{len({r['proposal'] for r in rows})} acts, {total} commitments, {done} done.", ""]
    current = None
    for row in rows:
        if row["proposal"] != current:
            current = row["proposal"]
            if lines[-1]:
                lines.append("")
            lines += [f"## {markdown_text(row['title'])} ({row['kind']}, proposal "
                      f"{row['proposal']})", "",
                      f"State: {markdown_text(row['state'])}"
                      + (f" ({row['outcome']})" if row['outcome'] else ""), ""]
            if row["responses"]:
                lines += [f"Responses: {markdown_text(row['responses'])}", ""]
            if any(r["commitment"] for r in rows if r["proposal"] == current):
                lines += ["| commitment | department | responsible | status | progress | due "
                          "| milestones |", "| --- | --- | --- | --- | --- | --- | --- |"]
        if row["commitment"]:
            cells = [markdown_text(row[c]) for c in ("commitment", "department",
                     "responsible", "status", "progress", "due_on", "milestones")]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines).rstrip() + "\n"
