"""The database side of one send call: claim rows, load them, and settle them a group at a time.

Core statements on the tables, not the ORM per row: a group of 50 messages costs four statements and one
commit (a call's rows are read once, at its start), and the rows are light records (Mail), so a batch of 1,000
holds no ORM state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects import postgresql
from sqlmodel import Session

from cascade.core.failpoints import failpoint
from cascade.core.settings import Settings
from cascade.core.sqlutil import id_in
from cascade.delivery.bounce import escalate_bounce
from cascade.delivery.counts import SendCounts
from cascade.delivery.mailmessage import Mail, message_id_for
from cascade.delivery.outbox_store import mail_rows
from models import Assignment, MailStatus, OutboxMessage, Status, utcnow

OWED = (MailStatus.pending.value, MailStatus.failed.value)
OUTBOX: Table = OutboxMessage.__table__  # type: ignore[attr-defined]
ASSIGNMENT: Table = Assignment.__table__  # type: ignore[attr-defined]

_ARRIVED = (
    update(ASSIGNMENT)
    .where(ASSIGNMENT.c.id == bindparam("a_id"), ASSIGNMENT.c.status == Status.queued.value)
    .values(status=Status.arrived.value, status_changed_at=bindparam("now"))
)


# PostgreSQL: one statement per group, the ids as one array (its planner takes the primary key).
_ARRIVED_ANY = (
    update(ASSIGNMENT)
    .where(
        ASSIGNMENT.c.id == sa.any_(bindparam("a_ids", type_=postgresql.ARRAY(sa.Integer))),
        ASSIGNMENT.c.status == Status.queued.value,
    )
    .values(status=Status.arrived.value, status_changed_at=bindparam("now"))
)
_SENDING_PAIRS = (
    sa.func.unnest(
        bindparam("row_ids", type_=postgresql.ARRAY(sa.Integer)),
        bindparam("mids", type_=postgresql.ARRAY(sa.String)),
    )
    .table_valued("row_id", "mid")
    .render_derived()
)
# PostgreSQL: a group's rows 'sending' in one statement, each with its Message-ID, from two arrays.
_SENDING_UNNEST = (
    update(OUTBOX)
    .where(OUTBOX.c.id == _SENDING_PAIRS.c.row_id, OUTBOX.c.claimed_by == bindparam("owner"))
    .values(
        status=MailStatus.sending.value,
        attempts=OUTBOX.c.attempts + 1,
        message_id=_SENDING_PAIRS.c.mid,
        claimed_at=bindparam("now"),
    )
)
_SENDING = (
    update(OUTBOX)
    .where(OUTBOX.c.id == bindparam("row_id"), OUTBOX.c.claimed_by == bindparam("owner"))
    .values(
        status=MailStatus.sending.value,
        attempts=OUTBOX.c.attempts + 1,
        message_id=bindparam("mid"),
        claimed_at=bindparam("now"),
    )
)


def _postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def notices_arrived(session: Session, assignment_ids: list[int | None], now: datetime) -> None:
    """Assignments whose notice was delivered move queued → arrived (edXML 01); later states are kept."""
    ids = [a for a in assignment_ids if a]
    if not ids:
        return
    if _postgresql(session):
        session.execute(_ARRIVED_ANY, {"a_ids": ids, "now": now})
        return
    # One primary-key update per row: with `id IN (…) AND status = 'queued'` SQLite's planner picks the
    # status index and scans every queued assignment (quadratic over a national dispatch).
    session.execute(_ARRIVED, [{"a_id": a, "now": now} for a in ids])


class OutboxGroups:
    def __init__(self, session: Session, settings: Settings, owner: str) -> None:
        self.session, self.settings, self.owner = session, settings, owner
        self.counts = SendCounts()

    def claim(self, ids: list[int]) -> list[int]:
        """Take the still-owed rows among `ids` for this call (one commit; concurrent senders skip them)."""
        if not ids:
            return []
        self.session.execute(
            update(OUTBOX)
            .where(id_in(self.session, OUTBOX.c.id, ids), OUTBOX.c.status.in_(OWED))
            .values(status=MailStatus.claimed.value, claimed_by=self.owner, claimed_at=utcnow())
        )
        self.session.commit()
        failpoint("after-claim")
        mine = select(OUTBOX.c.id).where(id_in(self.session, OUTBOX.c.id, ids), OUTBOX.c.claimed_by == self.owner)
        return sorted(self.session.execute(mine).scalars())

    def load(self, ids: list[int]) -> list[Mail]:
        """The rows among `ids` this call holds; ids it has not claimed yet (escalations) are claimed first."""
        if not ids:
            return []
        rows = mail_rows(self.session, ids, "claimed_by")
        unclaimed = [r.id for r in rows if r.claimed_by != self.owner]
        taken = set(self.claim(unclaimed)) if unclaimed else set()
        mails = [Mail.of(r) for r in rows if r.claimed_by == self.owner or r.id in taken]
        for mail in mails:
            mail.message_id = mail.message_id or message_id_for(mail, self.settings)
        return sorted(mails, key=lambda m: m.id)

    def settle_and_mark(self, accepted: list[Mail], mails: list[Mail]) -> list[Mail]:
        """One commit between two groups of a connection: the previous group's accepted rows 'sent' (their
        notices' assignments queued → arrived, edXML 01) and the next group's rows 'sending', before its first
        DATA. A crash from here leaves the next group in doubt, and only it. Returns the rows of `mails` marked:
        a row this call no longer holds (its lease ran out and another sender took it) is not sent by it.

        Marking a group 'sending' renews its rows' lease (claimed_at): a call that has held its batch longer than
        CASCADE_CLAIM_LEASE_SECONDS (a paced relay) is still seen alive by a sender on another machine, which
        would otherwise take the group as abandoned while it goes out and resend it. A group goes out within half
        the lease (cascade.delivery.mailer.group_limit)."""
        now = utcnow()
        if accepted:
            self._set(accepted, status=MailStatus.sent.value, sent_at=now, last_error=None)
            notices_arrived(self.session, [m.assignment_id for m in accepted if m.kind == "notice"], now)
        if mails and _postgresql(self.session):
            ids, mids = [m.id for m in mails], [m.message_id for m in mails]
            self.session.execute(_SENDING_UNNEST, {"row_ids": ids, "mids": mids, "owner": self.owner, "now": now})
        elif mails:
            params = [{"row_id": m.id, "mid": m.message_id, "owner": self.owner, "now": now} for m in mails]
            self.session.execute(_SENDING, params)
        marked = set()
        if mails:
            sending = (OUTBOX.c.status == MailStatus.sending.value, OUTBOX.c.claimed_by == self.owner)
            query = select(OUTBOX.c.id).where(id_in(self.session, OUTBOX.c.id, [m.id for m in mails]), *sending)
            marked = set(self.session.execute(query).scalars())
        self.session.commit()
        self.counts.sent += len(accepted)
        for _ in accepted:
            failpoint("after-sent")
        return [m for m in mails if m.id in marked]

    def settle_failed(self, mails: list[Mail], error: str) -> None:
        """Still owed (a rerun sends them): a temporary failure, or the server could not be reached."""
        self._set(mails, status=MailStatus.failed.value, last_error=error)
        self.session.commit()
        self.counts.failed += len(mails)
        for _ in mails:
            failpoint("after-failed")

    def bounce(self, mail: Mail, error: str) -> list[int]:
        """A row refused for good, escalated to the unit above in the same commit.

        Returns the ids of escalation messages to send in this call."""
        row = self.session.get(OutboxMessage, mail.id, populate_existing=True)
        assert row is not None
        row.status, row.last_error, row.claimed_by = MailStatus.bounced, error, None
        escalation = escalate_bounce(self.session, row, error)
        self.session.add(row)
        self.session.commit()
        self.counts.bounced += 1
        self.counts.escalated += escalation is not None
        failpoint("after-bounced")
        return [] if escalation is None else [escalation]

    def _set(self, mails: list[Mail], **values: Any) -> None:
        ids = [m.id for m in mails]
        mine = (id_in(self.session, OUTBOX.c.id, ids), OUTBOX.c.claimed_by == self.owner)
        self.session.execute(update(OUTBOX).where(*mine).values(claimed_by=None, **values))
