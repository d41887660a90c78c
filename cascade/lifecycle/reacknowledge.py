"""`cascade amend --reacknowledge`: the units confirm the new version again. Each unit asked to acknowledge (not a
superior, not one that refused or never received it) goes back to awaiting its acknowledgement (01, with a new
deadline counted from today); its earlier acknowledgement is dropped from the acknowledgement table (the audit log
keeps it, with the version it confirmed) and the ladder chases it again. Once it confirms, it goes back to where
it stood (passed on, reporting…: Assignment.resume_status, set back by cascade/replies/acknowledge.py)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cascade.core.workdays import WorkCalendar
from cascade.directives import deadlines
from cascade.lifecycle.notices import free_reminder_keys
from models import (
    ACKNOWLEDGED_STATES,
    CHASED_ROLES,
    Acknowledgement,
    Assignment,
    AuditEvent,
    Directive,
    Status,
    Unit,
    audit_row,
    record_audits,
)
from models.report import EscalationStep


def ask_again(
    session: Session, directive: Directive, *, today: date, now: datetime, calendar: WorkCalendar, actor: str
) -> dict[int, date]:
    """Reset the acknowledgements of the directive's units; returns {assignment id: new deadline}."""
    due = deadlines.ack_due(today, directive.urgency, calendar)
    query = (
        select(Assignment, Unit.code, Unit.name)
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .where(
            Assignment.directive_id == directive.id,
            col(Assignment.role).in_(CHASED_ROLES),
            col(Assignment.status).not_in([Status.queued, Status.refused]),
        )
    )
    found = list(session.exec(query).all())
    ids = [a.id for a, _, _ in found if a.id is not None]
    acks: dict[int, datetime] = {}
    for start in range(0, len(ids), 5000):
        found_acks = select(Acknowledgement).where(col(Acknowledgement.assignment_id).in_(ids[start : start + 5000]))
        acks.update((ack.assignment_id, ack.at) for ack in session.exec(found_acks).all())
    audit = []
    for assignment, code, name in found:
        before = assignment.status
        if before in ACKNOWLEDGED_STATES:
            assignment.resume_status = before
        assignment.status, assignment.acknowledged_at = Status.arrived, None
        assignment.ack_due, assignment.status_changed_at = due, now
        session.add(assignment)
        confirmed = acks.get(assignment.id or 0)
        audit.append(
            audit_row(
                AuditEvent.reacknowledgement_asked,
                unit=_Named(code, name),
                actor=actor,
                at=now,
                directive_id=directive.id,
                assignment_id=assignment.id,
                detail={
                    "version": directive.version,
                    "ack_due": due.isoformat(),
                    "was": str(before),
                    "acknowledged_at": confirmed.isoformat() if confirmed else None,
                },
            )
        )
    session.flush()
    for start in range(0, len(ids), 5000):
        part = ids[start : start + 5000]
        session.execute(sa.delete(Acknowledgement).where(col(Acknowledgement.assignment_id).in_(part)))
        session.execute(
            sa.delete(EscalationStep).where(
                col(EscalationStep.assignment_id).in_(part), col(EscalationStep.item) == "ack"
            )
        )
    free_reminder_keys(session, ids, ["ack"])  # the ladder's reminders for it are new ones
    record_audits(session, audit)
    return {a.id: due for a, _, _ in found if a.id is not None}


class _Named:
    def __init__(self, code: str, name: str) -> None:
        self.code, self.name = code, name
