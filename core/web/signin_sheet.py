"""The sign-in sheet of a session (feuille d'émargement) as a PDF, with ReportLab.

ReportLab is the library the letters are written with (``kleroterion.letters.render``):
one PDF library for the product. The sheet is A4, in the visitor's language: the
assembly, the session (kind, date, times, place), then one row per member expected,
by name, with their seat group, public id and a box to sign; the table's header is
repeated on every page. It holds names: only the secretariat downloads it.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

from flask_babel import gettext
from kleroterion.models import AssemblySession
from kleroterion.services.attendance import RollLine
from kleroterion.web.context import current_config
from kleroterion.web.i18n import date_text, l10n_text
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle


def _kind_label(kind: str) -> str:
    for declared in current_config().mandate.session_kinds:
        if declared.key == kind:
            return l10n_text(declared.label)
    return kind


def render(meeting: AssemblySession, lines: Sequence[RollLine], groups: Mapping[str, str],
           language: str) -> bytes:
    """The PDF of the sheet, as bytes."""
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    title = gettext("Sign-in sheet")
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                                 topMargin=15 * mm, bottomMargin=15 * mm, title=title,
                                 lang=language)
    when = date_text(meeting.held_on, "full")
    if meeting.starts_at is not None:
        when += ", " + meeting.starts_at.strftime("%H:%M")
        if meeting.ends_at is not None:
            when += "–" + meeting.ends_at.strftime("%H:%M")
    heading = [Paragraph(escape(l10n_text(current_config().profile.assembly_name)),
                         styles["Normal"]),
               Paragraph(escape(title), styles["Title"]),
               Paragraph(escape(f"{_kind_label(meeting.kind)}"
                                + (f" — {meeting.title}" if meeting.title else "")),
                         styles["Heading2"]),
               Paragraph(escape(when + (f" — {meeting.place}" if meeting.place else "")),
                         styles["Normal"]),
               Spacer(1, 6 * mm)]
    cell = styles["BodyText"]
    rows: list[list[object]] = [[gettext("Name"), gettext("Seat group"), gettext("Public id"),
                                 gettext("Signature")]]
    for line in lines:
        rows.append([Paragraph(escape(line.name or "—"), cell),
                     Paragraph(escape(groups.get(line.seat_group, line.seat_group)), cell),
                     line.public_id, ""])
    table = Table(rows, colWidths=[62 * mm, 40 * mm, 28 * mm, 50 * mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f2f2")]),
        ("BOTTOMPADDING", (0, 1), (-1, -1), 9),
        ("TOPPADDING", (0, 1), (-1, -1), 9),
    ]))
    footer = Paragraph(escape(gettext("%(count)s members expected.", count=len(lines))),
                       styles["Normal"])
    document.build([*heading, table, Spacer(1, 4 * mm), footer])
    return buffer.getvalue()
