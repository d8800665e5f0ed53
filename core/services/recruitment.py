"""Recruitment: invitation draws from a registry, respondents imported, open volunteers.

A respondents file (its columns, and how it is read and refused:
:mod:`kleroterion.services.respondents_file`) is imported here. Personal values go to
``personal_data`` only; the household becomes an opaque key (an HMAC of the
normalised address under the mandate's secret), so two respondents of one home
are recognised without the address reaching the selection features.

The rows are inserted in bulk, ``INSERT_CHUNK`` at a time (respondents with their
ids returned, then their personal rows), in the caller's one transaction: a file of
200,000 respondents imports in seconds (benchmarks/bench_import.py), all or nothing.

A file is imported once (its SHA-256 is remembered); an id already in the mandate
is refused with its line. A file is read whole before anything is imported, and a
refusal lists every problem found (line, column, value, what is accepted), so a
secretariat fixes a spreadsheet in one pass; ``check_respondents`` gives the same
list without importing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import cast

from kleroterion.city.types import SeatGroup
from kleroterion.messages import N_, Message
from kleroterion.models import (
    InvitationDraw,
    Mandate,
    Member,
    MemberEvent,
    PersonalData,
    Respondent,
    RespondentImport,
)
from kleroterion.services import audit
from kleroterion.services.context import actor, check_in_mandate, city_of, get
from kleroterion.services.errors import InvalidInput, NotAllowed
from kleroterion.services.field_labels import field_label
from kleroterion.services.import_columns import parse_iban
from kleroterion.services.respondents_file import (
    PERSONAL_COLUMNS,
    PERSONAL_FIELDS,
    RespondentsCheck,
    RespondentsRefused,
    Rows,
    read_respondents_file,
)
from kleroterion.services.values import column_problem
from kleroterion.sortition.io import InputError
from sqlalchemy import Table as SqlTable
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

#: The seat group of open volunteers (Poitiers), who sit without a draw.
VOLUNTEERS = "volunteers"

#: Rows per bulk INSERT of an import (bounded so a statement stays a few MB).
INSERT_CHUNK = 5000
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_SPACES = re.compile(r"\s+")


def new_public_id(prefix: str = "R") -> str:
    """A random pseudonymous id, e.g. ``R7KQ2MZ4P``: unguessable, and meaningless."""
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(8))


def _new_public_ids(count: int, prefix: str = "R") -> list[str]:
    """``count`` ids as ``new_public_id`` makes them, from one call to the system's RNG.

    Each byte's low five bits pick a letter: 256 is a multiple of the alphabet's 32,
    so every letter is equally likely, as with ``secrets.choice``.
    """
    raw = secrets.token_bytes(8 * count)
    return [prefix + "".join(_ALPHABET[b & 31] for b in raw[i:i + 8])
            for i in range(0, 8 * count, 8)]


def seat_group(mandate: Mandate, key: str) -> SeatGroup:
    groups = city_of(mandate).config.composition.seat_groups
    for group in groups:
        if group.key == key:
            return group
    raise InvalidInput("%(city)s has no seat group %(key)r; its seat groups are %(known)s",
                       city=mandate.city, key=key, known=", ".join(g.key for g in groups))


def household_key(mandate: Mandate, text: str) -> str | None:
    normalised = _SPACES.sub(" ", text.strip()).casefold()
    if not normalised:
        return None
    mac = hmac.new(mandate.household_secret.encode(), normalised.encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def _check_open(mandate: Mandate) -> None:
    if mandate.status != "open":
        raise NotAllowed("mandate %(mandate)s is closed", mandate=mandate.id)


def record_invitation_draw(
    session: Session, mandate_id: int, group_key: str, registry: str | Path, out: str | Path,
    *, seed: int, count: int | None = None, stratify_by: str | None = None,
) -> InvitationDraw:
    """Draw invitation letters from ``registry`` into ``out`` and record the draw.

    ``count`` and ``stratify_by`` default to the seat group's ``invitations`` and
    ``stratify_invitations_by``; when the strata column is one of the city's features,
    every stratum must be one of its values. The registry's and the letters' digests are kept so
    the draw can be re-derived.
    """
    from kleroterion.sortition.invitation import draw_invitations

    mandate = get(session, Mandate, mandate_id)
    _check_open(mandate)
    group = seat_group(mandate, group_key)
    count = count or group.invitations
    if not count:
        raise InvalidInput("seat group %(group)r sends no invitations; give a count",
                           group=group_key)
    if stratify_by is None:
        stratify_by = group.stratify_invitations_by or None
    # Strata named after one of the city's features may only take its values: a typo
    # in a registry would otherwise be a stratum of its own, with its own letters.
    feature = next((f for f in city_of(mandate).config.composition.features
                    if stratify_by is not None and f.key.casefold() == stratify_by.casefold()),
                   None)
    strata = [value.key for value in feature.values] if feature is not None else None
    try:
        result = draw_invitations(registry, out, count=count, seed=seed, stratify_by=stratify_by,
                                  strata=strata)
    except InputError as error:
        raise InvalidInput(Message.of(error)) from None
    draw = InvitationDraw(
        mandate_id=mandate.id, seat_group=group.key, registry_name=Path(registry).name,
        registry_digest=_digest(registry), output_digest=_digest(out), seed=seed,
        count=count, rows=result.rows, stratify_by=stratify_by,
        strata={key: list(value) for key, value in result.strata.items()},
    )
    session.add(draw)
    audit.record(session, "invitations.draw", "invitation_draw", draw.id, mandate=mandate.id,
                 seat_group=group.key, seed=seed, count=count, rows=result.rows,
                 registry_digest=draw.registry_digest, output_digest=draw.output_digest)
    return draw


def _digest(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _importable(session: Session, mandate_id: int, group_key: str) -> tuple[Mandate, SeatGroup]:
    mandate = get(session, Mandate, mandate_id)
    _check_open(mandate)
    group = seat_group(mandate, group_key)
    if group.selection == "open":
        raise NotAllowed("seat group %(group)r takes volunteers as they come; add them with "
                         "the volunteer command", group=group_key)
    return mandate, group


def check_respondents(session: Session, mandate_id: int, group_key: str,
                      path: str | Path) -> RespondentsCheck:
    """Read a respondents file whole and return every problem in it; change nothing.

    The problems are those ``import_respondents`` would refuse the file for, in the
    order of the file: unreadable, empty or UTF-16 file, lines in a second encoding,
    malformed CSV, missing required columns, a file already imported, short rows,
    blank or duplicate ids, unknown feature values, unreadable dates or numbers.
    """
    mandate, group = _importable(session, mandate_id, group_key)
    return read_respondents_file(session, mandate, group, path)[0]


def import_respondents(session: Session, mandate_id: int, group_key: str,
                       path: str | Path) -> RespondentImport:
    """Import a respondents file into the pool of one seat group; all rows or none.

    A file with any problem is refused whole with ``RespondentsRefused``, which
    lists every problem (see ``check_respondents``).
    """
    mandate, group = _importable(session, mandate_id, group_key)
    with _without_cycle_collection():
        return _import(session, mandate, group, path)


@contextlib.contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while a file is imported.

    The rows of a 200,000-row file are a few million live objects; each full pass
    of the collector walks them all, and the insert's allocations trigger pass after
    pass (measured: most of the import's time). Nothing an import makes is a cycle,
    so the pause frees nothing late; the collector resumes, as it was, right after.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _import(session: Session, mandate: Mandate, group: SeatGroup,
            path: str | Path) -> RespondentImport:
    check, table, rows = read_respondents_file(session, mandate, group, path)
    if not check.ok:
        raise RespondentsRefused(check)
    assert table is not None
    batch = RespondentImport(mandate_id=mandate.id, seat_group=group.key, filename=
                             Path(path).name[:255], file_digest=table.digest, rows=check.rows)
    session.add(batch)
    session.flush()
    _insert_rows(session, mandate, group, batch, rows)
    audit.record(session, "respondents.import", "respondent_import", batch.id,
                 mandate=mandate.id, seat_group=group.key, rows=batch.rows,
                 file_digest=table.digest)
    return batch


def _insert_rows(session: Session, mandate: Mandate, group: SeatGroup, batch: RespondentImport,
                 read: Rows) -> None:
    """Insert the respondents and their personal rows in bulk (Core, ids returned)."""
    rows, keys = read.items, read.features
    respondents = cast(SqlTable, Respondent.__table__)
    personal_data = cast(SqlTable, PersonalData.__table__)
    for start in range(0, len(rows), INSERT_CHUNK):
        chunk = rows[start:start + INSERT_CHUNK]
        # Core inserts on the session's connection: the ORM's bulk path costs a third
        # more per row and gives nothing here (no relationship, no event).
        ids = session.connection().execute(
            insert(respondents).returning(respondents.c.id, sort_by_parameter_order=True),
            [{"public_id": public_id, "mandate_id": mandate.id, "seat_group": group.key,
              "source": "respondent", "external_id": row.external_id,
              "features": dict(zip(keys, row.features, strict=True)),
              "household": household_key(mandate, row.home),
              "status": "pool", "import_id": batch.id}
             for public_id, row in zip(_new_public_ids(len(chunk)), chunk, strict=True)]
        ).scalars().all()
        session.connection().execute(insert(personal_data), [
            {"respondent_id": ident, **dict(zip(PERSONAL_FIELDS, row.personal, strict=True))}
            for ident, row in zip(ids, chunk, strict=True)])
    # What the session may hold of the mandate's respondents is now out of date.
    session.expire_all()


def add_volunteer(session: Session, mandate_id: int, on: dt.date, *, external_id: str,
                  name: str | None = None, address: str | None = None,
                  email: str | None = None, phone: str | None = None,
                  birth_date: dt.date | None = None,
                  family_quotient: object = None) -> Member:
    """Seat an open volunteer, where the city's assembly is open to all (Poitiers)."""
    from decimal import Decimal

    mandate = get(session, Mandate, mandate_id)
    _check_open(mandate)
    composition = city_of(mandate).config.composition
    if not composition.open_volunteers:
        raise NotAllowed("the assembly of %(city)s is not open to volunteers: members are "
                         "drawn", city=mandate.city)
    check_in_mandate(mandate, on, N_("the volunteer's start date %(date)s is outside mandate "
                                     "%(mandate)s (%(start)s to %(end)s)"))
    external_id = external_id.strip()
    if not external_id:
        raise InvalidInput("a volunteer needs an id (the secretariat's reference)")
    if session.scalar(select(Respondent.id).where(Respondent.mandate_id == mandate.id,
                                                  Respondent.external_id == external_id)):
        raise InvalidInput("id %(id)r is already used in mandate %(mandate)s", id=external_id,
                           mandate=mandate.id)
    quotient = Decimal(str(family_quotient)) if family_quotient is not None else None
    _check_personal(external_id=external_id, name=name, address=address, email=email,
                    phone=phone, family_quotient=quotient)
    respondent = Respondent(public_id=new_public_id(), mandate_id=mandate.id,
                            seat_group=VOLUNTEERS, source="volunteer", external_id=external_id,
                            features={}, household=household_key(mandate, address or ""),
                            status="volunteer")
    respondent.personal = PersonalData(
        name=name, address=address, email=email, phone=phone, birth_date=birth_date,
        family_quotient=quotient,
    )
    session.add(respondent)
    member = Member(mandate_id=mandate.id, respondent=respondent, seat_group=VOLUNTEERS,
                    source="volunteer", status="seated", seated_on=on)
    session.add(member)
    member.events.append(MemberEvent(kind="volunteered", on=on, actor=actor(session)))
    audit.record(session, "member.volunteer", "member", _flushed_id(session, member),
                 mandate=mandate.id, respondent=respondent.public_id, on=on)
    return member


