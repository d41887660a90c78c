"""The python-docx details of the decree's typesetting (cascade/documents/docx_writer.py sets a layout with
them): A4 and its margins, Times New Roman for every script, a line of text in a face and size, the short
horizontal rules under the heading lines, tables without borders."""

from __future__ import annotations

from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

FONT = "Times New Roman"
BODY_PT, HEADING_PT, RECIPIENTS_TITLE_PT, RECIPIENTS_PT = 14, 13, 12, 11
PAGE = {"width": Mm(210), "height": Mm(297), "top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
TEXT_WIDTH = Mm(165)  # 210 - 30 - 15
FIRST_LINE_INDENT = Mm(12.7)
ADDRESSEE_INDENT, KINH_GUI_WIDTH = Mm(45), Mm(21)


def set_fonts(element: object, size: int | None = None) -> None:
    """Times New Roman for every script of a run or style's rPr, and Vietnamese as its language."""
    rpr = element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "vi-VN")
    if size is not None:
        for tag in ("w:sz", "w:szCs"):
            node = rpr.find(qn(tag))
            if node is None:
                node = OxmlElement(tag)
                rpr.append(node)
            node.set(qn("w:val"), str(size * 2))


def set_page(document: DocxDocument) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = PAGE["width"], PAGE["height"]
    section.top_margin, section.bottom_margin = PAGE["top"], PAGE["bottom"]
    section.left_margin, section.right_margin = PAGE["left"], PAGE["right"]
    normal = document.styles["Normal"]
    normal.font.name = FONT  # type: ignore[attr-defined]
    normal.font.size = Pt(BODY_PT)  # type: ignore[attr-defined]
    set_fonts(normal.element, BODY_PT)
    fmt = normal.paragraph_format  # type: ignore[attr-defined]
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(0), 1.0


def add_line(
    paragraph: DocxParagraph,
    text: str,
    size: int,
    *,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH | None = WD_ALIGN_PARAGRAPH.CENTER,
) -> DocxParagraph:
    if align is not None:
        paragraph.alignment = align
    run = paragraph.add_run(text)
    run.bold, run.italic = bold or None, italic or None
    run.font.size = Pt(size)
    set_fonts(run._r, size)
    return paragraph


def next_paragraph(cell: _Cell, first: list[bool]) -> DocxParagraph:
    """The cell's next paragraph (its first, empty one is used first)."""
    if first[0]:
        first[0] = False
        return cell.paragraphs[0]
    return cell.add_paragraph()


def add_rule(paragraph: DocxParagraph, share: float, cell_width: int) -> None:
    """A centred horizontal line under a heading line, `share` of the cell wide (a paragraph's top border)."""
    fmt = paragraph.paragraph_format
    side = int(cell_width * (1 - share) / 2)
    fmt.left_indent, fmt.right_indent = side, side
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(key), value)
    borders.append(top)
    ppr.append(borders)
    add_line(paragraph, "", 4)


def make_borderless(table: DocxTable, widths: tuple[int, ...]) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        node = OxmlElement(f"w:{edge}")
        node.set(qn("w:val"), "nil")
        borders.append(node)
    tblpr.append(borders)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
