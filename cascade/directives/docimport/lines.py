"""A document's lines and the shapes of Decree 30/2020/NĐ-CP text that every part of the importer looks for.

Text extraction leaves a two-column heading or footer (the issuer beside the national motto, "Nơi nhận" beside
the signer) as one line with the columns apart by a tab or a run of spaces; `columns` splits such a line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CELL_SPLIT = re.compile(r"\t+|\s{3,}")
ROMAN_RE = re.compile(r"^(?P<roman>[IVXL]+)\s*[.:]\s+\S")
# "1.", "1.2.", "2)", "a)": a numbered heading or point; POINT_RE is a top-level point only ("1." not "1.1.").
NUMBERED_RE = re.compile(r"^(?:\d+(?:\.\d+)*\s*[.)]|[a-zđ]\))\s*\S")
POINT_RE = re.compile(r"^(?P<n>\d{1,2})\s*[.)](?!\d)\s*(?P<text>\S.*)$")
ARTICLE_RE = re.compile(r"^Điều\s+(?P<n>\d+)\s*[.:]\s*(?P<text>.*)$")
BULLET_RE = re.compile(r"^(?:[-–—•]|\+|\*\s)\s*")
SEPARATOR_RE = re.compile(r"^[\s\-_*=.–—]{3,}$|^\*$")
SIGNER_RE = re.compile(r"^(?:TM|KT|TL|TUQ|Q|T/M|K/T|T/L)\s*\.?\s+\S")
MOTTO_RE = re.compile(r"CỘNG HÒA|CỘNG HOÀ|ĐỘC LẬP|Độc lập|ĐẢNG CỘNG SẢN")
# A decision's (a resolution's) words before its articles, and the grounds it states above them.
DECIDES_RE = re.compile(r"^(?:QUYẾT ĐỊNH|QUYẾT NGHỊ)\s*:$")
# "Theo đề nghị của … tại Tờ trình số …": who proposed the document, never a document it rests on
PROPOSAL = r"(?:Theo|Xét) đề (?:nghị|xuất)"
PROPOSAL_RE = re.compile(rf"^{PROPOSAL}\b", re.IGNORECASE)
GROUNDS_RE = re.compile(rf"^(?:Căn cứ|{PROPOSAL})\b", re.IGNORECASE)
# "Thực hiện Kế hoạch số …", "Căn cứ …": a sentence that cites the documents this one rests on.
OPENERS = re.compile(r"^(Thực hiện|Triển khai|Căn cứ|Theo|Để|Nhằm|Sau khi|Trên cơ sở)\b", re.I)
NUMBER_RE = re.compile(r"(?P<n>\d+)\s*(?:/\s*(?P<year>\d{4})\s*)?(?P<sep>[/-])\s*(?P<rest>[^\W\d_][^\s,;:()]*)")
SO_RE = re.compile(r"^S[ốoỐO]\s*(?::|\.|(?=\s*\d)|(?=\s+/))\s*(?P<value>.*)$")
DATE_RE = re.compile(
    r"(?P<place>[^\W\d_][^,\d]*?)\s*,\s*ng[àa]y\s+(?P<d>\S+)\s+th[áa]ng\s+(?P<m>\S+)\s+n[ăa]m\s+(?P<y>\d+|\S+)",
    re.IGNORECASE,
)
SHORT_DATE = r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})"
LONG_DATE = r"(\d{1,2})\s+th[áa]ng\s+(\d{1,2})\s+n[ăa]m\s+(\d{4})"
SHORT_DATE_RE = re.compile(r"ng[àa]y\s+" + SHORT_DATE, re.IGNORECASE)
LONG_DATE_RE = re.compile(r"ng[àa]y\s+" + LONG_DATE, re.IGNORECASE)


@dataclass
class Line:
    no: int  # 1-based line number in the file (or paragraph number in a .docx, page text line in a .pdf)
    text: str  # stripped
    raw: str = ""  # as read, for the columns of a two-column heading or footer

    def columns(self) -> tuple[str, str]:
        """(left, right) of a two-column line; a line indented far is in the right column only."""
        raw = (self.raw or self.text).rstrip()
        parts = CELL_SPLIT.split(raw)
        if len(parts) == 1:
            return parts[0].strip(), ""
        return parts[0].strip(), " ".join(p.strip() for p in parts[1:] if p.strip())

    def cells(self) -> list[str]:
        return [c.strip() for c in CELL_SPLIT.split(self.text) if c.strip()]


def clean(text: str) -> str:
    """Text without the Markdown or Word emphasis left around a heading line."""
    return text.strip().strip("*#_ ").strip()


def is_caps(text: str) -> bool:
    return text.upper() == text and any(c.isalpha() for c in text)


def is_marked(text: str) -> bool:
    return bool(ROMAN_RE.match(text) or NUMBERED_RE.match(text) or BULLET_RE.match(text))


def is_basis_sentence(text: str) -> bool:
    return bool(OPENERS.match(text) and NUMBER_RE.search(text))
