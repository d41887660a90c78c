"""Read a directive document (.txt, .md, .docx, .pdf) into NFC text lines.

Text files are UTF-8 with or without BOM, or UTF-16 with BOM (what Word writes for "Unicode text").
A .docx is read with python-docx: its paragraphs and table cells in document order, one line each.
A .pdf is read from its text layer (cascade.directives.docimport.pdf).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from pathlib import Path
from typing import IO

from cascade.directives.docimport.problems import DocumentReadError

TEXT_SUFFIXES = (".txt", ".md", ".text", "")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_EMPHASIS_LINE = re.compile(r"^(\s*)(\*\*|\*|__|_)(?=\S)(.+?)(?<=\S)\2\s*$")
_MD_ESCAPE = re.compile(r"\\([*_#\\-])")
_MD_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_MD_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_MD_CELL_SPLIT = re.compile(r"(?<!\\)\|")  # "\|" is a pipe inside a cell
_MD_TABLE_RULE = re.compile(r"^[\s|:\-]+$")
# What only a heading or a footer laid out as a table holds: the motto, the number, the place and date, the
# addressees, the signer's authority. Each on a line of its own: a body's table has cells such as "Số lượng",
# "Sáng, ngày 12/5/2024" or "Kỷ niệm ngày Độc lập", which none of these takes.
_LAYOUT_LINE = re.compile(
    r"^(?:Số\s*:?\s*\d*\s*[-/]\s*(?:\d{4}\s*/\s*)?[A-ZĐ][\w/.\-]*"  # "Số: 252/KH-LĐLĐ", "Số 31-KH/TU", "Số:   /KH"
    # "Lai Châu, ngày 20 tháng 5 năm 2021" (or a draft's "ngày   tháng 4 năm 2024"), not "Sáng, ngày …"
    r"|(?!(?:Sáng|Chiều|Tối|Trưa|Thứ|Chủ nhật)\b)[^\W\d_][^,]*,"
    r"\s*ngày\s+\d{0,2}\s*tháng\s+\d{0,2}\s*năm\s+\d{4}"
    r"|(?i:Kính gửi|Nơi nhận)\b.*|(?i:V/v)\b.*"
    r"|(?i:CỘNG HÒA|CỘNG HOÀ) XÃ HỘI CHỦ NGHĨA VIỆT NAM|(?i:Độc lập\s*[-–—]\s*Tự do\s*[-–—]\s*Hạnh phúc)"
    r"|ĐẢNG CỘNG SẢN VIỆT NAM|ĐOÀN TNCS HỒ CHÍ MINH)$",
)
# "KT. CHỦ TỊCH", "TM. BCH … GIÁO DỤC - ĐÀO TẠO", "KT.CHỦ TỊCH": an authority, then words (not "KT 2")
_AUTHORITY = re.compile(r"^(?:TM|KT|TL|TUQ|Q|T/M|K/T|T/L)\s*\.?\s*[^\W\d_]{2,}(?:[\s\-–]+[^\W_]+)*$")
LAYOUT_SHAPE = (4, 3)  # a heading or a footer laid out as a table has a few rows of two (or three) columns


def is_layout_table(rows: list[list[str]]) -> bool:
    """A heading or a footer laid out as a table (a line of a cell is one _LAYOUT_LINE finds; a signer's
    authority is in capitals), not a table of the body."""
    if len(rows) > LAYOUT_SHAPE[0] or max((len(row) for row in rows), default=0) > LAYOUT_SHAPE[1]:
        return False  # a table of activities, deadlines or figures, whatever its cells say
    lines = [" ".join(ln.strip("*_ ").split()) for row in rows for cell in row for ln in cell.splitlines()]
    return any(_LAYOUT_LINE.match(ln) or _AUTHORITY.match(ln) for ln in lines)


def pipe_row(row: list[str]) -> str:
    """A row of a body's table as the body keeps it: "| cell | cell |" (cascade.documents.body)."""
    return "| " + " | ".join(" ".join(cell.split()).replace("|", "/") for cell in row) + " |"


def table_lines(rows: list[list[str]]) -> list[str]:
    """A .docx table's lines: a layout table gives each cell's lines in turn, as the importer reads a heading;
    a table of the body (activities, deadlines, figures) one line per row (pipe_row)."""
    if is_layout_table(rows):
        return [line for row in rows for cell in row for line in (cell.splitlines() or [""])]
    return [pipe_row(row) for row in rows]


def decode_text(raw: bytes) -> str:
    """Decode text bytes: UTF-8 (BOM optional) or UTF-16 with its BOM."""
    if raw.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DocumentReadError(
            f"not {encoding.upper()} text (the first bad byte is on this line); save it as UTF-8 or Unicode"
            " (UTF-16) text",
            line,
        ) from exc


