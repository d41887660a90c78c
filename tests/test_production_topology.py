"""Production topology on this machine: `prefect server` on PostgreSQL, `prefect deploy --all`, process workers, the
project's database on PostgreSQL, cascade runs as deployment runs, real mail and a real acknowledgement; and a
worker killed in the middle of a dispatch, finished by Prefect's retry and the next run.

Runs on the PostgreSQL pass of `.ci/run` (CASCADE_TEST_DATABASE_URL set); everything it starts, it stops. One
Prefect server (and its deployments) serves every test of the module: each test starts its own workers."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlmodel import col, select
from typer.testing import CliRunner

from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.dev.links import confirm_receipt, links_in
from cascade.dev.smtp_sink import SmtpSink
from models import Acknowledgement, Assignment, AuditLog, MailStatus, OutboxMessage, Unit
from tests.cascade_helpers import pg_database, wait_for
from tests.conftest import PG_URL, PROJECT, free_port

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL: set CASCADE_TEST_DATABASE_URL")
PREFECT = str(Path(sys.executable).with_name("prefect"))
POOL = "cascade-pool"
DIRECTIVE_RUN = "cascade-directive/cascade-directive"


def _server() -> str:
    assert PG_URL
    return PG_URL


@pytest.fixture
def db_url() -> Iterator[str]:
    """The project's database for this test: its own, so no other run on the same server can touch it."""
    with pg_database(_server(), f"cascade_topology_{os.getpid()}") as url:
        yield url


class Processes:
    """Processes started by the test, each in its own process group, stopped in reverse order."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        proc = subprocess.Popen(args, cwd=PROJECT, env=env or self.env, stdout=log, stderr=subprocess.STDOUT,
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


@dataclass
class PrefectServer:
    api: str
    settings: dict[str, str]  # the PREFECT_* variables of every process that talks to it
    logs: Path

    def processes(self, logs: Path, **cascade: str) -> Processes:
        """Processes for a test: this server's PREFECT_* settings, the test's CASCADE_* (and `cascade` on top)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        return Processes({**env, **self.settings, **cascade}, logs)


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    """`prefect server` on its own PostgreSQL database, a process work pool, and the deployments of prefect.yaml."""
    logs = tmp_path_factory.mktemp("prefect-server")
    with pg_database(_server(), f"cascade_prefect_{os.getpid()}") as url:
        port = free_port()
        server = PrefectServer(
            f"http://127.0.0.1:{port}/api",
            {
                "PREFECT_HOME": str(logs / "prefect-home"),
                "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
                "PREFECT_API_DATABASE_CONNECTION_URL": url.replace("postgresql://", "postgresql+asyncpg://", 1),
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "PREFECT_WORKER_QUERY_SECONDS": "1",
                "PREFECT_WORKER_PREFETCH_SECONDS": "1",
                "PREFECT_LOGGING_LEVEL": "INFO",
                # Services these tests do not need: a quicker server start on a busy machine.
                "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
                "PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED": "false",
                "PREFECT_SERVER_SERVICES_FOREMAN_ENABLED": "false",
            },
            logs,
        )
        procs = server.processes(logs)
        try:
            procs.start("server", PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui")
            wait_for(lambda: httpx.get(f"{server.api}/health", timeout=2).status_code == 200, "prefect server", 90)
            procs.run(PREFECT, "work-pool", "create", POOL, "--type", "process")
            procs.run(PREFECT, "--no-prompt", "deploy", "--all", timeout=90)
            yield server
        finally:
            procs.stop()


def test_deployment_run_on_server_and_two_workers(
    settings: Settings, mailbox: SmtpSink, web: str, prefect_server: PrefectServer, tmp_path: Path
) -> None:
    org, directive = generate_tree(tmp_path, 40)
    procs = prefect_server.processes(tmp_path)
    try:
        for n in (1, 2):
            procs.start(f"worker{n}", PREFECT, "worker", "start", "--pool", POOL, "--name", f"worker-{n}")
        wait_for(lambda: {"worker-1", "worker-2"} <= _workers(prefect_server.api), "two workers online")

        schema = httpx.get(f"{prefect_server.api}/deployments/name/{DIRECTIVE_RUN}").json()
        fields = schema["parameter_openapi_schema"]["properties"]
        assert "directive file" in fields["directive_file"]["description"] and "number" in fields

        out = procs.run(*deployment_run(directive, watch=True), timeout=150)
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


FAILED_AT, KILLED_AFTER = 40, 120  # the 250 that send-batch fails after; the messages received when the worker dies


@pytest.mark.parametrize("adapter", [False, True], ids=["without an adapter", "with the relay's acceptance log"])
def test_a_worker_killed_mid_dispatch_is_finished_by_the_next_run(
    settings: Settings, mailbox: SmtpSink, prefect_server: PrefectServer, tmp_path: Path, adapter: bool
) -> None:
    """One dispatch, interrupted twice on the real path. First `send-batch` fails right after the 40th 250, before
    that acceptance is in the journal (a database lost at that instant): Prefect retries the task in the same
    flow run, and the retry's recovery settles the group from the journal. Then, 120 messages in, the worker
    and its flow run are SIGKILLed. A new worker takes the next deployment run, which finishes the dispatch.

    The SMTP sink's own record (what it accepted, by Message-ID) is the oracle. Every notice arrives at least
    once. Without an adapter the message accepted at the failure is resent (exactly one duplicate) and the one in
    flight at the kill may be (one connection: at most one more). With the relay's acceptance log read back
    (CASCADE_DELIVERY_LOG=jsonl:…, written by the sink apart from its record), none is sent twice."""
    _, directive = generate_tree(tmp_path, 200)  # 202 notices: a federation, an intermediate, 200 units
    cascade = {"CASCADE_SMTP_CONNECTIONS": "1"}  # one message in flight at any moment: the bound is exact
    if adapter:
        accepted = tmp_path / "relay-accepted.jsonl"
        accepted.touch()
        mailbox.handler.acceptance_log = accepted
        cascade["CASCADE_DELIVERY_LOG"] = f"jsonl:{accepted}"
    procs = prefect_server.processes(tmp_path, **cascade)
    try:
        failing = {**procs.env, "CASCADE_FAILPOINTS": f"after-accept@{FAILED_AT}:raise"}
        worker = procs.start("worker-a", PREFECT, "worker", "start", "--pool", POOL, "--name", "worker-a", env=failing)
        procs.run(*deployment_run(directive))
        # More than FAILED_AT received: only Prefect's retry of send-batch, in the same flow run, sends those.
        wait_for(lambda: len(mailbox.messages) >= KILLED_AFTER, "the retried send-batch at work", 120, worker)
        kill_tree(worker.pid)
        with session_scope() as session:
            unsent = session.exec(select(OutboxMessage.id).where(OutboxMessage.status != MailStatus.sent)).all()
        assert len(unsent) > 0  # killed in the middle of the dispatch

        procs.start("worker-b", PREFECT, "worker", "start", "--pool", POOL, "--name", "worker-b")
        out = procs.run(*deployment_run(directive, watch=True), timeout=150)
        assert "Completed" in out, out
    finally:
        procs.stop()

    copies = Counter(str(m.message["Message-ID"]) for m in mailbox.messages)
    with session_scope() as session:
        notices = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "notice")).all()
        events = Counter(str(a.event) for a in session.exec(select(AuditLog)).all())
    assert len(notices) == 202 and {n.status for n in notices} == {MailStatus.sent}
    assert all(copies[str(n.message_id)] >= 1 for n in notices)  # every notice received at least once
    assert set(copies) == {n.message_id for n in notices}
    duplicated = sum(n - 1 for n in copies.values())
    if adapter:
        assert duplicated == 0, copies.most_common(3)
    else:
        assert 1 <= duplicated <= 2, copies.most_common(3)
    # The retry settled the failed group from the journal: the 39 acceptances before the failure (and, with the
    # relay's log, the 40th) were marked sent, not sent again.
    assert events["mail_in_doubt_delivered"] >= FAILED_AT - 1 + adapter
    assert bool(events["mail_in_doubt_resent"]) is not adapter


