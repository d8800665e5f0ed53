"""Commands of recruitment: the invitation draw, the respondents, the panel draw and its lottery."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click
from kleroterion.cli.running import (
    DATE,
    FRENCH,
    OUT,
    PUBLIC,
    SEED,
    sortition_engine,
    transaction,
    write_or_echo,
)
from kleroterion.models import (
    Draw,
    Respondent,
)
from kleroterion.services import (
    panel,
    privacy,
    recruitment,
)
from kleroterion.services.context import get
from sqlalchemy.orm import Session

# --------------------------------------------------------------------------- recruitment


@click.group(name="invitations")
def invitations_group() -> None:
    """Invitation draws: letters sent from a registry."""


@invitations_group.command(name="draw")
@click.argument("mandate_id", type=int)
@click.argument("seat_group")
@click.argument("registry", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Mail-merge CSV of the invited rows.")
@click.option("--seed", type=int, required=True, help="Seed of the draw (reproducible).")
@click.option("--count", type=click.IntRange(min=1), default=None,
              help="Letters to send (default: the seat group's).")
@click.option("--stratify-by", default=None,
              help="Registry column spreading the letters (default: the seat group's).")
@transaction
def invitations_draw(session: Session, mandate_id: int, seat_group: str, registry: Path,
                     out: Path, seed: int, count: int | None, stratify_by: str | None) -> None:
    """Draw invitations for SEAT_GROUP of a mandate from REGISTRY, and record the draw."""
    draw = recruitment.record_invitation_draw(session, mandate_id, seat_group, registry, out,
                                              seed=seed, count=count, stratify_by=stratify_by)
    click.echo(f"invitation draw {draw.id}: {draw.count} letters among {draw.rows} rows "
               f"written to {out}")


@click.group(name="respondents")
def respondents_group() -> None:
    """Respondents: import, list, export of personal data."""


@respondents_group.command(name="import")
@click.argument("mandate_id", type=int)
@click.argument("seat_group")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--check", "check_only", is_flag=True,
              help="Only read the file and list every problem in it (line, column, value, "
                   "what is accepted); import nothing, exit 1 when there is any.")
@transaction
def respondents_import(session: Session, mandate_id: int, seat_group: str, path: Path,
                       check_only: bool) -> None:
    """Import respondents of SEAT_GROUP from a CSV (id, features, personal columns).

    All rows or none: a file with any problem is refused with the list of them all.
    """
    if check_only:
        check = recruitment.check_respondents(session, mandate_id, seat_group, path)
        if not check.ok:
            raise click.ClickException(check.summary())
        click.echo(f"{path.name}: {check.rows} respondents, no problem found (nothing imported)")
        return
    batch = recruitment.import_respondents(session, mandate_id, seat_group, path)
    click.echo(f"import {batch.id}: {batch.rows} respondents into {seat_group}")


@respondents_group.command(name="list")
@click.argument("mandate_id", type=int)
@click.option("--group", "seat_group", default=None, help="Only this seat group.")
@click.option("--status", default=None,
              type=click.Choice(["pool", "selected", "not_selected", "volunteer"]),
              help="Only respondents in this state.")
@transaction
def respondents_list(session: Session, mandate_id: int, seat_group: str | None,
                     status: str | None) -> None:
    """List respondents by pseudonymous id, with their features (no personal data)."""
    for r in recruitment.list_respondents(session, mandate_id, seat_group, status):
        features = ", ".join(f"{k}={v}" for k, v in sorted(r.features.items()))
        click.echo(f"{r.id}\t{r.public_id}\t{r.seat_group}\t{r.status}\t{features}")


@respondents_group.command(name="export-personal")
@click.argument("mandate_id", type=int)
@click.option("--purpose", required=True, help="Why these personal data are exported "
              "(recorded in the audit log).")
@click.option("--all", "everyone", is_flag=True, help="Every respondent, not only members.")
@FRENCH
@OUT
@transaction
def respondents_export(session: Session, mandate_id: int, purpose: str, everyone: bool,
                       french: bool, out: Path | None) -> None:
    """Export members' (or all respondents') personal data as CSV; the export is audited."""
    text = privacy.export_personal(session, mandate_id, purpose, members_only=not everyone,
                                   french=french)
    write_or_echo(text, out)


# --------------------------------------------------------------------------- panel


def _read_quotas_option(quotas_path: Path | None) -> Any:
    if quotas_path is None:
        return None
    from kleroterion.sortition.io import InputError, read_quotas

    try:
        return read_quotas(quotas_path).quotas
    except InputError as error:
        raise click.ClickException(str(error)) from None


QUOTAS = click.option("--quotas", "quotas_path", type=click.Path(exists=True, dir_okay=False,
                      path_type=Path), default=None,
                      help="Quotas CSV replacing those derived from the city's criteria.")
LOTTERIES = click.option("--lotteries", "root", type=click.Path(file_okay=False,
                         path_type=Path), default=None,
                         help="Folder the lottery folders are written in (default: "
                              "lotteries/ in the instance folder).")


@click.group(name="panel")
def panel_group() -> None:
    """Panel draws: publish the lottery, choose by the public number, show, finalize."""


@panel_group.command(name="draw")
@click.argument("mandate_id", type=int)
@click.argument("seat_group")
@click.option("--date", "on", type=DATE, required=True, help="Date of the draw.")
@SEED
@PUBLIC
@click.option("--algorithm", default=None, help="Selection algorithm (default: the city's).")
@QUOTAS
@LOTTERIES
@transaction
def panel_draw(session: Session, mandate_id: int, seat_group: str, on: dt.date,
               seed: int | None, public_number: str | None, algorithm: str | None,
               quotas_path: Path | None, root: Path | None) -> None:
    """Draw the seats of SEAT_GROUP among its respondents and seat the panel, in one step.

    The number is given up front; a stratified group's lottery folder is still
    published, then chosen from, as `panel publish` and `panel choose` do. For a
    public draw, use those two commands: the number is then known only after the list.
    """
    draw = panel.draw_panel(session, mandate_id, seat_group, on, seed=seed,
                            public_number=public_number, algorithm=algorithm,
                            quotas=_read_quotas_option(quotas_path), root=root,
                            engine=sortition_engine())
    chosen = sum(e.selected for e in draw.entries)
    click.echo(f"draw {draw.id} ({draw.algorithm}): {chosen} seated among {len(draw.entries)}")
    if draw.panels_digest:
        click.echo(f"  panel list digest: {draw.panels_digest}")
    if draw.lottery_folder:
        click.echo(f"  lottery folder: {panel.folder_path(draw)}")


@panel_group.command(name="publish")
@click.argument("mandate_id", type=int)
@click.argument("seat_group")
@click.option("--algorithm", default=None, help="Selection algorithm (default: the city's).")
@click.option("--time-limit", type=click.FloatRange(min=0, max=24 * 3600, min_open=True),
              default=None,
              help="Seconds the computation may take (default: no limit).")
@click.option("--seed", type=int, default=None,
              help="Seed of the computation, recorded in the manifest (default: none).")
@QUOTAS
@LOTTERIES
@transaction
def panel_publish(session: Session, mandate_id: int, seat_group: str, algorithm: str | None,
                  time_limit: float | None, seed: int | None, quotas_path: Path | None,
                  root: Path | None) -> None:
    """Compute SEAT_GROUP's lottery and publish its folder; the panel is chosen later.

    A uniform seat group's candidates are committed instead (nothing to compute).
    Publish the list digest printed here before the public number is known, then run
    `panel choose`. Anyone can check the folder with `kleroterion verify FOLDER`.
    """
    from kleroterion.cli.sortition import progress_printer

    with progress_printer("computing the distribution") as update:
        draw = panel.publish_panel(session, mandate_id, seat_group, root,
                                   algorithm=algorithm, time_limit=time_limit, seed=seed,
                                   quotas=_read_quotas_option(quotas_path), progress=update,
                                   engine=sortition_engine())
    click.echo(f"draw {draw.id} ({draw.algorithm}) published, awaiting the public number")
    click.echo(f"  panel list digest: {draw.panels_digest}")
    click.echo(f"  lottery folder: {panel.folder_path(draw)}")
    click.echo(f"  then: kleroterion panel choose {draw.id} NUMBER --date YYYY-MM-DD")


@panel_group.command(name="choose")
@click.argument("draw_id", type=int)
@click.argument("public_number")
@click.option("--date", "on", type=DATE, required=True,
              help="Date the panel is seated (the draw's date).")
@transaction
def panel_choose(session: Session, draw_id: int, public_number: str, on: dt.date) -> None:
    """Let PUBLIC_NUMBER (dice, lottery, bailiff) choose in the published draw DRAW_ID.

    Any published draw: a stratified panel is the one numbered PUBLIC_NUMBER mod 1000
    in the folder's panels.csv; a uniform group, a replacement or a body's seats are
    drawn by their folder's rule. Who is drawn is seated, and the number recorded in
    the folder's manifest.
    """
    draw = panel.choose_draw(session, draw_id, public_number, on)
    chosen = sum(e.selected for e in draw.entries)
    which = (f"panel {draw.inputs['panel_number']}" if "panel_number" in draw.inputs
             else "the draw")
    click.echo(f"draw {draw.id}: {which} chosen by {draw.public_number}; {chosen} seated "
               f"among {len(draw.entries)}")
    click.echo(f"  check it: kleroterion verify {panel.folder_path(draw)} "
               f"--digest {draw.panels_digest}")


@panel_group.command(name="show")
@click.argument("draw_id", type=int)
@click.option("--probabilities", is_flag=True, help="List every candidate's probability.")
@transaction
def panel_show(session: Session, draw_id: int, probabilities: bool) -> None:
    """Show a draw: inputs' digests, algorithm, seed or public number, panel."""
    draw = get(session, Draw, draw_id)
    click.echo(f"draw {draw.id}: {draw.kind} {draw.seat_group or draw.body_key}, "
               f"{draw.algorithm}, seed {draw.seed}, public number {draw.public_number}, "
               f"{'final' if draw.final else 'not final'}, {draw.state}")
    if draw.message:
        click.echo("  " + draw.message.replace("\n", "\n  "))
    if draw.lottery_folder:
        click.echo(f"  lottery folder: {panel.folder_path(draw)}")
    for key in ("respondents_digest", "quotas_digest", "number"):
        if key in draw.inputs:
            click.echo(f"  {key}: {draw.inputs[key]}")
    if draw.panels_digest:
        click.echo(f"  panels_digest: {draw.panels_digest}")
    for entry in draw.entries:
        if probabilities or entry.selected:
            respondent = get(session, Respondent, entry.respondent_id)
            click.echo(f"  {respondent.public_id}\t{entry.probability:.6f}\t"
                       f"{'selected' if entry.selected else ''}")


@panel_group.command(name="list")
@click.argument("mandate_id", type=int)
@transaction
def panel_list(session: Session, mandate_id: int) -> None:
    """List the draws of a mandate."""
    for draw in panel.draws(session, mandate_id):
        click.echo(f"{draw.id}\t{draw.kind}\t{draw.seat_group or draw.body_key}\t"
                   f"{draw.algorithm}\t{draw.seats}\t{draw.state}\t"
                   f"{'final' if draw.final else ''}")


@panel_group.command(name="finalize")
@click.argument("draw_id", type=int)
@transaction
def panel_finalize(session: Session, draw_id: int) -> None:
    """Declare a draw final (then unseated respondents' personal data may be purged)."""
    panel.finalize_draw(session, draw_id)
    click.echo(f"draw {draw_id} is final")


