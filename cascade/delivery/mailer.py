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
import os
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from email.utils import parseaddr
from functools import partial
from typing import Any, TypeVar

import aiosmtplib
from sqlmodel import Session

from cascade.core.failpoints import failpoint
from cascade.core.settings import Settings
from cascade.delivery import kept_connections, smtp_wire
from cascade.delivery.counts import SendCounts
from cascade.delivery.dkim_sign import DkimKeyError, dkim_signer
from cascade.delivery.mailmessage import Mail, build_email, message_id_for
from cascade.delivery.outbox_batch import OutboxGroups
from cascade.delivery.outbox_recovery import ACTIVE_CALLS, HOST, delivery_log_from, prune_journals, recover_interrupted
from cascade.delivery.relay import Pacer, Relay, RelayError
from cascade.delivery.replies import Fault, Reply, fault_of
from cascade.delivery.send_journal import JournalLog, SendJournal, journal_dir
from cascade.delivery.shared_documents import SharedDocuments

R = TypeVar("R")

__all__ = ["build_email", "message_id_for", "send_outbox_batch"]


class _Sender:
    """One call of send_outbox_batch: the rows' database side, the work queue and the SMTP settings."""

    def __init__(self, session: Session, settings: Settings) -> None:
        self.settings, self.delivery = settings, settings.delivery
        # A bad CA file, password file or DKIM key: an error before any row is claimed or journal opened.
        self.relay = Relay(self.delivery)
        try:
            self.sign = dkim_signer(self.delivery)
        except DkimKeyError as exc:
            raise RelayError(str(exc)) from None
        self.rows = OutboxGroups(session, settings, f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:12]}")
        self.queue: deque[int] = deque()
        self.read: dict[int, Mail] = {}  # the claimed rows, read once when the call starts, until a group takes them
        self.group_size = self.delivery.send_group
        self.server_down = False
        self.sender = parseaddr(settings.delivery.mail_from)[1]
        self.log = delivery_log_from(self.delivery.delivery_log)
        self.journals = JournalLog(journal_dir(settings))
        self.journal = SendJournal(self.journals.directory, self.rows.owner)
        self.db_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-db")
        self.documents = SharedDocuments(settings.documents)
        self.pacer = Pacer(self.delivery.rate_per_minute)
        self.stopped: RelayError | None = None  # the relay refused us: every connection stops, rows stay owed

    def stop(self, error: RelayError) -> None:
        self.stopped = self.stopped or error

    @property
    def halted(self) -> str | None:
        """Why no more messages are to be tried in this call, if they are not."""
        if self.stopped is not None:
            return str(self.stopped)
        return "mail server unreachable" if self.server_down else None

    async def db(self, work: Callable[..., R], *args: Any) -> R:
        """Run database work on this call's one database thread (one at a time: one session) and await it.

        The event loop is not blocked meanwhile: the other connections keep sending while SQLite waits for
        the render thread's write lock (its busy handler sleeps) or PostgreSQL answers a commit. Measured in
        the loop itself, those waits were about a tenth of a national dispatch, every connection idle."""
        return await asyncio.get_running_loop().run_in_executor(self.db_thread, partial(work, *args))

    def next_group(self) -> list[int]:
        return [self.queue.popleft() for _ in range(min(self.group_size, len(self.queue)))]

    def accepted_by_log(self, mail: Mail) -> bool:
        return bool(self.log and mail.data_tried and mail.message_id and self.log.accepted({mail.message_id}))


def group_size(rows: int, connections: int, most: int) -> int:
    """Rows per group so that every connection gets the same number of groups of at most `most` rows.

    Fixed groups of 50 left a batch's last round to fewer connections than it has: 500 rows on 4 connections
    are 10 groups, so the third round ran on 2 connections while the other 2 sat idle. 500 rows now go as
    12 groups of 42, 3 per connection; 63 rows as 4 groups of 16, not 50 + 13 on two connections."""
    rounds = max(1, math.ceil(rows / (connections * most)))
    return max(1, math.ceil(rows / (connections * rounds)))


