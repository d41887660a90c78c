"""Recording an acknowledgement: one row per assignment, enforced by a unique constraint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select, update

from models import Acknowledgement, Assignment, AuditLog, Status, Unit, utcnow

ACKNOWLEDGEABLE = (Status.queued.value, Status.arrived.value)


@dataclass(frozen=True)
class AckResult:
    recorded: bool  # False: it had been acknowledged before
    at: datetime


def acknowledge(
    session: Session,
    assignment_id: int,
    *,
    remote_addr: str | None,
    user_agent: str | None,
    now: datetime | None = None,
) -> AckResult:
    """Insert the acknowledgement; concurrent POSTs race on the unique key and exactly one wins."""
    now = now or utcnow()
    try:
        with session.begin_nested():
            session.add(
                Acknowledgement(
                    assignment_id=assignment_id,
                    at=now,
                    remote_addr=remote_addr,
                    user_agent=(user_agent or "")[:500],
                )
            )
    except IntegrityError:
        first = session.exec(select(Acknowledgement).where(Acknowledgement.assignment_id == assignment_id)).one()
        return AckResult(recorded=False, at=first.at)
    session.execute(
        update(Assignment)
        .where(col(Assignment.id) == assignment_id, col(Assignment.status).in_(ACKNOWLEDGEABLE))
        .values(status=Status.acknowledged.value, acknowledged_at=now, status_changed_at=now)
    )
    assignment = session.get(Assignment, assignment_id)
    unit = session.get(Unit, assignment.unit_id) if assignment else None
    session.add(
        AuditLog(
            event="acknowledged",
            actor=f"link from {remote_addr}",
            at=now,
            directive_id=assignment.directive_id if assignment else None,
            assignment_id=assignment_id,
            unit_code=unit.code if unit else None,
            unit_name=unit.name if unit else None,
            detail={"user_agent": (user_agent or "")[:200]},
        )
    )
    session.flush()
    return AckResult(recorded=True, at=now)
