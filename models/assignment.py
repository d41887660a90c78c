"""One unit's duty under one directive, with a status that maps onto edXML (QCVN 102:2016) codes."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.directive import CascadeMode, Role
from models.types import StrEnumType, UTCDateTime, utcnow


class Status(StrEnum):
    queued = "queued"  # created, notice not delivered yet
    arrived = "arrived"  # notice delivered to the unit's mailbox
    refused = "refused"
    acknowledged = "acknowledged"
    assigned = "assigned"  # passed on / tasks assigned below
    in_progress = "in_progress"
    completed = "completed"


EDXML_CODE: dict[Status, str | None] = {
    Status.queued: None,
    Status.arrived: "01",
    Status.refused: "02",
    Status.acknowledged: "03",
    Status.assigned: "04",
    Status.in_progress: "05",
    Status.completed: "06",
}


class RecallState(StrEnum):
    """A recall (thu hồi) as it stands for one unit: asked (edXML 13), then the unit's answer from its link."""

    requested = "requested"  # 13: the issuer asked for the document back
    agreed = "agreed"  # 15: the unit removed it and stops carrying it out
    refused = "refused"  # 16: the unit does not agree (with its reason)


RECALL_CODE: dict[RecallState, str] = {RecallState.requested: "13", RecallState.agreed: "15", RecallState.refused: "16"}

ACKNOWLEDGED_STATES = {Status.acknowledged, Status.assigned, Status.in_progress, Status.completed}


class HasReportDue(Protocol):
    @property
    def report_due(self) -> date | None: ...


def owes_report(assignment: HasReportDue) -> bool:
    """Whether the unit owes a results report under this assignment. The one fact is `report_due`, set when the
    assignment is created (cascade/dispatch/duties.py decides it from the role); nothing downstream reads the
    role to know it. Takes an Assignment or any row with its columns."""
    return assignment.report_due is not None


class Assignment(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("directive_id", "unit_id", name="uq_assignment_directive_unit"),
        Index("ix_assignment_status_ack_due", "status", "ack_due"),
        Index("ix_assignment_directive_status", "directive_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    directive_id: int = Field(foreign_key="directive.id")
    unit_id: int = Field(foreign_key="unit.id", index=True)
    role: Role = Field(sa_type=StrEnumType(Role, 10))
    status: Status = Field(default=Status.queued, sa_type=StrEnumType(Status, 20))
    ack_due: date
    report_due: date | None = None
    acknowledged_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    refused_reason: str | None = None
    implementing_directive_id: int | None = Field(default=None, foreign_key="directive.id")
    # How this unit passes the directive on (forward | author); None for units with nothing below them.
    mode: CascadeMode | None = Field(default=None, sa_type=StrEnumType(CascadeMode, 20))
    # When the unit must have passed it on (Decree 30 Art. 4: the same or the next working day).
    pass_on_due: date | None = None
    status_changed_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    # A recall of the directive (cascade/lifecycle/recall.py) and the unit's answer to it (15 or 16, with why not).
    recall: RecallState | None = Field(default=None, sa_type=StrEnumType(RecallState, 10))
    recall_answered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    recall_refusal: str | None = None
    # Asked to confirm an amended version again (cascade amend --reacknowledge): the status it goes back to once
    # it has (the acknowledgement sets it; cascade/replies/acknowledge.py).
    resume_status: Status | None = Field(default=None, sa_type=StrEnumType(Status, 20))

    @property
    def edxml(self) -> str | None:
        return EDXML_CODE.get(self.status)


class Acknowledgement(SQLModel, table=True):
    """Receipt confirmed by a POST; the unique assignment_id makes a second one impossible."""

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", unique=True)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    remote_addr: str | None = Field(default=None, max_length=100)
    user_agent: str | None = Field(default=None, max_length=500)
