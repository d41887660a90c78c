"""The signer block (Decree 30/2020/NĐ-CP Art. 8(7)): authority, title, name.

"TM. BAN THƯỜNG VỤ / CHỦ TỊCH", "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH", "TL. / TUQ. CHỦ TỊCH / CHÁNH VĂN PHÒNG",
Party style "T/M", "K/T", "T/L". "Q." (quyền, acting) is part of the title ("Q. CHỦ TỊCH"), not an authority
to sign for someone, so it becomes the title. Signature notes ("(Đã ký)", "Ký, đóng dấu") are skipped.
"""

from __future__ import annotations

import re

from cascade.directives.docimport.lines import SIGNER_RE, Line, is_caps

NOISE_RE = re.compile(r"^\(?\s*(?:đã ký|ký|chữ ký|ký tên|ký, ghi rõ|đóng dấu)", re.IGNORECASE)
ACTING_RE = re.compile(r"^Q\s*\.?\s+\S")


def is_authority(text: str) -> bool:
    return bool(SIGNER_RE.match(text)) and is_caps(text)


def parse_signer(lines: list[Line]) -> dict[str, str | None]:
    texts = [ln.text.strip().strip("*_ ") for ln in lines if ln.text.strip() and not NOISE_RE.match(ln.text)]
    start = next((i for i, t in enumerate(texts) if is_authority(t)), None)
    authorities: list[str] = []
    if start is not None:
        i = start
        while i < len(texts) and is_authority(texts[i]):
            authorities.append(texts[i])
            i += 1
        rest = texts[i:]
    else:
        rest = texts
    title: str | None = None
    if authorities and ACTING_RE.match(authorities[-1]):
        title = authorities.pop()  # "Q. CHỦ TỊCH": the acting chairman signs in his own right
    upper = [t for t in rest if is_caps(t)]
    names = [t for t in rest if not is_caps(t) and any(c.isalpha() for c in t)]
    if title is None:
        title = upper[0] if upper else None
    name = names[-1] if names else (upper[-1] if len(upper) > 1 else None)
    return {"on_behalf": "\n".join(authorities) or None, "title": title, "name": name}
