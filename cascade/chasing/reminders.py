"""Renders the ladder's emails into outbox rows: a unit's reminder, a supervisor's digest, an officer's
escalation. Digests group every unit of one run into ONE email per recipient."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date, datetime
from typing import Any

from cascade.chasing.steps import Item, Taken
from cascade.core.workdays import WorkCalendar
from cascade.rendering.render import outbox_row


def what(item: Item) -> str:
    if item.is_ack:
        return "xác nhận đã nhận văn bản"
    if item.item == "pass" and item.assignment.mode == "forward":  # held: no signer on record
        return "ghi số và người ký công văn triển khai tới các đơn vị trực thuộc (công văn chưa có người ký)"
    if item.item == "pass":
        return "ban hành văn bản triển khai tới các đơn vị trực thuộc"
    return f"báo cáo kết quả (kỳ {item.item[1:]})"


def line(item: Item, today: date, calendar: WorkCalendar) -> dict[str, Any]:
    """A unit's line in a digest or an escalation; how late it is counts working days ("quá 3 ngày làm việc")."""
    return {
        "unit": item.unit,
        "directive": item.directive,
        "what": what(item),
        "due": item.due,
        "days_late": calendar.working_days_late(item.due, today),
    }


def reminder_row(t: Taken, link: str, now: datetime) -> dict[str, Any]:
    item = t.item
    return outbox_row(
        f"remind:{item.assignment.id}:{item.item}:{t.step}",
        "reminder",
        (item.unit.name, item.unit.email),
        "reminder",
        now,
        directive_id=item.directive.id,
        assignment_id=item.assignment.id,
        step=t.step,
        unit=item.unit,
        directive=item.directive,
        what=what(item),
        due=item.due,
        supervisor=t.supervisor,
        link=link,
    )


def _span(steps: list[Taken]) -> str:
    ids = sorted(t.step_id for t in steps)
    return f"{ids[0]}-{ids[-1]}"


# Units an email lists; the others are counted and linked. The issuer of a national directive is its every
# unit's supervisor: its digest listed 70,544 units, and the officer's escalation, 14 MB of HTML, was refused
# by the mail server ("552 Too much mail data"; Postfix's default limit is 10 MB).
LISTED = 200


def listed(lines: list[dict[str, Any]], public_url: str) -> dict[str, Any]:
    """The first LISTED lines, how many there are in all, and where the supervisor view has them all."""
    if len(lines) <= LISTED:
        return {"lines": lines, "total": len(lines), "full_lists": []}
    directives = {entry["directive"].id: entry["directive"].number for entry in lines}
    base = public_url.rstrip("/")
    full = [{"number": number, "url": f"{base}/admin/directives/{i}"} for i, number in directives.items()]
    return {"lines": lines[:LISTED], "total": len(lines), "full_lists": full}


def digest_rows(
    items: list[Item], taken: list[Taken], today: date, now: datetime, public_url: str, calendar: WorkCalendar
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    by_supervisor: dict[int, list[Taken]] = defaultdict(list)
    for t in taken:
        if t.step == "parent" and t.supervisor is not None:
            by_supervisor[t.supervisor.id or 0].append(t)
    for sup_id, steps in sorted(by_supervisor.items()):
        supervisor = steps[0].supervisor
        assert supervisor is not None
        overdue = [i for i in items if i.due < today and i.directive.issuer_id == sup_id]
        overdue.sort(key=lambda i: (i.due, i.unit.code, i.item))
        rows.append(
            outbox_row(
                f"digest:{sup_id}:{_span(steps)}",
                "digest",
                (supervisor.name, supervisor.email),
                "digest",
                now,
                supervisor=supervisor,
                new=listed(
                    [
                        line(t.item, today, calendar)
                        for t in sorted(steps, key=lambda t: (t.item.unit.code, t.item.item))
                    ],
                    public_url,
                ),
                overdue=listed([line(i, today, calendar) for i in overdue], public_url),
                today=today,
            )
        )
    by_officer: dict[str, list[Taken]] = defaultdict(list)
    for t in taken:
        if t.step == "escalate" and t.officer[1]:
            by_officer[t.officer[1].lower()].append(t)
    for email, steps in sorted(by_officer.items()):
        name = steps[0].officer[0] or ""
        digest = hashlib.sha1(email.encode()).hexdigest()[:10]
        rows.append(
            outbox_row(
                f"escalation:{digest}:{_span(steps)}",
                "escalation",
                (name, email),
                "escalation",
                now,
                officer_name=name,
                escalated=listed(
                    [
                        {**line(t.item, today, calendar), "supervisor": t.supervisor}
                        for t in sorted(steps, key=lambda t: (t.item.directive.number, t.item.unit.code, t.item.item))
                    ],
                    public_url,
                ),
                today=today,
            )
        )
    return rows
