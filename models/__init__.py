"""SQLModel tables: the database is the source of truth for every unit's state."""

from models.assignment import ACKNOWLEDGED_STATES, EDXML_CODE, Acknowledgement, Assignment, Status
from models.audit import AuditLog
from models.directive import CascadeMode, Directive, DirectiveTask, Recipient, Role, Urgency
from models.outbox import MailStatus, OutboxBody, OutboxMessage
from models.report import EscalationStep, Report, ReportAttachment, ReportCycle, ReportingPlan, ReportVersion
from models.task_item import TaskItem, TaskStatus
from models.types import UTCDateTime, utcnow
from models.unit import Unit, UnitPublic

__all__ = [
    "ACKNOWLEDGED_STATES",
    "EDXML_CODE",
    "Acknowledgement",
    "Assignment",
    "AuditLog",
    "CascadeMode",
    "Directive",
    "DirectiveTask",
    "EscalationStep",
    "MailStatus",
    "OutboxBody",
    "OutboxMessage",
    "Recipient",
    "Report",
    "ReportAttachment",
    "ReportCycle",
    "ReportingPlan",
    "ReportVersion",
    "Role",
    "Status",
    "TaskItem",
    "TaskStatus",
    "Unit",
    "UnitPublic",
    "Urgency",
    "UTCDateTime",
    "utcnow",
]
