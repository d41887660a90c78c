"""One pydantic-settings object for the whole project, in groups; every variable is prefixed CASCADE_.

The groups (`delivery`, `web`, `documents`, `calendar`, `faults`) only organise the attributes: each reads its variables
under their plain names (CASCADE_SMTP_HOST, not CASCADE_DELIVERY__SMTP_HOST), so a deployment's environment
reads the same whatever group a setting sits in."""

from __future__ import annotations

from datetime import datetime, time
from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# An empty variable means its default (CASCADE_DELIVERY_LOG="" is no log, CASCADE_DISPATCH_PROCESSES="" one process).
ENV = SettingsConfigDict(env_prefix="CASCADE_", extra="ignore", env_ignore_empty=True)


class MissingSecretKey(RuntimeError):
    """Raised when something that signs links starts without CASCADE_SECRET_KEY."""


class DeliverySettings(BaseSettings):
    """The mail server, the sender's pace and patience, and how a dispatch is cut into batches."""

    model_config = ENV

    smtp_host: str = "127.0.0.1"
    # 0: the standard port of smtp_security (587 STARTTLS submission, 465 implicit TLS, 25 a trusted relay).
    smtp_port: int = Field(default=0, ge=0, le=65535)
    # starttls by default: a relay reached without TLS is a choice to make (a trusted relay on the LAN), never a
    # fallback taken silently; the demo's and the tests' local sink set none.
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    # A private CA (PEM) to verify the relay's certificate with, instead of the system's CAs; verification is
    # always on (a self-signed relay certificate is its own CA: give the certificate here).
    smtp_ca_file: str | None = None
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_password_file: str | None = None  # or the password in a file (a secret mounted by the service manager)
    smtp_connections: int = Field(default=4, ge=1, le=64)
    smtp_timeout: float = 30.0
    # Messages per minute the sender keeps to (0: as fast as the relay takes them), over all its connections.
    rate_per_minute: float = Field(default=0, ge=0)
    # A Prefect global concurrency limit (create it with 1 slot) each send-batch run holds while it sends, so
    # that senders in several workers take turns and the rate and connection cap hold for the relay.
    smtp_relay_limit: str | None = None
    # DKIM: the selector's TXT record at <selector>._domainkey.<domain> publishes the key's public half.
    dkim_selector: str | None = None
    dkim_domain: str | None = None
    dkim_key_file: str | None = None  # the private key (PEM)
    # Reminders, digests and escalations are sent only between these local times on working days
    # (Asia/Ho_Chi_Minh); the directive's own notices go out at once.
    office_hours_start: time = time(7, 30)
    office_hours_end: time = time(17, 0)
    # The From of mail about no one unit's directives; a notice, a reminder, a digest or an escalation about one
    # unit's directives carries that unit's name at this address. The default names no organisation.
    mail_from: str = "Hệ thống theo dõi văn bản <no-reply@cascade.example>"
    # Units per Prefect task (render, then send). Each batch costs two task runs and a start and an end of
    # its SMTP connections; at 100,754 units on 2 cores: 500 → ≈1,500–1,600 notices/s, 1,000 → ≈1,730/s,
    # 2,000–5,000 → ≈1,740–1,830/s. 1,000 keeps most of the gain with 101 task runs a kind in the UI.
    batch_size: int = Field(default=1000, ge=1)
    # Processes that render, then send, the batches when > 1 (flows/cascade_directive.py), for machines with cores
    # to spare. On the 2-core machine it was measured on it did not pay (10,000 units: 180 notices/s in two
    # processes, 333 in one, before the render/send pipeline), hence 1: one process, render and send overlapping.
    dispatch_processes: int = Field(default=1, ge=0)  # 0 or 1: one process
    # Recipients per partition of a directive dispatched as a deployment run on a Prefect server that has the
    # `dispatch-partition` deployment (flows/partition.py): one child run per partition, so every worker of the
    # pool takes part in one cascade. A directive of at most this many recipients runs whole. 0: never split.
    partition_size: int = Field(default=20_000, ge=0)
    # A partition's run that is still running but has rendered or sent nothing for this long (its worker died:
    # a killed process leaves its run `Running`) is marked crashed and started again; the outbox claims and the
    # send journal keep the new run from sending what the old one sent.
    partition_stall_seconds: float = Field(default=180.0, gt=0)
    # Backoff between tries of one message inside a batch (4xx, refused or lost connection), seconds.
    retry_delays: list[float] = [0.5, 2.0, 5.0]
    # The relay's record of the messages it accepted, read back to settle rows a crash left in doubt:
    # maildir:DIR | jsonl:FILE | postfix:FILE (cascade.delivery.acceptance_logs). Unset: they are resent.
    delivery_log: str | None = None
    # A row claimed by a sender on another machine is taken back after this many seconds (from its claim, or from
    # its group's 'sending' mark, which renews it).
    claim_lease_seconds: float = 900.0
    # Open items the monitor reads, steps and queues the reminders of at a time (cascade/chasing/open_items.py);
    # each page of reminders no digest lists is committed on its own and sent while the next one is taken.
    monitor_page: int = Field(default=2000, ge=1)
    # Messages a connection commits 'sending' (and then 'sent') together: one commit per group, not two per
    # message. The send journal (cascade.delivery.send_journal) records each acceptance in between, so the size
    # only matters when a sender dies on another machine (its group is resent). Measured here, 5,000 notices:
    # 1 → ≈400/s, 20 → ≈1,000/s, 50 → ≈1,100/s.
    send_group: int = Field(default=50, ge=1, le=500)
    # Directory of the senders' journals of accepted messages (fsynced, read by recovery). Default: one per
    # database in the data folder, CASCADE_DATA_DIR/send-journal/<hash of the database URL> (send_journal.py).
    send_journal: str | None = None

    @model_validator(mode="after")
    def _coherent_mail_settings(self) -> DeliverySettings:
        if not self.smtp_port:
            self.smtp_port = STANDARD_PORTS[self.smtp_security]
        if self.office_hours_start >= self.office_hours_end:
            raise ValueError("CASCADE_OFFICE_HOURS_START must be before CASCADE_OFFICE_HOURS_END (e.g. 07:30, 17:00)")
        dkim = {"CASCADE_DKIM_SELECTOR": self.dkim_selector, "CASCADE_DKIM_DOMAIN": self.dkim_domain,
                "CASCADE_DKIM_KEY_FILE": self.dkim_key_file}  # fmt: skip
        if any(dkim.values()) and not all(dkim.values()):
            missing = ", ".join(name for name, value in dkim.items() if not value)
            raise ValueError(f"DKIM signing needs its selector, domain and key file together: set {missing}")
        return self


