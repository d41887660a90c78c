"""A permanent refusal (5xx) is not retried: the parent unit is told "unit X has a bad address"."""

from __future__ import annotations

from sqlmodel import Session, col, select

from cascade.delivery.outbox_store import enqueue_mail
from cascade.rendering.render import outbox_row
from models import Assignment, AuditEvent, Directive, OutboxMessage, Unit, record_audit, utcnow


def recipient_unit(session: Session, row: OutboxMessage) -> Unit | None:
    """The unit a message was addressed to: the notice's assignment, else the active unit with that address."""
    if row.kind == "notice" and row.assignment_id:
        assignment = session.get(Assignment, row.assignment_id)
        if assignment is not None:
            return session.get(Unit, assignment.unit_id)
    query = select(Unit).where(col(Unit.email) == row.to_addr).order_by(col(Unit.active).desc(), col(Unit.id))
    return session.exec(query).first()


def escalate_bounce(session: Session, row: OutboxMessage, reply: str) -> int | None:
    """Record the bounce and queue one notice to the unit above (its own key: a rerun adds nothing).

    Returns the new outbox row's id, or None when there is no one above (the audit log still has it).
    The caller commits, so the bounce and its escalation are stored together or not at all.
    """
    unit = recipient_unit(session, row)
    directive = session.get(Directive, row.directive_id) if row.directive_id else None
    parent = session.get(Unit, unit.parent_id) if unit and unit.parent_id else None
    if parent is None and directive is not None and unit is not None and directive.issuer_id != unit.id:
        parent = session.get(Unit, directive.issuer_id)  # a root unit's bad address goes to the issuer
    record_audit(
        session,
        AuditEvent.mail_bounced,
        unit=unit,
        directive_id=row.directive_id,
        assignment_id=row.assignment_id,
        detail={"to": row.to_addr, "reply": reply, "key": row.key, "escalated_to": parent.code if parent else None},
    )
    if unit is None or parent is None:
        return None
    new = outbox_row(
        f"bad_address:{row.id}",
        "bad_address",
        (parent.name, parent.email),
        "bad_address",
        utcnow(),
        directive_id=row.directive_id,
        assignment_id=row.assignment_id,
        unit=unit,
        parent=parent,
        directive=directive,
        bad_addr=row.to_addr,
        reply=reply,
    )
    enqueue_mail(session, [new])
    return session.exec(select(OutboxMessage.id).where(OutboxMessage.key == new["key"])).one()
