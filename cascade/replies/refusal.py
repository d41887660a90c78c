"""Refusal (edXML 02, "not addressed to us") and rerouting to another unit; what the issuer decided about a
refusal (`decision_of`), read from the audit trail, which is where the decision is recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, col, select, update

from cascade.core.errors import InputError, Problem
from cascade.delivery.outbox_store import enqueue_mail
from cascade.rendering.render import outbox_row
from models import Assignment, AuditEvent, AuditLog, Directive, Recipient, Status, Unit, record_audit, utcnow

REFUSABLE = (Status.queued, Status.arrived)
# The issuer's answers to a refusal: the directive goes to another unit, or the unit was right.
DECISIONS = (AuditEvent.rerouted, AuditEvent.refusal_accepted)


class Unfit(StrEnum):
    """Why a unit cannot be sent a refused directive instead of the unit that refused it."""

    issuer = "issuer"  # the directive's own issuer: it would be sent its own directive to carry out
    addressed = "addressed"  # the directive already reaches it (a recipient of any role, or holds an assignment)
    dissolved = "dissolved"


# What `cascade reroute` answers (the console says it in Vietnamese: web/decisions.py).
UNFIT_PROBLEMS = {
    Unfit.issuer: "{unit} issued {number}: a directive is never sent to its own issuer, pick another unit",
    Unfit.addressed: "{unit} is already a recipient of {number}: it has the directive, pick another unit",
    Unfit.dissolved: "{unit} has been dissolved",
}


def addressed_units(session: Session, directive: Directive) -> set[int]:
    """The ids of the units the directive already reaches: its recipients, of every role, and the units holding
    one of its assignments (a dissolved unit's successor holds the assignment without being a recipient)."""
    recipients = select(Recipient.unit_id).where(Recipient.directive_id == directive.id)
    holders = select(Assignment.unit_id).where(Assignment.directive_id == directive.id)
    return set(session.exec(recipients).all()) | set(session.exec(holders).all())


def unfit_targets(session: Session, directive: Directive) -> dict[int, Unfit]:
    """By unit id, the units a refusal of the directive can never be rerouted to, and why; the one rule the
    console's picker, its decision and `cascade reroute` keep (the issuer is never one of its own recipients)."""
    unfit = dict.fromkeys(addressed_units(session, directive), Unfit.addressed)
    unfit[directive.issuer_id] = Unfit.issuer
    return unfit


def reroute_unfit(session: Session, directive: Directive, target: Unit) -> Unfit | None:
    """Why `target` cannot be sent the directive instead of a unit that refused it, or None when it can."""
    if not target.active:
        return Unfit.dissolved
    return unfit_targets(session, directive).get(target.id or 0)


@dataclass(frozen=True)
class RefuseResult:
    recorded: bool
    status: Status


@dataclass(frozen=True)
class Decision:
    """What the issuer's side decided about a refusal, and who did, when."""

    event: AuditEvent  # rerouted | refusal_accepted
    actor: str
    at: datetime
    to_code: str | None  # rerouted: the unit it went to instead
    to_name: str | None


def decision_url(public_url: str, assignment_id: int) -> str:
    """The console page where the issuer's administrator decides about a refusal."""
    return f"{public_url.rstrip('/')}/admin/refusals/{assignment_id}"


def refuse(
    session: Session,
    assignment_id: int,
    *,
    reason: str,
    remote_addr: str | None,
    now: datetime | None = None,
    public_url: str | None = None,
) -> RefuseResult:
    """Refuse an assignment not yet acknowledged; the issuer is told by email (through the outbox), with a link
    to the page where its administrator reroutes the directive or accepts the refusal."""
    now = now or utcnow()
    changed = session.execute(
        update(Assignment)
        .where(col(Assignment.id) == assignment_id, col(Assignment.status).in_(REFUSABLE))
        .values(status=Status.refused, refused_reason=reason, status_changed_at=now)
    )
    assignment = session.get(Assignment, assignment_id)
    assert assignment is not None
    session.refresh(assignment)
    if not getattr(changed, "rowcount", 0):
        return RefuseResult(recorded=False, status=assignment.status)
    unit, directive = session.get(Unit, assignment.unit_id), session.get(Directive, assignment.directive_id)
    assert unit is not None and directive is not None
    issuer = session.get(Unit, directive.issuer_id)
    assert issuer is not None
    if public_url is None:
        from cascade.core.settings import get_settings

        public_url = get_settings().web.public_url
    record_audit(session, AuditEvent.refused, unit=unit, actor=f"link from {remote_addr}", at=now,
                 directive_id=directive.id, assignment_id=assignment_id, detail={"reason": reason})  # fmt: skip
    row = outbox_row(
        f"refused:{assignment_id}", "refused", (issuer.name, issuer.email), "refused", now,
        directive_id=directive.id, assignment_id=assignment_id, directive=directive, unit=unit, issuer=issuer,
        reason=reason, decision_url=decision_url(public_url, assignment_id),
    )  # fmt: skip
    enqueue_mail(session, [row])
    session.flush()
    return RefuseResult(recorded=True, status=Status.refused)


def hold_refusal(session: Session, assignment_id: int) -> bool:
    """Take the assignment's row for this transaction (a write that changes nothing: PostgreSQL's row lock,
    SQLite's write lock), so two decisions about one refusal, two clicks or two people, run one after the other
    and the second sees the first's. False when the assignment is not refused."""
    held = session.execute(
        update(Assignment)
        .where(col(Assignment.id) == assignment_id, col(Assignment.status) == Status.refused)
        .values(status=col(Assignment.status))
    )
    return bool(getattr(held, "rowcount", 0))


def decision_of(session: Session, assignment_id: int) -> Decision | None:
    """The latest decision about the refusal of this assignment, or None while it awaits one."""
    entry = session.exec(
        select(AuditLog)
        .where(AuditLog.assignment_id == assignment_id, col(AuditLog.event).in_(DECISIONS))
        .order_by(col(AuditLog.id).desc())
        .limit(1)
    ).first()
    if entry is None:
        return None
    return Decision(AuditEvent(entry.event), entry.actor, entry.at, entry.detail.get("to"), entry.detail.get("to_name"))


def reroute(session: Session, directive: Directive, from_code: str, to_code: str, *, actor: str = "cli") -> Recipient:
    """Address the directive to another unit instead of one that refused it (same role), once per refusal.
    The directive is owed a dispatch again: the caller runs it (`cascade reroute`), or `dispatch-pending` does
    within minutes (the console), and the new unit gets its notice."""
    units = {u.code: u for u in session.exec(select(Unit).where(col(Unit.code).in_([from_code, to_code]))).all()}
    problems = [Problem("reroute", f"unknown unit {c!r}") for c in (from_code, to_code) if c not in units]
    if problems:
        raise InputError(problems)
    old = session.exec(
        select(Assignment).where(Assignment.directive_id == directive.id, Assignment.unit_id == units[from_code].id)
    ).first()
    if old is None or old.id is None or not hold_refusal(session, old.id):
        raise InputError([Problem("reroute", f"{from_code} has not refused {directive.number}: nothing to reroute")])
    earlier = decision_of(session, old.id)
    if earlier is not None and earlier.event is AuditEvent.rerouted:
        raise InputError(
            [
                Problem(
                    "reroute", f"{from_code}'s refusal of {directive.number} was already rerouted to {earlier.to_name}"
                )
            ]
        )
    target = units[to_code]
    unfit = reroute_unfit(session, directive, target)
    if unfit is not None:
        words = UNFIT_PROBLEMS[unfit].format(unit=f"{to_code} ({target.name})", number=directive.number)
        raise InputError([Problem("reroute", words)])
    assert directive.id is not None and target.id is not None
    recipient = Recipient(directive_id=directive.id, unit_id=target.id, role=old.role, mode=old.mode)
    session.add(recipient)
    # Owed a dispatch: the run creates the new unit's assignment and sends its notice (dispatch-pending finds it).
    directive.dispatched_at = None
    session.add(directive)
    record_audit(session, AuditEvent.rerouted, unit=units[from_code], actor=actor, directive_id=directive.id,
                 assignment_id=old.id, detail={"to": to_code, "to_name": target.name})  # fmt: skip
    session.flush()
    return recipient
