"""Reading a respondents file: every problem in it, and its rows when there are none.

A respondents file has an ``id`` column (the secretariat's own pseudonymous
reference), one column per selection feature of the seat group (values as the
city's feature keys, letter case forgiven) and optional personal columns:
``name``/``nom``, ``address``/``adresse``, ``birth_date``/``date_naissance``,
``email``/``courriel``, ``phone``/``telephone``, ``family_quotient``/
``quotient_familial``, ``iban``/``rib`` (checked), ``household``/``foyer``.

A file is read whole (its records streamed, only the rows to insert kept) before
anything is imported, and a refusal lists every problem found (line, column, value,
what is accepted), so a secretariat fixes a spreadsheet in one pass. Inserting the
rows is :mod:`kleroterion.services.recruitment`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kleroterion.city.types import SeatGroup
from kleroterion.messages import Message
from kleroterion.models import Mandate, PersonalData, Respondent, RespondentImport
from kleroterion.services import import_columns as columns_in
from kleroterion.services.context import city_of
from kleroterion.services.errors import InvalidInput
from kleroterion.services.import_columns import parse_iban
from kleroterion.services.tables import Table, parse_date, parse_decimal, stream_table
from kleroterion.services.values import column_problem
from kleroterion.sortition.io import InputError
from sqlalchemy import select
from sqlalchemy.orm import Session

__all__ = ["HOUSEHOLD_COLUMNS", "PERSONAL_COLUMNS", "PERSONAL_FIELDS", "RespondentsCheck",
           "RespondentsRefused", "Row", "Rows", "read_respondents_file"]

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

#: The personal fields in the order ``Row.personal`` holds them.
PERSONAL_FIELDS = tuple(PERSONAL_COLUMNS)


@dataclass(slots=True)
class Row:
    """One respondent read from a file, ready to be inserted: plain tuples, no ORM
    object nor dict per row (200,000 of them must fit in a few tens of MB)."""

    external_id: str
    features: tuple[str, ...]  # in the order of ``Rows.features``
    personal: tuple[object, ...]  # in the order of ``PERSONAL_FIELDS``
    home: str


@dataclass
class Rows:
    """The rows of a file that may be imported, and the feature keys their tuples follow."""

    features: tuple[str, ...]
    items: list[Row]


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


def read_respondents_file(session: Session, mandate: Mandate, group: SeatGroup,
                      path: str | Path) -> tuple[RespondentsCheck, Table | None, Rows]:
    """Read a whole respondents file: every problem, and the rows when there are none."""
    name = Path(path).name
    table, problems, stream = stream_table(path)
    if table is None or stream is None:
        return RespondentsCheck(name, 0, tuple(problems)), None, Rows((), [])
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
            return RespondentsCheck(name, 0, (stream.failure,)), None, Rows((), [])
        return RespondentsCheck(name, count, tuple(problems)), table, Rows((), [])
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
    rows: list[Row] = []
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
            rows.append(Row(external, tuple(values[key] for key in feature_cols),
                             tuple(personal.get(field) for field in PERSONAL_FIELDS), home))
    if stream.failure is not None:  # a malformed record: the file is refused for it alone
        return RespondentsCheck(name, 0, (stream.failure,)), None, Rows((), [])
    # In the order of the file: lines in a second encoding were found first.
    problems.sort(key=lambda problem: problem.line or 0)
    return (RespondentsCheck(name, stream.count, tuple(problems)), table,
            Rows(tuple(feature_cols), rows))
