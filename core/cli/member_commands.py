"""Commands of a sitting panel: members, bodies, sessions, attendance, indemnities."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
from kleroterion.cli.record import parse_texts
from kleroterion.cli.running import (
    DATE,
    DECIMAL,
    OUT,
    PUBLIC,
    SEED,
    VERSION,
    F,
    sortition_engine,
    transaction,
)
from kleroterion.models import (
    Mandate,
    Member,
)
from kleroterion.services import (
    bodies,
    indemnities,
    members,
    panel,
    recruitment,
    sessions,
    statement_export,
)
from kleroterion.services.context import city_of, get
from sqlalchemy.orm import Session

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
    """Draw a replacement for a withdrawn member under the quotas left.

    Without --seed or --public-number the draw is only published: its digest is
    printed, to make public before the number is known; then
    `kleroterion panel choose DRAW NUMBER --date YYYY-MM-DD` seats the replacement.
    """
    if seed is None and public_number is None:
        draw = panel.start_replacement(session, member_id, engine=sortition_engine())
        click.echo(f"replacement draw {draw.id} ({draw.algorithm}) published, awaiting the "
                   "public number")
        click.echo(f"  digest: {draw.panels_digest}")
        click.echo(f"  lottery folder: {panel.folder_path(draw)}")
        click.echo(f"  then: kleroterion panel choose {draw.id} NUMBER --date {on.isoformat()}")
        return
    new = panel.replace_member(session, member_id, on, seed=seed, public_number=public_number,
                               engine=sortition_engine())
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
    """Fill a body's drawn seats by lot among candidate members.

    Without --seed or --public-number the draw is only published (its digest printed,
    to make public before the number is known); then
    `kleroterion panel choose DRAW NUMBER --date YYYY-MM-DD` seats who it draws.
    """
    draw = bodies.draw(session, mandate_id, body_key, on, candidates=candidates or None,
                       seed=seed, public_number=public_number)
    click.echo(f"draw {draw.id}: {draw.seats} seats of {body_key} among "
               f"{len(draw.entries)} candidates")
    if draw.state == "published":
        click.echo(f"  published, awaiting the public number; digest: {draw.panels_digest}")
        click.echo(f"  then: kleroterion panel choose {draw.id} NUMBER --date {on.isoformat()}")


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
@click.option("--title-in", "titles", multiple=True, metavar="LANG=TEXT",
              help="The title in another language of the site (repeat).")
@transaction
def session_add(session: Session, mandate_id: int, kind: str, on: dt.date,
                duration: Decimal | None, body_key: str | None, title: str,
                titles: tuple[str, ...]) -> None:
    """Add a session of KIND to a mandate."""
    row = sessions.add_session(session, mandate_id, kind, on, duration=duration,
                               body_key=body_key, title=title,
                               titles=parse_texts(titles, "--title-in"))
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
    """Record a session's attendance sheet (columns public_id or member, status); all or none."""
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
@click.option("--lang", "language", type=click.Choice(statement_export.LANGUAGES),
              default=None, help="Language of the headers and values; fr and nl write the "
              "French spreadsheet form (';', decimal comma, DD/MM/YYYY). Default: the city's "
              "first language.")
@OUT
@click.option("--with-names", is_flag=True,
              help="Add names and bank details: a personal data export (give --purpose).")
@click.option("--purpose", default="", help="Why names are exported (audit log).")
@transaction
def indemnity_export(session: Session, mandate_id: int, start: dt.date, end: dt.date,
                     rate: Decimal | None, language: str | None, out: Path | None,
                     with_names: bool, purpose: str) -> None:
    """Export the period's statements as CSV for the finance department.

    The same file as the back office's download: UTF-8 with a BOM, headers and values
    in the language.
    """
    mandate = get(session, Mandate, mandate_id)
    config = city_of(mandate).config
    language = language or next((code for code in config.profile.languages
                                 if code in statement_export.LANGUAGES), "en")
    content, _ = statement_export.export(
        session, mandate.city, start, end, gettext=statement_export.catalog(language),
        language=language, mandate_id=mandate.id, rate=rate, with_names=with_names,
        purpose=purpose)
    if out is None:
        click.echo(content.decode("utf-8"), nl=False)
    else:
        out.write_bytes(content)
        click.echo(f"written to {out}", err=True)


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


