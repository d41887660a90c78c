"""What a supervisor looks at: counts by status per level, who is late, one unit's history (plain functions)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from cascade.core.workdays import VN_TZ
from models import ACKNOWLEDGED_STATES, Assignment, AuditLog, Directive, Status, Unit, utcnow

STATUS_ORDER = [s.value for s in Status]
NOT_ACKNOWLEDGED = {Status.queued.value, Status.arrived.value}


def today_vn() -> date:
    """Today in Vietnam, on the project's clock (CASCADE_CLOCK_START replays history in the demo)."""
    return utcnow().astimezone(VN_TZ).date()


def with_supervisors(rows: list[dict[str, Any]], root_issuer: str) -> list[dict[str, Any]]:
    """Adds to each status row the unit that follows it up (đôn đốc): the issuer of the directive it got.

    Rows are depth first with a `level`, so a row's supervisor is the nearest row above it one level up.
    """
    above: dict[int, str] = {0: root_issuer}
    out = []
    for row in rows:
        level = int(row["level"])
        above[level] = row["name"]
        out.append({**row, "supervisor": above.get(level - 1, root_issuer)})
    return out


def level_counts(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One line per level of the tree: how many units, how many in each status, the acknowledged share."""
    levels: dict[int, Counter[str]] = {}
    for row in rows:
        levels.setdefault(int(row["level"]), Counter())[row["status"]] += 1
    lines = []
    for level in sorted(levels):
        counts = levels[level]
        total = sum(counts.values())
        done = sum(n for status, n in counts.items() if status in ACKNOWLEDGED_STATES)
        lines.append(
            {
                "level": level,
                "total": total,
                "counts": {status: counts.get(status, 0) for status in STATUS_ORDER},
                "acknowledged": done,
                "percent": round(100 * done / total) if total else 100,
            }
        )
    return lines


def ack_overdue(rows: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """Units whose acknowledgement deadline has passed without an acknowledgement, latest first."""
    late = []
    for row in rows:
        due = date.fromisoformat(row["ack_due"])
        if row["status"] in NOT_ACKNOWLEDGED and due < today:
            late.append({**row, "days_late": (today - due).days})
    return sorted(late, key=lambda r: (-r["days_late"], r["level"], r["unit"]))


def report_overdue(rows: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """Units owing a report whose report deadline has passed.

    Place for the reports feature (issue 4): until reports are recorded, a unit counts as having reported
    only once its status is `completed` (edXML 06); refine here when report rows exist.
    """
    late = []
    for row in rows:
        if row["role"] != "act" or not row.get("report_due") or row["status"] in ("completed", "refused"):
            continue
        due = date.fromisoformat(row["report_due"])
        if due < today:
            late.append({**row, "days_late": (today - due).days})
    return sorted(late, key=lambda r: (-r["days_late"], r["level"], r["unit"]))


def unit_history(session: Session, unit: Unit, limit: int = 300) -> dict[str, Any]:
    """A unit's assignments (with their directives) and its audit log, newest first."""
    assignments = session.exec(
        select(Assignment, Directive)
        .join(Directive, col(Directive.id) == col(Assignment.directive_id))
        .where(Assignment.unit_id == unit.id)
        .order_by(col(Directive.issued_on).desc(), col(Directive.id).desc())
    ).all()
    audit = session.exec(
        select(AuditLog)
        .where(AuditLog.unit_code == unit.code)
        .order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc())
        .limit(limit)
    ).all()
    parent = session.get(Unit, unit.parent_id) if unit.parent_id else None
    children = session.exec(select(Unit).where(Unit.parent_id == unit.id).order_by(col(Unit.code))).all()
    return {
        "unit": unit,
        "parent": parent,
        "children": list(children),
        "assignments": [{"assignment": a, "directive": d} for a, d in assignments],
        "audit": list(audit),
    }
