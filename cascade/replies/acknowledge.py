"""Recording an acknowledgement: one row per assignment, enforced by a unique constraint.

This is the one write every unit makes (100,000 of them nationally, many at once), so the common case is four
Core statements built once at import: one select for all it needs, the insert, the status update, the audit
entry. Building them per request (or going through the ORM) cost more Python than SQLite spent running them;
for the same reason they hold no IN list (an expanding parameter rewrites the compiled SQL at every execution).
Only a unit that must pass the directive on (rare) loads ORM objects to do so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, and_, bindparam, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from cascade.core.workdays import WorkCalendar, work_calendar
from cascade.dispatch.duties import DEPARTMENT_KINDS
from cascade.replies.passon import on_acknowledged
from models import (
    Acknowledgement,
    Assignment,
    AuditEvent,
    Directive,
    Role,
    Status,
    Unit,
    record_audit,
    utcnow,
)

ACKNOWLEDGEABLE = (Status.queued, Status.arrived)
ACK: Table = Acknowledgement.__table__  # type: ignore[attr-defined]
ASSIGNMENT: Table = Assignment.__table__  # type: ignore[attr-defined]
UNIT: Table = Unit.__table__  # type: ignore[attr-defined]
DIRECTIVE: Table = Directive.__table__  # type: ignore[attr-defined]

_below = UNIT.alias("below")
# Only an `act` unit with active units below it (not its own departments) passes a directive on: the same
# test as cascade/replies/passon.py's subordinates(), answered inside the one select (ix_unit_parent_active).
_PASSES_ON = and_(
    ASSIGNMENT.c.role == Role.act,
    # passed on already: a unit confirming an amended version again (cascade amend --reacknowledge) does not
    ASSIGNMENT.c.implementing_directive_id.is_(None),
    exists().where(
        _below.c.parent_id == UNIT.c.id,
        _below.c.active.is_(True),
        *(_below.c.kind != kind for kind in sorted(DEPARTMENT_KINDS)),
    ),
)
_FACTS = (
    # closed_at: a recalled or replaced directive takes no acknowledgement (cascade/lifecycle), read in this select
    # rather than in one more (web/common.py resolve_link checks every other link route)
    select(
        ASSIGNMENT.c.status,
        UNIT.c.code,
        UNIT.c.name,
        DIRECTIVE.c.number,
        DIRECTIVE.c.id,
        _PASSES_ON,
        DIRECTIVE.c.closed_at,
    )  # fmt: skip
    .join_from(ASSIGNMENT, UNIT, UNIT.c.id == ASSIGNMENT.c.unit_id)
    .join(DIRECTIVE, DIRECTIVE.c.id == ASSIGNMENT.c.directive_id)
    .where(ASSIGNMENT.c.id == bindparam("assignment_id"))
)
# ON CONFLICT DO NOTHING: the loser of a race (or a replay) inserts nothing and has no error to recover from.
_INSERT = {
    name: module.insert(ACK).on_conflict_do_nothing(index_elements=["assignment_id"]).returning(ACK.c.id)
    for name, module in (("sqlite", sqlite), ("postgresql", postgresql))
}
_FIRST = select(ACK.c.at).where(ACK.c.assignment_id == bindparam("assignment_id"))
_STATUS = (
    update(ASSIGNMENT)
    .where(ASSIGNMENT.c.id == bindparam("assignment_id"), or_(*(ASSIGNMENT.c.status == s for s in ACKNOWLEDGEABLE)))
    .values(
        # A unit confirming an amended version again goes back to where it stood (passed on, reporting…).
        status=func.coalesce(ASSIGNMENT.c.resume_status, Status.acknowledged.value),
        resume_status=None,
        acknowledged_at=bindparam("at"),
        status_changed_at=bindparam("at"),
    )
)


@dataclass(frozen=True)
class AckResult:
    recorded: bool  # False: acknowledged before (`at` is then the first time), or refused
    at: datetime | None
    refused: bool = False
    # What the thank-you page says, read by the same select (no second round trip for the page).
    number: str = ""
    unit_name: str = ""
    # Set when this acknowledgement leaves the unit to complete its own implementing directive (author mode, or
    # a forward pass-on held for want of a signer).
    author_due: date | None = None
    closed: bool = False  # its directive was recalled or replaced: nothing recorded
    # The implementing directive this acknowledgement issued (forward mode), stored and owed its dispatch.
    pass_on_directive_id: int | None = None


def acknowledge(
    session: Session,
    assignment_id: int,
    *,
    remote_addr: str | None,
    user_agent: str | None,
    now: datetime | None = None,
    calendar: WorkCalendar | None = None,
) -> AckResult | None:
    """Insert the acknowledgement; concurrent POSTs race on the unique key and exactly one wins.
    The winner also starts passing the directive on when the unit has units under it.
    None: there is no such assignment."""
    now = now or utcnow()
    session.flush()  # Core statements below do not autoflush what a caller left pending
    conn = session.connection()
    key = {"assignment_id": assignment_id}
    facts = conn.execute(_FACTS, key).first()
    if facts is None:
        return None
    status, _, name, number, directive_id, passes_on, closed_at = facts
    if closed_at is not None:
        return AckResult(recorded=False, at=None, number=number, unit_name=name, closed=True)
    if status == Status.refused:
        return AckResult(recorded=False, at=None, refused=True, number=number, unit_name=name)
    row: dict[str, Any] = {**key, "at": now, "remote_addr": remote_addr, "user_agent": (user_agent or "")[:500]}
    if conn.execute(_INSERT[conn.dialect.name], row).first() is None:
        first = conn.execute(_FIRST, key).scalar_one()
        return AckResult(recorded=False, at=first, number=number, unit_name=name)
    conn.execute(_STATUS, {**key, "at": now})
    # facts name the unit by its code and name, as the entry keeps it
    record_audit(session, AuditEvent.acknowledged, unit=facts, actor=f"link from {remote_addr}", at=now,
                 directive_id=directive_id, assignment_id=assignment_id,
                 detail={"user_agent": (user_agent or "")[:200]})  # fmt: skip
    author_due, issued = None, None
    if passes_on:
        # Loaded afresh: the UPDATE above went around any copy of it the session holds.
        assignment = session.get(Assignment, assignment_id, populate_existing=True)
        assert assignment is not None
        on_acknowledged(session, assignment, now, calendar or work_calendar())
        # author mode, or a forward pass-on held for want of a signer: the unit completes it on its page
        author_due = assignment.pass_on_due if assignment.implementing_directive_id is None else None
        issued = assignment.implementing_directive_id
        session.flush()
    return AckResult(recorded=True, at=now, number=number, unit_name=name, author_due=author_due,
                     pass_on_directive_id=issued)  # fmt: skip
