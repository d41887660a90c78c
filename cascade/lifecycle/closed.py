"""What a unit's link shows once its directive is no longer in force: the one check every link page makes
(web/common.py resolve_link) before it shows or accepts anything. A recalled directive's page tells the recall,
its reason and the unit's answer (with the buttons to give it); a replaced one's names what replaced it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from cascade.lifecycle.notices import reference
from models import Assignment, Directive, RecallState, Unit

ASSIGNMENT = Assignment.__table__  # type: ignore[attr-defined]
DIRECTIVE = Directive.__table__  # type: ignore[attr-defined]
# One primary-key lookup per link request: the acknowledgement is every unit's one write, kept light.
_CLOSED = (
    sa.select(DIRECTIVE.c.closed_at)
    .join(ASSIGNMENT, ASSIGNMENT.c.directive_id == DIRECTIVE.c.id)
    .where(ASSIGNMENT.c.id == sa.bindparam("assignment_id"))
)


@dataclass(frozen=True)
class ClosedLink:
    unit_name: str
    reference: str  # the document the link was for ("Công văn số 01/LĐLĐ ngày … của …")
    top_reference: str  # the document recalled or replaced (the same, or the one it implements)
    recalled: bool
    closed_at: datetime
    reason: str | None = None  # of the recall
    replacement: str | None = None  # "Kế hoạch số 40-KH/TU ngày … của …"
    answer: RecallState | None = None  # the unit's answer to the recall (requested: not yet)
    answered_at: datetime | None = None
    refusal: str | None = None

    @property
    def awaiting_answer(self) -> bool:
        return self.recalled and self.answer == RecallState.requested


def is_closed(session: Session, assignment_id: int) -> bool:
    return session.connection().execute(_CLOSED, {"assignment_id": assignment_id}).scalar() is not None


def closed_link(session: Session, assignment_id: int) -> ClosedLink | None:
    """What the link shows instead of its page, or None while its directive is in force."""
    if not is_closed(session, assignment_id):
        return None
    assignment = session.get(Assignment, assignment_id)
    assert assignment is not None
    directive = session.get(Directive, assignment.directive_id)
    unit = session.get(Unit, assignment.unit_id)
    assert directive is not None and directive.closed_at is not None and unit is not None
    top = session.get(Directive, directive.closed_by_id) if directive.closed_by_id else directive
    assert top is not None
    replacement = session.get(Directive, top.replaced_by_id) if top.replaced_by_id else None
    return ClosedLink(
        unit_name=unit.name,
        reference=reference(session, directive),
        top_reference=reference(session, top),
        recalled=directive.recalled_at is not None,
        closed_at=directive.closed_at,
        reason=directive.recall_reason,
        replacement=reference(session, replacement) if replacement else None,
        answer=RecallState(assignment.recall) if assignment.recall else None,
        answered_at=assignment.recall_answered_at,
        refusal=assignment.recall_refusal,
    )
