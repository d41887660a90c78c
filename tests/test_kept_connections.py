"""Inside keep_connections() a run's send calls go on over the connections of the call before; outside, each
call opens its own. What each row goes through (claim, 'sending', journal, 'sent') is the same either way."""

from __future__ import annotations

from contextlib import nullcontext

import pytest
from sqlmodel import select

from cascade.core.db import session_scope
from cascade.core.settings import Settings, get_settings, reset_settings
from cascade.delivery import kept_connections
from cascade.delivery.mailer import send_outbox_batch
from cascade.dev.smtp_sink import SmtpSink
from cascade.dispatch.notices import outbox_batches
from models import MailStatus, OutboxMessage
from tests.cascade_helpers import store_sample


def send_in_two_calls(mailbox: SmtpSink, kept: bool) -> tuple[set[str], set[str]]:
    """The client ports the sink saw for the first call's messages and for the second's."""
    with session_scope() as session:
        directive = store_sample(session, get_settings())
        ids = next(outbox_batches(session, directive.id, 100))
        half = len(ids) // 2
        with kept_connections.keep_connections() if kept else nullcontext():
            first = send_outbox_batch(session, get_settings(), ids[:half])
            seen = len(mailbox.messages)
            second = send_outbox_batch(session, get_settings(), ids[half:])
        assert first.sent + second.sent == len(ids) == len(mailbox.messages)
        statuses = session.exec(select(OutboxMessage.status).where(OutboxMessage.directive_id == directive.id)).all()
        assert set(statuses) == {MailStatus.sent}
    peers = [m.peer for m in mailbox.messages]
    return set(peers[:seen]), set(peers[seen:])


@pytest.fixture
def one_connection(
    settings: Settings, mailbox: SmtpSink, sample_org: None, monkeypatch: pytest.MonkeyPatch
) -> SmtpSink:
    monkeypatch.setenv("CASCADE_SMTP_CONNECTIONS", "1")
    reset_settings()
    return mailbox


def test_a_kept_connection_carries_the_next_call(one_connection: SmtpSink) -> None:
    first, second = send_in_two_calls(one_connection, kept=True)
    assert len(first) == 1 and first == second  # one connection for both calls
    assert kept_connections.current() is None  # closed with its block


def test_without_the_block_each_call_has_its_own(one_connection: SmtpSink) -> None:
    first, second = send_in_two_calls(one_connection, kept=False)
    assert len(first) == len(second) == 1 and first != second
