"""What a supervisor looks at besides a directive's figures and rows: today on the project's clock (the day the
late figures count from) and one unit's history."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from cascade.core.workdays import VN_TZ
from models import Assignment, AuditLog, Directive, Unit, utcnow


def today_vn() -> date:
    """Today in Vietnam, on the project's clock (CASCADE_CLOCK_START replays history in the demo)."""
    return utcnow().astimezone(VN_TZ).date()


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
