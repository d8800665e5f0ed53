"""Commands that run a mandate from the terminal: from the invitation draw to the follow-up report.

Each command is one transaction through :mod:`kleroterion.services`: on any error
it prints one line on stderr, exits non-zero and leaves the database exactly as
it was. The database is ``KLEROTERION_DATABASE_URL`` or the instance folder's
SQLite file (``KLEROTERION_INSTANCE_PATH``, default ``./instance``); the audit
log names the user of ``KLEROTERION_ACTOR`` (default: the login name). With
``KLEROTERION_CITY`` set, the commands serve that city only: a record of another
city sharing the database is not found.
Dates are YYYY-MM-DD or DD/MM/YYYY.
"""

from __future__ import annotations

import datetime as dt
import functools
import getpass
import os
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import click
from kleroterion import db
from kleroterion.models import (
    ROLES,
    AuditHead,
    Draw,
    Mandate,
    Member,
    Proposal,
    Respondent,
    User,
)
from kleroterion.services import (
    audit,
    bodies,
    context,
    followup,
    indemnities,
    mandates,
    members,
    panel,
    privacy,
    proposals,
    recruitment,
    sessions,
    users,
)
from kleroterion.services.context import get
from kleroterion.services.errors import ServiceError
from kleroterion.services.scope import scoped
from kleroterion.services.tables import parse_date, parse_decimal
from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

F = TypeVar("F", bound=Callable[..., Any])

#: The city the commands serve: with it set, another city's records are not found.
CITY_VARIABLE = "KLEROTERION_CITY"


class DateParam(click.ParamType[dt.date]):
    """A date as YYYY-MM-DD or DD/MM/YYYY."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return parse_date(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date (YYYY-MM-DD or DD/MM/YYYY)", param, ctx)


class DecimalParam(click.ParamType[Decimal]):
    """An amount or a number of units, with a point or a French comma."""

    name = "number"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Decimal:
        if isinstance(value, Decimal):
            return value
        try:
            return parse_decimal(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a number", param, ctx)


DATE = DateParam()
DECIMAL = DecimalParam()


def _actor() -> str:
    try:
        return os.environ.get("KLEROTERION_ACTOR") or getpass.getuser()
    except (KeyError, OSError):
        return "cli"


_ENGINES: dict[str, Engine] = {}


def _factory(url: str) -> sessionmaker[Session]:
    # One engine per URL for the life of the process (a test may switch URLs).
    if url not in _ENGINES:
        _ENGINES[url] = db.make_engine(url)
    return db.make_sessionmaker(_ENGINES[url])


def dispose_engines() -> None:
    """Close the pooled connections of every engine the commands opened."""
    while _ENGINES:
        _ENGINES.popitem()[1].dispose()


def transaction(function: F) -> F:
    """Run the command's body in one transaction; turn every refusal into one line, exit 1."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with scoped(os.environ.get(CITY_VARIABLE) or None), db.session_scope(
                    _factory(db.database_url()), actor=_actor()) as session:
                return function(session, *args, **kwargs)
        except ServiceError as error:
            raise click.ClickException(str(error)) from None
        except StaleDataError:
            raise click.ClickException("someone else changed this record at the same time; "
                                       "reload it and try again") from None
        except IntegrityError as error:
            raise click.ClickException(
                "the database refused the change (a duplicate or a missing reference): "
                f"{type(error.orig).__name__}") from None
        except OperationalError as error:
            detail = str(error.orig).splitlines()[0] if error.orig else type(error).__name__
            hint = " (run `kleroterion db upgrade` first?)" if "no such table" in detail or (
                "does not exist" in detail) else ""
            raise click.ClickException(f"database error: {detail}{hint}") from None
        except DBAPIError as error:
            raise click.ClickException(f"database error: {type(error.orig).__name__}") from None

    return wrapper  # type: ignore[return-value]


def _write_or_echo(text: str, out: Path | None) -> None:
    if out is None:
        click.echo(text, nl=False)
    else:
        indemnities.write_text(out, text)
        click.echo(f"written to {out}", err=True)


SEED = click.option("--seed", type=int, default=None,
                    help="Seed of the draw (reproducible); or give --public-number.")
PUBLIC = click.option("--public-number", default=None,
                      help="Number from a public source (dice, lottery, bailiff) choosing the "
                           "panel: number N picks panel N mod 1000.")
FRENCH = click.option("--french", is_flag=True,
                      help="French spreadsheet format: ';' separator, decimal comma, "
                           "DD/MM/YYYY dates.")
