"""Sends the outbox one row at a time, committing each step, so a crash can lose or double nothing silently.

Per row: pending/failed --claim--> claimed --(MAIL, RCPT accepted)--> sending --DATA, 250--> sent.
A 5xx makes it bounced (and escalates), a 4xx or a lost connection is retried with backoff, then left
failed (owed). Only a crash between committing 'sending' and committing 'sent' leaves a row in doubt;
cascade.outbox_recovery settles those on the next run.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import timedelta
from email.utils import parseaddr

import aiosmtplib
from aiosmtplib.email import flatten_message
from sqlmodel import Session, col, select, update

from cascade.bounce import escalate_bounce
from cascade.failpoints import failpoint
from cascade.mailmessage import DeliverySettings, build_email, message_id_for
from cascade.outbox_recovery import ACTIVE_CALLS, HOST, delivery_log_from, mark_delivered, recover_interrupted
from cascade.settings import Settings
from models import MailStatus, OutboxMessage, utcnow

OWED = (MailStatus.pending.value, MailStatus.failed.value)
__all__ = ["OWED", "DeliverySettings", "build_email", "message_id_for", "send_outbox_batch"]


def _is_permanent(exc: Exception) -> bool:
    code = getattr(exc, "code", None)
    return isinstance(exc, aiosmtplib.SMTPResponseException) and isinstance(code, int) and 500 <= code < 600


class _Batch:
    """One call of send_outbox_batch: its session, its claim tag, its counts and its work queue."""

    def __init__(self, session: Session, settings: Settings, tuning: DeliverySettings) -> None:
        self.session, self.settings, self.tuning = session, settings, tuning
        self.owner = f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        self.counts = {"sent": 0, "bounced": 0, "failed": 0, "escalated": 0}
        self.queue: asyncio.Queue[int] = asyncio.Queue()
        self.server_down = False
        self.sender = parseaddr(settings.mail_from)[1]

    def claim(self, ids: list[int]) -> list[int]:
        """Take the still-owed rows among `ids` for this call (one commit; concurrent senders skip them)."""
        now = utcnow()
        self.session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(ids), col(OutboxMessage.status).in_(OWED))
            .values(status=MailStatus.claimed.value, claimed_by=self.owner, claimed_at=now)
        )
        self.session.commit()
        failpoint("after-claim")
        query = select(OutboxMessage.id).where(col(OutboxMessage.id).in_(ids), OutboxMessage.claimed_by == self.owner)
        return sorted(i for i in self.session.exec(query).all() if i is not None)

    def settle(self, row: OutboxMessage, status: MailStatus, error: str | None) -> None:
        row.status, row.last_error, row.claimed_by = status.value, error, None
        if status == MailStatus.sent:
            mark_delivered(self.session, row, utcnow())
        elif status == MailStatus.bounced:
            escalation = escalate_bounce(self.session, row, error or "")
            if escalation is not None:
                self.counts["escalated"] += 1
                self.queue.put_nowait(escalation)
        self.session.add(row)
        self.session.commit()
        self.counts[status.value] += 1
        failpoint(f"after-{status.value}")


async def _connect(batch: _Batch) -> aiosmtplib.SMTP:
    s = batch.settings
    smtp = aiosmtplib.SMTP(hostname=s.smtp_host, port=s.smtp_port, timeout=s.smtp_timeout, start_tls=False)
    await smtp.connect()
    return smtp


async def _deliver(batch: _Batch, row: OutboxMessage, smtp: aiosmtplib.SMTP | None) -> aiosmtplib.SMTP | None:
    """Deliver one claimed row, retrying temporary failures; returns the connection to reuse (or None)."""
    msg = build_email(batch.settings, row)
    data = flatten_message(msg, cte_type="7bit")
    error, unreachable = "not tried", False
    for delay in [0.0, *batch.tuning.retry_delays]:
        if batch.server_down:
            break
        await asyncio.sleep(delay)
        if row.status == MailStatus.sending.value and _accepted_by_log(batch, row):
            batch.settle(row, MailStatus.sent, None)  # the lost 250 was an acceptance after all
            return smtp
        try:
            if smtp is None or not smtp.is_connected:
                smtp = await _connect(batch)
            # An internationalised address (the org file allows one) needs SMTPUTF8 on the envelope.
            await smtp.mail(batch.sender, options=[] if row.to_addr.isascii() else ["SMTPUTF8"])
            await smtp.rcpt(row.to_addr)
            row.status, row.attempts = MailStatus.sending.value, row.attempts + 1
            batch.session.add(row)
            batch.session.commit()  # from here the server may accept it: the row is in doubt until 'sent'
            failpoint("before-data")
            await smtp.data(data)
            failpoint("after-accept")
            batch.settle(row, MailStatus.sent, None)
            return smtp
        except aiosmtplib.SMTPResponseException as exc:
            error, unreachable = f"{exc.code} {exc.message}", False
            await _reset(smtp)
            if _is_permanent(exc):
                batch.settle(row, MailStatus.bounced, error)
                return smtp
        except (UnicodeError, ValueError) as exc:  # an address this server cannot take: retrying won't help
            await _reset(smtp)
            batch.settle(row, MailStatus.bounced, f"{type(exc).__name__}: {exc}")
            return smtp
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            # A lost connection during DATA leaves the row 'sending': the next try resends it with the same
            # Message-ID unless the delivery log shows the server had accepted it (checked above).
            error = f"{type(exc).__name__}: {exc}"
            unreachable = isinstance(exc, aiosmtplib.SMTPConnectError | ConnectionRefusedError)
            if smtp is not None:
                smtp.close()
            smtp = None
    if unreachable:
        batch.server_down = True  # even the last try could not connect: leave the rest for a rerun
    if row.status == MailStatus.sending.value and _accepted_by_log(batch, row):
        batch.settle(row, MailStatus.sent, None)
        return smtp
    batch.settle(row, MailStatus.failed, error)
    return smtp


def _accepted_by_log(batch: _Batch, row: OutboxMessage) -> bool:
    log = delivery_log_from(batch.tuning.delivery_log)
    return bool(log and row.message_id and log.accepted({row.message_id}))


async def _reset(smtp: aiosmtplib.SMTP | None) -> None:
    if smtp is not None and smtp.is_connected:
        try:
            await smtp.rset()
        except (aiosmtplib.SMTPException, OSError):
            smtp.close()


async def _worker(batch: _Batch) -> None:
    smtp: aiosmtplib.SMTP | None = None
    try:
        while not batch.queue.empty():
            row = batch.session.get(OutboxMessage, batch.queue.get_nowait())
            if row is None:
                continue
            if row.claimed_by != batch.owner and not batch.claim([row.id or 0]):
                continue  # an escalation someone else is already sending
            if batch.server_down:
                batch.settle(row, MailStatus.failed, "mail server unreachable")
                continue
            row.message_id = row.message_id or message_id_for(row, batch.settings)
            smtp = await _deliver(batch, row, smtp)
    finally:
        if smtp is not None and smtp.is_connected:
            try:
                await smtp.quit()
            except (aiosmtplib.SMTPException, OSError):
                smtp.close()


async def _run(batch: _Batch, ids: list[int]) -> None:
    for row_id in batch.claim(ids):
        batch.queue.put_nowait(row_id)
    await asyncio.gather(*(_worker(batch) for _ in range(batch.settings.smtp_connections)))


def send_outbox_batch(session: Session, settings: Settings, ids: list[int]) -> dict[str, int]:
    """Send the owed messages among `ids` (and the escalations their bounces create); commits as it goes.

    Rows a dead sender left 'claimed' or 'sending' are recovered first. Returns counts of sent, bounced,
    failed (still owed: the caller may raise so Prefect retries), escalated and recovery outcomes.
    """
    tuning = DeliverySettings()
    batch = _Batch(session, settings, tuning)
    ACTIVE_CALLS.add(batch.owner.rsplit(":", 1)[1])
    try:
        recovered = recover_interrupted(
            session, ids, timedelta(seconds=tuning.claim_lease_seconds), delivery_log_from(tuning.delivery_log)
        )
        asyncio.run(_run(batch, ids))
    finally:
        ACTIVE_CALLS.discard(batch.owner.rsplit(":", 1)[1])
    return {**batch.counts, **recovered}
