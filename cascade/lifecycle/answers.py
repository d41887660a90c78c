"""A unit's answer to a recall, from its link (Decision 28/2018/QĐ-TTg Art. 9: the receiver removes the document
and reports that it did): 15, it agrees and has removed it; 16, it does not agree, and says why.

What a clerk expects: the recall notice asks for an answer on the unit's own page, one button each (a GET never
answers: mail scanners open links). Opening the notice is no answer. The answer covers every assignment the unit
holds under the recalled directive (the directive itself and the pass-ons it received of it), as the notice did."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from cascade.core.errors import InputError, Problem
from models import Assignment, AuditEvent, Directive, RecallState, Unit, record_audit, utcnow


@dataclass(frozen=True)
class RecallAnswer:
    recorded: bool  # False: it had answered before (the first answer stands)
    state: RecallState
    at: datetime | None


def recalled_tree_ids(session: Session, directive: Directive) -> list[int]:
    """The recalled directive at the top of this one's recall, and every directive recalled with it."""
    top_id = directive.closed_by_id or directive.id
    query = select(Directive.id).where((col(Directive.id) == top_id) | (col(Directive.closed_by_id) == top_id))
    return [i for i in session.exec(query).all() if i is not None]


def answer_recall(
    session: Session,
    assignment_id: int,
    *,
    agreed: bool,
    reason: str = "",
    remote_addr: str | None = None,
    now: datetime | None = None,
) -> RecallAnswer:
    """Record the unit's answer (InputError: nothing to answer, or a refusal without its reason)."""
    now = now or utcnow()
    assignment = session.get(Assignment, assignment_id)
    directive = session.get(Directive, assignment.directive_id) if assignment else None
    if assignment is None or directive is None or directive.recalled_at is None or assignment.recall is None:
        raise InputError([Problem("recall", "this unit was not asked to return this document")])
    if assignment.recall != RecallState.requested:
        return RecallAnswer(False, RecallState(assignment.recall), assignment.recall_answered_at)
    reason = " ".join(reason.split())
    if not agreed and not reason:
        raise InputError([Problem("recall", "Vui lòng nêu lý do không đồng ý thu hồi.", entry="reason")])
    state = RecallState.agreed if agreed else RecallState.refused
    same_unit = select(Assignment).where(
        Assignment.unit_id == assignment.unit_id,
        col(Assignment.directive_id).in_(recalled_tree_ids(session, directive)),
        Assignment.recall == RecallState.requested,
    )
    for held in session.exec(same_unit).all():
        held.recall, held.recall_answered_at = state, now
        held.recall_refusal = None if agreed else reason
        session.add(held)
    unit = session.get(Unit, assignment.unit_id)
    event = AuditEvent.recall_agreed if agreed else AuditEvent.recall_refused
    record_audit(session, event, unit=unit, actor=f"link from {remote_addr}", at=now, directive_id=directive.id,
                 assignment_id=assignment_id, detail={"number": directive.number, "reason": reason})  # fmt: skip
    session.flush()
    return RecallAnswer(True, state, now)
