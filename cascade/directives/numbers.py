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


CONG_VAN = "CÔNG VĂN"


def is_cong_van(doc_type: str) -> bool:
    """A công văn (an administrative letter): its number has no type letters in state style."""
    return unicodedata.normalize("NFC", doc_type.strip()).upper() == CONG_VAN


def sequence_text(sequence: int) -> str:
    """Decree 30 Art. 15: a number below 10 is written with a leading zero ("05")."""
    if sequence < 1:
        raise ValueError(f"a document number starts at 1, not {sequence}")
    return f"{sequence:02d}"


def document_number(sequence: int, doc_type: str, issuer_symbol: str, *, party: bool = False) -> str:
    """The number and symbol of a document a unit issues from its register, as Decree 30 writes them:
    a plan "05/KH-LĐLĐ", a công văn "05/LĐLĐ" (never "05/CV-LĐLĐ"); a party body writes the type in both,
    "05-KH/ĐU" and "05-CV/ĐU" (Hướng dẫn 36-HD/VPTW)."""
    number = sequence_text(sequence)
    if party:
        return f"{number}-{type_abbreviation(doc_type)}/{issuer_symbol}"
    if is_cong_van(doc_type):
        return f"{number}/{issuer_symbol}"
    return f"{number}/{type_abbreviation(doc_type)}-{issuer_symbol}"
