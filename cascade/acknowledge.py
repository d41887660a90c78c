"""Recording an acknowledgement: one row per assignment, enforced by a unique constraint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select, update

from cascade.passon import on_acknowledged
from cascade.workdays import WorkCalendar, work_calendar
from models import Acknowledgement, Assignment, AuditLog, Status, Unit, utcnow

ACKNOWLEDGEABLE = (Status.queued.value, Status.arrived.value)


@dataclass(frozen=True)
class AckResult:
    recorded: bool  # False: acknowledged before (`at` is then the first time), or refused
    at: datetime | None
    refused: bool = False


def acknowledge(
    session: Session,
    assignment_id: int,
    *,
    remote_addr: str | None,
    user_agent: str | None,
    now: datetime | None = None,
    calendar: WorkCalendar | None = None,
) -> AckResult:
    """Insert the acknowledgement; concurrent POSTs race on the unique key and exactly one wins.
    The winner also starts passing the directive on when the unit has units under it."""
    now = now or utcnow()
    assignment = session.get(Assignment, assignment_id)
    assert assignment is not None
    if assignment.status == Status.refused:
        return AckResult(recorded=False, at=None, refused=True)
    try:
        with session.begin_nested():
            session.add(
                Acknowledgement(
                    assignment_id=assignment_id, at=now, remote_addr=remote_addr, user_agent=(user_agent or "")[:500]
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
    session.refresh(assignment)
    unit = session.get(Unit, assignment.unit_id)
    assert unit is not None
    session.add(
        AuditLog.about(
            "acknowledged",
            unit,
            actor=f"link from {remote_addr}",
            at=now,
            directive_id=assignment.directive_id,
            assignment_id=assignment_id,
            detail={"user_agent": (user_agent or "")[:200]},
        )
    )
    on_acknowledged(session, assignment, now, calendar or work_calendar())
    session.flush()
    return AckResult(recorded=True, at=now)
