"""Results reports: what a directive asks for, its report cycles, each unit's report with every version kept,
attachments, and the escalation steps taken while chasing acknowledgements and reports."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import StrEnumType, UTCDateTime, utcnow


class ReportStatus(StrEnum):
    """A stored report: saved as a draft, or sent (only a submitted report counts)."""

    draft = "draft"
    submitted = "submitted"


class ReportState(StrEnum):
    """Where a unit's report for one cycle stands, as the status pages and the consolidated report show it."""

    missing = "missing"  # no report saved
    draft = "draft"  # saved, not submitted
    submitted = "submitted"
    late = "late"  # submitted after the cycle's deadline


class ReportingPlan(SQLModel, table=True):
    """The reporting part of a directive file: indicators, schedule, escalation ladder, follow-up officer."""

    id: int | None = Field(default=None, primary_key=True)
    directive_id: int = Field(foreign_key="directive.id", unique=True)
    # [{"code": "conferences", "name": "Hội nghị", "unit": "cuộc", "type": "int" | "number"}]
    indicators: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # {} (one report by report_due) | {"dates": ["2021-05-23", ...]} | {"every_months": 6}
    schedule: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Working days: {"before": 2, "parent_after": 2, "escalate_after": 5}; missing keys use the defaults.
    ladder: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    follow_up_name: str | None = Field(default=None, max_length=200)
    follow_up_email: str | None = Field(default=None, max_length=320)


class ReportCycle(SQLModel, table=True):
    """One reporting period of a directive: every act unit owes one report per cycle."""

    __table_args__ = (UniqueConstraint("directive_id", "seq", name="uq_report_cycle"),)

    id: int | None = Field(default=None, primary_key=True)
    directive_id: int = Field(foreign_key="directive.id", index=True)
    seq: int
    due: date
    consolidated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class Report(SQLModel, table=True):
    """A unit's report for one cycle; `text`/`figures` are the current version's."""

    __table_args__ = (UniqueConstraint("assignment_id", "cycle_seq", name="uq_report_assignment_cycle"),)

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    directive_id: int = Field(foreign_key="directive.id", index=True)
    cycle_seq: int
    status: ReportStatus = Field(default=ReportStatus.draft, sa_type=StrEnumType(ReportStatus, 20))
    version: int = 0
    text: str = ""
    figures: dict[str, float] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    late: bool = False
    submitted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class ReportVersion(SQLModel, table=True):
    """Every saved version, never overwritten."""

    __table_args__ = (UniqueConstraint("report_id", "version", name="uq_report_version"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    version: int
    submitted: bool
    text: str
    figures: dict[str, float] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    remote_addr: str | None = Field(default=None, max_length=100)


class ReportAttachment(SQLModel, table=True):
    """A file attached to a report, stored under a name the app chose; served only through its unit's link."""

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    version: int
    stored_name: str = Field(max_length=200, unique=True)
    original_name: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class EscalationStep(SQLModel, table=True):
    """A step of the chasing ladder, taken once per unit, item (acknowledgement or report cycle) and step."""

    __table_args__ = (UniqueConstraint("assignment_id", "item", "step", name="uq_escalation_step"),)

    id: int | None = Field(default=None, primary_key=True)
    directive_id: int = Field(foreign_key="directive.id", index=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    item: str = Field(max_length=20)  # "ack" or "r<cycle seq>"
    step: str = Field(max_length=20)  # before | due | parent | escalate
    rank: int
    due: date
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
