"""The escalate step of one kind of item, taken in the database: the step rows and their audit rows are each one
`INSERT … SELECT`, and only what the officer's email and the run's events show is read back.

The escalate step sends the unit nothing: one email goes to the follow-up officer, listing the first units and
counting the rest. Taken item by item, a national directive's escalate day read 100,000 rows into Python and
wrote them back as 200,000 parameter sets, several times what the email itself costs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import ColumnElement
from sqlmodel import Session, col

from cascade.chasing import digests as digest_emails
from cascade.chasing import escalation_events
from cascade.chasing.digests import Digests
from cascade.chasing.escalation_events import StepLog
from cascade.chasing.open_items import Source, item_of, item_rows, newly_due_rows, split_row
from cascade.chasing.step_writes import STEP_EVENTS, STEPS, audit_and_event
from cascade.chasing.steps import Taken
from cascade.core.sqlutil import id_in, insert_selected_ids
from models import Assignment, Directive, Unit
from models.audit import AUDIT
from models.report import EscalationStep

STEP = "escalate"
RANK = STEPS.index(STEP)
_STEPS = EscalationStep.__table__.c  # type: ignore[attr-defined]


def escalate(
    session: Session,
    directive: Directive,
    source: Source,
    dues: list[date],
    now: datetime,
    who: tuple[Unit | None, tuple[str | None, str]],
    digests: Digests,
    log: StepLog,
) -> int:
    """Take the escalate step of `source`'s items with a deadline in `dues` that have not reached it, once;
    `who` is the directive's issuer (each unit's supervisor here) and follow-up officer (name, email). Adds the
    steps to the officer's escalation and to the run's events; returns how many were taken."""
    issuer, officer = who
    due = source.due_column if source.due_column is not None else sa.literal(source.due, _STEPS.due.type)
    chosen = newly_due_rows(directive, source, dues, RANK).with_only_columns(
        col(Assignment.directive_id),
        col(Assignment.id),
        sa.literal(source.item),
        sa.literal(STEP),
        sa.literal(RANK),
        due,
        sa.literal(now, _STEPS.at.type),
    )
    columns = ["directive_id", "assignment_id", "item", "step", "rank", "due", "at"]
    ids = insert_selected_ids(session, EscalationStep, columns, chosen, ["assignment_id", "item", "step"])
    if not ids:
        return 0
    mine = _taken_now(session, ids, now)
    for deadline in dues if source.due_column is not None else [source.due]:
        _audit(session, mine, deadline, source.item, officer[1], now)
    # The officer's email lists the first LISTED by unit code, and the events name each step while the run has
    # taken few: read those back; the others are counted.
    wanted = len(ids) if len(ids) <= log.room else max(digest_emails.LISTED, escalation_events.UNITS_NAMED)
    first = session.execute(
        item_rows(directive, [])
        .add_columns(col(EscalationStep.id))
        .join(EscalationStep, col(EscalationStep.assignment_id) == col(Assignment.id))
        .where(mine)
        .order_by(col(Unit.code), col(Assignment.id))
        .limit(wanted)
    ).all()
    event: dict[str, Any] = {}
    for row in first:
        a, u = split_row(row[:-1])
        taken = Taken(int(row[-1]), STEP, item_of(directive, source, a, u), issuer, officer)
        digests.add(taken)
        event = audit_and_event(taken, now)[1]
        log.add(event)
    rest = len(ids) - len(first)
    digests.count_escalated(officer, rest, min(ids), max(ids))
    log.add_more(event, rest)
    return len(ids)


def _taken_now(session: Session, ids: list[int], now: datetime) -> ColumnElement[bool]:
    """The steps this statement inserted: by their ids on PostgreSQL (one array). On SQLite, whose write lock
    the transaction holds from its first write, one statement's rows take consecutive ids above every row
    before them and no other run inserts in between: their span (the time only says so twice)."""
    if session.get_bind().dialect.name == "postgresql":
        return id_in(session, col(EscalationStep.id), ids)
    return sa.and_(col(EscalationStep.id).between(min(ids), max(ids)), col(EscalationStep.at) == now)


def _audit(
    session: Session, mine: ColumnElement[bool], deadline: date | None, item: str, to: str, now: datetime
) -> None:
    """The audit rows of the steps with this deadline, as audit_and_event writes each (one statement)."""
    assert deadline is not None
    detail = {"item": item, "step": STEP, "due": deadline.isoformat(), "to": [to]}
    rows = (
        sa.select(
            sa.literal(STEP_EVENTS[STEP], AUDIT.c.event.type),
            sa.literal("monitor"),
            sa.literal(now, AUDIT.c.at.type),
            col(EscalationStep.directive_id),
            col(EscalationStep.assignment_id),
            col(Unit.code),
            col(Unit.name),
            sa.literal(detail, AUDIT.c.detail.type),
        )
        .join_from(EscalationStep, Assignment, col(Assignment.id) == col(EscalationStep.assignment_id))
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .where(mine, col(EscalationStep.due) == deadline)
    )
    names = ["event", "actor", "at", "directive_id", "assignment_id", "unit_code", "unit_name", "detail"]
    session.connection().execute(sa.insert(AUDIT).from_select(names, rows))
