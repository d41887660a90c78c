"""Sends the outbox over several reused SMTP connections, committing in small groups, losing and doubling nothing.

Per row: pending/failed --claim--> claimed --group committed--> sending --DATA, 250, journal--> sent.
A worker takes a group of rows (CASCADE_SEND_GROUP, default 50), commits them 'sending' in one statement,
sends each, appending every 250 to the call's send journal, and commits the accepted ones 'sent' in the
commit that marks its next group 'sending': one commit per group instead of two per message, which is what
lets a dispatch keep up with the mail server; the next group is read while one is sent.
Replies are read by cascade.delivery.replies: only a recipient's failure bounces a row (and tells the unit
above); a refusal that is the relay's fault (a login or TLS problem, a policy, a 4xx that persists through the
backoff) stops the send with a RelayError and leaves every row owed; a lost connection is retried with
backoff, then left failed (owed). A crash leaves the group's rows 'sending'; cascade.delivery.outbox_recovery
settles them on the next run from the journal (and the server's delivery log, if one is configured), and
resends the rest. Without a delivery log, only a crash between a 250 and its journal line (no await in
between), or a sender that died on another machine (its journal is not here), can cause a duplicate.
"""

from __future__ import annotations

import asyncio
import math
from datetime import timedelta

import aiosmtplib
from sqlmodel import Session

from cascade.core.settings import DeliverySettings, Settings
from cascade.delivery import kept_connections
from cascade.delivery.counts import SendCounts
from cascade.delivery.mailmessage import Mail, build_email, message_id_for
from cascade.delivery.one_message import deliver
from cascade.delivery.outbox_recovery import ACTIVE_CALLS, prune_journals, recover_interrupted
from cascade.delivery.send_call import SendCall

__all__ = ["build_email", "message_id_for", "send_outbox_batch"]


def group_size(rows: int, connections: int, most: int) -> int:
    """Rows per group so that every connection gets the same number of groups of at most `most` rows.

    Fixed groups of 50 left a batch's last round to fewer connections than it has: 500 rows on 4 connections
    are 10 groups, so the third round ran on 2 connections while the other 2 sat idle. 500 rows now go as
    12 groups of 42, 3 per connection; 63 rows as 4 groups of 16, not 50 + 13 on two connections."""
    rounds = max(1, math.ceil(rows / (connections * most)))
    return max(1, math.ceil(rows / (connections * rounds)))


def group_limit(delivery: DeliverySettings) -> int:
    """CASCADE_SEND_GROUP, or fewer when the relay is paced (CASCADE_RATE_PER_MINUTE, shared by the connections):
    marking a group 'sending' is what renews its rows' lease, so a group must go out within half of
    CASCADE_CLAIM_LEASE_SECONDS, or a sender on another machine would take it for abandoned and resend it."""
    if delivery.rate_per_minute <= 0:
        return delivery.send_group
    in_half_a_lease = delivery.rate_per_minute / 60 * delivery.claim_lease_seconds / 2 / delivery.smtp_connections
    return max(1, min(delivery.send_group, math.floor(in_half_a_lease)))


def _load_group(sender: SendCall, ids: list[int]) -> list[Mail]:
    """On the database thread: a group's rows this call holds, from those read at its start, else read now
    (escalations its bounces queued, claimed here), with their shared documents ready."""
    mails = [sender.read.pop(i) for i in ids if i in sender.read]
    if len(mails) < len(ids):
        taken = {m.id for m in mails}
        mails.extend(sender.rows.load([i for i in ids if i not in taken]))
    sender.documents.load(sender.rows.session, [m.document_id for m in mails])
    return sorted(mails, key=lambda m: m.id)


def _between_groups(sender: SendCall, accepted: list[Mail], mails: list[Mail]) -> list[Mail]:
    """On the database thread: the previous group's acceptances on disk (its journal lines), then one commit
    settles them 'sent' and marks the next group 'sending'; returns the rows marked, the only ones to send."""
    sender.journal.sync()
    return sender.rows.settle_and_mark(accepted, mails)


