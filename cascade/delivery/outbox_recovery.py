"""Rows a dead sender left behind: 'claimed' ones go back to the queue, 'sending' ones are in doubt.

'claimed' is committed before MAIL FROM, so such a row never reached the server: it is simply owed again.
'sending' is committed for a group just before its messages go out, so the server may hold some. The dead
sender's journal (cascade.delivery.send_journal) names those it saw accepted; if the relay's record of accepted
Message-IDs is configured (CASCADE_DELIVERY_LOG, cascade.delivery.acceptance_logs), it decides too, and a row
neither names is known not delivered: resent exactly once. Without one, such a row is resent with the same
Message-ID (at least once: a receiver can drop the repeat) and the audit log says mail_in_doubt_resent.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from datetime import timedelta

from sqlmodel import Session, col, select, update

from cascade.core.sqlutil import id_in
from cascade.delivery.acceptance_logs import DeliveryLog, delivery_log_from
from cascade.delivery.counts import SendCounts
from cascade.delivery.outbox_batch import notices_arrived
from cascade.delivery.send_journal import JournalLog
from models import AuditEvent, MailStatus, OutboxMessage, record_audit, utcnow

# The states a dead sender can leave a row in.
ABANDONABLE = (MailStatus.claimed, MailStatus.sending)
# Calls of send_outbox_batch running in this process (their rows are not abandoned).
ACTIVE_CALLS: set[str] = set()
HOST = socket.gethostname()
# The adapters that read the relay's record live in cascade.delivery.acceptance_logs; the sender imports them here.
__all__ = ["ACTIVE_CALLS", "HOST", "DeliveryLog", "delivery_log_from", "prune_journals", "recover_interrupted"]


def holder_is_gone(claimed_by: str | None, claimed_at_age: timedelta, lease: timedelta) -> bool:
    """True when the sender that claimed a row cannot still be working on it."""
    host, _, rest = (claimed_by or "").partition(":")
    pid_text, _, call = rest.partition(":")
    if host != HOST or not pid_text.isdigit():
        return claimed_at_age > lease  # another machine: only time tells
    pid = int(pid_text)
    if pid == os.getpid():
        return call not in ACTIVE_CALLS
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return claimed_at_age > lease


def recover_interrupted(
    session: Session, ids: Iterable[int], lease: timedelta, log: DeliveryLog | None, journal: DeliveryLog | None = None
) -> SendCounts:
    """Return the abandoned rows among `ids` to the queue (or to 'sent' if a journal or the delivery log has
    them); commits. Only the delivery log can say a row was *not* delivered.

    Each row changes only if it is still as it was read (same status, same holder): several dispatchers may
    recover the same abandoned batch at once, and only one of them may take each row."""
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    query = select(table).where(id_in(session, table.c.id, list(ids)), table.c.status.in_(ABANDONABLE))
    rows = session.execute(query).all()
    now = utcnow()
    gone = [r for r in rows if holder_is_gone(r.claimed_by, now - (r.claimed_at or now), lease)]
    doubtful = {r.message_id for r in gone if r.status == MailStatus.sending and r.message_id}
    accepted = set().union(*(source.accepted(doubtful) for source in (log, journal) if source and doubtful))
    counts = SendCounts()
    for row in gone:
        event: AuditEvent | None
        if row.status == MailStatus.sending and row.message_id in accepted:
            status, outcome, event = (
                MailStatus.sent,
                SendCounts(in_doubt_delivered=1),
                AuditEvent.mail_in_doubt_delivered,
            )
        elif row.status == MailStatus.sending and log is None:
            status, outcome, event = MailStatus.failed, SendCounts(in_doubt_resent=1), AuditEvent.mail_in_doubt_resent
        elif row.status == MailStatus.sending:
            status, outcome, event = MailStatus.failed, SendCounts(requeued=1), AuditEvent.mail_in_doubt_not_delivered
        else:
            status, outcome, event = MailStatus.pending, SendCounts(requeued=1), None
        changed = session.execute(
            update(table)
            .where(
                table.c.id == row.id,
                table.c.status == row.status,
                table.c.claimed_by.is_not_distinct_from(row.claimed_by),
            )
            .values(status=status, claimed_by=None, **({"sent_at": now} if status == MailStatus.sent else {}))
        )
        if not changed.rowcount:  # type: ignore[attr-defined]
            continue  # another dispatcher recovered it first
        counts.add(outcome)
        if status == MailStatus.sent and row.kind == "notice":
            notices_arrived(session, [row.assignment_id], now)
        if event is not None:
            record_audit(session, event, directive_id=row.directive_id, assignment_id=row.assignment_id,
                         detail={"key": row.key, "message_id": row.message_id, "holder": row.claimed_by})  # fmt: skip
    session.commit()
    return counts


def prune_journals(session: Session, journals: JournalLog, lease: timedelta) -> int:
    """Remove the send journals of dead senders once none of their rows is left to recover."""

    def done(owner: str, age: timedelta) -> bool:
        if not holder_is_gone(owner, age, lease):
            return False
        left = select(OutboxMessage.id).where(
            OutboxMessage.claimed_by == owner,
            col(OutboxMessage.status).in_(ABANDONABLE),
        )
        return session.exec(left.limit(1)).first() is None

    return journals.prune(done)
