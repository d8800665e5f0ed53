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

import csv
import datetime as dt
import hashlib
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kleroterion.city.types import localize
from kleroterion.letters import render
from kleroterion.letters.template import LetterTemplate, address_lines
from kleroterion.models import Invitation, InvitationDraw, Mandate
from kleroterion.services import audit
from kleroterion.services.context import city_of, get
from kleroterion.services.errors import InvalidInput, NotAllowed
from kleroterion.services.tables import read_table
from sqlalchemy import func, select
from sqlalchemy.orm import Session

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
#: A cell a spreadsheet would run as a formula starts with one of these.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


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


def _cell(text: str) -> str:
    return f"'{text}" if text.startswith(_FORMULA) else text


def generate(session: Session, invitation_draw_id: int, mailmerge: Path, out: Path,
             template: LetterTemplate, *, answers_until: dt.date, url: str = "",
             today: dt.date | None = None,
             progress: Callable[[int, int], None] | None = None) -> LetterRun:
    """Codes for every row of the draw's mail merge, the letters and the labels."""
    draw = get(session, InvitationDraw, invitation_draw_id)
    mandate = get(session, Mandate, draw.mandate_id)
    config = city_of(mandate).config
    url = url or template.answer_url
    if not url.startswith(("https://", "http://")):
        raise InvalidInput("the answer page's address %(url)r is not a web address; give "
                           "--url https://… or answer_url in letters.toml", url=url,
                           field="url")
    day = today or dt.date.today()
    if answers_until < day:
        raise InvalidInput("the last day to answer (%(until)s) has passed",
                           until=answers_until.isoformat(), field="answers_until")
    existing = session.scalar(select(func.count()).select_from(Invitation).where(
        Invitation.invitation_draw_id == draw.id)) or 0
    if existing:
        raise NotAllowed("the letters of invitation draw %(draw)s were generated already "
                         "(%(count)s codes); a code exists only in its letter, so they are "
                         "never generated twice", draw=draw.id, count=existing)
    if _file_digest(mailmerge) != draw.output_digest:
        raise InvalidInput("%(file)s is not the mail-merge file invitation draw %(draw)s wrote "
                           "(its SHA-256 differs)", file=mailmerge.name, draw=draw.id,
                           field="mailmerge")
    table = read_table(mailmerge)
    lines = address_lines(template, table.header, mailmerge.name)
    stratum_at = table.column(draw.stratify_by) if draw.stratify_by else None
    languages = template.languages_for(config.profile.languages)
    if not languages:
        raise InvalidInput("letters.toml has no text in %(languages)s", languages=", ".join(
            config.profile.languages))
    out.mkdir(parents=True, exist_ok=True)
    context = render.Context(dict(config.profile.assembly_name), config.profile.name, url,
                             answers_until, config.profile.name, day)
    letters: list[tuple[str, render.Letter]] = []
    for position, (_, record) in enumerate(table.rows, start=1):
        values = {column: (record[index] if index < len(record) else "").strip()
                  for index, column in enumerate(table.header)}
        values.update({column.casefold(): value for column, value in list(values.items())})
        address = tuple(" ".join(text.format(**values).split()) for text in lines)
        code = new_code()
        stratum = (record[stratum_at].strip() if stratum_at is not None
                   and stratum_at < len(record) else None)
        session.add(Invitation(invitation_draw_id=draw.id, mandate_id=mandate.id,
                               seat_group=draw.seat_group, position=position,
                               code_digest=digest(code), stratum=stratum))
        letters.append((stratum or "", render.Letter(tuple(a for a in address if a), code)))
    draw.answers_until = answers_until
    run = LetterRun(draw.id, len(letters))
    # Sorted by stratum, each stratum's letters are rendered once, into their own file,
    # and the whole run is those files joined (pypdf), not rendered a second time.
    letters.sort(key=lambda item: item[0])
    done = 0

    def advance(count: int) -> None:
        if progress is not None:
            progress(done + count, len(letters))

    parts: list[Path] = []
    for stratum in sorted({s for s, _ in letters}) if draw.stratify_by else [""]:
        chosen = [letter for s, letter in letters if s == stratum or not draw.stratify_by]
        path = (out / f"letters-{_safe_name(stratum)}.pdf" if draw.stratify_by
                else out / "letters.pdf")
        render.write(path, chosen, languages, template, context, advance)
        done += len(chosen)
        parts.append(path)
        if draw.stratify_by:
            run.strata[stratum] = len(chosen)
    everything = out / "letters.pdf"
    if draw.stratify_by:
        render.join(parts, everything)
    run.files += [everything, *(p for p in parts if p != everything)]
    labels = out / "labels.csv"
    french = config.profile.languages[0] in ("fr", "nl")
    with labels.open("w", encoding="utf-8-sig" if french else "utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";" if french else ",")
        width = max((len(letter.address) for _, letter in letters), default=0)
        writer.writerow([*(f"ligne {i + 1}" if french else f"line {i + 1}"
                           for i in range(width)), draw.stratify_by or "stratum"])
        for stratum, letter in letters:
            writer.writerow([*(_cell(a) for a in letter.address),
                             *([""] * (width - len(letter.address))), _cell(stratum)])
    run.files.append(labels)
    session.flush()
    audit.record(session, "invitations.letters", "invitation_draw", draw.id,
                 letters=run.letters, strata=len(run.strata), answers_until=answers_until,
                 assembly=localize(config.profile.assembly_name, "en"), **render.info())
    return run