def generate_tree(folder: Path, units: int) -> tuple[Path, Path]:
    """A generated tree of `units` grassroots units (a federation and an intermediate above), imported, and a
    directive to every unit."""
    org, directive = folder / "org.yaml", folder / "directive.yaml"
    runner = CliRunner()
    generated = runner.invoke(
        app, ["org", "generate", "--out", str(org), "--units", str(units), "--directive", str(directive)]
    )
    assert generated.exit_code == 0, generated.output
    imported = runner.invoke(app, ["org", "import", str(org)])
    assert imported.exit_code == 0, imported.output
    return org, directive


def deployment_run(directive: Path, watch: bool = False) -> tuple[str, ...]:
    run = (PREFECT, "deployment", "run", DIRECTIVE_RUN, "--param", f"directive_file={directive}")
    return (*run, "--watch", "--watch-timeout", "120") if watch else run


def kill_tree(pid: int) -> None:
    """SIGKILL a process and everything below it (the worker and the flow-run process it started, which Prefect
    puts in a session of its own), as when the machine or container running them is lost."""
    family, queue = [], [pid]
    while queue:
        parent = queue.pop()
        family.append(parent)
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                queue += [int(child) for child in (task / "children").read_text().split()]
            except (FileNotFoundError, ProcessLookupError):
                continue
    for member in family:
        try:
            os.kill(member, signal.SIGKILL)
        except ProcessLookupError:
            continue
    wait_for(lambda: all(_gone(member) for member in family), "the killed processes to be gone", 20)


def _gone(pid: int) -> bool:
    try:
        state = re.search(r"^State:\s+(\S)", Path(f"/proc/{pid}/status").read_text(), re.MULTILINE)
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state is not None and state.group(1) in "ZX"  # a zombie has stopped: only its exit status is left


def _recipient_emails() -> list[str]:
    with session_scope() as session:
        query = select(Unit.email).join(Assignment, col(Assignment.unit_id) == col(Unit.id))
        return list(session.exec(query).all())


def _workers(api: str) -> set[str]:
    response = httpx.post(f"{api}/work_pools/{POOL}/workers/filter", json={}, timeout=5)
    response.raise_for_status()
    return {w["name"] for w in response.json() if w.get("status") == "ONLINE"}