def _clean_markdown(line: str) -> str:
    """A line without its heading marks and a bold or italic run around all of it ("*Lai Châu, ngày …*")."""
    line = _MD_HEADING.sub("", line)
    emphasis = _MD_EMPHASIS_LINE.match(line)
    line = emphasis.group(1) + emphasis.group(3) if emphasis else line
    return _MD_ESCAPE.sub(r"\1", line)


def _docx_lines(data: IO[bytes], name: str) -> list[str]:
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph
    from lxml.etree import XMLSyntaxError

    try:
        document = docx.Document(data)
    except (zipfile.BadZipFile, PackageNotFoundError, XMLSyntaxError, KeyError, ValueError) as exc:
        # PackageNotFoundError: not a zip at all (a truncated file, another format renamed .docx)
        raise DocumentReadError(f"{name} is not a readable .docx (it is damaged, or not a Word document)") from exc
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.extend(block.text.splitlines() or [""])
        elif isinstance(block, Table):
            # Merged cells repeat. The cell elements themselves are kept, not their id(): lxml's proxies are
            # made afresh and an id() may be reused by another cell once a proxy is freed.
            seen: set[object] = set()
            rows: list[list[str]] = []
            for row in block.rows:
                rows.append([])
                for cell in row.cells:
                    if cell._tc in seen:
                        continue
                    seen.add(cell._tc)
                    rows[-1].append("\n".join(p.text for p in cell.paragraphs))
            lines.extend(table_lines([row for row in rows if row]))
    return lines


def read_lines(path: Path) -> list[str]:
    """The document's lines, NFC-normalised, with line ends and trailing spaces removed."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentReadError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return document_lines(path.name, data)


def document_lines(name: str, data: bytes) -> list[str]:
    """The lines of a document's bytes (a file, or an upload in the console); `name` gives the kind by its
    extension and names the document in problems."""
    suffix = Path(name).suffix.lower()
    if not data:
        raise DocumentReadError(f"{name} is empty: it has no text to import", 1)
    if suffix == ".docx":
        lines = _docx_lines(io.BytesIO(data), name)
    elif suffix == ".pdf":
        from cascade.directives.docimport.pdf import pdf_lines

        lines = pdf_lines(io.BytesIO(data), name)
    elif suffix == ".doc":
        raise DocumentReadError(".doc (Word 97-2003) is not supported; save it as .docx, .pdf or text")
    elif suffix not in TEXT_SUFFIXES:
        raise DocumentReadError(
            f"{name}: a {suffix} file is not a type the importer reads; save it as .docx, .pdf, .txt or .md"
        )
    else:
        lines = _text_lines(data, suffix)
    return _cleaned(lines, name)


def _text_lines(raw: bytes, suffix: str) -> list[str]:
    text = decode_text(raw).replace("\r\n", "\n").replace("\r", "\n")
    if suffix == ".md":  # comments become blank lines, so line numbers stay those of the file
        text = _MD_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    lines = text.split("\n")
    return _markdown_lines(lines) if suffix == ".md" else lines


def _markdown_lines(lines: list[str]) -> list[str]:
    """Markdown read as text: each line without its marks, and a pipe table read as a .docx table is (its rule
    line left blank, so that line numbers stay those of the file)."""
    out: list[str] = []
    at = 0
    while at < len(lines):
        if not _MD_TABLE_ROW.match(lines[at]):
            out.append(_clean_markdown(lines[at]))
            at += 1
            continue
        end = at
        while end < len(lines) and _MD_TABLE_ROW.match(lines[end]):
            end += 1
        rows = [[_clean_markdown(c.strip().replace("\\|", "|")) for c in _MD_CELL_SPLIT.split(ln.strip()[1:-1])]
                for ln in lines[at:end]]  # fmt: skip
        rules = [bool(_MD_TABLE_RULE.match(ln)) for ln in lines[at:end]]
        layout = is_layout_table([row for row, rule in zip(rows, rules, strict=True) if not rule])
        for row, rule in zip(rows, rules, strict=True):
            # one line per line of the file: a layout row's cells apart by a tab, as a text file's two columns
            out.append("" if rule else "\t".join(row) if layout else pipe_row(row))
        at = end
    return out


def _cleaned(lines: list[str], name: str) -> list[str]:
    lines = [unicodedata.normalize("NFC", line.replace("\u00a0", " ")).rstrip() for line in lines]
    if not any(line.strip() for line in lines):
        raise DocumentReadError(f"{name} is empty: it has no text to import", 1)
    return lines
