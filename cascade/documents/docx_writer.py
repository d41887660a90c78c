"""A document layout (cascade/documents/model.py) written as a .docx the way Decree 30/2020/NĐ-CP (Appendix I)
sets it: A4, margins top and bottom 20 mm, left 30 mm, right 15 mm; Times New Roman (the East-Asian and complex
script faces too, or Word falls back to another font for some Vietnamese letters); the heading as a two-column
table without borders; the title bold and centred; the body justified with a first-line indent; "Nơi nhận" on
the left in 12/11 pt beside the signer block on the right."""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from sqlmodel import Session

from cascade.documents.build import document_layout
from cascade.documents.docx_format import (
    ADDRESSEE_INDENT,
    BODY_PT,
    FIRST_LINE_INDENT,
    HEADING_PT,
    KINH_GUI_WIDTH,
    RECIPIENTS_PT,
    RECIPIENTS_TITLE_PT,
    TEXT_WIDTH,
    add_line,
    add_rule,
    make_borderless,
    next_paragraph,
    set_fonts,
    set_page,
)
from cascade.documents.model import DocumentLayout, Paragraph, Style, Table
from models import Directive

STYLE_FACES = {
    Style.section: (True, False),
    Style.heading: (True, False),
    Style.subheading: (True, True),
    Style.centered: (True, False),
}


def _heading(document: DocxDocument, layout: DocumentLayout) -> None:
    h, left_w, right_w = layout.heading, Mm(70), Mm(95)
    table = document.add_table(rows=1, cols=2)
    make_borderless(table, (left_w, right_w))
    left, right = table.rows[0].cells
    first = [True]
    if h.parent_line:
        add_line(next_paragraph(left, first), h.parent_line, HEADING_PT)
    add_line(next_paragraph(left, first), h.issuer_line, HEADING_PT, bold=True)
    if h.star:
        add_line(next_paragraph(left, first), h.star, HEADING_PT)
    else:
        add_rule(next_paragraph(left, first), 0.35, left_w)
    add_line(next_paragraph(left, first), h.number_line, HEADING_PT)
    if h.subject_line:
        add_line(next_paragraph(left, first), h.subject_line, 12)
    if h.urgency:
        add_line(next_paragraph(left, first), h.urgency, HEADING_PT, bold=True)
    first = [True]
    for i, text in enumerate(h.motto):
        p = add_line(next_paragraph(right, first), text, HEADING_PT if i == 0 else BODY_PT, bold=True)
        if h.star:
            p.runs[0].underline = True
    if not h.star:
        add_rule(next_paragraph(right, first), 0.5, right_w)
    place = add_line(next_paragraph(right, first), h.place_date, BODY_PT, italic=True)
    place.paragraph_format.space_before = Pt(6)


def _title(document: DocxDocument, layout: DocumentLayout) -> None:
    if layout.title:
        p = add_line(document.add_paragraph(), layout.title, BODY_PT, bold=True)
        p.paragraph_format.space_before = Pt(18)
        if layout.summary:
            add_line(document.add_paragraph(), layout.summary, BODY_PT, bold=True)
        add_rule(document.add_paragraph(), 0.25, TEXT_WIDTH)
    for i, line in enumerate(layout.addressees):
        # "Kính gửi:" hangs left of the addressees, which stand one under the other
        p = add_line(document.add_paragraph(), f"Kính gửi: {line}" if i == 0 else line, BODY_PT, align=None)
        p.paragraph_format.left_indent = ADDRESSEE_INDENT
        if i == 0:
            p.paragraph_format.first_line_indent = -KINH_GUI_WIDTH
            p.paragraph_format.space_before = Pt(12)


def _body_paragraph(document: DocxDocument, block: Paragraph) -> None:
    p = document.add_paragraph()
    centered = block.style == Style.centered
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER if centered else WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(12 if centered else 6), Pt(0), 1.15
    if block.style not in (Style.section, Style.centered):
        fmt.first_line_indent = FIRST_LINE_INDENT
    bold, italic = STYLE_FACES.get(block.style, (False, False))
    for piece in block.runs:
        run = p.add_run(piece.text)
        run.bold = bold or piece.bold or None
        run.italic = italic or piece.italic or None
        run.font.size = Pt(BODY_PT)
        set_fonts(run._r, BODY_PT)


def _figures_table(document: DocxDocument, block: Table) -> None:
    if block.caption:
        cap = add_line(document.add_paragraph(), block.caption, BODY_PT, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
        cap.paragraph_format.space_before = Pt(6)
    table = document.add_table(rows=1 + len(block.rows), cols=len(block.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for column, text in enumerate(block.header):
        add_line(table.rows[0].cells[column].paragraphs[0], text, 13, bold=True)
    for r, row in enumerate(block.rows, start=1):
        for column, text in enumerate(row):
            align = WD_ALIGN_PARAGRAPH.RIGHT if block.is_numeric(column) else WD_ALIGN_PARAGRAPH.LEFT
            add_line(table.rows[r].cells[column].paragraphs[0], text, 13, align=align)


def _closing(document: DocxDocument, layout: DocumentLayout) -> None:
    spacer = document.add_paragraph()
    spacer.paragraph_format.space_before = Pt(6)
    table = document.add_table(rows=1, cols=2)
    make_borderless(table, (Mm(80), Mm(85)))
    left, right = table.rows[0].cells
    first = [True]
    add_line(
        next_paragraph(left, first),
        "Nơi nhận:",
        RECIPIENTS_TITLE_PT,
        bold=True,
        italic=True,
        align=WD_ALIGN_PARAGRAPH.LEFT,
    )
    for line in layout.recipients:
        add_line(next_paragraph(left, first), line, RECIPIENTS_PT, align=WD_ALIGN_PARAGRAPH.LEFT)
    first = [True]
    for line in layout.signer.lines:
        add_line(next_paragraph(right, first), line, BODY_PT, bold=True)
    for _ in range(4):  # the space for the signature and the seal
        next_paragraph(right, first)
    add_line(next_paragraph(right, first), layout.signer.name, BODY_PT, bold=True)


def write_docx(layout: DocumentLayout, title: str = "") -> bytes:
    """The layout as the bytes of a .docx file."""
    document = Document()
    set_page(document)
    document.core_properties.title = title or layout.file_stem
    document.core_properties.language = "vi-VN"
    _heading(document, layout)
    _title(document, layout)
    for block in layout.body:
        if isinstance(block, Table):
            _figures_table(document, block)
        else:
            _body_paragraph(document, block)
    _closing(document, layout)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def directive_docx(session: Session, directive: Directive) -> bytes:
    """A stored directive as a .docx (`cascade render`, the admin page's download)."""
    return write_docx(document_layout(session, directive), title=f"{directive.number} – {directive.summary}")
