"""Production topology on this machine: `prefect server` on PostgreSQL, `prefect deploy --all`, two process workers,
the project's database on PostgreSQL, a cascade run as a deployment run, real mail and a real acknowledgement.

Runs on the PostgreSQL pass of `.ci/run` (CASCADE_TEST_DATABASE_URL set); everything it starts, it stops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlmodel import col, select
from typer.testing import CliRunner

from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.dev.links import confirm_receipt, links_in
from cascade.dev.smtp_sink import SmtpSink
from models import Acknowledgement, Assignment, Unit
from tests.cascade_helpers import wait_for
from tests.conftest import PG_URL, PROJECT, free_port

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL: set CASCADE_TEST_DATABASE_URL")
PREFECT = str(Path(sys.executable).with_name("prefect"))
POOL = "cascade-pool"


def _admin_url() -> str:
    assert PG_URL
    return PG_URL.replace("postgresql+psycopg://", "postgresql://")


@contextmanager
def scratch_database(name: str) -> Iterator[str]:
    """A PostgreSQL database of its own (created, then dropped), next to CASCADE_TEST_DATABASE_URL's."""
    with psycopg.connect(_admin_url(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{_admin_url().rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(_admin_url(), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def db_url() -> Iterator[str]:
    """The project's database for this test: its own, so no other run on the same server can touch it."""
    with scratch_database(f"cascade_topology_{os.getpid()}") as url:
        yield url


@pytest.fixture
def prefect_database() -> Iterator[str]:
    """Prefect's server database, as the asyncpg URL that PREFECT_API_DATABASE_CONNECTION_URL takes."""
    with scratch_database(f"cascade_prefect_{os.getpid()}") as url:
        yield url.replace("postgresql://", "postgresql+asyncpg://", 1)


class Processes:
    """Processes started by the test, each in its own process group, stopped in reverse order."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        proc = subprocess.Popen(args, cwd=PROJECT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip
        self.started.append(proc)
        return proc

    def run(self, *args: str, timeout: float = 60) -> str:
        done = subprocess.run(args, cwd=PROJECT, env=self.env, capture_output=True, text=True, timeout=timeout)
        assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
        return done.stdout

    def stop(self) -> None:
        for proc in reversed(self.started):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in reversed(self.started):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)


def test_deployment_run_on_server_and_two_workers(
    settings: Settings, mailbox: SmtpSink, web: str, prefect_database: str, tmp_path: Path
) -> None:
    org, directive = tmp_path / "org.yaml", tmp_path / "directive.yaml"
    runner = CliRunner()
    generated = runner.invoke(
        app, ["org", "generate", "--out", str(org), "--units", "40", "--directive", str(directive)]
    )
    assert generated.exit_code == 0, generated.output
    assert runner.invoke(app, ["org", "import", str(org)]).exit_code == 0

    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(tmp_path / "prefect-home"),
        PREFECT_API_URL=api,
        PREFECT_API_DATABASE_CONNECTION_URL=prefect_database,
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_WORKER_QUERY_SECONDS="1",
        PREFECT_WORKER_PREFETCH_SECONDS="1",
        PREFECT_LOGGING_LEVEL="INFO",
        # Services this test does not need: a quicker server start on a busy machine.
        PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED="false",
        PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED="false",
        PREFECT_SERVER_SERVICES_FOREMAN_ENABLED="false",
    )
    procs = Processes(env, tmp_path)
    try:
        procs.start("server", PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui")
        wait_for(lambda: httpx.get(f"{api}/health", timeout=2).status_code == 200, "prefect server", timeout=90)
        procs.run(PREFECT, "work-pool", "create", POOL, "--type", "process")
        for n in (1, 2):  # the workers start (≈5 s of imports each) while `prefect deploy` runs
            procs.start(f"worker{n}", PREFECT, "worker", "start", "--pool", POOL, "--name", f"worker-{n}")
        procs.run(PREFECT, "--no-prompt", "deploy", "--all", timeout=90)
        wait_for(lambda: {"worker-1", "worker-2"} <= _workers(api), "two workers online")

        schema = httpx.get(f"{api}/deployments/name/cascade-directive/cascade-directive").json()
        fields = schema["parameter_openapi_schema"]["properties"]
        assert "directive file" in fields["directive_file"]["description"] and "number" in fields

        param = f"directive_file={directive}"
        run = (PREFECT, "deployment", "run", "cascade-directive/cascade-directive", "--param", param, "--watch")
        out = procs.run(*run, "--watch-timeout", "120", timeout=150)
        assert "Completed" in out, out
    finally:
        procs.stop()
    for proc in procs.started:
        assert proc.poll() is not None

    received = sorted(rcpt for message in mailbox.messages for rcpt in message.rcpt_tos)
    assert received == sorted(_recipient_emails()) and len(received) == 1 + 1 + 40  # federation, intermediate, 40
    link = links_in(mailbox.messages[-1].text(), web)[0]
    with httpx.Client() as client:
        assert confirm_receipt(client, link).status_code == 200
    with session_scope() as session:
        assert len(session.exec(select(Acknowledgement)).all()) == 1
        statuses = {a.status for a in session.exec(select(Assignment)).all()}
    assert statuses == {"arrived", "acknowledged"}


def _recipient_emails() -> list[str]:
    with session_scope() as session:
        query = select(Unit.email).join(Assignment, col(Assignment.unit_id) == col(Unit.id))
        return list(session.exec(query).all())


def _workers(api: str) -> set[str]:
    response = httpx.post(f"{api}/work_pools/{POOL}/workers/filter", json={}, timeout=5)
    response.raise_for_status()
    return {w["name"] for w in response.json() if w.get("status") == "ONLINE"}
