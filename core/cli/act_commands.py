"""Commands of the assembly's acts and their follow-up: proposals, responses, commitments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from kleroterion.cli.record import parse_texts
from kleroterion.cli.running import (
    DATE,
    FRENCH,
    OUT,
    VERSION,
    transaction,
    write_or_echo,
)
from kleroterion.models import (
    Proposal,
)
from kleroterion.services import (
    answer_edits,
    followup,
    proposals,
)
from kleroterion.services.context import get
from kleroterion.services.context import today as context_today
from sqlalchemy.orm import Session

# --------------------------------------------------------------------------- proposals


@click.group(name="proposal")
def proposal_group() -> None:
    """Proposals: acts of the kinds the city allows, through its lifecycle."""


@proposal_group.command(name="create")
@click.argument("mandate_id", type=int)
@click.argument("kind")
@click.argument("title")
@click.option("--date", "on", type=DATE, required=True, help="Date the work began.")
@click.option("--title-in", "titles", multiple=True, metavar="LANG=TEXT",
              help="The title in another language of the site (repeat; TITLE is the "
                   "city's first language's).")
@transaction
def proposal_create(session: Session, mandate_id: int, kind: str, title: str,
                    on: dt.date, titles: tuple[str, ...]) -> None:
    """Create a proposal of KIND in its initial state."""
    proposal = proposals.create(session, mandate_id, kind, title, on,
                                titles=parse_texts(titles, "--title-in"))
    click.echo(f"proposal {proposal.id}: {kind}, {proposal.state}")


@proposal_group.command(name="move")
@click.argument("proposal_id", type=int)
@click.argument("target")
@click.option("--date", "on", type=DATE, required=True, help="Date of the move.")
@click.option("--reason", default="", help="Why (a vote, a decision, a letter...).")
@click.option("--reason-in", "reasons", multiple=True, metavar="LANG=TEXT",
              help="The reason in one language of the site (repeat).")
@click.option("--by", default=None, help="The actor (assembly, council...), checked against "
              "the city's lifecycle.")
@VERSION
@transaction
def proposal_move(session: Session, proposal_id: int, target: str, on: dt.date, reason: str,
                  reasons: tuple[str, ...], by: str | None,
                  expected_version: int | None) -> None:
    """Move a proposal to TARGET, if the city's lifecycle allows it."""
    step = proposals.move(session, proposal_id, target, on, reason=reason,
                          reasons=parse_texts(reasons, "--reason-in"), by=by,
                          expected_version=expected_version)
    click.echo(f"proposal {proposal_id}: {step.source} → {step.target} ({step.actor}, {on})")


@proposal_group.command(name="show")
@click.argument("proposal_id", type=int)
@transaction
def proposal_show(session: Session, proposal_id: int) -> None:
    """Show a proposal, its transitions, the moves allowed and its deadlines."""
    proposal = get(session, Proposal, proposal_id)
    click.echo(f"proposal {proposal.id} (version {proposal.version}): {proposal.kind} "
               f"«{proposal.title}», state {proposal.state}")
    for step in proposal.transitions:
        click.echo(f"  {step.on} {step.source} → {step.target} by {step.actor} "
                   f"(entered by {step.recorded_by}){': ' + step.reason if step.reason else ''}")
    moves = proposals.allowed_moves(session, proposal.id)
    click.echo("  allowed: " + (", ".join(f"{t} (by {a})" for t, a in moves) or "none"))
    for deadline in followup.deadlines(session, proposal.id):
        state = (f"answered {deadline.answered_on}" if deadline.answered_on else "pending")
        click.echo(f"  deadline {deadline.key}: due {deadline.due_on}, {state}")
    for c in proposal.commitments:
        click.echo(f"  commitment {c.id} (v{c.version}): {c.title}, {c.department}, "
                   f"{c.status} {c.progress}%")


@proposal_group.command(name="list")
@click.argument("mandate_id", type=int)
@transaction
def proposal_list(session: Session, mandate_id: int) -> None:
    """List a mandate's proposals."""
    for p in proposals.list_proposals(session, mandate_id):
        click.echo(f"{p.id}\t{p.kind}\t{p.state}\t{p.title}")


