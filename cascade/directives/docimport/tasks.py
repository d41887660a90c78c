"""Tasks from the body's structure, each with the name of whom it is for (resolved by the importer).

- A plan or guidance: section "Tổ chức thực hiện" (or, failing it, a "Nhiệm vụ …" section whose points name
  units, as a notice of conclusions has), one group per numbered unit heading, one task per bullet (or per
  paragraph when the group has no bullets).
- A decision: the articles that assign work, "Giao X chủ trì …" and "X … chịu trách nhiệm thi hành".
- A công văn, chỉ thị, thông báo: its numbered points "1. … 2. …"; a point that begins with a unit ("Ban Tổ
  chức LĐLĐ tỉnh: …") or gives work to one ("Giao Sở Y tế tổng hợp, báo cáo …") is for that unit, any other
  for the Kính gửi list (`name` None). The closing request ("… yêu cầu … thực hiện Chỉ thị này./.",
  "Trân trọng./.") ends the points when no point follows it.
- A báo cáo reports; it assigns nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from cascade.directives.docimport.lines import ARTICLE_RE, BULLET_RE, POINT_RE, ROMAN_RE, Line
from cascade.directives.docimport.names import fold

SUBHEADING_RE = re.compile(r"^\d+\s*[.)]\s*(?P<name>\S.*)$")
CLOSING_RE = re.compile(
    r"\bde nghi\b|\byeu cau cac\b|trong qua trinh|bao cao .*\bve\b|gui .*\bve\b|^nhan duoc|^tren day"
    r"|^(chi thi|cong van|thong bao|ke hoach|huong dan|quyet dinh) nay\b"
    # "(Ủy ban nhân dân tỉnh) yêu cầu Thủ trưởng các sở … thực hiện Chỉ thị này./.", "Trân trọng./.": the close
    r"|\byeu cau\b.*\b(chi thi|cong van|thong bao|ke hoach|huong dan|quyet dinh|nghi quyet|chuong trinh"
    r"|ket luan|van ban) nay\b|^tran trong\b"
)
# The verbs after whom a decision's article gives work to ("Giao X chủ trì …"); a point's "Giao X …" may also
# end its units before the verbs of GIVE_MORE ("Giao Sở Y tế tổng hợp, báo cáo …"), which given_to checks.
GIVE_VERBS = "là|chủ trì|thực hiện|tổ chức|hướng dẫn|theo dõi|có trách nhiệm|phối hợp|triển khai|tham mưu|xây dựng"
GIVE_MORE = "tổng hợp|báo cáo|kiểm tra|đôn đốc|chỉ đạo|phụ trách|rà soát"
_GIVE_RE = re.compile(rf"^Giao\s+(?:cho\s+)?(?P<who>.+?)\s+(?:{GIVE_VERBS})\b")
_GIVE_VERB = re.compile(rf"\s+(?:{GIVE_VERBS}|{GIVE_MORE})\b")
_CARRY_OUT_RE = re.compile(
    r"^(?P<who>.+?)\s+(?:chịu trách nhiệm thi hành|có trách nhiệm thi hành|căn cứ Quyết định thi hành"
    r"|thi hành Quyết định|chịu trách nhiệm|có trách nhiệm)\b"
)
IsUnit = Callable[[str], bool]


@dataclass
class TaskGroup:
    name: str | None  # the unit(s) it is for; None: the Kính gửi list (or the acting units of the Nơi nhận)
    line: int
    tasks: list[str] = field(default_factory=list)
    bullets: bool = False
    article: int | None = None  # "Điều N" of a decision


@dataclass
class TaskPlan:
    groups: list[TaskGroup] = field(default_factory=list)
    section: int | None = None  # index in main of the section the tasks come from (left out of the body)


def _end_mark(text: str) -> str:
    return re.sub(r"\s*\./\.\s*$|/\.\s*$", ".", text.strip())


def _group_tasks(lines: list[Line], plan: TaskPlan) -> None:
    """Groups of a "Tổ chức thực hiện" section; paragraphs after the groups close the document."""
    current: TaskGroup | None = None
    closing = False
    for line in lines:
        text, sub = line.text.strip(), SUBHEADING_RE.match(line.text.strip())
        if closing or ROMAN_RE.match(text):
            closing = True
        elif sub:
            name, _, inline = sub.group("name").partition(":")
            current = TaskGroup(name.strip(), line.no, [_end_mark(inline)] if inline.strip() else [])
            plan.groups.append(current)
        elif current is not None and BULLET_RE.match(text):
            if text.startswith("+") and current.tasks:
                current.tasks[-1] += "\n" + text
            else:
                current.tasks.append(_end_mark(BULLET_RE.sub("", text, count=1)))
                current.bullets = True
        elif current is not None and not current.bullets and not CLOSING_RE.search(fold(text)):
            current.tasks.append(_end_mark(text))
        else:
            closing = current is not None


def _points(lines: list[Line], is_unit: IsUnit, plan: TaskPlan) -> None:
    """Numbered points 1, 2, 3 …; what follows a point up to the next is part of it, until a closing line."""
    expected, current = 1, None
    for at, line in enumerate(lines):
        text = line.text.strip()
        point = POINT_RE.match(text)
        if point and int(point.group("n")) == expected:
            expected += 1
            head, colon, inline = point.group("text").partition(":")
            given = given_to(point.group("text"), is_unit)
            if colon and len(head) < 120 and is_unit(head):
                current = TaskGroup(head.strip(), line.no, [_end_mark(inline)] if inline.strip() else [])
            elif given:  # "5. Giao Sở Y tế tổng hợp, báo cáo …": for that unit
                current = TaskGroup(given, line.no, [_end_mark(point.group("text"))])
            else:
                current = TaskGroup(None, line.no, [_end_mark(point.group("text"))])
            plan.groups.append(current)
        elif current is None:
            continue  # the sentence that leads to the points
        elif not BULLET_RE.match(text) and CLOSING_RE.search(fold(text)) and _closes(lines, at, expected):
            return
        elif current.name is not None and BULLET_RE.match(text) and not text.startswith("+"):
            current.tasks.append(_end_mark(BULLET_RE.sub("", text, count=1)))
        elif current.tasks:
            current.tasks[-1] = _end_mark(current.tasks[-1] + "\n" + text)
        else:
            current.tasks.append(_end_mark(text))


def given_to(text: str, is_unit: IsUnit) -> str | None:
    """Whom "Giao X <verb> …" gives work to: the shortest X before a verb that names units ("Giao Ủy ban kiểm tra
    Công đoàn tỉnh theo dõi …" is not "Ủy ban"), or None."""
    opening = re.match(r"^Giao\s+(?:cho\s+)?", text)
    if opening is None:
        return None
    for verb in _GIVE_VERB.finditer(text, opening.end()):
        who = text[opening.end() : verb.start()].strip(" ,;")
        if who and is_unit(who):
            return who
    return None


def _closes(lines: list[Line], at: int, expected: int) -> bool:
    """A closing line ("Đề nghị …", "Yêu cầu … thực hiện Chỉ thị này") ends the points only when no point numbered
    `expected` follows: inside a point it is one of its sentences."""
    return not any((p := POINT_RE.match(ln.text.strip())) and int(p.group("n")) == expected for ln in lines[at + 1 :])


def _articles(lines: list[Line], plan: TaskPlan) -> None:
    """Each article with the lines under it; those that assign work ("Giao …", "… thi hành") are tasks."""
    articles: list[tuple[int, int, list[str]]] = []
    for line in lines:
        article = ARTICLE_RE.match(line.text.strip())
        if article is not None:
            articles.append((int(article.group("n")), line.no, [article.group("text")]))
        elif articles:
            articles[-1][2].append(line.text.strip())
    for number, no, texts in articles:
        text = _end_mark("\n".join(texts))
        # "Điều 3. Quyết định này có hiệu lực …" then, a paragraph below, "Chánh Văn phòng … chịu trách nhiệm thi
        # hành": the article that carries out the decision, whichever of its paragraphs says so.
        who = _GIVE_RE.match(text) or next(filter(None, (_CARRY_OUT_RE.match(t.strip()) for t in texts)), None)
        if who:
            plan.groups.append(TaskGroup(who.group("who"), no, [text], article=number))


def find_tasks(main: list[Line], doc_type: str | None, is_unit: IsUnit) -> TaskPlan:
    plan = TaskPlan()
    if doc_type == "BÁO CÁO":
        return plan
    romans = [i for i, ln in enumerate(main) if ROMAN_RE.match(ln.text)]
    doing = [i for i in romans if "to chuc thuc hien" in fold(main[i].text)]
    duties = [
        i
        for i in romans
        if "nhiem vu" in fold(main[i].text)
        and any(sub and is_unit(sub.group("name").split(":")[0]) for sub in map(_sub, _section(main, i, romans)))
    ]
    chosen = doing or duties[-1:]
    section = chosen[0] if chosen else None
    if section is not None:
        plan.section = section
        _group_tasks(main[section + 1 :], plan)
    elif any(ARTICLE_RE.match(ln.text) for ln in main):
        _articles(main, plan)
    elif not romans:
        _points(main, is_unit, plan)
    return plan


def _sub(line: Line) -> re.Match[str] | None:
    return SUBHEADING_RE.match(line.text.strip())


def _section(main: list[Line], start: int, romans: list[int]) -> list[Line]:
    end = next((i for i in romans if i > start), len(main))
    return main[start + 1 : end]
