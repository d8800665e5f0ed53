"""Commands that keep the public record: acts' content, votes, files, the city's answers,
sessions as they happen, city-level events, and the city's yearly report.

``kleroterion record ...``: each command is one transaction (a refusal changes
nothing and prints one line naming the field and the accepted values), through the
same services as the back office and the API. Texts are plain text, given inline
(``--summary fr="..."``) or from a UTF-8 file (``--text fr=@path.txt``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from babel.support import Translations
from kleroterion import db
from kleroterion.cli.running import DATE, transaction
from kleroterion.services import acts, events, followup, reports, sessions
from kleroterion.services.context import city as city_of
from kleroterion.services.context import today as context_today
from kleroterion.services.errors import InvalidInput
from kleroterion.web.term import term_in
from sqlalchemy.orm import Session

TRANSLATIONS = Path(__file__).resolve().parents[1] / "web" / "translations"


def parse_texts(values: tuple[str, ...], option: str) -> dict[str, str]:
    """``LANG=TEXT`` or ``LANG=@FILE`` pairs as a dict, refused with the faulty value."""
    found: dict[str, str] = {}
    for value in values:
        language, sep, text = value.partition("=")
        if not sep or not language.strip():
            raise click.BadParameter(f"{value!r}: expected LANG=TEXT or LANG=@FILE "
                                     "(e.g. fr=\"Résumé\")", param_hint=option)
        if text.startswith("@"):
            path = Path(text[1:])
            try:
                text = path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as error:
                raise click.BadParameter(f"{path}: cannot be read as UTF-8 text ({error})",
                                         param_hint=option) from None
        found[language.strip()] = text
    return found


def _time(value: str | None, option: str) -> dt.time | None:
    if value is None:
        return None
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a time (HH:MM)", param_hint=option) from None


def instance_folder() -> Path:
    """The instance folder the web app uses too (``db.instance_path``)."""
    return db.instance_path()


@click.group(name="record")
def record_group() -> None:
    """The public record: act content, votes, files, answers, sessions, events, report."""


@record_group.command(name="content")
@click.argument("proposal_id", type=int)
@click.option("--summary", "summaries", multiple=True, metavar="LANG=TEXT",
              help="The act's summary in one language (repeat per language; @FILE reads it).")
@click.option("--text", "texts", multiple=True, metavar="LANG=TEXT",
              help="The act's full text in one language (repeat; LANG=@FILE reads a file).")
@click.option("--title-in", "titles", multiple=True, metavar="LANG=TEXT",
              help="The act's title in one language of the site (repeat; an empty TEXT "
                   "removes a language other than the city's first).")
@click.option("--tabled-by", default=None, help="Who tables the act before its addressee, "
              "in the city's first language (an empty TEXT removes it).")
@click.option("--tabled-by-in", "tabled_bys", multiple=True, metavar="LANG=TEXT",
              help="Who tables the act, in one language of the site (repeat; an empty TEXT "
                   "removes that language's).")
@click.option("--version", "expected_version", type=int, default=None,
              help="The version you read; refused if the act changed since.")
@transaction
def record_content(session: Session, proposal_id: int, summaries: tuple[str, ...],
                   texts: tuple[str, ...], titles: tuple[str, ...], tabled_by: str | None,
                   tabled_bys: tuple[str, ...], expected_version: int | None) -> None:
    """Set an act's title, summary and full text (per language) and who tables it."""
    proposal = acts.set_content(
        session, proposal_id, summary=parse_texts(summaries, "--summary") if summaries else None,
        full_text=parse_texts(texts, "--text") if texts else None, tabled_by=tabled_by,
        titles=parse_texts(titles, "--title-in"),
        tabled_by_texts=parse_texts(tabled_bys, "--tabled-by-in"),
        expected_version=expected_version)
    click.echo(f"proposal {proposal.id}: content recorded (version {proposal.version})")


@record_group.command(name="vote")
@click.argument("proposal_id", type=int)
@click.option("--body", type=click.Choice(acts.VOTE_BODIES), required=True,
              help="Whose vote: the assembly's or the council's.")