OUT = click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
                   help="Write to this file (UTF-8 with BOM) instead of standard output.")
VERSION = click.option("--version", "expected_version", type=int, default=None,
                       help="The version you read (from `show`); refused if it changed since.")


# --------------------------------------------------------------------------- db


@click.group(name="db")
def db_group() -> None:
    """Create and upgrade the database schema."""


@db_group.command(name="upgrade")
@click.option("--revision", default="head", show_default=True,
              help="Alembic revision to upgrade to.")
def db_upgrade(revision: str) -> None:
    """Create or upgrade the database's tables to the current schema."""
    try:
        db.upgrade(revision=revision)
        current = db.current_revision()
    except (DBAPIError, OSError) as error:
        raise click.ClickException(f"cannot upgrade the database: {error}") from None
    except Exception as error:  # alembic's own errors (unknown revision...)
        raise click.ClickException(f"cannot upgrade the database: {error}") from None
    click.echo(f"database at revision {current}")


@db_group.command(name="current")
def db_current() -> None:
    """Show the schema revision of the database."""
    try:
        click.echo(db.current_revision() or "empty: run `kleroterion db upgrade`")
    except DBAPIError as error:
        raise click.ClickException(f"cannot read the database: {error.orig}") from None


# --------------------------------------------------------------------------- mandate


@click.group(name="mandate")
def mandate_group() -> None:
    """Open, list and close mandates (promotions, editions, cycles)."""


@mandate_group.command(name="open")
@click.argument("city")
@click.argument("label")
@click.option("--start", type=DATE, required=True, help="First day of the mandate.")
@click.option("--end", type=DATE, default=None,
              help="Last day (default: the longest term of the city's rules).")
@transaction
def mandate_open(session: Session, city: str, label: str, start: dt.date,
                 end: dt.date | None) -> None:
    """Open a mandate of CITY called LABEL (e.g. "promotion 2025"), with its phases."""
    mandate = mandates.open_mandate(session, city, label, start, end)
    click.echo(f"mandate {mandate.id}: {city} {label}, {mandate.starts_on} to {mandate.ends_on}")
    for phase in mandate.phases:
        click.echo(f"  {phase.key}: {phase.starts_on} to {phase.ends_on}")


@mandate_group.command(name="list")
@click.option("--city", default=None, help="Only this city's mandates.")
@transaction
def mandate_list(session: Session, city: str | None) -> None:
    """List mandates, past and present."""
    for mandate in mandates.list_mandates(session, city):
        click.echo(f"{mandate.id}\t{mandate.city}\t{mandate.label}\t{mandate.starts_on}\t"
                   f"{mandate.ends_on}\t{mandate.status}")


@mandate_group.command(name="show")
@click.argument("mandate_id", type=int)
@transaction
def mandate_show(session: Session, mandate_id: int) -> None:
    """Show a mandate: dates, phases, seats filled."""
    mandate = get(session, Mandate, mandate_id)
    click.echo(f"mandate {mandate.id}: {mandate.city} {mandate.label} ({mandate.term}), "
               f"{mandate.starts_on} to {mandate.ends_on}, {mandate.status}")
    for phase in mandate.phases:
        click.echo(f"  phase {phase.key}: {phase.starts_on} to {phase.ends_on}")
    active = members.list_members(session, mandate.id, active_only=True)
    click.echo(f"  members sitting: {len(active)}")


@mandate_group.command(name="close")
@click.argument("mandate_id", type=int)
@transaction
def mandate_close(session: Session, mandate_id: int) -> None:
    """Close a mandate (its follow-up goes on)."""
    mandates.close_mandate(session, mandate_id)
    click.echo(f"mandate {mandate_id} closed")


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
    _write_or_echo(text, out)


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
                            quotas=_read_quotas_option(quotas_path), root=root)
    chosen = sum(e.selected for e in draw.entries)
    click.echo(f"draw {draw.id} ({draw.algorithm}): {chosen} seated among {len(draw.entries)}")
    if draw.panels_digest:
        click.echo(f"  panel list digest: {draw.panels_digest}")
    if draw.lottery_folder:
        click.echo(f"  lottery folder: {draw.lottery_folder}")


