"""Status of a directive and of the directives issued below it, from the database."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlmodel import Session, col, select

from cascade.core.errors import InputError, Problem
from cascade.directives.subtasks import task_items_by_assignment
from cascade.rendering.render import STATUS_LABELS
from cascade.status.rollup import report_fields
from models import EDXML_CODE, Assignment, Directive, Unit


def find_directive(session: Session, number: str, issuer: str | None = None) -> Directive:
    """The directive with this number (and issuer code, when several issuers used the number)."""
    query = select(Directive).where(Directive.number == number.strip())
    if issuer:
        query = query.join(Unit, col(Unit.id) == col(Directive.issuer_id)).where(Unit.code == issuer)
    found = list(session.exec(query.order_by(col(Directive.id))).all())
    if not found:
        raise InputError(
            [Problem("status", f"no directive numbered {number!r}" + (f" from {issuer}" if issuer else ""))]
        )
    if len(found) > 1:
        issuers = ", ".join(sorted({str(d.issuer_id) for d in found}))
        raise InputError(
            [
                Problem(
                    "status",
                    f"{len(found)} directives are numbered {number!r} (issuer ids {issuers}): pass --issuer CODE",
                )
            ]
        )
    return found[0]


def pass_on_state(assignment: Assignment, child: Directive | None) -> dict[str, Any]:
    """For a unit with units under it: how it passes the directive on, and whether it has yet."""
    if assignment.mode is None:
        return {"mode": None, "pass_on": None, "pass_on_due": None}
    state = "pending" if child is None else ("dispatched" if child.dispatched_at else "issued")
    due = assignment.pass_on_due.isoformat() if assignment.pass_on_due else None
    return {"mode": assignment.mode, "pass_on": state, "pass_on_due": due}


def assignment_rows(session: Session, directive: Directive, level: int = 1) -> list[dict[str, Any]]:
    """One row per unit, depth first: each unit, then the units of the directive it issued in turn."""
    rows: list[dict[str, Any]] = []
    query = (
        select(Assignment, Unit)
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .where(Assignment.directive_id == directive.id)
        .order_by(col(Assignment.role), col(Unit.code))
    )
    found = list(session.exec(query).all())
    items = task_items_by_assignment(session, [a.id for a, _ in found if a.id is not None])
    for a, u in found:
        child = session.get(Directive, a.implementing_directive_id) if a.implementing_directive_id else None
        rows.append(
            {
                "unit": u.code,
                "name": u.name,
                "kind": u.kind,
                "level": level,
                "role": a.role,
                "directive": directive.number,
                "status": a.status,
                "status_label": STATUS_LABELS.get(a.status, a.status),
                "edxml": EDXML_CODE.get(a.status),
                "ack_due": a.ack_due.isoformat(),
                "report_due": a.report_due.isoformat() if a.report_due else None,
                "acknowledged_at": a.acknowledged_at.isoformat() if a.acknowledged_at else None,
                "implementing_directive": child.number if child else None,
                **report_fields(session, a),
                "refused_reason": a.refused_reason,
                "active": u.active,
                **pass_on_state(a, child),
                "tasks": items.get(a.id or 0, []),
            }
        )
        if rows[-1]["pass_on"] == "pending":
            rows[-1]["status_label"] = "Đã tiếp nhận, chưa triển khai xuống"
        if child is not None:
            rows.extend(assignment_rows(session, child, level + 1))
    return rows


def directive_status(session: Session, directive: Directive) -> dict[str, Any]:
    issuer = session.get(Unit, directive.issuer_id)
    units = assignment_rows(session, directive)
    return {
        "number": directive.number,
        "issuer": issuer.code if issuer else None,
        "issued_on": directive.issued_on.isoformat(),
        "summary": directive.summary,
        "basis": directive.basis,
        "report_due": directive.report_due.isoformat(),
        "counts": dict(Counter(row["status"] for row in units)),
        "units": units,
    }
