"""A recipient's permanent failure (cascade.delivery.replies: Fault.recipient) is not retried: the parent unit is
told "unit X has a bad address".

A bounce is escalated one level and no further: a bad-address notice that bounces in its turn is recorded, never
escalated. Escalating those made a loop wherever two units' mail was refused, each one's notice about the other
bouncing under a new key (6 notices became 37,228 outbox rows in three minutes, issue 19)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from cascade.delivery.outbox_store import enqueue_mail
from cascade.rendering.render import outbox_row
from models import Assignment, AuditEvent, Directive, OutboxMessage, Unit, record_audit, utcnow

BAD_ADDRESS = "bad_address"  # the outbox kind of a bad-address notice


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
    if row.kind == BAD_ADDRESS:
        parent = None  # a bad-address notice is the escalation already: recorded, not escalated again
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
        BAD_ADDRESS,
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
