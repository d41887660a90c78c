"""A launched directive's progress as the console shows it live and its API answers it: by level of the tree,
how many notices were sent (the mail server took them) and bounced, how many units confirmed receipt and how many
are late (to acknowledge or to report), and the late units by name. The counts by status and the acknowledged
share are cascade/status/summary.py's (`level_counts`, `summarise`), the late lists cascade/status/page.py's
(`late_rows`); only the notices' fates are counted here, in one GROUP BY over the outbox."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Table, and_, case, func, or_, select
from sqlmodel import Session

from cascade.rendering.render import vn_date
from cascade.status.page import late_rows
from cascade.status.summary import ACKNOWLEDGED, condition, directive_tree, level_counts, summarise
from models import Assignment, MailStatus, OutboxMessage

ASSIGNMENT: Table = Assignment.__table__  # type: ignore[attr-defined]
OUTBOX: Table = OutboxMessage.__table__  # type: ignore[attr-defined]
LATE_SHOWN = 200  # units listed per kind of lateness; the totals count all of them


def _fates(session: Session, directive_id: int, today: date) -> dict[int, dict[str, int]]:
    """{level: {sent, bounced, confirmed, late}} over the directive's tree."""
    tree = directive_tree(directive_id)
    a = ASSIGNMENT.c
    notice = OUTBOX.alias("notice")
    late = or_(condition("overdue", today), condition("report_overdue", today))
    found = session.connection().execute(
        select(
            tree.c.level,
            func.sum(case((notice.c.status == MailStatus.sent.value, 1), else_=0)),
            func.sum(case((notice.c.status == MailStatus.bounced.value, 1), else_=0)),
            func.sum(case((a.status.in_(ACKNOWLEDGED), 1), else_=0)),
            func.sum(case((late, 1), else_=0)),
        )
        .select_from(
            ASSIGNMENT.join(tree, tree.c.id == a.directive_id).outerjoin(
                notice, and_(notice.c.assignment_id == a.id, notice.c.kind == "notice")
            )
        )
        .group_by(tree.c.level)
    )
    return {
        int(level): {"sent": int(s or 0), "bounced": int(b or 0), "confirmed": int(c or 0), "late": int(n or 0)}
        for level, s, b, c, n in found
    }


def _late_unit(row: dict[str, Any], what: str) -> dict[str, Any]:
    due = row["ack_due"] if what == "ack" else row["report_due"]
    return {
        "code": row["unit"],
        "name": row["name"],
        "level": row["level"],
        "role_label": row["role_label"],
        "status_label": row["status_label"],
        "late_for": what,  # "ack": to confirm receipt; "report": to report
        "due": due,
        "due_vn": vn_date(date.fromisoformat(due)) if due else "",
        "days_late": row["days_late"],
    }


def directive_progress(session: Session, *, directive_id: int, today: date) -> dict[str, Any]:
    """The figures by level (level 1: the directive's own recipients, 2: those of their implementing directives
    …) and the units late, most overdue first."""
    fates = _fates(session, directive_id, today)
    levels = []
    for line in level_counts(session, directive_id=directive_id):
        level = line["level"]
        zero = {"sent": 0, "bounced": 0, "confirmed": 0, "late": 0}
        levels.append({"level": level, "units": line["total"], **fates.get(level, zero),
                       "acknowledged_percent": line["percent"], "counts": line["counts"]})  # fmt: skip
    summary = summarise(session, directive_id, today, limit=0, named=0)
    late_ack = late_rows(session, directive_id=directive_id, today=today, status="overdue")
    late_report = late_rows(session, directive_id=directive_id, today=today, status="report_overdue")
    totals = {key: sum(line[key] for line in levels) for key in ("units", "sent", "bounced", "confirmed", "late")}
    return {
        "levels": levels,
        "totals": {**totals, "acknowledged_percent": summary.progress, "overdue": summary.overdue},
        "late_units": [_late_unit(r, "ack") for r in late_ack[:LATE_SHOWN]]
        + [_late_unit(r, "report") for r in late_report[:LATE_SHOWN]],
        "late_to_acknowledge": len(late_ack),
        "late_to_report": len(late_report),
    }