@click.option("--on", type=DATE, required=True, help="Day of the vote.")
@click.option("--for", "votes_for", type=click.IntRange(min=0), required=True)
@click.option("--against", "votes_against", type=click.IntRange(min=0), required=True)
@click.option("--abstentions", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--reference", default="", help="The council's reference (deliberation number).")
@transaction
def record_vote(session: Session, proposal_id: int, body: str, on: dt.date, votes_for: int,
                votes_against: int, abstentions: int, reference: str) -> None:
    """Record the assembly's or the council's vote on an act."""
    acts.record_vote(session, proposal_id, body, on, votes_for, votes_against, abstentions,
                     reference=reference)
    click.echo(f"proposal {proposal_id}: the {body}'s vote is recorded")


@record_group.command(name="attach")
@click.argument("proposal_id", type=int)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(acts.ATTACHMENT_KINDS), required=True,
              help="adopted_text (the act as adopted), synthesis (carnet de synthèse), other.")
@click.option("--title", default="", help="The title shown on the act's page, in the city's "
              "first language (required, here or as --title-in).")
@click.option("--title-in", "titles", multiple=True, metavar="LANG=TEXT",
              help="The title in one language of the site (repeat).")
@click.option("--on", type=DATE, default=None, help="Day it was added (default: today).")
@transaction
def record_attach(session: Session, proposal_id: int, path: Path, kind: str, title: str,
                  titles: tuple[str, ...], on: dt.date | None) -> None:
    """Attach a file to an act, copied into the instance folder under a safe name."""
    attachment = acts.add_attachment(session, proposal_id, path, instance_folder(), kind=kind,
                                     title=title, titles=parse_texts(titles, "--title-in"),
                                     on=on or context_today())
    click.echo(f"proposal {proposal_id}: attached as {attachment.stored_name}")


@record_group.command(name="answer")
@click.argument("proposal_id", type=int)
@click.option("--kind", type=click.Choice(followup.ANSWER_KINDS), required=True,
              help="first, final (the response deadlines), yearly (periodic report), reasons.")
@click.option("--on", type=DATE, required=True, help="Day the city answered.")
@click.option("--summary", default="", help="The answer's gist, one line.")
@click.option("--summary-in", "summaries", multiple=True, metavar="LANG=TEXT",
              help="The gist in one language of the site (repeat).")
@click.option("--text", "texts", multiple=True, metavar="LANG=TEXT",
              help="The answer's text in one language (repeat; LANG=@FILE reads a file).")
@click.option("--verdict", type=click.Choice(followup.VERDICTS), default=None,
              help="Whether the city retains the act, apart from its implementation.")
@click.option("--year", type=int, default=None, help="The year of a yearly answer.")
@transaction
def record_answer(session: Session, proposal_id: int, kind: str, on: dt.date, summary: str,
                  summaries: tuple[str, ...], texts: tuple[str, ...], verdict: str | None,
                  year: int | None) -> None:
    """Record one of the city's answers to an act, published with it."""
    followup.record_answer(session, proposal_id, kind, on, summary=summary,
                           summaries=parse_texts(summaries, "--summary-in"),
                           text=parse_texts(texts, "--text"), verdict=verdict, year=year)
    click.echo(f"proposal {proposal_id}: {kind} answer recorded")


@record_group.command(name="session")
@click.argument("session_id", type=int)
@click.option("--start", default=None, help="Start time, HH:MM (local time).")
@click.option("--end", default=None, help="End time, HH:MM.")
@click.option("--place", default=None, help="Where it is held.")
@click.option("--agenda", default=None, help="The agenda (plain text; @FILE reads a file).")
@click.option("--minutes", default=None,
              help="The minutes, compte rendu (plain text; @FILE reads a file).")
@click.option("--optional/--required", default=None,
              help="Whether members may skip it (trainings only).")
@click.option("--title-in", "titles", multiple=True, metavar="LANG=TEXT",
              help="Its title in one language of the site (repeat; LANG= removes it).")
