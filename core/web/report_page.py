"""The yearly follow-up report as a page in the visitor's language, and as CSV and Markdown.

The page (``/follow-up/report-<year>``) is printable (the site's print styles) and
opens with a summary: commitments by status as a bar chart with the same numbers
in a table beside it, and their average progress. The downloads carry the same
content with headers, states and statuses in the page's language; dates follow the
language (DD/MM/YYYY in French and Dutch, ISO in English) and French and Dutch
spreadsheets get ``;`` separators. Every mandate of the city is in it, or the one
``?promotion=`` names. A visitor's reading is not the city's report: nothing is
logged and nothing moves the next report's due date. The routes are added to the
``records`` blueprint at import (``records.init_app`` imports this module).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Response, abort, render_template
from flask_babel import gettext
from kleroterion.services import reports
from kleroterion.services.errors import ServiceError
from kleroterion.web import promotions
from kleroterion.web.charts import status_chart
from kleroterion.web.context import current_city, current_config
from kleroterion.web.database import db_session
from kleroterion.web.i18n import current_language, date_text
from kleroterion.web.record_words import ANSWER_KINDS, STATUSES, VERDICTS, word
from kleroterion.web.records import bp, report_years
from kleroterion.web.term import term

FORMATS = {"md": "text/markdown", "csv": "text/csv"}


def _day(language: str) -> Callable[[dt.date], str]:
    if language == "en":
        return dt.date.isoformat
    return lambda day: day.strftime("%d/%m/%Y")


def page_words() -> reports.Words:
    """The report's words in the page's language."""
    language = current_language()
    return reports.Words(
        language=language,
        gettext=gettext,
        status=lambda key: word(STATUSES, key),
        answer_kind=lambda key: word(ANSWER_KINDS, key),
        verdict=lambda key: word(VERDICTS, key),
        day=_day(language),
        term=term().One,
    )


def _report(year: int) -> reports.CityReport:
    every = promotions.city_mandates()
    _shown, one = promotions.chosen(every)
    if year not in report_years(every):
        abort(404)
    try:
        return reports.city_report(db_session(), current_city().slug, year,
                                   [one.id] if one is not None else None)
    except ServiceError:
        abort(404)


@bp.get("/follow-up/report-<int:year>")
def report_page(year: int) -> str:
    report = _report(year)
    every = promotions.city_mandates()
    _shown, one = promotions.chosen(every)
    return render_template(
        "public/report.html", config=current_config(), report=report, year=year,
        chart=status_chart(report.by_status), mandate=one,
        as_of=date_text(report.as_of, "long"))


@bp.get("/follow-up/report-<int:year>.<any(md, csv):fmt>")
def follow_up_report(year: int, fmt: str) -> Response:
    report = _report(year)
    words = page_words()
    if fmt == "csv":
        body = reports.as_csv(report, words, semicolon=words.language != "en")
    else:
        body = reports.as_markdown(report, words)
    response = Response(body, mimetype=FORMATS[fmt])
    filename = f"{current_city().slug}-follow-up-{year}-{words.language}.{fmt}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
