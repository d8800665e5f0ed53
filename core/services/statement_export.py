"""The indemnity statements as the finance department's file: one writer for the web and the CLI.

The back office's download (``/admin/indemnities.csv``) and ``kleroterion indemnity
export`` write the same bytes for the same period, language and rows: headers and
values (« oui/non », the seat group's label, the reason a member is not paid) in the
reader's language, through the catalog it is given (Flask-Babel's ``gettext`` on the
web, the same catalog loaded by :func:`catalog` in the CLI). In French and Dutch the
file is in the French spreadsheet form: ``;`` between fields, a decimal comma, dates
as dd/mm/yyyy; in English ``,``, a decimal point and ISO dates. Always UTF-8 with a
BOM, so that a spreadsheet opens it right.

Names and bank details are what a payment needs: with them the export is a personal
data export, recorded in the audit log with its purpose and the digest of the file;
without them (the CLI's default) only pseudonymous ids leave, and the export is
recorded as such.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path

from kleroterion.city.types import CityConfig
from kleroterion.messages import N_, Gettext, translate
from kleroterion.services import audit, indemnities, payments
from kleroterion.services.context import city as city_named
from kleroterion.services.errors import InvalidInput
from kleroterion.services.payments import PeriodStatement
from sqlalchemy.orm import Session

#: The catalogs of the interface, shared with the web app.
TRANSLATIONS = Path(__file__).resolve().parents[1] / "web" / "translations"
#: The languages an export is written in.
LANGUAGES = ("fr", "en", "nl")
#: The columns that hold personal data, left out of an export without names.
PERSONAL = (N_("Name"), N_("IBAN"))
HEADERS = (N_("Name"), N_("Public id"), N_("Mandate"), N_("Seat group"), N_("IBAN"),
           N_("From"), N_("To"), N_("Paid"), N_("Reason"), N_("Units attended"),
           N_("Units paid"), N_("Rate per unit"), N_("Indemnity"), N_("Costs reimbursed"),
           N_("Total"), N_("Currency"))


def catalog(language: str) -> Gettext:
    """The interface's catalog for ``language`` (outside a web request)."""
    from babel.support import Translations

    if language not in LANGUAGES:
        raise InvalidInput("%(language)r is not a language of the export; accepted: "
                           "%(accepted)s", language=language, accepted=", ".join(LANGUAGES),
                           field="lang")
    found = Translations.load(str(TRANSLATIONS), [language], domain="messages")
    return found.gettext


def spreadsheet_form(language: str) -> bool:
    """Whether ``language`` writes the French spreadsheet form (``;``, 1,50, dd/mm/yyyy)."""
    return language in ("fr", "nl")


def headers(gettext: Gettext, *, with_names: bool = True) -> list[str]:
    return [gettext(name) for name in HEADERS if with_names or name not in PERSONAL]


def _label(labels: dict[str, str], language: str) -> str:
    return labels.get(language) or labels.get("en") or next(iter(labels.values()), "")


def summary(rows: Sequence[PeriodStatement], config: CityConfig, gettext: Gettext,
            language: str, cell: Callable[[Decimal], object],
            day: Callable[[dt.date], object], *, with_names: bool = True
            ) -> list[list[object]]:
    """One line per statement, in the order of :data:`HEADERS` (less :data:`PERSONAL`)."""
    groups = {group.key: _label(dict(group.label), language)
              for group in config.composition.seat_groups}
    yes, no = gettext("yes"), gettext("no")
    table: list[list[object]] = []
    for row in rows:
        one = row.statement
        line: list[object] = [row.name or "", one.public_id, row.mandate_label,
                              groups.get(one.seat_group, one.seat_group), row.iban or "",
                              day(one.start), day(one.end), yes if one.eligible else no,
                              translate(one.reason, gettext, language) if one.reason else "",
                              cell(one.units), cell(one.paid_units), cell(one.rate),
                              cell(one.indemnity), cell(sum(one.extras.values(), Decimal(0))),
                              cell(one.total), one.currency]
        if not with_names:
            line = [value for name, value in zip(HEADERS, line, strict=True)
                    if name not in PERSONAL]
        table.append(line)
    return table


def csv_bytes(rows: Sequence[PeriodStatement], config: CityConfig, gettext: Gettext,
              language: str, *, with_names: bool = True) -> bytes:
    """The statements as CSV bytes in ``language``'s spreadsheet conventions, with a BOM."""
    from kleroterion import spreadsheet

    comma = spreadsheet_form(language)

    def cell(value: Decimal) -> str:
        text = format(value.quantize(indemnities.CENT), "f")
        return text.replace(".", ",") if comma else text

    def day(value: dt.date) -> str:
        return value.strftime("%d/%m/%Y") if comma else value.isoformat()

    buffer = io.StringIO()
    writer = spreadsheet.writer(buffer, delimiter=";" if comma else ",", lineterminator="\r\n")
    writer.writerow(headers(gettext, with_names=with_names))
    writer.writerows(summary(rows, config, gettext, language, cell, day,
                             with_names=with_names))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export(session: Session, city: str, start: dt.date, end: dt.date, *, gettext: Gettext,
           language: str, mandate_id: int | None = None, rate: Decimal | None = None,
           with_names: bool = True, purpose: str = "") -> tuple[bytes, int]:
    """The period's statements as the finance department's CSV, recorded; (bytes, rows).

    ``mandate_id`` keeps one term of the city; ``rate`` is a lower rate where the
    city's is a maximum. With names (and bank details) the export is a personal data
    export and needs its ``purpose``.
    """
    if with_names and not purpose.strip():
        raise InvalidInput("an export with names is a personal data export: give its purpose",
                           field="purpose")
    rows = payments.period_statements(session, city, start, end, mandate_id=mandate_id,
                                      rate=rate)
    content = csv_bytes(rows, city_named(city).config, gettext, language,
                        with_names=with_names)
    if with_names:
        payments.record_export(session, city, start, end, len(rows), content, "csv",
                               purpose=purpose)
    else:
        audit.record(session, "indemnity.export", "city", 0, city=city, mandate=mandate_id,
                     rows=len(rows), start=start, end=end, language=language)
    return content, len(rows)
