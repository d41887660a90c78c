"""What the mailer sends: the email built from an outbox row (its patience is `Settings.delivery`)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from email.utils import parseaddr
from functools import lru_cache
from typing import Any

from cascade.core.settings import Settings
from cascade.delivery.mime import SharedBody, body_bytes, mime_bytes

# Where a notice's body takes its directive's shared document (models.MailDocument), filled in when it is sent.
# Control characters: no template text, unit name or link can contain them, and autoescape leaves them alone.
DOCUMENT_MARKER = "\x1fcascade-document\x1f"


@dataclass(frozen=True)
class SharedDocument:
    """A MailDocument as a sender holds it: both bodies and the attachments, each encoded once per send call."""

    text: SharedBody
    html: SharedBody
    attachments: tuple[bytes, ...] = ()


@dataclass
class Mail:
    """What sending one outbox row needs: the fields of the message, and where the row stands."""

    id: int
    key: str
    kind: str
    assignment_id: int | None
    to_addr: str
    to_name: str
    from_name: str
    document_id: int | None
    subject: str
    body_text: str
    body_html: str
    message_id: str | None
    created_at: datetime
    data_tried: bool = False  # DATA went out at least once: the server may hold it

    @classmethod
    def of(cls, row: Any) -> Mail:
        """From a row (an OutboxMessage, or a Core row with these columns)."""
        return cls(*(getattr(row, name) for name in MAIL_COLUMNS))


# The outbox columns a Mail is read from (every field but the sender's own bookkeeping).
MAIL_COLUMNS = tuple(f.name for f in fields(Mail) if f.name != "data_tried")


@lru_cache(maxsize=8)
def _domain(mail_from: str) -> str:
    return parseaddr(mail_from)[1].rpartition("@")[2] or "cascade.local"


def message_id_for(row: Mail, settings: Settings) -> str:
    """Deterministic: the same row always carries the same Message-ID, so a resend is recognisable."""
    domain = _domain(settings.delivery.mail_from)
    stamp = int(row.created_at.timestamp() * 1_000_000)
    return f"<{row.key.replace(':', '-')}.{stamp}@{domain}>"


def build_email(settings: Settings, row: Mail, document: SharedDocument | None = None) -> bytes:
    """The message bytes of an outbox row, ready for SMTP DATA: from the issuing unit's name (when the row has
    one) at CASCADE_MAIL_FROM's address, with the row's shared document spliced in and its originals attached."""
    if (row.document_id is None) != (document is None):
        raise ValueError(f"outbox message {row.id} names shared document {row.document_id}, given {document!r:.60}")
    text: bytes | str = row.body_text
    html: bytes | str = row.body_html
    if document is not None:
        text = body_bytes(row.body_text, document.text, DOCUMENT_MARKER)
        html = body_bytes(row.body_html, document.html, DOCUMENT_MARKER)
    return mime_bytes(
        sender=settings.delivery.mail_from,
        sender_name=row.from_name or None,
        to_addr=row.to_addr,
        to_name=row.to_name,
        subject=row.subject,
        text=text,
        html=html,
        headers={
            "Message-ID": row.message_id or message_id_for(row, settings),
            "X-Cascade-Key": row.key,
            # RFC 3834: reminders, digests, escalations and the system's notices are sent by a program, so
            # auto-responders stay silent; a directive's notice is the issuer's own letter and has no such mark.
            **({} if row.kind == "notice" else {"Auto-Submitted": "auto-generated"}),
        },
        attachments=document.attachments if document is not None else (),
    )
