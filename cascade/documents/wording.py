"""How a clerk names a document in running text: "Thực hiện Kế hoạch số 31-KH/TU ngày 17/5/2021 của Tỉnh ủy
Lai Châu". The type word comes from the document's type (KẾ HOẠCH → Kế hoạch) or, for a basis known only by its
number, from the number's type letters (31-KH/TU → Kế hoạch; a Công văn's number has none: 12/LĐLĐ-TGNC)."""

from __future__ import annotations

import unicodedata
from datetime import date

from cascade.directives.numbers import PARTY_RE, STATE_RE, normalise_number
from cascade.rendering.i18n import decree_short_date

# The type letters of Decree 30 (Appendix III) and of the party's Hướng dẫn 36-HD/VPTW, as words in running text.
TYPE_WORDS: dict[str, str] = {
    "KH": "Kế hoạch",
    "CT": "Chỉ thị",
    "NQ": "Nghị quyết",
    "CV": "Công văn",
    "QĐ": "Quyết định",
    "TB": "Thông báo",
    "HD": "Hướng dẫn",
    "BC": "Báo cáo",
    "CTR": "Chương trình",
    "KL": "Kết luận",
    "QC": "Quy chế",
    "QYĐ": "Quy định",
    "TTR": "Tờ trình",
    "NĐ": "Nghị định",
    "TT": "Thông tư",
}
CONG_VAN_WORD = "Công văn"


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value.strip())


def doc_type_word(doc_type: str) -> str:
    """The type as it reads inside a sentence: "KẾ HOẠCH" → "Kế hoạch", "công văn" → "Công văn"."""
    text = " ".join(_nfc(doc_type).split())
    if not text:
        return "Văn bản"
    return text[:1].upper() + text[1:].lower()


def _type_letters(number: str) -> str | None:
    """The type letters of a number (31-KH/TU → KH, 252/KH-LĐLĐ → KH), None when it has none (12/LĐLĐ-TGNC)."""
    value = normalise_number(number)
    party = PARTY_RE.match(value)
    if party:
        return party.group("type").split("-")[0]
    state = STATE_RE.match(value)
    if state:
        first = state.group("symbol").split("-")[0]
        return first if first.upper() in TYPE_WORDS else None
    return None


def basis_type_word(number: str) -> str:
    """The type word of a document known by its number: 31-KH/TU → "Kế hoạch", 05/CT-TU → "Chỉ thị";
    a number with no (or unknown) type letters is a Công văn's (12/LĐLĐ-TGNC → "Công văn")."""
    letters = _type_letters(number)
    return TYPE_WORDS.get(letters.upper(), CONG_VAN_WORD) if letters else CONG_VAN_WORD


def document_reference(doc_type: str, number: str, issued_on: date | None, issuer_name: str | None) -> str:
    """ "Kế hoạch số 252/KH-LĐLĐ ngày 20/5/2021 của Liên đoàn Lao động tỉnh Lai Châu"; the date and the
    issuer are left out when unknown (never an empty "của")."""
    parts = [f"{doc_type_word(doc_type)} số {normalise_number(number)}"]
    if issued_on is not None:
        parts.append(f"ngày {decree_short_date(issued_on)}")
    if issuer_name and issuer_name.strip():
        parts.append(f"của {' '.join(issuer_name.split())}")
    return " ".join(parts)


def implementing_sentence(basis_number: str, basis_issued_on: date | None, basis_issuer: str | None) -> str:
    """ "Thực hiện Kế hoạch số 31-KH/TU ngày 17/5/2021 của Tỉnh ủy Lai Châu": the opening of a document that
    implements another, with the basis's type read from its number."""
    reference = document_reference(basis_type_word(basis_number), basis_number, basis_issued_on, basis_issuer)
    return f"Thực hiện {reference}"