@panel_group.command(name="publish")
@click.argument("mandate_id", type=int)
@click.argument("seat_group")
@click.option("--algorithm", default=None, help="Selection algorithm (default: the city's).")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=None,
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

    Publish the list digest printed here before the public number is known, then run
    `panel choose`. Anyone can check the folder with `kleroterion verify FOLDER`.
    """
    from kleroterion.cli.sortition import _progress

    with _progress("computing the distribution") as update:
        draw = panel.publish_panel(session, mandate_id, seat_group, root,
                                   algorithm=algorithm, time_limit=time_limit, seed=seed,
                                   quotas=_read_quotas_option(quotas_path), progress=update)
    click.echo(f"draw {draw.id} ({draw.algorithm}) published, awaiting the public number")
    click.echo(f"  panel list digest: {draw.panels_digest}")
    click.echo(f"  lottery folder: {draw.lottery_folder}")
    click.echo(f"  then: kleroterion panel choose {draw.id} NUMBER --date YYYY-MM-DD")


@panel_group.command(name="choose")
@click.argument("draw_id", type=int)
@click.argument("public_number")
@click.option("--date", "on", type=DATE, required=True,
              help="Date the panel is seated (the draw's date).")
@transaction
def panel_choose(session: Session, draw_id: int, public_number: str, on: dt.date) -> None:
    """Let PUBLIC_NUMBER (dice, lottery, bailiff) choose the panel of published DRAW_ID.

    The panel is the one numbered PUBLIC_NUMBER mod 1000 in the folder's panels.csv;
    it is seated, and the number recorded in the folder's manifest.
    """
    draw = panel.choose_panel(session, draw_id, public_number, on)
    chosen = sum(e.selected for e in draw.entries)
    click.echo(f"draw {draw.id}: panel {draw.inputs.get('panel_number')} chosen by "
               f"{draw.public_number}; {chosen} seated among {len(draw.entries)}")
    click.echo(f"  check it: kleroterion verify {draw.lottery_folder} "
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
        click.echo(f"  lottery folder: {draw.lottery_folder}")
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


# --------------------------------------------------------------------------- members


@click.group(name="member")
def member_group() -> None:
    """Members: list, confirm, withdraw, replace, history, public names, volunteers."""


@member_group.command(name="list")
@click.argument("mandate_id", type=int)
@click.option("--active", is_flag=True, help="Only members still sitting.")
@click.option("--group", "seat_group", default=None, help="Only this seat group.")
@transaction
def member_list(session: Session, mandate_id: int, active: bool,
                seat_group: str | None) -> None:
    """List members: id, pseudonymous id, seat group, source, status, version."""
    for m in members.list_members(session, mandate_id, active_only=active,
                                  seat_group=seat_group):
        click.echo(f"{m.id}\t{m.public_id}\t{m.seat_group}\t{m.source}\t{m.status}\t"
                   f"v{m.version}")


@member_group.command(name="confirm")
@click.argument("member_id", type=int)
@click.option("--date", "on", type=DATE, required=True, help="Date of the acceptance.")
@VERSION
@transaction
def member_confirm(session: Session, member_id: int, on: dt.date,
                   expected_version: int | None) -> None:
    """Record that a member accepted their seat."""
    member = members.confirm(session, member_id, on, expected_version=expected_version)
    click.echo(f"member {member.id} confirmed (version {member.version})")


@member_group.command(name="withdraw")
@click.argument("member_id", type=int)
@click.option("--date", "on", type=DATE, required=True, help="Date of the withdrawal.")
@click.option("--reason", required=True, help="Why the member withdraws.")
@VERSION
@transaction
def member_withdraw(session: Session, member_id: int, on: dt.date, reason: str,
                    expected_version: int | None) -> None:
    """Record a member's withdrawal; replace them with `member replace`."""
    member = members.withdraw(session, member_id, on, reason, expected_version=expected_version)
    click.echo(f"member {member.id} withdrawn on {on}")


@member_group.command(name="replace")
@click.argument("member_id", type=int)
@click.option("--date", "on", type=DATE, required=True, help="Date of the replacement draw.")
@SEED
@PUBLIC
@transaction
def member_replace(session: Session, member_id: int, on: dt.date, seed: int | None,
                   public_number: str | None) -> None:
    """Draw a replacement for a withdrawn member under the quotas left."""
    new = panel.replace_member(session, member_id, on, seed=seed, public_number=public_number)
    click.echo(f"member {new.id} ({new.public_id}) replaces member {member_id}")


@member_group.command(name="history")
@click.argument("member_id", type=int)
@transaction
def member_history(session: Session, member_id: int) -> None:
    """A member's dated history (never overwritten)."""
    for event in members.history(session, member_id):
        reason = f"\t{event.reason}" if event.reason else ""
        click.echo(f"{event.on}\t{event.kind}\t{event.actor}{reason}")


