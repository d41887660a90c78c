"""Mail faults and crashes: every owed notice arrives at least once, exactly once where the relay's acceptance log
is read back; bounces are escalated, never retried.

Real parts only: aiosmtpd (in-process for the small cases, its own process for the kill scenario, whose maildir
is the oracle), SQLite or PostgreSQL, and real SIGKILLs of a real dispatching process.
"""

from __future__ import annotations

import math
import os
import socket
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import Session, select

from cascade.core.db import get_engine, session_scope
from cascade.core.settings import Settings, get_settings, reset_settings
from cascade.delivery.mailer import group_size, send_outbox_batch
from cascade.dev.smtp_sink import SmtpSink
from cascade.dispatch.notices import outbox_batches
from flows.cascade_directive import cascade_directive
from models import AuditLog, OutboxMessage
from tests.cascade_helpers import store_sample
from tests.conftest import SAMPLE_DIRECTIVE

TAM_DUONG = "ldld.tamduong@laichau.example"
PROVINCE = "ldld@laichau.example"  # Tam Đường's parent in the sample tree


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASCADE_RETRY_DELAYS", "[0.01, 0.02]")
    reset_settings()  # the settings are cached: read the new delays (restore_cascade_environment resets after)


def rows() -> dict[str, OutboxMessage]:
    with session_scope() as session:
        return {r.key: r for r in session.exec(select(OutboxMessage)).all()}


@pytest.mark.usefixtures("prefect_harness", "sample_org", "quick_retries")
def test_a_5xx_bounces_once_and_tells_the_parent_unit(settings: Settings, mailbox: SmtpSink) -> None:
    mailbox.handler.refuse[TAM_DUONG] = "550 5.1.1 <ldld.tamduong@laichau.example>: no such user"
    totals = cascade_directive(directive_file=str(SAMPLE_DIRECTIVE))
    assert totals["bounced"] == 1 and totals["failed"] == 0
    bounced = [r for r in rows().values() if r.to_addr == TAM_DUONG and r.kind == "notice"]
    assert len(bounced) == 1 and bounced[0].status == "bounced" and "550 5.1.1" in (bounced[0].last_error or "")
    warnings = [m for m in mailbox.handler.to(PROVINCE) if m.message["X-Cascade-Key"].startswith("bad_address:")]
    assert len(warnings) == 1
    assert "Liên đoàn Lao động huyện Tam Đường" in warnings[0].subject and TAM_DUONG in warnings[0].text()
    assert "550 5.1.1" in warnings[0].text()
    with session_scope() as session:
        audit = session.exec(select(AuditLog).where(AuditLog.event == "mail_bounced")).one()
        assert audit.unit_code == "LDLD_TD" and audit.detail["escalated_to"] == "LDLD_LC"
    count = len(mailbox.messages)
    again = cascade_directive(directive_file=str(SAMPLE_DIRECTIVE))
    assert again["sent"] == again["bounced"] == 0 and len(mailbox.messages) == count


@pytest.mark.usefixtures("sample_org", "quick_retries")
def test_4xx_is_retried_inside_the_batch_and_delivered_once(settings: Settings, mailbox: SmtpSink) -> None:
    from cascade.core.db import session_scope as scope

    mailbox.handler.defer[TAM_DUONG] = 2
    with scope() as session:
        directive = store_sample(session, settings)
        ids = next(outbox_batches(session, directive.id, 100))
        counts = send_outbox_batch(session, settings, ids)
    assert counts.sent == len(ids) == len(mailbox.messages) and counts.failed == 0
    assert len(mailbox.handler.to(TAM_DUONG)) == 1 and mailbox.handler.defer[TAM_DUONG] == 0


