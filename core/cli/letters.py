"""``kleroterion letters``: invitation letters with answer codes, from an invitation draw."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from kleroterion import db
from kleroterion.cli.running import DATE, transaction
from sqlalchemy.orm import Session


def _out(out: Path | None) -> Path:
    if out is None:
        raise click.UsageError("--inline writes the letters into --out FOLDER; give it")
    return out


def _queue(session: Session, kind: str, invitation_draw_id: int, mailmerge: Path,
           answers_until: dt.date, url: str, template: Path | None, **more: object) -> None:
    from kleroterion.cli.exports import start_export

    params: dict[str, object] = {
        "invitation_draw_id": invitation_draw_id, "answers_until": answers_until.isoformat(),
        "url": url, "template": str(template.resolve()) if template is not None else None,
        **more}
    start_export(session, kind, params, inline=False, mailmerge=mailmerge)


@click.group(name="letters")
def letters_group() -> None:
    """Invitation letters: one per invitee, with an answer code and its QR code."""


@letters_group.command(name="generate")
@click.argument("invitation_draw_id", type=int)
@click.argument("mailmerge", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="With --inline: folder of the letters: letters.pdf, one PDF per stratum, "
                   "labels.csv.")
@click.option("--inline", is_flag=True,
              help="Write the letters in this process, into --out, instead of queuing an "
                   "export a worker makes (`kleroterion jobs`).")
@click.option("--until", "answers_until", type=DATE, required=True,
              help="The last day to answer, printed on the letters.")
@click.option("--url", default="",
              help="The answer page's address printed and encoded in the QR codes "
                   "(default: answer_url of letters.toml), e.g. https://site/answer.")
@click.option("--template", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="The city's letters.toml (default: the instance folder's, "
                                 "if any, else kleroterion's text).")
@transaction
def letters_generate(session: Session, invitation_draw_id: int, mailmerge: Path,
                     out: Path | None, inline: bool, answers_until: dt.date, url: str,
                     template: Path | None) -> None:
    """Write the letters of INVITATION_DRAW_ID from the MAILMERGE file its draw wrote.

    Each invitee gets an unguessable code (kept only as a digest) and a QR code to the
    answer page; the letters are in the city's languages (Brussels: French and Dutch),
    one PDF in all and one per stratum for the mail house, with the address labels as
    a spreadsheet. Refused if MAILMERGE is not the file the draw wrote, or if the
    draw's letters were generated already: a code exists only in its letter.

    By default the letters are an export a worker makes (`kleroterion worker`, or the
    site's own): the command returns at once with its number; `kleroterion jobs show`
    follows it and `kleroterion jobs fetch` copies the zip of the letters.
    """
    from kleroterion.letters.template import load
    from kleroterion.services import letters

    if not inline:
        _queue(session, "letters", invitation_draw_id, mailmerge, answers_until, url, template)
        return
    out = _out(out)

    if template is None:
        default = db.instance_path() / "letters.toml"
        template = default if default.is_file() else None
    shown = 0

    def progress(done: int, total: int) -> None:
        nonlocal shown
        click.echo(f"\r{done:,} / {total:,} letters".replace(",", "\u202f"), nl=False,
                   err=True)
        shown = done

    run = letters.generate(session, invitation_draw_id, mailmerge, out, load(template),
                           answers_until=answers_until, url=url, progress=progress)
    if shown:
        click.echo("", err=True)
    click.echo(f"{run.letters} letters, {len(run.strata)} strata:")
    for path in run.files:
        click.echo(f"  {path}")


@letters_group.command(name="remind")
@click.argument("invitation_draw_id", type=int)
@click.argument("mailmerge", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="With --inline: folder of the reminders: letters.pdf, one PDF per stratum, "
                   "labels.csv.")
@click.option("--inline", is_flag=True,
              help="Write the reminders in this process, into --out, instead of queuing an "
                   "export a worker makes (`kleroterion jobs`).")
@click.option("--until", "answers_until", type=DATE, required=True,
              help="The new last day to answer, printed on the reminders.")
@click.option("--stratum", "strata", multiple=True,
              help="A stratum to remind (repeat); default: see --lowest.")
@click.option("--lowest", type=click.IntRange(min=1), default=None,
              help="Remind the N strata with the lowest answer rates (default: every stratum).")
@click.option("--url", default="", help="The answer page's address (as for generate).")
@click.option("--template", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="The city's letters.toml (as for generate).")
@transaction
def letters_remind(session: Session, invitation_draw_id: int, mailmerge: Path,
                   out: Path | None, inline: bool, answers_until: dt.date,
                   strata: tuple[str, ...], lowest: int | None, url: str,
                   template: Path | None) -> None:
    """Write reminder letters to the invitees of INVITATION_DRAW_ID who have not answered.

    Each reminder carries a fresh code (the first letter's code no longer answers: codes
    are kept only as digests) and the new last day to answer. Choose the strata that
    answer least with --lowest N, or name them with --stratum. Queued as an export a
    worker makes, unless --inline (as for generate).
    """
    from kleroterion.letters.template import load
    from kleroterion.services import letters

    if not inline:
        _queue(session, "reminders", invitation_draw_id, mailmerge, answers_until, url,
               template, strata=list(strata), lowest=lowest)
        return
    out = _out(out)

    if template is None:
        default = db.instance_path() / "letters.toml"
        template = default if default.is_file() else None
    run = letters.remind(session, invitation_draw_id, mailmerge, out, load(template),
                         answers_until=answers_until, strata=list(strata) or None,
                         lowest=lowest, url=url)
    click.echo(f"{run.letters} reminders, {len(run.strata)} strata:")
    for path in run.files:
        click.echo(f"  {path}")


COMMANDS = [letters_group]
