"""Invitation letters as PDF (reportlab), with the answer code and its QR code (segno).

One A4 sheet per letter and language: the address block sits where a French or
Belgian window envelope (DL, window on the right) shows it; each page carries the
code in large type and a QR code of the answer page's address with the code. The
paragraphs that are the same on every letter (subject, body, FAQ) are laid out once
per language and drawn on each page, which keeps ten thousand letters to minutes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import segno
from babel.dates import format_date
from kleroterion.letters.template import LetterTemplate
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

WIDTH, HEIGHT = A4
MARGIN = 20 * mm
#: The window of a DL envelope with the window on the right, from the sheet's corner.
ADDRESS_X, ADDRESS_TOP = 110 * mm, HEIGHT - 50 * mm
QR_SIZE = 32 * mm

BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=10.5, leading=14,
                      alignment=TA_LEFT, spaceAfter=6)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=9, leading=11.5)
BOLD = ParagraphStyle("bold", parent=BODY, fontName="Helvetica-Bold")
HEADING = ParagraphStyle("heading", parent=BODY, fontName="Helvetica-Bold", fontSize=11.5,
                         leading=15, spaceBefore=4)


@dataclass(frozen=True)
class Letter:
    """What changes from one letter to the next: the address and the code."""

    address: tuple[str, ...]
    code: str


@dataclass(frozen=True)
class Context:
    assembly: dict[str, str]  # the assembly's name per language
    city: dict[str, str]  # the city's own name per language
    url: str
    deadline: dt.date
    place: dict[str, str]  # per language, written before the date: "Ville de Paris, 3 mai 2026"
    today: dt.date
    reminder: bool = False  # a reminder: the template's reminder paragraph comes first


def _in(texts: dict[str, str], language: str) -> str:
    """A text in the letter's language, else the first one written."""
    return texts.get(language) or next(iter(texts.values()), "")


class _Laid:
    """A language's fixed paragraphs, wrapped once at the text width."""

    def __init__(self, template: LetterTemplate, language: str, context: Context) -> None:
        text = template.languages[language]
        values = {"assembly": _in(context.assembly, language),
                  "city": _in(context.city, language), "url": context.url, "code": "",
                  "deadline": format_date(context.deadline, "long", locale=language)}

        def fill(key: str) -> str:
            return escape(text.texts[key].format(**values))

        width = WIDTH - 2 * MARGIN
        self.language = language
        self.date = Paragraph(escape(f"{_in(context.place, language)}, "
                                     f"{format_date(context.today, 'long', locale=language)}"),
                              BODY)
        self.head = [Paragraph(fill("subject"), HEADING), Paragraph(fill("salutation"), BODY)]
        if context.reminder:
            self.head.append(Paragraph(fill("reminder"), BOLD))
        self.head += [Paragraph(escape(part.strip().format(**values)).replace("\n", " "), BODY)
                      for part in text.texts["body"].split("\n\n") if part.strip()]
        self.head.append(Paragraph(fill("closing"), BODY))
        signatory = template.signatory.get(language, "")
        if signatory:
            self.head.append(Paragraph(escape(signatory).replace("\n", "<br/>"), BOLD))
        self.answer = [Paragraph(fill("answer_heading"), HEADING),
                       Paragraph(fill("answer_text"), BODY)]
        self.code_label = text.texts["code_label"].format(**values)
        self.faq = [Paragraph(fill("faq_heading"), HEADING)] if text.faq else []
        for question, answer in text.faq:
            self.faq += [Paragraph(f"<b>{escape(question)}</b> {escape(answer)}", SMALL)]
        self.width = width


def _draw(canvas: Canvas, paragraphs: Sequence[Paragraph], x: float, top: float,
          width: float) -> float:
    y = top
    for paragraph in paragraphs:
        # Laid out once per language: wrapping again at each letter is most of the cost.
        if getattr(paragraph, "laid_width", None) != width:
            paragraph.wrap(width, HEIGHT)
            paragraph.laid_width = width
        y -= paragraph.style.spaceBefore + paragraph.height
        paragraph.drawOn(canvas, x, y)
        y -= paragraph.style.spaceAfter
    return y


