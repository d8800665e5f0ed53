"""Invitation letters with answer codes: generated from an invitation draw's mail merge.

``generate`` reads the mail-merge file an invitation draw wrote (refused unless its
SHA-256 is the one the draw recorded, so the letters go to the people drawn), gives
each row an unguessable code, stores only the code's digest with the row's stratum,
and writes the letters as one PDF and one per stratum (the mail house sorts by
commune or arrondissement), with the address labels as a spreadsheet. The codes
exist in the PDFs alone: letters are generated once per draw.

A code is ten characters of Crockford's base 32 (50 bits, ``7KQ2M-XD94T``): read
aloud or typed from paper, O and I read as 0 and 1, case and hyphens ignored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from kleroterion import spreadsheet
from kleroterion.city.types import localize
from kleroterion.letters import render
from kleroterion.letters.template import LetterTemplate, address_lines
from kleroterion.models import Invitation, InvitationDraw, Mandate
from kleroterion.services import audit
from kleroterion.services.context import city_of, get
from kleroterion.services.context import today as context_today
from kleroterion.services.errors import InvalidInput, NotAllowed
from kleroterion.services.tables import read_table
from sqlalchemy import func, select
from sqlalchemy.orm import Session

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    """A fresh code, ``XXXXX-XXXXX``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalize(code: str) -> str:
    """The code as stored: upper case, no separators, O and I read as 0 and 1."""
    cleaned = re.sub(r"[\s\-_.]", "", code).upper().translate(_READ_AS)
    return cleaned


def digest(code: str) -> str:
    return hashlib.sha256(normalize(code).encode("ascii", "replace")).hexdigest()


def well_formed(code: str) -> bool:
    cleaned = normalize(code)
    return len(cleaned) == CODE_LENGTH and all(ch in ALPHABET for ch in cleaned)


@dataclass
class LetterRun:
    draw_id: int
    letters: int
    files: list[Path] = field(default_factory=list)
    strata: dict[str, int] = field(default_factory=dict)


