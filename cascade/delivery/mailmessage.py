"""What the mailer sends: the email built from an outbox row (its patience is `Settings.delivery`)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from email.utils import parseaddr
from functools import lru_cache
from typing import Any

from cascade.core.settings import Settings
from cascade.delivery.mime import mime_bytes


@dataclass
class Mail:
    """What sending one outbox row needs: the fields of the message, and where the row stands."""

    id: int
    key: str
    kind: str
    assignment_id: int | None
    to_addr: str
    to_name: str
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


def build_email(settings: Settings, row: Mail) -> bytes:
    """The message bytes of an outbox row, ready for SMTP DATA."""
    return mime_bytes(
        sender=settings.delivery.mail_from,
        to_addr=row.to_addr,
        to_name=row.to_name,
        subject=row.subject,
        text=row.body_text,
        html=row.body_html,
        headers={"Message-ID": row.message_id or message_id_for(row, settings), "X-Cascade-Key": row.key},
    )