@pytest.mark.usefixtures("sample_org")
def test_a_batch_is_shared_evenly_by_every_connection(settings: Settings, mailbox: SmtpSink) -> None:
    # The sample's two dozen notices on 4 connections: four groups of 6 (or 5), one per connection (fixed groups
    # of 50 used one connection).
    with session_scope() as session:
        directive = store_sample(session, settings)
        ids = next(outbox_batches(session, directive.id, 100))
        assert send_outbox_batch(session, settings, ids).sent == len(ids) and 20 < len(ids) <= 24
    per_connection = Counter(m.peer for m in mailbox.messages)
    assert settings.delivery.smtp_connections == 4 and len(per_connection) == 4
    assert max(per_connection.values()) == 6 and min(per_connection.values()) >= 5


@pytest.mark.parametrize(
    ("rows", "connections", "most", "size"),
    [(500, 4, 50, 42), (1000, 4, 50, 50), (63, 4, 50, 16), (24, 4, 50, 6), (201, 4, 50, 26), (3, 4, 50, 1),
     (0, 4, 50, 1), (500, 1, 50, 50), (500, 8, 50, 32)],
)  # fmt: skip
def test_group_size_gives_every_connection_the_same_number_of_groups(
    rows: int, connections: int, most: int, size: int
) -> None:
    assert group_size(rows, connections, most) == size
    groups = math.ceil(rows / size)
    assert size <= most and (rows == 0 or groups % connections == 0 or rows < connections)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens there once the socket closes


@pytest.mark.usefixtures("sample_org", "quick_retries")
def test_server_down_leaves_everything_owed_and_the_rerun_sends_it_once(settings: Settings, mailbox: SmtpSink) -> None:
    with session_scope() as session:
        directive = store_sample(session, settings)
        ids = next(outbox_batches(session, directive.id, 100))
        down = settings.model_copy(
            update={"delivery": settings.delivery.model_copy(update={"smtp_port": closed_port()})}
        )
        counts = send_outbox_batch(session, down, ids)
    assert counts.failed == len(ids) and counts.sent == 0 and len(mailbox.messages) == 0
    assert {r.status for r in rows().values()} == {"failed"}
    with session_scope() as session:
        assert send_outbox_batch(session, settings, ids).sent == len(ids)
        assert send_outbox_batch(session, settings, ids).sent == 0
    assert len(mailbox.messages) == len(ids) == len({m.message["Message-ID"] for m in mailbox.messages})


def test_killed_dispatch_reruns_to_exactly_once(tmp_path: Path, db_url: str) -> None:
    """A small version of bench/faults.py with the relay's acceptance log read back (jsonl adapter): SIGKILL
    inside the in-doubt window and around it, then rerun. Counted from what the server kept, by Message-ID."""
    from bench.scenario import Scenario

    scenario = Scenario(tmp_path, units=40, bad=2, deferred=3, stubborn=1, drop_every=7, database_url=db_url)
    scenario.prepare()
    scenario.start_sink()
    try:
        # The killed runs send on one connection, so the rows go out in order and each point is reached: on four,
        # how many are accepted before the first bounce depends on timing, and the third run could find fewer than
        # nine rows left to accept. The reruns below send on the default four, side by side.
        scenario.connections = 1
        for point in ("after-bounced@1", "before-data@5", "after-accept@9"):
            assert scenario.run_child(point) == -9, point  # the kill really happened
        scenario.connections = 4
        codes = scenario.run_side_by_side(2) + [scenario.run_child() for _ in range(2)]
    finally:
        scenario.stop_sink()
    tally = scenario.tally()
    assert 0 in codes, codes
    # Every 7th message had its connection dropped, half of them after the server kept it: the adapter is what
    # keeps those from being sent twice.
    assert tally["kept, 250 dropped by the server"] >= 1
    assert tally["duplicated"] == 0 and tally["lost"] == 0, tally
    assert tally["notices owed"] == 40 and tally["delivered"] == 38
    assert tally["bounced"] == tally["bounced-and-escalated"] == 2
    assert tally["keys under several Message-IDs"] == tally["received, no such outbox row"] == 0


