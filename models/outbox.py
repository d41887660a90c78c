"""The email outbox: one row per notice owed, the unit of work of every send (django-post_office style)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from models.types import StrEnumType, UTCDateTime, utcnow


class MailStatus(StrEnum):
    pending = "pending"
    # Claimed by one sender (committed before MAIL FROM): nothing has reached the server yet.
    claimed = "claimed"
    # Committed just before the message data goes out: the server may have accepted it ("in doubt").
    sending = "sending"
    sent = "sent"
    failed = "failed"  # temporary failure, will be retried
    bounced = "bounced"  # permanent refusal (5xx): not retried
    # Never handed to the server, and no longer owed: its directive was recalled (cascade/lifecycle/recall.py).
    cancelled = "cancelled"


class OutboxMessage(SQLModel, table=True):
    __table_args__ = (Index("ix_outbox_status_id", "status", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    # Unique per notice (e.g. "notice:42"): a rerun that owes the same notice finds it instead of adding one.
    key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=40)
    directive_id: int | None = Field(default=None, foreign_key="directive.id", index=True)
    assignment_id: int | None = Field(default=None, foreign_key="assignment.id", index=True)
    to_addr: str = Field(max_length=320)
    to_name: str = Field(default="", max_length=300)
    # The sender's display name (the issuing unit); empty: the one of CASCADE_MAIL_FROM. The address is always its.
    from_name: str = Field(default="", max_length=300)
    # The document part every notice of a directive shares, spliced in when the message is sent (MailDocument).
    document_id: int | None = Field(default=None, foreign_key="mail_document.id")
    subject: str  # the bodies are in OutboxBody: this row changes state several times, they never do
    status: MailStatus = Field(default=MailStatus.pending, sa_type=StrEnumType(MailStatus, 20))
    attempts: int = 0
    last_error: str | None = None
    message_id: str | None = Field(default=None, max_length=200)
    # Who holds a claimed/sending row ("host:pid:call") and since when: a rerun recovers rows of dead senders.
    claimed_by: str | None = Field(default=None, max_length=200)
    claimed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class OutboxBody(SQLModel, table=True):
    """A message's two bodies, written once with its outbox row and read once when it is sent.

    Kept apart because SQLite rewrites a whole record at every update: with the bodies (about 5 KB, in
    overflow pages) on the outbox row, each state change of a notice rewrote them (42 KB written per notice)."""

    __tablename__ = "outbox_body"

    message_id: int = Field(foreign_key="outboxmessage.id", primary_key=True)
    body_text: str
    body_html: str


class MailDocument(SQLModel, table=True):
    """What every notice of a directive carries besides its own cover: the whole document (and, for a pass-on,
    the documents it implements) and the signed original's attachment, stored once per directive.

    A national directive has 100,000 notices and its document is 15–40 KB: copied into each outbox body it
    would be gigabytes written once and read once. The notice bodies hold a marker where it goes instead
    (cascade.delivery.mailmessage.DOCUMENT_MARKER), filled in by the sender."""

    __tablename__ = "mail_document"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)  # "directive:<id>": a rerun finds the one already made
    body_text: str
    body_html: str
    # The originals attached to every message: [{"sha256", "name", "mime", "size"}] (cascade.documents.originals
    # keeps the bytes by their sha256). An original above the attachment limit is not here: the cover links it.
    attachments: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
