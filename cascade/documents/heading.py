"""The heading of a document (Decree 30/2020/NĐ-CP, Appendix I; a party body's per Hướng dẫn 36-HD/VPTW): the
issuer's parent line and the issuer in capitals on the left, with the number (and a Công văn's "V/v …") under
them; the national motto, or "ĐẢNG CỘNG SẢN VIỆT NAM", with the place and date on the right."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from cascade.directives.numbers import is_cong_van
from cascade.documents.model import Heading
from cascade.rendering.i18n import URGENCY_LABELS, decree_long_date
from models import Directive, Unit

NATIONAL_MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
PARTY_LINE = ("ĐẢNG CỘNG SẢN VIỆT NAM",)
YOUTH_UNION_LINE = ("ĐOÀN TNCS HỒ CHÍ MINH",)  # Hướng dẫn 29-HD/TWĐTN-VP


def motto_and_star(issuer: Unit) -> tuple[tuple[str, ...], str | None]:
    """The right column's line(s), and the mark under the issuer's name that replaces the state's rule: a party
    body's "ĐẢNG CỘNG SẢN VIỆT NAM" and "*", a Youth Union body's "ĐOÀN TNCS HỒ CHÍ MINH" and "***", else the
    national motto (and a rule)."""
    if issuer.is_party_body:
        return PARTY_LINE, "*"
    if issuer.is_youth_union_body:
        return YOUTH_UNION_LINE, "***"
    return NATIONAL_MOTTO, None


VV_RE = re.compile(r"^\s*v/v\s*:?\s*", re.IGNORECASE)


def capitals(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split()).upper()


def plain_summary(summary: str) -> str:
    """The summary without a "V/v" someone typed before it (a plan's summary never has one; a Công văn's
    heading adds its own)."""
    return " ".join(VV_RE.sub("", unicodedata.normalize("NFC", summary or "")).split())


def parent_line(issuer: Unit, parent: Unit | None) -> str | None:
    """The line above the issuer: its own `header` when the tree gives one, else its parent's name."""
    if issuer.header and issuer.header.strip():
        return capitals(issuer.header)
    return capitals(parent.name) if parent is not None else None


def number_line(number: str, party: bool) -> str:
    """ "Số: 252/KH-LĐLĐ"; a party document writes "Số 31-KH/TU" (no colon)."""
    return f"Số {number}" if party else f"Số: {number}"


def place_date(place: str, issued_on: date | None) -> str:
    """ "Lai Châu, ngày 20 tháng 5 năm 2021"; with no date, the dotted line a clerk fills in."""
    when = decree_long_date(issued_on) if issued_on else "ngày     tháng     năm"
    return f"{place}, {when}" if place else when


def document_heading(directive: Directive, issuer: Unit, parent: Unit | None) -> Heading:
    urgency = URGENCY_LABELS.get(directive.urgency)
    motto, star = motto_and_star(issuer)
    return Heading(
        parent_line=parent_line(issuer, parent),
        issuer_line=capitals(issuer.name),
        number_line=number_line(directive.number, issuer.is_party_body),
        motto=motto,
        place_date=place_date(directive.place, directive.issued_on),
        subject_line=f"V/v {plain_summary(directive.summary)}" if is_cong_van(directive.doc_type) else None,
        urgency=urgency.upper() if urgency else None,
        star=star,
    )
