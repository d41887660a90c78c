"""Rows a dead sender left behind: 'claimed' ones go back to the queue, 'sending' ones are in doubt.

'claimed' is committed before MAIL FROM, so such a row never reached the server: it is simply owed again.
'sending' is committed just before the message data goes out, so the server may hold it. If a delivery log
(the mail server's record of accepted Message-IDs) is configured, it decides; without one the row is sent
again with the same Message-ID (at-least-once, in that window only) and the audit log says so.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from datetime import datetime, timedelta
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Protocol

from sqlmodel import Session, col, select, update

from models import Assignment, AuditLog, MailStatus, OutboxMessage, Status, utcnow

# Calls of send_outbox_batch running in this process (their rows are not abandoned).
ACTIVE_CALLS: set[str] = set()
HOST = socket.gethostname()


class DeliveryLog(Protocol):
    def accepted(self, message_ids: set[str]) -> set[str]:
        """Which of these Message-IDs the mail server accepted."""
        ...


class MaildirDeliveryLog:
    """The local SMTP sink's maildir (one .eml per accepted message), read for Message-ID headers."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def accepted(self, message_ids: set[str]) -> set[str]:
        found: set[str] = set()
        parser = BytesHeaderParser()
        for eml in self.path.glob("*.eml"):
            with eml.open("rb") as fh:
                value = parser.parse(fh)["Message-ID"]
            if value and str(value).strip() in message_ids:
                found.add(str(value).strip())
        return found


def mark_delivered(session: Session, row: OutboxMessage, now: datetime) -> None:
    """The row is sent; a notice moves its assignment from queued to arrived (edXML 01)."""
    row.status, row.sent_at, row.claimed_by = MailStatus.sent.value, now, None
    session.add(row)
    if row.kind == "notice" and row.assignment_id:
        session.execute(
            update(Assignment)
            .where(col(Assignment.id) == row.assignment_id, col(Assignment.status) == Status.queued.value)
            .values(status=Status.arrived.value, status_changed_at=now)
        )


def delivery_log_from(spec: str | None) -> DeliveryLog | None:
    return MaildirDeliveryLog(Path(spec)) if spec else None


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
    session: Session, ids: Iterable[int], lease: timedelta, log: DeliveryLog | None
) -> dict[str, int]:
    """Return the abandoned rows among `ids` to the queue (or to 'sent' if the delivery log has them); commits."""
    rows = session.exec(
        select(OutboxMessage).where(
            col(OutboxMessage.id).in_(list(ids)),
            col(OutboxMessage.status).in_([MailStatus.claimed.value, MailStatus.sending.value]),
        )
    ).all()
    now = utcnow()
    gone = [r for r in rows if holder_is_gone(r.claimed_by, now - (r.claimed_at or now), lease)]
    in_doubt = [r for r in gone if r.status == MailStatus.sending.value]
    accepted = log.accepted({r.message_id for r in in_doubt if r.message_id}) if log and in_doubt else set()
    counts = {"requeued": 0, "in_doubt_delivered": 0, "in_doubt_resent": 0}
    for row in gone:
        if row.status == MailStatus.sending.value and row.message_id in accepted:
            mark_delivered(session, row, now)
            counts["in_doubt_delivered"] += 1
            event = "mail_in_doubt_delivered"
        elif row.status == MailStatus.sending.value:
            row.status = MailStatus.failed.value
            counts["in_doubt_resent" if log is None else "requeued"] += 1
            event = "mail_in_doubt_resent" if log is None else "mail_in_doubt_not_delivered"
        else:
            row.status = MailStatus.pending.value
            counts["requeued"] += 1
            event = ""
        if event:
            session.add(
                AuditLog(event=event, directive_id=row.directive_id, assignment_id=row.assignment_id,
                         detail={"key": row.key, "message_id": row.message_id, "holder": row.claimed_by})
            )  # fmt: skip
        row.claimed_by = None
        session.add(row)
    session.commit()
    return counts