@member_group.command(name="name-consent")
@click.argument("member_id", type=int)
@click.option("--name", "public_name", required=True,
              help="The name the member chose to be shown under on the public site (for "
                   "example 'Marie D.'; at most 60 characters, no control characters).")
@click.option("--date", "on", type=DATE, required=True, help="Date the consent was given.")
@VERSION
@transaction
def member_name_consent(session: Session, member_id: int, public_name: str, on: dt.date,
                        expected_version: int | None) -> None:
    """Record a member's consent to be named on the public panel page, under --name.

    Giving it again changes the name. The audit log records the consent, not the name.
    """
    member = members.give_name_consent(session, member_id, public_name, on,
                                       expected_version=expected_version)
    click.echo(f"member {member.id} consents to be named publicly from {on} "
               f"(version {member.version})")


@member_group.command(name="name-withdraw")
@click.argument("member_id", type=int)
@click.option("--date", "on", type=DATE, required=True, help="Date the consent was withdrawn.")
@VERSION
@transaction
def member_name_withdraw(session: Session, member_id: int, on: dt.date,
                         expected_version: int | None) -> None:
    """Withdraw a member's consent to be named publicly; their public name is blanked."""
    member = members.withdraw_name_consent(session, member_id, on,
                                           expected_version=expected_version)
    click.echo(f"member {member.id} is no longer named publicly (version {member.version})")


@member_group.command(name="volunteer")
@click.argument("mandate_id", type=int)
@click.option("--id", "external_id", required=True, help="The secretariat's reference.")
@click.option("--date", "on", type=DATE, required=True, help="First day they take part.")
@click.option("--name", default=None, help="Name (personal data, kept apart).")
@click.option("--email", default=None, help="Email (personal data).")
@click.option("--phone", default=None, help="Phone (personal data).")
@click.option("--family-quotient", type=DECIMAL, default=None,
              help="Family quotient, where the indemnity is means-tested.")
@transaction
def member_volunteer(session: Session, mandate_id: int, external_id: str, on: dt.date,
                     name: str | None, email: str | None, phone: str | None,
                     family_quotient: Decimal | None) -> None:
    """Seat an open volunteer, where the city's assembly is open to all."""
    member = recruitment.add_volunteer(session, mandate_id, on, external_id=external_id,
                                       name=name, email=email, phone=phone,
                                       family_quotient=family_quotient)
    click.echo(f"member {member.id} ({member.public_id}) volunteers from {on}")


@member_group.command(name="personal")
@click.argument("member_id", type=int)
@click.option("--name", default=None, help="Name.")
@click.option("--address", default=None, help="Postal address.")
@click.option("--birth-date", type=DATE, default=None, help="Birth date.")
@click.option("--email", default=None, help="Email.")
@click.option("--phone", default=None, help="Phone.")
@click.option("--family-quotient", type=DECIMAL, default=None,
              help="Family quotient, where the indemnity is means-tested.")
@transaction
def member_personal(session: Session, member_id: int, **fields: Any) -> None:
    """Set a member's personal data (kept apart; the audit log names fields, not values)."""
    given = {name: value for name, value in fields.items() if value is not None}
    if not given:
        raise click.UsageError("give at least one field to set")
    member = get(session, Member, member_id)
    recruitment.set_personal_data(session, member.respondent_id, **given)
    click.echo(f"member {member_id}: {', '.join(sorted(given))} set")


# --------------------------------------------------------------------------- bodies


@click.group(name="body")
def body_group() -> None:
    """Bodies: workshops, groups, committees."""


@body_group.command(name="join")
@click.argument("mandate_id", type=int)
@click.argument("body_key")
@click.argument("member_id", type=int)
@click.option("--date", "on", type=DATE, required=True, help="First day in the body.")
@click.option("--role", default="member", show_default=True, help="Seat role in the body.")
@transaction
def body_join(session: Session, mandate_id: int, body_key: str, member_id: int, on: dt.date,
              role: str) -> None:
    """A member joins a body they chose or volunteered for."""
    row = bodies.join(session, mandate_id, body_key, member_id, on, role=role)
    click.echo(f"seat {row.id}: member {member_id} in {body_key}")


@body_group.command(name="draw")
@click.argument("mandate_id", type=int)
@click.argument("body_key")
@click.option("--date", "on", type=DATE, required=True, help="Date of the draw.")
@click.option("--candidate", "candidates", type=int, multiple=True,
              help="A candidate member id (repeat); default: every sitting member.")