@pytest.mark.parametrize(
    ("adapter", "point", "journalled", "from_log", "duplicates"),
    [("", "after-journal@10", 10, 0, 0), ("", "after-accept@10", 9, 0, 1), ("jsonl", "after-accept@10", 9, 1, 0)],
)  # fmt: skip
def test_a_crash_in_the_in_doubt_window(
    tmp_path: Path,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    adapter: str,
    point: str,
    journalled: int,
    from_log: int,
    duplicates: int,
) -> None:
    """'sent' is committed per group of 20: a kill mid-group leaves 20 rows 'sending'. The journal names the ones
    accepted, so the rerun resends only the others. Without an adapter, the one window left is a 250 not yet
    journalled: exactly one duplicate per crash there (one connection, one message in flight). With the relay's
    acceptance log read back, none. Counted from what the server kept, by Message-ID."""
    from bench.scenario import Scenario

    scenario = Scenario(tmp_path, units=60, bad=0, deferred=0, stubborn=0, drop_every=10_000, database_url=db_url)
    scenario.adapter, scenario.connections = adapter, 1  # one message in flight: the count is exact
    scenario.prepare()
    scenario.start_sink()
    monkeypatch.setenv("CASCADE_SEND_GROUP", "20")
    try:
        assert scenario.run_child(point) == -9
        assert scenario.run_child() == 0
    finally:
        scenario.stop_sink()
    tally = scenario.tally()
    assert tally["lost"] == 0 and tally["delivered"] == 60
    assert tally["duplicated"] == duplicates, tally
    with Session(get_engine(scenario.database_url)) as session:
        events = Counter(str(a.event) for a in session.exec(select(AuditLog)).all())
    # Settled without resending: the acceptances journalled before the kill, and the one the relay's log adds.
    assert events["mail_in_doubt_delivered"] == journalled + from_log
    if adapter:  # the relay's log says the rest of the group never arrived: resent, known not delivered
        assert (
            events["mail_in_doubt_not_delivered"] == 20 - journalled - from_log and not events["mail_in_doubt_resent"]
        )
    else:
        assert events["mail_in_doubt_resent"] == 20 - journalled
    journals = tmp_path / "data" / "send-journal"  # in the data folder, not the system's temporary one
    assert journals.is_dir() and not list(journals.glob("*/*.log"))  # the dead sender's journal was pruned


def test_every_acceptance_is_on_disk_before_its_group_is_committed_sent(
    settings: Settings, mailbox: SmtpSink, sample_org: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The journal survives a machine crash for every group whose 'sent' commit it must stand in for: watch the
    operating system's syncs against what the server received and what the database has committed."""
    import cascade.delivery.send_journal as send_journal

    synced: list[tuple[int, int, int]] = []  # at each sync: lines on disk, messages received, rows committed sent

    def datasync(fd: int) -> None:
        os.fdatasync(fd)
        lines = Path(f"/proc/self/fd/{fd}").read_bytes().count(b"\n") - 1  # the owner's line first
        with session_scope() as other:  # its own connection: sees only what was committed
            sent = len(other.exec(select(OutboxMessage).where(OutboxMessage.status == "sent")).all())
        synced.append((lines, len(mailbox.messages), sent))

    monkeypatch.setattr(send_journal, "_datasync", datasync)
    monkeypatch.setenv("CASCADE_SMTP_CONNECTIONS", "1")  # one connection: nothing is sent while a sync runs
    monkeypatch.setenv("CASCADE_SEND_GROUP", "5")
    reset_settings()
    with session_scope() as session:
        directive = store_sample(session, get_settings())
        ids = next(outbox_batches(session, directive.id, 100))
        sent = send_outbox_batch(session, get_settings(), ids).sent
    assert sent == len(ids) == len(mailbox.messages) and sent > 15
    groups = math.ceil(sent / 5)
    assert len(synced) == 1 + groups and synced[0] == (0, 0, 0)  # the new journal's own line, then one per group
    for (lines, received, committed), (before, _, _) in zip(synced[1:], synced, strict=False):
        assert lines == received  # every acceptance the server has is on disk …
        assert committed == before  # … before its group is committed 'sent' (the last group's commit follows)
    assert synced[-1][0] == sent
