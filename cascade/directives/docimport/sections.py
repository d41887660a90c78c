"""A directive after its heading: body, "Tổ chức thực hiện" tasks, report line, Nơi nhận, signer."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from cascade.directives.docimport.parse import ROMAN_RE, SHORT_DATE_RE, Line, make_date
from cascade.directives.docimport.resolve import clean_item, fold

NUMBERED_RE = re.compile(r"^(?:\d+(?:\.\d+)*\s*[.)]|[a-zđ]\))\s*\S")
SUBHEADING_RE = re.compile(r"^\d+\s*[.)]\s*(?P<name>\S.*)$")
BULLET_RE = re.compile(r"^(?:[-–—•]|\+|\*\s)\s*")
SIGNER_RE = re.compile(r"^(?:TM|KT|TL|TUQ|Q|T/M|K/T|T/L)\s*\.?\s+\S")
NOISE_RE = re.compile(r"^\(?\s*(?:đã ký|ký|chữ ký|ký tên|ký, ghi rõ)", re.IGNORECASE)
CLOSING_RE = re.compile(r"\bde nghi\b|\byeu cau cac\b|trong qua trinh|bao cao .*\bve\b")
REPORT_RE = re.compile(r"báo cáo\b[^.;]*?\svề\s+(?P<rest>[^.;]+)", re.IGNORECASE)
REPORT_STOP = re.compile(r"\s+(?:theo|trước|trong|chậm nhất|để|định kỳ)\b|,", re.IGNORECASE)


@dataclass
class TaskGroup:
    name: str
    line: int
    tasks: list[str] = field(default_factory=list)
    bullets: bool = False


@dataclass
class Layout:
    body: str = ""
    groups: list[TaskGroup] = field(default_factory=list)
    recipients: list[Line] = field(default_factory=list)
    addressees: list[Line] = field(default_factory=list)
    report_to: str | None = None
    report_via: str | None = None
    report_due: date | None = None
    report_line: int | None = None
    signer: dict[str, str | None] = field(default_factory=dict)


def is_marked(text: str) -> bool:
    return bool(ROMAN_RE.match(text) or NUMBERED_RE.match(text) or BULLET_RE.match(text))


def _is_stop(text: str) -> bool:
    key = fold(text)
    return key.startswith(("noi nhan", "kinh gui")) or bool(SIGNER_RE.match(text))


def merge_broken(lines: list[Line]) -> list[Line]:
    """Join a paragraph that a page break split: a long paragraph ending mid-sentence (no final punctuation)
    followed by one that starts without a heading number or bullet."""
    merged: list[Line] = []
    for line in lines:
        prev = merged[-1].text if merged else ""
        broken = len(prev) >= 60 and prev[-1].isalnum() and not (ROMAN_RE.match(prev) or NUMBERED_RE.match(prev))
        if broken and not is_marked(line.text) and not _is_stop(line.text):
            merged[-1] = Line(merged[-1].no, f"{prev} {line.text}")
        else:
            merged.append(line)
    return merged


def _list_after(lines: list[Line], index: int) -> tuple[list[Line], int]:
    """The bullet items after a "Nơi nhận:" / "Kính gửi:" line (or on it), and the index after them."""
    items: list[Line] = []
    inline = lines[index].text.split(":", 1)[1] if ":" in lines[index].text else ""
    if clean_item(inline):
        items.append(Line(lines[index].no, clean_item(inline)))
    i = index + 1
    while i < len(lines) and BULLET_RE.match(lines[i].text):
        items.append(Line(lines[i].no, clean_item(lines[i].text)))
        i += 1
    return items, i


def _signer(lines: list[Line]) -> dict[str, str | None]:
    texts = [ln.text.strip().strip("*_ ") for ln in lines if ln.text.strip() and not NOISE_RE.match(ln.text)]
    on_behalf = next((t for t in texts if SIGNER_RE.match(t)), None)
    start = texts.index(on_behalf) + 1 if on_behalf else 0
    upper = [t for t in texts[start:] if t.upper() == t and any(c.isalpha() for c in t)]
    names = [t for t in texts[start:] if t.upper() != t]
    title = upper[0] if upper else None
    name = names[-1] if names else (upper[-1] if len(upper) > 1 else None)
    return {"on_behalf": on_behalf, "title": title, "name": name}


def _report(layout: Layout, lines: list[Line]) -> None:
    for line in lines:
        found = REPORT_RE.search(line.text)
        if found is None:
            continue
        rest = found.group("rest")
        via = re.search(r"\((?:qua|thông qua)\s+(?P<via>[^)]+)\)", rest, re.IGNORECASE)
        layout.report_via = via.group("via").strip() if via else None
        layout.report_to = REPORT_STOP.split(rest.split("(")[0], maxsplit=1)[0].strip() or None
        due = re.search(r"(?:trước|chậm nhất|hạn chót)\s+(?:là\s+)?" + SHORT_DATE_RE.pattern, rest, re.I)
        layout.report_due = make_date(*due.groups()) if due else None
        layout.report_line = line.no
        return


def _tasks(lines: list[Line], layout: Layout) -> list[Line]:
    """Task groups of "Tổ chức thực hiện"; returns the closing paragraphs that follow them."""
    closing: list[Line] = []
    current: TaskGroup | None = None
    for line in lines:
        text, sub = line.text.strip(), SUBHEADING_RE.match(line.text.strip())
        if sub and not closing:
            name, _, inline = sub.group("name").partition(":")
            current = TaskGroup(name.strip(), line.no, [inline.strip()] if inline.strip() else [])
            layout.groups.append(current)
        elif current is not None and not closing and BULLET_RE.match(text):
            item = BULLET_RE.sub("", text, count=1).strip()
            if text.startswith("+") and current.tasks:
                current.tasks[-1] += "\n" + text
            else:
                current.tasks.append(item)
                current.bullets = True
        elif current is not None and not closing and not current.bullets and not CLOSING_RE.search(fold(text)):
            current.tasks.append(text)
        else:
            closing.append(line)
    return closing


def parse_layout(lines: list[Line], start: int) -> Layout:
    """Everything from `start` (the first line after the heading) to the end of the document."""
    layout = Layout()
    stops = [i for i in range(start, len(lines)) if _is_stop(lines[i].text)]
    kinh = next((i for i in stops if fold(lines[i].text).startswith("kinh gui")), None)
    if kinh is not None:
        layout.addressees, after = _list_after(lines, kinh)
        start = max(start, after)
        stops = [i for i in stops if i >= after]
    end = stops[0] if stops else len(lines)
    main = merge_broken(lines[start:end])
    roman = next((i for i, ln in enumerate(main) if ROMAN_RE.match(ln.text)), 0)
    doing = next(
        (i for i, ln in enumerate(main) if ROMAN_RE.match(ln.text) and "to chuc thuc hien" in fold(ln.text)),
        None,
    )
    body_end = doing if doing is not None else len(main)
    layout.body = "\n\n".join(ln.text.strip() for ln in main[roman:body_end])
    closing = _tasks(main[doing + 1 :], layout) if doing is not None else []
    _report(layout, closing + main[body_end:] + main[:body_end])
    tail = lines[end:]
    noi = next((i for i, ln in enumerate(tail) if fold(ln.text).startswith("noi nhan")), None)
    signer_lines = tail
    if noi is not None:
        layout.recipients, after = _list_after(tail, noi)
        signer_lines = tail[:noi] + tail[after:]
    layout.recipients = [r for r in layout.recipients if not fold(r.text).startswith("luu")]
    layout.signer = _signer(signer_lines)
    return layout