@SEED
@PUBLIC
@transaction
def body_draw(session: Session, mandate_id: int, body_key: str, on: dt.date,
              candidates: tuple[int, ...], seed: int | None, public_number: str | None) -> None:
    """Fill a body's drawn seats by lot among candidate members."""
    draw = bodies.draw(session, mandate_id, body_key, on, candidates=candidates or None,
                       seed=seed, public_number=public_number)
    click.echo(f"draw {draw.id}: {draw.seats} seats of {body_key} among "
               f"{len(draw.entries)} candidates")


@body_group.command(name="appoint")
@click.argument("mandate_id", type=int)
@click.argument("body_key")
@click.argument("role")
@click.argument("name")
@click.option("--date", "on", type=DATE, required=True, help="First day in the body.")
@transaction
def body_appoint(session: Session, mandate_id: int, body_key: str, role: str, name: str,
                 on: dt.date) -> None:
    """Seat an official (elected, elected_opposition, agent, facilitator...) by name."""
    row = bodies.appoint(session, mandate_id, body_key, role, name, on)
    click.echo(f"seat {row.id}: {role} in {body_key}")


@body_group.command(name="leave")
@click.argument("seat_id", type=int)
@click.option("--date", "on", type=DATE, required=True, help="Last day in the body.")
@transaction
def body_leave(session: Session, seat_id: int, on: dt.date) -> None:
    """End a seat in a body."""
    bodies.leave(session, seat_id, on)
    click.echo(f"seat {seat_id} ended on {on}")


@body_group.command(name="show")
@click.argument("mandate_id", type=int)
@click.argument("body_key")
@click.option("--date", "on", type=DATE, default=None, help="Who sat on this date.")
@transaction
def body_show(session: Session, mandate_id: int, body_key: str, on: dt.date | None) -> None:
    """Who sits in a body: seat id, role, member or official."""
    for row in bodies.composition(session, mandate_id, body_key, on):
        who = f"member {row.member_id}" if row.member_id else row.official_name
        click.echo(f"{row.id}\t{row.role}\t{row.selection}\t{who}\t{row.joined_on}")


# --------------------------------------------------------------------------- sessions


@click.group(name="session")
def session_group() -> None:
    """Sessions: plenaries, workshops, hearings, visits, trainings."""


@session_group.command(name="add")
@click.argument("mandate_id", type=int)
@click.argument("kind")
@click.option("--date", "on", type=DATE, required=True, help="Day of the session.")
@click.option("--duration", type=DECIMAL, default=None,
              help="Length in the kind's unit (half-days, days, sessions); default: the kind's.")
@click.option("--body", "body_key", default=None, help="The body holding it (default: all).")
@click.option("--title", default="", help="Title shown in lists.")
@transaction
def session_add(session: Session, mandate_id: int, kind: str, on: dt.date,
                duration: Decimal | None, body_key: str | None, title: str) -> None:
    """Add a session of KIND to a mandate."""
    row = sessions.add_session(session, mandate_id, kind, on, duration=duration,
                               body_key=body_key, title=title)
    click.echo(f"session {row.id}: {row.kind} on {row.held_on}, {row.duration} {row.unit}")


@session_group.command(name="list")
@click.argument("mandate_id", type=int)
@transaction
def session_list(session: Session, mandate_id: int) -> None:
    """List a mandate's sessions with their attendance counts."""
    for row in sessions.sessions_of(session, mandate_id):
        present = sum(a.status == "present" for a in row.attendances)
        click.echo(f"{row.id}\t{row.held_on}\t{row.kind}\t{row.body_key or ''}\t"
                   f"{row.duration} {row.unit}\t{present} present\t{row.title}")


@click.group(name="attendance")
def attendance_group() -> None:
    """Attendance: present, excused or absent."""


@attendance_group.command(name="record")
@click.argument("session_id", type=int)
@click.argument("member_id", type=int)
@click.argument("status", type=click.Choice(sessions.ATTENDANCE))
@transaction
def attendance_record(session: Session, session_id: int, member_id: int, status: str) -> None:
    """Record whether a member attended a session."""
    sessions.record_attendance(session, session_id, member_id, status)
    click.echo(f"member {member_id}: {status} at session {session_id}")


@attendance_group.command(name="import")
@click.argument("session_id", type=int)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@transaction
def attendance_import(session: Session, session_id: int, path: Path) -> None:
    """Record a session's attendance sheet (columns member, status); all rows or none."""
    count = sessions.import_attendance(session, session_id, path)
    click.echo(f"{count} attendances recorded for session {session_id}")


