"""A replacement (thay thế): a directive file says `replaces: "NUMBER"`. Storing it closes the old directive and
the pass-ons issued under it (cascade/directives/store.py, cascade/directives/closing.py); this tells every unit
holding any of them what replaced it, once, and cancels their mail still unsent (reminders of the old one). The
new directive then cascades as any other (flows/replace.py runs cascade-directive for it): acknowledgements of
the old one are not carried over, each unit confirms the new one."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from cascade.core.settings import Settings
from cascade.lifecycle.notices import cancel_unsent, enqueue, holder_notice, reference
from cascade.lifecycle.received import holders
from cascade.lifecycle.results import Outcome
from models import Directive, Recipient, Unit, utcnow


def replaced_by(session: Session, directive_id: int) -> Directive | None:
    """The directive this one replaced, if it replaced one."""
    return session.exec(select(Directive).where(Directive.replaced_by_id == directive_id)).first()


def notify_replaced(session: Session, settings: Settings, directive_id: int, *, now: datetime | None = None) -> Outcome:
    """Queue the replacement notices of the directive `directive_id` replaced (none if it replaced none)."""
    now = now or utcnow()
    new = session.get(Directive, directive_id)
    assert new is not None
    issuer = session.get(Unit, new.issuer_id)
    assert issuer is not None
    old = replaced_by(session, directive_id)
    if old is None:
        return Outcome(kind="replace", directive_id=directive_id, number=new.number, issuer=issuer.name,
                       message_ids=[], cancelled=0, lines=[f"{new.number} không thay thế văn bản nào."])  # fmt: skip
    closed = [old, *session.exec(select(Directive).where(Directive.closed_by_id == old.id).order_by(col(Directive.id)))]
    ids = [d.id for d in closed if d.id is not None]
    cancelled = cancel_unsent(session, ids)
    receives_new = set(session.exec(select(Recipient.unit_id).where(Recipient.directive_id == new.id)).all())
    by_id = {d.id: d for d in closed}
    rows = []
    held = holders(session, ids)
    for holder in held:
        documents = [by_id[a.directive_id] for a in holder.assignments]
        rows.append(
            holder_notice(
                settings,
                session,
                holder,
                key=f"replaced:{old.id}:{holder.unit_id}",
                template="replaced",
                now=now,
                issuer=issuer,
                directive=old,
                reference=reference(session, old),
                replacement=reference(session, new),
                summary=new.summary,
                holds_top=documents[0] is old,
                passed_on=[reference(session, d) for d in documents if d is not old],
                receives_new=holder.unit_id in receives_new,
            )
        )
    message_ids = enqueue(session, rows)
    lines = [
        f"{reference(session, new)} thay thế {reference(session, old, with_issuer=False)}.",
        f"{len(rows)} đơn vị được báo văn bản cũ hết hiệu lực; {len(closed) - 1} văn bản triển khai hết hiệu lực "
        f"cùng; {cancelled} thư chưa gửi của văn bản cũ đã hủy.",
    ]
    return Outcome(kind="replace", directive_id=directive_id, number=new.number, issuer=issuer.name,
                   message_ids=message_ids, cancelled=cancelled, lines=lines)  # fmt: skip