def _qr(canvas: Canvas, data: str, x: float, y: float) -> None:
    """The QR code of ``data`` (segno encodes it) as one filled path of its dark runs:
    reportlab's own widget draws each module as a shape, twenty times slower."""
    matrix = segno.make_qr(data, error="m").matrix
    quiet = 2  # modules of white border inside QR_SIZE
    size = QR_SIZE / (len(matrix) + 2 * quiet)
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + QR_SIZE - (row_index + quiet + 1) * size
        column = 0
        while column < len(row):
            if row[column]:
                start = column
                while column < len(row) and row[column]:
                    column += 1
                path.rect(x + (start + quiet) * size, top, (column - start) * size, size)
            else:
                column += 1
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def _page(canvas: Canvas, laid: _Laid, letter: Letter, context: Context,
          template: LetterTemplate, first: bool) -> None:
    top = HEIGHT - MARGIN
    if template.logo is not None:
        canvas.drawImage(str(template.logo), MARGIN, top - 18 * mm, width=40 * mm,
                         height=18 * mm, preserveAspectRatio=True, anchor="sw", mask="auto")
    canvas.setFont("Helvetica-Bold", 12)
    assembly = _in(context.assembly, laid.language)
    canvas.drawString(MARGIN, top - 24 * mm, assembly)
    canvas.setFont("Helvetica", 10)
    canvas.drawString(MARGIN, top - 29 * mm, _in(context.city, laid.language))
    if first:
        canvas.setFont("Helvetica", 11)
        y = ADDRESS_TOP
        for line in letter.address:
            canvas.drawString(ADDRESS_X, y, line)
            y -= 5 * mm
    y = _draw(canvas, [laid.date], ADDRESS_X, HEIGHT - 85 * mm,
              WIDTH - MARGIN - ADDRESS_X)
    y = _draw(canvas, laid.head, MARGIN, y - 4 * mm, laid.width)
    # The answer box: text on the left, the code and its QR code on the right.
    box_top = y - 2 * mm
    text_width = laid.width - QR_SIZE - 8 * mm
    after = _draw(canvas, laid.answer, MARGIN, box_top, text_width)
    canvas.setFont("Helvetica", 9)
    canvas.drawString(MARGIN, after - 4 * mm, laid.code_label)
    canvas.setFont("Courier-Bold", 18)
    canvas.drawString(MARGIN, after - 11 * mm, letter.code)
    separator = "&" if "?" in context.url else "?"
    _qr(canvas, f"{context.url}{separator}code={letter.code}", WIDTH - MARGIN - QR_SIZE,
        box_top - QR_SIZE)
    bottom = min(after - 16 * mm, box_top - QR_SIZE - 4 * mm)
    _draw(canvas, laid.faq, MARGIN, bottom, laid.width)
    canvas.showPage()


def write(path: Path, letters: Iterable[Letter], languages: Sequence[str],
          template: LetterTemplate, context: Context,
          progress: Callable[[int], None] | None = None) -> int:
    """Write ``letters`` into one PDF, a page per language of each; return the count."""
    laid = [_Laid(template, language, context) for language in languages]
    canvas = Canvas(str(path), pagesize=A4, pageCompression=1)
    canvas.setTitle(next(iter(context.assembly.values()), "kleroterion"))
    count = 0
    for letter in letters:
        for index, language in enumerate(laid):
            _page(canvas, language, letter, context, template, first=index == 0)
        count += 1
        if progress is not None and count % 100 == 0:
            progress(count)
    canvas.save()
    return count


def join(parts: Sequence[Path], path: Path) -> None:
    """One PDF of ``parts``, in order (the per-stratum files into the whole run)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(str(part))
    with path.open("wb") as handle:
        writer.write(handle)


def info() -> dict[str, Any]:
    """The PDF library's name and version, for the audit log."""
    import reportlab

    return {"library": "reportlab", "version": reportlab.Version, "qr": segno.__version__}
