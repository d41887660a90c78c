"""The heading of a directive laid out as Decree 30/2020/NĐ-CP Art. 8 and Appendix I prescribe.

Number and symbol, place and date, type and summary, and the names of the issuer above the number. Text
extraction leaves the two columns of the heading side by side on one line (or, from a .docx table, the left
cell's lines before the right cell's): the heading is read cell by cell, so the date is found wherever it
stands, before the type line or after a công văn's "V/v …" lines. Everything keeps the document's own spelling
(NFC); problems name the field and the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from cascade.directives.docimport.lines import (
    DATE_RE,
    MOTTO_RE,
    NUMBER_RE,
    OPENERS,
    SEPARATOR_RE,
    SIGNER_RE,
    SO_RE,
    Line,
    clean,
    is_caps,
    is_marked,
)
from cascade.directives.docimport.names import fold
from cascade.directives.docimport.problems import ImportProblem
from cascade.directives.docimport.summary import is_body_start, summary_lines

TYPES = (
    "KẾ HOẠCH", "CÔNG VĂN", "CHỈ THỊ", "QUYẾT ĐỊNH", "THÔNG BÁO", "BÁO CÁO", "NGHỊ QUYẾT", "HƯỚNG DẪN",
    "CHƯƠNG TRÌNH HÀNH ĐỘNG", "CHƯƠNG TRÌNH", "TỜ TRÌNH", "QUY CHẾ", "QUY ĐỊNH", "KẾT LUẬN", "THÔNG TRI",
    "CÔNG ĐIỆN", "ĐỀ ÁN", "PHƯƠNG ÁN", "GIẤY MỜI", "THÔNG CÁO", "NGHỊ ĐỊNH", "THÔNG TƯ",
)  # fmt: skip
_TYPE_BY_KEY = {fold(t): t for t in TYPES}
# The type letters of a symbol (Decree 30 Appendix III, and the Party's CV): in "45/LĐLĐ-TGNC" the first part
# is no type, so it is the issuer and "TGNC" the drafting department.
TYPE_LETTERS = frozenset(
    "nq qd ct qc qyd tb hd ctr kh pa da bc bb ttr cd bgn btt guq gm ggt gnp pg pc pb kl tt cv nd tri".split()
)
VV_RE = re.compile(r"^(?:V/v|Về việc)\s*:?\s*(?P<subject>.+)$", re.IGNORECASE)
EXPECTED_NUMBER = "expected 'Số: N/TYPE-ISSUER' such as 'Số: 252/KH-LĐLĐ' or 'Số 31-KH/TU'"
EXPECTED_DATE = "expected a line like 'Lai Châu, ngày 20 tháng 5 năm 2021'"


@dataclass
class Heading:
    number: str | None = None
    issuer_symbol: str | None = None
    place: str | None = None
    issued_on: date | None = None
    doc_type: str | None = None
    summary: str | None = None
    issuer_hints: list[str] = field(default_factory=list)  # top down: the body above the issuer, the issuer
    type_index: int | None = None  # index (in the lines) of the type or "V/v" line
    end: int = 0  # index of the first line after the heading
    problems: list[ImportProblem] = field(default_factory=list)


@dataclass
class _Cell:
    index: int  # of its line
    line: Line


def parse_number(text: str) -> tuple[str, str] | None:
    """(number, issuer symbol) of "252/KH-LĐLĐ" (state style), "31-KH/TU" (Party style) or "45/LĐLĐ-TGNC"
    (a công văn: issuer, then drafting department)."""
    match = NUMBER_RE.search(text)
    if match is None:
        return None
    number = re.sub(r"\s+", "", match.group(0)).rstrip(".")
    rest = match.group("rest").rstrip(".")
    if match.group("sep") == "/":
        first, _, second = rest.partition("-")
        symbol = second if second and fold(first).replace(" ", "") in TYPE_LETTERS else first
    else:
        symbol = rest.split("/", 1)[1] if "/" in rest else rest
    return number, symbol


def make_date(day: str, month: str, year: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _find_type(cells: list[_Cell], start: int, heading: Heading) -> int | None:
    """Index (in cells) of the summary's last line; sets type and summary."""
    unknown: _Cell | None = None
    for i in range(start, min(len(cells), start + 40)):
        cell = cells[i]
        text = clean(cell.line.text)
        if is_body_start(text) or (OPENERS.match(text) and NUMBER_RE.search(text)):
            break
        subject = VV_RE.match(text)
        if is_caps(text) and fold(text) in _TYPE_BY_KEY:
            heading.doc_type, heading.type_index = _TYPE_BY_KEY[fold(text)], cell.index
            nxt = clean(cells[i + 1].line.text) if i + 1 < len(cells) else ""
            if not nxt or SEPARATOR_RE.match(nxt) or is_body_start(nxt) or nxt.endswith(":") or is_marked(nxt):
                message = f"no summary (trích yếu) after '{text}'; expected it on the next line"
                heading.problems.append(ImportProblem("summary", message, cell.line.no))
                return i
            parts = summary_lines([c.line for c in cells[i + 1 :]], after_vv=False)
            heading.summary = " ".join(parts)
            return i + len(parts)
        if subject:
            heading.doc_type, heading.type_index = "CÔNG VĂN", cell.index
            parts = summary_lines([c.line for c in cells[i:]], after_vv=True, first=subject.group("subject").strip())
            heading.summary = " ".join(parts)
            return i + len(parts) - 1
        plain = not (MOTTO_RE.search(text) or SO_RE.match(text) or DATE_RE.search(text) or SIGNER_RE.match(text))
        if unknown is None and i > start and is_caps(text) and plain and len(fold(text)) > 3 and len(text) < 60:
            unknown = cell
    if unknown is not None:
        message = (
            f"'{clean(unknown.line.text)}' is not a document type the importer knows; expected one of"
            f" {', '.join(TYPES)}, or 'V/v …' under the number of a công văn"
        )
        heading.problems.append(ImportProblem("type", message, unknown.line.no))
    else:
        where = "after the number" if heading.number else "in the heading"
        message = f"no document type line {where}; expected 'KẾ HOẠCH', 'QUYẾT ĐỊNH' … or 'V/v …' for a công văn"
        heading.problems.append(ImportProblem("type", message, cells[start].line.no if start < len(cells) else None))
    return None


