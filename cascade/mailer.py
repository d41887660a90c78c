"""Sends outbox messages with aiosmtplib over several reused connections; records each outcome."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import aiosmtplib
from sqlmodel import Session, col, select, update

from cascade.settings import Settings
from models import Assignment, AuditLog, MailStatus, OutboxMessage, Status, utcnow


@dataclass(frozen=True)
class Outcome:
    message_id: int
    status: MailStatus
    error: str | None = None


def build_email(settings: Settings, row: OutboxMessage) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = formataddr((row.to_name, row.to_addr)) if row.to_name else row.to_addr
    msg["Subject"] = row.subject
    # A Message-ID derived from the outbox key: a duplicate, should one ever happen, is recognisable.
    msg["Message-ID"] = make_msgid(idstring=row.key.replace(":", "-"), domain=_domain(settings))
    msg["X-Cascade-Key"] = row.key
    msg.set_content(row.body_text)
    msg.add_alternative(row.body_html, subtype="html")
    return msg


def _domain(settings: Settings) -> str:
    try:
        return Address(addr_spec=settings.mail_from.rsplit("<", 1)[-1].rstrip(">")).domain or "cascade.local"
    except Exception:  # a display-only From still sends; the domain is cosmetic here
        return "cascade.local"


def _classify(exc: Exception) -> Outcome | None:
    code = getattr(exc, "code", None)
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
        code = exc.recipients[0].code
    if isinstance(code, int) and 500 <= code < 600:
        return Outcome(0, MailStatus.bounced, f"{code} {getattr(exc, 'message', exc)}")
    return None


async def _worker(settings: Settings, queue: asyncio.Queue[tuple[int, EmailMessage]], out: list[Outcome]) -> None:
    smtp: aiosmtplib.SMTP | None = None
    try:
        while not queue.empty():
            row_id, msg = queue.get_nowait()
            try:
                if smtp is None or not smtp.is_connected:
                    smtp = aiosmtplib.SMTP(
                        hostname=settings.smtp_host,
                        port=settings.smtp_port,
                        timeout=settings.smtp_timeout,
                        start_tls=False,
                    )
                    await smtp.connect()
                await smtp.send_message(msg)
                out.append(Outcome(row_id, MailStatus.sent))
            except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row
                bounced = _classify(exc)
                out.append(
                    Outcome(row_id, MailStatus.bounced, bounced.error)
                    if bounced
                    else Outcome(row_id, MailStatus.failed, f"{type(exc).__name__}: {exc}")
                )
                if bounced is None and smtp is not None:
                    smtp.close()
                    smtp = None
    finally:
        if smtp is not None and smtp.is_connected:
            try:
                await smtp.quit()
            except Exception:  # noqa: BLE001 - the server may already be gone
                smtp.close()


async def send_messages(settings: Settings, messages: list[tuple[int, EmailMessage]]) -> list[Outcome]:
    queue: asyncio.Queue[tuple[int, EmailMessage]] = asyncio.Queue()
    for item in messages:
        queue.put_nowait(item)
    out: list[Outcome] = []
    workers = min(settings.smtp_connections, max(1, len(messages)))
    await asyncio.gather(*(_worker(settings, queue, out) for _ in range(workers)))
    return out


def load_owed(session: Session, ids: list[int]) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(
        col(OutboxMessage.id).in_(ids), col(OutboxMessage.status).in_(["pending", "failed"])
    )
    return list(session.exec(query).all())


def record_outcomes(session: Session, outcomes: list[Outcome]) -> dict[str, int]:
    """Write each message's outcome; a delivered notice moves its assignment to 'arrived' (edXML 01)."""
    now = utcnow()
    counts = {s.value: 0 for s in MailStatus}
    rows = {
        r.id: r
        for r in session.exec(
            select(OutboxMessage).where(col(OutboxMessage.id).in_([o.message_id for o in outcomes]))
        ).all()
    }
    arrived: list[int] = []
    for o in outcomes:
        row = rows[o.message_id]
        row.status, row.attempts, row.last_error = o.status.value, row.attempts + 1, o.error
        if o.status == MailStatus.sent:
            row.sent_at = now
            if row.kind == "notice" and row.assignment_id:
                arrived.append(row.assignment_id)
        elif o.status == MailStatus.bounced:
            session.add(
                AuditLog(
                    event="mail_bounced",
                    directive_id=row.directive_id,
                    assignment_id=row.assignment_id,
                    detail={"to": row.to_addr, "reply": o.error},
                )
            )
        counts[o.status.value] += 1
    if arrived:
        session.execute(
            update(Assignment)
            .where(col(Assignment.id).in_(arrived), col(Assignment.status) == Status.queued.value)
            .values(status=Status.arrived.value, status_changed_at=now)
        )
    session.flush()
    return counts


def send_outbox_batch(session: Session, settings: Settings, ids: list[int]) -> dict[str, int]:
    """Send the owed messages among `ids` and record the outcomes (the caller commits)."""
    rows = load_owed(session, ids)
    messages = [(r.id, build_email(settings, r)) for r in rows if r.id is not None]
    outcomes = asyncio.run(send_messages(settings, messages))
    return record_outcomes(session, outcomes)