async def _deliver(sender: _Sender, mail: Mail, smtp: aiosmtplib.SMTP | None) -> tuple[bool, aiosmtplib.SMTP | None]:
    """Deliver one row of a 'sending' group, retrying temporary failures.

    Returns (accepted, connection to reuse); a refused or failed row is settled here, an accepted one by the
    caller with the rest of its group. A refusal that is the relay's fault on the last try stops the send."""
    data = sender.sign(build_email(sender.settings, mail, sender.documents.of(mail.document_id)))
    # Our own MIME, ASCII addresses: sent as it is (cascade.delivery.smtp_wire); else aiosmtplib's commands.
    plain = mail.to_addr.isascii() and sender.sender.isascii() and smtp_wire.wire_ready(data)
    error, unreachable = "not tried", False
    relay_fault: RelayError | None = None  # the last try's failure, when it was the relay refusing us
    for delay in [0.0, *sender.delivery.retry_delays]:
        if sender.halted:
            break
        if delay:
            await asyncio.sleep(delay)
        if sender.accepted_by_log(mail):
            return True, smtp  # the lost 250 was an acceptance after all
        stage, relay_fault = "connect", None
        try:
            if smtp is None or not smtp.is_connected:
                smtp = await sender.relay.connect()
            # An internationalised address (the org file allows one) needs SMTPUTF8 on the envelope. A relay
            # without it would refuse MAIL FROM, the relay's fault by the RFCs: that address bounces instead.
            if not mail.to_addr.isascii() and not smtp.supports_extension("smtputf8"):
                raise UnicodeError("the mail relay does not take internationalised addresses (no SMTPUTF8)")
            await sender.pacer.wait()
            stage = "mail"
            if plain:
                await smtp_wire.mail_from(smtp, sender.sender)
            else:
                await smtp.mail(sender.sender, options=[] if mail.to_addr.isascii() else ["SMTPUTF8"])
            stage = "rcpt"
            await (smtp_wire.rcpt_to(smtp, mail.to_addr) if plain else smtp.rcpt(mail.to_addr))
            failpoint("before-data")
            stage = "data"
            mail.data_tried = True  # from here the server may accept it
            await (smtp_wire.data(smtp, data) if plain else smtp.data(data))
            failpoint("after-accept")  # the one window left: accepted, not yet in the journal
            sender.journal.record(mail.message_id or "")
            failpoint("after-journal")
            return True, smtp
        except RelayError as exc:  # connecting: the login, the certificate, STARTTLS, a refused greeting
            error, relay_fault, smtp = str(exc), exc, None
            if not exc.temporary:
                break  # a setting must change: trying again changes nothing (and may lock the account)
        except aiosmtplib.SMTPResponseException as exc:
            reply = Reply(exc.code, exc.message, stage)
            error, unreachable = str(reply), False
            await _reset(smtp)
            fault = fault_of(reply)
            if fault is Fault.recipient:
                sender.queue.extend(await sender.db(sender.rows.bounce, mail, error))
                return False, smtp
            if fault in (Fault.relay, Fault.relay_later):
                relay_fault = sender.relay.refused(reply)  # retried; refused on the last try too, the send stops
        except (UnicodeError, ValueError) as exc:  # an address this server cannot take: retrying won't help
            await _reset(smtp)
            sender.queue.extend(await sender.db(sender.rows.bounce, mail, f"{type(exc).__name__}: {exc}"))
            return False, smtp
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            # A lost connection during DATA may hide an acceptance: the next try asks the delivery log first.
            error = f"{type(exc).__name__}: {exc}"
            unreachable = isinstance(exc, aiosmtplib.SMTPConnectError | ConnectionRefusedError)
            if smtp is not None:
                smtp.close()
            smtp = None
    if relay_fault is not None:
        sender.stop(relay_fault)
    elif unreachable:
        sender.server_down = True  # even the last try could not connect: leave the rest for a rerun
    if sender.accepted_by_log(mail):
        return True, smtp
    await sender.db(sender.rows.settle_failed, [mail], sender.halted or error)
    return False, smtp


async def _reset(smtp: aiosmtplib.SMTP | None) -> None:
    if smtp is not None and smtp.is_connected:
        try:
            await smtp.rset()
        except (aiosmtplib.SMTPException, OSError):
            smtp.close()


def _load_group(sender: _Sender, ids: list[int]) -> list[Mail]:
    """On the database thread: a group's rows this call holds, from those read at its start, else read now
    (escalations its bounces queued, claimed here), with their shared documents ready."""
    mails = [sender.read.pop(i) for i in ids if i in sender.read]
    if len(mails) < len(ids):
        taken = {m.id for m in mails}
        mails.extend(sender.rows.load([i for i in ids if i not in taken]))
    sender.documents.load(sender.rows.session, [m.document_id for m in mails])
    return sorted(mails, key=lambda m: m.id)


def _between_groups(sender: _Sender, accepted: list[Mail], mails: list[Mail]) -> None:
    """On the database thread: the previous group's acceptances on disk (its journal lines), then one commit
    settles them 'sent' and marks the next group 'sending'."""
    sender.journal.sync()
    sender.rows.settle_and_mark(accepted, mails)


async def _worker(sender: _Sender) -> None:
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
            await sender.db(_between_groups, sender, accepted, mails)  # committed: from here every row is in doubt
            accepted = []
            for index, mail in enumerate(mails):
                if (halted := sender.halted) and index:  # stopped meanwhile: the rest of the group is owed
                    await sender.db(sender.rows.settle_failed, mails[index:], halted)
                    break
                ok, smtp = await _deliver(sender, mail, smtp)
                if ok:
                    accepted.append(mail)
        await sender.db(_between_groups, sender, accepted, [])
        accepted = []
        if kept is not None and smtp is not None and smtp.is_connected and sender.halted is None:
            kept.give(key, smtp)  # finished cleanly, between messages: the next call of this run goes on with it
            smtp = None
    finally:
        if upcoming is not None:
            upcoming.cancel()  # a failure elsewhere: the rows it read stay claimed, recovered as such
        if smtp is not None and smtp.is_connected:
            try:
                await smtp.quit()
            except (aiosmtplib.SMTPException, OSError):
                smtp.close()


async def _run(sender: _Sender, ids: list[int]) -> None:
    sender.documents.load_for_messages(sender.rows.session, ids)  # a missing original: stop before claiming
    sender.queue.extend(sender.rows.claim(ids))
    # One read of every row claimed (its bodies from cascade.delivery.body_cache where kept): a read per group
    # kept each connection waiting for the database thread, behind the other connections' commits.
    sender.read = {mail.id: mail for mail in sender.rows.load(list(sender.queue))}
    sender.group_size = group_size(len(sender.queue), sender.delivery.smtp_connections, sender.delivery.send_group)
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
    sender = _Sender(session, settings)
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
