"""Recruitment: invitation draws from a registry, respondents imported, open volunteers.

A respondents file has an ``id`` column (the secretariat's own pseudonymous
reference), one column per selection feature of the seat group (values as the
city's feature keys, letter case forgiven) and optional personal columns:
``name``/``nom``, ``address``/``adresse``, ``birth_date``/``date_naissance``,
``email``/``courriel``, ``phone``/``telephone``, ``family_quotient``/
``quotient_familial``, ``iban``/``rib`` (checked), ``household``/``foyer``. Personal values go to
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
from dataclasses import dataclass
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
from kleroterion.services import import_columns as columns_in
from kleroterion.services.context import actor, check_in_mandate, city_of, get
from kleroterion.services.errors import InvalidInput, NotAllowed
from kleroterion.services.field_labels import field_label
from kleroterion.services.import_columns import parse_iban
from kleroterion.services.tables import Table, parse_date, parse_decimal, stream_table
from kleroterion.services.values import column_problem
from kleroterion.sortition.io import InputError
from sqlalchemy import Table as SqlTable
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

#: The seat group of open volunteers (Poitiers), who sit without a draw.
VOLUNTEERS = "volunteers"

PERSONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "nom", "nom_prenom", "full_name"),
    "address": ("address", "adresse"),
    "birth_date": ("birth_date", "date_naissance", "date_de_naissance", "birthdate"),
    "email": ("email", "courriel", "mail"),
    "phone": ("phone", "telephone", "téléphone", "tel"),
    "family_quotient": ("family_quotient", "quotient_familial", "qf"),
    # Where the indemnity is paid (the finance department's bank details).
    "iban": ("iban", "rib", "compte_bancaire", "rekeningnummer"),
}
#: What a personal column accepts, said when a value does not fit it.
_ACCEPTED = {
    "family_quotient": Message("a number from 0 to 9 999 999 999.99"),
    "iban": Message("an IBAN such as FR76 3000 6000 0112 3456 7890 189"),
}
HOUSEHOLD_COLUMNS = ("household", "foyer", "menage", "ménage")
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


#: The personal fields in the order ``_Row.personal`` holds them.
_PERSONAL_FIELDS = tuple(PERSONAL_COLUMNS)


@dataclass(slots=True)
class _Row:
    """One respondent read from a file, ready to be inserted: plain tuples, no ORM
    object nor dict per row (200,000 of them must fit in a few tens of MB)."""

    external_id: str
    features: tuple[str, ...]  # in the order of ``_Rows.features``
    personal: tuple[object, ...]  # in the order of ``_PERSONAL_FIELDS``
    home: str


@dataclass
class _Rows:
    """The rows of a file that may be imported, and the feature keys their tuples follow."""

    features: tuple[str, ...]
    items: list[_Row]


@dataclass(frozen=True)
class RespondentsCheck:
    """What reading a respondents file found: its rows, and every problem in it.

    Each problem is the engine's located error (``sortition.io.InputError``): the
    line, the column's name and number, the value, what is accepted. A personal
    cell (a name, a birth date) is never quoted: its ``value`` is ``None``.
    """

    filename: str
    rows: int
    problems: tuple[InputError, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> Message:
        """The problem, or one line per problem under a heading naming the file and count."""
        count = len(self.problems)
        if count == 1:
            return Message("%(problem)s (nothing was imported)", problem=self.problems[0])
        if count == 0:
            return Message("%(file)s: 0 problem; nothing was imported", file=self.filename)
        heading = Message("%(file)s: %(count)s problems; nothing was imported",
                          file=self.filename, count=count)
        return Message.joined("\n", [heading, *self.problems])


class RespondentsRefused(InvalidInput):
    """A respondents file refused whole; ``check.problems`` lists every problem found."""

    def __init__(self, check: RespondentsCheck) -> None:
        super().__init__(check.summary())
        self.check = check


def _problem(error: ValueError) -> str:
    """The problem a parser's ValueError states: its Message when it has one."""
    first = error.args[0] if error.args else None
    return first if isinstance(first, Message) else str(error)


