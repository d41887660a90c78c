"""One pydantic-settings object for the whole project, in groups; every variable is prefixed CASCADE_.

The groups (`delivery`, `web`, `documents`, `calendar`, `faults`) only organise the attributes: each reads its variables
under their plain names (CASCADE_SMTP_HOST, not CASCADE_DELIVERY__SMTP_HOST), so a deployment's environment
reads the same whatever group a setting sits in."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# An empty variable means its default (CASCADE_DELIVERY_LOG="" is no log, CASCADE_DISPATCH_PROCESSES="" one process).
ENV = SettingsConfigDict(env_prefix="CASCADE_", extra="ignore", env_ignore_empty=True)


class MissingSecretKey(RuntimeError):
    """Raised when something that signs links starts without CASCADE_SECRET_KEY."""


class DeliverySettings(BaseSettings):
    """The mail server, the sender's pace and patience, and how a dispatch is cut into batches."""

    model_config = ENV

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_connections: int = Field(default=4, ge=1, le=64)
    smtp_timeout: float = 30.0
    mail_from: str = "LĐLĐ tỉnh <no-reply@cascade.example>"
    # Units per Prefect task (render, then send). Each batch costs two task runs and a start and an end of
    # its SMTP connections; at 100,754 units on 2 cores: 500 → ≈1,500–1,600 notices/s, 1,000 → ≈1,730/s,
    # 2,000–5,000 → ≈1,740–1,830/s. 1,000 keeps most of the gain with 101 task runs a kind in the UI.
    batch_size: int = Field(default=1000, ge=1)
    # Processes that render, then send, the batches when > 1 (flows/cascade_directive.py), for machines with cores
    # to spare. On the 2-core machine it was measured on it did not pay (10,000 units: 180 notices/s in two
    # processes, 333 in one, before the render/send pipeline), hence 1: one process, render and send overlapping.
    dispatch_processes: int = Field(default=1, ge=0)  # 0 or 1: one process
    # Backoff between tries of one message inside a batch (4xx, refused or lost connection), seconds.
    retry_delays: list[float] = [0.5, 2.0, 5.0]
    # Maildir of the mail server's accepted messages, to settle rows left in doubt (unset: resend them).
    delivery_log: str | None = None
    # A row claimed by a sender on another machine is taken back after this many seconds.
    claim_lease_seconds: float = 900.0
    # Messages a connection commits 'sending' (and then 'sent') together: two commits per group, not two per
    # message. The send journal (cascade.delivery.send_journal) records each acceptance in between, so the size
    # only matters when a sender dies on another machine (its group is resent). Measured here, 5,000 notices:
    # 1 → ≈400/s, 20 → ≈1,000/s, 50 → ≈1,100/s.
    send_group: int = Field(default=50, ge=1, le=500)
    # Directory of the senders' journals of accepted messages (default: one per database in the temp dir).
    send_journal: str | None = None


class WebSettings(BaseSettings):
    """The web app: its public address, the key that signs the links, the admin login, uploads."""

    model_config = ENV

    public_url: str = "http://127.0.0.1:8000"
    secret_key: str | None = None
    # Older keys still accepted for links already sent (key rotation), comma separated.
    old_secret_keys: str = ""
    admin_user: str = "admin"
    admin_password: str | None = None
    # A maildir of received .eml files (the demo's SMTP sink): when set, `cascade web` serves /inbox.
    inbox_dir: str | None = None
    upload_dir: str = "uploads"
    upload_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1)

    @property
    def public_host(self) -> str:
        return urlsplit(self.public_url).hostname or "127.0.0.1"

    @property
    def public_port(self) -> int:
        parts = urlsplit(self.public_url)
        return parts.port or (443 if parts.scheme == "https" else 80)

    def signing_keys(self) -> list[str]:
        """Keys for itsdangerous, oldest first and the current one last (the one that signs)."""
        if not self.secret_key:
            raise MissingSecretKey(
                "CASCADE_SECRET_KEY is not set: it signs every link in the emails. "
                "Set it to a long random string (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)."
            )
        old = [k.strip() for k in self.old_secret_keys.split(",") if k.strip()]
        return [*old, self.secret_key]


class DocumentSettings(BaseSettings):
    """Where the signed originals are kept and how large they may be."""

    model_config = ENV

    # The data folder: originals by content hash under originals/ (shared storage when workers run on several
    # machines, like the database).
    data_dir: str = "cascade-data"
    # An original larger than this is refused when the directive is read.
    original_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    # Above this an email carries a download link bound to the unit's token instead of the original itself.
    attachment_max_bytes: int = Field(default=10 * 1024 * 1024, ge=0)


class CalendarSettings(BaseSettings):
    """Working days and the clock."""

    model_config = ENV

    # Days off besides weekends and public holidays (comma-separated ISO dates).
    extra_days_off: str = ""
    # Replays history: the clock starts at this instant and runs on in real time (the demo of a 2021 directive,
    # tests). Never set in production.
    clock_start: datetime | None = None

    @field_validator("clock_start", mode="before")
    @classmethod
    def _aware(cls, value: object) -> object:
        if value in ("", None):
            return None
        moment = datetime.fromisoformat(str(value)) if not isinstance(value, datetime) else value
        if moment.tzinfo is None:
            raise ValueError("CASCADE_CLOCK_START needs a time zone, e.g. 2021-05-20T08:00:00+07:00")
        return moment


class FaultSettings(BaseSettings):
    """Crash points for the fault bench and its tests (cascade.core.failpoints); empty in production."""

    model_config = ENV

    failpoints: str = ""


class Settings(BaseSettings):
    model_config = ENV

    database_url: str = "sqlite:///cascade.db"
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    web: WebSettings = Field(default_factory=WebSettings)
    documents: DocumentSettings = Field(default_factory=DocumentSettings)
    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    faults: FaultSettings = Field(default_factory=FaultSettings)


@lru_cache
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (tests and the demo change the environment)."""
    get_settings.cache_clear()
