"""A directive's `body` (plain text, paragraphs split by blank lines) read as the paragraphs of the document:
which are section headings ("I. MỤC ĐÍCH, YÊU CẦU", "1. Mục đích", "1.1. …"), which are text, and the
italics and bold the body file marks (*so*, **so**)."""

from __future__ import annotations

import re
import unicodedata

from cascade.directives.docimport.lines import DECIDES_RE, GROUNDS_RE
from cascade.documents.model import Block, Paragraph, Run, Style, Table

SECTION_RE = re.compile(r"^(?P<roman>[IVXLC]+)\.\s+\S")
HEADING_RE = re.compile(r"^\d+\.\s+\S")
SUBHEADING_RE = re.compile(r"^\d+(?:\.\d+)+\.?\s+\S")
TABLE_ROW_RE = re.compile(r"^\|.*\|$")
TABLE_RULE_RE = re.compile(r"^[|:\-\s]+$")
NUMBER_CELL_RE = re.compile(r"^[\d.,\s%]+$")
EMPHASIS_RE = re.compile(r"\*\*(?P<bold>[^*]+)\*\*|\*(?P<italic>[^*]+)\*")
# A numbered line longer than this is an enumerated paragraph of text, not a heading.
HEADING_MAX = 250
SENTENCE_ENDS = (".", ";", "!", "?", "…")
ROMAN_VALUES: tuple[tuple[str, int], ...] = (
    ("M", 1000), ("CM", 900), ("D", 500), ("CD", 400), ("C", 100), ("XC", 90), ("L", 50), ("XL", 40),
    ("X", 10), ("IX", 9), ("V", 5), ("IV", 4), ("I", 1),
)  # fmt: skip


def runs_of(text: str) -> tuple[Run, ...]:
    """The text cut where its emphasis marks are, the marks themselves dropped."""
    runs: list[Run] = []
    at = 0
    for match in EMPHASIS_RE.finditer(text):
        if match.start() > at:
            runs.append(Run(text[at : match.start()]))
        if match.group("bold") is not None:
            runs.append(Run(match.group("bold"), bold=True))
        else:
            runs.append(Run(match.group("italic"), italic=True))
        at = match.end()
    if at < len(text):
        runs.append(Run(text[at:]))
    return tuple(runs) or (Run(""),)


def style_of(text: str) -> Style:
    """A numbered line is a heading when it is short and is not a sentence: "1. Mục đích" is one, a numbered
    task "1. Tổ chức quán triệt đến toàn thể đoàn viên." is text."""
    if len(text) > HEADING_MAX + 50 or text.rstrip().endswith(SENTENCE_ENDS):
        return Style.text
    if SECTION_RE.match(text):
        return Style.section
    if len(text) <= HEADING_MAX and SUBHEADING_RE.match(text):
        return Style.subheading
    if len(text) <= HEADING_MAX and HEADING_RE.match(text):
        return Style.heading
    return Style.text


def paragraph(text: str, style: Style | None = None) -> Paragraph:
    return Paragraph(style or style_of(text), runs_of(text))


def body_blocks(body: str) -> list[Block]:
    """The paragraphs and tables of a body; a line break inside a paragraph is a space (the file's own wrapping).
    A paragraph whose every line is "| cell | cell |" is a table, its first line the header (a Markdown rule line
    under it, "|---|---|", is skipped). A decision's preamble is set as Decree 30 sets it (decision_preamble)."""
    text = unicodedata.normalize("NFC", body or "")
    chunks = re.split(r"\n\s*\n", text.replace("\r\n", "\n"))
    return decision_preamble([_table(c) or paragraph(" ".join(c.split())) for c in chunks if c.strip()])


def decides_at(blocks: list[Block]) -> int | None:
    """Where a decision (or a resolution) says "QUYẾT ĐỊNH:" ("QUYẾT NGHỊ:") before its articles, if it does."""
    return next((i for i, b in enumerate(blocks) if isinstance(b, Paragraph) and DECIDES_RE.match(b.text)), None)


def decision_preamble(blocks: list[Block]) -> list[Block]:
    """Before "QUYẾT ĐỊNH:": the authority that decides, in capitals, and "QUYẾT ĐỊNH:" itself bold and centred;
    the grounds ("Căn cứ …", "Theo đề nghị …", "Xét đề nghị …") in italics (Decree 30/2020/NĐ-CP, Appendix I)."""
    at = decides_at(blocks)
    if at is None:
        return blocks
    out: list[Block] = []
    for block in blocks[:at]:
        if isinstance(block, Paragraph) and block.text.isupper():
            out.append(Paragraph(Style.centered, block.runs))
        elif isinstance(block, Paragraph) and GROUNDS_RE.match(block.text):
            out.append(Paragraph(Style.text, tuple(Run(r.text, bold=r.bold, italic=True) for r in block.runs)))
        else:
            out.append(block)
    decides = blocks[at]
    assert isinstance(decides, Paragraph)  # decides_at finds a paragraph
    return [*out, Paragraph(Style.centered, decides.runs), *blocks[at + 1 :]]


def _plain(cell: str) -> str:
    """A cell's text without the body's emphasis marks (a table's cells are set plain)."""
    return "".join(run.text for run in runs_of(cell.strip()))


def _table(chunk: str) -> Table | None:
    rows = [line.strip() for line in chunk.strip().splitlines()]
    if not all(TABLE_ROW_RE.match(row) for row in rows):
        return None
    cells = [tuple(_plain(c) for c in row[1:-1].split("|")) for row in rows if not TABLE_RULE_RE.match(row)]
    if not cells:
        return None
    width = max(len(row) for row in cells)
    header, *body = [row + ("",) * (width - len(row)) for row in cells]
    numeric = tuple(bool(body) and all(NUMBER_CELL_RE.match(row[i]) for row in body if row[i]) for i in range(width))
    return Table(caption="", header=header, rows=tuple(body), numeric=numeric)


def roman(number: int) -> str:
    out = []
    for letters, value in ROMAN_VALUES:
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


def roman_value(letters: str) -> int:
    total, at = 0, 0
    for symbols, value in ROMAN_VALUES:
        while letters.startswith(symbols, at):
            total += value
            at += len(symbols)
    return total if at == len(letters) else 0


def last_section_number(paragraphs: list[Paragraph]) -> int:
    """The value of the body's last roman-numeral section (II → 2; 0: the body has none)."""
    found = 0
    for p in paragraphs:
        match = SECTION_RE.match(p.text) if p.style == Style.section else None
        if match:
            found = roman_value(match.group("roman")) or found
    return found


def has_section(paragraphs: list[Paragraph], words: str) -> bool:
    """Whether a heading of the body names this section ("Tổ chức thực hiện"), whatever its case and number."""
    wanted = words.casefold()
    return any(p.is_heading and wanted in p.text.casefold() for p in paragraphs)


def says_already(paragraphs: list[Paragraph], texts: list[str]) -> bool:
    """Whether every one of these texts (a directive's tasks) is written in the body already."""
    body = " ".join(p.text for p in paragraphs)
    return all(" ".join(text.split()) in body for text in texts)


def opens_with_basis(paragraphs: list[Paragraph]) -> bool:
    """Whether the body already opens with its basis sentence ("Thực hiện …", "Căn cứ …"), or states its grounds
    as a decision does, before "QUYẾT ĐỊNH:"."""
    first = paragraphs[0].text.casefold() if paragraphs else ""
    return first.startswith(("thực hiện ", "căn cứ ")) or decides_at(list(paragraphs)) is not None
