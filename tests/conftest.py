"""Real parts for every test: an aiosmtpd server, a SQLite file (or PostgreSQL), Prefect's test harness, uvicorn."""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from cascade.core.db import get_engine, session_scope  # noqa: E402
from cascade.core.settings import Settings, get_settings, reset_settings  # noqa: E402
from cascade.dev.smtp_sink import SmtpSink  # noqa: E402
from cascade.org.orgtree import import_org, parse_org  # noqa: E402
from models.schema import init_db
from tests.cascade_helpers import pg_database  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent
EXAMPLES = PROJECT / "examples"
SAMPLE_ORG = EXAMPLES / "laichau-2021.yaml"
SAMPLE_DIRECTIVE = EXAMPLES / "252-KH-LDLD.yaml"
PG_URL = os.environ.get("CASCADE_TEST_DATABASE_URL")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(autouse=True)
def restore_cascade_environment() -> Iterator[None]:
    """Code under test (the demo) may set CASCADE_* variables itself; none of them outlives its test."""
    before = {k: v for k, v in os.environ.items() if k.startswith("CASCADE_")}
    yield
    for key in [k for k in os.environ if k.startswith("CASCADE_")]:
        if key not in before:
            del os.environ[key]
    os.environ.update(before)
    reset_settings()


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One Prefect test server for the whole session (it takes seconds to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpSink]:
    with SmtpSink(port=0) as sink:
        yield sink


@pytest.fixture
def mailbox(smtp_server: SmtpSink) -> Iterator[SmtpSink]:
    smtp_server.handler.clear()
    yield smtp_server
    smtp_server.handler.clear()


@pytest.fixture(scope="session")
def pg_run_url() -> Iterator[str | None]:
    """This run's own PostgreSQL database, created on CASCADE_TEST_DATABASE_URL's server and dropped at the end:
    two runs at once (two sessions, CI beside a developer) never share tables."""
    if not PG_URL:
        yield None
        return
    with pg_database(PG_URL, f"cascade_test_{os.getpid()}_{secrets.token_hex(4)}") as url:
        yield url


@pytest.fixture
def db_url(tmp_path: Path, pg_run_url: str | None) -> Iterator[str]:
    """A fresh database per test: a SQLite file, or this run's PostgreSQL database emptied and made again."""
    if pg_run_url:
        engine = get_engine(pg_run_url)
        with engine.begin() as connection:  # the last test's tables, and its schema revision, gone
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        init_db(engine)
        yield pg_run_url
    else:
        yield f"sqlite:///{tmp_path / 'cascade.db'}"


@pytest.fixture
def settings(db_url: str, mailbox: SmtpSink, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Settings]:
    monkeypatch.setenv("CASCADE_DATABASE_URL", db_url)
    monkeypatch.setenv("CASCADE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CASCADE_UPLOAD_DIR", str(tmp_path / "uploads"))  # a report's files: never the checkout's
    monkeypatch.setenv("CASCADE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CASCADE_SMTP_PORT", str(mailbox.port))
    monkeypatch.setenv("CASCADE_SMTP_SECURITY", "none")  # the local sink speaks plain SMTP (no TLS, no AUTH)
    monkeypatch.setenv("CASCADE_PUBLIC_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("CASCADE_SECRET_KEY", "test-secret-key-0123456789")
    monkeypatch.setenv("CASCADE_MAIL_FROM", "LĐLĐ tỉnh Lai Châu <no-reply@laichau.example>")
    # The tests run each dispatch themselves and count what it sent; the web app's immediate pass-on
    # (web/passon_trigger.py) has its own tests, which set `now`.
    monkeypatch.setenv("CASCADE_PASSON_DISPATCH", "schedule")
    reset_settings()
    init_db()
    yield get_settings()
    reset_settings()


@pytest.fixture
def engine(settings: Settings) -> Engine:
    return get_engine(settings.database_url)


@pytest.fixture
def sample_org(engine: Engine) -> None:
    with session_scope() as session:
        import_org(session, parse_org(SAMPLE_ORG), source=str(SAMPLE_ORG))


@pytest.fixture
def web(settings: Settings) -> Iterator[str]:
    """The real web app served by uvicorn on CASCADE_PUBLIC_URL's port; yields the base URL."""
    from cascade.dev.webserver import BackgroundServer
    from web.app import create_app

    with BackgroundServer(create_app(settings), settings.web.public_host, settings.web.public_port):
        yield settings.web.public_url