def _file_digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def _safe_name(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower()[:60] or "stratum"


def _checked(session: Session, invitation_draw_id: int, mailmerge: Path,
             template: LetterTemplate, url: str, answers_until: dt.date, day: dt.date
             ) -> tuple[InvitationDraw, Mandate, list[str], render.Context]:
    draw = get(session, InvitationDraw, invitation_draw_id)
    mandate = get(session, Mandate, draw.mandate_id)
    config = city_of(mandate).config
    url = url or template.answer_url
    if not url.startswith(("https://", "http://")):
        raise InvalidInput("the answer page's address %(url)r is not a web address; give "
                           "--url https://… or answer_url in letters.toml", url=url,
                           field="url")
    if answers_until < day:
        raise InvalidInput("the last day to answer (%(until)s) has passed",
                           until=answers_until.isoformat(), field="answers_until")
    if _file_digest(mailmerge) != draw.output_digest:
        raise InvalidInput("%(file)s is not the mail-merge file invitation draw %(draw)s wrote "
                           "(its SHA-256 differs)", file=mailmerge.name, draw=draw.id,
                           field="mailmerge")
    languages = template.languages_for(config.profile.languages)
    if not languages:
        raise InvalidInput("letters.toml has no text in %(languages)s", languages=", ".join(
            config.profile.languages))
    context = render.Context(dict(config.profile.assembly_name), dict(config.profile.name), url,
                             answers_until, dict(config.profile.name), day)
    return draw, mandate, languages, context


def _rows(template: LetterTemplate, mailmerge: Path, stratify_by: str | None
          ) -> list[tuple[int, str, tuple[str, ...]]]:
    """Each row of the mail merge: its position, its stratum and its address lines."""
    table = read_table(mailmerge)
    lines = address_lines(template, table.header, mailmerge.name)
    stratum_at = table.column(stratify_by) if stratify_by else None
    rows = []
    for position, (_, record) in enumerate(table.rows, start=1):
        values = {column: (record[index] if index < len(record) else "").strip()
                  for index, column in enumerate(table.header)}
        values.update({column.casefold(): value for column, value in list(values.items())})
        address = tuple(" ".join(text.format(**values).split()) for text in lines)
        stratum = (record[stratum_at].strip() if stratum_at is not None
                   and stratum_at < len(record) else "")
        rows.append((position, stratum, tuple(a for a in address if a)))
    return rows


def _write(run: LetterRun, out: Path, letters: list[tuple[str, render.Letter]],
           stratified: bool, languages: list[str], template: LetterTemplate,
           context: render.Context, french: bool, column: str,
           progress: Callable[[int, int], None] | None) -> None:
    """The letters, one file per stratum joined into the whole run, and the labels."""
    out.mkdir(parents=True, exist_ok=True)
    # Sorted by stratum, each stratum's letters are rendered once, into their own file,
    # and the whole run is those files joined (pypdf), not rendered a second time.
    letters.sort(key=lambda item: item[0])
    done = 0

    def advance(count: int) -> None:
        if progress is not None:
            progress(done + count, len(letters))

    parts: list[Path] = []
    for stratum in sorted({s for s, _ in letters}) if stratified else [""]:
        chosen = [letter for s, letter in letters if s == stratum or not stratified]
        path = out / f"letters-{_safe_name(stratum)}.pdf" if stratified else out / "letters.pdf"
        render.write(path, chosen, languages, template, context, advance)
        done += len(chosen)
        parts.append(path)
        if stratified:
            run.strata[stratum] = len(chosen)
    everything = out / "letters.pdf"
    if stratified:
        render.join(parts, everything)
    run.files += [everything, *(p for p in parts if p != everything)]
    labels = out / "labels.csv"
    with labels.open("w", encoding="utf-8-sig" if french else "utf-8", newline="") as handle:
        writer = spreadsheet.writer(handle, delimiter=";" if french else ",")
        width = max((len(letter.address) for _, letter in letters), default=0)
        writer.writerow([*(f"ligne {i + 1}" if french else f"line {i + 1}"
                           for i in range(width)), column])
        for stratum, letter in letters:
            writer.writerow([*letter.address, *([""] * (width - len(letter.address))),
                             stratum])
    run.files.append(labels)


def generate(session: Session, invitation_draw_id: int, mailmerge: Path, out: Path,
             template: LetterTemplate, *, answers_until: dt.date, url: str = "",
             today: dt.date | None = None,
             progress: Callable[[int, int], None] | None = None) -> LetterRun:
    """Codes for every row of the draw's mail merge, the letters and the labels."""
    day = today or context_today()
    draw, mandate, languages, context = _checked(session, invitation_draw_id, mailmerge,
                                                 template, url, answers_until, day)
    existing = session.scalar(select(func.count()).select_from(Invitation).where(
        Invitation.invitation_draw_id == draw.id)) or 0
    if existing:
        raise NotAllowed("the letters of invitation draw %(draw)s were generated already "
                         "(%(count)s codes); a code exists only in its letter, so they are "
                         "never generated twice", draw=draw.id, count=existing)
    letters: list[tuple[str, render.Letter]] = []
    for position, stratum, address in _rows(template, mailmerge, draw.stratify_by):
        code = new_code()
        session.add(Invitation(invitation_draw_id=draw.id, mandate_id=mandate.id,
                               seat_group=draw.seat_group, position=position,
                               code_digest=digest(code), stratum=stratum or None))
        letters.append((stratum, render.Letter(address, code)))
    draw.answers_until = answers_until
    run = LetterRun(draw.id, len(letters))
    config = city_of(mandate).config
    _write(run, out, letters, bool(draw.stratify_by), languages, template, context,
           config.profile.languages[0] in ("fr", "nl"), draw.stratify_by or "stratum",
           progress)
    session.flush()
    audit.record(session, "invitations.letters", "invitation_draw", draw.id,
                 letters=run.letters, strata=len(run.strata), answers_until=answers_until,
                 assembly=localize(config.profile.assembly_name, "en"), **render.info())
    return run


def remind(session: Session, invitation_draw_id: int, mailmerge: Path, out: Path,
           template: LetterTemplate, *, answers_until: dt.date, strata: list[str] | None = None,
           lowest: int | None = None, url: str = "", today: dt.date | None = None,
           progress: Callable[[int, int], None] | None = None) -> LetterRun:
    """Reminder letters to the invitees who have not answered, in ``strata`` or in the
    ``lowest`` strata by answer rate: each gets a fresh code (its first letter's code no
    longer answers, since codes are kept only as digests), and the last day to answer
    becomes ``answers_until``."""
    day = today or context_today()
    draw, mandate, languages, context = _checked(session, invitation_draw_id, mailmerge,
                                                 template, url, answers_until, day)
    invitations = {i.position: i for i in session.scalars(select(Invitation).where(
        Invitation.invitation_draw_id == draw.id))}
    if not invitations:
        raise NotAllowed("invitation draw %(draw)s has no letters yet; generate them first",
                         draw=draw.id)
    rates = answer_rates(session, draw.id)
    known = [rate.stratum for rate in rates]
    if strata:
        unknown = [s for s in strata if s not in known]
        if unknown:
            raise InvalidInput("invitation draw %(draw)s has no stratum %(strata)s; its "
                               "strata: %(known)s", draw=draw.id, strata=", ".join(unknown),
                               known=", ".join(known), field="strata")
        chosen = set(strata)
    else:
        chosen = set(known[:lowest] if lowest else known)
    letters: list[tuple[str, render.Letter]] = []
    for position, stratum, address in _rows(template, mailmerge, draw.stratify_by):
        invitation = invitations.get(position)
        if invitation is None or invitation.answered_at is not None:
            continue
        if (invitation.stratum or "") not in chosen:
            continue
        code = new_code()
        invitation.code_digest = digest(code)
        letters.append((stratum, render.Letter(address, code)))
    draw.answers_until = answers_until
    run = LetterRun(draw.id, len(letters))
    config = city_of(mandate).config
    _write(run, out, letters, bool(draw.stratify_by), languages, template,
           replace(context, reminder=True), config.profile.languages[0] in ("fr", "nl"),
           draw.stratify_by or "stratum", progress)
    session.flush()
    audit.record(session, "invitations.reminders", "invitation_draw", draw.id,
                 letters=run.letters, strata=sorted(chosen), answers_until=answers_until)
    return run


@dataclass(frozen=True)
class StratumAnswers:
    stratum: str
    letters: int
    answers: int

    @property
    def rate(self) -> float | None:
        return self.answers / self.letters if self.letters else None


def answer_rates(session: Session, invitation_draw_id: int) -> list[StratumAnswers]:
    """Letters and answers per stratum of one invitation draw, lowest rate first: the
    strata a reminder letter should go to come first."""
    rows = session.execute(select(Invitation.stratum, Invitation.answered_at).where(
        Invitation.invitation_draw_id == invitation_draw_id)).all()
    letters: dict[str, int] = {}
    answered: dict[str, int] = {}
    for stratum, answered_at in rows:
        key = stratum or ""
        letters[key] = letters.get(key, 0) + 1
        answered[key] = answered.get(key, 0) + (answered_at is not None)
    found = [StratumAnswers(key, letters[key], answered[key]) for key in letters]
    return sorted(found, key=lambda s: (s.rate if s.rate is not None else 1.0, s.stratum))