# --------------------------------------------------------------------------- indemnities


@click.group(name="indemnity")
def indemnity_group() -> None:
    """Indemnities: statements, export for the finance department, extra costs."""


PERIOD = [
    click.option("--from", "start", type=DATE, required=True, help="First day of the period."),
    click.option("--to", "end", type=DATE, required=True, help="Last day of the period."),
    click.option("--rate", type=DECIMAL, default=None,
                 help="A lower rate, where the city's rate is a maximum."),
]


def _period(function: F) -> F:
    for option in reversed(PERIOD):
        function = option(function)
    return function


@indemnity_group.command(name="statements")
@click.argument("mandate_id", type=int)
@_period
@transaction
def indemnity_statements(session: Session, mandate_id: int, start: dt.date, end: dt.date,
                         rate: Decimal | None) -> None:
    """Show each member's statement for a period, computed by the city's policy."""
    rows = indemnities.statements(session, mandate_id, start, end, rate=rate)
    for one in rows:
        extras = "".join(f" + {k} {v}" for k, v in one.extras.items())
        note = "" if one.eligible else f"  (not paid: {one.reason})"
        click.echo(f"member {one.member_id} {one.public_id}: {one.paid_units}/{one.units} "
                   f"{one.unit} × {one.rate} = {one.indemnity}{extras} = {one.total} "
                   f"{one.currency}{note}")
    total = sum((one.total for one in rows), Decimal(0))
    click.echo(f"total: {total}")


@indemnity_group.command(name="export")
@click.argument("mandate_id", type=int)
@_period
@FRENCH
@OUT
@click.option("--with-names", is_flag=True,
              help="Add names and addresses: a personal data export (give --purpose).")
@click.option("--purpose", default="", help="Why names are exported (audit log).")
@transaction
def indemnity_export(session: Session, mandate_id: int, start: dt.date, end: dt.date,
                     rate: Decimal | None, french: bool, out: Path | None, with_names: bool,
                     purpose: str) -> None:
    """Export the period's statements as CSV for the finance department."""
    text = indemnities.export_csv(session, mandate_id, start, end, french=french,
                                  with_names=with_names, rate=rate, purpose=purpose)
    _write_or_echo(text, out)


@indemnity_group.command(name="claim")
@click.argument("member_id", type=int)
@click.argument("extra")
@click.argument("amount", type=DECIMAL)
@click.option("--date", "on", type=DATE, required=True, help="Date of the cost.")
@click.option("--note", default="", help="A note for the finance department.")
@transaction
def indemnity_claim(session: Session, member_id: int, extra: str, amount: Decimal,
                    on: dt.date, note: str) -> None:
    """Record a cost claimed on top of the indemnity (e.g. childcare)."""
    claim = indemnities.claim_extra(session, member_id, extra, on, amount, note)
    click.echo(f"claim {claim.id}: {claim.extra_key} {claim.amount}")


# --------------------------------------------------------------------------- proposals


@click.group(name="proposal")
def proposal_group() -> None:
    """Proposals: acts of the kinds the city allows, through its lifecycle."""


@proposal_group.command(name="create")
@click.argument("mandate_id", type=int)
@click.argument("kind")
@click.argument("title")
@click.option("--date", "on", type=DATE, required=True, help="Date the work began.")
@transaction
def proposal_create(session: Session, mandate_id: int, kind: str, title: str,
                    on: dt.date) -> None:
    """Create a proposal of KIND in its initial state."""
    proposal = proposals.create(session, mandate_id, kind, title, on)
    click.echo(f"proposal {proposal.id}: {kind}, {proposal.state}")


@proposal_group.command(name="move")
@click.argument("proposal_id", type=int)
@click.argument("target")
@click.option("--date", "on", type=DATE, required=True, help="Date of the move.")
@click.option("--reason", default="", help="Why (a vote, a decision, a letter...).")
@click.option("--by", default=None, help="The actor (assembly, council...), checked against "
              "the city's lifecycle.")
