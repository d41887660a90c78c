"""One pydantic-settings object for the whole project; every variable is prefixed CASCADE_."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class MissingSecretKey(RuntimeError):
    """Raised when something that signs links starts without CASCADE_SECRET_KEY."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CASCADE_", extra="ignore")

    database_url: str = "sqlite:///cascade.db"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_connections: int = Field(default=4, ge=1, le=64)
    smtp_timeout: float = 30.0
    mail_from: str = "LĐLĐ tỉnh <no-reply@cascade.example>"
    public_url: str = "http://127.0.0.1:8000"
    secret_key: str | None = None
    # Older keys still accepted for links already sent (key rotation), comma separated.
    old_secret_keys: str = ""
    # Units per Prefect task (render, then send). Each batch costs two task runs and a start and an end of
    # its SMTP connections; at 100,754 units on 2 cores: 500 → ≈1,500–1,600 notices/s, 1,000 → ≈1,730/s,
    # 2,000–5,000 → ≈1,740–1,830/s. 1,000 keeps most of the gain with 101 task runs a kind in the UI.
    batch_size: int = Field(default=1000, ge=1)
    # Processes that render, then send, the batches when > 1 (flows/cascade_directive.py), for machines with cores
    # to spare. On the 2-core machine it was measured on it did not pay (10,000 units: 180 notices/s in two
    # processes, 333 in one, before the render/send pipeline), hence 1: one process, render and send overlapping.
    dispatch_processes: int = Field(default=1, ge=1)
    admin_user: str = "admin"
    admin_password: str | None = None
    # A maildir of received .eml files (the demo's SMTP sink): when set, the web app serves /inbox.
    inbox_dir: str | None = None
    # Reports: days off besides weekends and public holidays (comma-separated ISO dates), attachments.
    extra_days_off: str = ""
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


@lru_cache
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (tests and the demo change the environment)."""
    get_settings.cache_clear()
