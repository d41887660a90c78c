"""Restructuring: when a unit is dissolved or merged, its open assignments move to its successor."""

from __future__ import annotations

from sqlmodel import Session, col, select

from cascade.core.settings import Settings
from cascade.delivery.outbox_store import enqueue_mail
from cascade.dispatch.notices import notice_context, render_notice
from models import Assignment, AuditEvent, Status, Unit, record_audit, utcnow

CLOSED = (Status.completed, Status.refused)


def move_to_successors(session: Session, settings: Settings) -> int:
    """Move every open assignment of a dissolved unit to its successor (following chains of successors) and
    owe the successor a notice; the audit log keeps the old unit's code and name. Returns how many moved."""
    dissolved = {u.id: u for u in session.exec(select(Unit).where(col(Unit.active).is_(False))).all()}
    units_by_id = {u.id: u for u in session.exec(select(Unit)).all()}
    moved = 0
    for assignment in session.exec(
        select(Assignment).where(col(Assignment.unit_id).in_(list(dissolved)), col(Assignment.status).not_in(CLOSED))
    ).all():
        old = units_by_id[assignment.unit_id]
        successor = _final_successor(old, units_by_id)
        if successor is None or successor.id is None:
            continue
        taken = session.exec(
            select(Assignment.id).where(
                Assignment.directive_id == assignment.directive_id, Assignment.unit_id == successor.id
            )
        ).first()
        detail = {"from": old.code, "to": successor.code, "to_name": successor.name}
        if taken is not None:  # the successor already has this directive: the old duty merges into it
            _audit(session, AuditEvent.assignment_merged, assignment, old, detail)
            continue
        assignment.unit_id, assignment.status_changed_at = successor.id, utcnow()
        session.add(assignment)
        _audit(session, AuditEvent.assignment_moved, assignment, old, detail)
        session.flush()
        row = render_notice(settings, notice_context(session, assignment.directive_id), assignment, successor)
        row["key"] = f"notice:{assignment.id}:successor:{successor.code}"
        row["kind"] = "successor_notice"
        enqueue_mail(session, [row])
        moved += 1
    session.flush()
    return moved


def _final_successor(unit: Unit, units_by_id: dict[int | None, Unit]) -> Unit | None:
    seen: set[int | None] = set()
    current: Unit | None = unit
    while current is not None and not current.active:
        if current.id in seen or current.successor_id is None:
            return None
        seen.add(current.id)
        current = units_by_id.get(current.successor_id)
    return current


def _audit(session: Session, event: AuditEvent, assignment: Assignment, old: Unit, detail: dict[str, str]) -> None:
    """An entry about the old unit (its code and name kept: it has been dissolved)."""
    record_audit(
        session,
        event,
        unit=old,
        actor="org import",
        directive_id=assignment.directive_id,
        assignment_id=assignment.id,
        detail=detail,
    )
