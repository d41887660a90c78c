"""The units that have a directive: every assignment of it (and of the implementing directives issued under it)
whose notice reached the unit, gathered per unit, since a unit that received the directive and a pass-on of it
gets one notice about both."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, col

from models import Assignment, MailStatus, OutboxMessage, Status, Unit

# A notice handed to the server (sent, or in doubt) may be in the unit's mailbox: the unit is told.
HANDED_OVER = (MailStatus.sent.value, MailStatus.sending.value)


@dataclass
class Holder:
    """A unit that has the directive, and its assignments of it (the directive's own first, then pass-ons)."""

    unit_id: int
    code: str
    name: str
    email: str
    assignments: list[Assignment] = field(default_factory=list)

    @property
    def first(self) -> Assignment:
        return self.assignments[0]


def holders(session: Session, directive_ids: list[int], *, with_refused: bool = False) -> list[Holder]:
    """The units holding any of these directives (in the order given, then by unit code), each once. A unit
    that refused it does not hold it (unless `with_refused`); one whose notice never left does not either."""
    if not directive_ids:
        return []
    handed = sa.exists().where(
        col(OutboxMessage.assignment_id) == col(Assignment.id),
        col(OutboxMessage.kind) == "notice",
        col(OutboxMessage.status).in_(HANDED_OVER),
    )
    query = (
        sa.select(Assignment, col(Unit.code), col(Unit.name), col(Unit.email))
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .where(col(Assignment.directive_id).in_(directive_ids), col(Unit.active))
        .where(sa.or_(col(Assignment.status) != Status.queued.value, handed))
        .execution_options(populate_existing=True)  # deadlines moved by a Core UPDATE a moment ago are read anew
    )
    if not with_refused:
        query = query.where(col(Assignment.status) != Status.refused.value)
    order = {d: i for i, d in enumerate(directive_ids)}
    rows = sorted(session.execute(query).all(), key=lambda r: (order[r[0].directive_id], r[1]))
    found: dict[int, Holder] = {}
    for assignment, code, name, email in rows:
        holder = found.setdefault(assignment.unit_id, Holder(assignment.unit_id, code, name, email))
        holder.assignments.append(assignment)
    return list(found.values())