# --------------------------------------------------------------------------- follow-up


@click.group(name="followup")
def followup_group() -> None:
    """Follow-up: commitments, milestones, answers and corrections, overdue list, report."""


@followup_group.command(name="commit")
@click.argument("proposal_id", type=int)
@click.argument("title")
@click.option("--title-in", "titles", multiple=True, metavar="LANG=TEXT",
              help="The title in one language of the site (repeat).")
@click.option("--department", default="", help="The responsible department (the city's "
              "first language; required unless --department-in gives it).")
@click.option("--department-in", "departments", multiple=True, metavar="LANG=TEXT",
              help="The department in one language of the site (repeat).")
@click.option("--responsible", default="", help="The person responsible for the measure.")
@click.option("--date", "on", type=DATE, required=True, help="Date of the commitment.")
@click.option("--due", type=DATE, default=None, help="Due date.")
@transaction
def followup_commit(session: Session, proposal_id: int, title: str, titles: tuple[str, ...],
                    department: str, departments: tuple[str, ...],
                    responsible: str, on: dt.date, due: dt.date | None) -> None:
    """Open a commitment for an adopted act."""
    c = followup.add_commitment(session, proposal_id, title, department, on,
                                responsible=responsible, due_on=due,
                                titles=parse_texts(titles, "--title-in"),
                                departments=parse_texts(departments, "--department-in"))
    click.echo(f"commitment {c.id}: {c.title}")


@followup_group.command(name="update")
@click.argument("commitment_id", type=int)
@click.option("--status", type=click.Choice(followup.STATUSES), default=None,
              help="New status.")
@click.option("--progress", type=click.IntRange(0, 100), default=None, help="Percent done.")
@click.option("--due", type=DATE, default=None, help="New due date.")
@click.option("--responsible", default=None, help="New responsible person.")
@click.option("--title-in", "titles", multiple=True, metavar="LANG=TEXT",
              help="The title in one language of the site (repeat; empty removes it).")
@click.option("--department-in", "departments", multiple=True, metavar="LANG=TEXT",
              help="The department in one language of the site (repeat; empty removes it).")
@VERSION
@transaction
def followup_update(session: Session, commitment_id: int, status: str | None,
                    progress: int | None, due: dt.date | None, responsible: str | None,
                    titles: tuple[str, ...], departments: tuple[str, ...],
                    expected_version: int | None) -> None:
    """Update a commitment's status, progress, due date, responsible person, title or
    department."""
    c = followup.update_commitment(session, commitment_id, status=status, progress=progress,
                                   due_on=due, responsible=responsible,
                                   titles=parse_texts(titles, "--title-in"),
                                   departments=parse_texts(departments, "--department-in"),
                                   expected_version=expected_version)
    click.echo(f"commitment {c.id} (version {c.version}): {c.status} {c.progress}%")


@followup_group.command(name="milestone")
@click.argument("commitment_id", type=int)
@click.argument("title")
@click.option("--title-in", "titles", multiple=True, metavar="LANG=TEXT",
              help="The title in one language of the site (repeat).")
@click.option("--due", type=DATE, required=True, help="Due date of the milestone.")
@transaction
def followup_milestone(session: Session, commitment_id: int, title: str,
                       titles: tuple[str, ...], due: dt.date) -> None:
    """Add a dated milestone to a commitment."""
    m = followup.add_milestone(session, commitment_id, title, due,
                               titles=parse_texts(titles, "--title-in"))
    click.echo(f"milestone {m.id}: {m.title}, due {m.due_on}")


@followup_group.command(name="milestone-title")
@click.argument("milestone_id", type=int)
@click.option("--title-in", "titles", multiple=True, required=True, metavar="LANG=TEXT",
              help="The title in one language of the site (repeat; empty removes it).")