def _cell_problem(table: Table, line: int, index: int, problem: str, *, value: str | None,
                  accepted: str | None) -> InputError:
    return InputError(problem, path=table.name, line=line, column=table.header[index],
                      column_number=index + 1, value=value, accepted=accepted)


def _read_respondents(session: Session, mandate: Mandate, group: SeatGroup,
                      path: str | Path) -> tuple[RespondentsCheck, Table | None, _Rows]:
    """Read a whole respondents file: every problem, and the rows when there are none."""
    name = Path(path).name
    table, problems, stream = stream_table(path)
    if table is None or stream is None:
        return RespondentsCheck(name, 0, tuple(problems)), None, _Rows((), [])
    previous = session.scalar(select(RespondentImport).where(
        RespondentImport.mandate_id == mandate.id, RespondentImport.file_digest == table.digest))
    if previous is not None:
        # Alone: every id of the file would otherwise be reported as known already.
        problems.append(InputError(
            Message("this file was already imported into mandate %(mandate)s (import "
                    "%(batch)s, %(rows)s rows)", mandate=mandate.id, batch=previous.id,
                    rows=previous.rows),
            path=table.name, accepted=Message("a file not imported before")))
        count = sum(1 for _ in stream)
        if stream.failure is not None:
            return RespondentsCheck(name, 0, (stream.failure,)), None, _Rows((), [])
        return RespondentsCheck(name, count, tuple(problems)), table, _Rows((), [])
    required = ["id", *group.features]
    columns = Message("a header with the columns %(columns)s (in any order)",
                      columns=", ".join(required))
    id_col = columns_in.find(table.header, columns_in.ID_COLUMNS)
    if id_col is None:
        problems.append(InputError(Message("the header has no 'id' column (columns: "
                                           "%(columns)s)", columns=", ".join(table.header)),
                                   path=table.name, line=1, accepted=columns))
    features = {f.key: f for f in city_of(mandate).config.composition.features}
    feature_cols: dict[str, int] = {}
    for key in group.features:
        index = columns_in.find(table.header, columns_in.feature_names(features[key])) \
            if key in features else table.column(key)
        if index is None:
            problems.append(InputError(Message("the header has no column %(column)r, a "
                                               "selection feature of seat group %(group)r",
                                               column=key, group=group.key),
                                       path=table.name, line=1, accepted=columns))
        else:
            feature_cols[key] = index
    allowed = {key: columns_in.feature_values(features[key]) for key in feature_cols}
    personal_cols = {field: columns_in.find(table.header, (
        *names, *columns_in.DUTCH_PERSONAL.get(field, ()))) for field, names in
        PERSONAL_COLUMNS.items()}
    household_col = columns_in.find(table.header, HOUSEHOLD_COLUMNS)
    first_col = columns_in.find(table.header, columns_in.FIRST_NAME_COLUMNS)
    used = {id_col, household_col, first_col, *feature_cols.values(), *personal_cols.values()}
    for index, column in enumerate(table.header):
        if index not in used:  # never silently dropped: the secretariat may have meant it
            problems.append(InputError(
                Message("the column %(column)r is not one this import reads", column=column),
                path=table.name, line=1, column=column, column_number=index + 1,
                accepted=Message("%(columns)s, and the personal columns name, first name, "
                                 "address, birth date, email, phone, family quotient, IBAN, "
                                 "household", columns=", ".join(required))))
    known = set(session.scalars(select(Respondent.external_id).where(
        Respondent.mandate_id == mandate.id)))
    seen: dict[str, int] = {}
    rows: list[_Row] = []
    # The records are read one at a time: a 200,000-row file's cells are never all in
    # memory at once, only the rows kept to be inserted.
    for line, record in stream:
        # A row longer than the header (a separator inside an unquoted name or address)
        # shifts personal cells into the feature columns, whose values messages quote:
        # refused whole, unquoted. Empty trailing fields are a spreadsheet's habit.
        extra = any(cell.strip() for cell in record[len(table.header):])
        if len(record) < len(table.header) or extra:
            if extra:
                problem = Message("the row has %(fields)s fields but the header has "
                                  "%(columns)s (a separator inside an unquoted value?)",
                                  fields=len(record), columns=len(table.header))
            else:
                problem = Message("the row has %(fields)s fields but the header has "
                                  "%(columns)s", fields=len(record), columns=len(table.header))
            problems.append(InputError(
                problem, path=table.name, line=line,
                accepted=Message("one field per header column; quote a value holding the "
                                 "separator")))
            continue
        cells = [cell.strip() for cell in record]
        external = cells[id_col] if id_col is not None else ""
        if id_col is not None:
            unique = Message("a unique id on every row")
            unfit = column_problem(Respondent, "external_id", external)
            if unfit is not None:
                problems.append(_cell_problem(table, line, id_col, unfit, value=None,
                                              accepted=unique))
            elif not external:
                problems.append(_cell_problem(table, line, id_col, Message("the id is blank"),
                                              value=external, accepted=unique))
            elif external in seen:
                problems.append(_cell_problem(
                    table, line, id_col, Message("the id is already on line %(line)s",
                                                 line=seen[external]),
                    value=external, accepted=unique))
            elif external in known:
                problems.append(_cell_problem(
                    table, line, id_col, Message("the id is already a respondent of mandate "
                                                 "%(mandate)s", mandate=mandate.id),
                    value=external, accepted=Message("an id new to the mandate")))
            else:
                seen[external] = line
        values: dict[str, str] = {}
        for key, index in feature_cols.items():
            canonical = allowed[key].get(columns_in.fold(cells[index]))
            if canonical is None:
                problems.append(_cell_problem(
                    table, line, index, Message("is not a value of %(feature)r", feature=key),
                    value=cells[index], accepted=", ".join(dict.fromkeys(
                        allowed[key].values()))))
            else:
                values[key] = canonical
        personal: dict[str, object] = {}
        for field, index in personal_cols.items():
            if index is None or not cells[index]:
                continue
            try:
                if field == "birth_date":
                    personal[field] = parse_date(cells[index])
                elif field == "family_quotient":
                    personal[field] = parse_decimal(cells[index])
                elif field == "iban":
                    personal[field] = parse_iban(cells[index])
                else:
                    personal[field] = cells[index]
            except ValueError as error:  # the cell is personal: name the column, not the value
                problems.append(_cell_problem(table, line, index, _problem(error),
                                              value=None, accepted=None))
                continue
            # What the database would refuse (with the whole batch in its message).
            unfit = column_problem(PersonalData, field, personal.get(field))
            if unfit is not None:
                problems.append(_cell_problem(table, line, index, unfit, value=None,
                                              accepted=_ACCEPTED.get(field)))
        if first_col is not None and cells[first_col]:
            # A first name goes with the name ("Marie" and "Curie": "Marie Curie").
            personal["name"] = " ".join(filter(None, (cells[first_col],
                                                      str(personal.get("name") or ""))))
            unfit = column_problem(PersonalData, "name", personal["name"])
            if unfit is not None:
                problems.append(_cell_problem(table, line, first_col, unfit, value=None,
                                              accepted=None))
        if not problems:  # rows are kept only while the file may still be imported
            home = cells[household_col] if household_col is not None else str(
                personal.get("address") or "")
            rows.append(_Row(external, tuple(values[key] for key in feature_cols),
                             tuple(personal.get(field) for field in _PERSONAL_FIELDS), home))
    if stream.failure is not None:  # a malformed record: the file is refused for it alone
        return RespondentsCheck(name, 0, (stream.failure,)), None, _Rows((), [])
    # In the order of the file: lines in a second encoding were found first.
    problems.sort(key=lambda problem: problem.line or 0)
    return (RespondentsCheck(name, stream.count, tuple(problems)), table,
            _Rows(tuple(feature_cols), rows))


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
    return _read_respondents(session, mandate, group, path)[0]


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
    check, table, rows = _read_respondents(session, mandate, group, path)
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
                 read: _Rows) -> None:
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
            {"respondent_id": ident, **dict(zip(_PERSONAL_FIELDS, row.personal, strict=True))}
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
