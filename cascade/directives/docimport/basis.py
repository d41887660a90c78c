"""The basis of a directive: the document it implements, cited in the sentence after its heading.

"Thực hiện Kế hoạch số 31-KH/TU, ngày 17/5/2021 của Tỉnh ủy Lai Châu …", "Căn cứ Hướng dẫn số 102-HD/BTGTW …".
The first document of the first "Thực hiện / Triển khai / Theo …" sentence is the basis (a directive is passed
on by implementing it); a document cited only by "Căn cứ …" lines is the basis when nothing is implemented,
the last of them, the most specific (laws and charters come first). Several documents in one sentence ("… của
Ban Thường vụ Tỉnh ủy và Hướng dẫn số 12/HD-TLĐ …"): the date and issuer are read before the next "số".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from cascade.directives.docimport.lines import (
    ARTICLE_RE,
    LONG_DATE_RE,
    NUMBER_RE,
    POINT_RE,
    PROPOSAL_RE,
    ROMAN_RE,
    SHORT_DATE_RE,
    Line,
    is_basis_sentence,
)
from cascade.directives.docimport.names import fold
from cascade.directives.docimport.parse import make_date, parse_number
from cascade.directives.docimport.problems import ImportProblem

_DOC_WORDS = (
    r"(?:Kế hoạch|Hướng dẫn|Công văn|Chỉ thị|Nghị quyết|Quyết định|Thông báo|Chương trình|Kết luận|các văn bản)"
)
_ISSUER_END = rf"\s+(?:về|v/v|nhằm|trong|theo|hướng dẫn|quy định|phê duyệt|ban hành|tại|và\s+{_DOC_WORDS})\b|[,;.(]|$"
ISSUER_RE = re.compile(rf"\bcủa\s+(?P<who>.+?)(?={_ISSUER_END})")
# ", Ban Thường vụ LĐLĐ tỉnh ban hành kế hoạch …": who issues, when the heading does not say.
HINT_RE = re.compile(
    r",\s*(?P<who>[^,]+?)\s+(?:ban hành|xây dựng|hướng dẫn|thông báo|đề nghị|yêu cầu|báo cáo|triển khai)\b"
)


@dataclass
class Basis:
    number: str | None = None
    issued_on: date | None = None
    issuer: str | None = None
    index: int | None = None  # of the basis sentence in the lines
    hints: list[str] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)


def find_basis(lines: list[Line], start: int) -> Basis:
    basis = Basis()
    candidates: list[int] = []
    for i in range(start, min(len(lines), start + 20)):
        text = lines[i].text
        if ROMAN_RE.match(text) or ARTICLE_RE.match(text) or POINT_RE.match(text):
            break
        proposal = PROPOSAL_RE.match(text)
        if is_basis_sentence(text) and not proposal and not fold(text).startswith("kinh gui"):
            candidates.append(i)
    if not candidates:
        return basis
    doing = [i for i in candidates if not fold(lines[i].text).startswith("can cu")]
    basis.index = doing[0] if doing else candidates[-1]
    line = lines[basis.index]
    parsed, match = parse_number(line.text), NUMBER_RE.search(line.text)
    if parsed is None or match is None:
        return basis
    basis.number = parsed[0]
    after = line.text[match.end() :]
    following = re.search(r"\bsố\s+\d", after)
    segment = after[: following.start()] if following else after
    dated = SHORT_DATE_RE.search(segment) or LONG_DATE_RE.search(segment)
    if dated:
        basis.issued_on = make_date(*dated.groups())
        if basis.issued_on is None:
            message = f"'{dated.group(0)}' after {basis.number} is not a date; expected 'ngày DD/MM/YYYY'"
            basis.problems.append(ImportProblem("basis_issued_on", message, line.no))
    issuer = ISSUER_RE.search(segment)
    if issuer:
        basis.issuer = issuer.group("who").strip()
    hint = HINT_RE.search(line.text)
    if hint:
        basis.hints.append(hint.group("who"))
    return basis
