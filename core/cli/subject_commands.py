"""Commands for what a mandate works on: its workshops and its subjects, with their origin.

``kleroterion subject ...``: each command is one transaction (a refusal changes
nothing and prints one line naming the field and the accepted values), through
``services.subjects``. Texts are plain text per language (``--title fr="..."``,
``LANG=@FILE`` reads a UTF-8 file).
"""

from __future__ import annotations

import datetime as dt

import click
from kleroterion.city.types import SUBJECT_ORIGINS
from kleroterion.cli.record import parse_texts
from kleroterion.cli.running import DATE, transaction
from kleroterion.services import subjects
from sqlalchemy.orm import Session


@click.group(name="subject")
def subject_group() -> None:
    """What a mandate works on: workshops, subjects and their origin, acts on them."""


@subject_group.command(name="workshop")
@click.argument("mandate_id", type=int)
@click.argument("key")
@click.option("--label", "labels", multiple=True, required=True, metavar="LANG=TEXT",
              help="The workshop's name in one language (repeat per language).")
@click.option("--purpose", "purposes", multiple=True, metavar="LANG=TEXT",
              help="What the workshop does, in one language (repeat; LANG=@FILE reads a file).")
@click.option("--body", "body_key", default="",
              help="The key of the city's body this workshop is an instance of, if any.")
@transaction
def workshop_add(session: Session, mandate_id: int, key: str,
                 labels: tuple[str, ...], purposes: tuple[str, ...], body_key: str) -> None:
    """Add a workshop to one mandate: workshops may differ from one mandate to the next."""
    workshop = subjects.add_workshop(session, mandate_id, key,
                                     parse_texts(labels, "--label"), body_key=body_key,
                                     purpose=parse_texts(purposes, "--purpose"))
    click.echo(f"workshop {workshop.id} ({key}) added to mandate {mandate_id}")


@subject_group.command(name="add")
@click.argument("mandate_id", type=int)
@click.option("--title", "titles", multiple=True, required=True, metavar="LANG=TEXT",
              help="The subject's title in one language (repeat per language).")
@click.option("--origin", required=True, type=click.Choice(SUBJECT_ORIGINS),
              help="Who proposed it; the city's configuration says which origins it accepts.")
@click.option("--note", "notes", multiple=True, metavar="LANG=TEXT",
              help="How it came, e.g. the plenary that adopted it (repeat per language).")
@click.option("--proposed-on", type=DATE, default=None, help="The day it was proposed.")
@click.option("--summary", "summaries", multiple=True, metavar="LANG=TEXT",
              help="What it is about, in one language (repeat; LANG=@FILE reads a file).")
@click.option("--workshop", "workshop_keys", multiple=True,
              help="The key of a workshop of the mandate that works on it (repeat).")
@transaction
def subject_add(session: Session, mandate_id: int, titles: tuple[str, ...],
                origin: str, notes: tuple[str, ...], proposed_on: dt.date | None,
                summaries: tuple[str, ...], workshop_keys: tuple[str, ...]) -> None:
    """Record a subject of one mandate, where it came from and the workshops on it.

    Paris: the assembly's own choice, or the executive's work mandate adopted in
    plenary (--origin executive); Poitiers: a call for subjects; Brussels: the theme
    chosen by members of the previous cycle (--origin previous_panel).
    """
    subject = subjects.add_subject(session, mandate_id, parse_texts(titles, "--title"),
                                   origin, origin_note=parse_texts(notes, "--note"),
                                   proposed_on=proposed_on,
                                   summary=parse_texts(summaries, "--summary"),
                                   workshop_keys=list(workshop_keys))
    click.echo(f"subject {subject.id} recorded for mandate {mandate_id}")


@subject_group.command(name="link")
@click.argument("proposal_id", type=int)
@click.argument("subject_id", type=int, required=False)
@transaction
def subject_link(session: Session, proposal_id: int, subject_id: int | None) -> None:
    """Say which subject of its mandate an act answers (no SUBJECT_ID: none)."""
    subjects.link_act(session, proposal_id, subject_id)
    click.echo(f"act {proposal_id}: subject {subject_id if subject_id else 'none'}")


@subject_group.command(name="edit")
@click.argument("subject_id", type=int)
@click.option("--title", "titles", multiple=True, metavar="LANG=TEXT",
              help="The title in one language (repeat; LANG= with no text removes it).")
@click.option("--origin", default=None, type=click.Choice(SUBJECT_ORIGINS),
              help="Who proposed it, among the origins the city accepts.")
@click.option("--note", "notes", multiple=True, metavar="LANG=TEXT",
              help="How it came, in one language (repeat; LANG= removes it).")
@click.option("--proposed-on", type=DATE, default=None, help="The day it was proposed.")
@click.option("--no-proposed-on", is_flag=True,
              help="Forget the day it was proposed (it was recorded in error).")
@click.option("--summary", "summaries", multiple=True, metavar="LANG=TEXT",
              help="What it is about, in one language (repeat; LANG=@FILE reads a file; "
                   "LANG= removes it).")
@click.option("--workshop", "workshop_keys", multiple=True,
              help="A workshop of the mandate on it (repeat): replaces the workshops named.")
@click.option("--no-workshops", is_flag=True,
              help="No workshop works on it any more (the whole assembly does).")
@transaction
def subject_edit(session: Session, subject_id: int, titles: tuple[str, ...],
                 origin: str | None, notes: tuple[str, ...], proposed_on: dt.date | None,
                 no_proposed_on: bool, summaries: tuple[str, ...],
                 workshop_keys: tuple[str, ...], no_workshops: bool) -> None:
    """Correct a subject: only what is given changes, checked as `subject add` checks.

    Texts change language by language: --title nl="..." leaves the French title as it
    is, and --title nl= removes the Dutch one.
    """
    if proposed_on is not None and no_proposed_on:
        raise click.UsageError("--proposed-on and --no-proposed-on contradict each other")
    if workshop_keys and no_workshops:
        raise click.UsageError("--workshop and --no-workshops contradict each other")
    day: dt.date | subjects.Keep | None = (None if no_proposed_on else proposed_on
                                           if proposed_on is not None else subjects.KEEP)
    keys = [] if no_workshops else list(workshop_keys) if workshop_keys else None
    subjects.edit_subject(
        session, subject_id,
        title=parse_texts(titles, "--title") if titles else None, origin=origin,
        origin_note=parse_texts(notes, "--note") if notes else None, proposed_on=day,
        summary=parse_texts(summaries, "--summary") if summaries else None,
        workshop_keys=keys)
    click.echo(f"subject {subject_id} saved")


@subject_group.command(name="delete")
@click.argument("subject_id", type=int)
@transaction
def subject_delete(session: Session, subject_id: int) -> None:
    """Delete a subject recorded in error.

    Refused while acts answer it (they are named: `subject link ACT` moves each one
    first); the workshops on it stay and stop listing it.
    """
    detached = subjects.delete_subject(session, subject_id)
    suffix = f" (workshops no longer on it: {', '.join(detached)})" if detached else ""
    click.echo(f"subject {subject_id} deleted{suffix}")


COMMANDS: list[click.Command] = [subject_group]
