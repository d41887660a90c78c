"""Document numbers and symbols (số, ký hiệu): state style N/TYPE-ISSUER and Party style N-TYPE/ISSUER."""

from __future__ import annotations

import re
import unicodedata

_PART = r"[^\s/\-]+"
_SYMBOL = rf"{_PART}(?:-{_PART})*"
STATE_RE = re.compile(rf"^(?P<n>\d+)(?:/(?P<year>\d{{4}}))?/(?P<symbol>{_SYMBOL})$")
PARTY_RE = re.compile(rf"^(?P<n>\d+)-(?P<type>{_PART}(?:-{_PART})*)/(?P<symbol>{_PART})$")


def normalise_number(value: str) -> str:
    return unicodedata.normalize("NFC", value.strip())


def parse_number(value: str) -> tuple[int, str] | None:
    """(sequence, symbol) of a number such as 252/KH-LĐLĐ or 31-KH/TU; None if it does not parse."""
    value = normalise_number(value)
    for pattern in (STATE_RE, PARTY_RE):
        match = pattern.match(value)
        if match:
            return int(match.group("n")), value.split(match.group("n"), 1)[1].lstrip("/-")
    return None


TYPE_ABBREVIATIONS = {
    "KẾ HOẠCH": "KH",
    "CÔNG VĂN": "CV",
    "CHỈ THỊ": "CT",
    "QUYẾT ĐỊNH": "QĐ",
    "THÔNG BÁO": "TB",
    "HƯỚNG DẪN": "HD",
    "BÁO CÁO": "BC",
    "NGHỊ QUYẾT": "NQ",
    "CHƯƠNG TRÌNH": "CTr",
}


def type_abbreviation(doc_type: str) -> str:
    return TYPE_ABBREVIATIONS.get(unicodedata.normalize("NFC", doc_type.strip()).upper(), "KH")


def state_number(sequence: int, doc_type: str, issuer_symbol: str) -> str:
    """A number in the issuer's own series, e.g. 3/KH-LĐLĐ."""
    return f"{sequence}/{type_abbreviation(doc_type)}-{issuer_symbol}"