# The port each kind of submission listens on by default (RFC 8314: 465 implicit TLS; RFC 6409: 587).
STANDARD_PORTS = {"starttls": 587, "tls": 465, "none": 25}


class WebSettings(BaseSettings):
    """The web app: its public address, the key that signs the links, console logins, uploads."""

    model_config = ENV

    public_url: str = "http://127.0.0.1:8000"
    # Where `cascade web` listens, whatever the public URL says (behind a proxy the public URL is the proxy's).
    listen_host: str = "127.0.0.1"
    listen_port: int = Field(default=8000, ge=1, le=65535)
    # Addresses whose X-Forwarded-For / X-Forwarded-Proto are believed (uvicorn's forwarded_allow_ips), comma
    # separated: the proxy's. Empty: none, the client address is the connection's.
    trusted_proxies: str = ""
    # No request body may be larger (a report's five attachments of upload_max_bytes, and its fields).
    request_max_bytes: int = Field(default=51 * 1024 * 1024, ge=1024)
    secret_key: str | None = None
    # Older keys still accepted for links already sent (key rotation), comma separated.
    old_secret_keys: str = ""
    # How long a console login lasts without a new login.
    session_hours: float = Field(default=12.0, gt=0, le=24 * 30)
    # The Prefect UI's address, for links from the console to a directive's flow run (e.g.
    # http://prefect.example:4200); empty: no links.
    prefect_ui_url: str = ""
    # What the web process does when a write leaves a pass-on to dispatch (an acknowledgement in forward mode, a
    # unit's plan, a refusal rerouted): `now` asks for its dispatch at once (web/passon_trigger.py); `schedule`
    # leaves it to the hourly dispatch-pending run (or `cascade dispatch`).
    passon_dispatch: Literal["now", "schedule"] = "now"
    # Pass-ons owed within this many milliseconds of each other leave the web process as one `cascade.pass-on.owed`
    # event (one `pass-on` run) rather than one each (web/passon_trigger.py).
    passon_coalesce_ms: int = Field(default=200, ge=0, le=10_000)
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