@click.option("--place-in", "places", multiple=True, metavar="LANG=TEXT",
              help="The place in one language of the site, e.g. nl=\"Stadhuis\" (repeat).")
@click.option("--agenda-in", "agendas", multiple=True, metavar="LANG=TEXT",
              help="The agenda in one language (repeat; LANG=@FILE reads a file).")
@click.option("--minutes-in", "minutes_in", multiple=True, metavar="LANG=TEXT",
              help="The minutes in one language (repeat; LANG=@FILE reads a file).")
@transaction
def record_session(session: Session, session_id: int, start: str | None, end: str | None,
                   place: str | None, agenda: str | None, minutes: str | None,
                   optional: bool | None, titles: tuple[str, ...], places: tuple[str, ...],
                   agendas: tuple[str, ...], minutes_in: tuple[str, ...]) -> None:
    """Give a session its times, place, agenda or minutes.

    --place, --agenda and --minutes are in the city's first language; the --...-in
    options give them in any language of the site.
    """
    def text(value: str | None, option: str) -> str | None:
        return None if value is None else parse_texts((f"x={value}",), option)["x"]

    translations = {field: parse_texts(values, option) for field, values, option in (
        ("title", titles, "--title-in"), ("place", places, "--place-in"),
        ("agenda", agendas, "--agenda-in"), ("minutes", minutes_in, "--minutes-in"))
        if values}
    sessions.describe_session(session, session_id, starts_at=_time(start, "--start"),
                              ends_at=_time(end, "--end"), place=place,
                              agenda=text(agenda, "--agenda"),
                              minutes=text(minutes, "--minutes"), optional=optional,
                              translations=translations or None)
    click.echo(f"session {session_id}: recorded")


@record_group.command(name="guest")
@click.argument("session_id", type=int)
@click.argument("name")
@click.option("--role", type=click.Choice(sessions.GUEST_ROLES), required=True,
              help="expert, elected (an elected official), agent, other.")
@click.option("--organisation", default="", help="Whom the guest speaks for.")
@click.option("--organisation-in", "organisations", multiple=True, metavar="LANG=TEXT",
              help="The organisation in one language of the site (repeat).")
@transaction
def record_guest(session: Session, session_id: int, name: str, role: str,
                 organisation: str, organisations: tuple[str, ...]) -> None:
    """Record someone heard at a session (a guest, not a member: named publicly)."""
    guest = sessions.add_guest(session, session_id, name, role, organisation,
                               parse_texts(organisations, "--organisation-in"))
    click.echo(f"session {session_id}: guest {guest.id} recorded")


@record_group.command(name="document")
@click.argument("session_id", type=int)
@click.argument("title")
@click.argument("url")
@transaction
def record_document(session: Session, session_id: int, title: str, url: str) -> None:
    """List a public document of a session by its web address."""
    sessions.add_document(session, session_id, title, url)
    click.echo(f"session {session_id}: document listed")


@record_group.command(name="event")
@click.argument("city")
@click.argument("kind", type=click.Choice(events.EVENT_KINDS))
@click.argument("day", type=DATE)
@click.argument("title")
@click.option("--start", default=None, help="Start time, HH:MM.")
@click.option("--end", default=None, help="End time, HH:MM.")
@click.option("--place", default="", help="Where it is held.")
@click.option("--summary", default="", help="What it is about (plain text).")
@click.option("--mandate", "mandate_ids", type=int, multiple=True,
              help="A mandate it is addressed to (repeat); none: every mandate of the city.")
@click.option("--title-in", "titles", multiple=True, metavar="LANG=TEXT",
              help="The title in another language of the site (repeat).")
@click.option("--place-in", "places", multiple=True, metavar="LANG=TEXT",
              help="The place in another language of the site (repeat).")
@click.option("--summary-in", "summaries", multiple=True, metavar="LANG=TEXT",
              help="The summary in another language (repeat; LANG=@FILE reads a file).")
