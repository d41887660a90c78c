"""Append-only audit log of every transition, and the one way rows are written to it (record_audit, and
record_audits for many at once)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import JSON, Column, Table, insert
from sqlmodel import Field, Session, SQLModel

from models.types import StrEnumType, UTCDateTime, utcnow


class AuditEvent(StrEnum):
    # a directive and its notices
    directive_stored = "directive_stored"
    notices_enqueued = "notices_enqueued"
    # the console: who launched what, who decided a refusal, accounts
    directive_launched = "directive_launched"
    refusal_accepted = "refusal_accepted"  # the issuer agreed the unit was not the one to carry it out
    account_created = "account_created"
    password_changed = "password_changed"
    api_token_created = "api_token_created"
    # a directive's life after launch (cascade/lifecycle)
    directive_recalled = "directive_recalled"
    recall_agreed = "recall_agreed"  # a unit's answer to the recall, edXML 15
    recall_refused = "recall_refused"  # edXML 16
    directive_amended = "directive_amended"
    reacknowledgement_asked = "reacknowledgement_asked"  # a unit asked to confirm the amended version again
    directive_replaced = "directive_replaced"
    recipients_added = "recipients_added"
    # a unit's answers
    acknowledged = "acknowledged"
    refused = "refused"
    rerouted = "rerouted"  # the directive addressed to another unit instead of one that refused it
    # author mode: the unit writes its own; forward mode with no signer on record: it gives number and signer
    awaiting_implementing_directive = "awaiting_implementing_directive"
    implementing_directive_issued = "implementing_directive_issued"
    signer_recorded = "signer_recorded"  # a unit gave its signer on its pass-on form, kept for next time
    # a unit's register of outgoing documents
    register_set = "register_set"  # an administrator said where the register stands (cascade register set)
    report_saved = "report_saved"
    report_submitted = "report_submitted"
    report_consolidated = "report_consolidated"
    # the organisation
    org_imported = "org_imported"
    assignment_moved = "assignment_moved"  # from a dissolved unit to its successor
    assignment_merged = "assignment_merged"  # into the successor's own assignment of the same directive
    unit_dissolved = "unit_dissolved"  # dissolved from the console, its successor named (cascade/org/restructure.py)
    # the mail
    mail_bounced = "mail_bounced"
    mail_in_doubt_delivered = "mail_in_doubt_delivered"
    mail_in_doubt_resent = "mail_in_doubt_resent"
    mail_in_doubt_not_delivered = "mail_in_doubt_not_delivered"
    # the chasing ladder's steps (cascade/chasing/ladder.py STEPS)
    escalation_before = "escalation_before"
    escalation_due = "escalation_due"
    escalation_parent = "escalation_parent"
    escalation_escalate = "escalation_escalate"

    @classmethod
    def escalation(cls, step: str) -> AuditEvent:
        """The event of a step of the chasing ladder (before, due, parent, escalate)."""
        return cls(f"escalation_{step}")


class AuditLog(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    event: AuditEvent = Field(index=True, sa_type=StrEnumType(AuditEvent, 60))
    actor: str = Field(default="system", max_length=200)
    directive_id: int | None = Field(default=None, index=True)
    assignment_id: int | None = Field(default=None, index=True)
    # Code and name as they were at the time: history keeps a dissolved unit's name.
    unit_code: str | None = Field(default=None, max_length=64)
    unit_name: str | None = Field(default=None, max_length=300)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Named(Protocol):
    """What an entry keeps of its unit: a Unit, or a row or named tuple with the unit's code and name."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...


AUDIT: Table = AuditLog.__table__  # type: ignore[attr-defined]
# Built once: the acknowledgement (every unit's one write, many at once) writes its entry through it.
_INSERT = insert(AUDIT)


def audit_row(
    event: AuditEvent,
    *,
    unit: Named | None = None,
    actor: str = "system",
    at: datetime | None = None,
    directive_id: int | None = None,
    assignment_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An entry's columns, for record_audits: about `unit` (its code and name as they are now) if given."""
    return {
        "event": event,
        "actor": actor,
        "at": at or utcnow(),
        "directive_id": directive_id,
        "assignment_id": assignment_id,
        "unit_code": unit.code if unit is not None else None,
        "unit_name": unit.name if unit is not None else None,
        "detail": detail if detail is not None else {},
    }


def record_audit(
    session: Session,
    event: AuditEvent,
    *,
    unit: Named | None = None,
    actor: str = "system",
    at: datetime | None = None,
    directive_id: int | None = None,
    assignment_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Write one entry, in the session's transaction (a Core INSERT at once: the entry is stored or rolled back
    with the change it tells of)."""
    row = audit_row(
        event, unit=unit, actor=actor, at=at, directive_id=directive_id, assignment_id=assignment_id, detail=detail
    )
    session.connection().execute(_INSERT, row)


def record_audits(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Write many entries (audit_row's dicts, each with every column) in one executemany INSERT: the monitor's
    thousands of steps, a part at a time."""
    if rows:
        session.connection().execute(_INSERT, list(rows))
