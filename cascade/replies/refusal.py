"""Refusal (edXML 02, "not addressed to us") and rerouting to another unit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select, update

from cascade.core.errors import InputError, Problem
from cascade.delivery.outbox_store import enqueue_mail
from cascade.rendering.render import outbox_row
from models import Assignment, AuditEvent, Directive, Recipient, Status, Unit, record_audit, utcnow

REFUSABLE = (Status.queued, Status.arrived)


@dataclass(frozen=True)
class RefuseResult:
    recorded: bool
    status: Status


def refuse(
    session: Session, assignment_id: int, *, reason: str, remote_addr: str | None, now: datetime | None = None
) -> RefuseResult:
    """Refuse an assignment not yet acknowledged; the issuer is told by email (through the outbox)."""
    now = now or utcnow()
    changed = session.execute(
        update(Assignment)
        .where(col(Assignment.id) == assignment_id, col(Assignment.status).in_(REFUSABLE))
        .values(status=Status.refused, refused_reason=reason, status_changed_at=now)
    )
    assignment = session.get(Assignment, assignment_id)
    assert assignment is not None
    session.refresh(assignment)
    if not getattr(changed, "rowcount", 0):
        return RefuseResult(recorded=False, status=assignment.status)
    unit, directive = session.get(Unit, assignment.unit_id), session.get(Directive, assignment.directive_id)
    assert unit is not None and directive is not None
    issuer = session.get(Unit, directive.issuer_id)
    assert issuer is not None
    record_audit(session, AuditEvent.refused, unit=unit, actor=f"link from {remote_addr}", at=now,
                 directive_id=directive.id, assignment_id=assignment_id, detail={"reason": reason})  # fmt: skip
    row = outbox_row(
        f"refused:{assignment_id}", "refused", (issuer.name, issuer.email), "refused", now,
        directive_id=directive.id, assignment_id=assignment_id, directive=directive, unit=unit, issuer=issuer,
        reason=reason,
    )  # fmt: skip
    enqueue_mail(session, [row])
    session.flush()
    return RefuseResult(recorded=True, status=Status.refused)


def reroute(session: Session, directive: Directive, from_code: str, to_code: str) -> Recipient:
    """Address the directive to another unit instead of one that refused it (same role)."""
    units = {u.code: u for u in session.exec(select(Unit).where(col(Unit.code).in_([from_code, to_code]))).all()}
    problems = [Problem("reroute", f"unknown unit {c!r}") for c in (from_code, to_code) if c not in units]
    if problems:
        raise InputError(problems)
    old = session.exec(
        select(Assignment).where(Assignment.directive_id == directive.id, Assignment.unit_id == units[from_code].id)
    ).first()
    if old is None or old.status != Status.refused:
        raise InputError([Problem("reroute", f"{from_code} has not refused {directive.number}: nothing to reroute")])
    target = units[to_code]
    if not target.active:
        raise InputError([Problem("reroute", f"{to_code} ({target.name}) has been dissolved")])
    if session.exec(
        select(Recipient).where(Recipient.directive_id == directive.id, Recipient.unit_id == target.id)
    ).first():
        raise InputError([Problem("reroute", f"{to_code} is already a recipient of {directive.number}")])
    assert directive.id is not None and target.id is not None
    recipient = Recipient(directive_id=directive.id, unit_id=target.id, role=old.role, mode=old.mode)
    session.add(recipient)
    record_audit(session, AuditEvent.rerouted, unit=units[from_code], actor="cli", directive_id=directive.id,
                 assignment_id=old.id, detail={"to": to_code, "to_name": target.name})  # fmt: skip
    session.flush()
    return recipient
