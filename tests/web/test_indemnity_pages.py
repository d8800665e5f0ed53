"""The indemnity statements of the back office: by name, the year so far, each line's rule,
totals, and the finance department's downloads (French CSV, XLSX), recorded."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from kleroterion.db import make_engine, make_sessionmaker, session_scope
from kleroterion.models import AuditEntry
from kleroterion.web.database import database_url
from openpyxl import load_workbook
from sqlalchemy import func, select

from .test_access import log_in
from .test_backoffice import demo_meeting, demo_template  # noqa: F401  (fixtures)

PERIOD = "start=2026-01-01&end=2026-11-23"


def _exports(app: Flask) -> int:
    engine = make_engine(database_url(app))
    with session_scope(make_sessionmaker(engine)) as session:
        count = session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "personal_data.export")) or 0
    engine.dispose()
    return count


def test_the_statements_name_members_explain_lines_and_total(
    client: FlaskClient, demo_meeting: int  # noqa: F811
) -> None:
    log_in(client, "secretariat")
    page = client.get(f"/admin/indemnities?lang=fr&{PERIOD}").get_data(as_text=True)
    assert "Total pour" in page and "la règle appliquée à chacune" in page
    assert "×" in page  # a line paid in full says units × rate = amount
    assert "Télécharger au format tableur (XLSX)" in page


def test_the_french_csv_is_what_a_french_spreadsheet_opens(
    client: FlaskClient, app: Flask, demo_meeting: int  # noqa: F811
) -> None:
    log_in(client, "secretariat")
    before = _exports(app)
    response = client.get(f"/admin/indemnities.csv?lang=fr&{PERIOD}")
    assert response.status_code == 200
    raw = response.data
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8-sig")
    header, *rows = text.split("\r\n")
    assert header.split(";")[:3] == ["Nom", "Identifiant public", "Mandat"]
    assert rows and all(";oui;" in row or ";non;" in row for row in rows if row)
    first = rows[0].split(";")
    assert "," in first[header.split(";").index("Total")]  # a decimal comma
    assert "/" in first[header.split(";").index("Du")]  # dd/mm/yyyy
    assert _exports(app) == before + 1  # names and bank details: recorded


def test_the_xlsx_holds_the_summary_and_every_line_with_its_rule(
    client: FlaskClient, app: Flask, demo_meeting: int  # noqa: F811
) -> None:
    log_in(client, "secretariat")
    response = client.get(f"/admin/indemnities.xlsx?lang=fr&{PERIOD}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    summary, detail = book.worksheets
    header = [cell.value for cell in summary[1]]
    assert header[0] == "Nom" and "Total" in header
    total = summary.cell(row=2, column=header.index("Total") + 1).value
    assert isinstance(total, int | float)  # a number, not text
    rule = [cell.value for cell in detail[1]].index("Règle appliquée") + 1
    assert detail.max_row > 1 and detail.cell(row=2, column=rule).value


def test_the_downloads_are_the_secretariat_s(
    client: FlaskClient, demo_meeting: int  # noqa: F811
) -> None:
    log_in(client, "read-only")
    assert client.get(f"/admin/indemnities.xlsx?{PERIOD}").status_code == 403
    page = client.get(f"/admin/indemnities?lang=en&{PERIOD}").get_data(as_text=True)
    assert "Download" not in page
    bad = client.get("/admin/indemnities?lang=en&start=2026-12-31&end=2026-01-01")
    assert bad.status_code == 422 and "before it starts" in bad.get_data(as_text=True)
