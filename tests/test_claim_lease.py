"""The lease of a sender on another machine (CASCADE_CLAIM_LEASE_SECONDS): rows it claimed long ago are taken back by
any other sender, the group it is sending is not, however long ago it claimed its batch; and a paced relay gets
groups that go out within half the lease.

A real SQLite file or PostgreSQL (CASCADE_TEST_DATABASE_URL). The holder is named as a process on another host,
so only time tells whether it is alive; its claim is moved back in the database, as the hours of a relay paced
to a few messages a minute would leave it. The oracle is the rows' status and holder as the database holds them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from cascade.core.db import session_scope
from cascade.core.settings import DeliverySettings, Settings
from cascade.delivery.mailer import group_limit
from cascade.delivery.outbox_batch import OUTBOX, OutboxGroups
from cascade.delivery.outbox_recovery import recover_interrupted
from cascade.dispatch.notices import outbox_batches
from models import MailStatus, OutboxMessage, utcnow
from tests.cascade_helpers import store_sample

LEASE = timedelta(minutes=15)
REMOTE = "sender-on-another-host:4242:0123456789ab"


def rows_by_status(session: Session, ids: list[int]) -> dict[MailStatus, list[tuple[int, str | None]]]:
    found: dict[MailStatus, list[tuple[int, str | None]]] = {}
    query = select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.claimed_by)
    for row_id, status, holder in session.exec(query.where(OutboxMessage.id.in_(ids))).all():  # type: ignore[union-attr]
        found.setdefault(status, []).append((row_id, holder))
    return found


def test_the_group_being_sent_outlives_the_batch_claim(settings: Settings, sample_org: None) -> None:
    with session_scope() as session:
        directive = store_sample(session, settings)
        ids = next(outbox_batches(session, directive.id, 100))
        assert len(ids) >= 4
        remote = OutboxGroups(session, settings, REMOTE)
        assert remote.claim(ids) == sorted(ids)
        # Its batch was claimed twice the lease ago; it has sent nothing yet and now marks its next group.
        long_ago = utcnow() - 2 * LEASE
        session.execute(update(OUTBOX).where(OUTBOX.c.id.in_(ids)).values(claimed_at=long_ago))
        session.commit()
        group, rest = ids[:2], ids[2:]
        marked = remote.settle_and_mark([], remote.load(group))
        assert [m.id for m in marked] == group

        recovered = recover_interrupted(session, ids, LEASE, log=None)

        by_status = rows_by_status(session, ids)
        assert sorted(by_status[MailStatus.sending]) == [(i, REMOTE) for i in group]  # still its, still going out
        assert sorted(by_status[MailStatus.pending]) == [(i, None) for i in rest]  # abandoned claims: owed again
        assert set(by_status) == {MailStatus.sending, MailStatus.pending}
        assert recovered.requeued == len(rest) and recovered.in_doubt_resent == 0


@pytest.mark.parametrize(
    ("rate_per_minute", "connections", "lease", "limit"),
    [
        (0, 4, 900, 50),  # not paced: CASCADE_SEND_GROUP
        (600, 4, 900, 50),  # 10 a second: 1,125 messages a connection in half a lease, more than a group
        (3, 4, 900, 5),  # 3 a minute over 4 connections: 22.5 in 450 s, 5 a connection (a group in 400 s)
        (3, 4, 3600, 22),  # a longer lease allows longer groups
        (0.5, 8, 900, 1),  # slower still: one message a group
    ],
)
def test_a_paced_relay_gets_groups_that_go_out_within_half_the_lease(
    rate_per_minute: float, connections: int, lease: float, limit: int
) -> None:
    delivery = DeliverySettings(
        rate_per_minute=rate_per_minute, smtp_connections=connections, claim_lease_seconds=lease, send_group=50
    )
    assert group_limit(delivery) == limit
