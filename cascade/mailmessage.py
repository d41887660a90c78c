"""What the mailer sends and how patiently: the email built from an outbox row, and the delivery settings."""

from __future__ import annotations

from email.message import Message
from email.utils import parseaddr

from pydantic_settings import BaseSettings, SettingsConfigDict

from cascade.mime import build_mime
from cascade.settings import Settings
from models import OutboxMessage


class DeliverySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CASCADE_", extra="ignore")

    # Backoff between tries of one message inside a batch (4xx, refused or lost connection), seconds.
    retry_delays: list[float] = [0.5, 2.0, 5.0]
    # Maildir of the mail server's accepted messages, to settle rows left in doubt (unset: resend them).
    delivery_log: str | None = None
    # A row claimed by a sender on another machine is taken back after this many seconds.
    claim_lease_seconds: float = 900.0


def message_id_for(row: OutboxMessage, settings: Settings) -> str:
    """Deterministic: the same row always carries the same Message-ID, so a resend is recognisable."""
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "cascade.local"
    stamp = int(row.created_at.timestamp() * 1_000_000)
    return f"<{row.key.replace(':', '-')}.{stamp}@{domain}>"


def build_email(settings: Settings, row: OutboxMessage) -> Message:
    return build_mime(
        sender=settings.mail_from,
        to_addr=row.to_addr,
        to_name=row.to_name,
        subject=row.subject,
        text=row.body_text,
        html=row.body_html,
        headers={"Message-ID": row.message_id or message_id_for(row, settings), "X-Cascade-Key": row.key},
    )
