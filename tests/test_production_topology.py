"""Production topology on this machine: `prefect server` on PostgreSQL, `prefect deploy --all`, process workers, the
project's database on PostgreSQL, cascade runs as deployment runs, real mail and a real acknowledgement; and a
worker killed in the middle of a dispatch, finished by Prefect's retry and the next run.

Runs on the PostgreSQL pass of `.ci/run` (CASCADE_TEST_DATABASE_URL set); everything it starts, it stops. One
Prefect server (and its deployments, tests/topology_fixtures.py) serves every test of the run: each test starts
its own workers."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import col, select

from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.dev.links import confirm_receipt, links_in
from cascade.dev.smtp_sink import SmtpSink
from cascade.dev.topology import wait_until
from models import Acknowledgement, Assignment, AuditLog, MailStatus, OutboxMessage, Unit
from tests import topology_fixtures
from tests.cascade_helpers import pg_database
from tests.conftest import PG_URL
from tests.topology_fixtures import (
    DIRECTIVE_RUN,
    POOL,
    PREFECT,
    PrefectServer,
    deployment_run,
    generate_tree,
    kill_tree,
)

# The run's one Prefect server: every module that takes this fixture from tests.topology_fixtures gets the same.
prefect_server = topology_fixtures.prefect_server
pytestmark = pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL: set CASCADE_TEST_DATABASE_URL")


@pytest.fixture
def db_url() -> Iterator[str]:
    """The project's database for this test: its own, so no other run on the same server can touch it."""
    assert PG_URL
    with pg_database(PG_URL, f"cascade_topology_{os.getpid()}") as url:
        yield url


def test_deployment_run_on_server_and_two_workers(
    settings: Settings, mailbox: SmtpSink, web: str, prefect_server: PrefectServer, tmp_path: Path
) -> None:
    org, directive = generate_tree(tmp_path, 40)
    procs = prefect_server.processes(tmp_path)
    try:
        prefect_server.start_workers(procs, ["worker-1", "worker-2"])  # returns once both are ONLINE

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
    # One message in flight at any moment: the bound is exact. Paced at 50 a second, so that the kill, which
    # follows the sink's count by a poll (0.2 s) and the walk of the worker's process tree, lands while some 70
    # notices are still owed: unpaced, the whole dispatch could end within that poll. (Paced, the kill lands
    # more often between two messages than during one, so the one in flight is repeated less often.)
    cascade = {"CASCADE_SMTP_CONNECTIONS": "1", "CASCADE_RATE_PER_MINUTE": "3000"}
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
        wait_until(lambda: len(mailbox.messages) >= KILLED_AFTER, "the retried send-batch at work", 120, worker)
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


def _recipient_emails() -> list[str]:
    with session_scope() as session:
        query = select(Unit.email).join(Assignment, col(Assignment.unit_id) == col(Unit.id))
        return list(session.exec(query).all())
