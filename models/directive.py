"""Directives with the components of Decree 30/2020 Art. 8, their recipients and their tasks."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import StrEnumType, UTCDateTime, utcnow


class Role(StrEnum):
    """A recipient's place in the document's protocol ("Nơi nhận")."""

    act = "act"  # carries out its tasks and owes a report
    # takes part ("phối hợp"): acknowledges and is reminded like `act`, owes a report only when a task names it
    coordinate = "coordinate"
    info = "info"  # for information ("để biết"): acknowledges, owes nothing else
    # a body above the issuer ("để báo cáo"): informed, may confirm receipt, never reminded, escalated or late
    superior = "superior"


# The roles the reminder ladder chases for an acknowledgement (a superior is informed, never chased).
CHASED_ROLES = frozenset({Role.act, Role.coordinate, Role.info})


class Urgency(StrEnum):
    normal = "normal"
    khan = "khan"
    thuong_khan = "thuong_khan"
    hoa_toc = "hoa_toc"


class CascadeMode(StrEnum):
    forward = "forward"  # the system issues each unit's implementing directive
    author = "author"  # the unit writes its own implementing directive


class DirectiveBase(SQLModel):
    number: str = Field(max_length=100, index=True)
    doc_type: str = Field(max_length=100)
    issued_on: date
    place: str = Field(max_length=200)
    summary: str
    basis: str | None = Field(default=None, max_length=100)
    basis_issued_on: date | None = None
    basis_issuer: str | None = Field(default=None, max_length=300)
    body: str = ""
    signer_on_behalf: str | None = None
    signer_title: str = ""
    signer_name: str = ""
    report_due: date
    report_to: str | None = None
    urgency: Urgency = Field(default=Urgency.normal, sa_type=StrEnumType(Urgency, 20))
    cascade_mode: CascadeMode = Field(default=CascadeMode.forward, sa_type=StrEnumType(CascadeMode, 20))
    lead_days: int = 3
    # The "Lưu:" line of the Nơi nhận ("VT, TgNc"): printed on the document, never mailed.
    archive: str | None = Field(default=None, max_length=200)
    # Nơi nhận lines that name no unit of the tree ("Bộ Y tế (b/c)", the issuer's own leaders): printed as
    # written, never mailed.
    printed: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"))
    # The signed original (cascade.documents.originals keeps it by content hash in the data folder).
    original_name: str | None = Field(default=None, max_length=255)
    original_sha256: str | None = Field(default=None, max_length=64)
    original_mime: str | None = Field(default=None, max_length=100)
    original_size: int | None = None


class Directive(DirectiveBase, table=True):
    __table_args__ = (UniqueConstraint("issuer_id", "year", "number", name="uq_directive_issuer_year_number"),)

    id: int | None = Field(default=None, primary_key=True)
    issuer_id: int = Field(foreign_key="unit.id", index=True)
    year: int
    parent_directive_id: int | None = Field(default=None, foreign_key="directive.id", index=True)
    # The assignment (of the parent directive) that this directive implements, when issued in-system.
    parent_assignment_id: int | None = Field(default=None, index=True)
    source: str = Field(default="file", max_length=20)  # file | forward | author
    # Hash of the file's content: relaunching the same file resumes, a different one is refused.
    content_hash: str | None = Field(default=None, max_length=64)
    dispatched_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    # Its life after launch (cascade/lifecycle): the version in force (the older ones are in directive_version),
    version: int = 1
    # withdrawn (thu hồi, edXML 13) and why: the implementing directives issued under it are recalled with it,
    recalled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    recall_reason: str | None = None
    # the directive that replaced it (thay thế: a directive file's `replaces:`),
    replaced_by_id: int | None = None
    # and when it stopped being in force (recalled or replaced, itself or with the directive it implements): a
    # closed directive is never chased, and its links accept nothing (cascade/lifecycle/closed.py).
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # The directive whose recall or replacement closed this one with it (None: it was closed itself).
    closed_by_id: int | None = None


class Recipient(SQLModel, table=True):
    """A line of the directive's "Nơi nhận" that names a unit, with its role."""

    __table_args__ = (UniqueConstraint("directive_id", "unit_id", name="uq_recipient"),)

    id: int | None = Field(default=None, primary_key=True)
    directive_id: int = Field(foreign_key="directive.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    role: Role = Field(sa_type=StrEnumType(Role, 10))
    # Overrides the directive's cascade_mode for this unit (forward | author).
    mode: CascadeMode | None = Field(default=None, sa_type=StrEnumType(CascadeMode, 20))


class DirectiveTask(SQLModel, table=True):
    """A task of section "Tổ chức thực hiện", addressed to unit codes and/or unit kinds."""

    id: int | None = Field(default=None, primary_key=True)
    directive_id: int = Field(foreign_key="directive.id", index=True)
    seq: int
    text: str
    to_codes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    to_kinds: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))

    def applies_to(self, code: str, kind: str) -> bool:
        return code in self.to_codes or kind in self.to_kinds


def task_dict(task: DirectiveTask) -> dict[str, Any]:
    return {"seq": task.seq, "text": task.text, "to": task.to_codes, "to_kinds": task.to_kinds}
