"""A report's figures as a Vietnamese clerk types them: a dot between thousands, a comma before decimals.

The rule (docs/file-formats.md, "Figures on the report form"):
- a comma is the decimal mark: "85,5", "1.234,5"; the part before it may group thousands with dots;
- dots that group thousands correctly ("1.234", "12.345.678": 1 to 3 digits not starting with 0, then groups
  of exactly 3) are thousands separators, for an integer indicator as for a decimal one: "1.234" is 1234;
- otherwise one dot is a decimal point ("85.5", "0.125", "1234.56"), since it cannot be a thousands separator;
- anything else ("1,234,5", "1.23.4", "12a"), and any comma in a whole number ("1,000" typed the English way,
  which would read as 1), is refused with the indicator's name.
So the form's own pre-filled values (cascade.rendering.render.vn_number) are read back as the same numbers.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from cascade.directives.indicators import rollup_rule

_GROUPED = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+")  # 1.234, 12.345.678
_DIGITS = re.compile(r"\d+")


def read_vn_number(text: str) -> Decimal | None:
    """The number `text` writes, or None when it is not a number written one of the ways above."""
    text = text.strip().replace("\u00a0", "")
    whole, comma, decimals = text.partition(",")
    if comma:
        if not _DIGITS.fullmatch(decimals) or not (_DIGITS.fullmatch(whole) or _GROUPED.fullmatch(whole)):
            return None
        return Decimal(f"{whole.replace('.', '')}.{decimals}")
    if _GROUPED.fullmatch(text):
        return Decimal(text.replace(".", ""))
    head, dot, tail = text.partition(".")
    if not _DIGITS.fullmatch(head) or (dot and not _DIGITS.fullmatch(tail)):
        return None
    return Decimal(text)


def figure_problem(indicator: dict[str, Any], text: str) -> str:
    """What the unit reads when a figure is not a number of the indicator's type."""
    if indicator["type"] == "int":
        return f"“{indicator['name']}” phải là một số nguyên không âm, ví dụ 1.234 (đã nhập “{text}”)."
    return f"“{indicator['name']}” phải là một số không âm, ví dụ 85,5 hoặc 1.234,5 (đã nhập “{text}”)."


def may_leave_blank(indicator: dict[str, Any], has_units_below: bool) -> bool:
    """A unit with units below may send no figure of its own for a rate or an average (`mean`) or a figure not
    totalled (`none`): a Phòng GD&ĐT has no pupils of its own to give a share of. It is then not counted in the
    average; a count (`sum`) is always asked for (0 when there is none)."""
    return has_units_below and rollup_rule(indicator) != "sum"


def parse_figures(
    indicators: list[dict[str, Any]], raw: dict[str, str], required: bool, has_units_below: bool = False
) -> tuple[dict[str, float], list[str]]:
    """The figures of the indicators (int or float), and the problems of those that are missing or not numbers."""
    figures: dict[str, float] = {}
    problems: list[str] = []
    for ind in indicators:
        text = (raw.get(ind["code"]) or "").strip()
        if not text:
            if required and not may_leave_blank(ind, has_units_below):
                problems.append(f"Chưa nhập số liệu “{ind['name']}”.")
            continue
        # A whole number has no decimal comma: "1,000" typed the English way is refused, never read as 1.
        value = None if ind["type"] == "int" and "," in text else read_vn_number(text)
        if value is None or not value.is_finite() or (ind["type"] == "int" and value != value.to_integral_value()):
            problems.append(figure_problem(ind, text))
            continue
        figures[ind["code"]] = int(value) if ind["type"] == "int" else float(value)
    return figures, problems
