"""Where the summary (trích yếu) under the type line ends and the body begins.

A .txt or .docx has a blank line or a paragraph break after the summary; text from a PDF has neither, so the
summary must end at the first line that begins the body: a sentence that opens a body ("Ngày 27/12/2024, …",
"Thực hiện …", "Căn cứ …", "Kính gửi …"), a numbered or Roman section, "Điều 1", a line that leads into what
follows (ending with ":"), or, from a PDF's layout, a line back at the left margin under a summary that was
centred (indented).
"""

from __future__ import annotations

import re

from cascade.directives.docimport.lines import (
    ARTICLE_RE,
    CELL_SPLIT,
    DATE_RE,
    MOTTO_RE,
    OPENERS,
    ROMAN_RE,
    SEPARATOR_RE,
    SIGNER_RE,
    SO_RE,
    Line,
    clean,
    is_caps,
    is_marked,
)
from cascade.directives.docimport.names import fold

# "Ngày 27/12/2024, đồng chí Giám đốc …", "Hôm nay, ngày 05 tháng 3 năm 2024, …": a notice's first sentence.
DATED_OPENING = re.compile(
    r"^(?:Hôm nay,?\s+)?ng[àa]y\s+\d{1,2}(?:\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}|\s+th[áa]ng\s+\d{1,2}\s+n[ăa]m\s+\d{4})"
    r"\s*,",
    re.IGNORECASE,
)
MAX_LINES = 4  # a summary is short: its first line and at most three more


def is_body_start(text: str) -> bool:
    key = fold(text)
    shapes = ROMAN_RE.match(text) or ARTICLE_RE.match(text) or DATED_OPENING.match(text)
    return key.startswith("kinh gui") or bool(shapes) or len(text) > 150


def _indent(line: Line) -> int | None:
    """The spaces before a line laid out alone (a PDF's layout, centred text in a .txt); None when it has two
    columns, whose gap says nothing of where the summary ends."""
    raw = line.raw or line.text
    if len(CELL_SPLIT.split(raw.strip())) > 1:
        return None
    return len(raw) - len(raw.lstrip())


def _back_at_margin(first: Line, line: Line, margin: int) -> bool:
    """A line at the left margin under a summary that was centred: the body's first line, not the summary's."""
    start, here = _indent(first), _indent(line)
    return start is not None and here is not None and start > margin and here == margin


def summary_lines(lines: list[Line], after_vv: bool, first: str | None = None) -> list[str]:
    """The summary's lines from `lines` (its first line, then the document's lines after it): the first always
    (`first`, when a "V/v" is cut off it), then the lines that carry on from it."""
    parts = [first if first is not None else clean(lines[0].text)]
    indents = [i for ln in lines[:40] if (i := _indent(ln)) is not None]
    margin = min(indents, default=0)
    for line in lines[1:MAX_LINES]:
        text, prev = clean(line.text), parts[-1]
        shapes = (SEPARATOR_RE.match(line.text), OPENERS.match(text), SO_RE.match(text), MOTTO_RE.search(text))
        stop = any(shapes) or is_body_start(text) or is_marked(text) or _back_at_margin(lines[0], line, margin)
        stop = stop or bool(DATE_RE.search(text) or SIGNER_RE.match(text)) or text.endswith(":")
        if (
            stop
            or not text
            or prev.endswith((".", ":", ";"))
            or (is_caps(text) and (after_vv or not is_caps(parts[0])))
        ):
            break
        if text[0].isupper() and (len(text) > 100 or text.endswith((".", ";"))):
            break  # a paragraph of the body, not the rest of the summary
        parts.append(text)
    return parts