@VERSION
@transaction
def proposal_move(session: Session, proposal_id: int, target: str, on: dt.date, reason: str,
                  by: str | None, expected_version: int | None) -> None:
    """Move a proposal to TARGET, if the city's lifecycle allows it."""
    step = proposals.move(session, proposal_id, target, on, reason=reason, by=by,
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
    """Follow-up: commitments, milestones, responses, overdue list, yearly report."""


@followup_group.command(name="commit")
@click.argument("proposal_id", type=int)
@click.argument("title")
@click.option("--department", required=True, help="The responsible department.")
@click.option("--responsible", default="", help="The person responsible for the measure.")
@click.option("--date", "on", type=DATE, required=True, help="Date of the commitment.")
@click.option("--due", type=DATE, default=None, help="Due date.")
@transaction
def followup_commit(session: Session, proposal_id: int, title: str, department: str,
                    responsible: str, on: dt.date, due: dt.date | None) -> None:
    """Open a commitment for an adopted act."""
    c = followup.add_commitment(session, proposal_id, title, department, on,
                                responsible=responsible, due_on=due)
    click.echo(f"commitment {c.id}: {c.title}")


@followup_group.command(name="update")
@click.argument("commitment_id", type=int)
@click.option("--status", type=click.Choice(followup.STATUSES), default=None,
              help="New status.")
@click.option("--progress", type=click.IntRange(0, 100), default=None, help="Percent done.")
@click.option("--due", type=DATE, default=None, help="New due date.")
@click.option("--responsible", default=None, help="New responsible person.")
@VERSION
@transaction
def followup_update(session: Session, commitment_id: int, status: str | None,
                    progress: int | None, due: dt.date | None, responsible: str | None,
                    expected_version: int | None) -> None:
    """Update a commitment's status, progress, due date or responsible person."""
    c = followup.update_commitment(session, commitment_id, status=status, progress=progress,
                                   due_on=due, responsible=responsible,
                                   expected_version=expected_version)
    click.echo(f"commitment {c.id} (version {c.version}): {c.status} {c.progress}%")


@followup_group.command(name="milestone")
@click.argument("commitment_id", type=int)
@click.argument("title")
@click.option("--due", type=DATE, required=True, help="Due date of the milestone.")
@transaction
def followup_milestone(session: Session, commitment_id: int, title: str, due: dt.date) -> None:
    """Add a dated milestone to a commitment."""
    m = followup.add_milestone(session, commitment_id, title, due)
    click.echo(f"milestone {m.id}: {m.title}, due {m.due_on}")


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
@transaction
def followup_respond(session: Session, proposal_id: int, deadline: str, on: dt.date,
                     summary: str) -> None:
    """Record the addressee's answer to one of the city's response deadlines."""
    followup.record_response(session, proposal_id, deadline, on, summary)
    click.echo(f"proposal {proposal_id}: {deadline} answered on {on}")


@followup_group.command(name="overdue")
@click.option("--date", "today", type=DATE, default=None, help="As of this day (default: today).")
@click.option("--city", default=None, help="Only this city.")
@click.option("--mandate", "mandate_id", type=int, default=None, help="Only this mandate.")
@transaction
def followup_overdue(session: Session, today: dt.date | None, city: str | None,
                     mandate_id: int | None) -> None:
    """List responses, commitments and milestones past due."""
    late = followup.overdue(session, today or dt.date.today(), city=city, mandate_id=mandate_id)
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
    _write_or_echo(followup.report(session, mandate_id, year, fmt, french=french), out)


# --------------------------------------------------------------------------- audit, privacy


@click.group(name="audit")
def audit_group() -> None:
    """The audit log: verify its hash chain, read it."""


@audit_group.command(name="verify")
@transaction
def audit_verify(session: Session) -> None:
    """Check that no audit entry was edited, inserted or removed."""
    problems = audit.verify(session)
    if problems:
        raise click.ClickException(f"the audit log is broken: {problems[0]}"
                                   + (f" (and {len(problems) - 1} more)"
                                      if len(problems) > 1 else ""))
    head = session.get(AuditHead, 1)
    click.echo(f"audit log intact: {head.seq if head else 0} entries")


@audit_group.command(name="log")
@click.option("--entity", default=None, help="Only this kind of record (member, proposal...).")
@click.option("--id", "entity_id", default=None, help="Only this record id.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True,
              help="Newest entries shown.")
@transaction
def audit_log(session: Session, entity: str | None, entity_id: str | None, limit: int) -> None:
    """Show the newest audit entries."""
    for e in audit.entries(session, entity=entity, entity_id=entity_id, limit=limit):
        click.echo(f"{e.seq}\t{e.at.isoformat()}\t{e.actor}\t{e.action}\t{e.entity} "
                   f"{e.entity_id}\t{e.data}")


@click.group(name="privacy")
def privacy_group() -> None:
    """Personal data: purge after the draw."""


@privacy_group.command(name="purge")
@click.argument("mandate_id", type=int)
@transaction
def privacy_purge(session: Session, mandate_id: int) -> None:
    """Blank the personal data of respondents never seated, once the draws are final."""
    count = privacy.purge(session, mandate_id)
    click.echo(f"personal data of {count} respondents blanked")


# --------------------------------------------------------------------------- users


@click.group(name="user")
def user_group() -> None:
    """Back-office accounts and API tokens."""


@user_group.command(name="add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True, help="The user's role.")
@click.option("--city", envvar=CITY_VARIABLE, default=None,
              help="The city the account works for (default: KLEROTERION_CITY; none: every "
                   "city of the installation).")
@click.password_option(envvar="KLEROTERION_PASSWORD", help="Password (prompted; or "
                       "KLEROTERION_PASSWORD).")
@transaction
def user_add(session: Session, username: str, role: str, city: str | None,
             password: str) -> None:
    """Create a back-office account."""
    if city:
        context.city(city)  # an installed city, or the list of those that are
    user = users.create_user(session, username, password, role, city=city)
    click.echo(f"user {user.id}: {user.username} ({user.role}, {user.city or 'every city'})")


@user_group.command(name="city")
@click.argument("username")
@click.argument("city")
@transaction
def user_city(session: Session, username: str, city: str) -> None:
    """Give an account its city ("all": every city of the installation)."""
    slug = None if city == "all" else city
    if slug:
        context.city(slug)
    users.set_city(session, users.by_username(session, username).id, slug)
    click.echo(f"{username}: {slug or 'every city'}")


@user_group.command(name="list")
@transaction
def user_list(session: Session) -> None:
    """List accounts."""
    for user in session.scalars(select(User).order_by(User.id)):
        click.echo(f"{user.id}\t{user.username}\t{user.role}\t"
                   f"{'active' if user.active else 'inactive'}\t{user.city or 'every city'}")


@user_group.command(name="role")
@click.argument("username")
@click.argument("role", type=click.Choice(ROLES))
@transaction
def user_role(session: Session, username: str, role: str) -> None:
    """Change an account's role."""
    users.set_role(session, users.by_username(session, username).id, role)
    click.echo(f"{username}: {role}")


@user_group.command(name="deactivate")
@click.argument("username")
@transaction
def user_deactivate(session: Session, username: str) -> None:
    """Deactivate an account (its tokens stop working)."""
    users.deactivate(session, users.by_username(session, username).id)
    click.echo(f"{username}: inactive")


@user_group.command(name="token")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
@click.option("--role", type=click.Choice(ROLES), default=None,
              help="Act with this role instead of the user's (never above it); default: the "
                   "user's role, whatever it becomes.")
@transaction
def user_token(session: Session, username: str, name: str, role: str | None) -> None:
    """Issue an API token (shown once: only its digest and prefix are stored).

    Send it in the header "Authorization: Bearer TOKEN" to the JSON API's write endpoints.
    """
    row, token = users.issue_token(session, users.by_username(session, username).id, name,
                                   role=role)
    click.echo(f"token {row.id} for {username} ({row.effective_role}): {token}")
    click.echo("Keep it now: it is shown only this once.", err=True)


def _stamp(moment: dt.datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else "-"


@user_group.command(name="tokens")
@click.argument("username", required=False)
@transaction
def user_tokens(session: Session, username: str | None) -> None:
    """List API tokens (of one user, or all): id, prefix, user, role, name, dates, state.

    Only a token's public prefix is shown; the token itself is never stored.
    """
    user_id = users.by_username(session, username).id if username else None
    click.echo("id\tprefix\tuser\trole\tname\tcreated\tlast used\tstate")
    for row in users.list_tokens(session, user_id):
        state = ("revoked " + _stamp(row.revoked_at) if row.revoked_at is not None
                 else "active" if row.valid else "inactive user")
        role = row.role or f"{row.effective_role} (user's)"
        click.echo(f"{row.id}\t{row.prefix}\t{row.user.username}\t{role}\t{row.name}\t"
                   f"{_stamp(row.created_at)}\t{_stamp(row.last_used_at)}\t{state}")


@user_group.command(name="revoke")
@click.argument("token_id", type=int)
@transaction
def user_revoke(session: Session, token_id: int) -> None:
    """Revoke an API token (its id, as listed by kleroterion user tokens)."""
    users.revoke_token(session, token_id)
    click.echo(f"token {token_id} revoked")


COMMANDS: list[click.Command] = [
    db_group, mandate_group, invitations_group, respondents_group, panel_group, member_group,
    body_group, session_group, attendance_group, indemnity_group, proposal_group,
    followup_group, audit_group, privacy_group, user_group,
]
