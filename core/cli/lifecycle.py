"""Commands that run a mandate from the terminal: from the invitation draw to the follow-up report.

This module holds the database and mandate commands and gathers every command group
of a mandate's life, each in its own module: recruitment (invitations, respondents,
panel), the sitting panel (members, bodies, sessions, attendance, indemnities), acts
and their follow-up, and the record's keepers (audit, privacy, accounts). How each
command runs (one transaction, in its city): :mod:`kleroterion.cli.running`.
"""

from __future__ import annotations

import datetime as dt

import click
from kleroterion import db
from kleroterion.cli.account_commands import audit_group, privacy_group, user_group
from kleroterion.cli.act_commands import followup_group, proposal_group
from kleroterion.cli.member_commands import (
    attendance_group,
    body_group,
    indemnity_group,
    member_group,
    session_group,
)
from kleroterion.cli.quota_commands import quotas_group
from kleroterion.cli.record import parse_texts
from kleroterion.cli.recruitment_commands import (
    invitations_group,
    panel_group,
    respondents_group,
)
from kleroterion.cli.running import (
    DATE,
    transaction,
)
from kleroterion.cli.running import dispose_engines as dispose_engines
from kleroterion.models import (
    Mandate,
)
from kleroterion.services import (
    mandates,
    members,
)
from kleroterion.services.context import get
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

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
@click.option("--label-in", "labels", multiple=True, metavar="LANG=TEXT",
              help="Its name in another language of the site, e.g. nl=\"cyclus 2026\" "
                   "(repeat per language; LABEL is the name in the city's first language).")
@transaction
def mandate_open(session: Session, city: str, label: str, start: dt.date,
                 end: dt.date | None, labels: tuple[str, ...]) -> None:
    """Open a mandate of CITY called LABEL (e.g. "promotion 2025"), with its phases."""
    mandate = mandates.open_mandate(session, city, label, start, end,
                                    labels=parse_texts(labels, "--label-in"))
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


@mandate_group.command(name="edit")
@click.argument("mandate_id", type=int)
@click.option("--label", default=None, help="The mandate's new label.")
@click.option("--end", type=DATE, default=None,
              help="The new last day (within the city's term; no session after it).")
@click.option("--label-in", "labels", multiple=True, metavar="LANG=TEXT",
              help="Its name in another language of the site (repeat; LANG= removes it).")
@transaction
def mandate_edit(session: Session, mandate_id: int, label: str | None,
                 end: dt.date | None, labels: tuple[str, ...]) -> None:
    """Rename a mandate or move its last day (its phases are laid out again)."""
    mandate = mandates.edit_mandate(session, mandate_id, label=label, ends_on=end,
                                    labels=parse_texts(labels, "--label-in") if labels
                                    else None)
    click.echo(f"mandate {mandate.id}: {mandate.city} {mandate.label}, {mandate.starts_on} "
               f"to {mandate.ends_on}")


@mandate_group.command(name="close")
@click.argument("mandate_id", type=int)
@transaction
def mandate_close(session: Session, mandate_id: int) -> None:
    """Close a mandate (its follow-up goes on)."""
    mandates.close_mandate(session, mandate_id)
    click.echo(f"mandate {mandate_id} closed")


mandate_group.add_command(quotas_group)



COMMANDS: list[click.Command] = [
    db_group, mandate_group, invitations_group, respondents_group, panel_group, member_group,
    body_group, session_group, attendance_group, indemnity_group, proposal_group,
    followup_group, audit_group, privacy_group, user_group,
]
