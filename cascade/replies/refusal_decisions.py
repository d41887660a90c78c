"""The issuer's decisions about a refusal as the console makes them: reroute the directive to a unit picked
from the tree (through `reroute`, as `cascade reroute` does), or accept the refusal (the unit is rightly not
concerned). Each is made once: a second click finds the first decision and does nothing more.

A refused assignment is never chased (cascade/chasing/ladder.py asks only `arrived` units to acknowledge, and
no refused unit owes a report); what a refusal still waits for is the issuer's decision, and `waiting_refusals`
lists the ones that have none."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from cascade.replies.refusal import DECISIONS, Decision, Unfit, decision_of, hold_refusal, reroute, reroute_unfit
from models import Assignment, AuditEvent, AuditLog, Directive, Status, Unit, record_audit

MAX_ID = 2**31  # ids are INTEGER columns: a larger number cannot exist (and the driver would raise on it)


@dataclass(frozen=True)
class Refusal:
    assignment: Assignment
    unit: Unit  # the unit that refused
    directive: Directive
    issuer: Unit
    decision: Decision | None  # None: waiting for the issuer's decision


class Outcome(StrEnum):
    done = "done"  # decided now
    same = "same"  # the same decision was made before: nothing more done
    rerouted_before = "rerouted_before"  # already rerouted, to another unit (`decision.to_name`)
    not_refused = "not_refused"
    dissolved = "dissolved"  # the unit picked has been dissolved
    recipient = "recipient"  # the unit picked already has the directive (any role)
    issuer = "issuer"  # the unit picked issued the directive


UNFIT_OUTCOMES = {Unfit.dissolved: Outcome.dissolved, Unfit.addressed: Outcome.recipient, Unfit.issuer: Outcome.issuer}


@dataclass(frozen=True)
class DecisionResult:
    outcome: Outcome
    decision: Decision | None  # the decision that stands after the call


def find_refusal(session: Session, assignment_id: int) -> Refusal | None:
    """The refusal of this assignment with its decision, or None (no such assignment, or never refused)."""
    assignment = session.get(Assignment, assignment_id) if 0 < assignment_id < MAX_ID else None
    if assignment is None or assignment.status != Status.refused or assignment.id is None:
        return None
    unit, directive = session.get(Unit, assignment.unit_id), session.get(Directive, assignment.directive_id)
    assert unit is not None and directive is not None
    issuer = session.get(Unit, directive.issuer_id)
    assert issuer is not None
    return Refusal(assignment, unit, directive, issuer, decision_of(session, assignment.id))


def accept_refusal(session: Session, assignment_id: int, *, actor: str) -> DecisionResult:
    """The unit was right not to carry the directive out: recorded once (AuditEvent.refusal_accepted); the
    assignment stays refused. A refusal already rerouted cannot be accepted any more."""
    if not hold_refusal(session, assignment_id):
        return DecisionResult(Outcome.not_refused, None)
    earlier = decision_of(session, assignment_id)
    if earlier is not None:
        same = earlier.event is AuditEvent.refusal_accepted
        return DecisionResult(Outcome.same if same else Outcome.rerouted_before, earlier)
    refusal = find_refusal(session, assignment_id)
    assert refusal is not None
    record_audit(
        session,
        AuditEvent.refusal_accepted,
        unit=refusal.unit,
        actor=actor,
        directive_id=refusal.directive.id,
        assignment_id=assignment_id,
        detail={"reason": refusal.assignment.refused_reason or ""},
    )
    session.flush()
    return DecisionResult(Outcome.done, decision_of(session, assignment_id))


def reroute_refusal(session: Session, assignment_id: int, to: Unit, *, actor: str) -> DecisionResult:
    """Send the directive to `to` instead of the unit that refused it (the same role), once per refusal; a
    refusal accepted before may still be rerouted. The new unit's notice goes out with the next dispatch."""
    if not hold_refusal(session, assignment_id):
        return DecisionResult(Outcome.not_refused, None)
    earlier = decision_of(session, assignment_id)
    if earlier is not None and earlier.event is AuditEvent.rerouted:
        same = earlier.to_code == to.code
        return DecisionResult(Outcome.same if same else Outcome.rerouted_before, earlier)
    refusal = find_refusal(session, assignment_id)
    assert refusal is not None
    unfit = reroute_unfit(session, refusal.directive, to)
    if unfit is not None:  # refused before anything is written: the rule `reroute` keeps too
        return DecisionResult(UNFIT_OUTCOMES[unfit], earlier)
    reroute(session, refusal.directive, refusal.unit.code, to.code, actor=actor)
    return DecisionResult(Outcome.done, decision_of(session, assignment_id))


def waiting_refusals(session: Session, *, where: sa.ColumnElement[bool] | None, limit: int = 200) -> list[Refusal]:
    """Refusals with no decision yet, oldest first; `where` filters on the directive's issuer (a scope)."""
    issuer = aliased(Unit)
    decided = sa.exists().where(col(AuditLog.assignment_id) == col(Assignment.id), col(AuditLog.event).in_(DECISIONS))
    query = (
        select(Assignment, Unit, Directive, issuer)
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .join(Directive, col(Directive.id) == col(Assignment.directive_id))
        .join(issuer, col(issuer.id) == col(Directive.issuer_id))
        # a recalled or replaced directive's refusals need no decision any more
        .where(col(Assignment.status) == Status.refused, ~decided, col(Directive.closed_at).is_(None))
        .order_by(col(Assignment.status_changed_at), col(Assignment.id))
        .limit(limit)
    )
    if where is not None:
        query = query.where(where)
    return [Refusal(a, u, d, i, None) for a, u, d, i in session.exec(query).all()]
