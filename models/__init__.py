"""SQLModel tables: the database is the source of truth for every unit's state."""

from models.account import ApiToken, LoginSession, User, UserRole
from models.assignment import (
    ACKNOWLEDGED_STATES,
    EDXML_CODE,
    RECALL_CODE,
    Acknowledgement,
    Assignment,
    RecallState,
    Status,
    owes_report,
)
from models.audit import AuditEvent, AuditLog, audit_row, record_audit, record_audits
from models.directive import CHASED_ROLES, CascadeMode, Directive, DirectiveTask, Recipient, Role, Urgency
from models.draft import DirectiveDraft, DraftState
from models.outbox import MailDocument, MailStatus, OutboxBody, OutboxMessage
from models.register import DocumentRegister
from models.report import (
    EscalationStep,
    Report,
    ReportAttachment,
    ReportCycle,
    ReportingPlan,
    ReportState,
    ReportStatus,
    ReportVersion,
)
from models.task_item import TaskItem, TaskStatus
from models.types import StrEnumType, UTCDateTime, utcnow
from models.unit import Unit, UnitPublic
from models.version import DirectiveVersion

__all__ = [
    "ACKNOWLEDGED_STATES",
    "CHASED_ROLES",
    "EDXML_CODE",
    "RECALL_CODE",
    "Acknowledgement",
    "ApiToken",
    "Assignment",
    "AuditEvent",
    "AuditLog",
    "CascadeMode",
    "Directive",
    "DirectiveDraft",
    "DirectiveTask",
    "DirectiveVersion",
    "DocumentRegister",
    "DraftState",
    "EscalationStep",
    "LoginSession",
    "MailDocument",
    "MailStatus",
    "OutboxBody",
    "OutboxMessage",
    "RecallState",
    "Recipient",
    "Report",
    "ReportAttachment",
    "ReportCycle",
    "ReportingPlan",
    "ReportState",
    "ReportStatus",
    "ReportVersion",
    "Role",
    "Status",
    "StrEnumType",
    "TaskItem",
    "TaskStatus",
    "Unit",
    "UnitPublic",
    "User",
    "UserRole",
    "Urgency",
    "UTCDateTime",
    "audit_row",
    "owes_report",
    "record_audit",
    "record_audits",
    "utcnow",
]
