"""Production topology, the parts that spread work over Prefect: the pass-on started by an event through the
`pass-on` deployment's trigger, and one directive's dispatch cut into partitions that run on two workers, one of
them killed mid-partition. `prefect server` on PostgreSQL, `prefect deploy --all` of prefect.yaml, process workers,
`cascade web` in its own process, the project on PostgreSQL, real mail; the SMTP sink's record is the oracle.

Runs on the PostgreSQL pass of `.ci/run` (CASCADE_TEST_DATABASE_URL set)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.dev.smtp_sink import SmtpSink
from cascade.dev.topology import flow_runs, start_web, wait_until
from models import Assignment, MailStatus, OutboxMessage
from tests import topology_fixtures
from tests.cascade_helpers import click, directive_file, import_tree, issued_by, numbers_by_unit
from tests.conftest import PG_URL
from tests.topology_fixtures import (
    PrefectServer,
    deployment_run,
    generate_tree,
    kill_tree,
)

# The run's one Prefect server, shared with tests/test_production_topology.py.
prefect_server = topology_fixtures.prefect_server
pytestmark = pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL: set CASCADE_TEST_DATABASE_URL")


@pytest.fixture(autouse=True)
def replay_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASCADE_CLOCK_START", "2021-05-20T08:00:00+07:00")


def test_an_acknowledgement_passes_the_directive_on_through_the_event_trigger(
    settings: Settings, mailbox: SmtpSink, prefect_server: PrefectServer, tmp_path: Path
) -> None:
    import_tree("tree-2021-four-levels.yaml")
    directive = directive_file(tmp_path)
    port = settings.web.public_port
    # `cascade web` as deployed: its own process, the server's PREFECT_API_URL, pass-ons dispatched at once.
    procs = prefect_server.processes(tmp_path, CASCADE_PASSON_DISPATCH="now", CASCADE_LISTEN_PORT=str(port))
    try:
        prefect_server.start_workers(procs, ["events-1", "events-2"])  # returns once both are ONLINE
        start_web(procs)
        out = procs.run(*deployment_run(directive, watch=True), timeout=150)
        assert "Completed" in out, out
        assert set(numbers_by_unit(mailbox)) == {"LDLD", "VP_TU"}

        click(mailbox, settings.web.public_url, "LDLD")  # forward mode: a Công văn issued, owed to three units
        wait_until(lambda: {"D_TD", "D_SH", "CDN_GD"} <= set(numbers_by_unit(mailbox)), "the pass-on's notices", 120)
        click(mailbox, settings.web.public_url, "D_TD")
        wait_until(lambda: {"G_TD1", "G_TD2"} <= set(numbers_by_unit(mailbox)), "the district's pass-on", 120)
        done = lambda: [r["state_type"] for r in flow_runs(prefect_server.api, "pass-on")] == ["COMPLETED"] * 2  # noqa: E731
        wait_until(done, "both pass-on runs to complete", 60)
    finally:
        procs.stop()

    runs = flow_runs(prefect_server.api, "pass-on")
    federation, district = issued_by("LDLD"), issued_by("D_TD")
    carried = [r["parameters"]["directive_ids"] for r in runs]
    assert sorted(carried) == sorted([[federation], [district]]), carried
    # Started by the deployment's trigger (an automation), on a worker, and completed.
    assert {r["created_by"]["type"] for r in runs} == {"AUTOMATION"}, [r["created_by"] for r in runs]
    assert {r["state_type"] for r in runs} == {"COMPLETED"}
    assert all(r["deployment_id"] for r in runs)
    assert flow_runs(prefect_server.api, "dispatch-pending") == []  # no schedule did it
    got = numbers_by_unit(mailbox)
    assert got["D_TD"] == got["D_SH"] == got["CDN_GD"] == ["01/LĐLĐ"] and got["G_TD1"] == ["01/LĐLĐ-TĐ"]


PARTITION = 60  # notices per partition: the 304 notices make five partitions


def test_one_directive_spreads_over_two_workers_and_survives_one_killed(
    settings: Settings, mailbox: SmtpSink, prefect_server: PrefectServer, tmp_path: Path
) -> None:
    """Five partitions of one dispatch. Worker A, which runs two flow runs at a time, takes the parent run and one
    partition; worker B, started next, takes the others. B is SIGKILLed (with its flow-run processes) while one of
    its partitions is sending. The parent sees B's runs make no progress, marks them crashed and starts them
    again, and A finishes them. With the relay's acceptance log read back (CASCADE_DELIVERY_LOG), no notice is
    received twice."""
    _, directive = generate_tree(tmp_path, 300)  # 304 notices: 300 units and the units above them
    accepted = tmp_path / "relay-accepted.jsonl"
    accepted.touch()
    mailbox.handler.acceptance_log = accepted
    cascade = {
        "CASCADE_PARTITION_SIZE": str(PARTITION),
        "CASCADE_BATCH_SIZE": "20",
        "CASCADE_SMTP_CONNECTIONS": "1",
        "CASCADE_RATE_PER_MINUTE": "900",  # 15 a second: the dispatch lasts long enough to be caught mid-way
        "CASCADE_PARTITION_STALL_SECONDS": "45",  # a flow-run process can take 20 s to start here
        "CASCADE_DELIVERY_LOG": f"jsonl:{accepted}",
    }
    procs = prefect_server.processes(tmp_path, **cascade)
    try:
        # A takes two runs at a time (the parent and one partition), so partitions wait for B, which starts next.
        [worker_a] = prefect_server.start_workers(procs, ["part-a"], "--limit", "2")
        # the run's Prefect server keeps other tests' runs (a killed worker's run stays Running): only this one counts
        earlier = {r["id"] for r in flow_runs(prefect_server.api, "cascade-directive")}
        procs.run(*deployment_run(directive))
        wait_until(lambda: _running(prefect_server.api, earlier), "the parent run on worker A", 90)
        [worker_b] = prefect_server.start_workers(procs, ["part-b"])
        log_a, log_b = tmp_path / "part-a.log", tmp_path / "part-b.log"  # Processes logs each by its name
        wait_until(lambda: not _parent_done(prefect_server.api, earlier) and _partition_on(prefect_server.api, log_b),
                   "a partition sending on worker B", 120)  # fmt: skip
        kill_tree(worker_b.pid)
        wait_until(lambda: _parent_done(prefect_server.api, earlier), "the parent run to complete", 300, worker_a)
    finally:
        procs.stop()

    parts = flow_runs(prefect_server.api, "dispatch-partition")
    states = Counter(r["state_type"] for r in parts)
    assert states["COMPLETED"] == 5, states  # every partition finished once
    assert states["CRASHED"] >= 1, states  # the one killed on B, marked by the parent
    on_a, on_b = submitted_by(log_a), submitted_by(log_b)
    assert {r["id"] for r in parts} <= on_a | on_b and {r["id"] for r in parts} & on_a & on_b == set()
    assert any(r["id"] in on_b for r in parts) and any(r["id"] in on_a for r in parts)  # both workers took some
    crashed = {(r["parameters"]["first"], r["parameters"]["last"]) for r in parts if r["state_type"] == "CRASHED"}
    completed = {(r["parameters"]["first"], r["parameters"]["last"]) for r in parts if r["state_type"] == "COMPLETED"}
    assert crashed <= completed  # started again and finished

    # what B held when it died was finished on A
    def ranges(runs: list[dict[str, Any]]) -> set[tuple[int, int]]:
        return {(r["parameters"]["first"], r["parameters"]["last"]) for r in runs}

    died_on_b = ranges([r for r in parts if r["id"] in on_b and r["state_type"] == "CRASHED"])
    assert died_on_b and died_on_b <= ranges([r for r in parts if r["id"] in on_a and r["state_type"] == "COMPLETED"])
    with session_scope() as session:
        notices = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "notice")).all()
        assignments = session.exec(select(Assignment.id)).all()
    assert len(notices) == len(assignments) == 304 and {n.status for n in notices} == {MailStatus.sent}
    copies = Counter(str(m.message["Message-ID"]) for m in mailbox.messages)
    assert set(copies) == {n.message_id for n in notices}
    assert max(copies.values()) == 1, copies.most_common(3)  # nothing received twice


def _parents(api: str, earlier: set[str]) -> list[dict[str, Any]]:
    return [r for r in flow_runs(api, "cascade-directive") if r["id"] not in earlier]


def _running(api: str, earlier: set[str]) -> bool:
    return any(r["state_type"] == "RUNNING" for r in _parents(api, earlier))


def _parent_done(api: str, earlier: set[str]) -> bool:
    runs = _parents(api, earlier)
    assert not any(r["state_type"] in ("FAILED", "CRASHED") for r in runs), [r["state"] for r in runs]
    return bool(runs) and all(r["state_type"] == "COMPLETED" for r in runs)


def submitted_by(log: Path) -> set[str]:
    """The flow runs a worker took, from Prefect's own worker log: those it began to submit ("Worker 'x' submitting
    flow run '<id>'") less those the server gave to the other worker first ("Aborted submission of flow run '<id>'")."""
    text = log.read_text(errors="replace")
    began = set(re.findall(r"submitting flow run '([0-9a-f-]{36})'", text))
    return began - set(re.findall(r"Aborted submission of flow run '([0-9a-f-]{36})'", text))


def _partition_on(api: str, log: Path) -> list[dict[str, Any]]:
    """The partition runs this worker took that are running and have sent some of their notices."""
    taken = submitted_by(log)
    running = [r for r in flow_runs(api, "dispatch-partition") if r["state_type"] == "RUNNING" and r["id"] in taken]
    return [r for r in running if _sent_in(r["parameters"]) >= 5]


def _sent_in(params: dict[str, Any]) -> int:
    with session_scope() as session:
        query = select(OutboxMessage.id).where(
            OutboxMessage.kind == "notice",
            OutboxMessage.status == MailStatus.sent,
            col(OutboxMessage.assignment_id).between(params["first"], params["last"]),
        )
        return len(session.exec(query).all())
