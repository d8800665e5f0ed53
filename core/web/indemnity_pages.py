"""The back office's indemnity statements: any period of the city, by name, with totals.

The page opens on the calendar year so far and covers every term of the city that
overlaps the period (``services.payments``). Each member's line shows what was
attended, paid and why (the part of the city's rule that applied), and the foot of
the table the period's totals. The finance department downloads the statements:

- as a CSV in the visitor's conventions: in French (and Dutch) ``;`` between
  fields, a decimal comma, dates as dd/mm/yyyy, « oui/non », headers in the
  language, UTF-8 with a BOM so that a spreadsheet opens it right; written by
  ``services.statement_export``, the same bytes as ``kleroterion indemnity export``;
- as an XLSX workbook (openpyxl, a well-kept library): the summary and the detail
  line by line, amounts as numbers.

Both hold names and bank details: the secretariat downloads them, and each download
is recorded in the audit log as a personal data export. The routes are added to the
``backoffice`` blueprint at import (``backoffice.init_app``).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from decimal import Decimal

from flask import Response, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal, gettext
from kleroterion import spreadsheet
from kleroterion.db import session_scope
from kleroterion.services import indemnities, payments, statement_export
from kleroterion.services.errors import ServiceError
from kleroterion.services.payments import PeriodStatement
from kleroterion.web.auth import ROLE_LEVEL, actor, current_role_level, role_required
from kleroterion.web.backoffice import bp, write_engine
from kleroterion.web.context import current_config
from kleroterion.web.database import db_session
from kleroterion.web.forms import PeriodForm
from kleroterion.web.i18n import current_language, l10n_text, refusal_text, unit_count
from kleroterion.web.public import today

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period_given() -> bool:
    return "start" in request.args or "end" in request.args


def _period_form() -> PeriodForm:
    """The period asked for; by default the calendar year so far."""
    form = PeriodForm(request.args)
    if not _period_given():
        form.start.data, form.end.data = today().replace(month=1, day=1), today()
    return form


def _city() -> str:
    return current_config().profile.slug


def _rows(form: PeriodForm) -> list[PeriodStatement]:
    return payments.period_statements(db_session(), _city(), form.start.data, form.end.data)


def _groups() -> dict[str, str]:
    return {g.key: l10n_text(g.label) for g in current_config().composition.seat_groups}


def _number(value: Decimal, places: int = 2) -> str:
    """A number in the visitor's conventions (1 234,50 in French)."""
    pattern = "#,##0.00" if places else "#,##0.##"
    return str(format_decimal(value, format=pattern))


def rule_text(statement: indemnities.Statement, line: indemnities.Line) -> str:
    """The part of the city's rule that set a line's amount, as a sentence."""
    policy = current_config().indemnity
    kind = payments.rule(statement, line)
    if kind == "not_paid":
        return str(gettext("not paid: %(reason)s", reason=statement.reason))
    if kind == "units_cap":
        return str(gettext("capped: at most %(units)s paid per term",
                           units=unit_count(statement.unit, float(policy.max_units or 0))))
    if kind == "annual_ceiling":
        return str(gettext("capped: at most %(amount)s %(currency)s paid per calendar year",
                           amount=_number(policy.annual_ceiling or Decimal(0)),
                           currency=statement.currency))
    return str(gettext("%(units)s × %(rate)s %(currency)s = %(amount)s %(currency)s",
                       units=unit_count(statement.unit, float(line.paid_units)),
                       rate=_number(statement.rate), currency=statement.currency,
                       amount=_number(line.amount)))


@bp.route("/indemnities")
@role_required("read-only")
def indemnity_statements() -> ResponseReturnValue:
    """The statements of a period, by name, with each line's rule and the totals."""
    form = _period_form()
    rows: list[PeriodStatement] = []
    error: str | None = None
    status = 200
    if form.validate() if _period_given() else True:
        try:
            rows = _rows(form)
        except ServiceError as refusal:
            error, status = refusal_text(refusal), 422
    else:
        status = 422
    return render_template(
        "admin/indemnities.html", form=form, rows=rows, error=error,
        totals=payments.totals(rows), groups=_groups(), rule_text=rule_text,
        number=_number, masked=payments.masked_iban, extras=_extra_labels(),
        may_export=current_role_level() >= ROLE_LEVEL["secretariat"],
        currency=current_config().indemnity.currency,
    ), status


def _extra_labels() -> dict[str, str]:
    return {extra.key: l10n_text(extra.label) for extra in current_config().indemnity.extras}


def _asked() -> PeriodForm:
    form = _period_form()
    if _period_given() and not form.validate():
        abort(400)
    return form


def _summary(rows: Sequence[PeriodStatement], cell: Callable[[Decimal], object],
             day: Callable[[dt.date], object]) -> list[list[object]]:
    return statement_export.summary(rows, current_config(), gettext, current_language(), cell,
                                    day)


def _record(form: PeriodForm, rows: int, content: bytes, kind: str) -> None:
    with session_scope(write_engine(), actor=actor()) as session:
        payments.record_export(session, _city(), form.start.data, form.end.data, rows,
                               content, kind)


def _name(form: PeriodForm, suffix: str) -> str:
    word = {"fr": "indemnites", "nl": "vergoedingen"}.get(current_language(), "indemnities")
    return f"{word}-{form.start.data.isoformat()}-{form.end.data.isoformat()}.{suffix}"


@bp.route("/indemnities.csv")
@role_required("secretariat")
def indemnity_csv() -> ResponseReturnValue:
    """The statements as CSV for the finance department, in the visitor's conventions."""
    form = _asked()
    try:
        with session_scope(write_engine(), actor=actor()) as session:
            content, _ = statement_export.export(
                session, _city(), form.start.data, form.end.data, gettext=gettext,
                language=current_language(), purpose=payments.PAYING)
    except ServiceError:
        abort(400)
    return Response(content, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="{_name(form, "csv")}"',
                             "Cache-Control": "no-store"})


def _detail_headers() -> list[str]:
    return [gettext("Name"), gettext("Public id"), gettext("Mandate"), gettext("Session date"),
            gettext("Session kind"), gettext("Units attended"), gettext("Units paid"),
            gettext("Amount"), gettext("Currency"), gettext("Rule applied")]


@bp.route("/indemnities.xlsx")
@role_required("secretariat")
def indemnity_xlsx() -> ResponseReturnValue:
    """The statements as an XLSX workbook: the summary, then every line with its rule."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    form = _asked()
    try:
        rows = _rows(form)
    except ServiceError:
        abort(400)
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = gettext("Summary")[:31]
    summary.append(statement_export.headers(gettext))
    for values in _summary(rows, float, lambda day: day):
        summary.append([spreadsheet.neutralise(value) for value in values])
    detail = book.create_sheet(gettext("Detail")[:31])
    detail.append(_detail_headers())
    for row in rows:
        one = row.statement
        for line in one.lines:
            detail.append([spreadsheet.neutralise(value) for value in (
                row.name or "", one.public_id, row.mandate_label, line.held_on, line.kind,
                float(line.units), float(line.paid_units), float(line.amount), one.currency,
                rule_text(one, line))])
    for sheet in (summary, detail):
        for index, column in enumerate(sheet.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = min(
                40, max(10, *(len(str(c.value or "")) + 2 for c in column)))
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    content = buffer.getvalue()
    _record(form, len(rows), content, "xlsx")
    return Response(content, mimetype=XLSX,
                    headers={"Content-Disposition":
                             f'attachment; filename="{_name(form, "xlsx")}"',
                             "Cache-Control": "no-store"})