def _check_personal(**fields: object) -> None:
    """Refuse, naming the field, a value its column cannot hold (never quoting it)."""
    if isinstance(fields.get("iban"), str):
        try:
            fields = {**fields, "iban": parse_iban(str(fields["iban"]))}
        except ValueError as error:  # the problem, never the value
            raise InvalidInput("the IBAN is refused: %(problem)s", field="iban",
                               problem=error.args[0]) from None
    for field, value in fields.items():
        model = Respondent if field == "external_id" else PersonalData
        unfit = column_problem(model, field, value) if value is not None else None
        if unfit is not None:
            raise InvalidInput("the %(name)s %(problem)s", field=field, name=field_label(field),
                               problem=unfit)


def _flushed_id(session: Session, member: Member) -> int:
    session.flush()
    return member.id


def set_personal_data(session: Session, respondent_id: int, **fields: object) -> Respondent:
    """Change personal fields of a respondent; the audit log names the fields, not the values."""
    respondent = get(session, Respondent, respondent_id)
    personal = respondent.personal or PersonalData()
    respondent.personal = personal
    if personal.purged_at is not None:
        raise NotAllowed("the personal data of respondent %(respondent)s were purged",
                         respondent=respondent_id)
    unknown = set(fields) - set(PERSONAL_COLUMNS)
    if unknown:
        raise InvalidInput("unknown personal fields: %(fields)s",
                           fields=", ".join(sorted(unknown)))
    _check_personal(**fields)
    if isinstance(fields.get("iban"), str):
        fields["iban"] = parse_iban(str(fields["iban"]))
    for field, value in fields.items():
        setattr(personal, field, value)
    audit.record(session, "personal_data.update", "respondent", respondent.id,
                 fields=sorted(fields))
    return respondent


def list_respondents(session: Session, mandate_id: int, group_key: str | None = None,
                     status: str | None = None) -> list[Respondent]:
    get(session, Mandate, mandate_id)
    query = select(Respondent).where(Respondent.mandate_id == mandate_id).order_by(Respondent.id)
    if group_key:
        query = query.where(Respondent.seat_group == group_key)
    if status:
        query = query.where(Respondent.status == status)
    return list(session.scalars(query))
