"""Mail faults and crashes: every owed notice arrives exactly once, bounces are escalated, never retried.

Real parts only: aiosmtpd (in-process for the small cases, its own process for the kill scenario),
SQLite or PostgreSQL, and real SIGKILLs of a real dispatching process.
"""

from __future__ import annotations

import math
import socket
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import Session, select

from cascade.core.db import get_engine, session_scope
from cascade.core.settings import Settings, reset_settings
from cascade.delivery.mailer import group_size, send_outbox_batch
from cascade.delivery.send_journal import journal_dir
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
        counts = send_outbox_batch(session, settings, next(outbox_batches(session, directive.id, 100)))
    assert counts.sent == 24 and counts.failed == 0
    assert len(mailbox.handler.to(TAM_DUONG)) == 1 and mailbox.handler.defer[TAM_DUONG] == 0


@pytest.mark.usefixtures("sample_org")
def test_a_batch_is_shared_evenly_by_every_connection(settings: Settings, mailbox: SmtpSink) -> None:
    # 24 notices on 4 connections: groups of 6, one per connection (fixed groups of 50 used one connection).
    with session_scope() as session:
        directive = store_sample(session, settings)
        assert send_outbox_batch(session, settings, next(outbox_batches(session, directive.id, 100))).sent == 24
    per_connection = Counter(m.peer for m in mailbox.messages)
    assert settings.delivery.smtp_connections == 4 and sorted(per_connection.values()) == [6, 6, 6, 6]


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
    assert counts.failed == 24 and counts.sent == 0 and len(mailbox.messages) == 0
    assert {r.status for r in rows().values()} == {"failed"}
    with session_scope() as session:
        assert send_outbox_batch(session, settings, ids).sent == 24
        assert send_outbox_batch(session, settings, ids).sent == 0
    assert len(mailbox.messages) == 24 and len({m.message["Message-ID"] for m in mailbox.messages}) == 24


def test_killed_dispatch_reruns_to_exactly_once(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A small version of bench/faults.py: SIGKILL inside the in-doubt window and around it, then rerun."""
    from bench.scenario import Scenario

    scenario = Scenario(tmp_path, units=40, bad=2, deferred=3, stubborn=1, drop_every=7, database_url=db_url)
    scenario.prepare()
    scenario.start_sink()
    try:
        # The killed runs send on one connection, so the rows go out in order and each point is reached: on four,
        # how many are accepted before the first bounce depends on timing, and the third run could find fewer than
        # nine rows left to accept. The reruns below send on the default four, side by side.
        monkeypatch.setenv("CASCADE_SMTP_CONNECTIONS", "1")
        for point in ("after-bounced@1", "before-data@5", "after-accept@9"):
            assert scenario.run_child(point) == -9, point  # the kill really happened
        monkeypatch.delenv("CASCADE_SMTP_CONNECTIONS")
        codes = scenario.run_side_by_side(2) + [scenario.run_child() for _ in range(2)]
    finally:
        scenario.stop_sink()
    tally = scenario.tally()
    assert 0 in codes, codes
    assert tally["duplicated"] == 0 and tally["lost"] == 0, tally
    assert tally["notices owed"] == 40 and tally["delivered"] == 38
    assert tally["bounced"] == tally["bounced-and-escalated"] == 2


@pytest.mark.parametrize(
    ("point", "journalled", "duplicates"), [("after-journal@10", 10, 0), ("after-accept@10", 9, 1)]
)
def test_without_a_delivery_log_the_send_journal_leaves_one_window(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch, point: str, journalled: int, duplicates: int
) -> None:
    """'sent' is committed per group of 20: a kill mid-group leaves 20 rows 'sending'. The journal names the
    ones accepted, so the rerun resends only the unsent ones; the one window left is a 250 not yet journalled."""
    from bench.scenario import Scenario

    monkeypatch.setenv("CASCADE_SMTP_CONNECTIONS", "1")  # one message in flight: the count is exact
    monkeypatch.setenv("CASCADE_SEND_GROUP", "20")
    scenario = Scenario(tmp_path, units=60, bad=0, deferred=0, stubborn=0, drop_every=10_000, database_url=db_url)
    scenario.delivery_log = False
    scenario.prepare()
    scenario.start_sink()
    try:
        assert scenario.run_child(point) == -9
        assert scenario.run_child() == 0
    finally:
        scenario.stop_sink()
    tally = scenario.tally()
    assert tally["lost"] == 0 and tally["delivered"] == 60
    assert tally["duplicated"] == duplicates, tally
    with Session(get_engine(scenario.database_url)) as session:
        events = [a.event for a in session.exec(select(AuditLog)).all() if a.event.startswith("mail_in_doubt")]
    # The acceptances journalled before the kill are settled without resending; the rest of the group resent.
    assert events.count("mail_in_doubt_delivered") == journalled
    assert events.count("mail_in_doubt_resent") == 20 - journalled
    assert not list(journal_dir(scenario.database_url).glob("*.log"))  # the dead sender's journal was pruned