@transaction
def record_event(session: Session, city: str, kind: str, day: dt.date, title: str,
                 start: str | None, end: str | None, place: str, summary: str,
                 mandate_ids: tuple[int, ...], titles: tuple[str, ...],
                 places: tuple[str, ...], summaries: tuple[str, ...]) -> None:
    """Record a city-level meeting that belongs to no single mandate.

    Paris's yearly droit-de-suite meeting to all promotions (kind accountability);
    Brussels's formal follow-up meetings of one cycle (kind follow_up, --mandate).
    """
    event = events.record_event(session, city, kind, day, title,
                                starts_at=_time(start, "--start"), ends_at=_time(end, "--end"),
                                place=place, summary=summary, mandate_ids=list(mandate_ids),
                                translations={field: parse_texts(values, option)
                                              for field, values, option in (
                                                  ("title", titles, "--title-in"),
                                                  ("place", places, "--place-in"),
                                                  ("summary", summaries, "--summary-in"))
                                              if values} or None)
    click.echo(f"event {event.id} recorded")


def report_words(language: str, french_dates: bool, city_slug: str = "") -> reports.Words:
    """The report's words in ``language`` from the web interface's catalogs."""
    catalog = Translations.load(str(TRANSLATIONS), [language])

    def gettext(message: str, /, **params: object) -> str:
        translated = catalog.gettext(message)
        return translated % params if params else translated

    from kleroterion.web import record_words

    def name(table: dict[str, str], key: str) -> str:
        return catalog.gettext(table[key]) if key in table else key

    return reports.Words(
        language=language, gettext=gettext,
        status=lambda key: name(record_words.SOURCE_STATUSES, key),
        answer_kind=lambda key: name(record_words.SOURCE_ANSWER_KINDS, key),
        verdict=lambda key: name(record_words.SOURCE_VERDICTS, key),
        day=followup.french_date if french_dates else dt.date.isoformat,
        term=term_in(city_of(city_slug).config.mandate, language).One if city_slug else "Promotion")


@record_group.command(name="report")
@click.argument("city")
@click.option("--year", type=int, required=True, help="The report's year (state at 31 Dec).")
@click.option("--format", "fmt", type=click.Choice(["markdown", "csv"]), default="markdown",
              show_default=True)
@click.option("--lang", "language", default="fr", show_default=True,
              help="The report's language: fr, nl or en.")
@click.option("--french", is_flag=True,
              help="French spreadsheet format: ';' separator and DD/MM/YYYY dates.")
@click.option("--promotion", "mandate_ids", type=int, multiple=True,
              help="Only this mandate (repeat); default: every mandate of the city.")
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (UTF-8 with BOM) instead of standard output.")
@click.option("--queue", "queued", is_flag=True,
              help="Queue it as an export a worker makes (`kleroterion jobs`), in the "
                   "spreadsheet format of its language, instead of writing it here.")
@transaction
def record_report(session: Session, city: str, year: int, fmt: str, language: str,
                  french: bool, mandate_ids: tuple[int, ...], out: Path | None,
                  queued: bool) -> None:
    """The city's yearly follow-up report on every promotion, in one language.

    Unlike `followup report` (one mandate, logged as the city's report), this is a
    reading: nothing is logged. With --queue a worker writes it: `kleroterion jobs
    show` follows it and `kleroterion jobs fetch` copies it.
    """
    if language not in ("fr", "nl", "en"):
        raise InvalidInput("%(language)r is not a report language; accepted: fr, nl, en",
                           language=language, field="lang")
    if queued:
        from kleroterion.cli.exports import start_export

        start_export(session, "report", {"city": city, "year": year, "language": language,
                                         "format": fmt, "mandate_ids": list(mandate_ids)},
                     inline=False)
        return
    report = reports.city_report(session, city, year, list(mandate_ids) or None)
    words = report_words(language, french, city)
    body = (reports.as_csv(report, words, semicolon=french) if fmt == "csv"
            else reports.as_markdown(report, words))
    if out is None:
        click.echo(body, nl=False)
    else:
        out.write_text(body, encoding="utf-8-sig", newline="")
        click.echo(f"written to {out}", err=True)


COMMANDS: list[click.Command] = [record_group]
