"""A document as Decree 30/2020/NĐ-CP (Appendix I) lays it out, independent of where it is shown: the HTML and
text templates (cascade/documents/layout.py) and the .docx writer (cascade/documents/docx_writer.py) each read
one of these and nothing else, so a page, an email and a file always say the same thing."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Style(StrEnum):
    """What a paragraph of the body is, which decides how it is set (bold, italic, indent)."""

    section = "section"  # "I. MỤC ĐÍCH, YÊU CẦU": bold
    heading = "heading"  # "1. Mục đích": bold
    subheading = "subheading"  # "1.1. Trước và trong ngày bầu cử …": bold italic
    text = "text"  # a paragraph or a "- …" / "+ …" item: justified, first-line indent
    # A decision's authority ("CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH …") and its "QUYẾT ĐỊNH:": bold, centred
    centered = "centered"


@dataclass(frozen=True)
class Run:
    """A stretch of one paragraph in one face (the body file marks italics *so* and bold **so**)."""

    text: str
    italic: bool = False
    bold: bool = False


@dataclass(frozen=True)
class Paragraph:
    style: Style
    runs: tuple[Run, ...]

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)

    @property
    def is_heading(self) -> bool:
        return self.style != Style.text


@dataclass(frozen=True)
class Table:
    """A table of figures in the body (a BÁO CÁO's roll-up): a header row, then rows of cells as text."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...] = ()  # per column: figures are set right-aligned

    def is_numeric(self, column: int) -> bool:
        return column < len(self.numeric) and self.numeric[column]


Block = Paragraph | Table


@dataclass(frozen=True)
class Heading:
    """The two columns above the title. Left: the body above the issuer, the issuer, its number (and a Công
    văn's "V/v …"); right: the motto (or the party's or the Youth Union's line) and the place and date."""

    parent_line: str | None  # "TỔNG LĐLĐ VIỆT NAM"; None for a unit with no body above it
    issuer_line: str  # "LIÊN ĐOÀN LAO ĐỘNG TỈNH LAI CHÂU"
    number_line: str  # "Số: 252/KH-LĐLĐ", a party document "Số 31-KH/TU"
    motto: tuple[str, ...]  # ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
    place_date: str  # "Lai Châu, ngày 20 tháng 5 năm 2021"
    subject_line: str | None = None  # a Công văn's "V/v …", under its number
    urgency: str | None = None  # "KHẨN", "THƯỢNG KHẨN", "HỎA TỐC"
    # A party or Youth Union body's mark under its name ("*", "***"), its line then underlined; None: the
    # state's layout, a rule under the issuer and under the motto.
    star: str | None = None


@dataclass(frozen=True)
class Signer:
    on_behalf: str | None  # "TM. BAN THƯỜNG VỤ", "KT. CHỦ TỊCH"
    title: str  # "CHỦ TỊCH"
    name: str  # "Nguyễn Thị Thiện"; empty: left for the issuer to sign and fill in

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple(line for line in (self.on_behalf, self.title) if line)


@dataclass(frozen=True)
class DocumentLayout:
    heading: Heading
    title: str | None  # "KẾ HOẠCH"; None for a Công văn
    summary: str | None  # under the title (a Công văn's is in the heading's subject line)
    addressees: tuple[str, ...]  # "Kính gửi:" lines (a Công văn, a BÁO CÁO); empty: none
    body: tuple[Block, ...]
    signer: Signer
    recipients: tuple[str, ...]  # the "Nơi nhận:" lines, "- Lưu: VT, TgNc." last
    file_stem: str = field(default="van-ban")  # a name for the .docx, from the number

    @property
    def paragraphs(self) -> tuple[Paragraph, ...]:
        return tuple(block for block in self.body if isinstance(block, Paragraph))
