"""The heading of a directive laid out as Decree 30/2020/NĐ-CP Art. 8 prescribes.

Number and symbol, place and date, type and summary, and the basis sentence ("Thực hiện Kế hoạch số ...").
Everything keeps the document's own spelling (NFC); problems name the field and the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from cascade.directives.docimport.resolve import fold

TYPES = (
    "KẾ HOẠCH", "CÔNG VĂN", "CHỈ THỊ", "QUYẾT ĐỊNH", "THÔNG BÁO", "BÁO CÁO", "NGHỊ QUYẾT", "HƯỚNG DẪN",
    "CHƯƠNG TRÌNH HÀNH ĐỘNG", "CHƯƠNG TRÌNH", "TỜ TRÌNH", "QUY CHẾ", "QUY ĐỊNH", "KẾT LUẬN", "THÔNG TRI",
    "CÔNG ĐIỆN", "ĐỀ ÁN", "PHƯƠNG ÁN", "GIẤY MỜI", "THÔNG CÁO", "NGHỊ ĐỊNH", "THÔNG TƯ",
)  # fmt: skip
_TYPE_BY_KEY = {fold(t): t for t in TYPES}
NUMBER_RE = re.compile(r"(?P<n>\d+)\s*(?:/\s*(?P<year>\d{4})\s*)?(?P<sep>[/-])\s*(?P<rest>[^\W\d_][^\s,;:()]*)")
SO_RE = re.compile(r"^S[ốoỐO]\s*(?:[:.]|\s)\s*(?P<value>.*)$")
DATE_RE = re.compile(
    r"(?P<place>[^\W\d_][^,\d]*?)\s*,\s*ng[àa]y\s+(?P<d>\S+)\s+th[áa]ng\s+(?P<m>\S+)\s+n[ăa]m\s+(?P<y>\S+)",
    re.IGNORECASE,
)
SHORT_DATE_RE = re.compile(r"ng[àa]y\s+(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})", re.IGNORECASE)
LONG_DATE_RE = re.compile(r"ng[àa]y\s+(\d{1,2})\s+th[áa]ng\s+(\d{1,2})\s+n[ăa]m\s+(\d{4})", re.IGNORECASE)
OPENERS = re.compile(r"^(Thực hiện|Triển khai|Căn cứ|Theo|Kính gửi|Để|Nhằm|Sau khi|Trên cơ sở)\b", re.I)
ROMAN_RE = re.compile(r"^(?P<roman>[IVXL]+)\s*[.:]\s+\S")
SEPARATOR_RE = re.compile(r"^[\s\-_*=.–—]{3,}$")
VV_RE = re.compile(r"^(?:V/v|Về việc)\s*:?\s*(?P<subject>.+)$", re.IGNORECASE)
CELL_SPLIT = re.compile(r"\t+|\s{3,}")


@dataclass
class Line:
    no: int
    text: str


@dataclass
class Heading:
    number: str | None = None
    issuer_symbol: str | None = None
    place: str | None = None
    issued_on: date | None = None
    doc_type: str | None = None
    summary: str | None = None
    basis: str | None = None
    basis_issued_on: date | None = None
    basis_issuer: str | None = None
    issuer_hints: list[str] = field(default_factory=list)
    end: int = 0  # index of the first line after the heading (and the basis sentence)
    problems: list[str] = field(default_factory=list)


def parse_number(text: str) -> tuple[str, str] | None:
    """(number, issuer symbol) of "252/KH-LĐLĐ" (state style) or "31-KH/TU" (Party style)."""
    match = NUMBER_RE.search(text)
    if match is None:
        return None
    number = re.sub(r"\s+", "", match.group(0)).rstrip(".")
    rest = match.group("rest").rstrip(".")
    if match.group("sep") == "/":
        symbol = rest.split("-")[1] if "-" in rest else rest
    else:
        symbol = rest.split("/", 1)[1] if "/" in rest else rest
    return number, symbol


def make_date(day: str, month: str, year: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _clean(text: str) -> str:
    return text.strip().strip("*#_ ").strip()


def _find_number(lines: list[Line], heading: Heading) -> None:
    for line in lines:
        for cell in CELL_SPLIT.split(line.text):
            found = SO_RE.match(cell.strip())
            if found is None:
                continue
            parsed = parse_number(found.group("value"))
            if parsed is None:
                heading.problems.append(f"number: '{line.text.strip()}' (line {line.no}) has no number N/TYPE-ISSUER")
            else:
                heading.number, heading.issuer_symbol = parsed
            return
    heading.problems.append("number: no 'Số: N/TYPE-ISSUER' line in the heading of the document")


def _find_date(lines: list[Line], heading: Heading) -> None:
    for line in lines:
        for cell in CELL_SPLIT.split(line.text):
            found = DATE_RE.search(cell)
            if found is None:
                continue
            heading.place = found.group("place").strip()
            heading.issued_on = make_date(found.group("d"), found.group("m"), found.group("y").rstrip("."))
            if heading.issued_on is None:
                text = found.group(0)[len(found.group("place")) :].lstrip(" ,")
                heading.problems.append(f"issued_on: '{text}' (line {line.no}) is not a valid date")
            return
    heading.problems.append(
        "issued_on/place: no line like 'Lai Châu, ngày 20 tháng 5 năm 2021' in the heading of the document"
    )


def _find_type(lines: list[Line], start: int, heading: Heading) -> int | None:
    """Index of the type line (or of the "V/v" line of a công văn); sets type and summary."""
    for i in range(start, min(len(lines), start + 40)):
        text = _clean(lines[i].text)
        if text.upper() == text and fold(text) in _TYPE_BY_KEY:
            heading.doc_type = _TYPE_BY_KEY[fold(text)]
            summary: list[str] = []
            for line in lines[i + 1 : i + 4]:
                part = _clean(line.text)
                if SEPARATOR_RE.match(line.text) or OPENERS.match(part) or ROMAN_RE.match(part) or not part:
                    break
                summary.append(part)
            heading.summary = " ".join(summary) or None
            if heading.summary is None:
                heading.problems.append(f"summary: no summary (trích yếu) after '{text}' (line {lines[i].no})")
            return i + len(summary)
        subject = VV_RE.match(text)
        if subject:
            heading.doc_type, heading.summary = "CÔNG VĂN", subject.group("subject").strip()
            return i
    heading.problems.append(f"type: no document type line ({', '.join(TYPES[:6])}...) in the heading")
    return None


def _find_basis(lines: list[Line], start: int, heading: Heading) -> int:
    """Index of the basis sentence (or start - 1 if there is none); sets basis and issuer hints."""
    candidates: list[int] = []
    for i in range(start, min(len(lines), start + 12)):
        text = lines[i].text.strip()
        if ROMAN_RE.match(text):
            break
        if OPENERS.match(text) and NUMBER_RE.search(text):
            candidates.append(i)
    if not candidates:
        return start - 1
    doing = [i for i in candidates if not fold(lines[i].text).startswith("can cu")]
    index = doing[0] if doing else candidates[-1]
    line = lines[index]
    parsed, match = parse_number(line.text), NUMBER_RE.search(line.text)
    if parsed is not None and match is not None:
        heading.basis = parsed[0]
        after = line.text[match.end() :]
        dated = SHORT_DATE_RE.search(after) or LONG_DATE_RE.search(after)
        if dated:
            heading.basis_issued_on = make_date(*dated.groups())
            if heading.basis_issued_on is None:
                heading.problems.append(f"basis_issued_on: '{dated.group(0)}' (line {line.no}) is not a date")
        issuer = re.search(r"\bcủa\s+(?P<who>.+?)(?=\s+(?:về|v/v|nhằm|trong|theo)\b|[,;.(]|$)", after)
        if issuer:
            heading.basis_issuer = issuer.group("who").strip()
    hint = re.search(r",\s*(?P<who>[^,]+?)\s+ban hành\b", line.text)
    if hint:
        heading.issuer_hints.append(hint.group("who"))
    return index


def parse_heading(lines: list[Line]) -> Heading:
    heading = Heading()
    number_end = next((i for i, ln in enumerate(lines) if SO_RE.match(ln.text.strip())), 0)
    type_index = _find_type(lines, number_end, heading)
    head = lines[: type_index + 1] if type_index is not None else lines[:20]
    _find_number(head, heading)
    _find_date(head, heading)
    for line in lines[:number_end]:  # the issuer's name above the number, when the document has it
        text = _clean(line.text)
        if text and text.upper() == text and not re.search(r"CỘNG HÒA|CỘNG HOÀ|ĐỘC LẬP|ĐẢNG CỘNG SẢN", text):
            heading.issuer_hints.append(text)
    after = (type_index if type_index is not None else number_end) + 1
    heading.end = _find_basis(lines, after, heading) + 1
    return heading
