"""The figures of a directive's live progress page, by level of its tree: notices sent, units that confirmed
receipt, units late to confirm and notices bounced. One GROUP BY over the tree (the directive and every
implementing directive below it), so the page can ask every few seconds whatever the tree's size.

Sent and bounced are read from the notices in the outbox (one per assignment), not from the assignments'
status: a notice the server accepted is sent even before the unit has done anything, and a bounced one is
the reason a unit will never confirm. Confirmed and late count only the units asked to acknowledge (a
superior "để báo cáo" is never chased), as cascade/status/summary.py does."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlmodel import Session

from cascade.status.summary import ACKNOWLEDGED, ASSIGNMENT, CHASED, condition, directive_tree
from models import MailStatus, OutboxMessage

OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]


@dataclass
class LiveLevel:
    level: int
    units: int  # assignments at this level, every role
    sent: int  # their notices accepted by the mail server
    bounced: int  # their notices refused for good (5xx)
    asked: int  # units asked to acknowledge
    confirmed: int  # of them, those that did
    late: int  # of them, past the deadline and not acknowledged


def live_levels(session: Session, directive_id: int, today: date) -> list[LiveLevel]:
    tree = directive_tree(directive_id)
    a, o = ASSIGNMENT.c, OUTBOX.c
    chased = a.role.in_(CHASED)

    def count(when: Any) -> Any:
        return func.coalesce(func.sum(case((when, 1), else_=0)), 0)

    found = session.connection().execute(
        select(
            tree.c.level,
            func.count(),
            count(o.status == MailStatus.sent.value),
            count(o.status == MailStatus.bounced.value),
            count(chased),
            count(and_(chased, a.status.in_(ACKNOWLEDGED))),
            count(condition("overdue", today)),
        )
        .select_from(
            ASSIGNMENT.join(tree, tree.c.id == a.directive_id).outerjoin(
                OUTBOX, and_(o.assignment_id == a.id, o.kind == "notice")
            )
        )
        .group_by(tree.c.level)
        .order_by(tree.c.level)
    )
    return [LiveLevel(*(int(v) for v in row)) for row in found]


def live_totals(levels: list[LiveLevel]) -> LiveLevel:
    """Every level added up (level 0 stands for "all")."""
    sums = [sum(getattr(line, name) for line in levels) for name in ("units", "sent", "bounced", "asked")]
    more = [sum(getattr(line, name) for line in levels) for name in ("confirmed", "late")]
    return LiveLevel(0, *sums, *more)


def live_payload(levels: list[LiveLevel], *, dispatched: bool) -> dict[str, Any]:
    """What the page's script receives every few seconds (and what the page shows at first)."""
    return {
        "levels": [asdict(line) for line in levels],
        "total": asdict(live_totals(levels)),
        "dispatched": dispatched,
    }