@VERSION
@transaction
def followup_milestone_title(session: Session, milestone_id: int, titles: tuple[str, ...],
                             expected_version: int | None) -> None:
    """Write a milestone's title in some languages of the site."""
    m = followup.update_milestone(session, milestone_id, parse_texts(titles, "--title-in")
                                  or {}, expected_version=expected_version)
    click.echo(f"milestone {m.id} (version {m.version}): {m.title}")


@followup_group.command(name="done")
@click.argument("milestone_id", type=int)
@click.option("--date", "on", type=DATE, required=True, help="Date it was reached.")
@transaction
def followup_done(session: Session, milestone_id: int, on: dt.date) -> None:
    """Mark a milestone as reached."""
    followup.complete_milestone(session, milestone_id, on)
    click.echo(f"milestone {milestone_id} done on {on}")


@followup_group.command(name="respond")
@click.argument("proposal_id", type=int)
@click.argument("deadline")
@click.option("--date", "on", type=DATE, required=True, help="Date of the answer.")
@click.option("--summary", default="", help="What the answer says.")
@click.option("--summary-in", "summaries", multiple=True, metavar="LANG=TEXT",
              help="The summary in one language of the site (repeat).")
@transaction
def followup_respond(session: Session, proposal_id: int, deadline: str, on: dt.date,
                     summary: str, summaries: tuple[str, ...]) -> None:
    """Record the addressee's answer to one of the city's response deadlines."""
    followup.record_response(session, proposal_id, deadline, on, summary,
                             parse_texts(summaries, "--summary-in"))
    click.echo(f"proposal {proposal_id}: {deadline} answered on {on}")


@followup_group.command(name="answer-edit")
@click.argument("answer_id", type=int)
@click.option("--summary-in", "summaries", multiple=True, metavar="LANG=TEXT",
              help="The corrected gist in one language of the site (repeat; LANG= removes "
                   "it).")
@click.option("--text", "texts", multiple=True, metavar="LANG=TEXT",
              help="The corrected text in one language (repeat; LANG=@FILE reads a file; "
                   "LANG= removes it).")
@click.option("--verdict", type=click.Choice([*followup.VERDICTS, "none"]), default=None,
              help="The corrected verdict; none removes it.")
@click.option("--on", type=DATE, default=None, help="The corrected day of the answer.")
@transaction
def followup_answer_edit(session: Session, answer_id: int, summaries: tuple[str, ...],
                         texts: tuple[str, ...], verdict: str | None,
                         on: dt.date | None) -> None:
    """Correct a recorded answer: its summary or text in a language, its verdict, its date."""
    answer = answer_edits.edit_answer(
        session, answer_id, summaries=parse_texts(summaries, "--summary-in") or None,
        texts=parse_texts(texts, "--text") or None,
        verdict="" if verdict == "none" else verdict, answered_on=on)
    click.echo(f"answer {answer_id} of proposal {answer.proposal_id} corrected")


@followup_group.command(name="overdue")
@click.option("--date", "today", type=DATE, default=None, help="As of this day (default: today).")
@click.option("--city", default=None, help="Only this city.")
@click.option("--mandate", "mandate_id", type=int, default=None, help="Only this mandate.")
@transaction
def followup_overdue(session: Session, today: dt.date | None, city: str | None,
                     mandate_id: int | None) -> None:
    """List responses, commitments and milestones past due."""
    late = followup.overdue(session, today or context_today(), city=city, mandate_id=mandate_id)
    for item in late:
        click.echo(str(item))
    click.echo(f"{len(late)} overdue", err=True)


@followup_group.command(name="report")
@click.argument("mandate_id", type=int)
@click.option("--year", type=int, required=True, help="The report's year (state at 31 Dec).")
@click.option("--format", "fmt", type=click.Choice(["markdown", "csv"]), default="markdown",
              show_default=True, help="Report format.")
@FRENCH
@OUT
@transaction
def followup_report(session: Session, mandate_id: int, year: int, fmt: str, french: bool,
                    out: Path | None) -> None:
    """The yearly follow-up report of a mandate."""
    write_or_echo(followup.report(session, mandate_id, year, fmt, french=french), out)


