"""Commands of the record's keepers: the audit log, personal data, accounts and API tokens."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from kleroterion import db
from kleroterion.cli.running import (
    CITY_VARIABLE,
    DATE,
    OUT,
    transaction,
    write_or_echo,
)
from kleroterion.models import (
    ROLES,
    AuditHead,
    User,
)
from kleroterion.services import (
    audit,
    context,
    privacy,
    users,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

# --------------------------------------------------------------------------- audit, privacy


@click.group(name="audit")
def audit_group() -> None:
    """The audit log: verify its hash chain, read it."""


@audit_group.command(name="verify")
@click.option("--head", "heads", multiple=True, metavar="SEQ:HASH",
              help="A head published on the public site (/audit, /api/audit-head): the "
                   "chain must still hold that entry with that hash (HASH alone: some "
                   "entry with that hash). Repeatable.")
@click.option("--anchor", "anchors", multiple=True, type=click.Path(dir_okay=False),
              help="An anchor file: a lottery folder's audit-head.json or a saved "
                   "/api/audit-head answer. Repeatable.")
@transaction
def audit_verify(session: Session, heads: tuple[str, ...], anchors: tuple[str, ...]) -> None:
    """Check that no audit entry was edited, inserted or removed, and match published heads.

    Without --head or --anchor, only the database is read: whoever can write to it
    could have recomputed the whole chain. A head published earlier (on the public
    site, in a lottery folder) proves that the log up to it is still the one published.
    An empty or rewound log is refused while the database holds mandates.
    """
    published = [audit.parse_head(text) for text in heads]
    published += [audit.read_anchor(path) for path in anchors]
    problems = audit.verify(session, published)
    if problems:
        raise click.ClickException(f"the audit log is broken: {problems[0]}"
                                   + (f" (and {len(problems) - 1} more)"
                                      if len(problems) > 1 else ""))
    head = session.get(AuditHead, 1)
    click.echo(f"audit log intact: {head.seq if head else 0} entries"
               + (f"; it matches the {len(published)} published head(s) given"
                  if published else "; give --head or --anchor to check it against a "
                  "published head"))


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
    """Personal data: purge after the draw, export what is kept about one person."""


@privacy_group.command(name="purge")
@click.argument("mandate_id", type=int, required=False)
@click.option("--expired", is_flag=True, help="Instead: blank the answers older than their "
              "city's retention (answers_retention_months), even before the draws; of "
              "MANDATE_ID, or of every mandate (of KLEROTERION_CITY when it is set).")
@click.option("--on", type=DATE, default=None, help="With --expired: as of this day "
              "(default: today).")
@click.option("--due", is_flag=True, help="Instead: purge every person (members too) of each "
              "mandate ended longer ago than the city's personal_data_months, and delete the "
              "letters (exports) past their last day to answer; run it daily.")
@transaction
def privacy_purge(session: Session, mandate_id: int | None, expired: bool,
                  on: dt.date | None, due: bool) -> None:
    """Blank the personal data of respondents never seated, once the draws are final.

    Until the city's replacement deadline the reserve list keeps the contact data a
    replacement needs; a purge after it blanks them too. With --expired, those of every
    answer kept longer than its city's retention; with --due (and no MANDATE_ID), every
    person of each mandate whose retention period after its end has run out, and the
    files of the letters and reminders (exports, with residents' names and addresses)
    past the last day to answer they announce. Run both daily (a cron job, a timer) so
    that no personal data outlives what was promised.
    """
    if expired and due:
        raise click.UsageError("give --expired or --due, not both")
    if on is not None and not expired:
        raise click.UsageError("--on goes with --expired")
    if expired:
        counts = privacy.purge_expired(session, on or context.today(), mandate_id)
        for mandate, count in sorted(counts.items()):
            click.echo(f"mandate {mandate}: personal data of {count} respondents blanked "
                       "(kept longer than the city's retention)")
        click.echo(f"personal data of {sum(counts.values())} respondents blanked")
        return
    if due and mandate_id is not None:
        raise click.UsageError("give a MANDATE_ID or --due, not both")
    if not due and mandate_id is None:
        raise click.UsageError("give MANDATE_ID, or --expired, or --due")
    if due:
        done = privacy.purge_due(session)
        for ident, count in done:
            click.echo(f"mandate {ident}: personal data of {count} people blanked")
        if not done:
            click.echo("no mandate is due for a purge")
        letters = privacy.purge_letters(session, db.instance_path())
        click.echo(f"letters of {letters} exports deleted (past their last day to answer)")
        return
    assert mandate_id is not None
    count = privacy.purge(session, mandate_id)
    click.echo(f"personal data of {count} respondents blanked")


@privacy_group.command(name="export-person")
@click.argument("ident")
@click.option("--purpose", required=True, help="Why (a right of access...); recorded in the "
              "audit log.")
@OUT
@transaction
def privacy_export_person(session: Session, ident: str, purpose: str, out: Path | None) -> None:
    """Everything kept about one person (by pseudonymous or external id), as JSON; audited.

    Personal data, selection features, draws and probabilities, seat, withdrawal and its
    reason, history, body seats, attendance, extra claims and the indemnity statement.
    """
    write_or_echo(privacy.export_person(session, ident, purpose), out)


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