def _find_number(cells: list[_Cell], heading: Heading) -> int | None:
    for i, cell in enumerate(cells):
        found = SO_RE.match(clean(cell.line.text))
        if found is None:
            continue
        parsed = parse_number(found.group("value"))
        if parsed is None:
            message = f"'{cell.line.raw.strip()}' has no number; {EXPECTED_NUMBER}"
            heading.problems.append(ImportProblem("number", message, cell.line.no))
        else:
            heading.number, heading.issuer_symbol = parsed
        return i
    last = cells[-1].line.no if cells else 1
    message = f"no 'Số: …' line in the heading (lines 1-{last}); {EXPECTED_NUMBER}"
    heading.problems.append(ImportProblem("number", message, 1))
    return None


def _find_date(cells: list[_Cell], heading: Heading) -> int | None:
    for i, cell in enumerate(cells):
        found = DATE_RE.search(clean(cell.line.text))
        if found is None:
            continue
        heading.place = found.group("place").strip()
        heading.issued_on = make_date(found.group("d"), found.group("m"), found.group("y").rstrip("."))
        if heading.issued_on is None:
            text = found.group(0)[len(found.group("place")) :].lstrip(" ,")
            message = f"'{text}' is not a valid date; expected 'ngày D tháng M năm YYYY'"
            heading.problems.append(ImportProblem("issued_on", message, cell.line.no))
        return i
    # A date line the clerk can fix ("Lai Châu, ngày … tháng 5"): name it, not the whole heading.
    near = next((c for c in cells if re.search(r"\bng[àa]y\b.*\bth[áa]ng\b", clean(c.line.text), re.I)), None)
    last = cells[-1].line.no if cells else 1
    for key in ("issued_on", "place"):
        if near is not None:
            message = f"'{clean(near.line.text)}' is not a place and date; {EXPECTED_DATE}"
        else:
            message = f"no place and date in the heading (lines 1-{last}); {EXPECTED_DATE}"
        heading.problems.append(ImportProblem(key, message, near.line.no if near else 1))
    return None


def parse_heading(lines: list[Line]) -> Heading:
    heading = Heading()
    cells = [_Cell(i, Line(ln.no, cell, ln.raw)) for i, ln in enumerate(lines[:60]) for cell in ln.cells()]
    number_at = _find_number(cells[:40], heading)
    summary_end = _find_type(cells, number_at if number_at is not None else 0, heading)
    end = summary_end if summary_end is not None else min(len(cells) - 1, 20)
    region = cells[: end + 8]
    body_at = next((i for i in range(end + 1, len(region)) if is_body_start(clean(region[i].line.text))), None)
    date_at = _find_date(region[:body_at], heading)
    for cell in cells[: number_at or 0]:  # the issuer's name above the number, when the document has it
        text = clean(cell.line.text)
        if is_caps(text) and not MOTTO_RE.search(text) and not SEPARATOR_RE.match(text):
            heading.issuer_hints.append(text)
    found = [i for i in (number_at, summary_end, date_at) if i is not None]
    heading.end = max((cells[i].index for i in found), default=-1) + 1
    return heading
