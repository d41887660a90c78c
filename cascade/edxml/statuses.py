"""The status messages of one unit's assignment (edXML:Status), from what the database kept of it.

Each state the assignment went through is a message from the unit to the issuer, dated when it happened:
01 when its notice was delivered (the outbox row's sent_at), 02 when it refused and 03 when it acknowledged
(the audit log, the acknowledgement's time), 04 when its own implementing directive went out, 05 at its first
report, 06 when the report of every cycle was in. The codes are models/assignment.py EDXML_CODE's. A recall (13,
from the issuer) and the unit's answer to it (15 agreed, 16 refused) are messages of the same shape:
`status_message` writes any of them, with the sender it is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from cascade.edxml.organs import Organ, Staff, add_organ, add_staff
from cascade.edxml.package import DocumentRef, add_response_for
from cascade.edxml.schema import BUSINESS_REASON, Business, edxml_timestamp, envelope, serialise, sub
from cascade.rendering.render import STATUS_LABELS
from models import (
    EDXML_CODE,
    RECALL_CODE,
    Assignment,
    AuditEvent,
    AuditLog,
    Directive,
    MailStatus,
    OutboxMessage,
    RecallState,
    Status,
)

REPORT_EVENTS = (AuditEvent.report_saved, AuditEvent.report_submitted)


@dataclass(frozen=True)
class StatusEvent:
    code: str  # "01" … "06", "13", "15", "16"
    at: datetime
    description: str
    from_issuer: bool = False  # 13 goes from the issuer to the unit; every other code from the unit


def _event(status: Status, at: datetime, detail: str = "") -> StatusEvent:
    code = EDXML_CODE[status]
    assert code is not None
    label = STATUS_LABELS[status]
    return StatusEvent(code, at, f"{label}: {detail}" if detail else label)


def _first(session: Session, assignment_id: int, events: tuple[AuditEvent, ...]) -> AuditLog | None:
    query = select(AuditLog).where(AuditLog.assignment_id == assignment_id, col(AuditLog.event).in_(events))
    return session.exec(query.order_by(col(AuditLog.at), col(AuditLog.id))).first()


def status_history(session: Session, assignment: Assignment) -> list[StatusEvent]:
    """The assignment's status messages in the order they happened (none while its notice is unsent)."""
    assert assignment.id is not None
    out: list[StatusEvent] = []
    sent = session.exec(
        select(OutboxMessage.sent_at).where(
            OutboxMessage.assignment_id == assignment.id,
            OutboxMessage.kind == "notice",
            OutboxMessage.status == MailStatus.sent,
        )
    ).first()
    if sent is not None:
        out.append(_event(Status.arrived, sent))
    if assignment.status == Status.refused:
        refused = _first(session, assignment.id, (AuditEvent.refused,))
        out.append(_event(Status.refused, refused.at if refused else assignment.status_changed_at,
                          assignment.refused_reason or ""))  # fmt: skip
        return out
    if assignment.acknowledged_at is not None:
        out.append(_event(Status.acknowledged, assignment.acknowledged_at))
    child_id = assignment.implementing_directive_id
    child = session.get(Directive, child_id) if child_id else None
    if child is not None and child.dispatched_at is not None:
        out.append(_event(Status.assigned, child.dispatched_at, child.number))
    elif assignment.status == Status.assigned:
        out.append(_event(Status.assigned, assignment.status_changed_at))
    report = _first(session, assignment.id, REPORT_EVENTS)
    completed = assignment.status == Status.completed
    if report is not None and not (completed and report.at >= assignment.status_changed_at):
        out.append(_event(Status.in_progress, report.at))  # 05 unless the first report completed it at once
    if completed:
        out.append(_event(Status.completed, assignment.status_changed_at))
    return sorted([*out, *_recall_events(session, assignment)], key=lambda e: e.at)


def _recall_events(session: Session, assignment: Assignment) -> list[StatusEvent]:
    """13 from the issuer when the directive was recalled, then the unit's 15 (agreed) or 16 (refused, why)."""
    directive = session.get(Directive, assignment.directive_id) if assignment.recall else None
    if directive is None or directive.recalled_at is None:
        return []
    asked = f"Thu hồi văn bản: {directive.recall_reason}" if directive.recall_reason else "Thu hồi văn bản"
    events = [StatusEvent(RECALL_CODE[RecallState.requested], directive.recalled_at, asked, from_issuer=True)]
    if assignment.recall != RecallState.requested and assignment.recall_answered_at is not None:
        state = RecallState(str(assignment.recall))
        said = "Đồng ý thu hồi" if state is RecallState.agreed else f"Không đồng ý thu hồi: {assignment.recall_refusal}"
        events.append(StatusEvent(RECALL_CODE[state], assignment.recall_answered_at, said))
    return events


def business_of(session: Session, directive: Directive) -> tuple[Business, str]:
    """What a package of the directive does (Bussiness/BussinessDocType) and why: a recall revokes it, a directive
    that replaced another replaces it, an amended one (a later version) updates it; else it is new."""
    if directive.recalled_at is not None:
        return Business.revocation, directive.recall_reason or BUSINESS_REASON[Business.revocation]
    replaced = session.exec(select(Directive).where(Directive.replaced_by_id == directive.id)).first()
    if replaced is not None:
        return Business.replacement, f"{BUSINESS_REASON[Business.replacement]} {replaced.number}"
    if directive.version > 1:
        return Business.update, f"{BUSINESS_REASON[Business.update]} (lần {directive.version})"
    return Business.new, BUSINESS_REASON[Business.new]


def status_message(event: StatusEvent, *, document: DocumentRef, sender: Organ, staff: Staff) -> bytes:
    """One status message about `document`, from `sender` (the unit, or the issuer for a recall)."""
    root, env = envelope()
    status = sub(sub(env, "edXMLHeader"), "Status")
    add_response_for(status, document)
    add_organ(status, "From", sender)
    sub(status, "StatusCode", event.code)
    sub(status, "Description", event.description)
    sub(status, "Timestamp", edxml_timestamp(event.at))
    add_staff(status, staff)
    return serialise(root)
