"""Where results are reported, by when and how often, from the sentence that asks for them.

"… báo cáo kết quả về LĐLĐ tỉnh (qua Ban Tuyên giáo - Nữ công) trước ngày 15/6/2021", "hồ sơ gửi về … chậm
nhất ngày …", "trước 16 giờ 00 ngày 24/12/2021", "định kỳ 6 tháng, hằng năm báo cáo …". The sentence nearest
the end wins: the duty to report closes a document. The unit reported to is resolved by the importer; the
department it goes through ("qua …") is looked for under that unit only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from cascade.directives.docimport.lines import LONG_DATE, SHORT_DATE, Line
from cascade.directives.docimport.parse import make_date

REPORT_RE = re.compile(r"(?:báo cáo|gửi)\b[^.;]*?\svề\s+(?P<rest>[^.;]+)", re.IGNORECASE)
REPORT_STOP = re.compile(r"\s+(?:theo|trước|trong|chậm nhất|để|định kỳ|hạn chót)\b|,", re.IGNORECASE)
DUE_RE = re.compile(
    r"(?:trước|chậm nhất|hạn chót|không quá)\s+(?:là\s+)?(?:\d{1,2}\s*(?:giờ|h)(?:\s*\d{1,2})?(?:\s*phút)?,?\s+)?"
    rf"(?:ngày\s+)?(?:{SHORT_DATE}|{LONG_DATE})",
    re.IGNORECASE,
)
EVERY_RE = re.compile(r"định kỳ,?\s+(?:(?P<months>\d{1,2})\s+tháng|(?:hằng|hàng)\s+(?P<every>tháng|quý|năm))", re.I)
_EVERY = {"tháng": 1, "quý": 3, "năm": 12}
SENTENCE_SPLIT = re.compile(r"(?<=[.;])\s+")


@dataclass
class ReportLine:
    line: int | None = None
    to: str | None = None  # the unit reported to, as written ("LĐLĐ tỉnh")
    via: str | None = None  # the department it goes through ("Ban Tuyên giáo - Nữ công")
    due: date | None = None
    every_months: int | None = None
    bad_due: tuple[int, str] | None = None  # (line, text) of a deadline written as a date that does not exist


def _written_due(sentence: str) -> str | None:
    """The deadline as written ("trước ngày 31/9/2024"), whether or not it is a real date."""
    found = DUE_RE.search(sentence)
    return found.group(0) if found else None


def _due(sentence: str) -> date | None:
    found = DUE_RE.search(sentence)
    if found is None:
        return None
    groups = [g for g in found.groups() if g is not None]
    return make_date(*groups[:3])


def _every(sentence: str) -> int | None:
    found = EVERY_RE.search(sentence)
    if found is None:
        return None
    return int(found.group("months")) if found.group("months") else _EVERY[found.group("every").lower()]


def find_report(lines: list[Line]) -> ReportLine:
    report = ReportLine()
    sentences = [(ln.no, s) for ln in reversed(lines) for s in reversed(SENTENCE_SPLIT.split(ln.text))]
    for no, sentence in sentences:
        found = REPORT_RE.search(sentence)
        if found is None:
            continue
        rest = found.group("rest")
        via = re.search(r"\((?:qua|thông qua)\s+(?P<via>[^),;]+)", rest, re.IGNORECASE)
        report.via = via.group("via").strip() if via else None
        report.to = REPORT_STOP.split(rest.split("(")[0], maxsplit=1)[0].strip() or None
        report.line, report.due, report.every_months = no, _due(sentence), _every(sentence)
        break
    # The date or cycle may be in a sentence that says "báo cáo" without "về" ("… báo cáo Ban Thường vụ
    # trước ngày 10/6/2022").
    asking = [(no, s) for no, s in sentences if re.search(r"báo cáo|gửi", s, re.IGNORECASE)]
    if report.due is None:
        report.due = next((d for _, s in asking if (d := _due(s)) is not None), None)
    if report.due is None:  # "trước ngày 31/9/2024": a deadline was written, but no such day exists
        report.bad_due = next(((no, text) for no, s in asking if (text := _written_due(s)) is not None), None)
    if report.every_months is None:
        report.every_months = next((m for _, s in asking if (m := _every(s)) is not None), None)
    return report
