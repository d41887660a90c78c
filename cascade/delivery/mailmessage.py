"""What the mailer sends and how patiently: the email built from an outbox row, and the delivery settings."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from email.utils import parseaddr
from functools import lru_cache
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from cascade.core.settings import Settings
from cascade.delivery.mime import mime_bytes


class DeliverySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CASCADE_", extra="ignore")

    # Backoff between tries of one message inside a batch (4xx, refused or lost connection), seconds.
    retry_delays: list[float] = [0.5, 2.0, 5.0]
    # Maildir of the mail server's accepted messages, to settle rows left in doubt (unset: resend them).
    delivery_log: str | None = None
    # A row claimed by a sender on another machine is taken back after this many seconds.
    claim_lease_seconds: float = 900.0
    # Messages a connection commits 'sending' (and then 'sent') together: two commits per group, not two per
    # message. The send journal (cascade.delivery.send_journal) records each acceptance in between, so the size only
    # matters when a sender dies on another machine (its group is resent). Measured here, 5,000 notices:
    # 1 → ≈400/s, 20 → ≈1,000/s, 50 → ≈1,100/s.
    send_group: int = Field(default=50, ge=1, le=500)
    # Directory of the senders' journals of accepted messages (default: one per database in the temp dir).
    send_journal: str | None = None


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
    domain = _domain(settings.mail_from)
    stamp = int(row.created_at.timestamp() * 1_000_000)
    return f"<{row.key.replace(':', '-')}.{stamp}@{domain}>"


def build_email(settings: Settings, row: Mail) -> bytes:
    """The message bytes of an outbox row, ready for SMTP DATA."""
    return mime_bytes(
        sender=settings.mail_from,
        to_addr=row.to_addr,
        to_name=row.to_name,
        subject=row.subject,
        text=row.body_text,
        html=row.body_html,
        headers={"Message-ID": row.message_id or message_id_for(row, settings), "X-Cascade-Key": row.key},
    )
