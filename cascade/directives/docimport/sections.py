"""A directive after its heading: "Kính gửi", the main text, "Nơi nhận" (with its archive line) and the signer.

"Kính gửi" is looked for right after the heading, before the "Thực hiện …" sentence of a công văn as well as
after it. The footer may be two columns on one line ("Nơi nhận:        KT. CHỦ TỊCH"): its left column is the
Nơi nhận, its right column the signer. A Nơi nhận line keeps its marker ("(b/c)", "(t/h)", "(p/h)", "(để
biết)"), and the lines under a group heading ("- Để báo cáo:" then "+ …") take the heading's role.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cascade.directives.docimport.lines import (
    ARTICLE_RE,
    BULLET_RE,
    DECIDES_RE,
    NUMBERED_RE,
    OPENERS,
    ROMAN_RE,
    SEPARATOR_RE,
    Line,
    clean,
    is_marked,
)
from cascade.directives.docimport.names import clean_item, fold, heading_role, split_marker
from cascade.directives.docimport.signer import is_authority, parse_signer
from models import Role


@dataclass
class Listed:
    """A line of "Kính gửi" or "Nơi nhận": the name(s) it gives and the role its marker or group gives."""

    line: int
    name: str
    role: Role | None = None
    text: str = ""  # the line as written, marker kept ("Bộ Y tế (b/c)"): printed as it is when no unit is meant


@dataclass
class Layout:
    main: list[Line] = field(default_factory=list)  # from after the heading (and Kính gửi) to the footer
    addressees: list[Listed] = field(default_factory=list)
    recipients: list[Listed] = field(default_factory=list)
    archive: str | None = None
    signer: dict[str, str | None] = field(default_factory=dict)
    footer_line: int | None = None  # where the footer starts, for the problems that concern it


def _is_stop(text: str) -> bool:
    return fold(text).startswith("noi nhan") or is_authority(text)


def merge_broken(lines: list[Line]) -> list[Line]:
    """Join a paragraph that a page break or a PDF's line wrap split: a long line ending mid-sentence followed by
    one that starts without a heading number or bullet. After a numbered heading, only when the next line starts
    in lower case or the numbered line is long (a heading is short; a wrapped point is not)."""
    merged: list[Line] = []
    for line in lines:
        prev = merged[-1].text if merged else ""
        lower = line.text[:1].islower()
        ends = bool(prev) and (prev[-1].isalnum() or (lower and prev[-1] in ',;)-–"”'))
        if ROMAN_RE.match(prev):
            ends = False
        elif NUMBERED_RE.match(prev):
            ends = ends and (lower or len(prev) >= 80)
        table = line.text.startswith("| ") or prev.startswith("| ")  # a table's row is never a wrapped line
        if len(prev) >= 60 and ends and not table and not is_marked(line.text) and not _is_stop(line.text):
            merged[-1] = Line(merged[-1].no, f"{prev} {line.text}", merged[-1].raw)
        else:
            merged.append(line)
    return merged


def _addressees(lines: list[Line], index: int) -> tuple[list[Listed], int]:
    """The addressees of "Kính gửi:" (inline, or one per line after it) and the index after them."""
    items: list[Listed] = []
    inline = clean_item(lines[index].text.split(":", 1)[1] if ":" in lines[index].text else "")
    if inline:
        items.append(Listed(lines[index].no, *split_marker(inline)))
    i = index + 1
    while i < len(lines):
        text = lines[i].text
        follows = items and lines[i - 1].text.rstrip().endswith(";") and len(text) < 100 and not OPENERS.match(text)
        if not (BULLET_RE.match(text) or follows) or NUMBERED_RE.match(text):
            break
        items.append(Listed(lines[i].no, *split_marker(text)))
        i += 1
    return items, i


def _footer(tail: list[Line]) -> tuple[list[Line], list[Line]]:
    """(Nơi nhận lines, signer lines) of the footer, whether in one column or two."""
    if any(ln.columns()[1] for ln in tail):
        left = [Line(ln.no, lt, lt) for ln in tail if (lt := ln.columns()[0])]
        right = [Line(ln.no, rt, rt) for ln in tail if (rt := ln.columns()[1])]
        return left, right
    noi = next((i for i, ln in enumerate(tail) if fold(ln.text).startswith("noi nhan")), None)
    if noi is None:
        return [], tail
    end = noi + 1
    while end < len(tail) and (BULLET_RE.match(tail[end].text) or fold(tail[end].text).startswith("luu")):
        end += 1
    return tail[noi:end], tail[:noi] + tail[end:]


def _recipients(lines: list[Line], layout: Layout) -> None:
    noi = next((i for i, ln in enumerate(lines) if fold(ln.text).startswith("noi nhan")), None)
    if noi is None:
        return
    first = lines[noi].text.split(":", 1)[1] if ":" in lines[noi].text else ""
    items = ([Line(lines[noi].no, first)] if clean_item(first) else []) + lines[noi + 1 :]
    group: Role | None = None
    for line in items:
        text = line.text.strip()
        if fold(clean_item(text)).startswith("luu"):
            layout.archive = clean_item(re.sub(r"^[\s\-–+•]*Lưu\s*:?\s*", "", text, flags=re.I)) or None
            continue
        if (role := heading_role(text)) is not None:
            group = role
            continue
        if not text.startswith("+"):
            group = None  # a "-" line ends the group its heading opened
        name, marker = split_marker(text)
        if name:
            layout.recipients.append(Listed(line.no, name, marker or group, clean_item(text)))


def parse_layout(lines: list[Line], start: int) -> Layout:
    """Everything from `start` (the first line after the heading) to the end of the document."""
    layout = Layout()
    stop = next((i for i in range(start, len(lines)) if _is_stop(lines[i].text)), len(lines))
    kinh = next((i for i in range(start, stop) if fold(lines[i].text).startswith("kinh gui")), None)
    body_start = start
    if kinh is not None:
        layout.addressees, body_start = _addressees(lines, kinh)
    main = [ln for ln in lines[body_start:stop] if not SEPARATOR_RE.match(ln.text)]
    layout.main = merge_broken(main)
    tail = lines[stop:]
    layout.footer_line = tail[0].no if tail else None
    noi, signer = _footer(tail)
    _recipients(noi, layout)
    layout.signer = parse_signer(signer)
    return layout


def body_text(main: list[Line], task_start: int | None) -> str:
    """The body: from the first Roman heading (the plan's preamble and basis sentence are fields of their
    own) or the first article of a decision, up to the section whose tasks become `tasks`; a letter-form
    document (công văn, chỉ thị) from its first line."""
    roman = next((i for i, ln in enumerate(main) if ROMAN_RE.match(ln.text)), None)
    article = next((i for i, ln in enumerate(main) if ARTICLE_RE.match(ln.text)), None)
    start = roman if roman is not None else (article if article is not None else 0)
    if article is not None and any(DECIDES_RE.match(clean(ln.text)) for ln in main[:article]):
        start = 0  # a decision's authority, grounds and "QUYẾT ĐỊNH:" are its text, as Decree 30 lays it out
    end = task_start if task_start is not None else len(main)
    paragraphs: list[str] = []
    for ln in main[start:end]:
        text = ln.text.strip()
        if text.startswith("| ") and paragraphs and paragraphs[-1].startswith("| "):
            paragraphs[-1] += "\n" + text  # the rows of one table stay together (cascade.documents.body)
        else:
            paragraphs.append(clean(text) if DECIDES_RE.match(clean(text)) else text)
    return "\n\n".join(paragraphs)
