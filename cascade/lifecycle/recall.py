"""A recall (thu hồi văn bản, edXML 13): the issuer withdraws a directive it sent, with its reason.

The directive and every implementing directive issued under it are closed (cascade/directives/closing.py); every
unit holding any of them is asked for it back (its assignments' `recall` = requested) and gets one recall notice;
mail about them not handed to the server yet is cancelled; from then on nothing chases them and their links show
the recall and take the unit's answer only (cascade/lifecycle/answers.py)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from cascade.core.errors import InputError, Problem
from cascade.core.settings import Settings
from cascade.directives.closing import close, issued_directive
from cascade.lifecycle.notices import cancel_unsent, enqueue, holder_notice, reference
from cascade.lifecycle.received import holders
from cascade.lifecycle.results import Outcome
from models import Assignment, AuditEvent, Directive, RecallState, Unit, record_audit, utcnow

ASSIGNMENT = Assignment.__table__  # type: ignore[attr-defined]


def check_recall(session: Session, number: str, issuer: str, reason: str) -> Directive:
    """The directive to recall, or InputError: none, another unit's, already recalled or replaced, no reason."""
    directive = issued_directive(session, number, issuer, source="recall", entry="number")
    if not reason.strip():
        raise InputError([Problem("recall", "give the reason of the recall (--reason): the units are told it")])
    return directive


def recall(
    session: Session,
    settings: Settings,
    *,
    number: str,
    issuer: str,
    reason: str,
    actor: str = "cli",
    now: datetime | None = None,
) -> Outcome:
    """Recall the directive and what was issued under it; returns the recall notices to send."""
    now = now or utcnow()
    top = check_recall(session, number, issuer, reason)
    reason = " ".join(reason.split())
    closing = close(session, top, now, recall_reason=reason)
    ids = [d.id for d in closing if d.id is not None]
    held = holders(session, ids)
    asked = [a.id for h in held for a in h.assignments]
    for start in range(0, len(asked), 5000):
        session.execute(
            sa.update(ASSIGNMENT)
            .where(ASSIGNMENT.c.id.in_(asked[start : start + 5000]))
            .values(recall=RecallState.requested.value)
        )
    cancelled = cancel_unsent(session, ids)
    by_id = {d.id: d for d in closing}
    top_issuer = session.get(Unit, top.issuer_id)
    assert top_issuer is not None
    rows = []
    for holder in held:
        documents = [by_id[a.directive_id] for a in holder.assignments]
        rows.append(
            holder_notice(
                settings,
                session,
                holder,
                key=f"recall:{top.id}:{holder.unit_id}",
                template="recall",
                now=now,
                issuer=top_issuer,
                directive=top,
                reference=reference(session, top),
                reason=reason,
                holds_top=documents[0] is top,
                passed_on=[reference(session, d) for d in documents if d is not top],
                recalled_at=now,
            )
        )
    message_ids = enqueue(session, rows)
    for d in closing[1:]:  # recalled with it
        record_audit(session, AuditEvent.directive_recalled, unit=session.get(Unit, d.issuer_id), actor=actor, at=now,
                     directive_id=d.id, detail={"number": d.number, "reason": reason, "with": top.number})  # fmt: skip
    record_audit(session, AuditEvent.directive_recalled, unit=top_issuer, actor=actor, at=now, directive_id=top.id,
                 detail={"number": top.number, "reason": reason, "notices": len(rows), "cancelled": cancelled,
                         "directives": len(closing)})  # fmt: skip
    session.flush()
    lines = [
        f"{top_issuer.name} thu hồi {reference(session, top, with_issuer=False)}. Lý do: {reason}",
        f"Thu hồi cùng: {len(closing) - 1} văn bản triển khai; {len(rows)} đơn vị được báo thu hồi; "
        f"{cancelled} thư chưa gửi đã hủy.",
    ]
    assert top.id is not None
    return Outcome(kind="recall", directive_id=top.id, number=top.number, issuer=top_issuer.name,
                   message_ids=message_ids, cancelled=cancelled, lines=lines)  # fmt: skip