async def _worker(sender: SendCall) -> None:
    """One connection's groups, in turn. The next group is read while this one is sent, and the commit between
    two groups settles the one and marks the other: on the way of the messages, one sync and one commit."""
    kept = kept_connections.current()
    key = kept_connections.relay_key(sender.delivery)
    smtp: aiosmtplib.SMTP | None = kept.take(key) if kept is not None else None
    accepted: list[Mail] = []  # the previous group's, journalled, not yet committed 'sent'
    upcoming: asyncio.Future[list[Mail]] | None = None
    try:
        while sender.queue or upcoming is not None:
            if upcoming is None:
                upcoming = asyncio.ensure_future(sender.db(_load_group, sender, sender.next_group()))
            mails = await upcoming
            upcoming = (
                asyncio.ensure_future(sender.db(_load_group, sender, sender.next_group())) if sender.queue else None
            )
            if mails and (halted := sender.halted):
                await sender.db(sender.rows.settle_failed, mails, halted)
                continue
            if not mails:
                continue
            mails = await sender.db(_between_groups, sender, accepted, mails)  # committed: every row is in doubt
            accepted = []
            for index, mail in enumerate(mails):
                if (halted := sender.halted) and index:  # stopped meanwhile: the rest of the group is owed
                    await sender.db(sender.rows.settle_failed, mails[index:], halted)
                    break
                ok, smtp = await deliver(sender, mail, smtp)
                if ok:
                    accepted.append(mail)
        await sender.db(_between_groups, sender, accepted, [])
        accepted = []
        if kept is not None and smtp is not None and smtp.is_connected and sender.halted is None:
            kept.give(key, smtp)  # finished cleanly, between messages: the next call of this run goes on with it
            smtp = None
    finally:
        if upcoming is not None and not upcoming.cancel() and not upcoming.cancelled():
            upcoming.exception()  # it failed too: this worker's own failure is the one raised
        if smtp is not None and smtp.is_connected:
            try:
                await smtp.quit()
            except (aiosmtplib.SMTPException, OSError):
                smtp.close()


async def _run(sender: SendCall, ids: list[int]) -> None:
    sender.documents.load_for_messages(sender.rows.session, ids)  # a missing original: stop before claiming
    sender.queue.extend(sender.rows.claim(ids))
    # One read of every row claimed (its bodies from cascade.delivery.body_cache where kept): a read per group
    # kept each connection waiting for the database thread, behind the other connections' commits.
    sender.read = {mail.id: mail for mail in await sender.db(sender.rows.load, list(sender.queue))}
    sender.group_size = group_size(len(sender.queue), sender.delivery.smtp_connections, group_limit(sender.delivery))
    workers = [asyncio.ensure_future(_worker(sender)) for _ in range(sender.delivery.smtp_connections)]
    try:
        await asyncio.gather(*workers)
    finally:
        # As asyncio.run does at its end (on a kept loop nothing else would): a worker's failure stops the others.
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)


def send_outbox_batch(session: Session, settings: Settings, ids: list[int]) -> SendCounts:
    """Send the owed messages among `ids` (and the escalations their bounces create); commits as it goes.

    Rows a dead sender left 'claimed' or 'sending' are recovered first. Returns counts of sent, bounced,
    failed (still owed: the caller may raise so Prefect retries), escalated and recovery outcomes. Raises
    RelayError when the relay refused us (cascade.delivery.relay): what was not sent is owed, nothing bounced.
    """
    sender = SendCall(session, settings)
    call = sender.rows.owner.rsplit(":", 1)[1]
    lease = timedelta(seconds=settings.delivery.claim_lease_seconds)
    ACTIVE_CALLS.add(call)
    settled = False
    try:
        recovered = recover_interrupted(session, ids, lease, sender.log, sender.journals)
        prune_journals(session, sender.journals, lease)
        kept = kept_connections.current()  # a dispatch's batches: one loop, connections kept between calls
        if kept is not None:
            kept.run(_run(sender, ids))
        else:
            asyncio.run(_run(sender, ids))
        settled = True
    finally:
        # After a failure: waits for the statement running, drops those queued by workers now cancelled.
        sender.db_thread.shutdown(cancel_futures=True)
        sender.journal.close(settled=settled)  # kept after a failure: the next run's recovery reads it
        ACTIVE_CALLS.discard(call)
    if sender.stopped is not None:
        raise sender.stopped  # every row is settled, none bounced for it: the unsent ones are owed
    return sender.rows.counts.add(recovered)
